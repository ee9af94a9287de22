package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
)

// This file is the event stream of "pftls tail": the notable events of a
// batch (Events), one line per event when stdout is not a terminal, as
// text (WriteEventText) or as JSON lines (WriteEventJSON, whose field
// names are a stable interface). The same events are the live view's
// latest problems. Output goes to the io.Writer given.

// EventKind is what an event of the stream is.
type EventKind string

// Event kinds, as written in the event stream and shown in the view.
const (
	KindTLSFailure EventKind = "tls-failure"
	KindDeferred   EventKind = "deferred" // one deferral line
	KindBounced    EventKind = "bounced"
	KindReject     EventKind = "reject"
	KindWarning    EventKind = "warning"
	KindError      EventKind = "error"
	KindFatal      EventKind = "fatal"
	KindPanic      EventKind = "panic"
	// KindNotUnderstood is a batch's lines of one host that pftls did not
	// understand (unparsed and malformed): how many (Lines) and the first
	// unparsed one (Detail, "program: text").
	KindNotUnderstood EventKind = "not-understood"
	// KindUnreadable and KindReadable are tail's own news, not a log
	// line's: the followed log's path holds something tail cannot read
	// (Detail says why), or a file there is read again (Detail is the
	// path). See UnreadableEvent.
	KindUnreadable EventKind = "unreadable"
	// KindMissed: a file at the path tail could not read was rotated
	// away unread; its lines are missing (see MissedEvent).
	KindMissed   EventKind = "missed"
	KindReadable EventKind = "readable"
)

// LiveEvent is one notable event: a line of the event stream, a row of the
// live view's latest problems.
type LiveEvent struct {
	Time    time.Time
	Kind    EventKind
	Domain  string                  // recipient domain, "" when none
	Host    string                  // the Postfix host that logged it
	Peer    string                  // the remote side: relay or server "host[addr]:port", or the client "name[addr]"
	Detail  string                  // tls-failure "kind: detail"; the reason (masked, see aggregate.ReasonClass); "program: text" for warnings
	TLSKind logparse.TLSFailureKind // tls-failure only
	DSN     string                  // deferred and bounced only: the enhanced status code
	Lines   int64                   // not-understood only: how many lines
}

// Events converts a batch into notable events for the non-terminal stream,
// oldest first: deferred and bounced delivery attempts (content-filter hops
// left out), outbound TLS failures, rejects, warning, error, fatal and
// panic lines, and per host the lines not understood. Sent attempts and
// inbound TLS failures are not events.
func Events(b *aggregate.Batch) []LiveEvent {
	if b == nil {
		return nil
	}
	var evs []LiveEvent
	for i := range b.Attempts {
		if e, ok := attemptEvent(&b.Attempts[i]); ok {
			evs = append(evs, e)
		}
	}
	for i := range b.TLS {
		if e, ok := tlsEvent(&b.TLS[i]); ok {
			evs = append(evs, e)
		}
	}
	for i := range b.Rejects {
		r := &b.Rejects[i]
		if r.Class() != aggregate.RejectRejected {
			continue
		}
		evs = append(evs, LiveEvent{Time: r.Time, Kind: KindReject, Domain: aggregate.Domain(r.To),
			Host: r.Host, Peer: r.Client, Detail: cmp.Or(r.ReasonClass, r.Reply)})
	}
	for i := range b.Warnings {
		evs = append(evs, warningEvent(&b.Warnings[i]))
	}
	evs = append(evs, notUnderstoodEvents(b)...)
	slices.SortStableFunc(evs, func(a, b LiveEvent) int { return a.Time.Compare(b.Time) })
	return evs
}

func attemptEvent(a *aggregate.Attempt) (LiveEvent, bool) {
	if !a.ForDomain() {
		return LiveEvent{}, false
	}
	var kind EventKind
	switch a.Outcome() {
	case aggregate.OutcomeDeferred:
		kind = KindDeferred
	case aggregate.OutcomeBounced:
		kind = KindBounced
	default:
		return LiveEvent{}, false
	}
	return LiveEvent{Time: a.Time, Kind: kind, Domain: a.Domain, Host: a.Host, Peer: a.Relay,
		Detail: attemptReason(a), DSN: a.DSN}, true
}

func attemptReason(a *aggregate.Attempt) string { return cmp.Or(a.ReasonClass, a.Reason) }

func tlsEvent(f *aggregate.TLSFailure) (LiveEvent, bool) {
	if !f.Outbound() {
		return LiveEvent{}, false
	}
	return LiveEvent{Time: f.Time, Kind: KindTLSFailure, Domain: f.Domain, Host: f.Host, Peer: f.Peer,
		Detail: tlsDetail(f), TLSKind: f.Kind}, true
}

func tlsDetail(f *aggregate.TLSFailure) string {
	if f.Detail == "" {
		return string(f.Kind)
	}
	return string(f.Kind) + ": " + f.Detail
}

func warningEvent(w *aggregate.Warning) LiveEvent {
	kind := KindWarning
	switch w.Severity {
	case logparse.SevError:
		kind = KindError
	case logparse.SevFatal:
		kind = KindFatal
	case logparse.SevPanic:
		kind = KindPanic
	}
	detail := w.Text
	if w.Program != "" {
		detail = w.Program + ": " + w.Text
	}
	return LiveEvent{Time: w.Time, Kind: kind, Host: w.Host, Detail: detail}
}

// notUnderstoodEvents are the batch's lines not understood, an event per
// host: how many, and the first unparsed line as the example, at its time.
// A malformed line has no envelope to show, so a host with only those has
// no example, and the time of the minute they were counted in.
func notUnderstoodEvents(b *aggregate.Batch) []LiveEvent {
	var evs []LiveEvent
	of := map[string]int{} // host -> its event in evs
	for i := range b.LineCounts {
		c := &b.LineCounts[i]
		if !aggregate.NotUnderstood(c.Kind) || c.Count == 0 {
			continue
		}
		j, ok := of[c.Host]
		if !ok {
			j, of[c.Host] = len(evs), len(evs)
			evs = append(evs, LiveEvent{Time: c.Minute, Kind: KindNotUnderstood, Host: c.Host})
		}
		evs[j].Lines += c.Count
		if c.Minute.Before(evs[j].Time) {
			evs[j].Time = c.Minute
		}
	}
	for i := range b.Unparsed { // in the order read: the first is the example
		u := &b.Unparsed[i]
		if j, ok := of[u.Host]; ok && evs[j].Detail == "" {
			evs[j].Time, evs[j].Detail = u.Time, clipLine(u.Program+": "+u.Text)
		}
	}
	return evs
}

// UnreadableEvent is the event for a change in what tail can read of the
// log it follows: err says why path cannot be read, nil that a file there
// is read again. at is the wall clock, the time tail found it.
func UnreadableEvent(at time.Time, path string, err error) LiveEvent {
	if err != nil {
		return LiveEvent{Time: at, Kind: KindUnreadable, Detail: err.Error()}
	}
	return LiveEvent{Time: at, Kind: KindReadable, Detail: path}
}

// MissedEvent is the event for a file tail could not read at the path it
// follows and that was rotated away unread: words say which lines are
// missing (report.GapRow.Words). at is the wall clock.
func MissedEvent(at time.Time, words string) LiveEvent {
	return LiveEvent{Time: at, Kind: KindMissed, Detail: words}
}

// field is a column of the text stream: "-" when empty, so that the
// columns stay countable.
func field(s string) string {
	if s == "" {
		return "-"
	}
	return oneLine(s)
}

// WriteEventText writes an event as one line:
//
//	2026-11-23T00:20:18Z tls-failure bank.example.net mx.bank.example.net[127.0.0.12]:25 untrusted-issuer: /O=Unknown Org/...
//
// time (RFC 3339, UTC), kind, domain, peer, then for deferrals and bounces
// the DSN, then the detail; an empty domain or peer is "-". Lines not
// understood say how many, then the first:
//
//	2026-11-23T00:25:01Z not-understood - - 20 lines not understood from mx1; first: "postfix/smtp: some text Postfix 3.11 writes"
//
// Log text goes through TerminalSafe. The line is written with one Write; a buffered w
// is the caller's to flush.
func WriteEventText(w io.Writer, e LiveEvent) error {
	var b strings.Builder
	b.WriteString(e.Time.UTC().Format(time.RFC3339))
	for _, f := range []string{string(e.Kind), e.Domain, e.Peer} {
		b.WriteByte(' ')
		b.WriteString(field(f))
	}
	if e.DSN != "" {
		b.WriteByte(' ')
		b.WriteString(oneLine(e.DSN))
	}
	detail := e.Detail
	if e.Kind == KindNotUnderstood {
		detail = plural(e.Lines, "line", "lines") + " not understood"
		if e.Host != "" {
			detail += " from " + e.Host
		}
		if e.Detail != "" {
			detail += "; first: " + strconv.Quote(oneLine(e.Detail)) // its quotes escaped
		}
	}
	if detail != "" {
		b.WriteByte(' ')
		b.WriteString(oneLine(detail))
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

// liveEventJSON is an event in the JSON lines stream. Field names are a
// stable interface: never renamed, only added.
type liveEventJSON struct {
	Time    string  `json:"time"`
	Kind    string  `json:"kind"`
	Domain  string  `json:"domain"`
	Host    string  `json:"host"`
	Peer    string  `json:"peer"`
	Detail  string  `json:"detail"`
	TLSKind *string `json:"tls_kind,omitempty"` // tls-failure only
	DSN     *string `json:"dsn,omitempty"`      // deferred and bounced only
	Lines   *int64  `json:"lines,omitempty"`    // not-understood only
}

// WriteEventJSON writes an event as one JSON object on one line, with the
// fields time (RFC 3339, UTC), kind, domain, host, peer and detail, plus
// tls_kind for TLS failures, dsn for deferrals and bounces, and lines for
// lines not understood (whose detail is the first of them).
//
// Unlike the report's JSON, the strings go through TerminalSafe (line
// breaks become spaces): the stream is read as it comes, in journalctl or
// tail -f on a terminal, and Postfix itself logs control characters as
// '?', so nothing meaningful is lost.
func WriteEventJSON(w io.Writer, e LiveEvent) error {
	j := liveEventJSON{
		Time:   e.Time.UTC().Format(time.RFC3339Nano),
		Kind:   oneLine(string(e.Kind)),
		Domain: oneLine(e.Domain),
		Host:   oneLine(e.Host),
		Peer:   oneLine(e.Peer),
		Detail: oneLine(e.Detail),
	}
	switch e.Kind {
	case KindTLSFailure:
		k := oneLine(string(e.TLSKind))
		j.TLSKind = &k
	case KindDeferred, KindBounced:
		d := oneLine(e.DSN)
		j.DSN = &d
	case KindNotUnderstood:
		n := e.Lines
		j.Lines = &n
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(j); err != nil { // Encode ends the line
		return fmt.Errorf("report: event json: %w", err)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

package report

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// This file is the rolling window of "pftls tail"'s live view: Live
// counts the facts of the last minutes per destination domain and keeps
// the latest problems, and Snapshot yields the plain model of one frame
// (LiveModel), which live_screen.go draws. The event stream written when
// stdout is not a terminal is in events.go. Nothing here reads the clock
// or touches a file: times come in as arguments.

// unknownDomain is the domain table's row for TLS failures (and attempts)
// with no recipient domain, as in the report's TLS failure table.
const unknownDomain = "(unknown)"

// DefaultLiveWindow is the rolling window when NewLive is given none.
const DefaultLiveWindow = 15 * time.Minute

// LiveModel is one frame of the live view: plain values, rendered by
// RenderLive.
//
// Snapshot fills Now, Window, Domains, Recent, Rejects and Warnings. The
// header fields Source, LinesPerSec, Lines, Events, CatchingUp and
// Unreadable describe the reader, which Live does not know: the caller
// sets them on the snapshot before rendering.
type LiveModel struct {
	Now    time.Time     // the frame's time; times are shown in its location
	Window time.Duration // the rolling window the counts cover

	Source      string  // what is being followed (a path, "-" for stdin)
	LinesPerSec float64 // recent read rate
	Lines       int64   // lines read since the start
	Events      int64   // log events (parsed lines) since the start
	CatchingUp  bool    // still reading the backlog, not yet live
	// NotUnderstood is the lines since the start pftls did not understand
	// (unparsed and malformed): Snapshot fills it, the stats line shows it.
	NotUnderstood int64
	// Unreadable is why the followed log cannot be read now, "" while it
	// is read: the caller sets it; the stats line shows it first, in red.
	Unreadable string
	// Missed says which lines are missing, a file at the path having been
	// rotated away unread, "" when none: the caller sets it; the stats
	// line shows it, in red, after Unreadable.
	Missed string

	// Domains are the destination domains with delivery attempts or
	// outbound TLS failures in the window: problems first (most TLS
	// failures, then most deferrals, then most bounced), then by attempts,
	// ties by name.
	Domains []LiveDomain
	// Recent are the latest problems, newest first: TLS failures,
	// deferrals, bounces and error/fatal/panic lines. They are kept by
	// count (NewLive's recent), not by the window, so that a quiet spell
	// still shows when the last failure was.
	Recent []LiveEvent
	// Rejects and Warnings count reject lines and warning, error, fatal
	// and panic lines in the window. Rejects and plain warnings are not
	// in Recent: on a busy server they would crowd the delivery problems
	// out.
	Rejects, Warnings int64

	// View is what the person watching chose (sort, filter, pause,
	// help): the caller sets it; RenderLive applies it.
	View LiveView
}

// LiveDomain is one destination domain's outcome in the window. Its
// counts are of log lines, not messages: a message deferred three times is
// three Deferrals (as in the report's DomainRow.Deferrals, where Deferred
// counts messages).
type LiveDomain struct {
	Domain      string
	Attempts    int64 // delivery lines (sent, deferred, bounced, ...)
	Sent        int64
	Deferrals   int64 // deferral lines
	Bounced     int64
	TLSFailures int64     // outbound TLS failures
	LastReason  string    // detail of the latest TLS failure, deferral or bounce; "" when none is in the window
	LastSeen    time.Time // latest attempt or TLS failure
}

// inRecent reports whether an event kind belongs in the view's latest
// problems.
func inRecent(kind EventKind) bool {
	switch kind {
	case KindTLSFailure, KindDeferred, KindBounced, KindError, KindFatal, KindPanic:
		return true
	}
	return false
}

// liveFactKind is what a fact in the window counts as.
type liveFactKind uint8

const (
	liveAttempt liveFactKind = iota // a delivery line other than sent, deferred, bounced
	liveSent
	liveDeferred
	liveBounced
	liveTLS
	liveReject
	liveWarning
)

func (k liveFactKind) problem() bool { return k == liveDeferred || k == liveBounced || k == liveTLS }

// liveFact is one fact in the window, as small as it can be: there is one
// per delivery line of the last 15 minutes.
type liveFact struct {
	at     int64 // Unix nanoseconds
	domain string
	reason string // problems only
	kind   liveFactKind
}

// liveDomainAcc is a domain's running counts over the facts in the window.
type liveDomainAcc struct {
	row       LiveDomain // Domain, counts, LastReason, LastSeen
	facts     int        // facts of this domain in the window
	problemAt int64      // time of the fact LastReason comes from
}

func (a *liveDomainAcc) problems() int64 {
	return a.row.Deferrals + a.row.Bounced + a.row.TLSFailures
}

// Live keeps a rolling window of facts for the tail view. Add feeds it
// batches; Snapshot drops what has left the window and returns the model
// of the rest. Memory is bounded by the facts of one window plus the
// recent list. A Live is not safe for concurrent use.
type Live struct {
	window  time.Duration
	facts   []liveFact // sorted by time; facts[head:] are in the window
	head    int
	domains map[string]*liveDomainAcc

	rejects, warnings int64
	latest            int64 // the latest fact's time (Unix nanoseconds)
	notUnderstood     int64 // unparsed and malformed lines since the start

	keep   int         // how many recent problems to keep
	recent []LiveEvent // ring of the latest problems
	next   int         // where the ring writes next once it is full
}

// NewLive returns a Live over a rolling window (DefaultLiveWindow when
// window <= 0) that keeps the latest recent problems (none when recent <=
// 0; a few hundred is plenty for any screen).
func NewLive(window time.Duration, recent int) *Live {
	if window <= 0 {
		window = DefaultLiveWindow
	}
	return &Live{window: window, domains: map[string]*liveDomainAcc{}, keep: max(recent, 0)}
}

// Add takes in a batch's delivery attempts (content-filter hops left out),
// outbound TLS failures, rejects and warnings. Facts may come slightly out
// of order (several hosts in one log): they are kept sorted by time.
func (l *Live) Add(b *aggregate.Batch) {
	if b == nil {
		return
	}
	var evs []LiveEvent
	if l.keep > 0 {
		evs = Events(b)
	}
	l.AddEvents(b, evs)
}

// AddEvents is Add for a caller that has the batch's Events already (tail
// hands the same events to the view, the alerter and the stream): they
// are not made again.
func (l *Live) AddEvents(b *aggregate.Batch, evs []LiveEvent) {
	if b == nil {
		return
	}
	for i := range b.LineCounts {
		if aggregate.NotUnderstood(b.LineCounts[i].Kind) {
			l.notUnderstood += b.LineCounts[i].Count
		}
	}
	for i := range b.Attempts {
		a := &b.Attempts[i]
		if !a.ForDomain() {
			continue
		}
		f := liveFact{at: a.Time.UnixNano(), domain: cmp.Or(a.Domain, unknownDomain), kind: liveAttempt}
		switch o := a.Outcome(); {
		case o.Sent():
			f.kind = liveSent
		case o == aggregate.OutcomeDeferred:
			f.kind, f.reason = liveDeferred, attemptReason(a)
		case o == aggregate.OutcomeBounced:
			f.kind, f.reason = liveBounced, attemptReason(a)
		}
		l.insert(f, a.Time)
	}
	for i := range b.TLS {
		t := &b.TLS[i]
		if !t.Outbound() {
			continue
		}
		l.insert(liveFact{at: t.Time.UnixNano(), domain: cmp.Or(t.Domain, unknownDomain), reason: tlsDetail(t), kind: liveTLS}, t.Time)
	}
	for i := range b.Rejects {
		if r := &b.Rejects[i]; r.Class() == aggregate.RejectRejected {
			l.insert(liveFact{at: r.Time.UnixNano(), kind: liveReject}, r.Time)
		}
	}
	for i := range b.Warnings {
		w := &b.Warnings[i]
		l.insert(liveFact{at: w.Time.UnixNano(), kind: liveWarning}, w.Time)
	}
	if l.keep > 0 {
		for _, e := range evs {
			if inRecent(e.Kind) {
				l.remember(e)
			}
		}
	}
}

// Latest is the time of the latest fact taken in (zero before any).
func (l *Live) Latest() time.Time {
	if l.latest == 0 {
		return time.Time{}
	}
	return time.Unix(0, l.latest)
}

// insert adds a fact in time order and counts it.
func (l *Live) insert(f liveFact, t time.Time) {
	l.latest = max(l.latest, f.at)
	switch f.kind {
	case liveReject:
		l.rejects++
	case liveWarning:
		l.warnings++
	default:
		acc := l.domains[f.domain]
		if acc == nil {
			acc = &liveDomainAcc{row: LiveDomain{Domain: f.domain}}
			l.domains[f.domain] = acc
		}
		f.domain = acc.row.Domain // one copy of the name for all its facts
		acc.facts++
		had := acc.problems() > 0
		r := &acc.row
		switch f.kind {
		case liveSent:
			r.Sent++
		case liveDeferred:
			r.Deferrals++
		case liveBounced:
			r.Bounced++
		case liveTLS:
			r.TLSFailures++
		}
		if f.kind != liveTLS {
			r.Attempts++
		}
		if f.kind.problem() && (!had || f.at >= acc.problemAt) {
			acc.problemAt, r.LastReason = f.at, f.reason
		}
		if t.After(r.LastSeen) {
			r.LastSeen = t
		}
	}
	// Facts nearly always come in order: append. Otherwise insert after
	// the last fact that is not later.
	n := len(l.facts)
	if n == l.head || l.facts[n-1].at <= f.at {
		l.facts = append(l.facts, f)
		return
	}
	i := l.head + sort.Search(n-l.head, func(i int) bool { return l.facts[l.head+i].at > f.at })
	l.facts = slices.Insert(l.facts, i, f)
}

// evict uncounts a fact that has left the window. Facts leave oldest
// first, so a domain's LastSeen is still that of its latest fact, and its
// LastReason still that of its latest problem until no problem is left.
func (l *Live) evict(f liveFact) {
	switch f.kind {
	case liveReject:
		l.rejects--
		return
	case liveWarning:
		l.warnings--
		return
	}
	acc := l.domains[f.domain]
	if acc == nil {
		return
	}
	r := &acc.row
	switch f.kind {
	case liveSent:
		r.Sent--
	case liveDeferred:
		r.Deferrals--
	case liveBounced:
		r.Bounced--
	case liveTLS:
		r.TLSFailures--
	}
	if f.kind != liveTLS {
		r.Attempts--
	}
	acc.facts--
	if acc.facts <= 0 {
		delete(l.domains, f.domain)
		return
	}
	if f.kind.problem() && acc.problems() == 0 {
		acc.problemAt, r.LastReason = 0, ""
	}
}

// remember puts a problem in the ring of recent ones.
func (l *Live) remember(e LiveEvent) {
	if len(l.recent) < l.keep {
		l.recent = append(l.recent, e)
		return
	}
	l.recent[l.next] = e
	l.next = (l.next + 1) % l.keep
}

// Snapshot drops the facts older than now minus the window and returns
// the model of the rest. The caller sets the header fields (Source,
// LinesPerSec, Lines, Events, CatchingUp) before rendering.
func (l *Live) Snapshot(now time.Time) LiveModel {
	cutoff := now.Add(-l.window).UnixNano()
	for l.head < len(l.facts) && l.facts[l.head].at < cutoff {
		l.evict(l.facts[l.head])
		l.facts[l.head] = liveFact{} // let go of the strings
		l.head++
	}
	l.compact()

	m := LiveModel{Now: now, Window: l.window, Rejects: l.rejects, Warnings: l.warnings, NotUnderstood: l.notUnderstood}
	m.Domains = make([]LiveDomain, 0, len(l.domains))
	for _, acc := range l.domains {
		m.Domains = append(m.Domains, acc.row)
	}
	slices.SortFunc(m.Domains, compareLiveDomains)

	m.Recent = make([]LiveEvent, 0, len(l.recent))
	for i := range l.recent { // newest arrival first
		m.Recent = append(m.Recent, l.recent[(l.next-1-i+2*len(l.recent))%len(l.recent)])
	}
	slices.SortStableFunc(m.Recent, func(a, b LiveEvent) int { return b.Time.Compare(a.Time) })
	return m
}

// compareLiveDomains puts problems first: TLS failures, then deferrals,
// then bounced, then the busiest domains, ties by name.
func compareLiveDomains(a, b LiveDomain) int {
	return cmp.Or(
		cmp.Compare(b.TLSFailures, a.TLSFailures),
		cmp.Compare(b.Deferrals, a.Deferrals),
		cmp.Compare(b.Bounced, a.Bounced),
		cmp.Compare(b.Attempts, a.Attempts),
		strings.Compare(a.Domain, b.Domain))
}

// compact moves the facts in the window to the front of the slice once
// half of it is dropped ones, and gives memory back after a burst.
func (l *Live) compact() {
	if l.head == 0 || l.head < len(l.facts)/2 {
		return
	}
	n := len(l.facts) - l.head
	if c := cap(l.facts); c > 1024 && c > 4*n {
		l.facts = append(make([]liveFact, 0, 2*n), l.facts[l.head:]...)
	} else {
		copy(l.facts, l.facts[l.head:])
		clear(l.facts[n:])
		l.facts = l.facts[:n]
	}
	l.head = 0
}

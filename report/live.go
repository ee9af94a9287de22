package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/pftls/pftls/aggregate"
)

// This file is the live view of "pftls tail": a rolling window of facts
// (Live), the plain model it yields (LiveModel), the full-screen rendering
// of that model (RenderLive), and the one-line-per-event stream written
// when stdout is not a terminal (Events, WriteEventText, WriteEventJSON).
// Nothing here reads the clock or touches a file: times come in as
// arguments, and output goes to the io.Writer given.

// Event kinds, as written in the event stream and shown in the view.
const (
	KindTLSFailure = "tls-failure"
	KindDeferred   = "deferred"
	KindBounced    = "bounced"
	KindReject     = "reject"
	KindWarning    = "warning"
	KindError      = "error"
	KindFatal      = "fatal"
	KindPanic      = "panic"
)

// unknownDomain is the domain table's row for TLS failures (and attempts)
// with no recipient domain, as in the report's TLS failure table.
const unknownDomain = "(unknown)"

// DefaultLiveWindow is the rolling window when NewLive is given none.
const DefaultLiveWindow = 15 * time.Minute

// LiveModel is one frame of the live view: plain values, rendered by
// RenderLive.
//
// Snapshot fills Now, Window, Domains, Recent, Rejects and Warnings. The
// header fields Source, LinesPerSec, Lines, Events and CatchingUp describe
// the reader, which Live does not know: the caller sets them on the
// snapshot before rendering.
type LiveModel struct {
	Now    time.Time     // the frame's time; times are shown in its location
	Window time.Duration // the rolling window the counts cover

	Source      string  // what is being followed (a path, "-" for stdin)
	LinesPerSec float64 // recent read rate
	Lines       int64   // lines read since the start
	Events      int64   // log events (parsed lines) since the start
	CatchingUp  bool    // still reading the backlog, not yet live

	// Domains are the destination domains with delivery attempts or
	// outbound TLS failures in the window: problems first (most TLS
	// failures, then most deferred, then most bounced), then by attempts,
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
}

// LiveDomain is one destination domain's outcome in the window.
type LiveDomain struct {
	Domain      string
	Attempts    int64 // delivery lines (sent, deferred, bounced, ...)
	Sent        int64
	Deferred    int64 // deferral lines
	Bounced     int64
	TLSFailures int64     // outbound TLS failures
	LastReason  string    // detail of the latest TLS failure, deferral or bounce; "" when none is in the window
	LastSeen    time.Time // latest attempt or TLS failure
}

// LiveEvent is one notable event: a line of the event stream, a row of the
// live view's latest problems.
type LiveEvent struct {
	Time    time.Time
	Kind    string // tls-failure, deferred, bounced, reject, warning, error, fatal, panic
	Domain  string // recipient domain, "" when none
	Host    string // the Postfix host that logged it
	Peer    string // the remote side: relay or server "host[addr]:port", or the client "name[addr]"
	Detail  string // tls-failure "kind: detail"; the reason (masked, see aggregate.ReasonClass); "program: text" for warnings
	TLSKind string // tls-failure only: the failure kind
	DSN     string // deferred and bounced only: the enhanced status code
}

// Events converts a batch into notable events for the non-terminal stream,
// oldest first: deferred and bounced delivery attempts (content-filter hops
// left out), outbound TLS failures, rejects, and warning, error, fatal and
// panic lines. Sent attempts and inbound TLS failures are not events.
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
		if !isReject(r.Action) {
			continue
		}
		evs = append(evs, LiveEvent{Time: r.Time, Kind: KindReject, Domain: aggregate.Domain(r.To),
			Host: r.Host, Peer: r.Client, Detail: cmp.Or(r.ReasonClass, r.Reply)})
	}
	for i := range b.Warnings {
		evs = append(evs, warningEvent(&b.Warnings[i]))
	}
	slices.SortStableFunc(evs, func(a, b LiveEvent) int { return a.Time.Compare(b.Time) })
	return evs
}

func attemptEvent(a *aggregate.Attempt) (LiveEvent, bool) {
	if a.LocalHop {
		return LiveEvent{}, false
	}
	var kind string
	switch a.Status {
	case "deferred":
		kind = KindDeferred
	case "bounced":
		kind = KindBounced
	default:
		return LiveEvent{}, false
	}
	return LiveEvent{Time: a.Time, Kind: kind, Domain: a.Domain, Host: a.Host, Peer: a.Relay,
		Detail: attemptReason(a), DSN: a.DSN}, true
}

func attemptReason(a *aggregate.Attempt) string { return cmp.Or(a.ReasonClass, a.Reason) }

func tlsEvent(f *aggregate.TLSFailure) (LiveEvent, bool) {
	if f.Direction != "to" {
		return LiveEvent{}, false
	}
	return LiveEvent{Time: f.Time, Kind: KindTLSFailure, Domain: f.Domain, Host: f.Host, Peer: f.Peer,
		Detail: tlsDetail(f), TLSKind: f.Kind}, true
}

func tlsDetail(f *aggregate.TLSFailure) string {
	if f.Detail == "" {
		return f.Kind
	}
	return f.Kind + ": " + f.Detail
}

// isReject reports whether a reject fact's action counts as rejected
// (the report's rule: reject and milter-reject, not reject_warning, hold
// or discard).
func isReject(action string) bool { return action == "reject" || action == "milter-reject" }

func warningEvent(w *aggregate.Warning) LiveEvent {
	kind := KindWarning
	switch w.Severity {
	case "error":
		kind = KindError
	case "fatal":
		kind = KindFatal
	case "panic":
		kind = KindPanic
	}
	detail := w.Text
	if w.Program != "" {
		detail = w.Program + ": " + w.Text
	}
	return LiveEvent{Time: w.Time, Kind: kind, Host: w.Host, Detail: detail}
}

// inRecent reports whether an event kind belongs in the view's latest
// problems.
func inRecent(kind string) bool {
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
	return a.row.Deferred + a.row.Bounced + a.row.TLSFailures
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
	for i := range b.Attempts {
		a := &b.Attempts[i]
		if a.LocalHop {
			continue
		}
		f := liveFact{at: a.Time.UnixNano(), domain: cmp.Or(a.Domain, unknownDomain), kind: liveAttempt}
		switch a.Status {
		case "sent":
			f.kind = liveSent
		case "deferred":
			f.kind, f.reason = liveDeferred, attemptReason(a)
		case "bounced":
			f.kind, f.reason = liveBounced, attemptReason(a)
		}
		l.insert(f, a.Time)
	}
	for i := range b.TLS {
		t := &b.TLS[i]
		if t.Direction != "to" {
			continue
		}
		l.insert(liveFact{at: t.Time.UnixNano(), domain: cmp.Or(t.Domain, unknownDomain), reason: tlsDetail(t), kind: liveTLS}, t.Time)
	}
	for i := range b.Rejects {
		if r := &b.Rejects[i]; isReject(r.Action) {
			l.insert(liveFact{at: r.Time.UnixNano(), kind: liveReject}, r.Time)
		}
	}
	for i := range b.Warnings {
		w := &b.Warnings[i]
		l.insert(liveFact{at: w.Time.UnixNano(), kind: liveWarning}, w.Time)
	}
	if l.keep > 0 {
		for _, e := range Events(b) {
			if inRecent(e.Kind) {
				l.remember(e)
			}
		}
	}
}

// insert adds a fact in time order and counts it.
func (l *Live) insert(f liveFact, t time.Time) {
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
			r.Deferred++
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
		r.Deferred--
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

	m := LiveModel{Now: now, Window: l.window, Rejects: l.rejects, Warnings: l.warnings}
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

// compareLiveDomains puts problems first: TLS failures, then deferred,
// then bounced, then the busiest domains, ties by name.
func compareLiveDomains(a, b LiveDomain) int {
	return cmp.Or(
		cmp.Compare(b.TLSFailures, a.TLSFailures),
		cmp.Compare(b.Deferred, a.Deferred),
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

// Event stream.

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
// the DSN, then the detail; an empty domain or peer is "-". Log text goes
// through TerminalSafe. The line is written with one Write; a buffered w
// is the caller's to flush.
func WriteEventText(w io.Writer, e LiveEvent) error {
	var b strings.Builder
	b.WriteString(e.Time.UTC().Format(time.RFC3339))
	for _, f := range []string{e.Kind, e.Domain, e.Peer} {
		b.WriteByte(' ')
		b.WriteString(field(f))
	}
	if e.DSN != "" {
		b.WriteByte(' ')
		b.WriteString(oneLine(e.DSN))
	}
	if e.Detail != "" {
		b.WriteByte(' ')
		b.WriteString(oneLine(e.Detail))
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
}

// WriteEventJSON writes an event as one JSON object on one line, with the
// fields time (RFC 3339, UTC), kind, domain, host, peer and detail, plus
// tls_kind for TLS failures and dsn for deferrals and bounces.
//
// Unlike the report's JSON, the strings go through TerminalSafe (line
// breaks become spaces): the stream is read as it comes, in journalctl or
// tail -f on a terminal, and Postfix itself logs control characters as
// '?', so nothing meaningful is lost.
func WriteEventJSON(w io.Writer, e LiveEvent) error {
	j := liveEventJSON{
		Time:   e.Time.UTC().Format(time.RFC3339Nano),
		Kind:   oneLine(e.Kind),
		Domain: oneLine(e.Domain),
		Host:   oneLine(e.Host),
		Peer:   oneLine(e.Peer),
		Detail: oneLine(e.Detail),
	}
	switch e.Kind {
	case KindTLSFailure:
		k := oneLine(e.TLSKind)
		j.TLSKind = &k
	case KindDeferred, KindBounced:
		d := oneLine(e.DSN)
		j.DSN = &d
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

// Rendering.

// liveCond measures display cells the same way whatever the locale, so
// that golden files do not depend on the environment.
var liveCond = &runewidth.Condition{EastAsianWidth: false, StrictEmojiNeutral: true}

// cells is how many cells r takes. Zero-width runes (combining marks,
// joiners) count as one: that can leave a cell unused, never overflow the
// line, and keeps every line within width runes as well as width cells.
func cells(r rune) int { return max(liveCond.RuneWidth(r), 1) }

func textCells(s string) int {
	n := 0
	for _, r := range s {
		n += cells(r)
	}
	return n
}

// clip cuts s to at most w cells, ending it with "…" when it is cut.
func clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if len(s) <= w && isASCII(s) {
		return s
	}
	if textCells(s) <= w {
		return s
	}
	used := 0
	for i, r := range s {
		if used+cells(r) > w-1 {
			return s[:i] + "…"
		}
		used += cells(r)
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// pad clips s to w cells and fills it with spaces to w cells, on the left
// when right is set.
func pad(s string, w int, right bool) string {
	s = clip(s, w)
	fill := strings.Repeat(" ", max(w-textCells(s), 0))
	if right {
		return fill + s
	}
	return s + fill
}

// liveCol is a column of a live table. Cells are already TerminalSafe.
type liveCol struct {
	head   string
	cells  []string
	right  bool // right-aligned (numbers)
	keep   int  // when the width is short, lower keep is dropped first
	shrink int  // > 0: may shrink to this many cells; 0: fixed at its natural width
	soft   int  // a shrinkable column gets up to this many cells before the rest column grows
	max    int  // > 0: natural width capped at this
	rest   bool // the last column: takes what is left, at least shrink cells
}

// fitColumns decides each column's width (0: dropped) for a line of at
// most width cells with gap spaces between columns.
func fitColumns(cols []liveCol, width, gap int) []int {
	nat := make([]int, len(cols))
	low := make([]int, len(cols))
	for i, c := range cols {
		nat[i] = textCells(c.head)
		for _, s := range c.cells {
			nat[i] = max(nat[i], textCells(s))
		}
		if c.max > 0 && !c.rest {
			nat[i] = min(nat[i], max(c.max, textCells(c.head)))
		}
		low[i] = nat[i]
		if c.shrink > 0 {
			low[i] = min(c.shrink, nat[i])
		}
	}
	shown := make([]bool, len(cols))
	count := len(cols)
	for i := range shown {
		shown[i] = true
	}
	need := func() int {
		n := gap * (count - 1)
		for i := range cols {
			if shown[i] {
				n += low[i]
			}
		}
		return n
	}
	for count > 1 && need() > width {
		drop := -1
		for i, c := range cols {
			if shown[i] && (drop < 0 || c.keep < cols[drop].keep) {
				drop = i
			}
		}
		shown[drop] = false
		count--
	}
	widths := make([]int, len(cols))
	for i := range cols {
		if shown[i] {
			widths[i] = low[i]
		}
	}
	if count == 1 {
		for i := range cols {
			if shown[i] {
				widths[i] = min(nat[i], width)
			}
		}
		return widths
	}
	// The spare cells go to shrunk columns up to their soft width (the
	// ones kept longest first), then to the rest column, then to the
	// shrunk columns again up to their natural width.
	extra := width - need()
	order := make([]int, 0, len(cols))
	for i, c := range cols {
		if shown[i] && !c.rest && widths[i] < nat[i] {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cols[b].keep, cols[a].keep) })
	grow := func(i, to int) {
		add := max(min(extra, to-widths[i]), 0)
		widths[i] += add
		extra -= add
	}
	for _, i := range order {
		grow(i, min(nat[i], cols[i].soft))
	}
	for i, c := range cols {
		if shown[i] && c.rest {
			grow(i, nat[i])
		}
	}
	for _, i := range order {
		grow(i, nat[i])
	}
	return widths
}

// tableLines lays out rows (and the header line first when header is
// set) with the widths from fitColumns.
func tableLines(cols []liveCol, widths []int, gap int, header bool, rows int) []string {
	var lines []string
	line := func(cell func(c liveCol) string) string {
		var b strings.Builder
		first := true
		for i, c := range cols {
			if widths[i] == 0 {
				continue
			}
			if !first {
				b.WriteString(strings.Repeat(" ", gap))
			}
			first = false
			b.WriteString(pad(cell(c), widths[i], c.right))
		}
		return strings.TrimRight(b.String(), " ")
	}
	if header {
		lines = append(lines, line(func(c liveCol) string { return c.head }))
	}
	for r := 0; r < rows; r++ {
		lines = append(lines, line(func(c liveCol) string { return c.cells[r] }))
	}
	return lines
}

// RenderLive draws the live view to fit width x height cells: at most
// height lines, none wider than width cells (or runes), with no ANSI
// codes: the caller adds cursor control. Lines are separated by '\n' and
// the last has none, so that a full screen does not scroll; the frame is
// written with one Write.
//
// From the top: the header (source, time, read rate, lines, events), the
// window's totals, the per-domain table (problems first), then the latest
// problems. The latest problems take up to a third of the rows, more when
// the domain table needs fewer; the domain table takes the rest, and says
// how many domains it could not show. Columns narrow, then drop (least
// telling first), to fit the width; cells cut short end in "…". Every
// log-derived string goes through TerminalSafe.
func RenderLive(w io.Writer, m LiveModel, width, height int) error {
	if width <= 0 || height <= 0 {
		return nil
	}
	lines := liveLines(m, width, height)
	for i := range lines {
		lines[i] = clip(lines[i], width) // a guard: every line is laid out to fit
	}
	if len(lines) > height {
		lines = lines[:height]
	}
	_, err := io.WriteString(w, strings.Join(lines, "\n"))
	return err
}

func liveLines(m LiveModel, width, height int) []string {
	loc := m.Now.Location()
	lines := []string{clip(liveTitle(m, width), width)}
	if height >= 2 {
		lines = append(lines, clip(liveStats(m), width))
	}
	spaced := height >= 14 // room for blank lines between sections
	if spaced {
		lines = append(lines, "")
	}
	room := height - len(lines)
	if room <= 0 {
		return lines[:min(len(lines), height)]
	}
	lines = append(lines, clip(liveTotals(m), width))
	room--
	if room < 2 { // no room for the table header and a row
		return lines
	}

	// Rows below the domain table's header: domain rows, then the
	// latest problems' title (after a blank line) and rows.
	body := room - 1
	recentHead := 1
	if spaced {
		recentHead = 2
	}
	minRecent := 0
	if len(m.Recent) > 0 {
		minRecent = 1
	}
	domRows, recentRows, showRecent := body, 0, false
	if body-recentHead >= 1+minRecent {
		showRecent = true
		left := body - recentHead
		recentRows = min(len(m.Recent), max(minRecent, left/3))
		domRows = left - recentRows
		if need := max(len(m.Domains), 1); need < domRows {
			recentRows = min(len(m.Recent), recentRows+domRows-need)
			domRows = need
		}
	}

	lines = append(lines, liveDomainTable(m, loc, width, domRows)...)
	if showRecent {
		if spaced {
			lines = append(lines, "")
		}
		lines = append(lines, liveRecent(m, loc, width, recentRows)...)
	}
	return lines
}

func liveTitle(m LiveModel, width int) string {
	left := "pftls tail"
	if m.Source != "" {
		left += "  " + oneLine(m.Source)
	}
	right := m.Now.Format("2006-01-02 15:04:05 MST")
	if m.Now.IsZero() {
		right = ""
	}
	room := width - textCells(right) - 2
	if right == "" || room < 12 {
		return strings.TrimSpace(left + "  " + right)
	}
	left = clip(left, room)
	return left + strings.Repeat(" ", width-textCells(left)-textCells(right)) + right
}

func liveStats(m LiveModel) string {
	rate := strconv.FormatFloat(m.LinesPerSec, 'f', 0, 64)
	if m.LinesPerSec < 10 {
		rate = strconv.FormatFloat(m.LinesPerSec, 'f', 1, 64)
	}
	s := fmt.Sprintf("%s lines/s  %d lines read  %d events", rate, m.Lines, m.Events)
	if m.CatchingUp {
		s += "  catching up"
	}
	return s
}

func liveTotals(m LiveModel) string {
	var t LiveDomain
	for _, d := range m.Domains {
		t.Attempts += d.Attempts
		t.Sent += d.Sent
		t.Deferred += d.Deferred
		t.Bounced += d.Bounced
		t.TLSFailures += d.TLSFailures
	}
	// Problems first, so that a narrow terminal cuts the least telling.
	return fmt.Sprintf("Last %s: %d TLS failures, %d deferred, %d bounced, %d attempts, %d sent; %d rejects, %d warnings",
		shortDuration(m.Window), t.TLSFailures, t.Deferred, t.Bounced, t.Attempts, t.Sent, m.Rejects, m.Warnings)
}

// shortDuration writes 15m rather than 15m0s.
func shortDuration(d time.Duration) string {
	switch {
	case d > 0 && d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d > 0 && d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	}
	return d.String()
}

// clock shows a time of the last day as 15:04:05, an older one with its
// date.
func clock(t, now time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if d := now.Sub(t); d < 24*time.Hour && d > -24*time.Hour {
		return t.In(loc).Format("15:04:05")
	}
	return t.In(loc).Format("01-02 15:04")
}

// liveDomainTable is the header line and rows lines of the domain table
// (the last says how many domains did not fit).
func liveDomainTable(m LiveModel, loc *time.Location, width, rows int) []string {
	if len(m.Domains) == 0 {
		return []string{clip("No deliveries in the last "+shortDuration(m.Window)+".", width)}
	}
	shown := len(m.Domains)
	more := 0
	if shown > rows {
		shown = max(rows-1, 0)
		more = len(m.Domains) - shown
	}
	n := len(m.Domains[:shown])
	num := func(f func(d LiveDomain) int64) []string {
		c := make([]string, n)
		for i, d := range m.Domains[:shown] {
			c[i] = strconv.FormatInt(f(d), 10)
		}
		return c
	}
	domains := make([]string, n)
	reasons := make([]string, n)
	seen := make([]string, n)
	for i, d := range m.Domains[:shown] {
		domains[i] = oneLine(d.Domain)
		reasons[i] = oneLine(d.LastReason)
		seen[i] = clock(d.LastSeen, m.Now, loc)
	}
	attempts := num(func(d LiveDomain) int64 { return d.Attempts })
	sent := num(func(d LiveDomain) int64 { return d.Sent })
	deferred := num(func(d LiveDomain) int64 { return d.Deferred })
	bounced := num(func(d LiveDomain) int64 { return d.Bounced })
	tls := num(func(d LiveDomain) int64 { return d.TLSFailures })
	table := func(long bool) ([]liveCol, int) {
		h := func(l, s string) string {
			if long {
				return l
			}
			return s
		}
		gap := 1
		if long {
			gap = 2
		}
		return []liveCol{
			{head: "DOMAIN", cells: domains, keep: 100, shrink: 10, soft: 28, max: 48},
			{head: h("ATTEMPTS", "ATT"), cells: attempts, right: true, keep: 60},
			{head: "SENT", cells: sent, right: true, keep: 40},
			{head: h("DEFERRED", "DEF"), cells: deferred, right: true, keep: 80},
			{head: h("BOUNCED", "BNC"), cells: bounced, right: true, keep: 70},
			{head: h("TLS FAIL", "TLS"), cells: tls, right: true, keep: 90},
			{head: h("LAST SEEN", "SEEN"), cells: seen, keep: 30},
			{head: h("LAST REASON", "REASON"), cells: reasons, keep: 50, shrink: 20, rest: true},
		}, gap
	}
	// Long headers when they leave the domain and the reason room enough;
	// otherwise short ones.
	cols, gap := table(true)
	widths := fitColumns(cols, width, gap)
	if !roomy(cols, widths) {
		cols, gap = table(false)
		widths = fitColumns(cols, width, gap)
	}
	lines := tableLines(cols, widths, gap, true, n)
	if more > 0 {
		lines = append(lines, clip(fmt.Sprintf("… %d more domains", more), width))
	}
	return lines
}

// roomy reports whether no column was dropped and the shrinkable ones got
// their soft width (the rest column 30 cells), or all they need.
func roomy(cols []liveCol, widths []int) bool {
	for i, c := range cols {
		if widths[i] == 0 {
			return false
		}
		if c.shrink > 0 {
			nat := 0
			for _, s := range c.cells {
				nat = max(nat, textCells(s))
			}
			enough := c.soft
			if c.rest {
				enough = 30
			}
			if widths[i] < min(nat, enough) {
				return false
			}
		}
	}
	return true
}

// liveRecent is the latest problems' title line and rows lines.
func liveRecent(m LiveModel, loc *time.Location, width, rows int) []string {
	if len(m.Recent) == 0 {
		return []string{clip("Latest problems: none yet", width)}
	}
	evs := m.Recent[:min(rows, len(m.Recent))]
	n := len(evs)
	times := make([]string, n)
	kinds := make([]string, n)
	domains := make([]string, n)
	peers := make([]string, n)
	details := make([]string, n)
	for i, e := range evs {
		times[i] = clock(e.Time, m.Now, loc)
		kinds[i] = oneLine(e.Kind)
		domains[i] = field(e.Domain)
		peers[i] = field(e.Peer)
		details[i] = oneLine(e.Detail) // the DSN is mostly in the reply, and room is short
	}
	cols := []liveCol{
		{cells: times, keep: 100},
		{cells: kinds, keep: 95},
		{cells: domains, keep: 80, shrink: 10, soft: 22, max: 32},
		{cells: peers, keep: 50, shrink: 10, soft: 16, max: 48},
		{cells: details, keep: 90, shrink: 24, rest: true},
	}
	widths := fitColumns(cols, width, 1)
	lines := []string{clip("Latest problems, newest first", width)}
	return append(lines, tableLines(cols, widths, 1, false, n)...)
}

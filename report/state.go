package report

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// This file is the one place that decides what a report's window amounts
// to: its problems, its state, and the sentence that says so. The mail
// subject, the state line at the top of every rendering, --only-problems
// and --fail-on all ask here.

// Problem is a kind of trouble a window can show; --fail-on names them.
type Problem string

// The problems, in the order a summary lists them.
const (
	ProblemTLS        Problem = "tls"        // outbound TLS failures
	ProblemDeferred   Problem = "deferred"   // messages deferred
	ProblemBounced    Problem = "bounced"    // recipients bounced
	ProblemFatal      Problem = "fatal"      // fatal: or panic: lines
	ProblemUnreadable Problem = "unreadable" // lines pftls did not understand or could not read, facts pruned
	ProblemEmpty      Problem = "empty"      // no Postfix lines at all; under --domain, no fact of the domain
)

// Problems are the problems Model.Problems knows, in order.
var Problems = []Problem{ProblemTLS, ProblemDeferred, ProblemBounced, ProblemFatal, ProblemUnreadable, ProblemEmpty}

// State is what a window amounts to.
type State string

// The states of a window.
const (
	// StateClear: Postfix lines were read, all of them understood, and
	// none shows a problem. The only state that is "all clear".
	StateClear State = "clear"
	// StateProblems: at least one Problem other than an empty window.
	StateProblems State = "problems"
	// StateEmpty: no Postfix line at all, and nothing else wrong: a quiet
	// server, or logging that does not work; under --domain, no delivery
	// to the domain (or a misspelt name).
	StateEmpty State = "empty"
	// StateIncomplete: no problem in what is left, but pftls prune
	// deleted facts of the window (Model.Incomplete): not "all clear", and
	// --fail-on unreadable fires.
	StateIncomplete State = "incomplete"
)

// Has reports whether the window shows problem p.
func (m *Model) Has(p Problem) bool {
	switch p {
	case ProblemTLS:
		return m.Totals.TLSFailures > 0
	case ProblemDeferred:
		return m.Totals.Deferred > 0
	case ProblemBounced:
		return m.Totals.Bounced > 0
	case ProblemFatal:
		return m.Totals.Fatal > 0
	case ProblemUnreadable:
		// Lines not understood, or not read: missing from a log rotated
		// away (Model.Gaps), or the facts of the window pftls prune
		// deleted (Model.Incomplete): --fail-on exits 0 only on what it
		// could read whole.
		return m.unread() || m.Incomplete != nil
	case ProblemEmpty:
		return m.Lines.Postfix == 0 || m.noDomainFacts()
	}
	return false
}

// Problems lists the problems the window shows, in the order of Problems.
func (m *Model) Problems() []Problem {
	var out []Problem
	for _, p := range Problems {
		if m.Has(p) {
			out = append(out, p)
		}
	}
	return out
}

// State decides the window's state from its problems. Facts pftls prune
// deleted make a window unreadable for --fail-on, but its state says them
// apart: incomplete when nothing else is wrong.
func (m *Model) State() State {
	ps := m.Problems()
	if m.Incomplete != nil && !m.unread() {
		ps = slices.DeleteFunc(ps, func(p Problem) bool { return p == ProblemUnreadable }) // the prune's alone
	}
	switch {
	case len(ps) == 0 && m.Incomplete != nil:
		return StateIncomplete
	case len(ps) == 0:
		return StateClear
	case len(ps) == 1 && ps[0] == ProblemEmpty:
		return StateEmpty
	}
	return StateProblems
}

// NotUnderstood is how many lines pftls did not understand: in the
// window, or in the files read for the report, whichever is more (a
// file's malformed lines may carry no time inside the window).
func (m *Model) NotUnderstood() int64 {
	var files int64
	for _, in := range m.Inputs {
		files += in.NotUnderstood
	}
	return max(m.Lines.NotUnderstood, files)
}

// unread says whether lines of the window were not understood or not read
// (misread, Model.Gaps): what makes it unreadable but for pruned facts.
func (m *Model) unread() bool { return m.misread() || len(m.Gaps) > 0 }

// misread says whether pftls did not understand lines it read, or read
// a file that is not a Postfix log it can read.
func (m *Model) misread() bool { return m.NotUnderstood() > 0 || m.UnreadableInputs() > 0 }

// UnreadableInputs counts the files read that are not Postfix logs pftls
// can read.
func (m *Model) UnreadableInputs() int {
	n := 0
	for _, in := range m.Inputs {
		if in.Unreadable {
			n++
		}
	}
	return n
}

// Summary is the window's state in a few words: "3 domains failing TLS,
// 41 deferred, 1 fatal error, 12 lines not understood", "all clear" (or,
// over pruned facts, "no problems in the facts kept ..."), or "no Postfix
// log lines from ... to ...: is logging working?". Lines missing come
// first: every count after them may be short.
func (m *Model) Summary(zone *time.Location) string {
	if zone == nil {
		zone = m.zone()
	}
	var parts []string
	for i := range m.Gaps {
		parts = append(parts, m.Gaps[i].missing(zone))
	}
	t := m.Totals
	if m.Has(ProblemTLS) {
		parts = append(parts, plural(max(t.TLSFailedDomains, 1), "domain", "domains")+" failing TLS")
	}
	if m.Has(ProblemDeferred) {
		parts = append(parts, fmt.Sprintf("%d deferred", t.Deferred))
	}
	if m.Has(ProblemBounced) {
		parts = append(parts, fmt.Sprintf("%d bounced", t.Bounced))
	}
	if t.Expired > 0 {
		parts = append(parts, fmt.Sprintf("%d expired", t.Expired))
	}
	if m.Has(ProblemFatal) {
		parts = append(parts, plural(t.Fatal, "fatal error", "fatal errors"))
	}
	if m.misread() {
		parts = append(parts, plural(m.NotUnderstood(), "line", "lines")+" not understood")
	}
	in := m.Incomplete
	switch {
	case m.Has(ProblemEmpty) && in != nil && !in.CountsBefore.IsZero():
		// The counts of the lines went with the prune: not a logging fault.
		parts = append(parts, "no Postfix log lines"+m.windowWords(zone)+": pruned (the counts before "+minute(in.CountsBefore, zone)+" are gone)")
	default:
		if empty, ask := m.emptyWords(zone); empty != "" {
			parts = append(parts, empty+": "+ask)
		}
	}
	switch {
	case in != nil && len(parts) == 0:
		// Not "all clear": the pruned facts could hold what is not found.
		return "no problems in the facts kept (those before " + minute(in.FactsBefore, zone) + " were pruned)"
	case in != nil:
		parts = append(parts, "more may be in the facts pruned before "+minute(in.FactsBefore, zone))
	case len(parts) == 0:
		return "all clear"
	}
	return strings.Join(parts, ", ")
}

// InputWarnings are what the window says of its own input, in a few
// words each: lines missing from a log rotated away, lines not
// understood, an empty window, pruned facts, hosts whose log says nothing
// of TLS. The formats with a header say them
// there; CSV, whose rows have no place for them, has them said beside.
func (m *Model) InputWarnings(zone *time.Location) []string {
	if zone == nil {
		zone = m.zone()
	}
	var out []string
	for i := range m.Gaps {
		out = append(out, m.Gaps[i].missing(zone))
	}
	if n := m.NotUnderstood(); n > 0 {
		out = append(out, plural(n, "line", "lines")+" not understood (--section input)")
	}
	if empty, _ := m.emptyWords(zone); empty != "" {
		out = append(out, empty)
	}
	if in := m.Incomplete; in != nil {
		out = append(out, "the facts before "+minute(in.FactsBefore, zone)+" were pruned: the counts miss them")
	}
	if hosts := m.TLS.Outbound.NotLoggedHosts; len(hosts) > 0 {
		out = append(out, "TLS not logged by "+strings.Join(hosts, ", ")+" (smtp_tls_loglevel = 0)")
	}
	return out
}

// emptyWords say that the window is empty (ProblemEmpty, "" when not),
// and ask what to check.
func (m *Model) emptyWords(zone *time.Location) (empty, ask string) {
	switch {
	case m.Lines.Postfix == 0:
		return "no Postfix log lines" + m.windowWords(zone), "is logging working?"
	case m.noDomainFacts():
		return "no delivery to " + m.Filter.Domain + m.windowWords(zone), "is the domain name right?"
	}
	return "", ""
}

// noDomainFacts reports whether a report of one domain (--domain,
// explain) found no delivery attempt and no failed TLS session of it.
func (m *Model) noDomainFacts() bool { return m.Filter != nil && m.Filter.Facts == 0 }

// windowWords is " from 2026-03-07 06:15 to 2026-03-08 06:15", or "" for
// an unbounded window.
func (m *Model) windowWords(zone *time.Location) string {
	if m.Window.From.IsZero() || m.Window.To.IsZero() {
		return ""
	}
	if zone == nil {
		zone = m.zone()
	}
	from, to := windowEnds(m.Window.From, m.Window.To, zone, "2006-01-02 15:04")
	return " from " + from + " to " + to
}

// windowEnds writes the ends of a window in zone with layout, with the
// zone's name after each when the two (both set) are on either side of a
// change of summer time: a window of the hour clocks go back over would
// read "02:00 to 02:00".
func windowEnds(from, to time.Time, zone *time.Location, layout string) (string, string) {
	from, to = from.In(zone), to.In(zone)
	if !from.IsZero() && !to.IsZero() {
		_, a := from.Zone()
		_, b := to.Zone()
		if a != b {
			layout += " MST"
		}
	}
	return from.Format(layout), to.Format(layout)
}

// minute is t to the minute in zone, as the state's words show times.
func minute(t time.Time, zone *time.Location) string { return t.In(zone).Format("2006-01-02 15:04") }

// zone is the window's zone as the model names it (UTC when unknown).
func (m *Model) zone() *time.Location {
	switch m.Window.Zone {
	case "Local":
		return time.Local
	case "":
		return time.UTC
	}
	if loc, err := time.LoadLocation(m.Window.Zone); err == nil {
		return loc
	}
	return time.UTC
}

// AddInput records a file read for the report when pftls did not
// understand some of its lines: what, in which format, an example.
func (m *Model) AddInput(path string, c *aggregate.Coverage) {
	if c.NotUnderstood() == 0 && !c.Unreadable() {
		return
	}
	row := InputRow{
		Path: path, Lines: c.Lines, Postfix: c.Postfix, NotUnderstood: c.NotUnderstood(), Foreign: c.Foreign,
		Bare: c.Bare, Format: c.Guess(), Formats: map[string]int64{}, Examples: append([]string{}, c.Examples...),
		Unreadable: c.Unreadable(),
	}
	if len(row.Examples) == 0 && c.Unreadable() && c.First != "" {
		row.Examples = []string{c.First}
	}
	for _, f := range c.Formats {
		row.Formats[string(f.Format)] = f.Lines
	}
	m.Inputs = append(m.Inputs, row)
}

// Alerts are what must be read before anything else in a report: the
// logs pftls could not read to their end (Gaps), then the input it did
// not understand, file by file, with an example. None when everything was
// read and understood. Raw text: each renderer escapes it.
func (m *Model) Alerts() []string {
	var out []string
	for _, g := range m.Gaps {
		out = append(out, g.Words(m.zone())+" This report may be incomplete.")
	}
	if !m.misread() {
		return out
	}
	out = append(out, fmt.Sprintf("%s of %d not understood: this report may be incomplete.",
		plural(m.NotUnderstood(), "line", "lines"), max(m.Lines.Read, m.inputLines())))
	for _, in := range m.Inputs {
		if in.NotUnderstood == 0 && !in.Unreadable {
			continue
		}
		s := fmt.Sprintf("%s: %d of %d lines not understood (%s)", in.Path, in.NotUnderstood, in.Lines, in.formatWords())
		if len(in.Examples) > 0 {
			s += fmt.Sprintf(`; first: "%s"`, in.Examples[0])
		}
		out = append(out, s)
	}
	if len(m.Inputs) == 0 && len(m.Unparsed) > 0 {
		u := m.Unparsed[0]
		out = append(out, fmt.Sprintf(`first: "%s: %s" (%s)`, u.Program, u.Text, u.Host))
	}
	return out
}

func (m *Model) inputLines() int64 {
	var n int64
	for _, in := range m.Inputs {
		n += in.Lines
	}
	return n
}

// formatWords says which format pftls took the file to be in.
func (in *InputRow) formatWords() string {
	switch {
	case in.looksBare():
		return "Postfix messages without time or host, as journalctl -o cat writes: use journalctl -o json or -o short-iso"
	case in.Format != "":
		return "format guessed: " + string(in.Format)
	}
	return "no syslog envelope"
}

// formatName is the format column of the input table.
func (in *InputRow) formatName() string {
	switch {
	case in.looksBare():
		return "journalctl -o cat (no time, no host)"
	case in.Format != "":
		return string(in.Format)
	}
	return "none"
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// looksBare reports whether most lines of the input not understood are
// Postfix messages without an envelope (journalctl -o cat).
func (in *InputRow) looksBare() bool { return in.Bare > 0 && in.Bare*2 >= in.NotUnderstood }

// GapRowOf is the report's row of a log rotated away.
func GapRowOf(g aggregate.Gap) GapRow {
	return GapRow{Path: g.Path, Lines: g.Lines, Offset: g.Offset, After: g.LastLine, LastRead: g.LastRead, Found: g.Found, Unread: g.Unread()}
}

// missing is the gap in a few words, for a state line or a warning.
func (g *GapRow) missing(zone *time.Location) string {
	if g.Unread {
		return "lines missing from " + g.Path + " after " + minute(g.after(), zone) + " (a file there could not be read and was rotated away)"
	}
	return "lines missing from " + g.Path + " after " + minute(g.after(), zone) + " (its rotated copy was gone)"
}

// after is the time after which its lines are missing (aggregate.Gap.After).
func (g *GapRow) after() time.Time {
	return aggregate.Gap{LastLine: g.After, LastRead: g.LastRead}.After()
}

// Words say which lines of the log are missing, and why, in a sentence
// (times in zone): the report's alert, and ingest's error.
//
//	mail.log: the lines written to it after 2026-11-23 00:21:48 until it was rotated are missing: ...
func (g *GapRow) Words(zone *time.Location) string {
	if g.Unread {
		return fmt.Sprintf("%s: the lines written after %s to a file at that path are missing: pftls tail could not open it "+
			"(its owner or mode), and at %s it had been rotated away unread, to no rotated copy beside %s that can be read; "+
			"if that file still exists, make it readable and pftls ingest it: that clears this warning.", g.Path, stamp(g.after(), zone), stamp(g.Found, zone), g.Path)
	}
	read := fmt.Sprintf("%s read, to byte %d", plural(g.Lines, "line", "lines"), g.Offset)
	after := stamp(g.After, zone) + " (the last of its " + read + ")"
	if g.After.IsZero() {
		after = "pftls last read it, at " + stamp(g.LastRead, zone) + " (" + read + ")"
	}
	return fmt.Sprintf("%s: the lines written to it after %s until it was rotated are missing: "+
		"when pftls read %s at %s, none of its rotated copies beside it was the log read before (deleted, or moved elsewhere); "+
		"if that copy still exists, pftls ingest it to fill the gap.", g.Path, after, g.Path, stamp(g.Found, zone))
}

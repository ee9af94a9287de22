package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// This file is the screen of "pftls tail"'s live view: RenderLive draws
// one frame (a LiveModel) as the header, the window's totals, the
// per-domain table and the latest problems, laid out with layout.go to
// fit the terminal. It writes no ANSI codes: the caller adds cursor
// control.

// RenderLive draws the live view to fit width x height cells: at most
// height lines, none wider than width cells (or runes), with no ANSI
// codes: the caller adds cursor control. Lines are separated by '\n' and
// the last has none, so that a full screen does not scroll; the frame is
// written with one Write.
//
// From the top: the header (source, time, read rate, lines, events, and
// first of all, in red, why the log cannot be read when it cannot), the
// window's totals, the per-domain table (problems first), then the latest
// problems. The latest problems take up to a third of the rows, more when
// the domain table needs fewer; the domain table takes the rest, and says
// how many domains it could not show. Columns narrow, then drop (least
// telling first), to fit the width; cells cut short end in "…". Every
// log-derived string goes through TerminalSafe.
func RenderLive(w io.Writer, m LiveModel, width, height int) error {
	return RenderLiveStyled(w, m, width, height, LiveStyle{})
}

// RenderLiveStyled is RenderLive with a style: with st.Color, lines are
// wrapped in ANSI colours (problems red, warnings yellow, the title bold,
// the stats and table headers dim) after they are laid out, so the text
// and its layout are RenderLive's, byte for byte, once the codes are
// taken out.
func RenderLiveStyled(w io.Writer, m LiveModel, width, height int, st LiveStyle) error {
	if width <= 0 || height <= 0 {
		return nil
	}
	lines := liveLines(m.arranged(), width, height)
	if len(lines) > height {
		lines = lines[:height]
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = clip(l.s, width) // a guard: every line is laid out to fit
		if st.Color {
			out[i] = paint(out[i], l.t)
		}
	}
	_, err := io.WriteString(w, strings.Join(out, "\n"))
	return err
}

func liveLines(m LiveModel, width, height int) []liveLine {
	loc := m.Now.Location()
	lines := []liveLine{{clip(liveTitle(m, width), width), toneBold}}
	if height >= 2 {
		stats := liveLine{clip(liveStats(m), width), toneDim}
		if m.Unreadable != "" || m.Missed != "" {
			stats.t = toneRed
		}
		lines = append(lines, stats)
	}
	spaced := height >= 14 // room for blank lines between sections
	if spaced {
		lines = append(lines, liveLine{})
	}
	room := height - len(lines)
	if room <= 0 {
		return lines[:min(len(lines), height)]
	}
	if m.View.Help {
		for _, k := range liveKeys[:min(len(liveKeys), room)] {
			lines = append(lines, liveLine{clip(k, width), tonePlain})
		}
		return lines
	}
	lines = append(lines, liveLine{clip(liveTotals(m), width), totalsTone(m)})
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
			lines = append(lines, liveLine{})
		}
		lines = append(lines, liveRecent(m, loc, width, recentRows)...)
	}
	return lines
}

// totalsTone is red when the window has problems, yellow when it has
// only warnings.
func totalsTone(m LiveModel) tone {
	for _, d := range m.Domains {
		if t := domainTone(d); t != tonePlain {
			return t
		}
	}
	if m.Warnings > 0 {
		return toneYellow
	}
	return tonePlain
}

func liveTitle(m LiveModel, width int) string {
	left := "pftls tail"
	if m.View.Paused {
		left += "  PAUSED"
	}
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
	if m.NotUnderstood > 0 {
		// First, so that a narrow screen does not clip it away.
		s = plural(m.NotUnderstood, "line", "lines") + " not understood  " + s
	}
	if m.CatchingUp {
		s += "  catching up"
	}
	// What the person chose comes first: they look for it.
	var v []string
	switch {
	case m.View.Typing:
		v = append(v, "filter: "+oneLine(m.View.Input)+"_  (Enter applies, Esc clears)")
	case m.View.Filter != "":
		v = append(v, "filter: "+oneLine(m.View.Filter))
	}
	if m.View.Sort != SortProblems {
		v = append(v, "sort: "+m.View.Sort.String())
	}
	if len(v) > 0 {
		s = strings.Join(v, "  ") + "  " + s
	}
	if m.Missed != "" {
		s = "LINES MISSING: " + oneLine(m.Missed) + "  " + s
	}
	if m.Unreadable != "" {
		// Before all: nothing else on the screen moves while it lasts.
		s = "CANNOT READ THE LOG: " + oneLine(m.Unreadable) + "  " + s
	}
	return s
}

func liveTotals(m LiveModel) string {
	var t LiveDomain
	for _, d := range m.Domains {
		t.Attempts += d.Attempts
		t.Sent += d.Sent
		t.Deferrals += d.Deferrals
		t.Bounced += d.Bounced
		t.TLSFailures += d.TLSFailures
	}
	// Problems first, so that a narrow terminal cuts the least telling.
	// "deferred" here and the DEFERRED column count deferral lines
	// (LiveDomain.Deferrals); the words on screen are kept as they were.
	return fmt.Sprintf("Last %s: %d TLS failures, %d deferred, %d bounced, %d attempts, %d sent; %d rejects, %d warnings",
		shortDuration(m.Window), t.TLSFailures, t.Deferrals, t.Bounced, t.Attempts, t.Sent, m.Rejects, m.Warnings)
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
func liveDomainTable(m LiveModel, loc *time.Location, width, rows int) []liveLine {
	if len(m.Domains) == 0 {
		if m.View.Filter != "" {
			return []liveLine{{clip("No deliveries to domains matching \""+oneLine(m.View.Filter)+"\" in the last "+shortDuration(m.Window)+".", width), tonePlain}}
		}
		return []liveLine{{clip("No deliveries in the last "+shortDuration(m.Window)+".", width), tonePlain}}
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
	deferred := num(func(d LiveDomain) int64 { return d.Deferrals })
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
	rows0 := tableLines(cols, widths, gap, true, n)
	lines := []liveLine{{rows0[0], toneDim}}
	for i, r := range rows0[1:] {
		lines = append(lines, liveLine{r, domainTone(m.Domains[i])})
	}
	if more > 0 {
		lines = append(lines, liveLine{clip(fmt.Sprintf("… %d more domains", more), width), tonePlain})
	}
	return lines
}

// liveRecent is the latest problems' title line and rows lines.
func liveRecent(m LiveModel, loc *time.Location, width, rows int) []liveLine {
	if len(m.Recent) == 0 {
		return []liveLine{{clip("Latest problems: none yet", width), tonePlain}}
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
		kinds[i] = oneLine(string(e.Kind))
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
	lines := []liveLine{{clip("Latest problems, newest first", width), toneDim}}
	for i, r := range tableLines(cols, widths, 1, false, n) {
		lines = append(lines, liveLine{r, eventTone(evs[i].Kind)})
	}
	return lines
}

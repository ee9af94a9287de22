package report

import (
	"cmp"
	"slices"
	"strings"
)

// This file is what the person at the terminal chose for the live view
// (LiveView: sort, domain filter, pause, help) and how a frame is
// coloured (LiveStyle). Key handling itself, which turns key presses into
// a LiveView, is the command's (cmd/pftls/keys.go).

// LiveSort is the order of the live view's domain table.
type LiveSort int

const (
	SortProblems LiveSort = iota // most TLS failures, deferrals, bounces first (the default)
	SortAttempts                 // busiest first
	SortName                     // by domain name
	SortLastSeen                 // latest first
	liveSorts                    // how many there are
)

// String is the sort's name, as the view shows it.
func (s LiveSort) String() string {
	switch s {
	case SortAttempts:
		return "attempts"
	case SortName:
		return "name"
	case SortLastSeen:
		return "last seen"
	}
	return "problems"
}

// Next is the sort after s, back to SortProblems after the last.
func (s LiveSort) Next() LiveSort { return (s + 1) % liveSorts }

// LiveView is what the person watching chose. Its zero value is the view
// as it always was: problems first, no filter, running.
type LiveView struct {
	Sort   LiveSort
	Filter string // domains containing it (case-insensitive) are shown; "" all
	Typing bool   // a filter is being typed: Input holds it
	Input  string
	Paused bool // the screen is not redrawn with new facts (they are still counted)
	Help   bool // the keys are shown instead of the tables
}

// arranged applies the view's filter and sort to the model's domains and
// latest problems.
func (m LiveModel) arranged() LiveModel {
	v := m.View
	if v.Filter != "" {
		f := strings.ToLower(v.Filter)
		keep := func(d string) bool { return strings.Contains(strings.ToLower(d), f) }
		var ds []LiveDomain
		for _, d := range m.Domains {
			if keep(d.Domain) {
				ds = append(ds, d)
			}
		}
		var rs []LiveEvent
		for _, e := range m.Recent {
			if keep(e.Domain) {
				rs = append(rs, e)
			}
		}
		m.Domains, m.Recent = ds, rs
	}
	if v.Sort != SortProblems {
		m.Domains = slices.Clone(m.Domains)
		slices.SortStableFunc(m.Domains, func(a, b LiveDomain) int {
			switch v.Sort {
			case SortAttempts:
				return cmp.Or(cmp.Compare(b.Attempts, a.Attempts), strings.Compare(a.Domain, b.Domain))
			case SortName:
				return strings.Compare(a.Domain, b.Domain)
			case SortLastSeen:
				return cmp.Or(b.LastSeen.Compare(a.LastSeen), strings.Compare(a.Domain, b.Domain))
			}
			return 0
		})
	}
	return m
}

// liveKeys is the help screen's text.
var liveKeys = []string{
	"Keys",
	"",
	"  s       sort the domains: problems, attempts, name, last seen",
	"  /       filter the domains: type part of a name, Enter to apply, Esc to clear",
	"  p       pause the screen (facts are still counted); p again to go on",
	"  ?       this help; any key closes it",
	"  Ctrl-Z  suspend (fg to come back)",
	"  q       quit (also Ctrl-C, Ctrl-D)",
}

// LiveStyle says how RenderLiveStyled colours a frame.
type LiveStyle struct {
	// Color adds ANSI colours: problems red, warnings yellow, the title
	// bold and the reader's stats and table headers dim. The codes take no
	// cells: the frame still fits the width.
	Color bool
}

// tone is a line's colour.
type tone uint8

const (
	tonePlain tone = iota
	toneBold
	toneDim
	toneRed
	toneYellow
)

var toneCodes = [...]string{toneBold: "\x1b[1m", toneDim: "\x1b[2m", toneRed: "\x1b[31m", toneYellow: "\x1b[33m"}

// paint wraps a laid-out line in its colour.
func paint(s string, t tone) string {
	if t == tonePlain || s == "" {
		return s
	}
	return toneCodes[t] + s + "\x1b[0m"
}

// liveLine is one laid-out line of the frame and its colour.
type liveLine struct {
	s string
	t tone
}

// domainTone is red for a domain with problems in the window.
func domainTone(d LiveDomain) tone {
	if d.TLSFailures+d.Deferrals+d.Bounced > 0 {
		return toneRed
	}
	return tonePlain
}

// eventTone is red for delivery problems and fatal or panic lines,
// yellow for errors and warnings.
func eventTone(k EventKind) tone {
	switch k {
	case KindTLSFailure, KindDeferred, KindBounced, KindFatal, KindPanic:
		return toneRed
	case KindError, KindWarning:
		return toneYellow
	}
	return tonePlain
}

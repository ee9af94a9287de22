package report

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
)

// gap is a log rotated away before pftls read its end: 2000 lines read,
// the last of them at 00:21:48, the rest gone when the 06:00 run came.
var gap = GapRow{Path: "/var/log/mail.log", Lines: 2000, Offset: 296429, After: time.Date(2026, 11, 23, 0, 21, 48, 0, time.UTC),
	LastRead: time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC), Found: time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)}

func TestModelState(t *testing.T) {
	read := Lines{Read: 100, Postfix: 100}
	from := time.Date(2026, 3, 7, 6, 15, 0, 0, time.UTC)
	tests := []struct {
		name     string
		m        Model
		state    State
		problems []Problem
		subject  string
	}{
		{"clear", Model{Lines: read}, StateClear, nil, "all clear"},
		{"nothing found in what pruning kept", Model{Lines: read, Incomplete: &Incomplete{FactsBefore: from}}, StateIncomplete, []Problem{ProblemUnreadable},
			"no problems in the facts kept (those before 2026-03-07 06:15 were pruned)"},
		{"problems found in what pruning kept", Model{Lines: read, Totals: Totals{Deferred: 4}, Incomplete: &Incomplete{FactsBefore: from}},
			StateProblems, []Problem{ProblemDeferred, ProblemUnreadable}, "4 deferred, more may be in the facts pruned before 2026-03-07 06:15"},
		{"counts pruned too", Model{Window: Window{From: from, To: from.Add(time.Hour), Zone: "UTC"},
			Incomplete: &Incomplete{FactsBefore: from.Add(48 * time.Hour), CountsBefore: from.Add(24 * time.Hour)}}, StateEmpty, []Problem{ProblemUnreadable, ProblemEmpty},
			"no Postfix log lines from 2026-03-07 06:15 to 2026-03-07 07:15: pruned (the counts before 2026-03-08 06:15 are gone), " +
				"more may be in the facts pruned before 2026-03-09 06:15"},
		{"an empty window over pruned facts", Model{Window: Window{From: from, To: from.Add(time.Hour), Zone: "UTC"},
			Incomplete: &Incomplete{FactsBefore: from.Add(48 * time.Hour)}}, StateEmpty, []Problem{ProblemUnreadable, ProblemEmpty},
			"no Postfix log lines from 2026-03-07 06:15 to 2026-03-07 07:15: is logging working?, more may be in the facts pruned before 2026-03-09 06:15"},
		{"expired is said, not a problem", Model{Lines: read, Totals: Totals{Expired: 2}}, StateClear, nil, "2 expired"},
		{"fatal only", Model{Lines: read, Totals: Totals{Fatal: 1}}, StateProblems, []Problem{ProblemFatal}, "1 fatal error"},
		{"tls and deferred", Model{Lines: read, Totals: Totals{TLSFailures: 3, TLSFailedDomains: 2, Deferred: 4}}, StateProblems,
			[]Problem{ProblemTLS, ProblemDeferred}, "2 domains failing TLS, 4 deferred"},
		{"unparsed lines", Model{Lines: Lines{Read: 100, Postfix: 100, Unparsed: 12, NotUnderstood: 12}}, StateProblems,
			[]Problem{ProblemUnreadable}, "12 lines not understood"},
		{"a file's malformed lines outside the window", Model{Lines: read, Inputs: []InputRow{{Path: "x", Lines: 100, NotUnderstood: 5}}}, StateProblems,
			[]Problem{ProblemUnreadable}, "5 lines not understood"},
		{"empty window", Model{Window: Window{From: from, To: from.Add(24 * time.Hour), Zone: "UTC"}}, StateEmpty, []Problem{ProblemEmpty},
			"no Postfix log lines from 2026-03-07 06:15 to 2026-03-08 06:15: is logging working?"},
		{"only other programs", Model{Lines: Lines{Read: 10, Foreign: 10}}, StateEmpty, []Problem{ProblemEmpty}, "no Postfix log lines: is logging working?"},
		{"nothing understood", Model{Lines: Lines{Read: 10, Malformed: 10, NotUnderstood: 10}}, StateProblems, []Problem{ProblemUnreadable, ProblemEmpty},
			"10 lines not understood, no Postfix log lines: is logging working?"},
		{"a log rotated away before its end was read", Model{Lines: read, Gaps: []GapRow{gap}}, StateProblems, []Problem{ProblemUnreadable},
			"lines missing from /var/log/mail.log after 2026-11-23 00:21 (its rotated copy was gone)"},
		{"lines missing come first", Model{Lines: read, Totals: Totals{Deferred: 4}, Gaps: []GapRow{gap}}, StateProblems,
			[]Problem{ProblemDeferred, ProblemUnreadable}, "lines missing from /var/log/mail.log after 2026-11-23 00:21 (its rotated copy was gone), 4 deferred"},
		{"lines missing after the run that read them, before schema step 15", Model{Lines: read, Gaps: []GapRow{{Path: "/var/log/mail.log",
			LastRead: gap.Found.Add(-24 * time.Hour), Found: gap.Found}}}, StateProblems, []Problem{ProblemUnreadable},
			"lines missing from /var/log/mail.log after 2026-11-22 06:00 (its rotated copy was gone)"},
		{"lines missing and not understood", Model{Lines: Lines{Read: 100, Postfix: 100, Unparsed: 12, NotUnderstood: 12}, Gaps: []GapRow{gap}},
			StateProblems, []Problem{ProblemUnreadable},
			"lines missing from /var/log/mail.log after 2026-11-23 00:21 (its rotated copy was gone), 12 lines not understood"},
		{"lines missing in what pruning kept", Model{Lines: read, Gaps: []GapRow{gap}, Incomplete: &Incomplete{FactsBefore: from}}, StateProblems,
			[]Problem{ProblemUnreadable}, "lines missing from /var/log/mail.log after 2026-11-23 00:21 (its rotated copy was gone), " +
				"more may be in the facts pruned before 2026-03-07 06:15"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.m.State(); got != tt.state {
				t.Errorf("State() = %q, want %q", got, tt.state)
			}
			if got := tt.m.Problems(); !slices.Equal(got, tt.problems) {
				t.Errorf("Problems() = %v, want %v", got, tt.problems)
			}
			want := "[pftls] mx1 24h: " + tt.subject
			if got := Subject(&tt.m, "mx1", "24h"); got != want {
				t.Errorf("Subject = %q, want %q", got, want)
			}
			if tt.state != StateClear && strings.Contains(Subject(&tt.m, "mx1", "24h"), "all clear") {
				t.Errorf("a window in state %q says all clear", tt.state)
			}
		})
	}
}

// TestBuilderCountsFatal: fatal and panic lines are counted apart from
// warnings and errors, whatever --top leaves of the warnings table.
func TestBuilderCountsFatal(t *testing.T) {
	b := NewBuilder(Options{Top: 1})
	now := time.Date(2026, 3, 7, 10, 0, 0, 0, time.UTC)
	for _, sev := range []logparse.Severity{logparse.SevWarning, logparse.SevError, logparse.SevFatal, logparse.SevPanic, logparse.SevWarning} {
		b.Warning(&aggregate.Warning{Time: now, Host: "mx1", Program: "postfix/master", Severity: sev, Text: string(sev) + " text", Class: string(sev)})
	}
	if m := b.Finish(); m.Totals.Fatal != 2 || !m.Has(ProblemFatal) {
		t.Errorf("Totals.Fatal = %d, want 2", m.Totals.Fatal)
	}
}

// TestLiveCountsNotUnderstood: the live view's stats line says how many
// lines were not understood, and nothing when all were.
func TestLiveCountsNotUnderstood(t *testing.T) {
	now := time.Date(2026, 3, 7, 10, 0, 0, 0, time.UTC)
	l := NewLive(time.Minute, 10)
	l.Add(&aggregate.Batch{LineCounts: []aggregate.LineCount{{Host: "mx1", Minute: now, Span: 1, Kind: logparse.KindDelivery, Count: 50}}})
	if s := liveStats(l.Snapshot(now)); strings.Contains(s, "not understood") {
		t.Errorf("all understood, but the stats line says %q", s)
	}
	l.Add(&aggregate.Batch{LineCounts: []aggregate.LineCount{
		{Host: "mx1", Minute: now, Span: 1, Kind: logparse.KindUnparsed, Count: 5},
		{Host: "", Minute: now, Span: 1, Kind: logparse.KindMalformed, Count: 7},
		{Host: "mx1", Minute: now, Span: 1, Kind: logparse.KindForeign, Count: 9},
	}})
	m := l.Snapshot(now.Add(time.Hour)) // counted since the start, not by the window
	if m.NotUnderstood != 12 {
		t.Errorf("NotUnderstood = %d, want 12", m.NotUnderstood)
	}
	var out strings.Builder
	if err := RenderLive(&out, m, 100, 30); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "12 lines not understood") {
		t.Errorf("the live view does not say 12 lines not understood:\n%s", out.String())
	}
}

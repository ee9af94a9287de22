package logparse_test

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, on a machine without a tz database

	"github.com/pftls/pftls/logparse"
)

// TestStampCacheRepeatedHour: when clocks go back at the end of summer time
// (Europe/Berlin, 2026-10-25, 03:00 CEST -> 02:00 CET) a stamp without a
// UTC offset between 02:00 and 03:00 stands for two instants. time.Date
// chose the second for every line, so the first pass's hour had no line
// and the next had two. A log is written in order: its lines are the first
// pass until they have gone past it, then the second. Lines a little out
// of order stay in their pass; a run that resumes a log (Continue) goes on
// from where the last one stopped.
func TestStampCacheRepeatedHour(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(h, m, s int) time.Time { return time.Date(2026, 10, 24, 22+h, m, s, 0, time.UTC) } // h hours after 22:00Z on the 24th
	line := func(clock string) string { return "Oct 25 " + clock + " mail postfix/qmgr[880]: 3F1A22C0B1F: removed" }
	tests := []struct {
		name  string
		after time.Time // Continue: the lines read before end there
		log   []string  // stamps, in the order of the log
		want  []time.Time
	}{
		{"both passes in order", time.Time{},
			[]string{"01:59:53", "02:00:00", "02:30:02", "02:25:00", "02:59:59", "02:00:05", "02:30:02", "02:59:59", "03:00:00"},
			[]time.Time{utc(1, 59, 53), utc(2, 0, 0), utc(2, 30, 2), utc(2, 25, 0), utc(2, 59, 59), utc(3, 0, 5), utc(3, 30, 2), utc(3, 59, 59), utc(4, 0, 0)}},
		{"a log that begins in the repeated hour: its first pass", time.Time{},
			[]string{"02:10:00", "02:50:00"},
			[]time.Time{utc(2, 10, 0), utc(2, 50, 0)}},
		{"a run that resumes a log in the second pass", utc(3, 5, 0),
			[]string{"02:10:00", "02:50:00", "03:00:01"},
			[]time.Time{utc(3, 10, 0), utc(3, 50, 0), utc(4, 0, 1)}},
		{"a run that resumes a log in the first pass stays in it", utc(2, 5, 0),
			[]string{"02:10:00"},
			[]time.Time{utc(2, 10, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := logparse.StampCache{Resolver: logparse.Resolver{Year: 2026, Location: berlin}}
			if !tt.after.IsZero() {
				c.Continue(tt.after)
			}
			for i, clock := range tt.log {
				if got := c.Time(stampOf(t, line(clock))); !got.Equal(tt.want[i]) {
					t.Errorf("line %d (%s): %s, want %s", i+1, clock, got.UTC().Format(time.RFC3339), tt.want[i].Format(time.RFC3339))
				}
			}
		})
	}

	// Elsewhere a stamp stands for one instant, whatever came before: a
	// zone without summer time, the hour clocks skip in spring (no line
	// can be in it), a stamp with an offset, the repeated hour west of UTC
	// (New York, 2026-11-01 02:00 EDT -> 01:00 EST) but for its own hour.
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		loc         *time.Location
		line        string
		first, last time.Time // the instants the stamp may be
	}{
		{time.UTC, line("02:30:00"), time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC), time.Time{}},
		{berlin, "Mar 29 02:30:00 mail postfix/qmgr[880]: 3F1A22C0B1F: removed", time.Time{}, time.Time{}},
		{berlin, "2026-10-25T02:30:00+01:00 mail postfix/qmgr[880]: 3F1A22C0B1F: removed", time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), time.Time{}},
		{newYork, "Nov  1 01:30:00 mail postfix/qmgr[880]: 3F1A22C0B1F: removed", time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC), time.Date(2026, 11, 1, 6, 30, 0, 0, time.UTC)},
		{newYork, "Nov  1 02:30:00 mail postfix/qmgr[880]: 3F1A22C0B1F: removed", time.Date(2026, 11, 1, 7, 30, 0, 0, time.UTC), time.Time{}},
	} {
		r := logparse.Resolver{Year: 2026, Location: tc.loc}
		s := stampOf(t, tc.line)
		first, last := r.Times(s)
		want := tc.first
		if want.IsZero() {
			want = r.Time(s) // the hour skipped: time.Date's answer, whatever it is
		}
		wantLast := tc.last
		if wantLast.IsZero() {
			wantLast = want
		}
		if !first.Equal(want) || !last.Equal(wantLast) {
			t.Errorf("Times(%s) in %s = %s, %s; want %s, %s", tc.line, tc.loc, first.UTC().Format(time.RFC3339), last.UTC().Format(time.RFC3339),
				want.UTC().Format(time.RFC3339), wantLast.UTC().Format(time.RFC3339))
		}
	}
}

package aggregate_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// rotatedAway stores the corpus's first n lines as dir/mail.log at
// fixedNow, then rotates that log away while lines n to rotateAt are
// written to it (deleted, never to be seen again) and starts a new
// mail.log with the lines from rotateAt to end: the cron run after that
// finds the log it read last time among none of mail.log's rotated
// copies. It returns the log's path, the database, and the newest stamp
// of the lines stored.
func rotatedAway(t *testing.T, lines []string, n, rotateAt, end int) (log, db string, last time.Time) {
	t.Helper()
	dir := t.TempDir()
	log, db = filepath.Join(dir, "mail.log"), filepath.Join(dir, "pftls.db")
	writeFile(t, log, joinLines(lines[:n]))
	ingest(t, db, 1000, log)
	appendFile(t, log, joinLines(lines[n:rotateAt])) // never read
	if err := os.Remove(log); err != nil {
		t.Fatal(err)
	}
	writeFile(t, log, joinLines(lines[rotateAt:end]))
	for _, l := range lines[:n] {
		at, err := time.ParseInLocation("Jan _2 15:04:05", l[:15], time.UTC)
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if at = at.AddDate(2026, 0, 0); at.After(last) {
			last = at
		}
	}
	return log, db, last
}

// findGap is the cron run after the rotation: the pump, at now, looks for
// the rotated copies of log; the log it read last time is among none.
func findGap(t *testing.T, st *aggregate.Store, log string, now time.Time) aggregate.Gap {
	t.Helper()
	p := newPump(st)
	p.Now = func() time.Time { return now }
	rotated, err := p.RotatedBefore(context.Background(), log)
	var away *aggregate.RotatedAwayError
	if !errors.As(err, &away) || !errors.Is(err, aggregate.ErrRotatedAway) {
		t.Fatalf("RotatedBefore = %v, %v; want the log read last time rotated away", rotated, err)
	}
	return away.Gap
}

// TestLog_rotated_away_leaves_a_gap: the log read last time was rotated
// and its copy deleted before pftls read its end. The gap says which
// lines are missing (those after the last one read, of that log at that
// path, after its byte offset) and is remembered once; a report window
// that may hold them finds it, any other does not; and reading the copy
// after all, from wherever it turns up, fills it.
func TestLog_rotated_away_leaves_a_gap(t *testing.T) {
	ctx := context.Background()
	lines := readLines(t, corpusLog)
	log, db, last := rotatedAway(t, lines, 1500, 2200, 4000)
	found := fixedNow().Add(6 * time.Hour)

	st := openStore(t, db)
	g := findGap(t, st, log, found)
	want := aggregate.Gap{SourceID: g.SourceID, Path: log, Lines: 1500, Offset: int64(len(joinLines(lines[:1500]))),
		LastLine: last, LastRead: fixedNow(), Found: found}
	if g.SourceID == 0 || !g.LastLine.Equal(want.LastLine) || !g.LastRead.Equal(want.LastRead) || !g.Found.Equal(want.Found) ||
		g.Path != want.Path || g.Lines != want.Lines || g.Offset != want.Offset {
		t.Fatalf("gap = %+v\nwant %+v", g, want)
	}
	if err := st.RecordGap(ctx, g); err != nil {
		t.Fatal(err)
	}
	again := g
	again.Found = found.Add(time.Hour) // a later run that found it too
	if err := st.RecordGap(ctx, again); err != nil {
		t.Fatal(err)
	}

	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		from, to time.Time
		found    bool
	}{
		{"unbounded", time.Time{}, time.Time{}, true},
		{"the day of the lines missing", day, day.AddDate(0, 0, 1), true},
		{"ends at the last line read", day, last, false},
		{"ends a second after it", day, last.Add(time.Second), true},
		{"starts a second before it was found", found.Add(-time.Second), found.Add(time.Hour), true},
		{"starts when it was found", found, found.Add(time.Hour), false},
		{"the day before", day.AddDate(0, 0, -1), day, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gaps, err := st.Gaps(ctx, tc.from, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case !tc.found && len(gaps) != 0:
				t.Errorf("[%v, %v): found %+v, want none", tc.from, tc.to, gaps)
			case tc.found && len(gaps) != 1:
				t.Errorf("[%v, %v): found %d gaps, want the one, once: %+v", tc.from, tc.to, len(gaps), gaps)
			case tc.found && !gaps[0].Found.Equal(found):
				t.Errorf("the gap was found at %v, want %v (the first run that found it)", gaps[0].Found, found)
			}
		})
	}

	// A copy no longer than what was read holds none of the lines
	// missing: it may have been made before they were written.
	elsewhere := filepath.Join(t.TempDir(), "mail.log.1")
	for _, n := range []int{1000, 1500} {
		writeFile(t, elsewhere, joinLines(lines[:n]))
		readCopy(t, st, elsewhere)
		if gaps, err := st.Gaps(ctx, time.Time{}, time.Time{}); err != nil || len(gaps) != 1 {
			t.Errorf("after a copy of the first %d lines: gaps %+v, %v; want the gap kept", n, gaps, err)
		}
	}
	// The copy itself, moved elsewhere, read to its end: nothing is missing.
	writeFile(t, elsewhere, joinLines(lines[:2200]))
	if res := readCopy(t, st, elsewhere); res.Lines != 700 || res.Resumed != 1500 {
		t.Errorf("the copy: read %d lines after %d, want 700 after 1500", res.Lines, res.Resumed)
	}
	if gaps, err := st.Gaps(ctx, time.Time{}, time.Time{}); err != nil || len(gaps) != 0 {
		t.Errorf("after reading the copy to its end: gaps %+v, %v; want none", gaps, err)
	}
}

// readCopy reads path to its end, as pftls ingest PATH does.
func readCopy(t *testing.T, st *aggregate.Store, path string) aggregate.FileResult {
	t.Helper()
	return ingestPaths(t, newPump(st), path)[0]
}

// TestSourceRemembersItsLastLine: the stamp of the newest line read from
// a source is stored with its offset, and a later run that reads nothing
// new keeps it (a gap found after it would otherwise have no beginning).
func TestSourceRemembersItsLastLine(t *testing.T) {
	lines := readLines(t, corpusLog)
	dir := t.TempDir()
	log, db := filepath.Join(dir, "mail.log"), filepath.Join(dir, "pftls.db")
	writeFile(t, log, joinLines(lines[:1500]))
	lastLine := func() int64 {
		return queryInt(t, openSQL(t, db), "SELECT last_line FROM sources WHERE path = ?", log)
	}
	ingest(t, db, 1000, log)
	first := lastLine()
	if first == 0 {
		t.Fatal("the stamp of the last line read was not stored")
	}
	ingest(t, db, 1000, log) // nothing new
	if got := lastLine(); got != first {
		t.Errorf("a run that read nothing new changed the last line's stamp from %d to %d", first, got)
	}
	appendFile(t, log, joinLines(lines[1500:2000]))
	ingest(t, db, 1000, log)
	if got := lastLine(); got <= first {
		t.Errorf("after 500 more lines the last line's stamp is %d, was %d", got, first)
	}
}

// TestPruneForgetsGapsWithTheCounts: a gap goes when prune deletes the
// counts of the time it was found in (nothing of that time is left to be
// short of its lines), not when it deletes only the facts before it.
func TestPruneForgetsGapsWithTheCounts(t *testing.T) {
	ctx := context.Background()
	log, db, _ := rotatedAway(t, readLines(t, corpusLog), 1500, 2200, 4000)
	found := fixedNow().Add(6 * time.Hour)
	st := openStore(t, db)
	if err := st.RecordGap(ctx, findGap(t, st, log, found)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name          string
		facts, counts time.Time
		kept          int
	}{
		{"facts only (--keep-facts)", found.Add(time.Hour), time.Time{}, 1},
		{"counts before it was found", found.Add(-time.Hour), found.Add(-time.Hour), 1},
		{"counts after it was found", found.Add(time.Hour), found.Add(time.Hour), 0},
	} {
		if _, err := st.PruneFacts(ctx, tc.facts, tc.counts); err != nil {
			t.Fatal(err)
		}
		if gaps, err := st.Gaps(ctx, time.Time{}, time.Time{}); err != nil || len(gaps) != tc.kept {
			t.Errorf("%s: gaps %+v, %v; want %d", tc.name, gaps, err, tc.kept)
		}
	}
}

// TestGapAfterTrustsNoStampFromTheFuture: the lines of a log rotated away
// are missing after its last line read, or after pftls last read it when
// that was earlier: a stamp later than the reading itself (a clock ahead,
// a wrong zone or year) would put the gap past every window.
func TestGapAfterTrustsNoStampFromTheFuture(t *testing.T) {
	read := time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name     string
		lastLine time.Time
		want     time.Time
	}{
		{"stamp before the reading", read.Add(-time.Hour), read.Add(-time.Hour)},
		{"stamp after the reading", read.AddDate(1, 0, 0), read},
		{"no stamp (read before schema step 15)", time.Time{}, read},
	} {
		g := aggregate.Gap{LastLine: tt.lastLine, LastRead: read, Found: read.Add(24 * time.Hour)}
		if got := g.After(); !got.Equal(tt.want) {
			t.Errorf("%s: after %v, want %v", tt.name, got, tt.want)
		}
		if !g.Touches(read.Add(2*time.Hour), read.Add(3*time.Hour)) {
			t.Errorf("%s: the window between the reading and the find is not touched", tt.name)
		}
	}
}

// TestLogRotation_file_rotated_away_unread_leaves_a_gap: tail could not
// open a file at the path and it was rotated away unread
// (source.MissedError). It has no source, so its gap has an id of its own,
// one per file, and says it is a whole file, never read.
func TestLogRotation_file_rotated_away_unread_leaves_a_gap(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, filepath.Join(t.TempDir(), "pftls.db"))
	last := fixedNow().Add(-time.Hour)
	var ids []int64
	for i := range 2 {
		g := aggregate.Gap{Path: "/var/log/mail.log", LastLine: last, LastRead: fixedNow(), Found: fixedNow().Add(time.Duration(i+1) * 24 * time.Hour)}
		id, err := st.RecordMissed(ctx, g)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if ids[0] >= 0 || ids[1] >= 0 || ids[0] == ids[1] {
		t.Fatalf("RecordMissed ids %v, want two distinct negative ones (no source has them)", ids)
	}
	gaps, err := st.Gaps(ctx, last, fixedNow().Add(time.Hour))
	if err != nil || len(gaps) != 2 {
		t.Fatalf("Gaps over the missing lines' time = %+v, %v; want both", gaps, err)
	}
	for _, g := range gaps {
		if !g.Unread() || g.Lines != 0 || g.After() != last {
			t.Errorf("gap %+v: want Unread, no line read, missing after %v", g, last)
		}
	}
}

// TestLogThatCannotBeReadIsNoGap: the log read last time is still at its
// path but cannot be read now (here a directory in its place; a mode that
// keeps the user out does the same). Whether it was rotated is unknown:
// RotatedBefore says so, and no gap is made up.
func TestLogThatCannotBeReadIsNoGap(t *testing.T) {
	lines := readLines(t, corpusLog)
	dir := t.TempDir()
	log, db := filepath.Join(dir, "mail.log"), filepath.Join(dir, "pftls.db")
	writeFile(t, log, joinLines(lines[:1500]))
	ingest(t, db, 1000, log)
	if err := os.Rename(log, log+".kept"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(log, 0o755); err != nil {
		t.Fatal(err)
	}
	p := newPump(openStore(t, db))
	rotated, err := p.RotatedBefore(context.Background(), log)
	if err == nil || errors.Is(err, aggregate.ErrRotatedAway) || !strings.Contains(err.Error(), "cannot tell whether it is still the log read last time") {
		t.Errorf("RotatedBefore = %v, %v; want that it cannot tell", rotated, err)
	}
}

// TestGapBoundedByTheNewLog: the lines of a log rotated away were written
// before the first line of the log that took its place (give or take the
// few minutes syslog writes on to the old file), not up to the run that
// found it gone: a window after that, the next day's report, is not
// touched, as tlsrpt's next day is not refused. BoundGap sets it once.
func TestGapBoundedByTheNewLog(t *testing.T) {
	ctx := context.Background()
	lines := readLines(t, corpusLog)
	log, db, _ := rotatedAway(t, lines, 1500, 2200, 4000)
	found := fixedNow().Add(26 * time.Hour) // the rotation at midnight, found the next day's morning
	st := openStore(t, db)
	g := findGap(t, st, log, found)
	if err := st.RecordGap(ctx, g); err != nil {
		t.Fatal(err)
	}
	newLog := fixedNow().Add(24 * time.Hour)                                // the first line of the log at the path now
	for _, until := range []time.Time{newLog, newLog.Add(12 * time.Hour)} { // the second is not taken
		if err := st.BoundGap(ctx, g.SourceID, until); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		name     string
		from, to time.Time
		touched  bool
	}{
		{"the day of the rotation", fixedNow(), newLog, true},
		{"the minutes after the new log's first line", newLog, newLog.Add(time.Hour), true},
		{"the next day", newLog.Add(time.Hour), newLog.Add(25 * time.Hour), false},
	} {
		gaps, err := st.Gaps(ctx, tt.from, tt.to)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(gaps) == 1; got != tt.touched {
			t.Errorf("%s: touched %v, want %v (%+v)", tt.name, got, tt.touched, gaps)
		}
	}
}

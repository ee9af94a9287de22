package aggregate_test

import (
	"context"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// TestGapsStepUpgradesOldDatabase: a database of schema 14, whose sources
// have no stamp of their last line and which has no gaps, gets both when
// a writer opens it, and its reports are those of a database made at the
// current schema.
func TestGapsStepUpgradesOldDatabase(t *testing.T) {
	fresh, old := upgradedBeside(t, "../report/testdata/multi-hour-2hosts.log.gz", aggregate.UndoGapsStep)
	for _, tc := range []struct {
		path  string
		known int64 // sources with the stamp of their last line
	}{{fresh, 1}, {old, 0}} {
		db := openSQL(t, tc.path)
		if got := queryInt(t, db, "SELECT count(*) FROM sources WHERE last_line != 0"); got != tc.known {
			t.Errorf("%s: %d sources know their last line, want %d", tc.path, got, tc.known)
		}
		if got := queryInt(t, db, "SELECT count(*) FROM log_gaps"); got != 0 {
			t.Errorf("%s: %d gaps, want none", tc.path, got)
		}
	}
	sameReports(t, fresh, old)
}

// TestGapsStepLogReadBeforeItRotatedAway: the log read last by a pftls
// before schema step 15, rotated away before the upgraded pftls ran, has
// no stamp of its last line: its lines are missing after the run that
// read it last, and a report window after that run finds the gap.
func TestGapsStepLogReadBeforeItRotatedAway(t *testing.T) {
	ctx := context.Background()
	log, db, _ := rotatedAway(t, readLines(t, corpusLog), 1500, 2200, 4000)
	if err := aggregate.UndoGapsStep(ctx, db); err != nil {
		t.Fatal(err)
	}
	found := fixedNow().Add(6 * time.Hour)
	st := openStore(t, db) // migrates
	g := findGap(t, st, log, found)
	if !g.LastLine.IsZero() || !g.LastRead.Equal(fixedNow()) || !g.After().Equal(fixedNow()) || g.Lines != 1500 {
		t.Fatalf("gap = %+v; want no last line, 1500 lines, last read and missing after %v", g, fixedNow())
	}
	if err := st.RecordGap(ctx, g); err != nil {
		t.Fatal(err)
	}
	for _, w := range []struct {
		from, to time.Time
		n        int
	}{
		{fixedNow().Add(-time.Hour), fixedNow().Add(time.Hour), 1},
		{fixedNow().Add(-24 * time.Hour), fixedNow(), 0},
	} {
		if gaps, err := st.Gaps(ctx, w.from, w.to); err != nil || len(gaps) != w.n {
			t.Errorf("[%v, %v): gaps %+v, %v; want %d", w.from, w.to, gaps, err, w.n)
		}
	}
}

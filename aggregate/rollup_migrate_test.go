package aggregate_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
	"github.com/pftls/pftls/report"
)

// ingestFile stores a log, stamped in 2026 UTC, in the database at path.
func ingestFile(t *testing.T, db, log string) {
	t.Helper()
	ctx := context.Background()
	st, err := aggregate.Open(ctx, db, aggregate.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pump := aggregate.Pump{Store: st, Corr: aggregate.NewCorrelator(aggregate.DefaultOptions),
		Resolver: func(source.Identity) logparse.Resolver { return logparse.Resolver{Year: 2026, Location: time.UTC} }}
	r, err := source.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := pump.IngestReader(ctx, r); err != nil {
		t.Fatalf("ingest %s: %v", log, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
}

// reportJSON is the JSON report of [from, to) from the database at path.
func reportJSON(t *testing.T, path string, from, to time.Time) []byte {
	t.Helper()
	ctx := context.Background()
	st, err := aggregate.Open(ctx, path, aggregate.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := report.Build(ctx, st, report.Options{From: from, To: to, Zone: time.UTC, Generated: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, m, "json", report.RenderOptions{Zone: time.UTC}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRollupsStepUpgradesOldDatabase: a database of the pftls before
// rollups (schema 8) gets them when a writer opens it, filled from its
// attempts, and its reports are those of a database that stored the same
// log with rollups from the start.
func TestRollupsStepUpgradesOldDatabase(t *testing.T) {
	fresh, old := upgradedBeside(t, "../report/testdata/multi-hour-2hosts.log.gz", aggregate.UndoRollupsStep)
	sameReports(t, fresh, old)
}

// upgradedBeside stores log in two new databases, makes one of them old
// with undo (the schema before a step), checks that a reader refuses it,
// and has a writer upgrade it: the fresh database and the upgraded one.
func upgradedBeside(t *testing.T, log string, undo func(context.Context, string) error) (fresh, old string) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	fresh, old = filepath.Join(dir, "fresh.db"), filepath.Join(dir, "old.db")
	ingestFile(t, fresh, log)
	ingestFile(t, old, log)
	if err := undo(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := aggregate.Open(ctx, old, aggregate.OpenOptions{ReadOnly: true}); err == nil {
		t.Fatal("a reader opened the old database: the test did not make one")
	}
	st, err := aggregate.Open(ctx, old, aggregate.OpenOptions{}) // migrates
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return fresh, old
}

// sameReports checks that the two databases of multi-hour-2hosts.log.gz
// give the same reports: whole hours, and windows with ragged edges.
func sameReports(t *testing.T, fresh, upgraded string) {
	t.Helper()
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for _, w := range [][2]time.Time{
		{start, start.Add(6 * time.Hour)},
		{start.Add(time.Hour), start.Add(3 * time.Hour)},
		{start.Add(75 * time.Minute), start.Add(5*time.Hour + 10*time.Minute)},
	} {
		sameReport(t, fresh, upgraded, w[0], w[1])
	}
}

// sameReport checks that the two databases give the same report of
// [from, to). An upgraded database counted its lines by the hour (before
// schema step 14), so of a window with ragged edges it counts the lines,
// and the master's starts and stops, of its edges' whole hours: those are
// left out of the comparison there (TestLineMinutesStepUpgradesOldDatabase).
func sameReport(t *testing.T, fresh, upgraded string, from, to time.Time) {
	t.Helper()
	want, got := reportJSON(t, fresh, from, to), reportJSON(t, upgraded, from, to)
	if from.Truncate(time.Hour) != from || to.Truncate(time.Hour) != to {
		want, got = withoutLineCounts(t, want), withoutLineCounts(t, got)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("[%v, %v): the upgraded database's report differs from the fresh one's", from, to)
	}
}

// withoutLineCounts is a JSON report without what it took from the line
// counts: "lines" and "master".
func withoutLineCounts(t *testing.T, report []byte) []byte {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(report, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "lines")
	delete(m, "master")
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

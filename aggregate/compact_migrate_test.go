package aggregate_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// TestCompactStepUpgradesOldDatabase: a database of the pftls before the
// compact encoding (schema 11: texts and float delays) is rewritten in it
// when a writer opens it, and holds what a database that stored the same
// log compactly from the start holds: the same facts, the same reports
// (from the facts, and from the rollups with ragged edges).
func TestCompactStepUpgradesOldDatabase(t *testing.T) {
	ctx := context.Background()
	for _, log := range []string{"../report/testdata/multi-hour-2hosts.log.gz", corpusLog} {
		t.Run(filepath.Base(log), func(t *testing.T) {
			dir := t.TempDir()
			fresh, old := filepath.Join(dir, "fresh.db"), filepath.Join(dir, "old.db")
			ingestFile(t, fresh, log)
			ingestFile(t, old, log)
			if err := aggregate.UndoCompactStep(ctx, old); err != nil {
				t.Fatal(err)
			}
			encoded := `SELECT (SELECT COUNT(*) FROM attempts WHERE typeof(reason) = 'integer' OR typeof(delay) = 'integer')
				+ (SELECT COUNT(*) FROM rejects WHERE typeof(reply) = 'integer')
				+ (SELECT COUNT(*) FROM warnings WHERE typeof(text) = 'integer')
				+ (SELECT COUNT(*) FROM session_counts WHERE typeof(tls_protocol) = 'integer')`
			if n := queryInt(t, openSQL(t, old), encoded); n != 0 {
				t.Fatalf("the schema-11 database holds %d compact values: the test did not make an old database", n)
			}
			if _, err := aggregate.Open(ctx, old, aggregate.OpenOptions{ReadOnly: true}); err == nil {
				t.Fatal("a reader opened the schema-11 database")
			}
			st, err := aggregate.Open(ctx, old, aggregate.OpenOptions{}) // migrates
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			if n := queryInt(t, openSQL(t, old), encoded); n == 0 {
				t.Error("the upgraded database holds no compact values")
			}
			if n := queryInt(t, openSQL(t, old), "PRAGMA freelist_count"); n != 0 {
				t.Errorf("the upgraded database keeps %d free pages of the tables it rewrote", n)
			}
			for _, tab := range []string{"attempts", "tls_failures", "rejects", "warnings", "session_counts"} {
				if !slices.Equal(dumpTable(t, old, tab), dumpTable(t, fresh, tab)) {
					t.Errorf("%s: the upgraded database's rows differ from the fresh one's", tab)
				}
			}
			start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
			if log != corpusLog {
				start = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
			}
			for _, w := range [][2]time.Time{
				{time.Time{}, time.Time{}}, // everything, from the facts
				{start, start.Add(24 * time.Hour)},
				{start.Add(75 * time.Minute), start.Add(5*time.Hour + 10*time.Minute)},
			} {
				sameReport(t, fresh, old, w[0], w[1])
			}
		})
	}
}

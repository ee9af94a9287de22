package aggregate_test

import (
	"path/filepath"
	"testing"

	"github.com/pftls/pftls/aggregate"
)

// TestTail_from_start_shows_fully_stored_file: tail --from-start on a file
// stored to its end shows all its lines (it showed 0 of 1,379 events: the
// replay of the stored part was handed on only when a new line came), and
// stores none of them again.
func TestTail_from_start_shows_fully_stored_file(t *testing.T) {
	lines := readLines(t, corpusLog)[:3000]
	dir := t.TempDir()
	log, db := filepath.Join(dir, "mail.log"), filepath.Join(dir, "pftls.db")
	writeFile(t, log, joinLines(lines))
	ingest(t, db, 1000, log)

	st, p := openRestored(t, db)
	var shown int64
	p.Consumers = []aggregate.FactConsumer{lineCounter(&shown)}
	tl := startTail(t, p, aggregate.TailOptions{Path: log, Show: aggregate.ShowFromStart})
	tl.waitLines(t, 3000)
	tl.stop(t)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if shown != 3000 {
		t.Errorf("consumers were shown %d lines, want 3000", shown)
	}
	res := ingest(t, db, 1000, log)
	if res[0].Lines != 0 || res[0].Resumed != 3000 {
		t.Errorf("ingest after tail: read %d lines, resumed after %d; want 0 after 3000", res[0].Lines, res[0].Resumed)
	}
}

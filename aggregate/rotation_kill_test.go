package aggregate_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse/source"
)

// TestTail_killed_across_rotation_finishes_old_log: tail read the log to
// some offset, was killed before committing its last burst of the old
// file, and the new log (after a rotation) was stored since. The next
// start must still finish the rotated copy from its stored offset: only
// the log read last at the path was looked at, and its lines were lost
// (440 of 60,000 in 34 kills and 14 rotations) until ingested by hand.
func TestTail_killed_across_rotation_finishes_old_log(t *testing.T) {
	lines := readLines(t, corpusLog)
	dir := t.TempDir()
	log, db := filepath.Join(dir, "mail.log"), filepath.Join(dir, "pftls.db")
	writeFile(t, log, joinLines(lines[:2000]))
	ingest(t, db, 1000, log) // what was committed of the old log
	appendFile(t, log, joinLines(lines[2000:2500]))
	// Rotation; the killed tail had read those 500 lines, not committed them.
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, log, joinLines(lines[2500:2800]))
	ingest(t, db, 1000, log) // the new log, stored after the rotation

	st := openStore(t, db)
	p := newPump(st)
	if err := p.Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	rotated, err := p.RotatedBefore(context.Background(), log)
	if err != nil {
		t.Fatal(err)
	}
	if len(rotated) != 1 || rotated[0] != log+".1" {
		t.Fatalf("RotatedBefore = %v, want [%s]", rotated, log+".1")
	}
	rd, err := source.Open(rotated[0])
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.IngestReader(context.Background(), rd)
	rd.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.Lines != 500 || res.Resumed != 2000 {
		t.Errorf("the rotated log: read %d lines after %d; want 500 after 2000", res.Lines, res.Resumed)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if got := storedLines(t, db); got != 2800 {
		t.Errorf("the database counts %d lines, want 2800", got)
	}
	// Finished: nothing more to read before the log next time.
	st2, err := aggregate.Open(context.Background(), db, aggregate.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if again, err := newPump(st2).RotatedBefore(context.Background(), log); err != nil || len(again) != 0 {
		t.Errorf("RotatedBefore after finishing = %v, %v; want none", again, err)
	}
}

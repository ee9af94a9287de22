//go:build unix

package aggregate_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// TestMissedFileReadAfterAllFillsItsGap: tail could not read a file and
// saw it rotated away unread (RecordMissed). Made readable and ingested
// after all, that very file (its device and inode, its first line older
// than the find) fills the gap, as the warning says; a newer file that
// took the inode of a deleted one (its first line after the find) does
// not.
func TestMissedFileReadAfterAllFillsItsGap(t *testing.T) {
	ctx := context.Background()
	lines := readLines(t, corpusLog)
	dir := t.TempDir()
	log, db := filepath.Join(dir, "mail.log.1"), filepath.Join(dir, "pftls.db")
	writeFile(t, log, joinLines(lines[:500]))
	fi, err := os.Stat(log)
	if err != nil {
		t.Fatal(err)
	}
	sys := fi.Sys().(*syscall.Stat_t)
	firstLine := time.Date(2026, 11, 23, 0, 19, 54, 0, time.UTC) // the corpus's first line
	st := openStore(t, db)
	for _, found := range []time.Time{firstLine.Add(time.Hour), firstLine.Add(-time.Hour)} {
		g := aggregate.Gap{Path: filepath.Join(dir, "mail.log"), LastLine: firstLine.Add(-2 * time.Hour), LastRead: firstLine.Add(-2 * time.Hour),
			Found: found, Dev: uint64(sys.Dev), Inode: uint64(sys.Ino)}
		if _, err := st.RecordMissed(ctx, g); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	ingest(t, db, 1000, log)
	gaps, err := openStore(t, db).Gaps(ctx, time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(gaps) != 1 || !gaps[0].Found.Equal(firstLine.Add(-time.Hour)) {
		t.Errorf("gaps after the missed file was read: %+v; want only the one found before its first line", gaps)
	}
}

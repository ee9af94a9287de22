package aggregate

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pftls/pftls/logparse/source"
)

// TestTailLateLineOfOldFile: after a rotation the follower may hand over
// lines written to the old file after the new file's first one (syslog
// writes to the old file until it reopens the log). They belong to the
// old file's source: each file's stored offset and line count must be its
// own, and ingesting both files afterwards adds nothing.
// (Moved here from cmd/pftls with the routing it tests.)
func TestTailLateLineOfOldFile(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	data := readCorpus(t)
	lines := strings.SplitAfter(string(data), "\n")
	lines = lines[:len(lines)-1]
	oldPath, newPath := filepath.Join(dir, "mail.log.1"), filepath.Join(dir, "mail.log")
	a, late, b := lines[:1000], lines[1000:1010], lines[1010:2000]
	for path, ls := range map[string][]string{oldPath: lines[:1010], newPath: b} {
		if err := os.WriteFile(path, []byte(strings.Join(ls, "")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	idOld, err := identify(oldPath)
	if err != nil {
		t.Fatal(err)
	}
	idNew, err := identify(newPath)
	if err != nil {
		t.Fatal(err)
	}

	db := filepath.Join(dir, "pftls.db")
	store, err := Open(ctx, db, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pump := &Pump{
		Store:    store,
		Corr:     NewCorrelator(DefaultOptions),
		Resolver: resolve2026,
	}
	run, err := pump.Begin(ctx, idOld)
	if err != nil {
		t.Fatal(err)
	}
	tl := &route{p: pump, run: run}
	feed := func(ls []string, id source.Identity, end int64, reopened bool) int64 {
		t.Helper()
		for i, l := range ls {
			end += int64(len(l))
			fl := source.Line{Bytes: []byte(strings.TrimSuffix(l, "\n")), End: end, File: &id, Reopened: reopened && i == 0}
			if err := tl.line(ctx, &fl); err != nil {
				t.Fatal(err)
			}
		}
		return end
	}
	endOld := feed(a, idOld, 0, false)
	endNew := feed(b[:500], idNew, 0, true)
	feed(late, idOld, endOld, false)
	feed(b[500:], idNew, endNew, false)
	if err := tl.run.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}

	sqlDB, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	for _, f := range []struct {
		id    source.Identity
		lines int
	}{{idOld, len(a) + len(late)}, {idNew, len(b)}} {
		var offset, n int64
		if err := sqlDB.QueryRow("SELECT offset, lines FROM sources WHERE inode = ?", int64(f.id.Inode)).Scan(&offset, &n); err != nil {
			t.Fatalf("source %s: %v", filepath.Base(f.id.Path), err)
		}
		fi, err := os.Stat(f.id.Path)
		if err != nil {
			t.Fatal(err)
		}
		if offset != fi.Size() || n != int64(f.lines) {
			t.Errorf("%s stored at byte %d, %d lines; want %d, %d", filepath.Base(f.id.Path), offset, n, fi.Size(), f.lines)
		}
	}
}

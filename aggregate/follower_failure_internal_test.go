package aggregate

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse/source"
)

// TestTail_follower_failure_ends_through_shutdown: a failure of the
// follower (simulated: its reading goroutine reports an error) ends the
// tail loop through pftls's own shutdown: the lines read before it are
// committed with their offset, and the error is returned to the command
// (exit 2), never an os.Exit from inside (nxadm/tail's os.Exit(1) left
// the terminal raw, lost the burst and exited with "problems found").
func TestTail_follower_failure_ends_through_shutdown(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	data := readCorpus(t)
	log := filepath.Join(dir, "mail.log")
	if err := os.WriteFile(log, data, 0o644); err != nil {
		t.Fatal(err)
	}
	id, err := identify(log)
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
	run, err := pump.Begin(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	tl := &route{p: pump, run: run}
	const n = 700 // fewer than a burst: nothing committed before the failure
	lines := make(chan source.Line, n)
	errc := make(chan error, 1)
	var end int64
	for _, l := range strings.SplitAfter(string(data), "\n")[:n] {
		end += int64(len(l))
		lines <- source.Line{Bytes: []byte(strings.TrimSuffix(l, "\n")), End: end, File: &id}
	}
	failure := errors.New("follow mail.log: simulated watcher failure")
	errc <- failure
	close(lines)
	done := make(chan error, 1)
	go func() { done <- tl.loop(ctx, lines, errc, TailOptions{}) }()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the tail loop did not end after the follower failed")
	}
	if !errors.Is(err, failure) {
		t.Errorf("loop returned %v, want the follower's failure", err)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	sqlDB, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer sqlDB.Close()
	var offset, stored int64
	if err := sqlDB.QueryRow("SELECT offset, lines FROM sources").Scan(&offset, &stored); err != nil {
		t.Fatal(err)
	}
	if offset != end || stored != n {
		t.Errorf("after the failure the source is stored at byte %d, %d lines; want %d, %d", offset, stored, end, n)
	}
}

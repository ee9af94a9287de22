package aggregate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// shrinkT0 is when the generated lines of the shrink tests begin.
var shrinkT0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// stampedLines returns n log lines, one a second from start, numbered
// from first.
func stampedLines(start time.Time, first, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%s mail postfix/smtpd[%d]: warning: shrink test line %d\n",
			start.Add(time.Duration(i)*time.Second).Format(time.Stamp), 100+(first+i)%50, first+i)
	}
	return b.String()
}

// clockPump is the pump of pftls ingest and tail with a clock the test sets.
func clockPump(st *aggregate.Store, clock *atomic.Int64) *aggregate.Pump {
	return &aggregate.Pump{
		Store:       st,
		Corr:        aggregate.NewCorrelator(aggregate.DefaultOptions),
		CommitLines: 500,
		Resolver:    func(source.Identity) logparse.Resolver { return logparse.Resolver{Year: 2026, Location: time.UTC} },
		Now:         func() time.Time { return time.Unix(0, clock.Load()).UTC() },
	}
}

// storedLines is the number of lines the database counts.
func storedLines(t *testing.T, db string) int64 {
	t.Helper()
	return queryInt(t, openSQL(t, db), "SELECT COALESCE(SUM(count), 0) FROM line_counts")
}

// cutTo truncates the file at path in place after its first n lines.
func cutTo(t *testing.T, path string, n int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	end := 0
	for range n {
		end += strings.IndexByte(string(b[end:]), '\n') + 1
	}
	if err := os.Truncate(path, int64(end)); err != nil {
		t.Fatal(err)
	}
}

// TestIngest_shrink_in_place_keeps_new_lines: a log cut in place to its
// first lines (not rotated) and written on: ingest stores the new lines
// (it skipped them until the old size was passed: 1,000 lost) and not the
// surviving ones again. PFTLS_LONG_TESTS=1: 50,000 lines.
func TestIngest_shrink_in_place_keeps_new_lines(t *testing.T) {
	n := 3000
	if os.Getenv("PFTLS_LONG_TESTS") == "1" {
		n = 50000
	}
	dir := t.TempDir()
	log, db := filepath.Join(dir, "mail.log"), filepath.Join(dir, "pftls.db")
	writeFile(t, log, []byte(stampedLines(shrinkT0, 0, n)))
	var clock atomic.Int64
	clock.Store(shrinkT0.Add(time.Duration(n)*time.Second + time.Minute).UnixNano())
	run := func() aggregate.FileResult {
		t.Helper()
		st := openStore(t, db)
		res := ingestPaths(t, clockPump(st, &clock), log)[0]
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		return res
	}
	run()
	keep, added := n/3, n/3 // the file ends shorter than before
	cutTo(t, log, keep)
	later := time.Unix(0, clock.Load()).Add(time.Minute)
	appendFile(t, log, []byte(stampedLines(later, n, added)))
	clock.Store(later.Add(time.Duration(added)*time.Second + time.Minute).UnixNano())
	res := run()
	if res.Lines != int64(added) || res.Resumed != int64(keep) {
		t.Errorf("after the cut: read %d new lines, passed over %d; want %d and %d", res.Lines, res.Resumed, added, keep)
	}
	if got := storedLines(t, db); got != int64(n+added) {
		t.Errorf("the database counts %d lines, want %d (each once)", got, n+added)
	}
	if res := run(); res.Lines != 0 {
		t.Errorf("a third run read %d lines, want 0", res.Lines)
	}
}

// TestTail_shrink_in_place_stores_survivors_once: tail following a log cut
// in place to its first lines reads it again from its start, and stores
// only the lines written after the cut (it stored the surviving ones
// twice), with --poll too.
func TestTail_shrink_in_place_stores_survivors_once(t *testing.T) {
	for _, poll := range []bool{false, true} {
		t.Run(fmt.Sprintf("poll=%v", poll), func(t *testing.T) { tailShrink(t, poll) })
	}
}

func tailShrink(t *testing.T, poll bool) {
	n := 2000
	if os.Getenv("PFTLS_LONG_TESTS") == "1" {
		n = 40000
	}
	dir := t.TempDir()
	log, db := filepath.Join(dir, "mail.log"), filepath.Join(dir, "pftls.db")
	writeFile(t, log, []byte(stampedLines(shrinkT0, 0, n)))
	var clock atomic.Int64
	clock.Store(shrinkT0.Add(time.Duration(n)*time.Second + time.Minute).UnixNano())
	st := openStore(t, db)
	p := clockPump(st, &clock)
	tl := startTail(t, p, aggregate.TailOptions{Path: log, Show: aggregate.ShowFromStart, Poll: poll})
	tl.waitLines(t, int64(n))
	// Let tail commit what it read before the cut (as it does within a
	// second), then cut the file and write on.
	tl.stop(t)
	p = clockPump(st, &clock)
	if err := p.Restore(context.Background()); err != nil {
		t.Fatal(err)
	}
	tl = startTail(t, p, aggregate.TailOptions{Path: log, Show: aggregate.ShowResumed, Poll: poll})
	keep, added := n/2, 300
	cutTo(t, log, keep)
	later := time.Unix(0, clock.Load()).Add(time.Minute)
	clock.Store(later.Add(time.Hour).UnixNano())
	appendFile(t, log, []byte(stampedLines(later, n, added)))
	tl.waitLines(t, int64(keep+added))
	tl.stop(t)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if got := storedLines(t, db); got != int64(n+added) {
		t.Errorf("the database counts %d lines, want %d (each once)", got, n+added)
	}
}

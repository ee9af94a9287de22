package aggregate_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// windowLines is how many of the corpus's last lines lie within window of
// its last line (the corpus is one day, in time order: "Nov 23 15:04:05").
func windowLines(t *testing.T, lines []string, window time.Duration) int {
	t.Helper()
	clock := func(l string) time.Time {
		at, err := time.Parse("15:04:05", l[7:15])
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	cutoff := clock(lines[len(lines)-1]).Add(-window)
	n := 0
	for i := len(lines) - 1; i >= 0 && !clock(lines[i]).Before(cutoff); i-- {
		n++
	}
	if n == 0 || n == len(lines) {
		t.Fatalf("a window of %v holds %d of %d lines: the test shows nothing", window, n, len(lines))
	}
	return n
}

// lineCounter counts the lines consumers are shown.
// openRestored opens the database at db for writing and returns it with a
// pump whose correlator is restored from it, as tail starts.
func openRestored(t *testing.T, db string) (*aggregate.Store, *aggregate.Pump) {
	t.Helper()
	st, err := aggregate.Open(t.Context(), db, aggregate.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p := newPump(st)
	if err := p.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	return st, p
}

func lineCounter(n *int64) aggregate.FactConsumer {
	return aggregate.FactsFunc(func(b *aggregate.Batch) {
		for _, c := range b.LineCounts {
			*n += c.Count
		}
	})
}

// TestTail_window_replays_last_minutes_of_stored_file: the live view used
// to start empty on a file stored to its end; ShowWindow shows the lines
// of its last window, from a scratch run, and stores none of them again.
func TestTail_window_replays_last_minutes_of_stored_file(t *testing.T) {
	lines := readLines(t, corpusLog)
	want := windowLines(t, lines, 2*time.Minute)
	dir := t.TempDir()
	log, db := filepath.Join(dir, "mail.log"), filepath.Join(dir, "pftls.db")
	writeFile(t, log, joinLines(lines))
	ingest(t, db, 1000, log)

	st, p := openRestored(t, db)
	var shown, primed int64
	p.Consumers = []aggregate.FactConsumer{lineCounter(&shown)}
	tl := startTail(t, p, aggregate.TailOptions{Path: log, Show: aggregate.ShowWindow, Window: 2 * time.Minute,
		Prime: []aggregate.FactConsumer{lineCounter(&primed)}})
	tl.waitLines(t, int64(want))
	tl.stop(t)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if primed != int64(want) || shown != 0 {
		t.Errorf("the replay was shown %d lines (the pump's consumers %d), want %d (and 0)", primed, shown, want)
	}
	res := ingest(t, db, 1000, log)
	if res[0].Lines != 0 || res[0].Resumed != int64(len(lines)) {
		t.Errorf("ingest after tail: read %d lines, resumed after %d; want 0 after %d", res[0].Lines, res[0].Resumed, len(lines))
	}
}

// TestTail_window_stores_backlog_once_and_shows_its_window: a file stored
// only in part, its window past the stored offset: the lines before the
// window are stored without being shown, those in it stored and shown.
func TestTail_window_stores_backlog_once_and_shows_its_window(t *testing.T) {
	lines := readLines(t, corpusLog)
	want := windowLines(t, lines, 2*time.Minute)
	dir := t.TempDir()
	log, db := filepath.Join(dir, "mail.log"), filepath.Join(dir, "pftls.db")
	writeFile(t, log, joinLines(lines[:3000]))
	ingest(t, db, 1000, log)
	writeFile(t, log, joinLines(lines))

	st, p := openRestored(t, db)
	var shown int64
	p.Consumers = []aggregate.FactConsumer{lineCounter(&shown)}
	tl := startTail(t, p, aggregate.TailOptions{Path: log, Show: aggregate.ShowWindow, Window: 2 * time.Minute})
	tl.waitLines(t, int64(len(lines)-3000))
	tl.stop(t)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if shown != int64(want) {
		t.Errorf("shown %d lines, want the window's %d", shown, want)
	}
	res := ingest(t, db, 1000, log)
	if res[0].Lines != 0 || res[0].Resumed != int64(len(lines)) {
		t.Errorf("ingest after tail: read %d lines, resumed after %d; want 0 after %d", res[0].Lines, res[0].Resumed, len(lines))
	}
}

// TestTail_window_without_store: --no-db replays the window read back
// from the file.
func TestTail_window_without_store(t *testing.T) {
	lines := readLines(t, corpusLog)
	want := windowLines(t, lines, 2*time.Minute)
	log := filepath.Join(t.TempDir(), "mail.log")
	writeFile(t, log, joinLines(lines))
	p := newPump(nil)
	var shown int64
	p.Consumers = []aggregate.FactConsumer{lineCounter(&shown)}
	tl := startTail(t, p, aggregate.TailOptions{Path: log, Show: aggregate.ShowWindow, Window: 2 * time.Minute})
	tl.waitLines(t, int64(want))
	tl.stop(t)
	if shown != int64(want) {
		t.Errorf("shown %d lines, want the window's %d", shown, want)
	}
}

package aggregate

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
)

// TestWindowStart_matches_a_forward_scan: reading back a chunk at a time
// finds the same line as reading the file forward, for windows whose
// start lies in other chunks than the file's end (the corpus is 780 KB,
// the chunk 64 KiB), and for a window longer than the file.
func TestWindowStart_matches_a_forward_scan(t *testing.T) {
	path := filepath.Join("..", "testdata", "corpus", "corpus-a.log")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(data) < 4*windowChunk {
		t.Fatalf("the corpus is %d bytes: too short to cross chunks", len(data))
	}
	res := logparse.Resolver{Year: 2026, Location: time.UTC}
	stamp := func(line []byte) time.Time {
		return res.Time(logparse.ParseAs(string(line), logparse.FormatAuto).Stamp)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	last := stamp(lines[len(lines)-1])
	for _, w := range []time.Duration{time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, time.Hour} {
		// Forward: after the last line stamped before the cutoff.
		var want, off int64
		for _, l := range lines {
			off += int64(len(l))
			if stamp(l).Before(last.Add(-w)) {
				want = off
			}
		}
		got, err := windowStart(path, int64(len(data)), w, res, logparse.FormatAuto)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("window %v: starts at %d, want %d", w, got, want)
		}
	}
	if got, _ := windowStart(path, 0, time.Minute, res, logparse.FormatAuto); got != 0 {
		t.Errorf("an empty file: %d", got)
	}
}

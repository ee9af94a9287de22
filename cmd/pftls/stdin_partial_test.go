package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestStdin_cut_last_line_left_for_next_run: a stream cut in the middle
// of a line (head -c) stores its whole lines only; the longer stream piped
// next stores the rest, the cut line whole, and nothing twice.
func TestStdin_cut_last_line_left_for_next_run(t *testing.T) {
	lines := corpusText(t, 200)
	whole := strings.Join(lines, "")
	cut := whole[:1000]
	if strings.HasSuffix(cut, "\n") {
		t.Fatal("the cut must fall inside a line")
	}
	db := filepath.Join(t.TempDir(), "pftls.db")
	if code, _, errOut := runCLI(t, cut, "ingest", "--db", db, "-q", "-"); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, whole, "ingest", "--db", db, "-q", "-"); code != 0 {
		t.Fatalf("second run: exit %d: %s", code, errOut)
	}
	facts := storedFacts(t, db)
	if n := facts["line_counts SUM(count)"]; n != 200 {
		t.Errorf("stored %d lines, want 200", n)
	}
	if n := facts["unparsed"]; n != 0 {
		t.Errorf("%d unparsed lines stored (the halves of a cut line?)", n)
	}
}

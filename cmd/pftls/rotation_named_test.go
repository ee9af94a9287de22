package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLogRotation_named_copy_no_false_warning: a cron line that names the
// rotated copy too (mail.log.1 mail.log) must not warn every day that
// "the log read last time was rotated and is missing": mail.log.1 is
// replaced by each rotation, and what it held last time was read to its
// end. (The warning is for a live log whose rotated copy is gone.)
func TestLogRotation_named_copy_no_false_warning(t *testing.T) {
	lines := corpusText(t, 900)
	part := func(from, to int) string { return strings.Join(lines[from:to], "") }
	dir := t.TempDir()
	db := filepath.Join(dir, "pftls.db")
	live := filepath.Join(dir, "mail.log")
	old := live + ".1"
	writeTemp(t, dir, "mail.log.1", []byte(part(0, 300)))
	writeTemp(t, dir, "mail.log", []byte(part(300, 600)))
	if code, _, errOut := runCLI(t, "", "ingest", "--db", db, "-q", old, live); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errOut)
	}
	// logrotate with "rotate 1": mail.log.1 is dropped, mail.log becomes
	// mail.log.1, a new mail.log starts.
	if err := os.Remove(old); err != nil {
		t.Fatal(err)
	}
	rename(t, live, old)
	writeTemp(t, dir, "mail.log", []byte(part(600, 900)))
	code, _, errOut := runCLI(t, "", "ingest", "--db", db, "-q", old, live)
	if code != 0 || strings.Contains(errOut, "rotated") {
		t.Errorf("second run: exit %d, stderr %q; want no warning", code, errOut)
	}
	if n := storedFacts(t, db)["line_counts SUM(count)"]; n != 900 {
		t.Errorf("stored %d lines, want 900", n)
	}
}

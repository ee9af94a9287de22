package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlags_out_of_range_are_usage_errors: numeric flags out of range
// exit 2 with a hint, in every command that has them (--top -3 panicked
// in the report builder; --year 99999 was accepted).
func TestFlags_out_of_range_are_usage_errors(t *testing.T) {
	for _, args := range [][]string{
		{"report", "--year", "99999"},
		{"report", "--year", "-1"},
		{"report", "--top", "-3"},
		{"report", "--detail", "-1"},
		{"report", "--width", "-5"},
		{"explain", "--year", "99999", "bank.example.net"},
		{"ingest", "--year", "12345"},
		{"ingest", "--commit-every", "0"},
		{"ingest", "--commit-every", "-10"},
		{"ingest", "--lock-wait", "-1s"},
		{"tail", "--no-db", "--interval", "0s"},
		{"tail", "--no-db", "--window", "-1m"},
		{"tail", "--no-db", "--alert-threshold", "-1"},
		{"tail", "--no-db", "--recent", "0"},
		{"parse", "--year", "100000"},
		{"tail", "--no-db", "--listen", "127.0.0.1:0", "--metrics-domains", "-1"},
		{"tail", "--no-db", "--listen", "127.0.0.1:0", "--metrics-domains", "1000000"},
		{"tail", "--no-db", "--listen", "127.0.0.1:0", "--queue", "auto", "--queue-interval", "10ms"},
	} {
		full := append(append([]string{}, args[0], "--db", ":memory:"), args[1:]...)
		if args[0] == "tail" || args[0] == "parse" {
			full = args
		}
		code, _, errOut := runCLI(t, "", append(full, corpusLog)...)
		if code != exitUsage || !strings.Contains(errOut, "out of range") || !strings.Contains(errOut, "Try: pftls "+args[0]) {
			t.Errorf("pftls %s: exit %d, %q; want a usage error saying out of range", strings.Join(args, " "), code, errOut)
		}
	}
	if code, _, errOut := runCLI(t, "", "report", "--db", ":memory:", "--year", "2026", "--top", "3", corpusLog); code != exitOK {
		t.Errorf("--top 3 --year 2026: exit %d: %s", code, errOut)
	}
}

// TestTail_no_db_with_db_is_usage_error: --no-db stores nothing, so a
// --db with it would be silently ignored.
func TestTail_no_db_with_db_is_usage_error(t *testing.T) {
	code, _, errOut := runCLI(t, "", "tail", "--no-db", "--db", filepath.Join(t.TempDir(), "x.db"), "-")
	if code != exitUsage || !strings.Contains(errOut, "--no-db") {
		t.Errorf("tail --no-db --db: exit %d, %q", code, errOut)
	}
}

// TestDB_dangling_symlink_is_refused: a --db path through a symbolic link
// to nothing is an error naming the link, and creates no file (it made a
// 0644 database at the link's target).
func TestDB_dangling_symlink_is_refused(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target.db")
	link := filepath.Join(dir, "pftls.db")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"ingest", "--db", link, "--year", "2026", corpusLog},
		{"prune", "--db", link, "--older-than", "1d"},
	} {
		code, _, errOut := runCLI(t, "", args...)
		if code != exitUsage || !strings.Contains(errOut, "symbolic link") {
			t.Errorf("pftls %s: exit %d, %q; want an error about the dangling link", args[0], code, errOut)
		}
		if _, err := os.Lstat(filepath.Join(dir, "target.db")); err == nil {
			t.Fatalf("pftls %s created the link's target", args[0])
		}
	}
}

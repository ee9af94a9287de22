package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRebuildDamagedDatabase: a damaged database gives an error that says
// how to rebuild, and --rebuild moves it aside and builds a new one.
func TestRebuildDamagedDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pftls.db")
	if err := os.WriteFile(db, []byte(strings.Repeat("not a database ", 500)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "", "ingest", "--db", db, "--year", "2026", corpusLog)
	if code != exitUsage || !strings.Contains(errOut, "pftls ingest --rebuild --db "+db) {
		t.Fatalf("damaged database: exit %d, %q", code, errOut)
	}
	code, out, errOut := runCLI(t, "", "ingest", "--rebuild", "--db", db, "--year", "2026", corpusLog)
	if code != exitOK || !strings.Contains(out, "5331 lines") || !strings.Contains(errOut, "moved the old database to "+db+".broken-") {
		t.Fatalf("--rebuild: exit %d, %q, %q", code, out, errOut)
	}
	matches, _ := filepath.Glob(db + ".broken-*")
	if len(matches) != 1 {
		t.Errorf("the damaged file should be kept aside once: %v", matches)
	}
	code, _, errOut = runCLI(t, "", "ingest", "--rebuild", "--db", db)
	if code != exitUsage || !strings.Contains(errOut, "needs the log files") {
		t.Errorf("--rebuild without FILE: exit %d, %q", code, errOut)
	}
}

package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestPrune_honours_PFTLS_NOW: prune's age counts back from $PFTLS_NOW,
// like every other command's "now" (the finding: prune ignored it).
func TestPrune_honours_PFTLS_NOW(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pftls.db")
	if code, _, errOut := runCLI(t, "", "ingest", "-q", "--db", db, "--year", "2026", "--tz", "UTC", corpusLog); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	t.Setenv("PFTLS_NOW", "2026-01-01T00:00:00Z") // before the corpus: nothing is older
	code, out, errOut := runCLI(t, "", "prune", "--db", db, "--older-than", "1d")
	if code != exitOK || !strings.Contains(out, "deleted 0 rows older than 2025-12-31T00:00:00Z") {
		t.Errorf("prune at PFTLS_NOW=2026-01-01: exit %d, %q, %q", code, out, errOut)
	}
	t.Setenv("PFTLS_NOW", "2027-06-01T00:00:00Z") // long after: everything is
	code, out, errOut = runCLI(t, "", "prune", "--db", db, "--older-than", "1d")
	if code != exitOK || !strings.Contains(out, "rows older than 2027-05-31T00:00:00Z") || strings.Contains(out, "deleted 0 rows") {
		t.Errorf("prune at PFTLS_NOW=2027-06-01: exit %d, %q, %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, "", "report", "--db", db, "--all", "--format", "json")
	if code != exitOK || !strings.Contains(out, `"delivered": 0`) {
		t.Errorf("after pruning everything the report should count nothing delivered: exit %d\n%.400s", code, out)
	}
}

// TestPrune_keep_facts: --keep-facts deletes the facts and keeps the
// hourly rollups; a report over the pruned time says what it lacks.
func TestPrune_keep_facts(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pftls.db")
	if code, _, errOut := runCLI(t, "", "ingest", "-q", "--db", db, "--year", "2026", "--tz", "UTC", corpusLog); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", "prune", "--db", db); code != exitUsage || !strings.Contains(errOut, "--keep-facts") {
		t.Errorf("prune without an age: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", "prune", "--db", db, "--keep-facts", "30", "--older-than", "7d"); code != exitUsage {
		t.Errorf("--keep-facts longer than --older-than: exit %d, %q", code, errOut)
	}
	t.Setenv("PFTLS_NOW", "2027-06-01T00:00:00Z")
	code, out, errOut := runCLI(t, "", "prune", "--db", db, "--keep-facts", "30")
	if code != exitOK || !strings.Contains(out, "facts older than 2027-05-02T00:00:00Z (hourly rollups kept)") {
		t.Errorf("prune --keep-facts 30: exit %d, %q, %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, "", "report", "--db", db, "--from", "2026-11-23", "--to", "2026-11-24", "--format", "json")
	if code != exitOK || !strings.Contains(out, `"incomplete": {`) || !strings.Contains(out, `"missing_detail": [`) {
		t.Errorf("a report over pruned facts does not say what it lacks: exit %d\n%.600s", code, out)
	}
	// --fail-on unreadable: the window could not be read whole. It exited 0
	// on a pruned window whose TLS failures and deferrals were the facts
	// pruned, and monitoring that looks at the exit status alone read "all
	// clear".
	code, out, errOut = runCLI(t, "", "report", "--db", db, "--from", "2026-11-23", "--to", "2026-11-24", "--format", "json", "--fail-on", "unreadable")
	if code != exitProblems || !strings.Contains(out, `"state": "incomplete"`) {
		t.Errorf("--fail-on unreadable over pruned facts: exit %d, stderr %q\n%.300s", code, errOut, out)
	}
	// Metrics have no incomplete line: over pruned facts they are refused.
	code, out, errOut = runCLI(t, "", "report", "--db", db, "--from", "2026-11-23", "--to", "2026-11-24", "--format", "prometheus")
	if code != exitUsage || !strings.Contains(errOut, "were pruned (pftls prune): metrics of the window cannot be made") {
		t.Errorf("metrics over pruned facts: exit %d, stdout %.300q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "", "report", "--db", db, "--since", "24h", "--format", "prometheus"); code != exitOK {
		t.Errorf("metrics of a window after the cut: exit %d: %s", code, errOut)
	}
}

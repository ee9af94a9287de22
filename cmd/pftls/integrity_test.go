package main

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestIngest_check_refuses_damaged_database: ingest --check runs an
// integrity check and does not write into a database that fails it (it
// kept writing into one); the error says how to rebuild it.
func TestIngest_check_refuses_damaged_database(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pftls.db")
	if code, _, errOut := runCLI(t, "", "ingest", "-q", "--db", db, "--year", "2026", corpusLog); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	sdb, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	var root, pageSize int64
	if err := sdb.QueryRow("SELECT rootpage FROM sqlite_master WHERE name = 'attempts'").Scan(&root); err != nil {
		t.Fatal(err)
	}
	if err := sdb.QueryRow("PRAGMA page_size").Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	f, err := os.OpenFile(db, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xde, 0xad}, int(pageSize)/2), (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, _, errOut := runCLI(t, "", "ingest", "--check", "--db", db, "--year", "2026", corpusLog)
	if code != exitUsage || !strings.Contains(errOut, "integrity check failed") || !strings.Contains(errOut, "pftls ingest --rebuild --db "+db) {
		t.Errorf("ingest --check on a damaged database: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", "ingest", "-q", "--rebuild", "--db", db, "--year", "2026", corpusLog); code != exitOK {
		t.Errorf("--rebuild after the check failed: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", "ingest", "-q", "--check", "--db", db, "--year", "2026", corpusLog); code != exitOK {
		t.Errorf("ingest --check on the rebuilt database: exit %d, %q", code, errOut)
	}
}

package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// damagedDatabase ingests the corpus into a new database and overwrites
// its schema (the rest of page 1, after the 100-byte header) with
// garbage: a pftls database (its header and mark intact) that SQLite
// cannot read.
func damagedDatabase(t *testing.T, db string) {
	t.Helper()
	if code, _, errOut := runCLI(t, "", "ingest", "-q", "--db", db, "--year", "2026", corpusLog); code != exitOK {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	f, err := os.OpenFile(db, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte(strings.Repeat("not a database ", 200)), 100); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// TestRebuildDamagedDatabase: a damaged database gives an error that says
// how to rebuild, and --rebuild moves it aside and builds a new one.
func TestRebuildDamagedDatabase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pftls.db")
	damagedDatabase(t, db)
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

// refusesToTouch runs each command on db and checks that it fails with
// "not a pftls database", gives no advice to rebuild it, and leaves the
// file as it was, with nothing moved aside.
func refusesToTouch(t *testing.T, db string) {
	t.Helper()
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "mail.log")
	if err := os.WriteFile(log, []byte("Nov 23 00:20:05 mail postfix/qmgr[13394]: 4D8D6BC3A0: removed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"ingest", "--rebuild", "--db", db, "--year", "2026", log},
		{"ingest", "--db", db, "--year", "2026", log},
		{"report", "--db", db, "--all"},
		{"report", "--db", db, "--year", "2026", log},
		{"prune", "--db", db, "--older-than", "1d"},
	} {
		code, _, errOut := runCLI(t, "", args...)
		if code != exitUsage || !strings.Contains(errOut, "not a pftls database") || strings.Contains(errOut, "--rebuild --db") {
			t.Errorf("pftls %s: exit %d, %q\nwant exit 2, \"not a pftls database\" and no advice to rebuild it", strings.Join(args, " "), code, errOut)
		}
		after, err := os.ReadFile(db)
		if err != nil || string(after) != string(before) {
			t.Fatalf("pftls %s changed or moved %s (%v)", strings.Join(args, " "), db, err)
		}
		if m, _ := filepath.Glob(db + ".broken-*"); len(m) > 0 {
			t.Fatalf("pftls %s moved a file aside: %v", strings.Join(args, " "), m)
		}
	}
}

// TestRebuild_refuses_mail_log: --db pointing at the mail log (the
// finding: the advice to rebuild renamed the mail log and wrote a
// database in its place).
func TestRebuild_refuses_mail_log(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mail.log")
	content, err := os.ReadFile(corpusLog)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, content, 0o640); err != nil {
		t.Fatal(err)
	}
	refusesToTouch(t, db)
}

// TestRebuild_refuses_empty_file: an empty file (a mail log just rotated)
// is not a database to move aside or take over.
func TestRebuild_refuses_empty_file(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mail.log")
	if err := os.WriteFile(db, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	refusesToTouch(t, db)
}

// TestRebuild_refuses_other_sqlite_database: another program's SQLite
// database, with or without an application_id, is neither taken over nor
// moved aside.
func TestRebuild_refuses_other_sqlite_database(t *testing.T) {
	for name, stmts := range map[string][]string{
		"with tables":         {"CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)", "INSERT INTO notes (body) VALUES ('keep me')"},
		"with application_id": {"PRAGMA application_id = 1234", "CREATE TABLE t (x)"},
		"with user_version":   {"PRAGMA user_version = 3", "CREATE TABLE sources (x)"},
	} {
		t.Run(name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "other.db")
			sdb, err := sql.Open("sqlite3", "file:"+db)
			if err != nil {
				t.Fatal(err)
			}
			for _, q := range stmts {
				if _, err := sdb.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			sdb.Close()
			refusesToTouch(t, db)
		})
	}
}

// TestRebuild_checks_inputs_before_moving: an input that cannot be read
// fails --rebuild before the database is moved aside.
func TestRebuild_checks_inputs_before_moving(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pftls.db")
	damagedDatabase(t, db)
	unreadable := filepath.Join(dir, "mail.log") // a directory: as root, no file is unreadable
	if err := os.Mkdir(unreadable, 0o700); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "", "ingest", "--rebuild", "--db", db, "--year", "2026", unreadable)
	if code != exitUsage || !strings.Contains(errOut, "not moved") {
		t.Errorf("--rebuild with a missing input: exit %d, %q", code, errOut)
	}
	if m, _ := filepath.Glob(db + ".broken-*"); len(m) > 0 {
		t.Errorf("--rebuild moved the database aside before checking its inputs: %v", m)
	}
	if _, err := os.Stat(db); err != nil {
		t.Errorf("the database is gone: %v", err)
	}
}

// TestRebuild_retry_in_same_second_keeps_both: two --rebuild runs at the
// same (pinned) time keep both old databases; the second must not
// overwrite the first with the database the first built.
func TestRebuild_retry_in_same_second_keeps_both(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pftls.db")
	damagedDatabase(t, db)
	original, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PFTLS_NOW", time.Date(2026, 11, 24, 6, 15, 0, 0, time.UTC).Format(time.RFC3339))
	for i := 0; i < 2; i++ {
		if code, _, errOut := runCLI(t, "", "ingest", "-q", "--rebuild", "--db", db, "--year", "2026", corpusLog); code != exitOK {
			t.Fatalf("--rebuild %d: exit %d: %s", i+1, code, errOut)
		}
	}
	matches, _ := filepath.Glob(db + ".broken-*[^lm]") // not -wal, -shm
	if len(matches) != 2 {
		t.Fatalf("two rebuilds in the same second kept %v, want two files", matches)
	}
	kept := 0
	for _, m := range matches {
		if b, _ := os.ReadFile(m); string(b) == string(original) {
			kept++
		}
	}
	if kept != 1 {
		t.Errorf("the damaged original is not among %v", matches)
	}
}

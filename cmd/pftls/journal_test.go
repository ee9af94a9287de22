package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

const journalDir = "../../testdata/journal"

// fakeJournal copies the fake journalctl and a recorded journal (the
// first n lines of testdata/journal/journal.json, all when n <= 0) into a
// directory of the test's: it returns the program and the journal file,
// to which the test may append entries.
func fakeJournal(t *testing.T, n int) (journalctl, journal string) {
	t.Helper()
	dir := t.TempDir()
	script, err := os.ReadFile(filepath.Join(journalDir, "fake-journalctl"))
	if err != nil {
		t.Fatal(err)
	}
	journalctl = filepath.Join(dir, "journalctl")
	if err := os.WriteFile(journalctl, script, 0o700); err != nil {
		t.Fatal(err)
	}
	entries := journalEntries(t)
	if n > 0 {
		entries = entries[:n]
	}
	journal = writeTemp(t, dir, "journal.json", []byte(strings.Join(entries, "")))
	return journalctl, journal
}

// journalEntries are the recorded journal's lines, each with its newline:
// testdata/inputs/journal.json (the session of classic.log) with entries
// of another unit (dovecot) between them.
func journalEntries(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(journalDir, "journal.json"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(strings.TrimSuffix(string(raw), "\n")+"\n", "\n")[:bytes.Count(raw, []byte("\n"))]
}

func journalArgs(db, journalctl string, extra ...string) []string {
	return append([]string{"ingest", "--db", db, "--year", "2026", "--tz", "UTC", "--journal", "--journalctl", journalctl}, extra...)
}

// TestIngestJournal: pftls ingest --journal reads Postfix's units through
// journalctl -o json and stores the cursor of the last entry with the
// facts: a second run adds nothing, a run after new entries stores only
// them, and the report equals the one of the same log read as a file.
func TestIngestJournal(t *testing.T) {
	const key = "journal:postfix.service,postfix@*.service"
	fileDB := filepath.Join(t.TempDir(), "file.db")
	if code, _, errOut := runCLI(t, "", ingestArgs(fileDB, filepath.Join(shapesDir, "classic.log"))...); code != 0 {
		t.Fatalf("ingest classic.log: exit %d: %s", code, errOut)
	}
	want := reportModel(t, fileDB).Totals

	t.Run("twice", func(t *testing.T) {
		journalctl, _ := fakeJournal(t, 0)
		db := filepath.Join(t.TempDir(), "p.db")
		for i, wantLines := range []int64{472, 0} {
			code, out, errOut := runCLI(t, "", journalArgs(db, journalctl)...)
			if code != 0 {
				t.Fatalf("run %d: exit %d: %s", i+1, code, errOut)
			}
			if got, _ := ingestCounts(t, out, key); got != wantLines {
				t.Errorf("run %d stored %d lines, want %d:\n%s", i+1, got, wantLines, out)
			}
		}
		if d := jsonLineDiff(reportModel(t, db).Totals, want); d != "" {
			t.Errorf("totals differ from classic.log ingested as a file:\n%s", d)
		}
	})

	t.Run("new-entries", func(t *testing.T) {
		entries := journalEntries(t)
		journalctl, journal := fakeJournal(t, 300)
		db := filepath.Join(t.TempDir(), "p.db")
		code, out, errOut := runCLI(t, "", journalArgs(db, journalctl)...)
		if code != 0 {
			t.Fatalf("first run: exit %d: %s", code, errOut)
		}
		first, _ := ingestCounts(t, out, key)
		appendFile(t, journal, strings.Join(entries[300:], ""))
		code, out, errOut = runCLI(t, "", journalArgs(db, journalctl)...)
		if code != 0 {
			t.Fatalf("second run: exit %d: %s", code, errOut)
		}
		second, _ := ingestCounts(t, out, key)
		if first+second != 472 || second == 0 {
			t.Errorf("runs stored %d + %d lines, want the 472 Postfix entries once", first, second)
		}
		if d := jsonLineDiff(reportModel(t, db).Totals, want); d != "" {
			t.Errorf("totals differ from classic.log ingested as a file:\n%s", d)
		}
	})

	t.Run("unit", func(t *testing.T) {
		journalctl, _ := fakeJournal(t, 0)
		db := filepath.Join(t.TempDir(), "p.db")
		code, out, errOut := runCLI(t, "", journalArgs(db, journalctl, "--unit", "dovecot.service")...)
		// Its entries are read and counted, and since none is Postfix's,
		// that is said as an input error.
		if code != exitUsage || !strings.Contains(errOut, "journal:dovecot.service: 0 of 10 lines are Postfix log lines") {
			t.Fatalf("exit %d, want %d and the input error: %s", code, exitUsage, errOut)
		}
		if got, _ := ingestCounts(t, out, "journal:dovecot.service"); got != 10 {
			t.Errorf("--unit dovecot.service stored %d lines, want its 10 entries:\n%s", got, out)
		}
	})

	// journalctl's failure is pftls's failure (exit 2, its message), never
	// an empty and therefore quiet window.
	for _, tc := range []struct {
		name, env, value, want string
		journalctl             string
	}{
		{"not-installed", "", "", "no-such-journalctl", filepath.Join(t.TempDir(), "no-such-journalctl")},
		{"fails", "FAKE_JOURNAL_FAIL", "Failed to open journal: Permission denied", "Failed to open journal: Permission denied", ""},
		{"no-permission", "FAKE_JOURNAL_HINT", "1", "not seeing messages from other users and the system", ""},
	} {
		t.Run("journalctl-"+tc.name, func(t *testing.T) {
			journalctl := tc.journalctl
			if journalctl == "" {
				journalctl, _ = fakeJournal(t, 0)
			}
			if tc.env != "" {
				t.Setenv(tc.env, tc.value)
			}
			db := filepath.Join(t.TempDir(), "p.db")
			code, _, errOut := runCLI(t, "", journalArgs(db, journalctl)...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tc.want)
			}
		})
	}

	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"ingest", "--unit", "postfix.service"},
			{"tail", "--follow"},
			{"tail", "--journal", "/var/log/mail.log"},
		} {
			if code, _, errOut := runCLI(t, "", args...); code != 2 || !strings.Contains(errOut, "--journal") {
				t.Errorf("pftls %v: exit %d, %q; want a usage error naming --journal", args, code, errOut)
			}
		}
	})
}

// TestTailJournal: pftls tail --journal -f stores what journalctl -f
// writes, from the stored cursor, until it is stopped; then an ingest
// --journal adds nothing.
func TestTailJournal(t *testing.T) {
	journalctl, _ := fakeJournal(t, 0)
	db := filepath.Join(t.TempDir(), "p.db")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var out, errOut bytes.Buffer
	go func() {
		done <- run(ctx, []string{"tail", "--db", db, "--year", "2026", "--tz", "UTC", "--resume", "--journal", "--journalctl", journalctl, "-f"},
			strings.NewReader(""), &out, &errOut)
	}()
	// tail commits after each burst; wait until the journal's entries are
	// stored, then stop it as SIGINT does.
	deadline := time.Now().Add(20 * time.Second)
	for {
		time.Sleep(50 * time.Millisecond)
		if n, ok := storedLinesOnceReady(db); ok && n >= 472 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("tail --journal -f did not store the journal's entries: %s", errOut.String())
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("tail --journal -f: exit %d: %s", code, errOut.String())
	}
	if !strings.Contains(out.String(), "untrusted") && !strings.Contains(out.String(), "deferred") {
		t.Errorf("tail --resume showed no events:\n%s", out.String())
	}
	code, o, e := runCLI(t, "", journalArgs(db, journalctl)...)
	if code != 0 {
		t.Fatalf("ingest after tail: exit %d: %s", code, e)
	}
	if got, _ := ingestCounts(t, o, "journal:postfix.service,postfix@*.service"); got != 0 {
		t.Errorf("ingest --journal after tail stored %d lines again, want 0", got)
	}
}

// TestTailJournalShowsFromNow: tail --journal stores every entry after the
// stored cursor, and by default shows only those written from now on
// (PFTLS_NOW), as tail of a file shows what is written from its start.
func TestTailJournalShowsFromNow(t *testing.T) {
	journalctl, _ := fakeJournal(t, 0)
	for _, tc := range []struct {
		now      string
		min, max int // events shown
	}{
		{"2026-11-23T00:00:00Z", 100, 1000}, // before the first entry: all
		{"2026-11-23T00:21:35Z", 1, 99},     // in the middle: the later ones
		{"2026-11-23T01:00:00Z", 0, 0},      // after the last: none
	} {
		t.Run(tc.now, func(t *testing.T) {
			t.Setenv("PFTLS_NOW", tc.now)
			db := filepath.Join(t.TempDir(), "p.db")
			code, out, errOut := runCLI(t, "", "tail", "--db", db, "--year", "2026", "--tz", "UTC", "--format", "json", "--journal", "--journalctl", journalctl)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if n := strings.Count(out, "\n"); n < tc.min || n > tc.max {
				t.Errorf("%d events shown, want %d to %d", n, tc.min, tc.max)
			}
			if got := storedFacts(t, db)["line_counts SUM(count)"]; got != 472 {
				t.Errorf("stored %d lines, want all 472", got)
			}
		})
	}
}

// TestIngestRealJournal reads a real journal file with the real
// journalctl: the recorded entries are imported with systemd-journal-remote
// into a journal file of the test's, and journalctl (through a wrapper that
// adds --file) is what pftls runs. It shows that the default unit globs
// find Debian's postfix@-.service and leave other units out, and that real
// cursors resume. It is skipped where systemd's tools are absent
// (apt-get install systemd systemd-journal-remote).
func TestIngestRealJournal(t *testing.T) {
	journalctl, err := exec.LookPath("journalctl")
	if err != nil {
		t.Skip("journalctl is not installed")
	}
	var remote string
	for _, p := range []string{"/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"} {
		if _, err := os.Stat(p); err == nil {
			remote = p
		}
	}
	if remote == "" {
		t.Skip("systemd-journal-remote is not installed")
	}
	dir := t.TempDir()
	// The export format: KEY=value lines, a blank line after each entry;
	// journald makes its own cursors.
	var export bytes.Buffer
	for i, line := range journalEntries(t) {
		var entry map[string]string
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&export, "__REALTIME_TIMESTAMP=%s\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=1c0d1c0d1c0d1c0d1c0d1c0d1c0d1c0d\n", entry["__REALTIME_TIMESTAMP"], 1000000+i)
		for k, v := range entry {
			if !strings.HasPrefix(k, "__") {
				fmt.Fprintf(&export, "%s=%s\n", k, v)
			}
		}
		export.WriteString("\n")
	}
	exportPath := writeTemp(t, dir, "export", export.Bytes())
	file := filepath.Join(dir, "test.journal")
	if out, err := exec.Command(remote, "-o", file, exportPath).CombinedOutput(); err != nil {
		t.Skipf("systemd-journal-remote cannot write a journal here: %v: %s", err, out)
	}
	wrapper := writeTemp(t, dir, "journalctl", []byte("#!/bin/sh\nexec "+journalctl+" --file "+file+" \"$@\"\n"))
	if err := os.Chmod(wrapper, 0o700); err != nil {
		t.Fatal(err)
	}

	fileDB := filepath.Join(t.TempDir(), "file.db")
	if code, _, errOut := runCLI(t, "", ingestArgs(fileDB, filepath.Join(shapesDir, "classic.log"))...); code != 0 {
		t.Fatalf("ingest classic.log: exit %d: %s", code, errOut)
	}
	db := filepath.Join(dir, "p.db")
	for i, want := range []int64{472, 0} {
		code, out, errOut := runCLI(t, "", journalArgs(db, wrapper)...)
		if code != 0 {
			t.Fatalf("run %d: exit %d: %s", i+1, code, errOut)
		}
		if got, _ := ingestCounts(t, out, "journal:postfix.service,postfix@*.service"); got != want {
			t.Errorf("run %d stored %d lines, want %d", i+1, got, want)
		}
	}
	if d := jsonLineDiff(reportModel(t, db).Totals, reportModel(t, fileDB).Totals); d != "" {
		t.Errorf("totals differ from classic.log ingested as a file:\n%s", d)
	}
}

// TestTailJournalDenied: a following journalctl that may not read the
// system journal says so and then follows the user's own (empty) entries
// forever; tail --journal -f must stop with its message (exit 2) instead
// of showing a quiet view.
func TestTailJournalDenied(t *testing.T) {
	journalctl, _ := fakeJournal(t, 0)
	t.Setenv("FAKE_JOURNAL_HINT", "1")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errOut bytes.Buffer
	code := run(ctx, []string{"tail", "--db", filepath.Join(t.TempDir(), "p.db"), "--journal", "--journalctl", journalctl, "-f"},
		strings.NewReader(""), &out, &errOut)
	if ctx.Err() != nil {
		t.Fatal("tail --journal -f went on following after journalctl's notice")
	}
	if code != 2 || !strings.Contains(errOut.String(), "not seeing messages from other users") {
		t.Errorf("exit %d, stderr %q; want 2 and journalctl's notice", code, errOut.String())
	}
}

// storedLinesOnceReady is the lines the database at db counts, and false
// while it cannot be read yet: tail may still be creating it (a reader
// that opened it then failed the test now and then under -race).
func storedLinesOnceReady(db string) (int64, bool) {
	if _, err := os.Stat(db); err != nil {
		return 0, false
	}
	st, err := aggregate.Open(context.Background(), db, aggregate.OpenOptions{ReadOnly: true})
	if err != nil {
		return 0, false
	}
	defer st.Close()
	s := &dbSummary{Counts: map[string]int64{}, Rows: map[string][]uint64{}, byHash: map[uint64]any{}}
	if err := st.Scan(context.Background(), aggregate.Query{}, &summarySink{s: s}); err != nil {
		return 0, false
	}
	return s.Counts["line_counts SUM(count)"], true
}

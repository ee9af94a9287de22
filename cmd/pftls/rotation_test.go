package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// gzipFile compresses path into path.gz and removes path, as logrotate's
// compress (or delaycompress, a cycle later) does.
func gzipFile(t *testing.T, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	writeTemp(t, filepath.Dir(path), filepath.Base(path)+".gz", buf.Bytes())
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func rename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// TestLogRotationOnTheCronPath: the README's cron and timer lines pass
// only /var/log/mail.log. The lines written between the last run and
// logrotate land in the rotated copy (mail.log.1, later mail.log.2.gz,
// or a dated name): the next run finds that copy by its fingerprint,
// finishes it from its stored offset, then reads the new log. Every line
// is stored once, exactly as when the whole log is ingested in one go.
func TestLogRotationOnTheCronPath(t *testing.T) {
	lines := corpusText(t, 4000)
	part := func(from, to int) string { return strings.Join(lines[from:to], "") }

	wantDB := filepath.Join(t.TempDir(), "once.db")
	whole := writeTemp(t, t.TempDir(), "mail.log", []byte(part(0, 4000)))
	if code, _, errOut := runCLI(t, "", ingestArgs(wantDB, whole)...); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	want := storedFacts(t, wantDB)

	for _, tc := range []struct {
		name string
		live string // the log's name
		// rotate turns the live log (lines up to the second run's start)
		// into its rotated copies and starts a new live log with next.
		rotate func(t *testing.T, dir, live, next string)
		report bool // the second run is the README's report line, not ingest
	}{
		{"log_rotation_rename", "mail.log", func(t *testing.T, dir, live, next string) {
			rename(t, filepath.Join(dir, live), filepath.Join(dir, live+".1"))
			writeTemp(t, dir, live, []byte(next))
		}, false},
		{"log_rotation_rename_report_cron_line", "mail.log", func(t *testing.T, dir, live, next string) {
			rename(t, filepath.Join(dir, live), filepath.Join(dir, live+".1"))
			writeTemp(t, dir, live, []byte(next))
		}, true},
		{"log_rotation_twice_delaycompress", "mail.log", func(t *testing.T, dir, live, next string) {
			// Two rotations between runs: the log read last time is now
			// mail.log.2.gz, and mail.log.1 was never seen.
			half := len(next) / 2
			for half > 0 && next[half-1] != '\n' {
				half--
			}
			rename(t, filepath.Join(dir, live), filepath.Join(dir, live+".1"))
			writeTemp(t, dir, live, []byte(next[:half]))
			rename(t, filepath.Join(dir, live+".1"), filepath.Join(dir, live+".2"))
			gzipFile(t, filepath.Join(dir, live+".2"))
			rename(t, filepath.Join(dir, live), filepath.Join(dir, live+".1"))
			writeTemp(t, dir, live, []byte(next[half:]))
		}, false},
		{"log_rotation_dateext_compress", "maillog", func(t *testing.T, dir, live, next string) {
			rename(t, filepath.Join(dir, live), filepath.Join(dir, live+"-20261205"))
			gzipFile(t, filepath.Join(dir, live+"-20261205"))
			writeTemp(t, dir, live, []byte(next))
		}, false},
		{"log_rotation_copytruncate", "mail.log", func(t *testing.T, dir, live, next string) {
			p := filepath.Join(dir, live)
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			writeTemp(t, dir, live+".1", raw)
			if err := os.Truncate(p, 0); err != nil {
				t.Fatal(err)
			}
			appendFile(t, p, next)
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "pftls.db")
			live := writeTemp(t, dir, tc.live, []byte(part(0, 1500)))
			if code, _, errOut := runCLI(t, "", ingestArgs(db, live)...); code != 0 {
				t.Fatalf("first run: exit %d: %s", code, errOut)
			}
			appendFile(t, live, part(1500, 2200)) // written after the run, before logrotate
			tc.rotate(t, dir, tc.live, part(2200, 4000))

			args := ingestArgs(db, live)
			if tc.report {
				args = []string{"report", "--db", db, "--since", "24h", "--year", "2026", "--tz", "UTC", "--format", "json", live}
			}
			code, out, errOut := runCLI(t, "", args...)
			if code != 0 {
				t.Fatalf("cron run: exit %d: %s", code, errOut)
			}
			if strings.Contains(errOut, "warning") {
				t.Errorf("cron run warned: %s", errOut)
			}
			if !tc.report {
				if n, _ := ingestCounts(t, out, live); n == 0 {
					t.Errorf("the new log was not read:\n%s", out)
				}
			}
			if d := jsonLineDiff(storedFacts(t, db), want); d != "" {
				t.Errorf("facts differ from one ingest of the whole log:\n%s\n%s", d, out)
			}
		})
	}
	// A rotated copy that is gone: rotation_gone_test.go.
}

// TestLogRotationREADMECronLine runs the README's crontab line as written
// (with a fake sendmail, and the log in a directory of the test's) before
// and after a rotation: every line is stored once.
func TestLogRotationREADMECronLine(t *testing.T) {
	args := readmeCommand(t, "15 6 * * * ")
	lines := corpusText(t, 4000)
	part := func(from, to int) string { return strings.Join(lines[from:to], "") }
	written := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	stamp := func(paths ...string) {
		for _, p := range paths {
			if err := os.Chtimes(p, written, written); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Setenv("PFTLS_NOW", "2026-11-23T08:00:00Z")

	wantDB := filepath.Join(t.TempDir(), "once.db")
	whole := writeTemp(t, t.TempDir(), "mail.log", []byte(part(0, 4000)))
	stamp(whole)
	if code, _, errOut := runCLI(t, "", "ingest", "--db", wantDB, whole); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	want := storedFacts(t, wantDB)

	dir := t.TempDir()
	fake, err := filepath.Abs("../../testdata/mail/fake-sendmail")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("FAKE_SENDMAIL_DIR", dir)
	db := filepath.Join(dir, "pftls.db")
	t.Setenv("PFTLS_DB", db)
	live := filepath.Join(dir, "mail.log")
	swap := map[string]string{"/usr/sbin/sendmail": fake, "/var/log/mail.log": live}
	var cron []string
	for _, a := range args[1:] {
		if r, ok := swap[a]; ok {
			a = r
		}
		cron = append(cron, a)
	}

	writeTemp(t, dir, "mail.log", []byte(part(0, 1500)))
	stamp(live)
	if code, _, errOut := runCLI(t, "", cron...); code != 0 {
		t.Fatalf("first cron run %v: exit %d: %s", cron, code, errOut)
	}
	appendFile(t, live, part(1500, 2200))
	rename(t, live, live+".1")
	writeTemp(t, dir, "mail.log", []byte(part(2200, 4000)))
	stamp(live, live+".1")
	if code, _, errOut := runCLI(t, "", cron...); code != 0 {
		t.Fatalf("cron run after logrotate: exit %d: %s", code, errOut)
	}
	if d := jsonLineDiff(storedFacts(t, db), want); d != "" {
		t.Errorf("facts differ from one ingest of the whole log:\n%s", d)
	}
}

// TestLogRotationBeforeTailStarts: tail started after a rotation first
// stores the rest of the log it (or ingest) read last time, now in
// mail.log.1, then follows the new mail.log: every line once.
func TestLogRotationBeforeTailStarts(t *testing.T) {
	lines := corpusText(t, 4000)
	part := func(from, to int) string { return strings.Join(lines[from:to], "") }
	wantDB := filepath.Join(t.TempDir(), "once.db")
	whole := writeTemp(t, t.TempDir(), "mail.log", []byte(part(0, 4000)))
	if code, _, errOut := runCLI(t, "", ingestArgs(wantDB, whole)...); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	want := storedFacts(t, wantDB)

	dir := t.TempDir()
	db := filepath.Join(dir, "pftls.db")
	live := writeTemp(t, dir, "mail.log", []byte(part(0, 1500)))
	if code, _, errOut := runCLI(t, "", ingestArgs(db, live)...); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errOut)
	}
	appendFile(t, live, part(1500, 2200))
	rename(t, live, live+".1")
	writeTemp(t, dir, "mail.log", []byte(part(2200, 4000)))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var out, errOut bytes.Buffer
	go func() {
		done <- run(ctx, []string{"tail", "--db", db, "--year", "2026", "--tz", "UTC", "--format", "json", live}, strings.NewReader(""), &out, &errOut)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for storedFacts(t, db)["line_counts SUM(count)"] < 4000 {
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("tail: exit %d: %s", code, errOut.String())
	}
	if d := jsonLineDiff(storedFacts(t, db), want); d != "" {
		t.Errorf("facts differ from one ingest of the whole log:\n%s", d)
	}
}

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// corpusLines returns the sample log's lines.
func corpusLines(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(corpusLog)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	return lines[:len(lines)-1] // the empty string after the last newline
}

func appendTo(t *testing.T, path string, lines []string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(strings.Join(lines, "")); err != nil {
		t.Fatal(err)
	}
}

// followFixture builds the binary and names a log and a database in a new
// directory, for the tests that run tail as a process.
func followFixture(t *testing.T) (bin, log, db string, lines []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary and runs it as a process")
	}
	dir := t.TempDir()
	return buildBinary(t), filepath.Join(dir, "mail.log"), filepath.Join(dir, "pftls.db"), corpusLines(t)
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// storedLines is how many log lines the database has counted.
func storedLines(t *testing.T, bin, db string) int64 {
	t.Helper()
	out, err := exec.Command(bin, "report", "--db", db, "--all", "--format", "json").Output()
	if err != nil {
		return -1 // not created yet
	}
	var m struct {
		Lines struct{ Read int64 } `json:"lines"`
	}
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("report JSON: %v", err)
	}
	return m.Lines.Read
}

// TestTailEndToEnd appends to a log while tail runs, rotates it by rename
// and create and then by copytruncate, and checks that every line reached
// the store exactly once, that notable events came out as JSON lines, and
// that SIGTERM ends it cleanly.
func TestTailEndToEnd(t *testing.T) {
	bin, log, db, lines := followFixture(t)
	parts := [][]string{lines[:1000], lines[1000:2000], lines[2000:3500], lines[3500:4500], lines[4500:]}

	appendTo(t, log, parts[0]) // already there when tail starts: stored, not shown
	cmd := exec.Command(bin, "tail", "--db", db, "--format", "json", "--year", "2026", "--tz", "UTC", log)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	want := int64(len(parts[0]))
	waitFor(t, "the existing lines to be stored", func() bool { return storedLines(t, bin, db) == want })

	appendTo(t, log, parts[1])
	want += int64(len(parts[1]))
	waitFor(t, "appended lines", func() bool { return storedLines(t, bin, db) == want })

	// logrotate's default: rename, then a new file.
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	appendTo(t, log, parts[2])
	want += int64(len(parts[2]))
	waitFor(t, "lines after rename+create", func() bool { return storedLines(t, bin, db) == want })

	// copytruncate: copy the file away, then truncate it in place.
	data, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(log+".2", data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(log, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	appendTo(t, log, parts[3])
	want += int64(len(parts[3]))
	waitFor(t, "lines after copytruncate", func() bool { return storedLines(t, bin, db) == want })

	appendTo(t, log, parts[4])
	want += int64(len(parts[4]))
	waitFor(t, "the last lines", func() bool {
		got := storedLines(t, bin, db)
		if got != want {
			t.Logf("stored %d, want %d", got, want)
		}
		return got == want
	})

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("tail after SIGTERM: %v\n%s", err, stderr.String())
	}
	if got := storedLines(t, bin, db); got != int64(len(lines)) {
		t.Errorf("stored %d lines, want each of the %d exactly once", got, len(lines))
	}

	// The event stream: JSON lines, only for lines read after the start.
	kinds := map[string]int{}
	sc := bufio.NewScanner(&stdout)
	for sc.Scan() {
		var ev struct {
			Kind, Domain, Time string
		}
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("event line is not JSON: %q: %v", sc.Text(), err)
		}
		kinds[ev.Kind]++
		if ev.Time < "2026-11-23T00:20:12" {
			t.Errorf("event from before tail started was shown: %s", sc.Text())
		}
	}
	if kinds["tls-failure"] == 0 || kinds["deferred"] == 0 || kinds["bounced"] == 0 {
		t.Errorf("event kinds = %v, want TLS failures, deferrals and bounces", kinds)
	}

	// The same log ingested again adds nothing: tail stored its offsets.
	out, err := exec.Command(bin, "ingest", "--db", db, "--year", "2026", log+".1", log).CombinedOutput()
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	if got := storedLines(t, bin, db); got != int64(len(lines)) {
		t.Errorf("after re-ingesting the rotated files: %d lines, want %d\n%s", got, len(lines), out)
	}
}

// TestTailFromEmptyLog: tail started on a log just emptied by rotation
// (too short then to be recognised) stores what is written to it, and a
// later ingest of the same file adds nothing.
func TestTailFromEmptyLog(t *testing.T) {
	bin, log, db, lines := followFixture(t)
	if err := os.WriteFile(log, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "tail", "--db", db, "--format", "json", "--year", "2026", "--tz", "UTC", log)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	time.Sleep(300 * time.Millisecond) // tail has opened the empty file
	appendTo(t, log, lines)
	waitFor(t, "the lines to be stored", func() bool { return storedLines(t, bin, db) == int64(len(lines)) })
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("tail after SIGTERM: %v\n%s", err, stderr.String())
	}

	out, err := exec.Command(bin, "ingest", "--db", db, "--year", "2026", "--tz", "UTC", log).CombinedOutput()
	if err != nil {
		t.Fatalf("ingest: %v\n%s", err, out)
	}
	if got := storedLines(t, bin, db); got != int64(len(lines)) {
		t.Errorf("after ingesting the file tail read: %d lines stored, want %d\n%s", got, len(lines), out)
	}
}

// TestTailStdin reads a finished stream from standard input to its end.
func TestTailStdin(t *testing.T) {
	lines := corpusLines(t)
	db := filepath.Join(t.TempDir(), "pftls.db")
	code, out, errOut := runCLI(t, strings.Join(lines[:3000], ""), "tail", "--db", db, "--year", "2026", "--format", "text", "-")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "tls-failure bank.example.net") {
		t.Errorf("text events lack the bank TLS failure:\n%.2000s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, "2026-11-23T") {
			t.Errorf("event line does not start with its time: %q", line)
			break
		}
	}
}

func TestTailUsage(t *testing.T) {
	code, _, errOut := runCLI(t, "", "tail", "--resume", "--from-start", "x.log")
	if code != exitUsage || !strings.Contains(errOut, "--resume or --from-start") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	code, _, errOut = runCLI(t, "", "tail", "--format", "xml", "x.log")
	if code != exitUsage || !strings.Contains(errOut, "--format") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	code, _, errOut = runCLI(t, "", "tail", "--color", "sometimes", "x.log")
	if code != exitUsage || !strings.Contains(errOut, "--color") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// TestAlertCommand: a domain crossing the threshold runs the command once
// per window, with the event as JSON on stdin.
func TestAlertCommand(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "alerts")
	lines := corpusLines(t)
	code, _, errOut := runCLI(t, strings.Join(lines, ""), "tail", "--no-db", "--year", "2026", "--window", "1h",
		"--alert-threshold", "5", "--alert-cmd", "cat >> "+out, "-")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	domains := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var a struct {
			Domain      string `json:"domain"`
			TLSFailures int    `json:"tls_failures"`
			Event       struct {
				Kind string `json:"kind"`
			} `json:"event"`
		}
		if err := json.Unmarshal([]byte(line), &a); err != nil {
			t.Fatalf("alert payload is not JSON: %q", line)
		}
		if a.TLSFailures < 5 || a.Event.Kind != "tls-failure" {
			t.Errorf("alert %+v", a)
		}
		domains[a.Domain]++
	}
	// Within one window each domain alerts once; the corpus has 9 failing
	// domains, 8 of them with at least 5 failures (oldpartner has 10 too).
	for d, n := range domains {
		if n != 1 {
			t.Errorf("%s alerted %d times in one window", d, n)
		}
	}
	if domains["bank.example.net"] != 1 || len(domains) < 8 {
		t.Errorf("alerted domains = %v", domains)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestReport_while_tail_writes_reads_database: the README's cron line
// (report --since 24h ... /var/log/mail.log) run while pftls tail follows
// and stores that log succeeds at once, from the database, and counts
// every line once (it waited 30 s for the writer lock and exited 2, and
// the daily mail was not sent). ingest of the same log has nothing to do.
func TestReport_while_tail_writes_reads_database(t *testing.T) {
	dir := t.TempDir()
	log, db := filepath.Join(dir, "mail.log"), filepath.Join(dir, "pftls.db")
	lines := corpusLines(t)
	half := len(lines) / 2
	if err := os.WriteFile(log, []byte(strings.Join(lines[:half], "")), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PFTLS_NOW", "2026-11-24T06:15:00Z")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	var tailOut, tailErr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"tail", "--db", db, "--year", "2026", "--tz", "UTC", "--from-start", "--format", "json", log}, strings.NewReader(""), &tailOut, &tailErr)
	}()

	// read is the report's count of lines read, by the cron form.
	read := func() int64 {
		t.Helper()
		start := time.Now()
		code, out, errOut := runCLI(t, "", "report", "--since", "7d", "--db", db, "--year", "2026", "--tz", "UTC", "--format", "json", "--lock-wait", "5s", log)
		if code != exitOK {
			t.Fatalf("report while tail runs: exit %d: %s", code, errOut)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("report waited %v", d)
		}
		if !strings.Contains(errOut, "stored by pftls tail") {
			t.Errorf("report did not say it reads what tail stores: %q", errOut)
		}
		var m struct {
			Lines struct {
				Read int64 `json:"read"`
			} `json:"lines"`
		}
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatal(err)
		}
		return m.Lines.Read
	}
	waitRead := func(want int64) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			got := read()
			if got == want {
				return
			}
			if got > want || time.Now().After(deadline) {
				t.Fatalf("report counts %d lines, want %d", got, want)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	// Wait for tail to hold the lock.
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, ok := followedByTail(db, []string{log}); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tail did not take the lock: %s", tailErr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// Its rotated copies are its lines too; a log that only starts like
	// it is not, and a report reads it itself.
	for name, want := range map[string]bool{log + ".1": true, log + ".2.gz": true, log + "-20261124": true, log + ".bak": false, log + "2": false} {
		if _, ok := followedByTail(db, []string{name}); ok != want {
			t.Errorf("followedByTail(%s) = %v, want %v", filepath.Base(name), ok, want)
		}
	}
	waitRead(int64(half))
	appendTo(t, log, lines[half:])
	waitRead(int64(len(lines)))
	if code, _, errOut := runCLI(t, "", "ingest", "--db", db, "--year", "2026", "--lock-wait", "1s", log); code != exitOK || !strings.Contains(errOut, "nothing to do") {
		t.Errorf("ingest while tail stores the same log: exit %d, %q", code, errOut)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("tail: exit %d: %s", code, tailErr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("tail did not end")
	}
	// Once tail has ended, the report ingests the file itself and finds
	// nothing new: still every line once.
	code, out, errOut := runCLI(t, "", "report", "--since", "7d", "--db", db, "--year", "2026", "--tz", "UTC", "--format", "json", log)
	if code != exitOK || !strings.Contains(out, `"read": `+strconv.Itoa(len(lines))) {
		t.Errorf("report after tail: exit %d, %s\n%.300s", code, errOut, out)
	}
}

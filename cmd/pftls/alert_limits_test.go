package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/report"
)

// TestAlert_cmd_processes_capped: a burst of TLS failures at many domains
// runs at most maxAlertProcs --alert-cmd processes at once (it started one
// per domain, 500 at once); beyond maxAlertPending waiting, alerts are
// counted and reported on stderr.
func TestAlert_cmd_processes_capped(t *testing.T) {
	var stderr bytes.Buffer
	release := filepath.Join(t.TempDir(), "release")
	// Each command waits until the test releases it, so they overlap.
	cmd := fmt.Sprintf("while [ ! -e %s ]; do sleep 0.02; done", release)
	a := newAlerter(cmd, 1, time.Hour, &stderr)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	const burst = 100
	for i := range burst {
		a.observe(report.LiveEvent{Time: at, Kind: report.KindTLSFailure, Domain: fmt.Sprintf("d%d.example", i)})
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(a.running) < maxAlertProcs && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // room for more to start, if they could
	if n := len(a.running); n != maxAlertProcs {
		t.Errorf("%d alert commands running, want %d", n, maxAlertProcs)
	}
	if err := os.WriteFile(release, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	a.wait()
	if want := fmt.Sprintf("%d alerts not run", burst-maxAlertPending); !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr.String(), want)
	}
}

// TestSendmail_hanging_is_killed: a sendmail that never answers is killed
// after the time limit and the report fails with an error saying so (it
// held the cron job forever).
func TestSendmail_hanging_is_killed(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "sendmail")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\nexec sleep 60\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := sendMailWithin(context.Background(), fake, []byte("Subject: x\r\n\r\nx\r\n"), 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "no answer within 200ms") {
		t.Errorf("hanging sendmail: %v, want a timeout error", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("hanging sendmail held the report for %v", d)
	}
}

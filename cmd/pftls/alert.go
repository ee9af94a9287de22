package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"time"

	"github.com/pftls/pftls/report"
)

// alerter runs --alert-cmd when a domain's TLS failures within the window
// reach the threshold, at most once per domain per window. Times are the
// log's, so a burst read during catch-up alerts as it would have live.
type alerter struct {
	cmd       string
	threshold int
	window    time.Duration
	stderr    io.Writer
	times     map[string][]time.Time
	last      map[string]time.Time
	wg        sync.WaitGroup
	mu        sync.Mutex    // guards stderr writes from alert goroutines, and dropped
	running   chan struct{} // a slot per running command (maxAlertProcs)
	pending   chan struct{} // a slot per alert running or waiting (maxAlertPending)
	dropped   int           // alerts not run because maxAlertPending were under way
}

// maxAlertProcs is how many --alert-cmd processes run at once (a burst of
// failures at 500 domains started 500 shells); up to maxAlertPending
// alerts wait for one of them, in no set order. Alerts beyond that are
// not run: they are counted and reported on stderr.
const (
	maxAlertProcs   = 4
	maxAlertPending = 64
)

func newAlerter(cmd string, threshold int, window time.Duration, stderr io.Writer) *alerter {
	return &alerter{cmd: cmd, threshold: max(threshold, 1), window: window, stderr: stderr,
		times: map[string][]time.Time{}, last: map[string]time.Time{}, running: make(chan struct{}, maxAlertProcs), pending: make(chan struct{}, maxAlertPending)}
}

// alertPayload is what --alert-cmd reads on stdin.
type alertPayload struct {
	Domain      string          `json:"domain"`
	TLSFailures int             `json:"tls_failures"`
	Window      string          `json:"window"`
	Threshold   int             `json:"threshold"`
	Event       json.RawMessage `json:"event"`
}

func (a *alerter) observe(ev report.LiveEvent) {
	if ev.Kind != report.KindTLSFailure || ev.Domain == "" {
		return
	}
	cut := ev.Time.Add(-a.window)
	kept := a.times[ev.Domain][:0]
	for _, t := range a.times[ev.Domain] {
		if t.After(cut) {
			kept = append(kept, t)
		}
	}
	kept = append(kept, ev.Time)
	a.times[ev.Domain] = kept
	if len(kept) < a.threshold {
		return
	}
	if last, ok := a.last[ev.Domain]; ok && ev.Time.Sub(last) < a.window {
		return
	}
	a.last[ev.Domain] = ev.Time
	var evJSON bytes.Buffer
	if err := report.WriteEventJSON(&evJSON, ev); err != nil {
		return
	}
	payload, err := json.Marshal(alertPayload{Domain: ev.Domain, TLSFailures: len(kept), Window: a.window.String(),
		Threshold: a.threshold, Event: bytes.TrimSpace(evJSON.Bytes())})
	if err != nil {
		return
	}
	select {
	case a.pending <- struct{}{}:
	default:
		a.mu.Lock()
		a.dropped++
		if a.dropped == 1 || a.dropped%100 == 0 {
			fmt.Fprintf(a.stderr, "pftls tail: --alert-cmd: %d alerts already under way; alert for %s not run (%d so far)\n", maxAlertPending, ev.Domain, a.dropped)
		}
		a.mu.Unlock()
		return
	}
	a.wg.Add(1)
	go a.fire(payload)
}

// fire runs the command with a time limit; its failure is reported, not fatal.
func (a *alerter) fire(payload []byte) {
	defer a.wg.Done()
	defer func() { <-a.pending }()
	a.running <- struct{}{}
	defer func() { <-a.running }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", a.cmd)
	cmd.Stdin = bytes.NewReader(append(payload, '\n'))
	if out, err := cmd.CombinedOutput(); err != nil {
		a.mu.Lock()
		fmt.Fprintf(a.stderr, "pftls tail: --alert-cmd: %v: %s\n", err, bytes.TrimSpace(out))
		a.mu.Unlock()
	}
}

// wait lets running alert commands finish, and says how many alerts
// were not run.
func (a *alerter) wait() {
	if a != nil {
		a.wg.Wait()
		if a.dropped > 0 {
			fmt.Fprintf(a.stderr, "pftls tail: --alert-cmd: %d alerts not run: %d were already under way (%d commands at once)\n", a.dropped, maxAlertPending, maxAlertProcs)
		}
	}
}

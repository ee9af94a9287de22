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
	mu        sync.Mutex // guards stderr writes from alert goroutines
}

func newAlerter(cmd string, threshold int, window time.Duration, stderr io.Writer) *alerter {
	return &alerter{cmd: cmd, threshold: max(threshold, 1), window: window, stderr: stderr,
		times: map[string][]time.Time{}, last: map[string]time.Time{}}
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
	a.wg.Add(1)
	go a.fire(payload)
}

// fire runs the command with a time limit; its failure is reported, not fatal.
func (a *alerter) fire(payload []byte) {
	defer a.wg.Done()
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

// wait lets running alert commands finish.
func (a *alerter) wait() {
	if a != nil {
		a.wg.Wait()
	}
}

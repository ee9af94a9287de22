package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"

	"github.com/pftls/pftls/report"
)

// This file is tail --queue's wiring: postqueue -j run on a timer, its
// output handed to report's queue gauges (report/queue.go).

// queueCollector runs postqueue -j every interval and serves the last
// snapshot (report.QueueCollector).
type queueCollector struct {
	path     string
	interval time.Duration
	now      func() time.Time

	report.QueueCollector
}

// findPostqueue resolves --queue: "auto" finds postqueue in PATH or
// /usr/sbin and gives "" when there is none; anything else is a path.
func findPostqueue(flag string) (string, error) {
	if flag != "auto" {
		if _, err := exec.LookPath(flag); err != nil {
			return "", usagef("pftls tail --listen 127.0.0.1 --queue auto", "--queue %s: %v", flag, err)
		}
		return flag, nil
	}
	for _, p := range []string{"postqueue", "/usr/sbin/postqueue"} {
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
	}
	return "", nil
}

// refresh runs postqueue -j once.
func (q *queueCollector) refresh(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, q.path, "-j")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var snap *report.QueueSnapshot
	if err == nil {
		snap, err = report.ReadQueue(bytes.NewReader(out), q.now())
	} else if msg := strings.TrimSpace(stderr.String()); msg != "" {
		err = fmt.Errorf("%w: %s", err, msg)
	}
	if err != nil {
		q.Failed()
		return fmt.Errorf("%s -j: %w", q.path, err)
	}
	q.Set(snap, q.now())
	return nil
}

// run refreshes every interval until ctx ends; the first failure of a
// run of failures is written to stderr.
func (q *queueCollector) run(ctx context.Context, stderr io.Writer) {
	t := time.NewTicker(q.interval)
	defer t.Stop()
	failing := false
	for {
		err := q.refresh(ctx)
		if err != nil && !failing && !errors.Is(ctx.Err(), context.Canceled) {
			fmt.Fprintf(stderr, "pftls: warning: queue: %v\n", err)
		}
		failing = err != nil
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

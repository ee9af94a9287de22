package aggregate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse/source"
)

// TestLogRotation_between_identify_and_follow: tail looks at the log to
// find its stored offset, then opens it to follow. A rotation between the
// two used to apply the old file's offset to the new one, so the new
// file's first lines were never stored. Now the followed file is checked
// against the identified one and tail looks again: every line of the new
// file is stored.
func TestLogRotation_between_identify_and_follow(t *testing.T) {
	ctx := t.Context()
	data := readCorpus(t)
	lines := strings.SplitAfter(string(data), "\n")
	old, next := strings.Join(lines[:1000], ""), strings.Join(lines[1000:3000], "")
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	if err := os.WriteFile(log, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := Open(ctx, filepath.Join(dir, "pftls.db"), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	resolver := resolve2026
	ingest := &Pump{Store: store, Corr: NewCorrelator(DefaultOptions), Resolver: resolver}
	rd, err := source.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.IngestReader(ctx, rd); err != nil {
		t.Fatal(err)
	}
	rd.Close()

	var stored atomic.Int64
	tailCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	pump := &Pump{Store: store, Corr: NewCorrelator(DefaultOptions), Resolver: resolver,
		OnCommit: func(f FileResult) {
			if f.Path == log {
				stored.Store(f.Lines)
			}
		}}
	if err := pump.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	rotated := false
	done := make(chan error, 1)
	go func() {
		done <- pump.Tail(tailCtx, TailOptions{Path: log, Show: ShowResumed, beforeFollow: func() {
			if rotated {
				return
			}
			rotated = true
			if err := os.Rename(log, log+".1"); err != nil {
				t.Error(err)
			}
			if err := os.WriteFile(log, []byte(next), 0o644); err != nil {
				t.Error(err)
			}
		}})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for stored.Load() < 2000 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("Tail: %v", err)
	}
	if !rotated {
		t.Fatal("the log was not rotated between identifying and following it")
	}
	if n := stored.Load(); n != 2000 {
		t.Errorf("tail stored %d lines of the new log, want all 2000", n)
	}
}

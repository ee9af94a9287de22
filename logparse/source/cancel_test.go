package source

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"
)

// nextWithin calls rd.Next in a goroutine, cancels after a moment and
// returns Next's error, failing when Next does not return within a second
// of the cancellation.
func nextWithin(t *testing.T, cancel context.CancelFunc, next func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		for {
			if err := next(); err != nil {
				done <- err
				return
			}
		}
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Second):
		t.Fatal("Next still reading a second after cancellation")
		return nil
	}
}

// TestReader_idle_stdin_stops_on_ctx: a pipe nobody writes to (standard
// input of a cron job, say) no longer holds Next past its context.
func TestReader_idle_stdin_stops_on_ctx(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { pw.Write([]byte("Nov 23 00:20:05 mail postfix/qmgr[1]: 4D8D6BC3A0: removed\n")) }()
	rd, err := NewReaderContext(ctx, "-", pr)
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	err = nextWithin(t, cancel, func() error {
		_, err := rd.Next(ctx)
		if err == nil {
			got++
		}
		return err
	})
	if !errors.Is(err, context.Canceled) || got != 1 {
		t.Errorf("Next after cancellation: %v after %d lines, want context.Canceled after 1", err, got)
	}
}

// TestReader_line_that_never_ends_stops_on_ctx: /dev/zero has no newline;
// Next used to read it forever.
func TestReader_line_that_never_ends_stops_on_ctx(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	ctx, cancel := context.WithCancel(context.Background())
	rd, err := OpenContext(ctx, "/dev/zero")
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	err = nextWithin(t, cancel, func() error { _, err := rd.Next(ctx); return err })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Next after cancellation: %v, want context.Canceled", err)
	}
}

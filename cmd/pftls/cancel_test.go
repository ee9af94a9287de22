package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCommands_exit_within_a_second_of_cancel: SIGTERM and SIGINT (the
// context of run, see main.go) end every command that reads input within
// a second, whatever it is reading: standard input nobody writes to, or a
// line that never ends (/dev/zero ran 10 minutes at 100% CPU).
func TestCommands_exit_within_a_second_of_cancel(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "pftls.db")
	cases := [][]string{
		{"ingest", "--db", db, "--year", "2026", "-"},
		{"ingest", "--db", db, "--year", "2026", "/dev/zero"},
		{"report", "--db", ":memory:", "--year", "2026", "-"},
		{"report", "--db", ":memory:", "--year", "2026", "/dev/zero"},
		{"report", "--db", db, "--year", "2026", "/dev/zero"},
		{"explain", "--db", ":memory:", "--year", "2026", "example.com", "-"},
		{"explain", "--db", ":memory:", "--year", "2026", "example.com", "/dev/zero"},
		{"parse", "-"},
		{"parse", "/dev/zero"},
		{"tail", "--db", db, "--year", "2026", "-"},
		{"tail", "--no-db", "--year", "2026", "-"},
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			pr, pw := io.Pipe() // never written to
			defer pw.Close()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan int, 1)
			var out, errOut bytes.Buffer
			go func() { done <- run(ctx, args, pr, &out, &errOut) }()
			time.Sleep(300 * time.Millisecond) // reading by now
			cancel()
			start := time.Now()
			select {
			case code := <-done:
				t.Logf("exit %d after %v: %s", code, time.Since(start).Round(time.Millisecond), strings.TrimSpace(errOut.String()))
			case <-time.After(time.Second):
				t.Fatalf("pftls %s still running a second after cancellation", strings.Join(args, " "))
			}
		})
	}
}

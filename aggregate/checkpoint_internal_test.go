package aggregate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBackgroundCheckpoint: rows committed by the writer reach the
// database file through the background checkpointer, long before the
// writer's own checkpoint threshold, and closing removes the WAL.
func TestBackgroundCheckpoint(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pftls.db")
	s, err := Open(ctx, path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.ckpt == nil {
		t.Fatal("a writable file store has no checkpointer")
	}
	s.ckpt.every = 64 << 10
	size := func(p string) int64 {
		fi, err := os.Stat(p)
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	before := size(path)
	text := strings.Repeat("x", 1000)
	for i := range 40 {
		var b Batch
		for j := range 100 {
			// Each text its own: a repeated one would be stored once
			// (dict.go).
			b.Warnings = append(b.Warnings, Warning{Time: time.Unix(int64(i*100+j), 0), Host: "mx", Program: "postfix/smtpd", Severity: "warning",
				Text: fmt.Sprint(i*100+j, text)})
		}
		if err := s.Commit(ctx, &b, nil, nil, time.Now()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond) // let the checkpointer run between commits
	}
	deadline := time.Now().Add(10 * time.Second)
	for size(path) < before+2<<20 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := size(path); got < before+2<<20 {
		t.Fatalf("database file %d bytes after 4 MB of rows (was %d): nothing checkpointed in the background", got, before)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Errorf("WAL left after close: %v", err)
	}
}

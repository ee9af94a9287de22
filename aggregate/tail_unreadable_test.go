package aggregate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// TestLogRotation_new_file_unreadable: the followed log is rotated and
// its path then holds something tail cannot read (a directory here: the
// test may run as root, who can open a file of any mode). Tail tells
// OnUnreadable at once, and its ticks say so, until a file there can be
// read; its lines are then read. The lines before were all read.
func TestLogRotation_new_file_unreadable(t *testing.T) {
	lines := readLines(t, corpusLog)
	log := filepath.Join(t.TempDir(), "mail.log")
	writeFile(t, log, joinLines(lines[:100]))
	told := make(chan error, 16)
	tl := startTail(t, newPump(nil), aggregate.TailOptions{Path: log, Show: aggregate.ShowFromStart,
		OnUnreadable: func(err error) { told <- err }})
	tl.waitLines(t, 100)

	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(log, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := waitTold(t, told); err == nil || err.Error() != "open "+log+": is a directory" {
		t.Fatalf("OnUnreadable(%v), want open %s: is a directory", err, log)
	}
	if s := tl.status1(t); s.Unreadable == nil || !strings.Contains(s.Unreadable.Error(), "is a directory") {
		t.Errorf("tick after the report: Unreadable = %v, want the directory", s.Unreadable)
	}

	// The directory goes and a log comes; a look in between may find the
	// path empty, which is told too (it was unreadable), before the file.
	if err := os.Remove(log); err != nil {
		t.Fatal(err)
	}
	writeFile(t, log, joinLines(lines[100:200]))
	for err := waitTold(t, told); err != nil; err = waitTold(t, told) {
		if !strings.Contains(err.Error(), "no such file or directory") {
			t.Fatalf("OnUnreadable(%v) while the log came back, want it gone or nil", err)
		}
	}
	tl.waitLines(t, 200)
	if s := tl.status1(t); s.Unreadable != nil {
		t.Errorf("tick after the file was read: Unreadable = %v, want nil", s.Unreadable)
	}
	tl.stop(t)
	if len(told) > 0 {
		t.Errorf("OnUnreadable(%v) after the file was read", <-told)
	}
}

// waitTold waits up to 10 s for the next OnUnreadable.
func waitTold(t *testing.T, told <-chan error) error {
	t.Helper()
	select {
	case err := <-told:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("OnUnreadable was not told within 10s")
		return nil
	}
}

// status1 asks for a tick and returns its status.
func (tl *tailRun) status1(t *testing.T) aggregate.TailStatus {
	t.Helper()
	select {
	case tl.tick <- struct{}{}:
	case err := <-tl.done:
		t.Fatalf("Tail ended: %v", err)
	}
	return <-tl.status
}

package source

import (
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests follow real files in temporary directories. In the "look"
// mode the Reader runs on a testWaker: it looks at the file again only
// when the test says so, and the test knows when it has finished a look,
// so that "nothing more arrives" is checked after two complete looks
// instead of by waiting. The "poll" mode runs the production timer (every
// 250ms) on the same scenarios, with wall-clock bounds: a line expected is
// waited for at most followWait, and a check that nothing more arrives
// waits quietFor.
const followWait = 5 * time.Second

func quietFor(o FollowOptions) time.Duration {
	if o.Poll {
		return 700 * time.Millisecond
	}
	return 200 * time.Millisecond // only used when a test gives its own timer
}

// followModes are the ways of noticing changes that each scenario runs under.
var followModes = []struct {
	name string
	o    FollowOptions
}{
	{"look", FollowOptions{}},
	{"poll", FollowOptions{Poll: true}},
}

// testWaker is mtail's test waker: a following Reader that has read all
// there was and looked at the path waits for the test to wake it.
type testWaker struct {
	waiting chan chan struct{} // the Reader is waiting: close the channel to wake it
	done    chan struct{}      // closed at the end of the test: every wait ends at once
}

func newTestWaker() *testWaker {
	return &testWaker{waiting: make(chan chan struct{}), done: make(chan struct{})}
}

func (w *testWaker) Wake() <-chan struct{} {
	c := make(chan struct{})
	select {
	case w.waiting <- c:
	case <-w.done:
		close(c)
	}
	return c
}

// followed is a followed Line with its bytes copied.
type followed struct {
	text      string
	end       int64
	file      Identity
	reopened  bool
	truncated bool
}

func (l followed) String() string {
	return fmt.Sprintf("%q end=%d reopened=%v truncated=%v inode=%d fp=%.8s/%d",
		l.text, l.end, l.reopened, l.truncated, l.file.Inode, l.file.Fingerprint, l.file.FingerprintLen)
}

// following is a Reader made by Follow, read on a goroutine of its own
// into lines, as tail reads it.
type following struct {
	lines   chan followed
	errc    chan error
	reports chan error    // what the Reader told FollowOptions.Unreadable
	w       *testWaker    // nil: the Reader runs on a timer
	pending chan struct{} // the Reader's current wait, once the test has seen it
}

// startFollow follows path and stops at the end of the test. Without a
// Waker in o and without Poll, it runs on a testWaker. What the Reader
// reports as unreadable goes to reports.
// followFirstLine follows a new mail.log that holds one line, read
// already.
func followFirstLine(t *testing.T, o FollowOptions) (string, *following) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mail.log")
	appendLog(t, path, joinLines(mailLine(1)))
	f := startFollow(t, path, o)
	expectLines(t, f, mailLine(1))
	return path, f
}

// rotateAway renames the log at path to path.1, as logrotate does.
func rotateAway(t *testing.T, path string) {
	t.Helper()
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
}

func startFollow(t *testing.T, path string, o FollowOptions) *following {
	t.Helper()
	h := &following{lines: make(chan followed, 4096), errc: make(chan error, 1), reports: make(chan error, 64)}
	if o.Waker == nil && !o.Poll {
		h.w = newTestWaker()
		o.Waker = h.w
	}
	o.Unreadable = func(err error) { h.reports <- err }
	f, err := Follow(path, o)
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			l, err := f.Next(ctx)
			if err != nil {
				if ctx.Err() == nil {
					h.errc <- err
				}
				return
			}
			h.lines <- followed{string(l.Bytes), l.End, *l.File, l.Reopened, l.Truncated}
		}
	}()
	t.Cleanup(func() {
		cancel()
		if h.w != nil {
			close(h.w.done)
		}
		<-done
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return h
}

// settle waits until the Reader waits: it has read all there was and
// looked at the path.
func (h *following) settle(t *testing.T) {
	t.Helper()
	if h.pending != nil {
		return
	}
	select {
	case h.pending = <-h.w.waiting:
	case err := <-h.errc:
		t.Fatalf("Next: %v", err)
	case <-time.After(followWait):
		t.Fatalf("the Reader did not finish its look within %s", followWait)
	}
}

// look wakes the Reader and waits until it has looked again: every line
// written before look is then in h.lines.
func (h *following) look(t *testing.T) {
	t.Helper()
	h.settle(t)
	close(h.pending)
	h.pending = nil
	h.settle(t)
}

// nextLine returns the next line: with a testWaker, after at most a few
// looks; on a timer, within followWait.
func nextLine(t *testing.T, h *following) followed {
	t.Helper()
	for looks := 0; ; looks++ {
		select {
		case l := <-h.lines:
			return l
		case err := <-h.errc:
			t.Fatalf("Next: %v", err)
		default:
		}
		if h.w == nil {
			select {
			case l := <-h.lines:
				return l
			case err := <-h.errc:
				t.Fatalf("Next: %v", err)
			case <-time.After(followWait):
				t.Fatalf("no line within %s", followWait)
			}
		}
		if looks == 3 {
			t.Fatalf("no line after %d looks", looks)
		}
		h.look(t)
	}
}

// pause lets the Reader find things as they are: with a testWaker for one
// look, on a timer for d.
func (h *following) pause(t *testing.T, d time.Duration) {
	t.Helper()
	if h.w != nil {
		h.look(t)
		return
	}
	time.Sleep(d)
}

// expectLines reads len(want) lines and checks their text and order.
func expectLines(t *testing.T, h *following, want ...string) []followed {
	t.Helper()
	var got []followed
	for i, w := range want {
		l := nextLine(t, h)
		if l.text != w {
			t.Fatalf("line %d: got %v, want %q (lines before: %v)", i+1, l, w, got)
		}
		got = append(got, l)
	}
	return got
}

// expectQuiet checks that no line arrives and nothing is reported
// unreadable: with a testWaker, in two complete looks; on a timer, for d.
func expectQuiet(t *testing.T, h *following, d time.Duration) {
	t.Helper()
	if h.w != nil {
		h.look(t)
		h.look(t)
	} else {
		select {
		case <-time.After(d):
		case err := <-h.errc:
			t.Fatalf("Next: %v, want it still waiting", err)
		}
	}
	if len(h.lines) > 0 {
		t.Fatalf("unexpected line %v", <-h.lines)
	}
	if len(h.errc) > 0 {
		t.Fatalf("Next: %v, want it still waiting", <-h.errc)
	}
	if len(h.reports) > 0 {
		t.Fatalf("reported unreadable: %v, want nothing reported", <-h.reports)
	}
}

// expectReport checks, with a testWaker, that the next look reports what
// is at the path as want says: an error containing it, or nil for "".
// Two more looks report nothing more: a report is made once per change.
func expectReport(t *testing.T, h *following, want string) {
	t.Helper()
	h.look(t)
	select {
	case err := <-h.reports:
		switch {
		case want == "" && err != nil:
			t.Fatalf("reported %v, want it told readable (nil)", err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Fatalf("reported %v, want an error containing %q", err, want)
		}
	default:
		t.Fatalf("nothing reported after a look, want %q", want)
	}
	h.look(t)
	h.look(t)
	if len(h.reports) > 0 {
		t.Fatalf("reported again: %v, want one report per change", <-h.reports)
	}
}

// expectReportPersisting is expectReport for something at the path that
// cannot be read, found while the path was read: the first look that finds
// it reports nothing (it may be logrotate's create, before its chown and
// chmod), the second does.
func expectReportPersisting(t *testing.T, h *following, want string) {
	t.Helper()
	h.look(t)
	if len(h.reports) > 0 {
		t.Fatalf("reported %v at the first look, want it reported only once it persists", <-h.reports)
	}
	expectReport(t, h, want)
}

// appendLog appends text to path, creating it, as a logger would.
func appendLog(t *testing.T, path, text string) {
	t.Helper()
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteString(text); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// mailLine is the nth line of a made-up mail log, without its newline.
func mailLine(n int) string {
	return fmt.Sprintf("Mar  1 10:%02d:%02d mx postfix/smtpd[%d]: connect from client%d.example[192.0.2.%d]",
		n/60%60, n%60, 1000+n, n, n%250+1)
}

// joinLines joins lines, each followed by "\n".
func joinLines(lines ...string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	return b.String()
}

// mailLines returns mailLine(from) ... mailLine(to).
func mailLines(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, mailLine(i))
	}
	return out
}

// checkEnds checks that each line's End is just after its "\n" (or
// "\r\n") in content, the file's text, searching from offset from.
func checkEnds(t *testing.T, lines []followed, content string, from int) {
	t.Helper()
	for _, l := range lines {
		i := strings.Index(content[from:], l.text+"\n")
		if j := strings.Index(content[from:], l.text+"\r\n"); j >= 0 && (i < 0 || j < i) {
			i = j + 1
		}
		if i < 0 {
			t.Fatalf("line %q not in the file after offset %d", l.text, from)
		}
		from += i + len(l.text) + 1
		if l.end != int64(from) {
			t.Errorf("line %q: End %d, want %d", l.text, l.end, from)
		}
	}
}

// checkFile checks that id describes the file now at path: same inode, and
// the fingerprint matches its first FingerprintLen bytes.
func checkFile(t *testing.T, id Identity, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, ino := fileID(fi); ino != id.Inode {
		t.Errorf("Identity.Inode = %d, want %d (%s)", id.Inode, ino, path)
	}
	fp, err := Fingerprint(path, id.FingerprintLen)
	if err != nil {
		t.Fatal(err)
	}
	if fp != id.Fingerprint || id.Fingerprint == "" {
		t.Errorf("Identity.Fingerprint = %.12s, want %.12s (first %d bytes of %s)", id.Fingerprint, fp, id.FingerprintLen, path)
	}
}

func TestFollow(t *testing.T) {
	t.Run("follow_appended_lines", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "mail.log")
		content := joinLines(mailLine(1), mailLine(2))
		appendLog(t, path, content)
		f := startFollow(t, path, FollowOptions{})
		got := expectLines(t, f, mailLine(1), mailLine(2))

		// One write per line, a CRLF line and an empty line among them.
		for _, s := range []string{mailLine(3) + "\n", mailLine(4) + "\r\n", "\n", mailLine(5) + "\n"} {
			appendLog(t, path, s)
			content += s
		}
		got = append(got, expectLines(t, f, mailLine(3), mailLine(4), "", mailLine(5))...)
		checkEnds(t, got, content, 0)
		if got[3].end != int64(len(content))-int64(len(mailLine(5))+2) {
			t.Errorf("End after the CRLF line = %d, want it to count the \\r", got[3].end)
		}
		if got[len(got)-1].end != int64(len(content)) {
			t.Errorf("last End %d, want the file size %d", got[len(got)-1].end, len(content))
		}
		for _, l := range got {
			if l.reopened || l.truncated {
				t.Errorf("line %v: want neither Reopened nor Truncated", l)
			}
			if l.file != got[0].file {
				t.Errorf("line %v: File changed from %v", l, got[0].file)
			}
		}
		checkFile(t, got[0].file, path)
		expectQuiet(t, f, quietFor(FollowOptions{}))
	})

	t.Run("follow_starts_at_end", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "mail.log")
		old := joinLines(mailLines(1, 3)...)
		appendLog(t, path, old)
		f := startFollow(t, path, FollowOptions{AtEnd: true})
		appendLog(t, path, joinLines(mailLine(4), mailLine(5)))
		got := expectLines(t, f, mailLine(4), mailLine(5))
		checkEnds(t, got, old+joinLines(mailLine(4), mailLine(5)), len(old))
		expectQuiet(t, f, quietFor(FollowOptions{}))
	})

	t.Run("follow_starts_at_offset", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "mail.log")
		content := joinLines(mailLines(1, 5)...)
		appendLog(t, path, content)
		stored := int64(len(joinLines(mailLine(1), mailLine(2)))) // the End of line 2, stored by an earlier run
		f := startFollow(t, path, FollowOptions{Offset: stored})
		got := expectLines(t, f, mailLines(3, 5)...)
		appendLog(t, path, joinLines(mailLine(6), mailLine(7)))
		content += joinLines(mailLine(6), mailLine(7))
		got = append(got, expectLines(t, f, mailLine(6), mailLine(7))...)
		checkEnds(t, got, content, int(stored))
		expectQuiet(t, f, quietFor(FollowOptions{}))
	})

	t.Run("follow_offset_past_end", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "mail.log")
		appendLog(t, path, joinLines(mailLine(1)))
		_, err := Follow(path, FollowOptions{Offset: 1 << 20})
		if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), path) {
			t.Fatalf("Follow with an offset past the end: %v, want one naming the file and matching io.ErrUnexpectedEOF", err)
		}
	})

	t.Run("follow_waits_for_missing_file", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "mail.log")
		f := startFollow(t, path, FollowOptions{Offset: 1000}) // no file: the offset cannot apply
		expectQuiet(t, f, 100*time.Millisecond)
		appendLog(t, path, joinLines(mailLine(1), mailLine(2)))
		got := expectLines(t, f, mailLine(1), mailLine(2))
		if got[0].reopened {
			t.Errorf("first line of the first file: Reopened, want not")
		}
		checkFile(t, got[0].file, path)
	})

	t.Run("follow_refuses", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		for _, tc := range []struct{ path, want string }{
			{"-", "standard input"},
			{dir, "is a directory"},
			{filepath.Join(dir, "no-such-dir", "mail.log"), "no such file or directory"},
		} {
			_, err := Follow(tc.path, FollowOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Follow(%q): %v, want an error containing %q", tc.path, err, tc.want)
			}
		}
	})

	t.Run("long_line_truncated", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "mail.log")
		long := strings.Repeat("x", 100)
		content := joinLines(long, "short")
		appendLog(t, path, content)
		f := startFollow(t, path, FollowOptions{MaxLineBytes: 10})
		l := nextLine(t, f)
		if l.text != long[:10] || !l.truncated || l.end != 101 {
			t.Errorf("long line: %v, want its first 10 bytes, Truncated, End 101", l)
		}
		if l := nextLine(t, f); l.text != "short" || l.truncated {
			t.Errorf("next line: %v, want \"short\" not truncated", l)
		}
	})

	t.Run("partial_line_completed_later", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "mail.log")
		appendLog(t, path, mailLine(1)+"\n"+mailLine(2)[:20])
		f := startFollow(t, path, FollowOptions{})
		expectLines(t, f, mailLine(1))
		expectQuiet(t, f, 300*time.Millisecond) // every look must hold the half line
		appendLog(t, path, mailLine(2)[20:]+"\n")
		l := expectLines(t, f, mailLine(2))[0]
		if want := int64(len(joinLines(mailLine(1), mailLine(2)))); l.end != want {
			t.Errorf("completed line End %d, want %d", l.end, want)
		}
		expectQuiet(t, f, quietFor(FollowOptions{}))
	})

	for _, m := range followModes {
		t.Run("log_rotation_rename_create/"+m.name, func(t *testing.T) {
			t.Parallel()
			testRotation(t, m.o, followWait)
		})
		t.Run("log_truncation_copytruncate/"+m.name, func(t *testing.T) {
			t.Parallel()
			testCopyTruncate(t, m.o)
		})
		t.Run("file_missing_briefly/"+m.name, func(t *testing.T) {
			t.Parallel()
			testMissingBriefly(t, m.o)
		})
		t.Run("log_rotation_late_write_to_old_file/"+m.name, func(t *testing.T) {
			t.Parallel()
			testLateWriteLost(t, m.o)
		})
		t.Run("own_reads_race_change_notification/"+m.name, func(t *testing.T) {
			t.Parallel()
			testOwnReadsRace(t, m.o)
		})
	}

	t.Run("missed_change_notification", func(t *testing.T) {
		t.Parallel()
		// Appends, a half line, a rotation with a late write, a removal
		// and a re-creation, each seen by a look.
		dir := t.TempDir()
		path := filepath.Join(dir, "mail.log")
		appendLog(t, path, joinLines(mailLine(1)))
		f := startFollow(t, path, FollowOptions{})
		old := expectLines(t, f, mailLine(1))
		appendLog(t, path, joinLines(mailLine(2))+mailLine(3)[:10])
		old = append(old, expectLines(t, f, mailLine(2))...)
		appendLog(t, path, mailLine(3)[10:]+"\n")
		old = append(old, expectLines(t, f, mailLine(3))...)

		rotateAway(t, path)
		appendLog(t, path+".1", joinLines(mailLine(4)))
		appendLog(t, path, joinLines(mailLine(5), mailLine(6)))
		old = append(old, expectLines(t, f, mailLine(4))...)
		checkEnds(t, old, joinLines(mailLines(1, 4)...), 0)
		for _, l := range old {
			if l.reopened {
				t.Errorf("old file's line %v: Reopened", l)
			}
			checkFile(t, l.file, path+".1")
		}
		nw := expectLines(t, f, mailLine(5), mailLine(6))
		if !nw[0].reopened || nw[1].reopened {
			t.Errorf("new file's lines %v: want only the first Reopened", nw)
		}
		checkEnds(t, nw, joinLines(mailLine(5), mailLine(6)), 0)
		checkFile(t, nw[0].file, path)

		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		expectQuiet(t, f, 50*time.Millisecond)
		appendLog(t, path, joinLines(mailLine(7)))
		if l := expectLines(t, f, mailLine(7))[0]; !l.reopened || l.end != int64(len(mailLine(7))+1) {
			t.Errorf("recreated file's line %v: want Reopened, End from its start", l)
		}
		expectQuiet(t, f, 50*time.Millisecond)
	})

	t.Run("next_after_stop", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "mail.log")
		appendLog(t, path, joinLines(mailLine(1)))
		f, err := Follow(path, FollowOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := f.Next(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Next with a cancelled context: %v, want context.Canceled", err)
		}
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if _, err := f.Next(context.Background()); !errors.Is(err, os.ErrClosed) {
			t.Errorf("Next after Close: %v, want os.ErrClosed", err)
		}
		if err := f.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}

// denyOpen is an open function (FollowOptions.open) that fails as an
// unprivileged user's would on a file created root-only (mode 0600, owner
// root) while deny is set: a test running as root cannot be refused by the
// kernel.
type denyOpen struct {
	mu   sync.Mutex
	deny bool
}

func (d *denyOpen) set(deny bool) {
	d.mu.Lock()
	d.deny = deny
	d.mu.Unlock()
}

func (d *denyOpen) open(path string) (*os.File, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.deny {
		return nil, &fs.PathError{Op: "open", Path: path, Err: syscall.EACCES}
	}
	return os.Open(path)
}

// TestFollowUnreadable: a file at the path that exists but cannot be read
// is reported at the first look that finds it, once, and again when it can
// be read; a path only missing during a rotation is not (the rotation
// scenarios above check that nothing is reported).
func TestFollowUnreadable(t *testing.T) {
	t.Run("log_rotation_new_file_permission_denied", func(t *testing.T) {
		t.Parallel()
		// logrotate's create with the wrong mode: the new file is root's,
		// 0600, and the follower is not root.
		var d denyOpen
		path, f := followFirstLine(t, FollowOptions{open: d.open})

		w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0) // syslog, until its HUP
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close()
		rotateAway(t, path)
		d.set(true)
		appendLog(t, path, joinLines(mailLine(3)))
		expectReportPersisting(t, f, "open "+path+": permission denied")
		if len(f.lines) > 0 {
			t.Fatalf("line %v read from a file that cannot be opened", <-f.lines)
		}
		// The old file is still read while the new one cannot be.
		if _, err := w.WriteString(joinLines(mailLine(2))); err != nil {
			t.Fatal(err)
		}
		if l := expectLines(t, f, mailLine(2))[0]; l.reopened {
			t.Errorf("old file's late line %v: Reopened", l)
		}
		if len(f.reports) > 0 {
			t.Fatalf("reported again while the old file was read: %v", <-f.reports)
		}

		d.set(false) // chmod 0640, chgrp adm
		expectReport(t, f, "")
		l := expectLines(t, f, mailLine(3))[0]
		if !l.reopened || l.end != int64(len(mailLine(3))+1) {
			t.Errorf("new file's first line %v: want Reopened, read from its start", l)
		}
		checkFile(t, l.file, path)
		expectQuiet(t, f, 0)
	})

	t.Run("log_rotation_directory_at_path", func(t *testing.T) {
		t.Parallel()
		// Something else took the path: a directory, which no one can
		// follow, root included. It is reported, and when it is gone
		// while reported, that is reported too (not a rotation under way).
		path, f := followFirstLine(t, FollowOptions{})
		rotateAway(t, path)
		if err := os.Mkdir(path, 0o755); err != nil {
			t.Fatal(err)
		}
		expectReportPersisting(t, f, "open "+path+": is a directory")
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		expectReport(t, f, "open "+path+": no such file or directory")
		appendLog(t, path, joinLines(mailLine(2)))
		expectReport(t, f, "")
		if l := expectLines(t, f, mailLine(2))[0]; !l.reopened {
			t.Errorf("new file's first line %v: want Reopened", l)
		}
		expectQuiet(t, f, 0)
	})

	t.Run("follow_waits_for_missing_file_that_cannot_be_opened", func(t *testing.T) {
		t.Parallel()
		// Follow started before the file exists: it is created
		// unreadable, then made readable.
		path := filepath.Join(t.TempDir(), "mail.log")
		var d denyOpen
		d.set(true)
		f := startFollow(t, path, FollowOptions{open: d.open})
		expectQuiet(t, f, 0) // missing: waited for quietly
		appendLog(t, path, joinLines(mailLine(1)))
		expectReportPersisting(t, f, "open "+path+": permission denied")
		d.set(false)
		expectReport(t, f, "")
		if l := expectLines(t, f, mailLine(1))[0]; l.reopened {
			t.Errorf("first file's first line %v: Reopened, want not", l)
		}
		expectQuiet(t, f, 0)
	})
}

// testRotation is log_rotation_rename_create: logrotate's default. The
// logger writes lines, the file is renamed, the logger writes more to the
// renamed file (it still has it open, as syslog does until HUP), a new
// file is created and written. Every line arrives once, in order, the old
// file's lines first, and this happens twice in a row.
func testRotation(t *testing.T, o FollowOptions, wait time.Duration) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mail.log")
	appendLog(t, path, joinLines(mailLine(1), mailLine(2)))
	f := startFollow(t, path, o)

	n := 2
	var prev Identity
	for round := 1; round <= 2; round++ {
		// The logger keeps the file open across the rename.
		w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		before := joinLines(mailLine(n+1), mailLine(n+2))
		after := joinLines(mailLine(n + 3))
		if _, err := w.WriteString(before); err != nil {
			t.Fatal(err)
		}
		if round == 2 {
			if err := os.Rename(path+".1", path+".2"); err != nil {
				t.Fatal(err)
			}
		}
		rotateAway(t, path)
		if _, err := w.WriteString(after); err != nil {
			t.Fatal(err)
		}
		w.Close()
		appendLog(t, path, joinLines(mailLine(n+4), mailLine(n+5)))

		var old []followed
		if round == 1 {
			old = expectLines(t, f, mailLines(1, n+3)...)
		} else {
			old = expectLines(t, f, mailLines(n+1, n+3)...)
		}
		for _, l := range old {
			if l.reopened {
				t.Errorf("round %d: old file's line %v: Reopened", round, l)
			}
			checkFile(t, l.file, path+".1")
			if l.file != old[0].file {
				t.Errorf("round %d: old file's line %v: File differs from the first's", round, l)
			}
		}
		if round == 2 && old[0].file != prev {
			t.Errorf("round 2: File %v, want the one the new file's lines had in round 1, %v", old[0].file, prev)
		}
		data, err := os.ReadFile(path + ".1")
		if err != nil {
			t.Fatal(err)
		}
		checkEnds(t, old, string(data), 0)

		nw := expectLines(t, f, mailLine(n+4), mailLine(n+5))
		if !nw[0].reopened || nw[1].reopened {
			t.Errorf("round %d: new file's lines %v: want only the first Reopened", round, nw)
		}
		if nw[0].file.Fingerprint == old[0].file.Fingerprint || nw[0].file.Inode == old[0].file.Inode {
			t.Errorf("round %d: new file's Identity %v is the old one's", round, nw[0].file)
		}
		checkEnds(t, nw, joinLines(mailLine(n+4), mailLine(n+5)), 0)
		checkFile(t, nw[0].file, path)
		prev = nw[0].file
		n += 5
	}
	expectQuiet(t, f, quietFor(o))
}

// testCopyTruncate is log_truncation_copytruncate: logrotate copies the
// file and truncates it to nothing; the logger, writing in append mode,
// goes on at the new end.
func testCopyTruncate(t *testing.T, o FollowOptions) {
	path := filepath.Join(t.TempDir(), "mail.log")
	content := joinLines(mailLines(1, 4)...)
	appendLog(t, path, content)
	f := startFollow(t, path, o)
	// Lines not read before the copy are only in the copy, so wait.
	before := expectLines(t, f, mailLines(1, 4)...)

	if err := os.WriteFile(path+".1", []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	appendLog(t, path, joinLines(mailLine(5), mailLine(6))) // shorter than before: the shrinking is seen
	got := expectLines(t, f, mailLine(5), mailLine(6))
	if !got[0].reopened || got[1].reopened {
		t.Errorf("lines after truncation %v: want only the first Reopened", got)
	}
	checkEnds(t, got, joinLines(mailLine(5), mailLine(6)), 0)
	if got[0].file.Inode != before[0].file.Inode || got[0].file.Fingerprint == before[0].file.Fingerprint {
		t.Errorf("File after truncation %v: want the same inode as %v and a new fingerprint", got[0].file, before[0].file)
	}
	checkFile(t, got[0].file, path)
	expectQuiet(t, f, quietFor(o))
}

// testMissingBriefly is file_missing_briefly: the file is removed, and a
// new one appears 300ms later. A line written just before the removal
// still arrives (read from the removed file, which Follow holds open).
func testMissingBriefly(t *testing.T, o FollowOptions) {
	path := filepath.Join(t.TempDir(), "mail.log")
	appendLog(t, path, joinLines(mailLine(1)))
	f := startFollow(t, path, o)
	expectLines(t, f, mailLine(1))

	appendLog(t, path, joinLines(mailLine(2)))
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	f.pause(t, 300*time.Millisecond)
	appendLog(t, path, joinLines(mailLine(3), mailLine(4)))
	got := expectLines(t, f, mailLines(2, 4)...)
	if got[0].reopened || !got[1].reopened || got[2].reopened {
		t.Errorf("lines %v: want only the first of the new file Reopened", got)
	}
	checkEnds(t, got[1:], joinLines(mailLine(3), mailLine(4)), 0)
	checkFile(t, got[1].file, path)
	expectQuiet(t, f, quietFor(o))
}

// testLateWriteLost is log_rotation_late_write_to_old_file: a line written
// to the old file after the new file's first line was returned is not
// guaranteed. It arrives only if Follow had not yet left the old file;
// then it comes once, with the old file's Identity. This limit is
// documented on Follow; the test pins down what may happen.
func testLateWriteLost(t *testing.T, o FollowOptions) {
	path := filepath.Join(t.TempDir(), "mail.log")
	appendLog(t, path, joinLines(mailLine(1)))
	f := startFollow(t, path, o)
	old := expectLines(t, f, mailLine(1))[0].file

	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	rotateAway(t, path)
	appendLog(t, path, joinLines(mailLine(2)))
	if l := expectLines(t, f, mailLine(2))[0]; !l.reopened {
		t.Errorf("new file's first line %v: want Reopened", l)
	}
	const late = "written late to the old file"
	if _, err := w.WriteString(joinLines(late)); err != nil {
		t.Fatal(err)
	}
	appendLog(t, path, joinLines(mailLine(3)))
	var got []followed
	for len(got) == 0 || got[len(got)-1].text != mailLine(3) {
		got = append(got, nextLine(t, f))
	}
	switch {
	case len(got) == 1:
		t.Logf("the late line was lost (Follow had moved to the new file)")
	case len(got) == 2 && got[0].text == late && !got[0].reopened && got[0].file == old:
		t.Logf("the late line arrived (Follow was still reading the old file)")
	default:
		t.Errorf("got %v, want %q then %q, or only the latter", got, late, mailLine(3))
	}
	expectQuiet(t, f, quietFor(o))
}

// testOwnReadsRace is own_reads_race_change_notification: Follow looks at
// the file after every millisecond without a line, so its looks race the
// writer all the time, across appends and rotations. Still every
// line arrives once, in order. Each file is rotated only after one of its
// lines has arrived: a file replaced twice before Follow sees it is a limit
// documented on Follow.
func testOwnReadsRace(t *testing.T, o FollowOptions) {
	path := filepath.Join(t.TempDir(), "mail.log")
	appendLog(t, path, "")
	o.Waker = timedWaker(time.Millisecond) // a race wants real time
	f := startFollow(t, path, o)

	const rounds, perRound = 4, 30
	seen := make(chan int, rounds) // a round whose first line has arrived
	done := make(chan error, 1)
	go func() {
		done <- func() error {
			n := 0
			for r := 1; r <= rounds; r++ {
				for i := 0; i < perRound; i++ {
					n++
					w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
					if err != nil {
						return err
					}
					_, err = w.WriteString(mailLine(n) + "\n")
					w.Close()
					if err != nil {
						return err
					}
					if i%10 == 0 {
						time.Sleep(time.Millisecond)
					}
				}
				if r == rounds {
					break
				}
				select {
				case <-seen:
				case <-time.After(followWait):
					return fmt.Errorf("round %d: no line arrived", r)
				}
				if err := os.Rename(path, path+"."+strconv.Itoa(r)); err != nil {
					return err
				}
			}
			return nil
		}()
	}()
	for n := 1; n <= rounds*perRound; n++ {
		l := nextLine(t, f)
		if l.text != mailLine(n) {
			t.Fatalf("line %d: got %v, want %q", n, l, mailLine(n))
		}
		if first := n%perRound == 1; l.reopened != (first && n > 1) {
			t.Errorf("line %d: Reopened=%v", n, l.reopened)
		}
		if n%perRound == 1 {
			seen <- n/perRound + 1
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path, path+".last"); err != nil {
		t.Fatal(err)
	}
	appendLog(t, path, joinLines("after the last rotation"))
	if l := expectLines(t, f, "after the last rotation")[0]; !l.reopened {
		t.Errorf("%v: want Reopened", l)
	}
	expectQuiet(t, f, quietFor(o))
}

// TestNoTailLibrary keeps github.com/nxadm/tail out: it could exit the
// process from inside, and Follow does its own following.
func TestNoTailLibrary(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		af, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(p, "github.com/nxadm/tail") {
				t.Errorf("%s imports %s; Follow follows files itself", name, p)
			}
		}
	}
}

// denyInodes is an open function (FollowOptions.open) that refuses, as an
// unprivileged user would be refused, the files whose inodes it holds,
// under whatever name: a file logrotate created root-only stays so when it
// is renamed.
type denyInodes struct {
	mu  sync.Mutex
	ino map[uint64]bool
}

func (d *denyInodes) deny(t *testing.T, path string, deny bool) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	_, ino := fileID(fi)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ino == nil {
		d.ino = map[uint64]bool{}
	}
	d.ino[ino] = deny
}

func (d *denyInodes) open(path string) (*os.File, error) {
	if fi, err := os.Stat(path); err == nil {
		_, ino := fileID(fi)
		d.mu.Lock()
		denied := d.ino[ino]
		d.mu.Unlock()
		if denied {
			return nil, &fs.PathError{Op: "open", Path: path, Err: syscall.EACCES}
		}
	}
	return os.Open(path)
}

// TestLogRotation_unreadable_file_rotated_away: mail.log is A (read);
// logrotate creates B root-only (tail reports it); the admin fixes the
// config, and the next rotation renames B to mail.log.1 and creates a
// readable C. B's lines (a whole day) must not vanish: read from
// mail.log.1 before C when it can be opened there, else told missed.
func TestLogRotation_unreadable_file_rotated_away(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no inodes")
	}
	for _, tc := range []struct {
		name   string
		fix    func(t *testing.T, d *denyInodes, path string) // after the second rotation
		lines  []string
		missed string
	}{
		{"read_from_rotated_copy", func(t *testing.T, d *denyInodes, path string) { d.deny(t, path+".1", false) },
			[]string{mailLine(2), mailLine(3)}, ""},
		{"still_unreadable", func(*testing.T, *denyInodes, string) {},
			[]string{mailLine(3)}, "open %s.1: permission denied"},
		{"deleted", func(t *testing.T, _ *denyInodes, path string) {
			if err := os.Remove(path + ".1"); err != nil {
				t.Fatal(err)
			}
		}, []string{mailLine(3)}, "open %s: permission denied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "mail.log")
			appendLog(t, path, joinLines(mailLine(1)))
			var d denyInodes
			missed := make(chan *MissedError, 4)
			f := startFollow(t, path, FollowOptions{open: d.open, Missed: func(e *MissedError) { missed <- e }})
			expectLines(t, f, mailLine(1))

			rotateAway(t, path)
			appendLog(t, path, joinLines(mailLine(2)))
			d.deny(t, path, true)
			expectReportPersisting(t, f, "open "+path+": permission denied")

			if err := os.Rename(path+".1", path+".2"); err != nil {
				t.Fatal(err)
			}
			rotateAway(t, path)
			appendLog(t, path, joinLines(mailLine(3)))
			tc.fix(t, &d, path)
			expectReport(t, f, "")
			got := expectLines(t, f, tc.lines...)
			if !got[0].reopened {
				t.Errorf("first line after the rotation %v: want Reopened", got[0])
			}
			expectQuiet(t, f, 0)
			select {
			case e := <-missed:
				if tc.missed == "" {
					t.Fatalf("Missed(%v), want B read from mail.log.1", e)
				}
				if want := fmt.Sprintf(tc.missed, path); !strings.Contains(e.Error(), want) || e.Path != path || e.Inode == 0 || e.Since.IsZero() {
					t.Errorf("Missed(%v), want path %s, an inode, when it was first found unreadable (%v) and %q", e, path, e.Since, want)
				}
			default:
				if tc.missed != "" {
					t.Fatalf("Missed not told: B's lines vanished in silence")
				}
			}
		})
	}
}

// TestLogRotation_create_then_chmod_is_not_an_alarm: logrotate's create
// opens the new file 0600 as root, then gives it its owner and mode. A
// look in between cannot open it; the next can. Nothing is reported (a
// report flapped /healthz and pftls_up), and the new file is read.
func TestLogRotation_create_then_chmod_is_not_an_alarm(t *testing.T) {
	t.Parallel()
	var d denyOpen
	path, f := followFirstLine(t, FollowOptions{open: d.open})
	rotateAway(t, path)
	appendLog(t, path, joinLines(mailLine(2)))
	d.set(true) // created root-only
	f.look(t)
	d.set(false) // fchown, fchmod
	if l := expectLines(t, f, mailLine(2))[0]; !l.reopened {
		t.Errorf("new file's first line %v: want Reopened", l)
	}
	expectQuiet(t, f, 0)
}

// TestLogRotation_path_stays_missing: the log is removed and never
// created again. A rotation's rename and create take well under
// MissingAfter, so a missing path is quiet until then, and reported
// ("no such file") after it; quiet again once a file is there and read.
func TestLogRotation_path_stays_missing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "mail.log")
	appendLog(t, path, joinLines(mailLine(1)))
	var mu sync.Mutex
	clock := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	advance := func(d time.Duration) { mu.Lock(); clock = clock.Add(d); mu.Unlock() }
	f := startFollow(t, path, FollowOptions{now: now, MissingAfter: time.Minute})
	expectLines(t, f, mailLine(1))
	rotateAway(t, path)
	f.look(t) // the first look that finds it missing starts the grace
	advance(59 * time.Second)
	expectQuiet(t, f, 0)
	advance(time.Second)
	expectReport(t, f, "open "+path+": no such file or directory")
	appendLog(t, path, joinLines(mailLine(2)))
	expectReport(t, f, "")
	if l := expectLines(t, f, mailLine(2))[0]; !l.reopened {
		t.Errorf("new file's first line %v: want Reopened", l)
	}
	expectQuiet(t, f, 0)
}

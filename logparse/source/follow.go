package source

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// FollowOptions choose where following starts and how often the file is
// looked at.
type FollowOptions struct {
	Offset int64 // byte offset to start at in the current file (0 = beginning); a line start, such as a stored End
	AtEnd  bool  // start at the end of the file instead of Offset
	// Poll looks at the file every PollInterval instead of every
	// LookInterval: for file systems where a look is costly (NFS).
	Poll bool

	// MaxLineBytes: lines longer than this are cut (Truncated=true);
	// 0 means the MaxLineBytes constant.
	MaxLineBytes int

	// Waker says when to look at the file again after reading all of it;
	// nil means a timer (LookInterval, or PollInterval with Poll). Tests
	// give one they control (see [Waker]).
	Waker Waker

	// Expect, when set, is the file Offset belongs to: the caller looked
	// at the path (to find its stored offset) before Follow opens it, and
	// a rotation in between would apply that offset to another file.
	// Follow then fails with ErrFileChanged if the path names another
	// file (device and inode) than Expect's.
	Expect *Identity

	// Unreadable, when set, is told when looks find something at the
	// path that cannot be read: a file that cannot be opened (permission
	// denied: a rotation created it with the wrong owner or mode), a
	// directory, a file that is not a regular one; told once two looks in
	// a row found it (logrotate's create gives the new file its owner and
	// mode just after creating it root-only: a look in between is not an
	// alarm). err says why, naming the path; it is told again when the
	// reason changes, and nil once a file at the path is read again. A
	// path that is only missing, as between a rotation's rename and its
	// create, is waited for quietly for MissingAfter, then told (an error
	// matching fs.ErrNotExist); once the path has been reported, its being
	// gone is told at once, not taken for a rotation. It is
	// called on the goroutine calling Next, only while Next waits at the
	// end of the current file (whose lines are still read to its end).
	Unreadable func(err error)

	// Missed, when set, is told of a file that was at the path, could not
	// be read while it was there, and is gone from it when another file at
	// the path can be read: a rotation moved it away unread (logrotate's
	// create made it 0600 root, the admin fixed the config, and the next
	// rotation renamed it to mail.log.1). Such a file is looked for among
	// the path's rotated copies by device and inode and, when it can be
	// opened there, read from its start before the new file, as any file
	// (Reopened); Missed is told only when it cannot be: none of the copies
	// is it (deleted, compressed, moved elsewhere), or it still cannot be
	// opened. Its lines are then never read. Called on the goroutine
	// calling Next.
	Missed func(err *MissedError)

	// MissingAfter is how long the path may stay missing before that is
	// told to Unreadable (an error matching fs.ErrNotExist): a rotation's
	// rename and create take well under it. 0 means MissingGrace.
	MissingAfter time.Duration

	// now is the clock MissingAfter is measured on; nil is time.Now.
	now func() time.Time

	// open opens the file at the path; nil is os.Open. Tests give one
	// that fails as an unprivileged user's would.
	open func(path string) (*os.File, error)
}

// ErrFileChanged is Follow's error when the path no longer names the file
// FollowOptions.Expect describes: it was rotated or replaced since the
// caller looked. Look again and retry.
var ErrFileChanged = errors.New("the file was replaced since it was identified")

// MissedError is a file Follow found at its path, could not read there
// (Err), and then found gone from the path, rotated away unread: none of
// the path's rotated copies is it, or it cannot be opened there either
// (see FollowOptions.Missed). Nothing of it was read.
type MissedError struct {
	Path       string    // the path followed
	Dev, Inode uint64    // the file's device and inode (0 where unknown)
	Since      time.Time // when a look first found it and could not open it
	Err        error     // why it could not be read
}

func (e *MissedError) Error() string {
	return fmt.Sprintf("%s: a file that could not be read there (device %d, inode %d) was rotated away unread, and is not among its rotated copies that can be read: %v",
		e.Path, e.Dev, e.Inode, e.Err)
}

func (e *MissedError) Unwrap() error { return e.Err }

// LookInterval and PollInterval are how long a following Reader waits,
// at the end of its file, before it looks again for new lines, a rotation
// or a truncation.
const (
	LookInterval = 100 * time.Millisecond
	PollInterval = 250 * time.Millisecond
)

// MissingGrace is how long a followed path may stay missing before it is
// reported (FollowOptions.MissingAfter). Not a minute: some logs are
// created again only with their next line (logrotate's nocreate with
// rsyslog reopening on its next message, Postfix's own maillog_file after
// "postfix logrotate"), and a quiet server may write none for minutes
// after midnight's rotation. As long as PftlsLogNotRead waits for the
// newest line: a log missing that long has written none either.
const MissingGrace = 15 * time.Minute

// confirmLooks is how many looks in a row must fail to open what is at the
// path before it is reported: logrotate's create opens the new file 0600
// as root and only then gives it its owner and mode, and a look in that
// window must not raise an alarm (and flap /healthz). Looks are at least
// LookInterval apart; that window lasts microseconds.
const confirmLooks = 2

// A Waker wakes a following Reader that has read everything there was:
// Wake returns a channel that is closed (or receives) when the Reader
// should look at its file again. It is called once per wait, from the
// goroutine calling Next.
type Waker interface {
	Wake() <-chan struct{}
}

// timedWaker wakes after a fixed interval.
type timedWaker time.Duration

func (w timedWaker) Wake() <-chan struct{} {
	c := make(chan struct{})
	time.AfterFunc(time.Duration(w), func() { close(c) })
	return c
}

// follower is what a Reader made by Follow knows beyond a plain one.
type follower struct {
	path  string
	waker Waker

	started bool   // a file has been seen: a later one is Reopened
	fresh   bool   // the next line returned is the first of a new file (Reopened)
	identOK bool   // the Reader's ident and head describe the current file
	head    []byte // the bytes ident's fingerprint covers, to notice truncation
	// queue is what to read, in order, once the current file (rotated) is
	// drained: files rotated away unread and found again, then the file
	// now at path.
	queue []*os.File

	open         func(string) (*os.File, error)
	unreadable   func(error)        // FollowOptions.Unreadable
	missed       func(*MissedError) // FollowOptions.Missed
	problem      error              // what the last look found wrong at path, as told to unreadable; nil when it was read
	fails        int                // looks in a row that found something at path they could not read
	missingSince time.Time          // when looks began to find nothing at path (zero: something was there)
	missingAfter time.Duration
	now          func() time.Time
	// skipped are the files found at path that could not be opened, not
	// read since: when another file at path is read, each must be read
	// from where a rotation put it, or told missed.
	skipped []skipped
}

// skipped is a file found at the followed path that could not be opened.
type skipped struct {
	dev, ino uint64
	err      error
	since    time.Time // when a look first could not open it
}

// is says whether s is the file of device dev and inode ino: never when
// neither is known (no inodes here).
func (s skipped) is(dev, ino uint64) bool {
	return s.dev == dev && s.ino == ino && (dev != 0 || ino != 0)
}

// Follow starts following path, which need not exist yet: Follow then
// waits for it to appear (its directory must exist) and reads it from its
// start, ignoring Offset and AtEnd. "-" is not supported; read standard
// input with [Open]. Offset (or, with AtEnd, the size) applies to the file
// at path when Follow is called; an Offset past its end is an error
// matching [io.ErrUnexpectedEOF], since the file is then not the one the
// offset was stored for.
//
// The Reader returned reads like any other, but at the end of the file its
// Next waits instead of returning io.EOF: it reads what has been appended,
// and at the end of that looks at the path (at each wake of the Waker):
//
//   - Rotation (the file renamed or removed and a new one created, at once
//     or later): the old file, which Follow keeps open, is read to its end
//     first, so lines a writer added to it until it reopened the log
//     (syslog until its HUP) are not lost. Its last line is returned even
//     without a newline (Partial). Then the new file is read from its start.
//   - Truncation (copytruncate): the file is shorter than what was read, or
//     its first bytes changed. It is read again from its start.
//   - A path that cannot be read (a new file that cannot be opened, a
//     directory, a FIFO): the current file is still read to its end, the
//     path is looked at again at each wake and reported
//     (FollowOptions.Unreadable), and a file there is read from its start
//     once it can be opened. A FIFO is never opened.
//
// The first line of a new or truncated file has Reopened set, a new File,
// and Offset and End counted from that file's start; Number counts the
// lines returned from each file, starting at 1 (from where following began,
// for the first file). Lines are returned in file order, each once.
//
// # Identity
//
// File is computed when the first line of a file is returned: device and
// inode, size and modification time at that moment, and the sha256 of the
// first min(4096, size) bytes. A brand-new file may be shorter than 4096
// bytes then; its fingerprint covers what was there (FingerprintLen says
// how much), and [Fingerprint] with that length matches it later.
// File.Path is always the path followed, also for the last lines of a file
// since renamed. Compression is always empty: Follow reads the bytes on
// disk. [Reader.Identity] says the same, and only Path before the first line.
//
// # What is still lost, late or out of order
//
//   - Lines written to an old file after the new file was found (its end
//     read, the new one opened) are lost.
//   - A file replaced again before Follow looked at the path (one that lived
//     less than a wake's interval) is never read.
//   - copytruncate: lines written after Follow last read the file and
//     before the copy are only in the copy. If the file grew past its old
//     size again before Follow looked, and its first bytes are the same, it
//     goes on from the old offset in the new content: lines lost, the first
//     one possibly cut.
//   - A last line with no newline is held until its newline arrives. Its
//     first half is lost if the file is truncated first.
//   - Lines arrive up to one wake's interval after they were written.
//
// Following is done by stat polling alone, with no goroutine and no
// watcher: nothing is shared between Readers following the same path, and
// nothing can fail but opening and reading files.
func Follow(path string, o FollowOptions) (*Reader, error) {
	if path == "-" {
		return nil, errors.New("follow -: standard input cannot be followed; read it with Open")
	}
	r := &Reader{name: path, ident: Identity{Path: path}, max: o.MaxLineBytes}
	if r.max < 1 {
		r.max = MaxLineBytes
	}
	f := &follower{path: path, waker: o.Waker, open: o.open, unreadable: o.Unreadable, missed: o.Missed,
		missingAfter: o.MissingAfter, now: o.now}
	if f.open == nil {
		f.open = os.Open
	}
	if f.now == nil {
		f.now = time.Now
	}
	if f.missingAfter <= 0 {
		f.missingAfter = MissingGrace
	}
	if f.waker == nil {
		f.waker = timedWaker(LookInterval)
		if o.Poll {
			f.waker = timedWaker(PollInterval)
		}
	}
	r.fol = f
	switch fi, err := followable(path); {
	case errors.Is(err, fs.ErrNotExist) && o.Expect != nil && o.Expect.Inode != 0:
		return nil, fmt.Errorf("follow %s: %w", path, ErrFileChanged)
	case errors.Is(err, fs.ErrNotExist):
		// Waits for the file; its directory must exist.
		if _, err := os.Stat(filepath.Dir(path)); err != nil {
			return nil, fmt.Errorf("follow %s: %w", path, err)
		}
	case err != nil:
		return nil, err
	default:
		h, err := f.open(path)
		if err == nil {
			fi, err = h.Stat()
			if err != nil {
				h.Close()
			}
		}
		if err != nil {
			return nil, openError(path, err)
		}
		if e := o.Expect; e != nil {
			if dev, ino := fileID(fi); dev != e.Dev || ino != e.Inode {
				h.Close()
				return nil, fmt.Errorf("follow %s: %w", path, ErrFileChanged)
			}
		}
		at := o.Offset
		if o.AtEnd {
			at = fi.Size()
		}
		if at < 0 || at > fi.Size() {
			h.Close()
			if at < 0 {
				return nil, fmt.Errorf("follow %s: negative offset %d", path, at)
			}
			return nil, fmt.Errorf("follow %s: offset %d is past the end of the file (%d bytes): %w", path, at, fi.Size(), io.ErrUnexpectedEOF)
		}
		f.started = true
		r.readFrom(h, at)
	}
	return r, nil
}

// readFrom makes the Reader read h from offset at, with offsets counted
// from h's start, and line numbers from 1.
func (r *Reader) readFrom(h *os.File, at int64) {
	src := &stickyReader{r: io.NewSectionReader(h, at, math.MaxInt64-at)}
	if r.br == nil {
		r.br = bufio.NewReaderSize(src, bufSize)
	} else {
		r.br.Reset(src)
	}
	r.file, r.offset, r.number = h, at, 0
	r.cri.held = nil // a line held after partial parts is read again from at
}

// follow is Next for a Reader made by Follow.
func (r *Reader) follow(ctx context.Context) (Line, error) {
	f := r.fol
	for {
		if r.err != nil {
			return Line{}, r.err
		}
		if err := ctx.Err(); err != nil {
			return Line{}, err
		}
		if r.file != nil {
			l, err := r.next()
			switch {
			case err == nil && (!l.Partial || len(f.queue) > 0):
				return r.followed(l), nil
			case err == nil:
				// A last line still being written: read it again once
				// its newline has come.
				n := l.Number - 1
				r.readFrom(r.file, l.Offset)
				r.number = n
			case err != io.EOF:
				return Line{}, err
			}
			if len(f.queue) > 0 { // the rotated file is drained
				h := f.queue[0]
				f.queue = f.queue[1:]
				r.switchTo(h)
				continue
			}
		}
		if r.look() {
			continue
		}
		select {
		case <-ctx.Done():
			return Line{}, ctx.Err()
		case <-f.waker.Wake():
		}
	}
}

// followed completes l, a line of the current file.
func (r *Reader) followed(l Line) Line {
	f := r.fol
	if !f.identOK {
		r.ident, f.head = identify(f.path, r.file)
		r.idp, f.identOK = nil, true
	}
	l.File = r.lineIdentity()
	l.Reopened, f.fresh = f.fresh, false
	return l
}

// look runs at the end of the current file: it reports whether there is
// something new to read, a file at path that is not the current one (to
// read once the current one is drained) or the current one truncated.
// What keeps it from reading the file at path is told (FollowOptions.Unreadable).
func (r *Reader) look() bool {
	f := r.fol
	fi, err := followable(f.path)
	if err != nil {
		f.failed(err)
		return false
	}
	if r.file != nil {
		cfi, err := r.file.Stat()
		if err != nil {
			return false
		}
		if os.SameFile(fi, cfi) {
			f.readOK()
			if r.truncated(cfi) {
				h := r.file
				r.file = nil // switchTo must not close it
				r.switchTo(h)
				return true
			}
			return false
		}
	}
	h, err := f.open(f.path)
	if err != nil {
		f.skip(fi, err)
		f.failed(openError(f.path, err))
		return false
	}
	// The files missed are told before the new one is said readable:
	// their gap begins while the path was still unreadable.
	files := append(f.recover(fi), h)
	f.readOK()
	if r.file == nil {
		r.switchTo(files[0])
		files = files[1:]
	}
	f.queue = append(f.queue, files...)
	return true
}

// skip remembers the file at path, whose facts are fi, as one that could
// not be opened (err).
func (f *follower) skip(fi fs.FileInfo, err error) {
	dev, ino := fileID(fi)
	for i, s := range f.skipped {
		if s.is(dev, ino) {
			f.skipped[i].err = err
			return
		}
	}
	f.skipped = append(f.skipped, skipped{dev: dev, ino: ino, err: err, since: f.now()})
}

// recover runs when a file at path, whose facts are fi, can be read: the
// files skipped before it, other than itself, were rotated away unread.
// Each is looked for among path's rotated copies by device and inode and
// returned open, oldest first, to be read before it; one that cannot be
// found or opened is told missed.
func (f *follower) recover(fi fs.FileInfo) []*os.File {
	if len(f.skipped) == 0 {
		return nil
	}
	dev, ino := fileID(fi)
	var out []*os.File
	var sibs map[[2]uint64]string
	looked := false
	for _, s := range f.skipped {
		if s.is(dev, ino) {
			continue // the very file, readable now at path
		}
		if !looked {
			sibs, looked = siblingsByID(f.path), true
		}
		why := s.err
		if p, ok := sibs[[2]uint64{s.dev, s.ino}]; ok && s.is(s.dev, s.ino) {
			h, err := f.open(p)
			if err == nil {
				out = append(out, h)
				continue
			}
			why = openError(p, err)
		}
		if f.missed != nil {
			f.missed(&MissedError{Path: f.path, Dev: s.dev, Inode: s.ino, Since: s.since, Err: why})
		}
	}
	f.skipped = nil
	return out
}

// siblingsByID finds path's rotated copies (Siblings) by their device and
// inode, without opening them.
func siblingsByID(path string) map[[2]uint64]string {
	sibs, err := Siblings(path)
	if err != nil {
		return nil
	}
	out := map[[2]uint64]string{}
	for _, p := range sibs {
		if fi, err := os.Stat(p); err == nil {
			dev, ino := fileID(fi)
			out[[2]uint64{dev, ino}] = p
		}
	}
	return out
}

// followable looks at path without opening it (opening a FIFO would wait
// for a writer): the file's facts, or why it cannot be followed. Nothing
// there is an error matching fs.ErrNotExist; a directory, a file that is
// not a regular one, or a path that cannot be looked at (permission
// denied on its directory) is an error naming the path.
func followable(path string) (fs.FileInfo, error) {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, openError(path, err)
	case fi.IsDir():
		return nil, openError(path, syscall.EISDIR)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("follow %s: not a regular file", path)
	}
	return fi, nil
}

// CheckFollow says why path cannot be followed, looking at it without
// opening it: nil for a regular file (which may still fail to open), else
// the error Follow would return or report (see
// FollowOptions.Unreadable), matching fs.ErrNotExist when nothing is
// there. A caller that opens the file itself before following it (to
// identify it) calls CheckFollow first: opening a FIFO waits for a writer.
func CheckFollow(path string) error {
	_, err := followable(path)
	return err
}

// failed takes what kept a look from reading the file at the path. What
// cannot be read is reported once confirmLooks looks in a row found it so
// (at once when the path was already reported). A path only missing is a
// rotation under way, waited for quietly for MissingAfter, unless the path
// was already reported: it is then reported gone at once.
func (f *follower) failed(err error) {
	if errors.Is(err, fs.ErrNotExist) {
		f.fails = 0
		if f.problem == nil {
			now := f.now()
			if f.missingSince.IsZero() {
				f.missingSince = now
			}
			if now.Sub(f.missingSince) < f.missingAfter {
				return
			}
		}
		f.tell(err)
		return
	}
	f.missingSince = time.Time{}
	if f.fails++; f.fails < confirmLooks && f.problem == nil {
		return
	}
	f.tell(err)
}

// readOK is a look that found a file at the path it can read.
func (f *follower) readOK() {
	f.fails, f.missingSince = 0, time.Time{}
	f.tell(nil)
}

// tell reports a change in what a look found wrong at the path (nil:
// nothing) to FollowOptions.Unreadable, once per change.
func (f *follower) tell(err error) {
	if (err == nil) == (f.problem == nil) && (err == nil || err.Error() == f.problem.Error()) {
		return
	}
	f.problem = err
	if f.unreadable != nil {
		f.unreadable(err)
	}
}

// switchTo makes h the current file, read from its start; the old one is
// closed.
func (r *Reader) switchTo(h *os.File) {
	f := r.fol
	if r.file != nil {
		r.file.Close()
	}
	f.fresh, f.started = f.started, true
	f.identOK, f.head = false, nil
	r.ident, r.idp = Identity{Path: f.path}, nil
	r.readFrom(h, 0)
}

// truncated reports whether the current file, whose facts are fi, was
// truncated after lines were read from it: it is now shorter than what was
// read, or its first bytes changed (truncated and written again).
func (r *Reader) truncated(fi fs.FileInfo) bool {
	if fi.Size() < r.offset {
		return true
	}
	f := r.fol
	if !f.identOK {
		return false
	}
	got := make([]byte, len(f.head))
	n, _ := r.file.ReadAt(got, 0)
	return !bytes.Equal(got[:n], f.head)
}

// identify describes the open file h, fingerprinting its first
// min(4096, size) bytes as they are now, which it also returns.
func identify(path string, h *os.File) (Identity, []byte) {
	id := Identity{Path: path}
	fi, err := h.Stat()
	if err != nil {
		return id, nil
	}
	id.Size, id.ModTime = fi.Size(), fi.ModTime()
	id.Dev, id.Inode = fileID(fi)
	head := make([]byte, min(fi.Size(), FingerprintSize))
	n, _ := h.ReadAt(head, 0) // fewer if the file was truncated since Stat
	id.Fingerprint, id.FingerprintLen = hashHex(head[:n]), n
	return id, head[:n]
}

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

	"github.com/nxadm/tail" // imported nowhere else in pftls
)

// FollowOptions choose where following starts and how changes are noticed.
type FollowOptions struct {
	Offset int64 // byte offset to start at in the current file (0 = beginning); a line start, such as a stored End
	AtEnd  bool  // start at the end of the file instead of Offset
	Poll   bool  // poll instead of inotify (NFS, some containers); nxadm/tail polls every 250ms

	// MaxLineBytes: lines longer than this are cut (Truncated=true);
	// 0 means the MaxLineBytes constant.
	MaxLineBytes int
}

// FollowLine is one line read while following.
type FollowLine struct {
	Bytes     []byte   // without "\n" (and one "\r" before it); valid until the next call
	End       int64    // offset just after this line's newline in the file it came from
	File      Identity // the file the line came from; see Follow for what it holds
	Reopened  bool     // first line after the file was rotated (renamed + new file), removed and recreated, or truncated (copytruncate)
	Truncated bool     // the line was longer than MaxLineBytes; Bytes holds its first MaxLineBytes bytes
}

// idleCheck is how long Next waits for nxadm/tail before looking at the
// file itself for lines it has not delivered.
const idleCheck = time.Second

// Follower reads lines from a log file as they are written, across
// rotation and truncation. A Follower is not safe for concurrent use:
// cancel the context of a blocked Next before calling Stop.
type Follower struct {
	path string
	max  int
	idle time.Duration // see idleCheck; tests shorten it

	t     *tail.Tail
	lines <-chan *tail.Line // t.Lines; tests set nil to play an nxadm/tail that misses every change

	started bool // a file has been seen: a later one is Reopened

	// cur is Follow's own handle on the file whose lines Next returns,
	// normally the one nxadm/tail reads. It lets Follow identify the file,
	// drain it after a rotation, and read it when nxadm/tail misses a
	// change. nil when unknown.
	cur     *os.File
	ident   Identity // of cur; only Path while cur is nil
	identOK bool     // ident has been computed for cur
	bound   bool     // nxadm/tail's lines are known to come from cur
	num     int      // nxadm/tail's Num of the last line taken from it
	end     int64    // End of the last line returned from cur, or where following started
	fresh   bool     // the next line from cur is Reopened

	// prev is the file read before cur, kept while its rest is drained and
	// while nxadm/tail may still hand over lines from it.
	prev    *os.File
	prevID  Identity
	prevEnd int64 // End of the last line returned from prev

	side    []*sideRead // lines Follow reads itself, returned before pending and nxadm/tail
	pending *tail.Line  // the first line of a new file, held back while the old one drains

	timer *time.Timer
	buf   []byte
	err   error // returned by every later Next
}

// sideRead is a run of lines Follow reads from a file itself.
type sideRead struct {
	r   *Reader
	cur bool // reading cur (stop before a last line with no newline) rather than draining prev
}

// Follow starts following path, which need not exist yet: Follow then waits
// for it to appear (its directory must exist) and reads it from its start,
// ignoring Offset and AtEnd. "-" is not supported; read standard input with
// [Open]. Offset (or, with AtEnd, the size) applies to the file at path
// when Follow is called; an Offset past its end is an error matching
// [io.ErrUnexpectedEOF], since the file is then not the one the offset was
// stored for.
//
// Changes are noticed by github.com/nxadm/tail (inotify, or polling every
// 250ms with Poll): appends, rotation (the file renamed or removed and a new
// one created, also after a while), and truncation (copytruncate). The first
// line of a new or truncated file has Reopened set, a new File, and an End
// counted from that file's start. Lines are returned in file order, each
// once, except as described below.
//
// # Identity
//
// File is computed when the first line of a file is returned: device and
// inode, size and modification time at that moment, and the sha256 of the
// first min(4096, size) bytes. A brand-new file may be shorter than 4096
// bytes then; its fingerprint covers what was there (FingerprintLen says
// how much), and [Fingerprint] with that length matches it later.
// Compression is always empty: Follow reads the bytes on disk. If the file
// at path was replaced again before Follow could open the one nxadm/tail is
// reading, File holds only Path: no facts are better than a different
// file's.
//
// # What Follow adds to nxadm/tail
//
// Follow keeps its own handle on the file being read, and checks that it is
// the same file by comparing the first line nxadm/tail hands over with the
// bytes at that offset. With it:
//
//   - After a rotation, the lines nxadm/tail left unread in the old file are
//     returned, from the last End, just before the first line of the new
//     file. nxadm/tail switches as soon as it sees the rename, even with
//     lines unread (with inotify it picks at random between "written" and
//     "moved" when both are pending), and a writer keeps writing to the old
//     file until told to reopen (syslog's HUP). Both are caught up.
//   - If no line has come for a second, Follow looks at the file itself and
//     returns complete lines nxadm/tail has not delivered, and then drops
//     them when nxadm/tail does deliver them (by offset). With inotify,
//     nxadm/tail adds its watch only after first reading a file to its end,
//     so a write in between goes unnoticed (about 1 in 100 starts and
//     reopens in testing) until the next write. Polling has no such gap.
//
// # What is still lost or late
//
//   - Lines written to an old file after the first line of its successor was
//     returned (or after Follow's one-second look found the successor), and
//     lines of a file replaced twice before anything was read from the
//     middle one: only the previous file is drained.
//   - copytruncate: lines written after Follow last read the file and
//     before the copy are only in the copy. Truncation is noticed by the
//     size shrinking; if the file grew past its old size again before
//     nxadm/tail looked, reading goes on from the old offset in the new
//     content: lines lost, the first one possibly cut.
//   - A last line with no newline is held until its newline arrives
//     (nxadm/tail's CompleteLines; without it, nxadm/tail returns the halves
//     as two lines). Its first half is lost if the file is truncated before.
//     A rotated file's last line with no newline is returned as it is, with
//     End just after its last byte.
//   - After a missed change, lines arrive up to a second late.
//
// nxadm/tail reads a whole line into memory before Follow cuts it to
// MaxLineBytes. It gives up (Next returns its error) if the file exists but
// cannot be opened, and exits the process if its inotify watcher cannot be
// created or the file cannot be stat'ed for a reason other than not
// existing. Two Followers on the same path in one process share, and split,
// nxadm/tail's inotify events: follow a path once.
func Follow(path string, o FollowOptions) (*Follower, error) {
	if path == "-" {
		return nil, errors.New("follow -: standard input cannot be followed; read it with Open")
	}
	f := &Follower{path: path, max: o.MaxLineBytes, idle: idleCheck, ident: Identity{Path: path}}
	if f.max < 1 {
		f.max = MaxLineBytes
	}
	var start *tail.SeekInfo
	switch fi, err := os.Stat(path); {
	case errors.Is(err, fs.ErrNotExist):
		// nxadm/tail waits for the file by watching its directory.
		if _, err := os.Stat(filepath.Dir(path)); err != nil {
			return nil, fmt.Errorf("follow %s: %w", path, err)
		}
	case err != nil:
		return nil, openError(path, err)
	case fi.IsDir():
		return nil, openError(path, syscall.EISDIR)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("follow %s: not a regular file", path)
	default:
		h, err := os.Open(path)
		if err == nil {
			fi, err = h.Stat()
			if err != nil {
				h.Close()
			}
		}
		if err != nil {
			return nil, openError(path, err)
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
		// The size rather than SeekEnd, so that nxadm/tail starts exactly
		// where Follow believes it does.
		start = &tail.SeekInfo{Offset: at, Whence: io.SeekStart}
		f.cur, f.end, f.started = h, at, true
	}
	t, err := tail.TailFile(path, tail.Config{
		Location:      start,
		ReOpen:        true,
		MustExist:     false,
		Poll:          o.Poll,
		Follow:        true,
		CompleteLines: true,
		Logger:        tail.DiscardingLogger,
	})
	if err != nil {
		if f.cur != nil {
			f.cur.Close()
		}
		return nil, fmt.Errorf("follow %s: %w", path, err)
	}
	f.t, f.lines = t, t.Lines
	return f, nil
}

// Next returns the next line, blocking until one is written or ctx is done
// (then it returns ctx.Err()). It never returns io.EOF. Any other error ends
// following and is returned from then on; after Stop it matches
// [os.ErrClosed].
func (f *Follower) Next(ctx context.Context) (FollowLine, error) {
	if f.err != nil {
		return FollowLine{}, f.err
	}
	if err := ctx.Err(); err != nil {
		return FollowLine{}, err
	}
	for {
		if len(f.side) > 0 {
			if fl, ok := f.nextSide(); ok {
				return fl, nil
			}
			if f.err != nil {
				return FollowLine{}, f.err
			}
			continue
		}
		if l := f.pending; l != nil {
			f.pending = nil
			f.end = l.SeekInfo.Offset
			return f.fromCur(f.line(l)), nil
		}

		if f.timer == nil {
			f.timer = time.NewTimer(f.idle)
		} else {
			f.timer.Reset(f.idle)
		}
		var l *tail.Line
		var open bool
		select {
		case <-ctx.Done():
			f.timer.Stop()
			return FollowLine{}, ctx.Err()
		case <-f.timer.C:
			f.lookAtFile()
			continue
		case l, open = <-f.lines:
			f.timer.Stop()
		}
		if !open { // nxadm/tail stopped with an error
			err := f.t.Wait()
			if err == nil {
				err = os.ErrClosed
			}
			f.err = fmt.Errorf("follow %s: %w", f.path, err)
			return FollowLine{}, f.err
		}
		if l.Err != nil {
			// A notice such as "Too much log activity", not a log line.
			// Errors that end following close the channel instead.
			continue
		}
		if fl, ok := f.accept(l); ok {
			return fl, nil
		}
	}
}

// nextSide returns the next line Follow reads itself, or false when the
// current run is over (or failed: f.err).
func (f *Follower) nextSide() (FollowLine, bool) {
	s := f.side[0]
	l, err := s.r.Next()
	if err == nil && !(s.cur && l.Partial) {
		fl := FollowLine{Bytes: l.Bytes, End: l.End, Truncated: l.Truncated}
		if s.cur {
			f.end = l.End
			return f.fromCur(fl), true
		}
		f.prevEnd = l.End
		fl.File = f.prevID
		return fl, true
	}
	f.side = f.side[1:]
	if err != nil && err != io.EOF {
		f.err = fmt.Errorf("follow %s: %w", f.path, err)
		return FollowLine{}, false
	}
	if !s.cur && f.bound {
		f.dropPrev() // drained, and nxadm/tail has moved on
	}
	return FollowLine{}, false
}

// accept takes a line from nxadm/tail. It returns false when there is
// nothing to return yet: the line was read by Follow already, or it is the
// first of a new file and the old one must be drained first.
func (f *Follower) accept(l *tail.Line) (FollowLine, bool) {
	off := l.SeekInfo.Offset
	if f.bound {
		if l.Num > f.num { // the same file: nxadm/tail counts from 1 again after reopening
			f.num = l.Num
			if off <= f.end {
				return FollowLine{}, false // Follow read it while nxadm/tail was idle
			}
			f.end = off
			return f.fromCur(f.line(l)), true
		}
	} else {
		// Which file nxadm/tail reads is not known yet: at the start, or
		// after Follow switched files by itself.
		switch {
		case f.cur != nil && sameLine(f.cur, l):
			f.bound, f.num = true, l.Num
			if len(f.side) == 0 {
				f.dropPrev()
			}
			if off <= f.end {
				return FollowLine{}, false
			}
			f.end = off
			return f.fromCur(f.line(l)), true
		case f.prev != nil && sameLine(f.prev, l):
			// nxadm/tail had not yet left the old file.
			if off <= f.prevEnd {
				return FollowLine{}, false
			}
			f.prevEnd = off
			fl := f.line(l)
			fl.File = f.prevID
			return fl, true
		}
	}

	// nxadm/tail reads a file Follow has no handle on: a new one after a
	// rotation, the same one after truncation, or the first file.
	h, err := os.Open(f.path)
	if err == nil && !sameLine(h, l) {
		h.Close() // replaced again already
		h = nil
	}
	if err != nil {
		h = nil
	}
	f.switchTo(h)
	f.bound, f.num, f.end = true, l.Num, off
	if len(f.side) > 0 {
		f.pending = l
		return FollowLine{}, false
	}
	f.dropPrev() // nothing to drain, and nxadm/tail has moved on
	return f.fromCur(f.line(l)), true
}

// lookAtFile runs when nxadm/tail has been silent for f.idle. If the file
// holds complete lines not returned yet, it queues them to be read by
// Follow itself; nxadm/tail's copies are dropped later by offset.
func (f *Follower) lookAtFile() {
	fi, err := os.Stat(f.path)
	if err != nil {
		return // missing: nxadm/tail waits for it
	}
	if f.cur != nil {
		cfi, err := f.cur.Stat()
		if err == nil && os.SameFile(cfi, fi) {
			if cfi.Size() > f.end && hasLine(f.cur, f.end) {
				f.side = append(f.side, &sideRead{r: f.reader(f.cur, f.end), cur: true})
			}
			return
		}
	}
	// A file nxadm/tail has not handed a line from.
	if fi.Size() == 0 || !fi.Mode().IsRegular() {
		return
	}
	h, err := os.Open(f.path)
	if err != nil {
		return
	}
	if !hasLine(h, 0) {
		h.Close()
		return
	}
	f.switchTo(h)
	f.bound, f.num, f.end = false, 0, 0
	f.side = append(f.side, &sideRead{r: f.reader(h, 0), cur: true})
}

// switchTo makes h (nil if unknown) the current file. The old current file
// becomes prev, and what it holds after the last line returned is queued to
// be drained, unless it was truncated in place.
func (f *Follower) switchTo(h *os.File) {
	f.dropPrev()
	if old := f.cur; old != nil {
		if !f.identOK {
			f.ident = identify(f.path, old)
		}
		f.prev, f.prevID, f.prevEnd = old, f.ident, f.end
		if f.unread(old, f.end, h) {
			f.side = append(f.side, &sideRead{r: f.reader(old, f.end)})
		}
	}
	f.fresh = f.started
	f.started = true
	f.cur, f.ident, f.identOK = h, Identity{Path: f.path}, false
}

// dropPrev closes the previous file.
func (f *Follower) dropPrev() {
	if f.prev != nil {
		f.prev.Close()
		f.prev = nil
	}
}

// unread reports whether old holds bytes after end that were not returned
// and are not new content of a file truncated in place (old being the same
// file as h, or the file now at path when h is nil).
func (f *Follower) unread(old *os.File, end int64, h *os.File) bool {
	ofi, err := old.Stat()
	if err != nil || ofi.Size() <= end {
		return false
	}
	var nfi fs.FileInfo
	if h != nil {
		nfi, err = h.Stat()
	} else {
		nfi, err = os.Stat(f.path)
	}
	return err != nil || !os.SameFile(ofi, nfi)
}

// reader reads lines of h from offset from, with Ends counted from h's start.
func (f *Follower) reader(h *os.File, from int64) *Reader {
	rest := io.NewSectionReader(h, from, math.MaxInt64-from)
	return &Reader{
		name:   f.path,
		br:     bufio.NewReaderSize(&stickyReader{r: rest}, bufSize),
		max:    f.max,
		offset: from,
	}
}

// line builds the FollowLine for l (without File), copying its text into f.buf.
func (f *Follower) line(l *tail.Line) FollowLine {
	text := l.Text // nxadm/tail removed the "\n"
	if n := len(text); n > 0 && text[n-1] == '\r' {
		text = text[:n-1]
	}
	fl := FollowLine{End: l.SeekInfo.Offset}
	if len(text) > f.max {
		text = text[:f.max]
		fl.Truncated = true
	}
	f.buf = append(f.buf[:0], text...)
	fl.Bytes = f.buf
	return fl
}

// fromCur completes fl, a line of the current file.
func (f *Follower) fromCur(fl FollowLine) FollowLine {
	if !f.identOK && f.cur != nil {
		f.ident, f.identOK = identify(f.path, f.cur), true
	}
	fl.File = f.ident
	fl.Reopened, f.fresh = f.fresh, false
	return fl
}

// sameLine reports whether h holds l's text and newline just before l's
// offset: whether h is, in all likelihood, the file nxadm/tail read l from.
func sameLine(h *os.File, l *tail.Line) bool {
	want := len(l.Text) + 1
	at := l.SeekInfo.Offset - int64(want)
	if at < 0 {
		return false
	}
	got := make([]byte, want)
	if _, err := h.ReadAt(got, at); err != nil {
		return false
	}
	return got[want-1] == '\n' && string(got[:want-1]) == l.Text
}

// hasLine reports whether h holds a newline at or after offset from.
func hasLine(h *os.File, from int64) bool {
	buf := make([]byte, 8<<10)
	for {
		n, err := h.ReadAt(buf, from)
		if bytes.IndexByte(buf[:n], '\n') >= 0 {
			return true
		}
		if err != nil {
			return false
		}
		from += int64(n)
	}
}

// identify describes the open file h, fingerprinting its first
// min(4096, size) bytes as they are now.
func identify(path string, h *os.File) Identity {
	id := Identity{Path: path}
	fi, err := h.Stat()
	if err != nil {
		return id
	}
	id.Size, id.ModTime = fi.Size(), fi.ModTime()
	id.Dev, id.Inode = fileID(fi)
	head := make([]byte, min(fi.Size(), fingerprintSize))
	n, _ := h.ReadAt(head, 0) // fewer if the file was truncated since Stat
	id.Fingerprint, id.FingerprintLen = hashHex(head[:n]), n
	return id
}

// Stop stops following and closes the files. Next fails after Stop with an
// error matching os.ErrClosed. Stop returns the error that ended following
// early, if any.
func (f *Follower) Stop() error {
	if f.t == nil {
		return nil
	}
	err := f.t.Stop()
	f.t, f.lines = nil, nil
	if f.timer != nil {
		f.timer.Stop()
	}
	if f.cur != nil {
		f.cur.Close()
		f.cur = nil
	}
	f.dropPrev()
	f.side, f.pending = nil, nil
	f.err = fmt.Errorf("follow %s: %w", f.path, os.ErrClosed)
	if err != nil {
		return fmt.Errorf("follow %s: %w", f.path, err)
	}
	return nil
}

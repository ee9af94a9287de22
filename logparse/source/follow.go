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
	poll bool
	idle time.Duration // see idleCheck; tests shorten it

	t        *tail.Tail
	lines    <-chan *tail.Line // t.Lines; tests set nil to play an nxadm/tail that misses every change
	restarts int               // of nxadm/tail since the last line it delivered

	started bool // a file has been seen: a later one is Reopened

	// cur is Follow's own handle on the file whose lines Next returns,
	// normally the one nxadm/tail reads. It lets Follow identify the file,
	// drain it after a rotation, and read it when nxadm/tail misses a
	// change. nil until a file has been seen.
	cur     *os.File
	ident   Identity // of cur; only Path while cur is nil
	identOK bool     // ident and head have been computed for cur
	head    []byte   // the bytes ident's fingerprint covers, to notice truncation
	bound   bool     // nxadm/tail's lines are known to come from cur
	away    bool     // nxadm/tail's lines come from a file Follow cannot open (replaced again already)
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

	stats followStats
}

// followStats count what Follow had to make up for; tests log them.
type followStats struct {
	own      int // lines Follow read itself (drains and looks at the file)
	dropped  int // copies from nxadm/tail dropped as read already
	restarts int // of nxadm/tail after it gave up
	reopens  int // spurious reopens of the same file by nxadm/tail
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
// File.Path is always the path followed, also for the last lines of a file
// since renamed. Compression is always empty: Follow reads the bytes on
// disk.
//
// # What Follow adds to nxadm/tail
//
// Follow keeps its own handle on the file being read, and checks that it is
// the file nxadm/tail reads by comparing the first line nxadm/tail hands
// over with the bytes at that offset. With it:
//
//   - After a rotation, the lines nxadm/tail left unread in the old file are
//     returned, from the last End, just before the first line of the new
//     file. nxadm/tail switches as soon as it sees the rename, even with
//     lines unread (with inotify it picks at random between "written" and
//     "moved" when both are pending), and a writer keeps writing to the old
//     file until told to reopen (syslog until its HUP). Both are caught up.
//   - If no line has come for a second, Follow looks at the file itself and
//     returns complete lines nxadm/tail has not delivered, then drops
//     nxadm/tail's copies by offset. With inotify, nxadm/tail adds its watch
//     only after first reading a file to its end, so a write in between goes
//     unnoticed until the next write (3 in 300 starts in testing; the same
//     gap follows each reopen). The look also catches a rotation or
//     truncation nxadm/tail missed in that gap. Polling has no such gap.
//   - If the file vanishes in that gap, nxadm/tail gives up ("no such file
//     or directory"); Follow starts it again, where it was.
//   - A late inotify event can make nxadm/tail reopen the file it was
//     reading and read it again from the start; the copies are dropped.
//
// # What is still lost, late or out of order
//
//   - Lines written to an old file after the first line of its successor
//     was returned (or Follow's look found the successor) arrive only if
//     nxadm/tail has not left the old file yet, and then after lines of the
//     new one; otherwise they are lost.
//   - A file replaced again before any line of it was returned (one that
//     lived less than about a second, or while Next was not called): its
//     lines may come after its successor's, with only Path in File, or, if
//     nxadm/tail skipped it too, not at all. Only the previous file is
//     drained.
//   - copytruncate: lines written after Follow last read the file and
//     before the copy are only in the copy. Truncation is noticed by the
//     size shrinking; if the file grew past its old size again before
//     nxadm/tail looked, it goes on from the old offset in the new content:
//     lines lost, the first one possibly cut.
//   - A last line with no newline is held until its newline arrives
//     (nxadm/tail's CompleteLines; without it, nxadm/tail returns the halves
//     as two lines). Its first half is lost if the file is truncated first.
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
	f := &Follower{path: path, max: o.MaxLineBytes, poll: o.Poll, idle: idleCheck, ident: Identity{Path: path}}
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
	if err := f.startTail(start); err != nil {
		if f.cur != nil {
			f.cur.Close()
		}
		return nil, err
	}
	return f, nil
}

// startTail starts nxadm/tail at start (nil: the beginning of the file).
func (f *Follower) startTail(start *tail.SeekInfo) error {
	t, err := tail.TailFile(f.path, tail.Config{
		Location:      start,
		ReOpen:        true,
		MustExist:     false,
		Poll:          f.poll,
		Follow:        true,
		CompleteLines: true,
		Logger:        tail.DiscardingLogger,
	})
	if err != nil {
		return fmt.Errorf("follow %s: %w", f.path, err)
	}
	f.t, f.lines = t, t.Lines
	return nil
}

// maxRestarts bounds the restarts of nxadm/tail without a line between.
const maxRestarts = 5

// restart starts nxadm/tail again after it failed because the file
// vanished between its opening the file and watching it. It starts where
// Follow is if the file at path is still cur, else at the beginning; either
// way its first line is checked like the very first one.
func (f *Follower) restart() error {
	var start *tail.SeekInfo
	if f.cur != nil {
		fi, err1 := os.Stat(f.path)
		cfi, err2 := f.cur.Stat()
		if err1 == nil && err2 == nil && os.SameFile(fi, cfi) {
			start = &tail.SeekInfo{Offset: f.end, Whence: io.SeekStart}
		}
	}
	f.restarts++
	f.stats.restarts++
	f.bound, f.num = false, 0
	return f.startTail(start)
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
			select {
			case l, open = <-f.lines: // a line after all: it goes first
			default:
				f.lookAtFile()
				continue
			}
		case l, open = <-f.lines:
			f.timer.Stop()
		}
		if !open { // nxadm/tail stopped with an error
			err := f.t.Wait()
			if errors.Is(err, fs.ErrNotExist) && f.restarts < maxRestarts {
				// With inotify, nxadm/tail watches a file only after first
				// reading it to its end, and gives up if it has gone by then.
				if err = f.restart(); err == nil {
					continue
				}
			}
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
		f.restarts = 0
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
		f.stats.own++
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
	if (f.bound || f.away) && l.Num > f.num {
		// More of the file nxadm/tail was reading (it counts from 1 again
		// after reopening).
		f.num = l.Num
		if f.away {
			return f.foreign(l, false), true
		}
		return f.fromNxadm(l)
	}
	// The first line from nxadm/tail, the first since Follow switched
	// files by itself, or the first since nxadm/tail reopened.
	reopened := f.bound || f.away
	f.away = false
	switch {
	case f.cur != nil && sameLine(f.cur, l) && !f.truncated():
		// cur, which Follow may have read ahead; or nxadm/tail read it
		// again from the start (a late inotify event about an old file
		// makes it reopen whatever is at path, which may be the same).
		if reopened {
			f.stats.reopens++
		}
		f.bound, f.num = true, l.Num
		if len(f.side) == 0 {
			f.dropPrev()
		}
		return f.fromNxadm(l)
	case f.prev != nil && sameLine(f.prev, l):
		// nxadm/tail has not left the old file yet, or reads it again.
		f.bound = false
		if l.SeekInfo.Offset <= f.prevEnd {
			f.stats.dropped++
			return FollowLine{}, false
		}
		f.prevEnd = l.SeekInfo.Offset
		fl := f.line(l)
		fl.File = f.prevID
		return fl, true
	}

	// nxadm/tail reads a file Follow has no handle on: a new one after a
	// rotation, the same one after truncation, or the first file.
	h, err := os.Open(f.path)
	if err == nil && !sameLine(h, l) {
		h.Close()
		err = errors.New("another file")
	}
	if err != nil {
		// That file has been replaced (or removed) again already. Its
		// lines are passed on without facts about it; cur stays, to be
		// drained or read once nxadm/tail or Follow moves on.
		f.bound, f.away, f.num = false, true, l.Num
		return f.foreign(l, f.started), true
	}
	f.switchTo(h)
	f.bound, f.num, f.end = true, l.Num, l.SeekInfo.Offset
	if len(f.side) > 0 {
		f.pending = l
		return FollowLine{}, false
	}
	f.dropPrev() // nothing to drain, and nxadm/tail has moved on
	return f.fromCur(f.line(l)), true
}

// foreign returns l, a line of a file Follow could not open.
func (f *Follower) foreign(l *tail.Line, reopened bool) FollowLine {
	f.started = true
	fl := f.line(l)
	fl.File, fl.Reopened = Identity{Path: f.path}, reopened
	return fl
}

// fromNxadm returns l, a line of cur, unless Follow read it already.
func (f *Follower) fromNxadm(l *tail.Line) (FollowLine, bool) {
	if l.SeekInfo.Offset <= f.end {
		f.stats.dropped++
		return FollowLine{}, false
	}
	f.end = l.SeekInfo.Offset
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
		if err == nil && os.SameFile(cfi, fi) && !f.truncated() {
			if cfi.Size() > f.end && hasLine(f.cur, f.end) {
				f.side = append(f.side, &sideRead{r: f.reader(f.cur, f.end), cur: true})
			}
			return
		}
	}
	// A file nxadm/tail has not handed a line from, or cur truncated.
	if !fi.Mode().IsRegular() {
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
	f.bound, f.away, f.num, f.end = false, false, 0, 0
	f.side = append(f.side, &sideRead{r: f.reader(h, 0), cur: true})
}

// switchTo makes h the current file. The old current file
// becomes prev, and what it holds after the last line returned is queued to
// be drained, unless it was truncated in place.
func (f *Follower) switchTo(h *os.File) {
	f.dropPrev()
	if old := f.cur; old != nil {
		if !f.identOK {
			f.ident, _ = identify(f.path, old)
		}
		f.prev, f.prevID, f.prevEnd = old, f.ident, f.end
		if f.unread(old, f.end, h) {
			f.side = append(f.side, &sideRead{r: f.reader(old, f.end)})
		}
	}
	f.fresh = f.started
	f.started = true
	f.cur, f.ident, f.identOK, f.head = h, Identity{Path: f.path}, false, nil
}

// truncated reports whether cur was truncated after lines were read from
// it: it is now shorter than the last End, or its first bytes changed
// (truncated and written again).
func (f *Follower) truncated() bool {
	fi, err := f.cur.Stat()
	if err != nil {
		return false
	}
	if fi.Size() < f.end {
		return true
	}
	if !f.identOK {
		return false
	}
	got := make([]byte, len(f.head))
	n, _ := f.cur.ReadAt(got, 0)
	return !bytes.Equal(got[:n], f.head)
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
// file as h).
func (f *Follower) unread(old *os.File, end int64, h *os.File) bool {
	ofi, err := old.Stat()
	if err != nil || ofi.Size() <= end {
		return false
	}
	nfi, err := h.Stat()
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
		f.ident, f.head = identify(f.path, f.cur)
		f.identOK = true
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

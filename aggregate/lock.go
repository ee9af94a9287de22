package aggregate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// writeLock is the one-writer rule: an exclusive flock on PATH.lock next
// to the database, taken by every Store opened for writing (ingest, tail,
// report with FILE arguments, prune) and released by Close. The
// correlator's state in the database must have one writer at a time:
// two would each restore it, and the second commit would undo the first.
// SQLite's own locks cover a transaction, not a run.
//
// The lock file also says whether the last writer closed the database:
// a writer writes its pid into it on opening (markOpen) and empties it on
// a clean Close (markClosed). A lock file found non-empty means the last
// writer was killed or crashed, and Open runs PRAGMA quick_check first.
type writeLock struct {
	f       *os.File
	unclean bool // the lock file held a writer's mark when taken
}

// lockPoll is how often a writer waiting for the lock tries again.
const lockPoll = 200 * time.Millisecond

// lockForWriting takes the lock of the database at dbPath, waiting up to
// wait for another writer (or until ctx is done). It creates the
// database's directory (0700) if need be.
func lockForWriting(ctx context.Context, dbPath string, wait time.Duration) (*writeLock, error) {
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	f, err := os.OpenFile(dbPath+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrPermission) || errors.Is(err, syscall.EROFS) {
			return nil, fmt.Errorf("%s: cannot write in %s (%w): a database needs a directory it may write to, for its lock, WAL and shared-memory files; use --db in one", dbPath, filepath.Dir(dbPath), err)
		}
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			fi, err := f.Stat()
			return &writeLock{f: f, unclean: err == nil && fi.Size() > 0}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s.lock: %w", dbPath, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("%s is being written by another pftls (ingest or tail); waited %s: try again later", dbPath, wait)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(lockPoll):
		}
	}
}

// markOpen records that a writer has the database open (its pid and
// when), synced, before it writes anything.
func (l *writeLock) markOpen(now time.Time, follows string) error {
	if l == nil || l.f == nil {
		return nil
	}
	mark := fmt.Sprintf("pid %d writing since %s\n", os.Getpid(), now.UTC().Format(time.RFC3339))
	if follows != "" {
		mark += followsPrefix + follows + "\n"
	}
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("mark %s open: %w", l.f.Name(), err)
	}
	if _, err := l.f.WriteAt([]byte(mark), 0); err != nil {
		return fmt.Errorf("mark %s open: %w", l.f.Name(), err)
	}
	if err := l.f.Sync(); err != nil {
		return fmt.Errorf("mark %s open: %w", l.f.Name(), err)
	}
	return nil
}

// markClosed records a clean close: the lock file is emptied.
func (l *writeLock) markClosed() error {
	if l == nil || l.f == nil {
		return nil
	}
	if err := l.f.Truncate(0); err != nil {
		return fmt.Errorf("mark %s closed: %w", l.f.Name(), err)
	}
	return nil
}

// release gives the lock up; a nil lock is fine.
func (l *writeLock) release() {
	if l != nil && l.f != nil {
		syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
		l.f.Close()
		l.f = nil
	}
}

// lockAndPrepare takes the write lock for Open and, with opts.Rebuild,
// moves the old database aside under it, so that no other writer can
// start a new one in between. It returns where the old database went.
func lockAndPrepare(ctx context.Context, path string, opts OpenOptions) (*writeLock, string, error) {
	lock, err := lockForWriting(ctx, path, opts.LockWait)
	if err != nil {
		return nil, "", err
	}
	// Under the lock, before anything is created, moved or written: the
	// file must be pftls's database (or not exist).
	exists, err := identifyDatabase(ctx, path)
	if err != nil {
		lock.release()
		return nil, "", err
	}
	if !opts.Rebuild || !exists {
		return lock, "", nil
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	aside, err := MoveAside(path, now())
	if err != nil {
		lock.release()
		return nil, "", err
	}
	return lock, aside, nil
}

// followsPrefix starts the line of the lock file that names the file the
// writer follows (pftls tail, OpenOptions.Follows).
const followsPrefix = "follows "

// Writer is the process holding a database's write lock, as its lock file
// says.
type Writer struct {
	PID     int
	Follows string // the file it follows and stores (pftls tail), absolute; "" for other writers
}

// CurrentWriter returns the process writing the database at dbPath, if
// one holds its lock. A report whose FILEs are the log pftls tail follows
// (and its rotated copies) need not wait for the lock to ingest them: tail
// stores every line of them, and the report reads the database (the
// README's cron line while pftls-tail.service runs).
func CurrentWriter(dbPath string) (Writer, bool) {
	f, err := os.Open(dbPath + ".lock")
	if err != nil {
		return Writer{}, false
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if err == nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return Writer{}, false // nobody holds it
	}
	if !errors.Is(err, syscall.EWOULDBLOCK) {
		return Writer{}, false
	}
	b := make([]byte, 8192)
	n, _ := f.ReadAt(b, 0)
	var w Writer
	for _, line := range strings.Split(string(b[:n]), "\n") {
		if rest, ok := strings.CutPrefix(line, followsPrefix); ok {
			w.Follows = rest
		} else if strings.HasPrefix(line, "pid ") {
			fmt.Sscanf(line, "pid %d", &w.PID)
		}
	}
	return w, true
}

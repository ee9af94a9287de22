package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// dbFlag is the --db flag every command that touches the store has.
type dbFlag struct{ path string }

func (d *dbFlag) register(fs *flag.FlagSet) {
	fs.StringVar(&d.path, "db", "", "database path, or :memory: to keep nothing (default: $PFTLS_DB, else /var/lib/pftls/pftls.db as root, else $XDG_STATE_HOME/pftls/pftls.db)")
}

// resolve returns the database path: the flag, $PFTLS_DB, the system path
// for root, or the user's XDG state directory.
func (d *dbFlag) resolve() (string, error) {
	if d.path != "" {
		return d.path, nil
	}
	return defaultDBPath(os.Getenv, os.Geteuid())
}

func defaultDBPath(getenv func(string) string, euid int) (string, error) {
	if p := getenv("PFTLS_DB"); p != "" {
		return p, nil
	}
	if euid == 0 {
		return "/var/lib/pftls/pftls.db", nil
	}
	state := getenv("XDG_STATE_HOME")
	if state == "" {
		home := getenv("HOME")
		if home == "" {
			return "", errors.New("cannot find a place for the database: set --db, $PFTLS_DB or $HOME")
		}
		state = filepath.Join(home, ".local", "state")
	}
	return filepath.Join(state, "pftls", "pftls.db"), nil
}

// writeLock is an exclusive lock next to the database, held by whoever
// writes (ingest, tail, report with FILE arguments, prune): the correlator
// state in the database must have one writer at a time.
type writeLock struct{ f *os.File }

// lockForWriting takes the lock, waiting up to wait for another writer.
func lockForWriting(ctx context.Context, dbPath string, wait time.Duration) (*writeLock, error) {
	if dbPath == aggregate.Memory {
		return &writeLock{}, nil
	}
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		return nil, fmt.Errorf("create database directory: %w", err)
	}
	f, err := os.OpenFile(dbPath+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &writeLock{f: f}, nil
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
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (l *writeLock) release() {
	if l != nil && l.f != nil {
		syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
		l.f.Close()
	}
}

// registerLockWait adds --lock-wait, for the commands that write.
func registerLockWait(fs *flag.FlagSet, wait *time.Duration) {
	fs.DurationVar(wait, "lock-wait", 30*time.Second, "how long to wait for another pftls writing the same database")
}

// openForWriting takes the write lock of the database at path (waiting
// up to wait) and opens it; the caller releases the lock when done
// writing.
func openForWriting(ctx context.Context, path string, wait time.Duration) (*aggregate.Store, *writeLock, error) {
	lock, err := lockForWriting(ctx, path, wait)
	if err != nil {
		return nil, nil, err
	}
	store, err := aggregate.Open(ctx, path, aggregate.OpenOptions{})
	if err != nil {
		lock.release()
		return nil, nil, err
	}
	return store, lock, nil
}

// closeStore closes a store and adds its error (for a store written to:
// the last background checkpoint failed, the disk is full, say) to *err,
// so that the command does not report success and hide it.
func closeStore(store *aggregate.Store, err *error) {
	if cerr := store.Close(); cerr != nil {
		*err = errors.Join(*err, cerr)
	}
}

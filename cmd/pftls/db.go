package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse/source"
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

// registerLockWait adds --lock-wait, for the commands that write.
func registerLockWait(fs *flag.FlagSet, wait *time.Duration) {
	fs.DurationVar(wait, "lock-wait", 30*time.Second, "how long to wait for another pftls writing the same database")
}

// closeStore closes a store and adds its error (for a store written to:
// the last background checkpoint failed, the disk is full, say) to *err,
// so that the command does not report success and hide it.
func closeStore(store *aggregate.Store, err *error) {
	if cerr := store.Close(); cerr != nil {
		*err = errors.Join(*err, cerr)
	}
}

// followedByTail says whether a pftls tail holding the write lock of the
// database at dbPath follows the log that every one of files is (the log
// itself or one of its rotated copies, "mail.log.1", "mail.log.2.gz",
// "mail.log-20261205"; not "mail.log.bak", another log):
// tail stores each of their lines, so a report reads the database instead
// of waiting for the lock to ingest them again (the README's cron line
// while pftls-tail.service runs).
func followedByTail(dbPath string, files []string) (aggregate.Writer, bool) {
	if dbPath == aggregate.Memory || len(files) == 0 {
		return aggregate.Writer{}, false
	}
	w, ok := aggregate.CurrentWriter(dbPath)
	if !ok || w.Follows == "" {
		return w, false
	}
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil || f == "-" {
			return w, false
		}
		if !source.InRotation(w.Follows, abs) {
			return w, false
		}
	}
	return w, true
}

// checkFactsKept refuses to make what (a day's TLS reports, metrics) from
// the window [from, to) (zero: unbounded) when pftls prune deleted facts
// of it, or when a log rotated away before pftls read its end may have
// had lines in it (Store.Gaps): its counts would be short, and these
// outputs, unlike a report's state line, have no way to say so.
func checkFactsKept(ctx context.Context, store *aggregate.Store, from, to time.Time, what string) error {
	cut, _, err := store.PrunedBefore(ctx)
	if err != nil {
		return err
	}
	if aggregate.FactsPruned(from, cut) {
		return fmt.Errorf("%s: the facts before %s were pruned (pftls prune): %s cannot be made from what is left",
			store.Path(), cut.UTC().Format("2006-01-02 15:04 MST"), what)
	}
	gaps, err := store.Gaps(ctx, from, to)
	if err != nil || len(gaps) == 0 {
		return err
	}
	return fmt.Errorf("%s: lines are missing: %s cannot be made from what was read: %s",
		store.Path(), what, gapWords(&gaps[0], time.UTC))
}

package main

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
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

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/pftls/pftls/aggregate"
)

func runPrune(ctx context.Context, e env, args []string) (err error) {
	fs := newFlagSet(e, "prune", "--older-than 90d [--db PATH]")
	var db dbFlag
	db.register(fs)
	older := fs.String("older-than", "", "delete facts older than this age, e.g. 90d or 720h (required)")
	var lockWait time.Duration
	registerLockWait(fs, &lockWait)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *older == "" {
		return usagef("pftls prune --older-than 90d", "--older-than is required")
	}
	age, err := parseAge(*older)
	if err != nil {
		return usagef("pftls prune --older-than 90d", "--older-than: %v", err)
	}
	path, err := db.resolve()
	if err != nil {
		return err
	}
	// The store holds the write lock until it is closed.
	store, err := aggregate.Open(ctx, path, aggregate.OpenOptions{LockWait: lockWait})
	if err != nil {
		return err
	}
	defer closeStore(store, &err)
	before := e.now().Add(-age)
	n, err := store.Prune(ctx, before)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "deleted %d rows older than %s\n", n, before.Format(time.RFC3339))
	return nil
}

package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// pruneHint is the usage hint of pftls prune.
const pruneHint = "pftls prune --older-than 400d --keep-facts 30"

func runPrune(ctx context.Context, e env, args []string) (err error) {
	fs := newFlagSet(e, "prune", "--older-than 90d | --keep-facts DAYS [--older-than AGE] [--db PATH]")
	var db dbFlag
	db.register(fs)
	older := fs.String("older-than", "", "delete facts, counters and hourly rollups older than this age, e.g. 90d or 720h")
	keepFacts := fs.String("keep-facts", "", "delete the facts older than `DAYS` (or an age: 30d, 720h) and keep the hourly rollups, "+
		"which reports over older windows then read (they say which sections lack detail)")
	var lockWait time.Duration
	registerLockWait(fs, &lockWait)
	if _, err := parseFlags(fs, args); err != nil {
		return err
	}
	if *older == "" && *keepFacts == "" {
		return usagef(pruneHint, "--older-than or --keep-facts is required")
	}
	var age, factsAge time.Duration
	if *older != "" {
		if age, err = parseAge(*older); err != nil {
			return usagef(pruneHint, "--older-than: %v", err)
		}
	}
	if *keepFacts != "" {
		if factsAge, err = parseDays(*keepFacts); err != nil {
			return usagef(pruneHint, "--keep-facts: %v", err)
		}
		if age > 0 && factsAge > age {
			return usagef(pruneHint, "--keep-facts (%s) keeps facts longer than --older-than (%s) keeps anything", *keepFacts, *older)
		}
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
	now := e.now()
	if factsAge == 0 {
		before := now.Add(-age)
		n, err := store.Prune(ctx, before)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "deleted %d rows older than %s\n", n, before.Format(time.RFC3339))
		return nil
	}
	var rollupsBefore time.Time
	if age > 0 {
		rollupsBefore = now.Add(-age)
	}
	factsBefore := now.Add(-factsAge)
	n, err := store.PruneFacts(ctx, factsBefore, rollupsBefore)
	if err != nil {
		return err
	}
	if rollupsBefore.IsZero() {
		fmt.Fprintf(e.stdout, "deleted %d rows: facts older than %s (hourly rollups kept)\n", n, factsBefore.Format(time.RFC3339))
	} else {
		fmt.Fprintf(e.stdout, "deleted %d rows: facts older than %s, rollups older than %s\n", n,
			factsBefore.Format(time.RFC3339), rollupsBefore.Format(time.RFC3339))
	}
	return nil
}

// parseDays reads a number of days ("30") or an age ("30d", "720h").
func parseDays(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("%d days: must be positive", n)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	return parseAge(s)
}

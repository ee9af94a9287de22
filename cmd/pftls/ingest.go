package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/report"
)

// ingestFlags are shared by ingest and by report with FILE arguments.
type ingestFlags struct {
	db          dbFlag
	times       timeFlags
	lockWait    time.Duration
	commitEvery int
	format      inputFormat
	// journal is ingest's --journal (registered by ingest only): with it,
	// no FILE means no file, and the journal is read after any FILEs.
	journal *journalFlags
	// check is ingest's --check: PRAGMA quick_check before writing.
	check bool
}

func (f *ingestFlags) register(fs *flag.FlagSet) {
	f.db.register(fs)
	f.times.register(fs)
	registerLockWait(fs, &f.lockWait)
	registerInputFormat(fs, &f.format)
	fs.IntVar(&f.commitEvery, "commit-every", aggregate.DefaultCommitLines, "commit to the database every N lines (smaller: less to redo after a crash)")
}

func runIngest(ctx context.Context, e env, args []string) (err error) {
	fs := newFlagSet(e, "ingest", "[--db PATH] [--year N] [--tz ZONE] [--journal [--unit U]...] [FILE|-]...")
	var f ingestFlags
	f.register(fs)
	f.journal = &journalFlags{}
	f.journal.register(fs, false)
	profiles := registerProfiles(fs)
	quiet := fs.Bool("q", false, "print nothing but errors")
	rebuild := fs.Bool("rebuild", false, "move the database aside (kept as .broken-TIME) and build a new one from FILEs")
	fs.BoolVar(&f.check, "check", false, "check the database's integrity (PRAGMA quick_check) before writing; it is always checked after an unclean shutdown")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := f.journal.check("ingest"); err != nil {
		return err
	}
	dbPath, err := f.db.resolve()
	if err != nil {
		return err
	}
	stopProfile, err := profiles.start()
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stopProfile()) }()
	if *rebuild && len(files) == 0 {
		return usagef("pftls ingest --rebuild /var/log/mail.log.2.gz /var/log/mail.log.1 /var/log/mail.log", "--rebuild needs the log files to rebuild from")
	}
	if w, ok := followedByTail(dbPath, files); ok && !*rebuild && !f.journal.on {
		fmt.Fprintf(e.stderr, "pftls ingest: %s is stored by pftls tail (pid %d) as it is written: nothing to do\n", w.Follows, w.PID)
		return nil
	}
	store, results, err := ingestFiles(ctx, e, &f, dbPath, files, *rebuild)
	err = errors.Join(err, checkCoverage(results.files), gapError(results.gaps, &f.times)) // see coverage.go
	if store != nil {
		defer closeStore(store, &err)
	}
	if !*quiet {
		printIngestResults(e.stdout, results.files)
		if results.corr != nil {
			st := results.corr.Stats()
			msgs, procs, sessions := results.corr.Open()
			fmt.Fprintf(e.stdout, "open: %d queued messages, %d smtp processes, %d smtpd sessions; pruned by age: %d messages, %d processes, %d sessions\n",
				msgs, procs, sessions, st.PrunedMessages, st.PrunedProcesses, st.PrunedSessions)
		}
	}
	return err
}

// ingestResult is what ingestFiles did.
type ingestResult struct {
	files []aggregate.FileResult
	corr  *aggregate.Correlator
	// gaps are the logs found rotated away before their end was read
	// (rotatedCopies): recorded in the database, and an input error of
	// ingest once the rest is stored.
	gaps []aggregate.Gap
}

// gapError is the input error of the logs rotated away that ingest found:
// the lines written to each after its last line read are missing, and a
// cron job must not take the run for a complete one. Times are in --tz.
func gapError(gaps []aggregate.Gap, times *timeFlags) error {
	if len(gaps) == 0 {
		return nil
	}
	zone, err := times.location()
	if err != nil {
		zone = time.Local // said already: the files were read with it
	}
	var errs []error
	for i := range gaps {
		errs = append(errs, inputError{gapWords(&gaps[i], zone) +
			" The rest was stored, and the gap with it: every report over that time says that lines are missing."})
	}
	return errors.Join(errs...)
}

// ingestFiles opens the store for writing and reads files into it, oldest
// first. With rebuild it first moves the database aside, under the same
// lock, so that no other writer can start a new one in between. It returns
// the open store (for report) and what it did per file.
func ingestFiles(ctx context.Context, e env, f *ingestFlags, dbPath string, files []string, rebuild bool) (*aggregate.Store, ingestResult, error) {
	var res ingestResult
	journal := f.journal.source(false)
	var paths []string
	var err error
	if journal == nil || len(files) > 0 {
		if paths, err = inputPaths(files); err != nil {
			return nil, res, err
		}
	}
	if rebuild {
		// Every input must be readable before the database is moved
		// aside: a typo must not leave an empty database in its place.
		if err := checkRebuildInputs(dbPath, paths); err != nil {
			return nil, res, err
		}
	}
	// The store holds the write lock until it is closed; with rebuild it
	// moves the old database aside under it.
	store, err := aggregate.Open(ctx, dbPath, aggregate.OpenOptions{LockWait: f.lockWait, Rebuild: rebuild, Now: e.now, Check: f.check})
	if err != nil {
		return nil, res, err
	}
	if aside := store.MovedAside(); aside != "" {
		fmt.Fprintf(e.stderr, "pftls ingest: moved the old database to %s; rebuilding %s\n", aside, dbPath)
	}
	resolvers, err := f.times.resolvers(e.now)
	if err != nil {
		return store, res, err
	}
	pump := &aggregate.Pump{
		Store:       store,
		Corr:        aggregate.NewCorrelator(aggregate.DefaultOptions),
		CommitLines: f.commitEvery,
		Resolver:    resolvers,
		Now:         e.now,
		Format:      f.format.Format(),
	}
	res.corr = pump.Corr
	if err := pump.Restore(ctx); err != nil {
		return store, res, err
	}
	read := map[string]bool{}
	for _, path := range paths {
		// The lines written between the last run and logrotate are in a
		// rotated copy of path (mail.log.1): finish it first.
		rotated, gap, err := rotatedCopies(ctx, pump, path)
		if err != nil {
			return store, res, err
		}
		if gap != nil {
			res.gaps = append(res.gaps, *gap)
		}
		for _, p := range append(rotated, path) {
			if read[p] {
				continue
			}
			read[p] = true
			fr, err := readInput(ctx, e, pump, p)
			if fr != nil {
				res.files = append(res.files, *fr)
				warnOutOfOrder(e.stderr, fr)
			}
			if err != nil {
				return store, res, err
			}
			if p == path && gap != nil && !fr.First.IsZero() {
				// The log that took its place: the lines lost were
				// written before its first.
				if err := store.BoundGap(ctx, gap.SourceID, fr.First); err != nil {
					return store, res, err
				}
				res.gaps[len(res.gaps)-1].Until = fr.First
			}
		}
	}
	if journal != nil {
		pump.OnCommit = nil
		fr, err := pump.IngestJournal(ctx, journal)
		res.files = append(res.files, fr)
		if err != nil {
			return store, res, err
		}
	}
	return store, res, nil
}

// warnOutOfOrder says that a log was read after newer lines of its host
// (aggregate.OutOfOrder), and what that costs.
func warnOutOfOrder(w io.Writer, fr *aggregate.FileResult) {
	o := fr.OutOfOrder
	if o == nil {
		return
	}
	fmt.Fprintf(w, "pftls: warning: %s begins at %s, before the lines of host %s already stored (up to %s): "+
		"a message that crossed from it into those is counted twice. Give rotated logs in one run (they are read oldest first), "+
		"or rebuild the database from all of them with 'pftls ingest --rebuild'; a second log of the same lines (mail.err beside mail.log) "+
		"counts them all twice\n", report.TerminalSafe(fr.Path), o.First.Format(time.RFC3339), report.TerminalSafe(o.Host),
		o.Stored.Add(time.Minute-time.Second).Format(time.RFC3339))
}

// readInput reads one FILE argument ("-": standard input) to its end
// through the pump, with a progress bar on a terminal. The result is nil
// when the input could not be opened.
func readInput(ctx context.Context, e env, pump *aggregate.Pump, path string) (*aggregate.FileResult, error) {
	r, err := openInput(ctx, e, path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	progress := newProgress(e.stderr, r.Identity())
	pump.OnCommit = progress.update
	fr, err := pump.IngestReader(ctx, r)
	progress.done()
	return &fr, err
}

func printIngestResults(w io.Writer, results []aggregate.FileResult) {
	for _, r := range results {
		rate := 0.0
		if s := r.Elapsed.Seconds(); s > 0 {
			rate = float64(r.Lines) / s
		}
		state := ""
		switch {
		case r.Lines == 0 && r.Resumed > 0:
			state = fmt.Sprintf(" (already ingested: %d lines)", r.Resumed)
		case r.Resumed > 0:
			state = fmt.Sprintf(" (resumed after %d lines)", r.Resumed)
		}
		fmt.Fprintf(w, "%s: %d lines, %d facts, %d unparsed, %.2fs, %.0f lines/s%s\n",
			r.Path, r.Lines, r.Facts, r.Unparsed, r.Elapsed.Seconds(), rate, state)
		if r.Stored < r.Lines {
			// After an error: what was read is not what was kept.
			fmt.Fprintf(w, "%s: %d of the %d lines read are stored; the other %d will be read again by the next run\n",
				r.Path, r.Stored, r.Lines, r.Lines-r.Stored)
		}
		if r.Truncated > 0 {
			fmt.Fprintf(w, "%s: %d lines longer than the limit were cut\n", r.Path, r.Truncated)
		}
		if r.Partial {
			fmt.Fprintf(w, "%s: the last line has no newline yet; it is left for the next run\n", r.Path)
		}
		if r.TooShort {
			fmt.Fprintf(w, "%s: under %d bytes, too short to recognise the log by its first bytes; it is left for the next run\n",
				r.Path, aggregate.MinFingerprint)
		}
	}
}

// checkRebuildInputs opens each FILE of ingest --rebuild: all must be
// readable, and none may be the database itself.
func checkRebuildInputs(dbPath string, paths []string) error {
	dbInfo, dbErr := os.Stat(dbPath)
	for _, p := range paths {
		if p == "-" {
			continue
		}
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("--rebuild: %w: the database was not moved", err)
		}
		fi, err := f.Stat()
		f.Close()
		if err != nil {
			return fmt.Errorf("--rebuild: %w: the database was not moved", err)
		}
		if fi.IsDir() {
			return fmt.Errorf("--rebuild: %s is a directory: the database was not moved", p)
		}
		if dbErr == nil && os.SameFile(fi, dbInfo) {
			return usagef("pftls ingest --rebuild --db /var/lib/pftls/pftls.db /var/log/mail.log", "--rebuild: %s is both the database and a log to read", p)
		}
	}
	return nil
}

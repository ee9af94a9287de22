package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse/source"
	"github.com/pftls/pftls/report"
)

// tailFlags are the flags of pftls tail.
type tailFlags struct {
	db             dbFlag
	times          timeFlags
	noDB           bool
	resume         bool
	fromStart      bool
	poll           bool
	interval       time.Duration
	window         time.Duration
	format         string
	alertCmd       string
	alertThreshold int
	recent         int
	lockWait       time.Duration
}

func (f *tailFlags) register(fs *flag.FlagSet) {
	f.db.register(fs)
	f.times.register(fs)
	fs.BoolVar(&f.noDB, "no-db", false, "do not store what is read (watch only)")
	fs.BoolVar(&f.resume, "resume", false, "show from where the last ingest or tail of this file stopped")
	fs.BoolVar(&f.fromStart, "from-start", false, "show the whole file first (lines already stored are not stored again)")
	fs.BoolVar(&f.poll, "poll", false, "look at the file every 250ms instead of every 100ms (NFS, where each look costs a round trip)")
	fs.DurationVar(&f.interval, "interval", 2*time.Second, "redraw the live view this often")
	fs.DurationVar(&f.window, "window", 15*time.Minute, "rolling window of the live view and of --alert-threshold")
	fs.StringVar(&f.format, "format", "text", "event lines when not on a terminal: text or json")
	fs.StringVar(&f.alertCmd, "alert-cmd", "", "run this shell command, with the event as JSON on stdin, when a domain crosses --alert-threshold")
	fs.IntVar(&f.alertThreshold, "alert-threshold", 5, "TLS failures of one domain within --window that trigger --alert-cmd")
	fs.IntVar(&f.recent, "recent", 200, "latest problems kept for the live view")
	registerLockWait(fs, &f.lockWait)
}

// tailer is one pftls tail: a follower feeding the pump, and the live view
// or event stream fed by the pump's facts.
type tailer struct {
	e       env
	f       *tailFlags
	pump    *aggregate.Pump
	run     *aggregate.Run
	scratch *aggregate.Run // --from-start: lines already stored, shown but not stored again
	live    *report.Live
	alerts  *alerter
	out     *bufio.Writer
	ui      *liveScreen // nil when not on a terminal
	viewing bool        // facts are shown (past the starting point)
	showAt  int64       // offset from which facts are shown
	path    string
	lines   int64
	nFacts  int64
	rate    rateMeter
	lock    *writeLock
}

func runTail(ctx context.Context, e env, args []string) (err error) {
	fs := newFlagSet(e, "tail", "[--db PATH | --no-db] [--resume | --from-start] [--interval 2s] [--window 15m] [FILE|-]")
	var f tailFlags
	f.register(fs)
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) > 1 {
		return usagef("pftls tail /var/log/mail.log", "tail follows one file (or - for standard input)")
	}
	if f.format != "text" && f.format != "json" {
		return usagef("pftls tail --format json", "unknown --format %q (want text or json)", f.format)
	}
	if f.resume && f.fromStart {
		return usagef("pftls tail --resume", "use --resume or --from-start, not both")
	}
	var path string
	if len(files) == 1 {
		path = files[0]
	} else if path, err = source.DefaultLog(defaultLogs); err != nil {
		return err
	}
	t := &tailer{e: e, f: &f, path: path, out: bufio.NewWriter(e.stdout), live: report.NewLive(f.window, f.recent)}
	if f.alertCmd != "" {
		t.alerts = newAlerter(f.alertCmd, f.alertThreshold, f.window, e.stderr)
		defer t.alerts.wait()
	}
	err = t.openPump(ctx)
	defer t.lock.release()
	if t.pump != nil && t.pump.Store != nil {
		defer closeStore(t.pump.Store, &err)
	}
	if err != nil {
		return err
	}
	if isTerminal(e.stdout) {
		ui, err := openLiveScreen(e, path == "-")
		if err != nil {
			return err
		}
		t.ui = ui
		defer ui.close()
	}
	if path == "-" {
		err = t.followStdin(ctx)
	} else {
		err = t.followFile(ctx)
	}
	if errors.Is(err, context.Canceled) {
		err = nil // SIGINT, SIGTERM or q: a normal end
	}
	return errors.Join(err, t.out.Flush())
}

// openPump opens the store (unless --no-db) and restores the correlator.
func (t *tailer) openPump(ctx context.Context) error {
	resolvers, err := t.f.times.resolvers(t.e.now)
	if err != nil {
		return err
	}
	// tail commits after every burst of lines: its state is stored by
	// changes, not whole (see aggregate.State).
	opts := aggregate.DefaultOptions
	opts.TrackChanges = !t.f.noDB
	t.pump = &aggregate.Pump{
		Corr:     aggregate.NewCorrelator(opts),
		Resolver: resolvers,
		OnFacts:  t.facts,
	}
	if t.f.noDB {
		return nil
	}
	dbPath, err := t.f.db.resolve()
	if err != nil {
		return err
	}
	store, lock, err := openForWriting(ctx, dbPath, t.f.lockWait)
	if err != nil {
		return err
	}
	t.lock = lock // held while tail runs
	t.pump.Store = store
	return t.pump.Restore(ctx)
}

// followFile follows a file across rotation. The store always continues
// from the offset stored for the file, so nothing is lost or stored twice;
// --resume and --from-start only choose where the view starts.
func (t *tailer) followFile(ctx context.Context) error {
	id, size, err := identify(t.path)
	if err != nil {
		return err
	}
	if t.run, err = t.pump.Begin(ctx, id); err != nil {
		return err
	}
	opts := source.FollowOptions{Poll: t.f.poll, Offset: t.run.Offset()}
	switch {
	case t.f.noDB && !t.f.fromStart:
		opts.AtEnd = true
		t.showAt = 0
	case t.f.fromStart:
		t.showAt = 0
		if t.run.Offset() > 0 {
			// Show the stored part from a scratch correlator that stores nothing.
			scratch := &aggregate.Pump{Corr: aggregate.NewCorrelator(aggregate.DefaultOptions), Resolver: t.pump.Resolver, OnFacts: t.facts}
			if t.scratch, err = scratch.Begin(ctx, id); err != nil {
				return err
			}
			opts.Offset = 0
		}
	case t.f.resume:
		t.showAt = t.run.Offset()
	default:
		t.showAt = size
	}
	t.viewing = t.showAt <= opts.Offset || opts.AtEnd
	fol, err := source.Follow(t.path, opts)
	if err != nil {
		return err
	}
	// The follower is used by one goroutine at a time: the reader stops
	// (its context is cancelled and it returns) before Stop is called.
	readCtx, stopReading := context.WithCancel(ctx)
	done := make(chan struct{})
	defer func() {
		stopReading()
		<-done
		fol.Close()
	}()
	lines := make(chan source.Line, 1024)
	errc := make(chan error, 1)
	go func() {
		defer close(done)
		for {
			l, err := fol.Next(readCtx)
			if err != nil {
				errc <- err
				close(lines)
				return
			}
			l.Bytes = append([]byte(nil), l.Bytes...) // the follower reuses its buffer
			select {
			case lines <- l:
			case <-readCtx.Done():
				errc <- readCtx.Err()
				close(lines)
				return
			}
		}
	}()
	return t.loop(ctx, lines, errc)
}

// identify returns the identity and the size of the file to follow.
func identify(path string) (source.Identity, int64, error) {
	r, err := source.Open(path)
	if err != nil {
		return source.Identity{}, 0, err
	}
	defer r.Close()
	id := r.Identity()
	return id, id.Size, nil
}

// followStdin reads standard input to its end ("journalctl -f | pftls tail -").
func (t *tailer) followStdin(ctx context.Context) error {
	rd, err := openInput(t.e, "-")
	if err != nil {
		return err
	}
	if t.run, err = t.pump.Begin(ctx, rd.Identity()); err != nil {
		return err
	}
	t.viewing = true
	lines := make(chan source.Line, 1024)
	errc := make(chan error, 1)
	go func() {
		defer close(lines)
		for {
			l, err := rd.Next(ctx)
			if err != nil {
				errc <- err
				return
			}
			lines <- source.Line{Bytes: append([]byte(nil), l.Bytes...), End: l.End, Truncated: l.Truncated}
		}
	}()
	err = t.loop(ctx, lines, errc)
	if errors.Is(err, io.EOF) {
		return t.run.Finish(context.WithoutCancel(ctx))
	}
	return err
}

// commitAfter is how long a burst of lines may go uncommitted: short, so
// that events are shown and stored as they happen.
const commitAfter = 250 * time.Millisecond

// loop moves lines into the pump, commits after each burst, and redraws.
func (t *tailer) loop(ctx context.Context, lines <-chan source.Line, errc <-chan error) error {
	redraw := time.NewTicker(t.f.interval)
	defer redraw.Stop()
	commit := time.NewTimer(commitAfter)
	defer commit.Stop()
	pending := 0
	var resize <-chan os.Signal
	var keys <-chan struct{}
	if t.ui != nil {
		resize, keys = t.ui.resize, t.ui.quit
		t.draw()
	}
	for {
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), t.commit(context.WithoutCancel(ctx)))
		case <-keys:
			return errors.Join(context.Canceled, t.commit(context.WithoutCancel(ctx)))
		case l, ok := <-lines:
			if !ok {
				err := <-errc
				return errors.Join(err, t.commit(context.WithoutCancel(ctx)))
			}
			if err := t.line(ctx, l); err != nil {
				return err
			}
			pending++
			if pending >= 10000 {
				if err := t.commit(ctx); err != nil {
					return err
				}
				pending = 0
			}
		case <-commit.C:
			if pending > 0 {
				if err := t.commit(ctx); err != nil {
					return err
				}
				pending = 0
			}
			commit.Reset(commitAfter)
		case <-redraw.C:
			t.draw()
		case <-resize:
			t.draw()
		}
	}
}

// line handles one followed line: a new file after rotation starts a new
// run; lines before the view's starting point are stored but not shown.
// A line of the old file that comes after the new one's first (written
// before syslog reopened the log) goes to a run of the old file: its
// offset is the old file's, and the new file's run must not take it.
func (t *tailer) line(ctx context.Context, l source.Line) error {
	t.lines++
	t.rate.add(1, t.e.now())
	if l.Reopened || !t.run.Reads(l.File) {
		if err := t.commit(ctx); err != nil {
			return err
		}
		run, err := t.pump.Begin(ctx, l.File)
		if err != nil {
			return err
		}
		t.run, t.scratch, t.viewing = run, nil, true
	}
	if t.scratch != nil {
		if l.End <= t.run.Offset() {
			t.scratch.Line(l.Bytes, l.End, l.Truncated)
			return nil
		}
		if err := t.scratch.Commit(ctx); err != nil {
			return err
		}
		t.scratch, t.viewing = nil, true
	}
	if !t.viewing && l.End > t.showAt {
		// Store what came before the starting point without showing it.
		if err := t.commit(ctx); err != nil {
			return err
		}
		t.viewing = true
	}
	t.run.Line(l.Bytes, l.End, l.Truncated)
	return nil
}

func (t *tailer) commit(ctx context.Context) error {
	if t.run == nil {
		return nil
	}
	return t.run.Commit(ctx)
}

// facts receives each batch the pump drains: the live view and the event
// stream show it once the tail is past its starting point.
func (t *tailer) facts(b *aggregate.Batch) {
	if !t.viewing {
		return
	}
	t.nFacts += int64(b.Len() - len(b.LineCounts))
	t.live.Add(b)
	events := report.Events(b)
	if t.alerts != nil {
		for _, ev := range events {
			t.alerts.observe(ev)
		}
	}
	if t.ui != nil {
		return
	}
	for _, ev := range events {
		if t.f.format == "json" {
			report.WriteEventJSON(t.out, ev)
		} else {
			report.WriteEventText(t.out, ev)
		}
	}
	t.out.Flush()
}

func (t *tailer) draw() {
	if t.ui == nil {
		return
	}
	// The window ends now; when the log is far behind the clock (reading
	// an old log, a stalled syslog), it ends at the newest line instead,
	// so that the view shows the log's last minutes rather than nothing.
	now := t.e.now()
	if latest := t.pump.Corr.Latest(); !latest.IsZero() && now.Sub(latest) > t.f.window {
		now = latest
	}
	m := t.live.Snapshot(now)
	m.Source = t.path
	m.Lines = t.lines
	m.LinesPerSec = t.rate.perSecond(t.e.now())
	m.Events = t.nFacts
	m.CatchingUp = !t.viewing
	t.ui.draw(m)
}

// rateMeter measures lines per second over the last few seconds.
type rateMeter struct {
	buckets [8]int64
	stamps  [8]int64
}

func (r *rateMeter) add(n int64, now time.Time) {
	sec := now.Unix()
	i := sec % int64(len(r.buckets))
	if r.stamps[i] != sec {
		r.stamps[i], r.buckets[i] = sec, 0
	}
	r.buckets[i] += n
}

func (r *rateMeter) perSecond(now time.Time) float64 {
	sec := now.Unix()
	var sum int64
	window := int64(len(r.buckets) - 1)
	for i, s := range r.stamps {
		if s < sec && s >= sec-window {
			sum += r.buckets[i]
		}
	}
	return float64(sum) / float64(window)
}

// isTerminal reports whether a stream is a terminal (live view, progress
// bar) rather than a pipe or a file.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
	color          string
	alertCmd       string
	alertThreshold int
	recent         int
	lockWait       time.Duration
	inputFormat    inputFormat
	journal        journalFlags
	metrics        metricsFlags // metrics_flags.go: --listen, --metrics-domains, --queue
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
	fs.StringVar(&f.color, "color", "auto", "colours of the live view: auto (unless NO_COLOR is set or TERM=dumb), always or never")
	fs.StringVar(&f.alertCmd, "alert-cmd", "", "run this shell command, with the event as JSON on stdin, when a domain crosses --alert-threshold")
	fs.IntVar(&f.alertThreshold, "alert-threshold", 5, "TLS failures of one domain within --window that trigger --alert-cmd")
	fs.IntVar(&f.recent, "recent", 200, "latest problems kept for the live view")
	registerLockWait(fs, &f.lockWait)
	registerInputFormat(fs, &f.inputFormat)
	f.journal.register(fs, true)
	f.metrics.register(fs)
}

// tailer is one pftls tail: the pump follows the file (aggregate.Pump.Tail)
// and feeds the live view or the event stream, and the alerter.
type tailer struct {
	e       env
	f       *tailFlags
	pump    *aggregate.Pump
	live    *report.Live
	alerts  *alerter
	out     *bufio.Writer
	ui      *liveScreen  // nil when not on a terminal
	metrics *tailMetrics // --listen; nil without
	path    string
	nFacts  int64
	rate    rateMeter
	lines   int64 // lines read at the last redraw
	// unreadable is why the followed log cannot be read now (nil while
	// it is read), as the pump last told onUnreadable.
	unreadable error
	// missed says the lines of the last file rotated away unread are
	// missing (onMissed), for the view, which shows it until tail stops.
	missed string
}

func runTail(ctx context.Context, e env, args []string) (err error) {
	fs := newFlagSet(e, "tail", "[--db PATH | --no-db] [--resume | --from-start] [--interval 2s] [--window 15m] [--color auto|always|never] [--listen HOST[:PORT]] [FILE|-]")
	var f tailFlags
	f.register(fs)
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) > 1 {
		return usagef("pftls tail /var/log/mail.log", "tail follows one file (or - for standard input)")
	}
	if err := f.journal.check("tail"); err != nil {
		return err
	}
	if f.journal.on && len(files) > 0 {
		return usagef("pftls tail --journal -f", "--journal reads the journal: give no FILE")
	}
	if !slices.Contains(tailFormats, f.format) {
		return usagef("pftls tail --format json", "unknown --format %q (want text or json)", f.format)
	}
	if f.noDB && (flagSet(fs, "db") || flagSet(fs, "lock-wait")) {
		return usagef("pftls tail --no-db /var/log/mail.log", "--no-db stores nothing: --db and --lock-wait have no use with it")
	}
	if f.color != "auto" && f.color != "always" && f.color != "never" {
		return usagef("pftls tail --color never", "unknown --color %q (want auto, always or never)", f.color)
	}
	if f.resume && f.fromStart {
		return usagef("pftls tail --resume", "use --resume or --from-start, not both")
	}
	if err := f.metrics.check(fs); err != nil {
		return err
	}
	journal := f.journal.source(f.noDB && !f.fromStart && !f.resume)
	var path string
	switch {
	case journal != nil:
		path = journal.Key()
	case len(files) == 1:
		path = files[0]
	default:
		if path, err = source.DefaultLog(defaultLogs); err != nil {
			return err
		}
	}
	t := &tailer{e: e, f: &f, path: path, out: bufio.NewWriter(e.stdout), live: report.NewLive(f.window, f.recent)}
	if f.alertCmd != "" {
		t.alerts = newAlerter(f.alertCmd, f.alertThreshold, f.window, e.stderr)
		defer t.alerts.wait()
	}
	err = t.openPump(ctx)
	if t.pump != nil && t.pump.Store != nil {
		defer closeStore(t.pump.Store, &err)
	}
	if err != nil {
		return err
	}
	opts := aggregate.TailOptions{Path: path, Stdin: e.stdin, Poll: f.poll, Journal: journal, OnUnreadable: t.onUnreadable, OnMissed: t.onMissed}
	t.show(&opts, isTerminal(e.stdout))
	if f.metrics.listen != "" {
		stop, merr := t.startMetrics(ctx)
		if merr != nil {
			return merr
		}
		defer func() { err = errors.Join(err, stop()) }()
	}
	if journal == nil && path != "-" && t.pump.Store != nil {
		if err := t.finishRotated(ctx, opts.Show); err != nil {
			return err
		}
	}
	if t.metrics != nil && t.pump.Store != nil {
		t.pump.OnCommit = t.metrics.committed // after finishRotated, which clears it
	}
	if isTerminal(e.stdout) {
		ui, err := openLiveScreen(e, path == "-", useColor(f.color, os.Getenv))
		if err != nil {
			return err
		}
		t.ui = ui
		defer ui.close()
		var quit context.CancelFunc
		ctx, quit = context.WithCancel(ctx)
		defer quit()
		go func() { // q ends the view as SIGINT does
			select {
			case <-ui.quit:
				quit()
			case <-ctx.Done():
			}
		}()
		opts.OnTick, opts.TickEvery, opts.Tick = t.draw, f.interval, ui.resized
	}
	if t.metrics != nil {
		t.tickMetrics(&opts)
	}
	err = t.pump.Tail(ctx, opts)
	if errors.Is(err, context.Canceled) {
		err = nil // SIGINT, SIGTERM or q: a normal end
	}
	// Stopped while the log cannot be read is a requested stop too: exit
	// 0. That the log could not be read was said on every output when it
	// was found; an exit 2 here made systemd's Restart=on-failure restart
	// tail in a loop, with /metrics down and PftlsLogUnreadable's series
	// gone. The last line of its journal still says so.
	if err == nil && t.unreadable != nil {
		fmt.Fprintf(t.e.stderr, "pftls tail: stopped while the log could not be read: %s\n", report.TerminalSafe(t.unreadable.Error()))
	}
	return errors.Join(err, t.out.Flush())
}

// onUnreadable is the pump's OnUnreadable: the followed log's path holds
// something tail cannot read (err: permission denied after a rotation
// that created the file with the wrong owner or mode, a directory, ...),
// or a file there is read again (nil). Each change is said at once, once,
// on standard error, in the event stream, by the metrics (and /healthz);
// the live view shows the state from the redraw the pump makes next.
func (t *tailer) onUnreadable(err error) {
	t.unreadable = err
	if err != nil {
		fmt.Fprintf(t.e.stderr, "pftls tail: cannot read the log: %v; nothing written to it is read until it can be\n", err)
	} else {
		fmt.Fprintf(t.e.stderr, "pftls tail: %s can be read again\n", t.path)
	}
	if t.metrics != nil {
		t.metrics.setUnreadable(err)
	}
	if t.ui != nil {
		return
	}
	t.writeEvent(report.UnreadableEvent(t.e.now(), t.path, err))
	t.out.Flush()
}

// onMissed is the pump's OnMissed: a file at the followed path that tail
// could not read was rotated away unread (a second rotation while the
// log could not be read), and none of its rotated copies can be read: its
// lines are missing. The gap is recorded (every later report says it); it
// is said at once on standard error, in the event stream, by the metrics
// and, until tail stops, on the view.
func (t *tailer) onMissed(gap aggregate.Gap, err *source.MissedError) {
	zone, _ := t.f.times.location() // read by openPump already
	words := gapWords(&gap, zone)
	fmt.Fprintf(t.e.stderr, "pftls tail: warning: %s (%v)\n", words, report.TerminalSafe(err.Error()))
	if t.metrics != nil {
		t.metrics.fileMissed()
	}
	t.missed = words
	if t.ui != nil {
		return
	}
	t.writeEvent(report.MissedEvent(t.e.now(), words))
	t.out.Flush()
}

// writeEvent writes one event of the stream in --format.
func (t *tailer) writeEvent(ev report.LiveEvent) {
	if t.f.format == "json" {
		report.WriteEventJSON(t.out, ev)
	} else {
		report.WriteEventText(t.out, ev)
	}
}

// show says where the view starts. The live view starts with the log's
// last --window, not empty, replayed to the view and its counter only (the
// alerter had its say on those lines when they were written); the event
// stream (not a terminal), the journal and standard input start as they
// always did.
func (t *tailer) show(opts *aggregate.TailOptions, onTerminal bool) {
	switch {
	case t.f.fromStart:
		opts.Show = aggregate.ShowFromStart
	case t.f.resume:
		opts.Show = aggregate.ShowResumed
	case onTerminal && opts.Journal == nil && opts.Path != "-":
		opts.Show, opts.Window = aggregate.ShowWindow, t.f.window
		opts.Prime = []aggregate.FactConsumer{aggregate.FactsFunc(t.count), aggregate.FactsFunc(t.live.Add)}
	}
}

// finishRotated reads, before following the file, the rotated copy of
// the log tail or ingest last read from its path, and any newer one (see
// aggregate.Pump.RotatedBefore): lines written to it after the last run
// are stored, and shown only if the view starts at the stored offset.
func (t *tailer) finishRotated(ctx context.Context, show aggregate.TailShow) error {
	rotated, gap, err := rotatedCopies(ctx, t.pump, t.path)
	if gap != nil {
		// Recorded: every report over its time says it (tail goes on).
		zone, _ := t.f.times.location() // read by openPump already
		warnGap(t.e.stderr, "tail", gap, zone)
	}
	if err != nil || len(rotated) == 0 {
		return err
	}
	consumers := t.pump.Consumers
	if show == aggregate.ShowNew || show == aggregate.ShowWindow {
		t.pump.Consumers = nil // written before tail started: stored, not shown
	}
	defer func() { t.pump.Consumers, t.pump.OnCommit = consumers, nil }()
	for _, p := range rotated {
		if _, err := readInput(ctx, t.e, t.pump, p); err != nil {
			return err
		}
	}
	return nil
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
		Corr:      aggregate.NewCorrelator(opts),
		Resolver:  resolvers,
		Now:       t.e.now,
		Format:    t.f.inputFormat.Format(),
		Consumers: []aggregate.FactConsumer{aggregate.FactsFunc(t.count), aggregate.FactsFunc(t.events)},
	}
	if t.f.noDB {
		return nil
	}
	dbPath, err := t.f.db.resolve()
	if err != nil {
		return err
	}
	// The store holds the write lock while tail runs.
	oo := aggregate.OpenOptions{LockWait: t.f.lockWait}
	if t.path != "-" && !t.f.journal.on {
		// A report of this file reads the database instead of waiting
		// for the lock (followedByTail).
		oo.Follows, _ = filepath.Abs(t.path)
	}
	store, err := aggregate.Open(ctx, dbPath, oo)
	if err != nil {
		return err
	}
	t.pump.Store = store
	return t.pump.Restore(ctx)
}

// count counts the facts shown, for the live view's header.
func (t *tailer) count(b *aggregate.Batch) {
	t.nFacts += int64(b.Len() - len(b.LineCounts))
}

// events makes the batch's notable events once and hands them, with the
// batch, to the live view, then to the alerter and, when not on a
// terminal, prints them.
func (t *tailer) events(b *aggregate.Batch) {
	events := report.Events(b)
	t.live.AddEvents(b, events)
	if t.alerts != nil {
		for _, ev := range events {
			t.alerts.observe(ev)
		}
	}
	if t.ui != nil {
		return
	}
	for _, ev := range events {
		t.writeEvent(ev)
	}
	t.out.Flush()
}

// draw redraws the live view; the pump calls it between lines.
func (t *tailer) draw(st aggregate.TailStatus) {
	// The window ends now; when the log is far behind the clock (reading
	// an old log, a stalled syslog), it ends at the newest line instead,
	// so that the view shows the log's last minutes rather than nothing.
	now := t.e.now()
	t.rate.add(st.Lines-t.lines, now)
	t.lines = st.Lines
	latest := t.pump.Corr.Latest()
	if l := t.live.Latest(); l.After(latest) {
		latest = l // the replay of the last window (ShowWindow) is not the pump's
	}
	if !latest.IsZero() && now.Sub(latest) > t.f.window {
		now = latest
	}
	m := t.live.Snapshot(now)
	m.Source = t.path
	m.Lines = st.Lines
	m.LinesPerSec = t.rate.perSecond(t.e.now())
	m.Events = t.nFacts
	m.CatchingUp = st.CatchingUp
	if st.Unreadable != nil {
		m.Unreadable = st.Unreadable.Error()
	}
	m.Missed = t.missed
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

package aggregate

import (
	"cmp"
	"context"
	"errors"
	"io"
	"math"
	"sync"
	"time"

	"github.com/pftls/pftls/logparse/source"
)

// TailShow chooses where tail's view starts. Whatever it says, the store
// continues from the offset stored for the file, so nothing is lost or
// stored twice.
type TailShow int

const (
	ShowNew       TailShow = iota // what is written from now on (without a store: following starts at the end)
	ShowResumed                   // from where the last ingest or tail of the file stopped
	ShowFromStart                 // the whole file; lines already stored are shown from a scratch correlator, not stored again
	// ShowWindow primes the view with the last TailOptions.Window of the
	// file: the lines from the log time Window before its last line are
	// replayed on a scratch correlator that stores nothing (as
	// ShowFromStart's stored part), then what is written from now on is
	// shown. Lines not yet stored are stored once, as always; those before
	// the window are not shown. The journal is shown as with ShowNew.
	ShowWindow
)

// TailOptions say what Pump.Tail reads and how it reports progress.
type TailOptions struct {
	Path  string    // the file to follow; "-" reads Stdin to its end
	Stdin io.Reader // standard input, for Path "-"
	Show  TailShow
	// Window is how much of the log ShowWindow replays, by log time.
	Window time.Duration
	// Prime, when set, are the consumers of ShowWindow's replay instead
	// of the pump's (tail leaves out its alerter: old failures already
	// had their alerts).
	Prime []FactConsumer
	Poll  bool         // see source.FollowOptions
	Waker source.Waker // see source.FollowOptions; nil in production
	// Journal, when set, is read instead of Path: from the stored cursor,
	// to its end or, with its Follow, on. ShowNew shows the entries
	// written from now (Pump.Now) on, the others from the stored cursor.
	Journal *source.Journal

	// OnTick, when set, is called on the pump's goroutine, between lines:
	// once at the start, every TickEvery, at each receive from Tick, and
	// after each OnUnreadable. It may look at the pump and its consumers
	// (tail's redraw).
	OnTick    func(TailStatus)
	TickEvery time.Duration
	Tick      <-chan struct{}

	// OnUnreadable, when set, is told on the pump's goroutine, between
	// lines, when the followed file's path holds something that cannot be
	// read (err says why: permission denied, a directory, ...), when the
	// reason changes, and (nil) when a file there is read again; see
	// source.FollowOptions.Unreadable. A path briefly missing during a
	// rotation is not told (one missing for over source.MissingGrace is).
	// Not for standard input or the journal.
	OnUnreadable func(err error)

	// OnMissed, when set, is told on the pump's goroutine, between lines,
	// of a file that was at the followed path, could not be read there,
	// and was rotated away unread (see source.FollowOptions.Missed): its
	// lines are missing. With a store, the gap it leaves is recorded first
	// (Store.RecordMissed), so that every report over its time says it;
	// gap is what was recorded (or would be, without a store).
	OnMissed func(gap Gap, err *source.MissedError)

	// IdentifyWait is how long tail - waits for the first bytes of its
	// stream to recognise it (0: two seconds).
	IdentifyWait time.Duration

	// beforeFollow, when set (tests), runs between identifying the file
	// and opening it to follow: where a rotation would slip in.
	beforeFollow func()
}

// TailStatus is what OnTick is told.
type TailStatus struct {
	Lines      int64 // lines read so far
	CatchingUp bool  // lines before the view's starting point are being stored, not shown
	// Unreadable is why the followed file cannot be read now, as last
	// told to OnUnreadable; nil while it is read.
	Unreadable error
}

// CommitAfter is how long a burst of tail's lines may go uncommitted:
// short, so that events are shown and stored as they happen.
const CommitAfter = 250 * time.Millisecond

// commitBurst is the most lines tail correlates between commits.
const commitBurst = 10000

// Tail follows a file across rotation (or reads standard input to its
// end), committing after each burst of lines, until ctx is done or the
// input fails. Standard input's end commits what is left, open messages
// included, and returns nil; ctx's end commits what was read and returns
// ctx.Err().
func (p *Pump) Tail(ctx context.Context, o TailOptions) error {
	t := &route{p: p}
	var rd *source.Reader
	var err error
	if o.Journal != nil {
		return t.journal(ctx, o)
	}
	if o.Path != "-" {
		if t, rd, err = p.followIdentified(ctx, o); err != nil {
			return err
		}
	} else {
		if rd, err = t.stdin(ctx, o); err != nil || rd == nil {
			return err
		}
	}
	lines, errc, stop := readLines(ctx, rd, o.Path != "-")
	defer stop()
	err = t.loop(ctx, lines, errc, o)
	if errors.Is(err, io.EOF) {
		return t.run.Finish(context.WithoutCancel(ctx))
	}
	return err
}

// stdinWait is how long tail - waits for the first 4 KiB of its stream
// to recognise it (see TailOptions.IdentifyWait).
const stdinWait = 2 * time.Second

// stdin begins the run of tail -. The stream is recognised by its first
// bytes, as ingest - recognises it, so that the same log piped in twice
// (kubectl logs -f restarted, which sends the log again) stores every
// line once: what an earlier run stored is read through and skipped. A
// quiet live stream is recognised by what came within IdentifyWait; one
// with less than MinFingerprint bytes by then is not recognised, and
// its lines are stored as new. A nil Reader with no error means the
// stream holds nothing that is not stored already.
func (t *route) stdin(ctx context.Context, o TailOptions) (*source.Reader, error) {
	p := t.p
	rd, err := source.NewReaderContext(ctx, "-", o.Stdin)
	if err != nil {
		return nil, err
	}
	fingerprint := func(int) (string, error) { return "", nil }
	if p.Store != nil {
		if err := rd.IdentifyStreamWithin(cmp.Or(o.IdentifyWait, stdinWait)); err != nil {
			return nil, err
		}
		fingerprint = rd.PrefixFingerprint
	}
	if t.run, err = p.begin(ctx, rd.Identity(), fingerprint); err != nil {
		return nil, err
	}
	t.run.followClock()
	if more, err := t.run.skipStored(rd); !more || err != nil {
		return nil, err
	}
	return rd, nil
}

// journal is Tail for the systemd journal.
func (t *route) journal(ctx context.Context, o TailOptions) (err error) {
	p, j := t.p, o.Journal
	if t.run, err = p.BeginJournal(ctx, j.Key()); err != nil {
		return err
	}
	t.run.followClock()
	if o.Show == ShowNew || o.Show == ShowWindow {
		// Store what comes before now without showing it.
		t.showFrom, t.showAt, p.quiet = p.now(), math.MaxInt64, true
	}
	rd, err := j.Open(ctx, t.run.Cursor())
	if err != nil {
		return err
	}
	t.failed = j.Failed
	lines, errc, stop := readLines(ctx, rd, false)
	err = t.loop(ctx, lines, errc, o)
	stop()
	if errors.Is(err, io.EOF) {
		err = t.run.Finish(context.WithoutCancel(ctx))
	}
	cerr := j.Close()
	if errors.Is(err, source.ErrJournal) {
		return err // Close says it again
	}
	return errors.Join(err, cerr)
}

// followIdentified is follow on a fresh route, done again when the file
// is rotated between identifying it (which finds its stored offset) and
// opening it to follow: that offset must never be applied to the new
// file. A log rotated that often is given up on after a few tries.
func (p *Pump) followIdentified(ctx context.Context, o TailOptions) (*route, *source.Reader, error) {
	const tries = 5
	for try := 1; ; try++ {
		t := &route{p: p}
		rd, err := t.follow(ctx, o)
		if errors.Is(err, source.ErrFileChanged) && try < tries {
			continue
		}
		return t, rd, err
	}
}

// follow begins the run of the file to follow and starts following it
// where the view and the store need it.
func (t *route) follow(ctx context.Context, o TailOptions) (*source.Reader, error) {
	p := t.p
	id, err := identify(o.Path)
	if err != nil {
		return nil, err
	}
	if t.run, err = p.Begin(ctx, id); err != nil {
		return nil, err
	}
	t.run.followClock()
	if err := t.run.recordNew(ctx); err != nil {
		return nil, err
	}
	t.readable = newReadability()
	fo := source.FollowOptions{Poll: o.Poll, Offset: t.run.Offset(), Waker: o.Waker, Expect: &id,
		Unreadable: t.readable.tell, Missed: t.readable.miss}
	switch {
	case p.Store == nil && o.Show != ShowFromStart && o.Show != ShowWindow:
		fo.AtEnd = true
	case o.Show == ShowFromStart:
		if t.run.Offset() > 0 {
			// Show the stored part from a scratch correlator that stores nothing.
			scratch := &Pump{Corr: NewCorrelator(DefaultOptions), Resolver: p.Resolver, Now: p.Now, Consumers: p.Consumers}
			if t.scratch, err = scratch.Begin(ctx, id); err != nil {
				return nil, err
			}
			fo.Offset = 0
			t.scratchEnd = t.run.Offset()
		}
	case o.Show == ShowWindow:
		if err := t.window(ctx, o, id, &fo); err != nil {
			return nil, err
		}
	case o.Show == ShowResumed:
		t.showAt = t.run.Offset()
	default:
		t.showAt = id.Size
	}
	p.quiet = !(t.showAt <= fo.Offset || fo.AtEnd)
	if o.beforeFollow != nil {
		o.beforeFollow()
	}
	return source.Follow(o.Path, fo)
}

// recordNew stores a log the store has never seen at once, at its start,
// before any of its lines: a tail killed before its first commit, with the
// log rotated before tail starts again, left that log unknown, and
// RotatedBefore finds only the rotated copies of logs it knows (985 of
// 6,060 lines were lost so in TestLogRotation_with_kills). Known now, its
// rotated copy is read from where it was left, as any other.
// Only the source's row is written: no facts, no state, and the
// consumers are told nothing (a commit would show them a batch before the
// view's starting point is set).
func (r *Run) recordNew(ctx context.Context) error {
	if !r.track || r.src.ID != 0 || r.p.Store == nil {
		return nil
	}
	return r.p.Store.Commit(ctx, &Batch{}, nil, []*Source{&r.src}, r.p.now())
}

// window sets up ShowWindow: the lines of the last window that are
// stored (all of them without a store) are replayed on a scratch run;
// when the window begins past the stored offset, the lines before it are
// stored without being shown.
func (t *route) window(ctx context.Context, o TailOptions, id source.Identity, fo *source.FollowOptions) error {
	p := t.p
	start, err := windowStart(o.Path, id.Size, o.Window, p.Resolver(id), p.Format)
	if err != nil {
		return err
	}
	stored := t.run.Offset()
	if p.Store == nil {
		stored = id.Size // nothing is stored: all of the window is replayed
	}
	if start >= stored {
		t.showAt, fo.AtEnd = start, p.Store == nil // an empty window
		return nil
	}
	cons := o.Prime
	if cons == nil {
		cons = p.Consumers
	}
	scratch := &Pump{Corr: NewCorrelator(DefaultOptions), Resolver: p.Resolver, Now: p.Now, Format: p.Format, Consumers: cons}
	if t.scratch, err = scratch.Begin(ctx, id); err != nil {
		return err
	}
	fo.Offset, t.scratchEnd = start, stored
	return nil
}

// identify returns the identity of the file to follow, as Open sees it.
// What cannot be followed is refused before it is opened: a FIFO's open
// would wait for a writer, in silence.
func identify(path string) (source.Identity, error) {
	if err := source.CheckFollow(path); err != nil {
		return source.Identity{}, err
	}
	r, err := source.Open(path)
	if err != nil {
		return source.Identity{}, err
	}
	defer r.Close()
	return r.Identity(), nil
}

// readLines reads rd on a goroutine of its own, so that the pump can
// commit and tick while it waits. The reading ends with an error on errc
// (io.EOF at the end of standard input) and lines closed. stop ends it:
// for a followed file it waits for the goroutine and closes the file;
// a read from standard input cannot be interrupted, so that goroutine is
// left to end with the process.
func readLines(ctx context.Context, rd *source.Reader, following bool) (<-chan source.Line, <-chan error, func()) {
	readCtx, cancel := context.WithCancel(ctx)
	lines := make(chan source.Line, 1024)
	errc := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(lines)
		for {
			l, err := rd.Next(readCtx)
			if err != nil {
				errc <- err
				return
			}
			l.Bytes = append([]byte(nil), l.Bytes...) // the reader reuses its buffer
			select {
			case lines <- l:
			case <-readCtx.Done():
				errc <- readCtx.Err()
				return
			}
		}
	}()
	stop := func() {
		cancel()
		if following {
			<-done
			rd.Close()
		}
	}
	return lines, errc, stop
}

// loop correlates lines as they come, commits after each burst, and ticks.
func (t *route) loop(ctx context.Context, lines <-chan source.Line, errc <-chan error, o TailOptions) error {
	var tick <-chan time.Time
	if o.OnTick != nil && o.TickEvery > 0 {
		ticker := time.NewTicker(o.TickEvery)
		defer ticker.Stop()
		tick = ticker.C
	}
	onTick := func() {
		if o.OnTick != nil {
			o.OnTick(TailStatus{Lines: t.lines, CatchingUp: t.p.quiet, Unreadable: t.unreadable})
		}
	}
	var readable <-chan struct{}
	if t.readable != nil {
		readable = t.readable.wake
	}
	commit := time.NewTimer(CommitAfter)
	defer commit.Stop()
	pending := 0
	onTick()
	for {
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), t.commit(context.WithoutCancel(ctx)))
		case l, ok := <-lines:
			if !ok {
				err := <-errc
				return errors.Join(err, t.commit(context.WithoutCancel(ctx)))
			}
			if err := t.line(ctx, &l); err != nil {
				return err
			}
			pending++
			if pending >= commitBurst {
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
			if t.failed != nil {
				if err := t.failed(); err != nil {
					return err
				}
			}
			commit.Reset(CommitAfter)
		case <-tick:
			onTick()
		case <-o.Tick:
			onTick()
		case <-readable:
			for _, ev := range t.readable.take() {
				if ev.missed != nil {
					if err := t.missed(ctx, ev.missed, o); err != nil {
						return err
					}
					continue
				}
				err := ev.change
				switch {
				case err != nil && t.unreadable == nil:
					t.unreadableLine = t.p.Corr.Latest()
				case err == nil:
					t.unreadableLine = time.Time{} // the episode is over
				}
				t.unreadable = err
				if o.OnUnreadable != nil {
					o.OnUnreadable(err)
				}
			}
			onTick()
		}
	}
}

// readability carries what the followed file's Reader reports about its
// path (source.FollowOptions.Unreadable and Missed), from the goroutine
// reading it to the pump's, in the order it was told: a file missed comes
// after the change that the path could not be read, whose newest line its
// gap begins after, and before the change that it can be again. tell
// never blocks: the reading goroutine must end when tail stops, whether or
// not the pump still listens.
type readability struct {
	mu     sync.Mutex
	events []readEvent
	wake   chan struct{} // one receive for the events told since the last take
}

// readEvent is a change of the path's readability (change: nil when it
// can be read again) or, when missed is set, a file rotated away unread.
type readEvent struct {
	change error
	missed *source.MissedError
}

func newReadability() *readability { return &readability{wake: make(chan struct{}, 1)} }

// tell is the Reader's FollowOptions.Unreadable.
func (r *readability) tell(err error) {
	r.mu.Lock()
	r.events = append(r.events, readEvent{change: err})
	r.mu.Unlock()
	r.poke()
}

// miss is the Reader's FollowOptions.Missed.
func (r *readability) miss(e *source.MissedError) {
	r.mu.Lock()
	r.events = append(r.events, readEvent{missed: e})
	r.mu.Unlock()
	r.poke()
}

func (r *readability) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// take returns the events told since the last take, in order.
func (r *readability) take() []readEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	ev := r.events
	r.events = nil
	return ev
}

// missed records the gap a file rotated away unread leaves (with a store)
// and tells OnMissed. Its lines were written after the newest line read
// when the path was said unreadable, in this episode, and before now;
// when it never was (a single failed look), after the look that first
// could not open it (the stamp of the newest line then is not known).
func (t *route) missed(ctx context.Context, e *source.MissedError, o TailOptions) error {
	p := t.p
	// The newest line when this episode was told (Follow tells a file
	// missed before the path readable again), and the look that first
	// could not open the file.
	at := e.Since
	if at.IsZero() {
		at = p.now()
	}
	g := Gap{Path: e.Path, LastLine: t.unreadableLine, LastRead: at, Found: p.now(), Dev: e.Dev, Inode: e.Inode}
	if p.Store != nil {
		id, err := p.Store.RecordMissed(ctx, g)
		if err != nil {
			return err
		}
		g.SourceID = id
	}
	if o.OnMissed != nil {
		o.OnMissed(g, e)
	}
	return nil
}

package aggregate

import (
	"context"
	"time"

	"github.com/pftls/pftls/logparse/source"
)

// route decides, for each line tail reads, which run it belongs to and
// whether its facts are shown: the rules of a tail that follows a file
// across rotation.
//
//   - A line of another file than the run's starts a run of that file: the
//     first line of a new file after rotation (Reopened), and also a line
//     of the old file that comes after it (written before syslog reopened
//     the log). Its offset is the old file's, and the new file's run must
//     not take it: Begin finds the old file's source and offset. The next
//     line of the new file switches back the same way.
//   - --from-start: the lines already stored (End up to the stored offset)
//     go to a scratch run, on a correlator of its own that stores nothing,
//     so that they are shown but not stored again.
//   - Lines before the view's starting point (showAt) are stored without
//     being shown: the consumers are held back until the first line past it,
//     and what came before is committed first.
type route struct {
	p       *Pump
	run     *Run
	scratch *Run // --from-start, ShowWindow: lines already stored, shown but not stored again
	// scratchEnd is where the scratch run's lines end (the stored offset;
	// without a store, the file's size when tail began).
	scratchEnd int64
	showAt     int64 // offset from which facts are shown
	// showFrom, for the journal: facts are shown from the first entry
	// written at or after it (its __REALTIME_TIMESTAMP).
	showFrom time.Time
	lines    int64 // lines read
	// failed, when set, is asked after each commit whether the source
	// has failed while it still runs (a journalctl that may not read the
	// system journal).
	failed func() error
	// readable brings what the followed file's Reader reports about its
	// path (nil for standard input and the journal); unreadable is the
	// last of it: why the path cannot be read, nil while it is read.
	readable   *readability
	unreadable error
	// unreadableLine is the stamp of the newest line read when the path
	// was told unreadable, in this episode: the lines of a file there that
	// is rotated away unread were written after it.
	unreadableLine time.Time
}

// line routes one line and correlates it.
func (t *route) line(ctx context.Context, l *source.Line) error {
	t.lines++
	if l.Reopened || !t.run.Reads(*l.File) {
		prev := t.run
		if err := t.commit(ctx); err != nil {
			return err
		}
		run, err := t.p.Begin(ctx, *l.File)
		if err != nil {
			return err
		}
		if !run.storedUntil.IsZero() && prev != nil && prev.src.ID == run.src.ID {
			// The file followed was cut in place: what was stored of it
			// is what came before prev began and what prev read, not
			// what the commit just now stamped (lines written since).
			run.storedUntil = prev.src.LastIngest
			if prev.lastAt.After(run.storedUntil) {
				run.storedUntil = prev.lastAt
			}
		}
		t.run, t.scratch, t.p.quiet = run.followClock(), nil, false
	}
	if t.scratch != nil {
		if l.End <= t.scratchEnd {
			t.scratch.Line(l)
			return nil
		}
		if err := t.scratch.Commit(ctx); err != nil {
			return err
		}
		t.scratch, t.p.quiet = nil, false
	}
	if t.p.quiet && !t.showFrom.IsZero() {
		if at, ok := source.JournalTime(l.Bytes); ok && !at.Before(t.showFrom) {
			t.showAt = 0 // the commit below, then show
		}
	}
	if t.p.quiet && l.End > t.showAt {
		// Store what came before the starting point without showing it.
		if err := t.commit(ctx); err != nil {
			return err
		}
		t.p.quiet = false
	}
	t.run.Line(l)
	return nil
}

// commit commits the current run, and hands the consumers what the
// scratch run (--from-start's replay of the stored part) has read so far:
// on a file stored to its end no line past the stored offset ever comes
// to do it, and tail --from-start showed none of its events.
func (t *route) commit(ctx context.Context) error {
	if t.scratch != nil {
		if err := t.scratch.Commit(ctx); err != nil {
			return err
		}
	}
	if t.run == nil {
		return nil
	}
	return t.run.Commit(ctx)
}

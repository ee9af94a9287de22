package aggregate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// MinFingerprint is the fewest leading bytes that identify a source: a
// little more than one syslog line's stamp, host, program and pid.
const MinFingerprint = 64

// Run is the reading of one source: it knows the source's stored record
// and offset, and commits lines read from it.
type Run struct {
	p        *Pump
	id       source.Identity
	src      Source
	track    bool // the source can be recognised again (it has a fingerprint)
	stamps   logparse.StampCache
	res      FileResult
	start    time.Time
	inflight []*commitJob // commits not yet done, oldest first (at most maxInflight)
	// A source too short to recognise when its reading began: its first
	// bytes as read (up to source.FingerprintSize), to recognise it by once
	// it has grown (see trackGrown).
	head     []byte
	byPath   bool // no raw bytes come (IngestReader): look at the file instead
	noGrowth bool // it cannot be recognised later: stop trying
	// live: the source is being written as it is read (tail), so the
	// reference of year-less stamps moves with the clock instead of
	// staying at the file's modification time when the reading began: a
	// line written after New Year's midnight belongs to the new year.
	live bool
	// storedUntil: the source shrank in place (the same file, now shorter
	// than its stored offset: cut to a prefix and written on). It is read
	// again from its start, and lines stamped no later than its last
	// commit are taken as the ones stored before (skipped, counted as
	// Resumed); the first later line and all after it are new.
	storedUntil time.Time
	lastAt      time.Time // the newest stamp of the lines it correlated
	firstAt     time.Time // the oldest
	// orderUnchecked: a source the store has not read from before, whose
	// first Postfix line noteOrder has yet to compare with what is
	// stored.
	orderUnchecked bool
}

// orderSlack is how much older than the newest line stored of its host a
// new source's first line may be: syslog writers interleave their lines a
// little out of order, and a journal's entries and a file's may differ by
// seconds.
const orderSlack = 5 * time.Minute

// OutOfOrder is a new source whose first Postfix line is older than the
// lines already stored of its host. The correlator reads a host's log in
// time order: mail.log.1 ingested after mail.log makes each message that
// crossed the rotation two (84 deferred messages counted as 147), and a
// second log of the same lines (mail.err beside mail.log) counts them
// twice. It is read all the same, and said: a refusal would stop for good
// the logs of a Postfix instance that logs to a file of its own, and a
// unit that runs ingest before its report ignores ingest's failure.
type OutOfOrder struct {
	Host   string
	First  time.Time // its first Postfix line
	Stored time.Time // the last minute stored of the host before it
}

// noteOrder compares a new source's first Postfix line with the lines
// stored of its host (Run.orderUnchecked), before anything of it is
// stored.
func (r *Run) noteOrder(ctx context.Context, l *logparse.Line) error {
	if !r.orderUnchecked || l.Host == "" || !l.Timed() || l.Event.Kind() == logparse.KindForeign {
		return nil
	}
	r.orderUnchecked = false
	last, err := r.p.Store.LastLine(ctx, l.Host)
	if err != nil || last.IsZero() {
		return err
	}
	if !r.stamps.Resolved() {
		// A log begun in the hour that happens twice, after the lines
		// stored of its host: which pass it starts in, they tell.
		r.stamps.Continue(last)
	}
	if at := r.stamps.Time(l.Stamp); at.Before(last.Add(-orderSlack)) {
		r.res.OutOfOrder = &OutOfOrder{Host: l.Host, First: at, Stored: last}
	}
	return nil
}

// followClock makes the run's year reference move with the pump's clock
// (see Run.live).
func (r *Run) followClock() *Run {
	r.live = true
	return r
}

// maxInflight is how many commits may be under way at once: one being
// written and one being packed (and then waiting for it). SQLite writes
// them one after the other, and writing was the longest of the pipeline's
// stages: packing the next batch meanwhile, on the other core, takes it
// off that path. Without a store, under Pump.Overlap, it bounds the
// batches the consumers have not finished in the same way: one being
// counted and one waiting for it, besides the one the correlator fills.
const maxInflight = 2

// commitJob is one commit under way in the background, or under
// Pump.Overlap one batch handed to the consumers.
type commitJob struct {
	done    chan struct{} // closed when the commit is over
	err     error         // its error, or the error of a commit before it
	written *Source       // the source record it writes (it learns the ID)
	lines   int64         // the run's lines read when it was drained: stored once it succeeds
	spill   *storeSpill   // told when the commit is done (its spilled rows can be read)
	gen     uint64        // the commit's number for spill
	batch   *Batch        // with Pump.Overlap: the batch the consumers take, recycled once they are done
}

// emitBeside hands batch to the consumers on a goroutine of its own, after
// the batches before it, while the correlator goes on with the next lines
// (Pump.Overlap). The batch goes back to the correlator once the consumers
// are done with it (waitOldest), on the correlator's goroutine.
func (r *Run) emitBeside(batch Batch) error {
	p := r.p
	if p.quiet {
		p.Corr.Recycle(&batch) // held back when drained, not when handed on
		return nil
	}
	for len(r.inflight) >= maxInflight {
		if err := r.waitOldest(); err != nil {
			return err
		}
	}
	job := &commitJob{done: make(chan struct{}), lines: r.res.Lines, batch: &batch}
	var prev *commitJob
	if n := len(r.inflight); n > 0 {
		prev = r.inflight[n-1]
	}
	r.inflight = append(r.inflight, job)
	go func() {
		defer close(job.done)
		if prev != nil {
			<-prev.done // in order, one batch at a time
		}
		p.emit(job.batch)
	}()
	return nil
}

// Begin starts reading a source: it looks the source up in the store (the
// same file, or a rotated or compressed copy of it) and returns the run;
// Offset says where earlier runs stopped.
func (p *Pump) Begin(ctx context.Context, id source.Identity) (*Run, error) {
	return p.begin(ctx, id, func(n int) (string, error) { return source.Fingerprint(id.Path, n) })
}

// begin is Begin with the function that fingerprints the source's first n
// bytes: of the file at its path, or of a stream's head read ahead.
func (p *Pump) begin(ctx context.Context, id source.Identity, fingerprint func(n int) (string, error)) (*Run, error) {
	r := &Run{p: p, id: id, res: FileResult{Path: id.Path}, start: time.Now(), stamps: logparse.StampCache{Resolver: p.Resolver(id)}}
	if err := p.attachSpill(ctx, false); err != nil {
		return nil, err
	}
	// A source is recognised by its first bytes: too few of them (an empty
	// log just after rotation) would match every other log.
	r.track = p.Store != nil && id.Fingerprint != "" && id.FingerprintLen >= MinFingerprint
	if r.track {
		src, found, err := p.Store.FindSource(ctx, id, fingerprint)
		if err != nil {
			return nil, err
		}
		if found && shrunkInPlace(src, id) {
			// Not a shorter copy: this very file was cut in place. Read
			// it again from its start (see Run.storedUntil).
			r.storedUntil = src.LastIngest
			src.Offset, src.Lines = 0, 0
		}
		if found {
			r.src = src
			r.res.Resumed = src.Lines
			if src.Offset > 0 {
				r.stamps.Continue(src.LastLine) // where the lines read before end
			}
			if id.FingerprintLen > src.FingerprintLen {
				// The file has grown: remember it by more of its bytes.
				r.src.Fingerprint, r.src.FingerprintLen = id.Fingerprint, id.FingerprintLen
			}
		} else {
			r.src = Source{Fingerprint: id.Fingerprint, FingerprintLen: id.FingerprintLen}
			r.orderUnchecked = p.Store.Path() != Memory
		}
	}
	r.src.Path, r.src.Dev, r.src.Inode, r.src.Compression = id.Path, id.Dev, id.Inode, id.Compression
	return r, nil
}

// shrunkInPlace says whether id is the file src was read from (same path,
// device and inode), now shorter than the offset stored for it: cut in
// place, not rotated (a rotated copy is another inode, and a shorter copy
// of a source holds nothing new).
func shrunkInPlace(src Source, id source.Identity) bool {
	return src.Path == id.Path && id.Inode != 0 && src.Dev == id.Dev && src.Inode == id.Inode &&
		id.Compression == "" && src.Compression == "" && id.Size < src.Offset
}

// trackGrown starts remembering a source that was too short to recognise
// when its reading began, once MinFingerprint bytes of it have been read:
// tail started on a log just emptied by rotation committed its lines
// without an offset, and a later ingest of the same file read them all
// again. The fingerprint is taken of the bytes as they were read (tail),
// never of whatever is at the path by then; where no raw bytes come
// (IngestReader), of the file at the path if it is still the same one and
// at least as long.
func (r *Run) trackGrown() {
	if r.track || r.noGrowth || r.p.Store == nil || r.id.Fingerprint == "" || r.src.Offset < MinFingerprint {
		return
	}
	switch {
	case r.byPath:
		fp, n, err := source.GrownFingerprint(r.id, r.src.Offset)
		if err != nil {
			r.noGrowth = true // rotated away, compressed or cut: it stays unknown, as before
			return
		}
		r.src.Fingerprint, r.src.FingerprintLen = fp, n
	case len(r.head) >= MinFingerprint: // keepHead kept it whole
		r.src.Fingerprint, r.src.FingerprintLen = source.HeadFingerprint(r.head)
	default:
		r.noGrowth = true
		return
	}
	r.track, r.head = true, nil
}

// keepHead adds a line as read to the head of a source not yet recognised:
// its bytes and the newline (and a carriage return, if one was taken off:
// end says how many bytes the line took).
// If the offsets do not add up (a cut line, a line of another file), the
// head is not the file's, and the source stays unknown.
func (r *Run) keepHead(b []byte, end int64, truncated bool) {
	if r.track || r.noGrowth || r.byPath || len(r.head) >= source.FingerprintSize {
		return
	}
	switch gap := end - r.src.Offset - int64(len(b)); {
	case truncated || int64(len(r.head)) != r.src.Offset || gap < 1 || gap > 2:
		r.noGrowth, r.head = true, nil
	case gap == 1:
		r.head = append(append(r.head, b...), '\n')
	default:
		r.head = append(append(r.head, b...), '\r', '\n')
	}
}

// Reads reports whether the run reads the file id names: the same device
// and inode (both zero for standard input).
func (r *Run) Reads(id source.Identity) bool {
	return r.id.Dev == id.Dev && r.id.Inode == id.Inode
}

// Offset is the byte offset (in the decompressed stream) up to which the
// source has been read and committed.
func (r *Run) Offset() int64 { return r.src.Offset }

// Result is what the run has done so far.
func (r *Run) Result() FileResult {
	res := r.res
	res.Elapsed = time.Since(r.start) // a duration: the wall clock, never the injected one
	res.Coverage = r.res.Coverage.Clone()
	res.Unparsed = res.Coverage.Unparsed // the same count, kept once
	res.First = r.firstAt
	return res
}

// Line parses and correlates one line of the run's source (tail's lines,
// one at a time; IngestReader's come parsed ahead).
func (r *Run) Line(l *source.Line) {
	r.keepHead(l.Bytes, l.End, l.Truncated)
	pl := parse(l, r.p.Format)
	r.parsed(&pl.line, pl.end, pl.truncated)
	r.at(pl.cursor)
}

// at records the journal's cursor of the line just correlated: the
// journal source's place, committed with its facts.
func (r *Run) at(cursor string) {
	if cursor != "" {
		r.src.Cursor = cursor
	}
}

// Cursor is the journal's cursor of the last line committed by an earlier
// run of a journal source, or read by this one; "" for files.
func (r *Run) Cursor() string { return r.src.Cursor }

// journalFingerprint marks a journal source in the store (see schema
// step 6): it is found by its key, never by a file's fingerprint.
const journalFingerprint = "journal"

// BeginJournal starts reading the systemd journal source named key
// (source.Journal.Key): Cursor says where earlier runs stopped. Offsets
// count the bytes of this run's journalctl output only.
func (p *Pump) BeginJournal(ctx context.Context, key string) (*Run, error) {
	id := source.Identity{Path: key}
	r := &Run{p: p, id: id, res: FileResult{Path: key}, start: time.Now(), stamps: logparse.StampCache{Resolver: p.Resolver(id)},
		src: Source{Path: key, Fingerprint: journalFingerprint}, noGrowth: true}
	if p.Store == nil {
		return r, nil
	}
	if err := p.attachSpill(ctx, false); err != nil {
		return nil, err
	}
	r.track = true
	src, found, err := p.Store.SourceAt(ctx, key)
	if err != nil {
		return nil, err
	}
	if found && src.Fingerprint == journalFingerprint {
		r.src = src
		r.src.Offset = 0
		r.res.Resumed = src.Lines
	}
	return r, nil
}

// IngestJournal reads the journal source j from where the last run
// stopped (journalctl --after-cursor) to its end. When journalctl fails
// (not installed, no permission), its message is the error: an empty
// journal and an unreadable one must never look alike.
func (p *Pump) IngestJournal(ctx context.Context, j *source.Journal) (FileResult, error) {
	run, err := p.BeginJournal(ctx, j.Key())
	if err != nil {
		return FileResult{Path: j.Key()}, err
	}
	rd, err := j.Open(ctx, run.Cursor())
	if err != nil {
		return run.Result(), err
	}
	res, err := p.ingest(ctx, run, rd)
	return res, errors.Join(err, j.Close())
}

// parsed correlates one parsed line; end is the offset just after it.
func (r *Run) parsed(l *logparse.Line, end int64, truncated bool) {
	if r.live {
		if now := r.p.now(); now.After(r.stamps.Resolver.Reference) {
			r.stamps.Resolver.Reference = now
		}
	}
	at := r.lastAt // a line without a time of its own is where the log was (Correlator.Add)
	if l.Timed() {
		at = r.stamps.Time(l.Stamp)
	}
	if !r.storedUntil.IsZero() {
		if !at.After(r.storedUntil) {
			// Stored before the file shrank: pass over it.
			r.res.Resumed++
			r.src.Lines++
			r.src.Offset = end
			r.res.BytesRead = end
			return
		}
		r.storedUntil = time.Time{}
	}
	r.p.Corr.Add(l, at)
	if at.After(r.lastAt) {
		r.lastAt = at
	}
	if r.firstAt.IsZero() || at.Before(r.firstAt) {
		r.firstAt = at
	}
	if at.After(r.src.LastLine) {
		r.src.LastLine = at // committed with the offset: where a gap would begin
	}
	r.res.Coverage.add(l)
	if truncated {
		r.res.Truncated++
	}
	r.res.Lines++
	r.src.Lines++
	r.src.Offset = end
	r.res.BytesRead = end
}

// Commit drains the correlator and writes its facts (open messages
// included), its state and this source's offset in one transaction.
func (r *Run) Commit(ctx context.Context) error {
	if err := r.commitAsync(ctx, true); err != nil {
		return err
	}
	return r.wait()
}

// commitAsync drains the correlator and starts writing the batch in the
// background, so that parsing goes on while SQLite writes: the two use
// different cores. Commits are written in order, each after the one
// before it succeeded; an error is returned by a later commitAsync or by
// wait.
func (r *Run) commitAsync(ctx context.Context, open bool) error {
	p := r.p
	if err := p.Corr.Err(); err != nil {
		// A spilled message could not be read back: what was correlated
		// since may be wrong, and is not stored.
		return errors.Join(err, r.wait())
	}
	var batch Batch
	if open {
		batch = p.Corr.Drain()
	} else {
		batch = p.Corr.DrainEnded()
	}
	r.res.Facts += batch.Len()
	if p.Store == nil {
		r.res.Stored = r.res.Lines
		if p.Overlap {
			return r.emitBeside(batch)
		}
		p.emit(&batch)
		p.Corr.Recycle(&batch) // the consumers are done with it, and no store writes it
		return nil
	}
	p.emit(&batch)
	// The state is copied here, at the moment of the drain, and encoded
	// beside the writer, as the batch is packed. Its open messages are
	// stored by changes, with those spilled since the last commit.
	snap := p.Corr.snapshot(true)
	job := &commitJob{done: make(chan struct{}), lines: r.res.Lines}
	if sp := p.Store.spill; sp != nil && p.Corr.spill == Spill(sp) {
		job.spill = sp
		sp.seal(&snap)
		job.gen = snap.gen
	}
	for len(r.inflight) >= maxInflight {
		if err := r.waitOldest(); err != nil {
			return err
		}
	}
	r.trackGrown()
	var sources []*Source
	if r.track {
		src := r.src // the copy the transaction writes; it learns the new ID
		job.written = &src
		sources = []*Source{job.written}
	}
	var prev *commitJob
	if n := len(r.inflight); n > 0 {
		prev = r.inflight[n-1]
	}
	r.inflight = append(r.inflight, job)
	res := r.Result()
	go func() {
		defer close(job.done)
		// Packing and encoding need no database: they run while the
		// commit before this one is written.
		packed, err := p.Store.Pack(&batch, &snap)
		batch = Batch{} // the packed rows hold what is needed of it
		var state []byte
		if err == nil {
			state, err = snap.encode()
		}
		snap = State{}
		if prev != nil {
			<-prev.done
			if prev.err != nil {
				// Never commit past a failed commit: its offset would
				// skip the lines whose facts were not stored.
				job.err = prev.err
				return
			}
			if job.written != nil && job.written.ID == 0 && prev.written != nil {
				job.written.ID = prev.written.ID
			}
		}
		if err != nil {
			job.err = err
			return
		}
		job.err = p.Store.CommitPacked(ctx, packed, state, sources, p.now())
		if job.err == nil && job.spill != nil {
			job.spill.done.Store(job.gen)
		}
		if job.err == nil && p.OnCommit != nil {
			p.OnCommit(res)
		}
	}()
	return nil
}

// waitOldest waits for the oldest commit under way and takes the source
// ID it assigned.
func (r *Run) waitOldest() error {
	job := r.inflight[0]
	<-job.done
	r.inflight = r.inflight[1:]
	if job.err != nil {
		// The commits after it fail with the same error: wait for them,
		// and report it once.
		for _, later := range r.inflight {
			<-later.done
		}
		r.inflight = nil
		return job.err
	}
	if job.written != nil && r.src.ID == 0 {
		r.src.ID = job.written.ID
	}
	if job.spill != nil {
		job.spill.landed(job.gen)
	}
	if job.batch != nil {
		r.p.Corr.Recycle(job.batch)
	}
	r.res.Stored = max(r.res.Stored, job.lines)
	return nil
}

// wait waits for every commit under way.
func (r *Run) wait() error {
	for len(r.inflight) > 0 {
		if err := r.waitOldest(); err != nil {
			return err
		}
	}
	return nil
}

// Finish commits what is left at the end of the input, open messages
// included. Failed TLS sessions still waiting for their delivery line stay
// in the correlator's state: the next lines of the log (a later run, the
// next file) may bring it, and if they do not, the session is counted for
// its domain once it is older than the process timeout in log time. So
// reading a log in two parts gives the same facts as reading it at once.
//
// A source whose end was read fills the gap it left when it was found
// rotated away (gaps.go): its copy was found after all.
func (r *Run) Finish(ctx context.Context) error {
	if err := r.commitAsync(ctx, !r.p.KeepOpen); err != nil {
		return err
	}
	if err := r.wait(); err != nil {
		return err
	}
	if r.track && r.src.ID != 0 && r.res.Lines > 0 {
		return r.p.Store.fillGap(ctx, r.src.ID, r.id.Dev, r.id.Inode, r.firstAt)
	}
	return nil
}

// IngestReader reads one source to its end, resuming where an earlier run
// stopped. A last line without a newline is left for the next run when the
// source is a plain file that may still be growing.
//
// A stream (standard input) is recognised by its content as a file is:
// its first bytes are read ahead and fingerprinted, and the bytes an
// earlier run stored (from the stream, or from the same log as a file)
// are read through and skipped, so "cat mail.log | pftls ingest -" twice
// stores every line once.
func (p *Pump) IngestReader(ctx context.Context, rd *source.Reader) (FileResult, error) {
	fingerprint := func(n int) (string, error) { return source.Fingerprint(rd.Identity().Path, n) }
	if rd.Stream() && rd.Identity().Fingerprint == "" && p.Store != nil {
		if err := rd.IdentifyStream(); err != nil {
			return FileResult{Path: rd.Identity().Path}, err
		}
		fingerprint = rd.PrefixFingerprint
	}
	id := rd.Identity()
	run, err := p.begin(ctx, id, fingerprint)
	if err != nil {
		return FileResult{Path: id.Path}, err
	}
	if p.Store != nil && !run.track && !rd.Stream() && id.Compression == "" &&
		id.FingerprintLen > 0 && id.FingerprintLen < MinFingerprint && rd.HeadIsText() {
		// A log too short to be recognised by its first bytes (a line or
		// two just after rotation): stored now, it would be read again
		// from its start once it has grown, every line counted twice.
		// It is left whole for the next run.
		return FileResult{Path: id.Path, TooShort: true}, nil
	}
	if more, err := run.skipStored(rd); !more || err != nil {
		return run.Result(), err
	}
	return p.ingest(ctx, run, rd)
}

// skipStored reads rd through the bytes earlier runs stored of its
// source. more is false when it holds nothing past them: a shorter copy
// of a source read further before (an older copy, cut short).
func (r *Run) skipStored(rd *source.Reader) (more bool, err error) {
	off := r.Offset()
	if off <= 0 {
		return true, nil
	}
	if err := rd.SkipTo(off); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return false, nil
		}
		return false, fmt.Errorf("%s: resume at byte %d: %w", rd.Identity().Path, off, err)
	}
	return true, nil
}

// DefaultCommitLines is how many lines bulk ingest reads between two
// commits. Each batch is live in memory twice (the one SQLite writes, the
// one being read) under ingest's heap limit: at 50,000 lines the live heap
// sat just under the limit and the collector ran some 30 times a second,
// a third of the CPU of a 10M-line ingest. At 20,000 lines a 1M-line
// ingest took a quarter less CPU (both mixes, paired runs; 10,000 was no
// better) and a 10M-line TLS-heavy one 68 s instead of 123 s.
const DefaultCommitLines = 20000

// maxChangedOpen is how many open messages may change between two of
// ingest's commits before it commits early: a queue that grows by
// thousands of messages (none removed) made each commit write and keep
// in memory a row for each, and at 50,000 lines a commit (the default then) the heap passed
// ingest's limit (200k queue IDs: 145 MB and 15.9 s; 123 MB and 7.1 s
// committing every 20,000 lines). A log whose messages come and go never
// gets near it.
const maxChangedOpen = 8192

// noStoreDrainLines is how often a pump without a store (report --db
// :memory:, tail --no-db) drains the correlator for its consumers: there
// is no transaction to amortise, and a batch of 50,000 lines' facts was
// about 17 MB of a 10M-line report's live heap, twice over in its peak RSS.
const noStoreDrainLines = 4096

// ingest reads rd to its end in run, committing every CommitLines lines
// (or earlier, see maxChangedOpen).
func (p *Pump) ingest(ctx context.Context, run *Run, rd *source.Reader) (FileResult, error) {
	id := rd.Identity()
	run.byPath = true // the parsed lines come without their bytes
	every := p.CommitLines
	if every <= 0 {
		every = DefaultCommitLines
	}
	if p.Store == nil && every > noStoreDrainLines {
		every = noStoreDrainLines
	}
	// A last line without its newline is left for the next run where a
	// next run can find it: a plain file that may still grow, or a stream
	// recognised by its content (a longer copy of it, piped again, reads
	// the line whole; stored now, its second half would come as a line of
	// its own). An unrecognised stream is read to its last byte, and so is
	// a rotated copy no writer has touched for a while (settledCopy), and
	// every source when nothing is kept for a next run (report --db
	// :memory:).
	nextRun := p.Store != nil && p.Store.Path() != Memory
	mayGrow := nextRun && id.Compression == "" && (!rd.Stream() && id.Path != "-" && !settledCopy(id) || rd.Stream() && run.track)
	feed := newFeed(rd, mayGrow, p.Format)
	defer feed.stop()
	sinceCommit := 0
	for {
		c, ok := feed.next()
		if !ok {
			break
		}
		if err := ctx.Err(); err != nil { // once per chunk: standard input's are one line
			cerr := run.Commit(context.WithoutCancel(ctx))
			return run.Result(), errors.Join(err, cerr)
		}
		for i := range c.lines {
			pl := &c.lines[i]
			if run.orderUnchecked { // a new source's first lines only
				if err := run.noteOrder(ctx, &pl.line); err != nil {
					return run.Result(), errors.Join(err, run.wait())
				}
			}
			run.parsed(&pl.line, pl.end, pl.truncated)
			run.at(pl.cursor)
			sinceCommit++
			if sinceCommit >= every || sinceCommit%1024 == 0 && p.Corr.changedOpen() >= maxChangedOpen {
				if err := run.commitAsync(ctx, false); err != nil {
					return run.Result(), errors.Join(err, run.wait())
				}
				sinceCommit = 0
			}
		}
		if c.err != nil {
			// Keep what was read: commit it, then report the error.
			cerr := run.Commit(ctx)
			return run.Result(), errors.Join(c.err, cerr)
		}
		if c.partial {
			run.res.Partial = true
			break
		}
		feed.recycle(c)
	}
	if err := run.Finish(ctx); err != nil {
		return run.Result(), err
	}
	return run.Result(), nil
}

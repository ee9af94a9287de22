package aggregate

import (
	"time"

	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// Pump moves lines from a source through the parser and the correlator to
// the store and to the fact consumers: the one path that ingest, tail and
// report --db :memory: drive. They differ only in the source (a file read
// to its end, standard input, a followed file), the commit cadence (every
// CommitLines lines, or after each burst), whether the end of the input
// ends the reading, and the consumers that receive the facts.
//
// Every commit writes the facts, the correlator's state and the source's
// offset in one transaction, so an interrupted run loses nothing and a
// repeated one adds nothing. With a nil Store (tail --no-db, report --db
// :memory:) facts go only to the consumers.
//
//   - [Pump.IngestReader] reads one source to its end (ingest, report).
//   - [Pump.Tail] follows a file, or reads standard input, committing after
//     each burst (tail); it routes each line to the run of its file.
//   - [Pump.Flush] hands the consumers the messages still open once the
//     last source is read (KeepOpen).
type Pump struct {
	Store       *Store
	Corr        *Correlator
	CommitLines int // IngestReader commits every CommitLines lines (default DefaultCommitLines)
	// Resolver gives the stamp resolver for a source (year and zone).
	Resolver func(id source.Identity) logparse.Resolver
	// Now is the clock of every command (PFTLS_NOW): the sources'
	// bookkeeping and tail's idea of the present.
	Now func() time.Time
	// Consumers see every batch of facts before it is stored, in order:
	// the report builder, tail's live view, event stream and alerter.
	Consumers []FactConsumer
	// OnCommit, when set, is told after each commit.
	OnCommit func(f FileResult)
	// KeepOpen keeps messages still in the queue out of every batch, the
	// end of a source included: the caller drains them once after its last
	// source with Flush (a report fed straight from the facts counts each
	// message once).
	KeepOpen bool
	// Overlap, for a pump with no store, lets the consumers count a batch
	// while the correlator reads the next lines (report --db :memory:):
	// parsing, correlating and counting run side by side, on as many cores
	// as there are. The consumers are still called in order, one batch at
	// a time, but on another goroutine: set it only for consumers nothing
	// else reads until the last source is finished (Run.Finish) and Flush
	// has returned, and never for Tail (its view reads its consumers while
	// it follows).
	Overlap bool
	// Format is the envelope every line is read as (--input-format);
	// logparse.FormatAuto, the zero value, finds it per line.
	Format logparse.Format

	// quiet holds the consumers back: tail stores the lines before its
	// view's starting point without showing them.
	quiet bool
}

// A FactConsumer receives the batches of facts the pump drains. A batch
// is only valid during the call.
type FactConsumer interface {
	Facts(b *Batch)
}

// FactsFunc makes a function a FactConsumer.
type FactsFunc func(b *Batch)

// Facts calls f(b).
func (f FactsFunc) Facts(b *Batch) { f(b) }

// FileResult says what reading one source did.
type FileResult struct {
	Path      string
	Lines     int64 // lines read in this run
	Stored    int64 // of them, lines whose facts and offset are committed (less than Lines after an error: the rest is read again next time)
	Resumed   int64 // lines ingested by earlier runs, skipped now
	Unparsed  int64
	Partial   bool  // an incomplete last line was left for the next run
	TooShort  bool  // the log is too short to recognise (under MinFingerprint bytes): left whole for the next run
	BytesRead int64 // decompressed bytes consumed up to now
	Truncated int64 // lines cut at the maximum line length
	Elapsed   time.Duration
	Facts     int
	Coverage  Coverage // what of it pftls understood (see coverage.go)
	// OutOfOrder: it began before the lines stored of its host (nil: not).
	OutOfOrder *OutOfOrder
	First      time.Time // the stamp of its oldest line read in this run
}

// emit hands a batch to the consumers, unless they are held back.
func (p *Pump) emit(b *Batch) {
	if p.quiet {
		return
	}
	for _, c := range p.Consumers {
		c.Facts(b)
	}
}

// Flush is the end of the input for a pump with KeepOpen: the messages
// still in the queue go to the consumers, once, after the last source.
// Nothing is stored.
func (p *Pump) Flush() {
	rest := p.Corr.Drain()
	p.emit(&rest)
}

func (p *Pump) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// parse is the one call of the line parser on the pump's path: every line
// that reaches the correlator, every line pftls parse prints, and the
// lines tail reads back to find where its window starts, are parsed here,
// in format f (FormatAuto: whichever fits the line).
func parse(l *source.Line, f logparse.Format) parsedLine {
	r := rawLine{number: l.Number, end: l.End, truncated: l.Truncated, cursor: l.Cursor}
	return r.parse(string(l.Bytes), f) // a copy out of the reader's buffer
}

// parse parses a line read earlier, whose text is text (see parse): the
// string the parsed line's fields point into.
func (r *rawLine) parse(text string, f logparse.Format) parsedLine {
	return parsedLine{line: logparse.ParseAs(text, f), number: r.number, end: r.end, truncated: r.truncated, cursor: r.cursor}
}

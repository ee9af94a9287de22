package aggregate

import (
	"context"
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// lineFeed hands the pump parsed lines in chunks.
type lineFeed interface {
	next() (parsedChunk, bool) // the next chunk; false at the end
	recycle(parsedChunk)       // the chunk's lines are correlated: its buffer may be reused
	stop()                     // no more chunks are wanted; returns when the source is no longer read
}

// newFeed reads and parses rd. A regular file is read on a goroutine of
// its own and its lines are parsed on as many more as there are cores
// (GOMAXPROCS): parsing is a pure function of each line, so chunks of
// lines parse in any order and are handed on in the order they were read;
// only the correlator must see them one after the other. Standard input
// and pipes are read a line at a time on the caller's goroutine: their
// reads wait for a writer, and a line must not wait for the ones after it
// to fill a chunk.
//
// A partial last line ends the reading when mayGrow (a plain file that a
// writer may still be appending to). Lines are parsed in format f.
func newFeed(rd *source.Reader, mayGrow bool, f logparse.Format) lineFeed {
	if rd.Stream() || rd.Identity().Fingerprint == "" {
		return &parseInline{rd: rd, mayGrow: mayGrow, format: f}
	}
	return startParsing(rd, mayGrow, f, runtime.GOMAXPROCS(0))
}

// readRaw reads the next line of rd; when there is none, ok is false and
// end says how the reading ended.
func readRaw(rd *source.Reader, mayGrow bool) (line source.Line, end parsedChunk, ok bool) {
	line, err := rd.Next(context.Background())
	switch {
	case errors.Is(err, io.EOF):
		return line, parsedChunk{}, false
	case err != nil:
		return line, parsedChunk{err: err}, false
	case line.Partial && mayGrow:
		return line, parsedChunk{partial: true}, false
	}
	return line, parsedChunk{}, true
}

// chunkLines is how many lines go from the reader to a parser, and from
// the parsers to the correlator, at once: enough to make the hand-off
// cheap, few enough that the lines in flight take little memory.
const chunkLines = 512

// chunkBytes ends a chunk early when its lines' text is this long: a
// job's text buffer stays small however long the lines are.
const chunkBytes = 256 << 10

// chunksAhead is how many chunks the reading may be ahead of the
// correlator, per parser.
const chunksAhead = 4

// parsedLine is a line parsed ahead, with where it ends in its source.
type parsedLine struct {
	line      logparse.Line
	number    int64 // in the source, 1-based
	end       int64
	truncated bool
	cursor    string // the journal's cursor of the line (journal sources)
}

// parsedChunk is a run of parsed lines and how the reading after them
// ended, if it did.
type parsedChunk struct {
	lines   []parsedLine
	partial bool  // the source ends in a partial line that may still grow: not read
	err     error // reading failed after lines

	job *parseJob // the job that parsed it (parseAhead), for recycle
}

// parseInline is the lineFeed that reads one line per chunk, on the
// caller's goroutine.
type parseInline struct {
	rd      *source.Reader
	mayGrow bool
	format  logparse.Format
	line    [1]parsedLine // reused
	done    bool
}

func (f *parseInline) next() (parsedChunk, bool) {
	if f.done {
		return parsedChunk{}, false
	}
	line, end, ok := readRaw(f.rd, f.mayGrow)
	if !ok {
		f.done = true
		return end, end.err != nil || end.partial
	}
	f.line[0] = parse(&line, f.format)
	return parsedChunk{lines: f.line[:]}, true
}

func (f *parseInline) recycle(parsedChunk) {}
func (f *parseInline) stop()               {}

// rawLine is where a line read but not yet parsed is; its text is in its
// job's buffer (parsed ahead) or the reader's.
type rawLine struct {
	size      int // parsed ahead: the length of the line's text in its job's
	number    int64
	end       int64
	truncated bool
	cursor    string
}

// parseJob is one chunk on its way: read, then parsed by any parser, then
// handed on in reading order. done is closed once lines are parsed.
//
// The reader appends the chunk's lines to text, a buffer the job keeps
// from one use to the next, and the parser copies each line out of it:
// the reader, one goroutine for every parser, no longer allocates. The
// strings never point into the buffer: it is written again once the job
// is recycled. (One string for several lines made 94% fewer allocations,
// but a string a consumer keeps of a line, such as a map key, which every
// update of the key replaces with the newest line's, then keeps all those
// lines' text: 16 lines per string took report --db :memory: of a
// 10M-line log from 279 to 357 MB for 4% of the parsing's CPU.)
type parseJob struct {
	raw   []rawLine
	text  []byte // the lines' text, one after the other (reused)
	lines []parsedLine
	end   parsedChunk // how the reading ended after this chunk, if it did
	done  chan struct{}
}

// parseAhead reads a source on one goroutine and parses its lines on
// several.
type parseAhead struct {
	ordered chan *parseJob // every job, in reading order
	work    chan *parseJob // jobs waiting for a parser
	free    chan *parseJob // jobs whose lines are correlated, to reuse
	quit    chan struct{}
	format  logparse.Format
	workers sync.WaitGroup
}

// startParsing starts reading rd on a goroutine of its own and parsing
// its lines on parsers more.
func startParsing(rd *source.Reader, mayGrow bool, f logparse.Format, parsers int) *parseAhead {
	parsers = max(parsers, 1)
	ahead := chunksAhead * parsers
	a := &parseAhead{
		ordered: make(chan *parseJob, ahead),
		work:    make(chan *parseJob, ahead),
		free:    make(chan *parseJob, ahead+2),
		quit:    make(chan struct{}),
		format:  f,
	}
	a.workers.Add(parsers)
	for range parsers {
		go a.parser()
	}
	go a.read(rd, mayGrow)
	return a
}

// read reads rd into jobs, each handed to the parsers and, in order, to
// the correlator.
func (a *parseAhead) read(rd *source.Reader, mayGrow bool) {
	defer func() {
		close(a.ordered)
		close(a.work)
	}()
	job := a.job()
	for {
		line, end, ok := readRaw(rd, mayGrow)
		if !ok {
			job.end = end
			a.send(job)
			return
		}
		job.text = append(job.text, line.Bytes...)
		job.raw = append(job.raw, rawLine{size: len(line.Bytes), number: line.Number, end: line.End,
			truncated: line.Truncated, cursor: line.Cursor})
		if len(job.raw) == chunkLines || len(job.text) >= chunkBytes {
			if !a.send(job) {
				return
			}
			job = a.job()
		}
	}
}

// parser parses the lines of jobs until there are none.
func (a *parseAhead) parser() {
	defer a.workers.Done()
	for job := range a.work {
		job.lines = job.lines[:len(job.raw)]
		off := 0
		for i := range job.raw {
			r := &job.raw[i]
			// A copy: the line's strings outlive the buffer's contents.
			job.lines[i] = r.parse(string(job.text[off:off+r.size]), a.format)
			off += r.size
		}
		close(job.done)
	}
}

// job is an empty job, a recycled one when there is one.
func (a *parseAhead) job() *parseJob {
	select {
	case j := <-a.free:
		j.raw, j.text, j.lines, j.end = j.raw[:0], j.text[:0], j.lines[:0], parsedChunk{}
		j.done = make(chan struct{})
		return j
	default:
		return &parseJob{raw: make([]rawLine, 0, chunkLines), lines: make([]parsedLine, 0, chunkLines),
			text: make([]byte, 0, chunkBytes/2), done: make(chan struct{})}
	}
}

// send hands a job to the parsers and to the correlator, unless the
// correlator has stopped listening. The ordered queue is filled first, so
// that a job the parsers take is always one the correlator will wait for.
func (a *parseAhead) send(j *parseJob) bool {
	select {
	case a.ordered <- j:
	case <-a.quit:
		return false
	}
	select {
	case a.work <- j:
		return true
	case <-a.quit:
		close(j.done) // nobody waits for it
		return false
	}
}

// next is the next chunk in reading order, once parsed; false when there
// is nothing more.
func (a *parseAhead) next() (parsedChunk, bool) {
	j, ok := <-a.ordered
	if !ok {
		return parsedChunk{}, false
	}
	<-j.done
	c := j.end
	c.lines, c.job = j.lines, j
	return c, true
}

// recycle gives a chunk's buffers back once its lines are correlated (the
// correlator keeps their strings, never the Line values).
func (a *parseAhead) recycle(c parsedChunk) {
	if c.job == nil {
		return
	}
	// Its lines are not cleared (clearing them, write barriers and all,
	// was 1.7% of the pipeline's CPU): the next use overwrites them, and a
	// job waiting in the pool keeps no more than its own chunk's text.
	select {
	case a.free <- c.job:
	default:
	}
}

// stop ends the reading and parsing goroutines and waits until they have:
// the caller may close the source as soon as stop returns.
func (a *parseAhead) stop() {
	close(a.quit)
	for range a.ordered {
	}
	a.workers.Wait()
}

// EachLine reads rd to its end and hands each line, parsed, to each with
// its 1-based number: the pump's reading and parsing (parsed ahead for a
// regular file) without the correlator, for pftls parse. A partial last
// line is parsed too. Lines are parsed in format f (FormatAuto: whichever
// fits each line). It stops at the first error of each, of reading, or of
// ctx (checked once per chunk of lines).
func EachLine(ctx context.Context, rd *source.Reader, f logparse.Format, each func(number int64, l *logparse.Line) error) error {
	feed := newFeed(rd, false, f)
	defer feed.stop()
	for {
		c, ok := feed.next()
		if !ok {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		for i := range c.lines {
			if err := each(c.lines[i].number, &c.lines[i].line); err != nil {
				return err
			}
		}
		if c.err != nil {
			return c.err
		}
		feed.recycle(c)
	}
}

package aggregate

import (
	"context"
	"errors"
	"io"

	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// lineFeed hands the pump parsed lines in chunks.
type lineFeed interface {
	next() (parsedChunk, bool) // the next chunk; false at the end
	recycle(parsedChunk)       // the chunk's lines are correlated: its buffer may be reused
	stop()                     // no more chunks are wanted; returns when the source is no longer read
}

// newFeed reads and parses rd. A regular file is parsed ahead on a
// goroutine of its own: parsing is a pure function of each line, and with
// SQLite writing on a second goroutine, the goroutine that parsed and
// correlated set ingest's pace. Standard input and pipes are read a line at
// a time on the caller's goroutine: their reads wait for a writer, and a
// line must not wait for the ones after it to fill a chunk.
//
// A partial last line ends the reading when mayGrow (a plain file that a
// writer may still be appending to). Lines are parsed in format f.
func newFeed(rd *source.Reader, mayGrow bool, f logparse.Format) lineFeed {
	if rd.Stream() || rd.Identity().Fingerprint == "" {
		return &parseInline{rd: rd, mayGrow: mayGrow, format: f}
	}
	return startParsing(rd, mayGrow, f)
}

// readLine reads and parses the next line of rd into dst; when there is
// none, ok is false and end says how the reading ended.
func readLine(rd *source.Reader, mayGrow bool, f logparse.Format, dst *parsedLine) (end parsedChunk, ok bool) {
	line, err := rd.Next(context.Background())
	switch {
	case errors.Is(err, io.EOF):
		return parsedChunk{}, false
	case err != nil:
		return parsedChunk{err: err}, false
	case line.Partial && mayGrow:
		return parsedChunk{partial: true}, false
	}
	*dst = parse(&line, f)
	return parsedChunk{}, true
}

// chunkLines is how many parsed lines go from the parsing goroutine to the
// correlator at once: enough to make the hand-off cheap, few enough that
// the lines in flight take little memory.
const chunkLines = 512

// chunksAhead is how many chunks the parser may be ahead.
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
}

// parseAhead reads and parses a source on its own goroutine.
type parseAhead struct {
	chunks chan parsedChunk
	free   chan []parsedLine
	quit   chan struct{}
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
	end, ok := readLine(f.rd, f.mayGrow, f.format, &f.line[0])
	if !ok {
		f.done = true
		return end, end.err != nil || end.partial
	}
	return parsedChunk{lines: f.line[:]}, true
}

func (f *parseInline) recycle(parsedChunk) {}
func (f *parseInline) stop()               {}

// startParsing starts reading rd on a goroutine of its own.
func startParsing(rd *source.Reader, mayGrow bool, f logparse.Format) *parseAhead {
	a := &parseAhead{
		chunks: make(chan parsedChunk, chunksAhead),
		free:   make(chan []parsedLine, chunksAhead+2),
		quit:   make(chan struct{}),
	}
	go a.run(rd, mayGrow, f)
	return a
}

func (a *parseAhead) run(rd *source.Reader, mayGrow bool, f logparse.Format) {
	defer close(a.chunks)
	lines := a.buffer()
	for {
		n := len(lines)
		end, ok := readLine(rd, mayGrow, f, &lines[:n+1][n])
		if !ok {
			end.lines = lines
			a.send(end)
			return
		}
		lines = lines[:n+1]
		if len(lines) == chunkLines {
			if !a.send(parsedChunk{lines: lines}) {
				return
			}
			lines = a.buffer()
		}
	}
}

// buffer is an empty slice for a chunk (with room for chunkLines), a
// recycled one when there is one.
func (a *parseAhead) buffer() []parsedLine {
	select {
	case b := <-a.free:
		return b[:0]
	default:
		return make([]parsedLine, 0, chunkLines)
	}
}

// send hands c to the correlator, unless it has stopped listening.
func (a *parseAhead) send(c parsedChunk) bool {
	select {
	case a.chunks <- c:
		return true
	case <-a.quit:
		return false
	}
}

// next is the next chunk; false when the parser has nothing more.
func (a *parseAhead) next() (parsedChunk, bool) {
	c, ok := <-a.chunks
	return c, ok
}

// recycle gives a chunk's buffer back once its lines are correlated (the
// correlator keeps their strings, never the Line values).
func (a *parseAhead) recycle(c parsedChunk) {
	clear(c.lines) // drop the references to the lines' text
	select {
	case a.free <- c.lines:
	default:
	}
}

// stop ends the parsing goroutine and waits until it has: the caller may
// close the source as soon as stop returns.
func (a *parseAhead) stop() {
	close(a.quit)
	for range a.chunks {
	}
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

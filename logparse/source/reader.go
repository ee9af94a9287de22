package source

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/klauspost/compress/zstd"
)

// MaxLineBytes is the default longest line kept; longer lines are cut and flagged.
const MaxLineBytes = 64 << 10

// bufSize is the size of the line buffer. A line that fits in it (with its
// "\n") is returned as a slice of the buffer, without copying.
const bufSize = 64 << 10

// Compression names used in Identity.Compression.
const (
	compGzip  = "gzip"
	compBzip2 = "bzip2"
	compZstd  = "zstd"
)

// Line is one line of input with its origin: the file it came from and
// where in it. Bytes is only valid until the next call to Next.
type Line struct {
	Bytes     []byte    // without the trailing "\n" (and without a "\r" before it)
	File      *Identity // the input the line came from (see Follow for what it holds while following); shared by its lines, never changed
	Number    int64     // 1-based line number in the (decompressed) stream
	Offset    int64     // byte offset of the line start in the decompressed stream
	End       int64     // byte offset just after this line's "\n" (== Offset+len(raw)+1), or after the last byte when Partial
	Reopened  bool      // following: the first line of a file that replaced (rotation) or truncated the one read before
	Truncated bool      // the line was longer than the reader's max; Bytes holds only the first max bytes (the rest is skipped without buffering it)
	Partial   bool      // last line of the stream with no trailing newline
	Cursor    string    // a journal entry's __CURSOR, its place in the journal (a Reader made by Journal.Open); "" otherwise
}

// Reader is the one source of lines: it reads a file (plain or compressed,
// detected by content), a stream such as standard input, or, made by
// [Follow], a log file as it is written, across rotation and truncation.
// Reading stops at the end of the input (io.EOF) except when following.
// A Reader is not safe for concurrent use.
type Reader struct {
	name  string
	ident Identity
	idp   *Identity     // a copy of ident that lines point to; nil until a line needs it, and whenever ident changes
	br    *bufio.Reader // the decompressed stream
	file  *os.File      // closed by Close; nil for stdin and NewReader
	zstd  *zstd.Decoder // released by Close
	// waiter is the stream's ctxReader (NewReaderContext), whose reads
	// IdentifyStreamWithin can end early; nil otherwise.
	waiter *ctxReader

	max    int
	long   []byte // head of a line that did not fit in br's buffer; reused
	number int64  // lines returned so far (or newlines skipped)
	offset int64  // decompressed bytes consumed so far
	err    error  // returned by every later Next and SkipTo

	fol *follower // set by Follow: Next waits at the end instead of returning io.EOF
	cri criJoin   // joins a Kubernetes CRI log's partial lines (cri.go)

	journal bool // journalctl -o json's output: each line's cursor is taken (journal.go)
}

// Open opens path for reading; "-" means standard input. A directory is an
// error ("open PATH: is a directory", matching [syscall.EISDIR]).
//
// For a regular file Open fills in the whole [Identity], reading ahead the
// first 4096 decompressed bytes for the fingerprint; Next still returns them.
// For standard input and other non-regular files the fingerprint is empty.
func Open(path string) (*Reader, error) { return open(path, nil) }

// open is Open; wrap, when not nil, wraps the reads of standard input and
// of a file that is not regular (OpenContext).
func open(path string, wrap func(io.Reader) io.Reader) (*Reader, error) {
	if path == "-" {
		if wrap != nil {
			return NewReader("-", wrap(os.Stdin))
		}
		return NewReader("-", os.Stdin)
	}
	r, fi, err := openFile(path, wrap)
	if err != nil {
		return nil, err
	}
	r.ident.Size = fi.Size()
	r.ident.ModTime = fi.ModTime()
	r.ident.Dev, r.ident.Inode = fileID(fi)
	if fi.Mode().IsRegular() {
		// A read error here is remembered by the sticky reader below br,
		// so Next reports it, with its line number, after the good lines.
		head, _ := r.br.Peek(FingerprintSize)
		r.ident.Fingerprint = hashHex(head)
		r.ident.FingerprintLen = len(head)
	}
	return r, nil
}

// openFile opens path and sets up decompression, without reading ahead
// beyond the magic bytes.
func openFile(path string, wrap func(io.Reader) io.Reader) (*Reader, fs.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, openError(path, err)
	}
	fi, err := f.Stat()
	if err == nil && fi.IsDir() {
		err = syscall.EISDIR
	}
	if err != nil {
		f.Close()
		return nil, nil, openError(path, err)
	}
	var src io.Reader = f
	if wrap != nil && !fi.Mode().IsRegular() {
		src = wrap(f)
	}
	r, err := newReader(path, src, bufSize)
	if err != nil {
		f.Close()
		return nil, nil, openError(path, err)
	}
	r.file = f
	return r, fi, nil
}

// openError wraps err as "open PATH: reason", without repeating the path
// when err is already an *fs.PathError from os.Open.
func openError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("open %s: %w", path, err)
}

// NewReader returns a Reader over r, detecting compression from its first
// bytes; name is used in errors and as Identity.Path. The Identity carries
// only the path and compression: no file facts and no fingerprint. The
// caller keeps ownership of r; Close does not close it.
func NewReader(name string, r io.Reader) (*Reader, error) {
	rd, err := newReader(name, r, bufSize)
	if err != nil {
		return nil, openError(name, err)
	}
	return rd, nil
}

// newReader is NewReader with a chosen buffer size, so tests can make the
// buffer small and exercise lines that span it.
func newReader(name string, src io.Reader, size int) (*Reader, error) {
	raw := bufio.NewReaderSize(&stickyReader{r: src}, size)
	magic, err := raw.Peek(4)
	if err != nil && err != io.EOF {
		return nil, err
	}
	r := &Reader{
		name:  name,
		ident: Identity{Path: name, Compression: detect(magic)},
		max:   MaxLineBytes,
	}
	switch r.ident.Compression {
	case "":
		r.br = raw
		return r, nil
	case compGzip:
		zr, err := gzip.NewReader(raw)
		if err != nil {
			return nil, err
		}
		src = zr
	case compBzip2:
		src = bzip2.NewReader(raw)
	case compZstd:
		d, err := zstd.NewReader(raw, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		r.zstd = d
		src = d
	}
	r.br = bufio.NewReaderSize(&stickyReader{r: src}, size)
	return r, nil
}

// detect names the compression whose magic number starts p.
func detect(p []byte) string {
	switch {
	case len(p) >= 2 && p[0] == 0x1f && p[1] == 0x8b:
		return compGzip
	case len(p) >= 4 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h' && p[3] >= '1' && p[3] <= '9':
		return compBzip2
	case len(p) >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd:
		return compZstd
	}
	return ""
}

// stickyReader remembers the first error other than io.EOF and returns it
// from then on. bufio.Reader hands an error out once and then reads again;
// a decompressor asked again after a failure may not fail the same way.
type stickyReader struct {
	r   io.Reader
	err error
}

func (s *stickyReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF && err != errWaitOver {
		s.err = err
	}
	return n, err
}

// Identity returns what Open learnt about the input.
func (r *Reader) Identity() Identity { return r.ident }

// SetMaxLine sets the longest line kept, in bytes; n < 1 restores
// MaxLineBytes. It applies from the next call to Next.
func (r *Reader) SetMaxLine(n int) {
	if n < 1 {
		n = MaxLineBytes
	}
	r.max = n
}

// Next returns the next line, or io.EOF after the last one. A read or
// decompression error is returned as "NAME: line N: reason", where N is the
// line being read when it happened; every complete line before it has been
// returned, and the same error is returned from then on.
//
// After io.EOF, Next may be called again and returns lines appended since.
//
// A Reader made by [Follow] never returns io.EOF: it waits for more lines
// until ctx is done, and then returns ctx.Err(). A stream or device opened
// by [OpenContext] or [NewReaderContext] returns its context's error once
// that is done. Other Readers do not look at ctx: a read from a pipe waits
// for its writer.
func (r *Reader) Next(ctx context.Context) (Line, error) {
	if r.fol != nil {
		return r.follow(ctx)
	}
	if r.journal {
		return r.nextEntry()
	}
	return r.next()
}

// nextRaw reads the next line of what is there now, as the input has it.
func (r *Reader) nextRaw() (Line, error) {
	if r.err != nil {
		return Line{}, r.err
	}
	chunk, err := r.br.ReadSlice('\n')
	if err != nil {
		return r.nextSlow(chunk, err)
	}
	// The common case: the whole line is in the buffer.
	b := chunk[:len(chunk)-1]
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return r.line(b, int64(len(b)), int64(len(chunk)), false), nil
}

// nextSlow finishes a line that did not end within the buffer, or the
// stream's end. It keeps at most r.max bytes of the line in r.long.
func (r *Reader) nextSlow(chunk []byte, err error) (Line, error) {
	kept := r.long[:0]
	var n int64 // length of the line so far, without "\n"
	var last byte
	for {
		body := chunk
		if err == nil {
			body = chunk[:len(chunk)-1]
		}
		if len(body) > 0 {
			n += int64(len(body))
			last = body[len(body)-1]
			if room := r.max - len(kept); room > 0 {
				kept = append(kept, body[:min(room, len(body))]...)
			}
		}
		if err != bufio.ErrBufferFull {
			break
		}
		chunk, err = r.br.ReadSlice('\n')
	}
	r.long = kept[:0]

	switch {
	case err == nil:
		size := n
		if n > 0 && last == '\r' {
			size--
		}
		return r.line(kept[:min(int64(len(kept)), size)], size, n+1, false), nil
	case err == io.EOF:
		if n == 0 {
			return Line{}, io.EOF
		}
		return r.line(kept, n, n, true), nil
	default:
		r.err = fmt.Errorf("%s: line %d: %w", r.name, r.number+1, err)
		return Line{}, r.err
	}
}

// line builds the next Line from b, the start of a line whose full length
// (after removing "\r\n") is size, and which took consumed bytes of input.
func (r *Reader) line(b []byte, size, consumed int64, partial bool) Line {
	l := Line{Bytes: b, File: r.lineIdentity(), Number: r.number + 1, Offset: r.offset, Partial: partial}
	if size > int64(r.max) {
		l.Truncated = true
		if len(b) > r.max {
			l.Bytes = b[:r.max]
		}
	}
	r.number++
	r.offset += consumed
	l.End = r.offset
	return l
}

// lineIdentity is the Identity lines point to: one copy per input (per
// file, when following), so that a Line stays small to return.
func (r *Reader) lineIdentity() *Identity {
	if r.idp == nil {
		id := r.ident
		r.idp = &id
	}
	return r.idp
}

// SkipTo discards decompressed input up to offset, counting the newlines in
// it so that line numbers carry on correctly. offset should be a line start,
// such as the End of a line read before. Skipping backwards is an error, and
// so is an input that ends before offset (matching io.ErrUnexpectedEOF).
func (r *Reader) SkipTo(offset int64) error {
	if r.err != nil {
		return r.err
	}
	if offset < r.offset {
		return fmt.Errorf("%s: skip to offset %d: already at offset %d", r.name, offset, r.offset)
	}
	for r.offset < offset {
		p, err := r.br.Peek(int(min(offset-r.offset, int64(r.br.Size()))))
		r.number += int64(bytes.Count(p, newline))
		r.offset += int64(len(p))
		r.br.Discard(len(p))
		switch {
		case err == io.EOF:
			return fmt.Errorf("%s: skip to offset %d: input ends at offset %d: %w", r.name, offset, r.offset, io.ErrUnexpectedEOF)
		case err != nil:
			r.err = fmt.Errorf("%s: line %d: %w", r.name, r.number+1, err)
			return r.err
		}
	}
	return nil
}

var newline = []byte{'\n'}

// Close releases the decompressor and closes the file opened by Open.
// It does not close standard input or a reader given to NewReader.
// Next and SkipTo fail after Close, with an error matching [os.ErrClosed].
// A following Reader must not be closed while another goroutine is in Next:
// cancel that call's context first.
func (r *Reader) Close() error {
	r.err = fmt.Errorf("%s: %w", r.name, os.ErrClosed)
	if r.zstd != nil {
		r.zstd.Close()
		r.zstd = nil
	}
	if r.fol != nil {
		for _, h := range r.fol.queue {
			h.Close()
		}
		r.fol.queue = nil
	}
	if r.file == nil {
		return nil
	}
	err := r.file.Close()
	r.file = nil
	return err
}

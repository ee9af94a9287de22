package source

import (
	"context"
	"errors"
	"io"
	"time"
)

// ctxReader makes a read that may wait forever (standard input nobody
// writes to, a pipe, a character device such as /dev/zero whose line
// never ends) end when ctx is done: each Read runs on a goroutine, and
// once ctx is done Read returns ctx.Err() at once, leaving a blocked read
// behind (the process is ending). Regular files are not wrapped: their
// reads return.
type ctxReader struct {
	ctx     context.Context
	r       io.Reader
	pending chan readResult // a read started and not yet taken
	buf     []byte          // the pending read's buffer
	rest    []byte          // bytes read but not yet returned
	// wait, when set, ends a Read that waits past it with errWaitOver;
	// the read stays pending, and the next Read waits for it again.
	wait <-chan time.Time
}

// errWaitOver ends a read of a ctxReader whose wait is over (see
// Reader.IdentifyStreamWithin): not a failure of the stream, which goes
// on, so stickyReader does not keep it.
var errWaitOver = errors.New("no more input within the time given")

type readResult struct {
	n   int
	err error
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if len(c.rest) > 0 {
		n := copy(p, c.rest)
		c.rest = c.rest[n:]
		return n, nil
	}
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	if c.pending == nil {
		if cap(c.buf) < len(p) {
			c.buf = make([]byte, len(p))
		}
		buf := c.buf[:len(p)]
		ch := make(chan readResult, 1)
		c.pending = ch
		go func() {
			n, err := c.r.Read(buf)
			ch <- readResult{n, err}
		}()
	}
	select {
	case res := <-c.pending:
		c.pending = nil
		n := copy(p, c.buf[:res.n])
		c.rest = c.buf[n:res.n]
		if len(c.rest) > 0 {
			return n, nil
		}
		return n, res.err
	case <-c.ctx.Done():
		return 0, c.ctx.Err()
	case <-c.wait:
		return 0, errWaitOver
	}
}

// OpenContext is [Open] for a reading that must end when ctx is done,
// whatever the input: standard input and other non-regular files (pipes,
// /dev/zero) are read so that Next returns ctx's error as soon as ctx is
// done, even in the middle of a read or of a line that never ends. A
// regular file is opened as by Open.
func OpenContext(ctx context.Context, path string) (*Reader, error) {
	return open(path, func(r io.Reader) io.Reader { return &ctxReader{ctx: ctx, r: r} })
}

// NewReaderContext is [NewReader] for a reading that must end when ctx
// is done (see [OpenContext]).
func NewReaderContext(ctx context.Context, name string, r io.Reader) (*Reader, error) {
	c := &ctxReader{ctx: ctx, r: r}
	rd, err := NewReader(name, c)
	if err != nil {
		return nil, err
	}
	rd.waiter = c
	return rd, nil
}

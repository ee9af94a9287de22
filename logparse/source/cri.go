package source

import (
	"bytes"
	"errors"
	"io"
)

// Kubernetes writes a container's output as CRI log lines,
// "2026-03-07T15:05:12.49Z stdout F <line>", and splits a long line into
// parts tagged "P" (partial) up to the part tagged "F" that ends it. Like
// decompression, this is how the stream frames its lines: the Reader
// joins the parts, so that every reader of lines, and the parser, sees a
// whole line ("... stdout F <the whole line>"). A joined line's Offset is
// its first part's, its End its last part's, so resuming at a stored End
// never starts in the middle of one.

// criJoin is the Reader's joining state.
type criJoin struct {
	buf  []byte // the joined line: the first part's prefix, tagged F, and the parts' bodies
	held *Line  // a line read after partial parts that did not end them: returned next
	hold []byte // held's bytes
}

// criTag returns the position of the P/F tag of a CRI log line, or -1:
// a stamp starting with a digit, a space, "stdout " or "stderr ", the tag
// and a space.
func criTag(b []byte) int {
	if len(b) == 0 || b[0] < '0' || b[0] > '9' {
		return -1
	}
	sp := bytes.IndexByte(b[:min(len(b), 40)], ' ')
	if sp < 0 {
		return -1
	}
	rest := b[sp+1:]
	if !bytes.HasPrefix(rest, []byte("stdout ")) && !bytes.HasPrefix(rest, []byte("stderr ")) {
		return -1
	}
	tag := sp + 1 + len("stdout ")
	if len(b) < tag+2 || (b[tag] != 'P' && b[tag] != 'F') || b[tag+1] != ' ' {
		return -1
	}
	return tag
}

// sameStream reports whether two CRI lines, whose tags are at t, are of
// the same stream (stdout or stderr): Kubernetes writes both into one
// file, and a part of one never continues a line of the other.
func sameStream(a []byte, ta int, b []byte, tb int) bool {
	const n = len("stdout ")
	return bytes.Equal(a[ta-n:ta], b[tb-n:tb])
}

// next is nextRaw with a CRI log's partial lines joined.
func (r *Reader) next() (Line, error) {
	if h := r.cri.held; h != nil {
		r.cri.held = nil
		return *h, nil
	}
	first, err := r.nextRaw()
	if err != nil || first.Partial {
		return first, err
	}
	tag := criTag(first.Bytes)
	if tag < 0 || first.Bytes[tag] != 'P' {
		return first, nil
	}
	j := &r.cri
	j.buf = append(j.buf[:0], first.Bytes...)
	j.buf[tag] = 'F'
	joined := first
	for {
		l, err := r.nextRaw()
		switch {
		case errors.Is(err, io.EOF):
			// The part that ends the line is not written yet: a partial
			// line, read again from its first part.
			joined.Bytes, joined.End, joined.Partial = j.buf, r.offset, true
			return joined, nil
		case err != nil:
			return Line{}, err
		}
		t := criTag(l.Bytes)
		if l.Partial && t >= 0 && sameStream(l.Bytes, t, j.buf, tag) {
			// The next part is still being written: the line is partial,
			// read again from its first part once it has ended.
			joined.Bytes, joined.End, joined.Partial = j.buf, r.offset, true
			return joined, nil
		}
		if t < 0 || l.Partial || !sameStream(l.Bytes, t, j.buf, tag) {
			// Not a part of this line (another program's line, or the
			// other stream's): the joined line ends here, l comes next.
			j.hold = append(j.hold[:0], l.Bytes...)
			l.Bytes = j.hold
			j.held = &l
			joined.Bytes, joined.End = j.buf, l.Offset
			return joined, nil
		}
		body := l.Bytes[t+2:]
		if room := r.max - len(j.buf); room < len(body) {
			body = body[:max(room, 0)]
			joined.Truncated = true
		}
		j.buf = append(j.buf, body...)
		joined.Truncated = joined.Truncated || l.Truncated
		if l.Bytes[t] == 'F' {
			joined.Bytes, joined.End = j.buf, l.End
			return joined, nil
		}
	}
}

package aggregate

import (
	"bytes"
	"io"
	"os"
	"time"

	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// windowChunk is how much windowStart reads back at a time.
const windowChunk = 64 << 10

// windowStart finds where the last window of a plain log file begins: the
// offset of the line after the last one, before end, stamped earlier than
// window before the latest stamp before end. It reads the file backwards
// from end, a chunk at a time, so that its cost is that of the window and
// not of the file. A file it cannot read back (compressed, no stamps)
// gives end: nothing to replay.
func windowStart(path string, end int64, window time.Duration, res logparse.Resolver, f logparse.Format) (int64, error) {
	if end <= 0 || window <= 0 {
		return end, nil
	}
	file, err := os.Open(path)
	if err != nil {
		return end, err
	}
	defer file.Close()
	var (
		latest, cutoff time.Time
		last           logparse.Stamp // the stamp resolved last, and its instants: lines mostly share theirs
		first, second  time.Time
		carry          []byte // the start of a line cut by the chunk below it
		pos            = end  // file offset of the first byte of buf
	)
	for pos > 0 {
		n := min(int64(windowChunk), pos)
		pos -= n
		buf := make([]byte, n, int(n)+len(carry))
		if _, err := file.ReadAt(buf, pos); err != nil && err != io.EOF {
			return end, err
		}
		buf = append(buf, carry...)
		// Lines from the last to the first; the first may be cut unless
		// the chunk starts the file.
		lineEnd := len(buf)
		for {
			i := bytes.LastIndexByte(buf[:max(lineEnd-1, 0)], '\n')
			if i < 0 && pos > 0 {
				carry = append([]byte(nil), buf[:lineEnd]...)
				break
			}
			start, e := i+1, lineEnd
			line := bytes.TrimRight(buf[start:e], "\r\n")
			lineEnd = start
			if len(line) > 0 {
				if l := parse(&source.Line{Bytes: line}, f).line; l.Timed() {
					// Not a StampCache, which reads a log's lines in their
					// order: these come last first. In the hour that
					// happens twice a stamp may be either pass; the window
					// is taken at its widest.
					if l.Stamp != last || first.IsZero() {
						last = l.Stamp
						first, second = res.Times(l.Stamp)
					}
					if latest.IsZero() {
						latest, cutoff = first, first.Add(-window)
					} else if second.Before(cutoff) {
						return pos + int64(e), nil // the window starts after this line
					}
				}
			}
			if start == 0 {
				carry = nil
				break
			}
		}
	}
	if latest.IsZero() {
		return end, nil // no stamps: nothing to go by
	}
	return 0, nil // all of it is in the window
}

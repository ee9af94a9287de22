package report

import (
	"strings"
	"unsafe"
)

// textArena keeps copies of strings that live as long as the report: the
// queue IDs, recipients and smtpd clients a Builder numbers or counts,
// hundreds of thousands of them at 10M lines. Copied one by one, each was
// an object of its own (rounded up to its size class), scattered among
// the parser's short-lived strings in the collector's spans, which then
// could not be reused: a 10M-line report's heap held 38 MB of such gaps.
// Copied into shared blocks they cost their bytes, and the collector sees
// one object per block.
//
// A string handed out keeps its whole block alive; so only strings that
// stay until the report is made belong here (never one that a bounded
// table may drop, such as a volumeTable's).
type textArena struct {
	block []byte // the block being filled; its bytes up to len are handed out, never written again
}

// arenaBlock is the size of an arena's blocks.
const arenaBlock = 64 << 10

// clone is a copy of s in the arena.
func (a *textArena) clone(s string) string {
	if len(s) == 0 {
		return ""
	}
	if len(s) > arenaBlock/16 {
		return strings.Clone(s) // a long text gets its own object: a block's end is not wasted on it
	}
	if cap(a.block)-len(a.block) < len(s) {
		a.block = make([]byte, 0, arenaBlock)
	}
	n := len(a.block)
	a.block = append(a.block, s...)
	// The bytes from n on are never written again (the block only grows
	// into its unused room, and a full one is replaced): a string may
	// point at them, as strings.Builder's String does at its buffer.
	return unsafe.String(&a.block[n], len(s))
}

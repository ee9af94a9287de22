package report

import "cmp"

// textArena keeps copies of strings that live as long as the report: the
// queue IDs, recipients and smtpd clients a Builder numbers, hundreds of
// thousands of them at 10M lines. Copied one by one, each was an object
// of its own (rounded up to its size class), scattered among the parser's
// short-lived strings in the collector's spans, which then could not be
// reused (a 10M-line report's heap held 38 MB of such gaps), and each
// string's header was a pointer for the collector to follow. Copied into
// shared blocks they cost their bytes, a textRef names each, and the
// collector sees one object per block.
type textArena struct {
	blocks    [][]byte // bytes handed out are never written again
	fill      int      // the index+1 of the shared block being filled (0: none)
	maxBlocks int      // how many blocks it may have (0: arenaMaxBlocks; tests make it small)
}

// textRef is where an arena keeps a string: its block (the top 24 bits),
// its offset in the block (16 bits) and its length (24 bits).
type textRef uint64

const (
	// arenaBlock is the size of an arena's shared blocks; a string longer
	// than arenaOwnBlock gets a block of its own, so that no shared
	// block's end is wasted on it.
	arenaBlock    = 64 << 10
	arenaOwnBlock = arenaBlock / 16
	// arenaMaxLen is the longest string an arena keeps (textRef's 24
	// bits of length).
	arenaMaxLen = 1<<24 - 1
	// arenaMaxBlocks is how many blocks a textRef can name (24 bits).
	arenaMaxBlocks = 1 << 24
)

// add copies s into the arena; ok is false (and nothing is kept) when s
// is longer than arenaMaxLen, or the arena has all the blocks a ref can
// name.
func (a *textArena) add(s string) (r textRef, ok bool) {
	switch {
	case s == "":
		return 0, true // the empty text needs no block: bytes reads a length of 0 as empty
	case len(s) > arenaMaxLen, len(a.blocks) >= cmp.Or(a.maxBlocks, arenaMaxBlocks)-1:
		return 0, false // a ref could not name it (over 1 TB of text before)
	}
	if len(s) > arenaOwnBlock {
		a.blocks = append(a.blocks, []byte(s))
		return ref(len(a.blocks)-1, 0, len(s)), true
	}
	if a.fill == 0 || cap(a.blocks[a.fill-1])-len(a.blocks[a.fill-1]) < len(s) {
		a.blocks = append(a.blocks, make([]byte, 0, arenaBlock))
		a.fill = len(a.blocks)
	}
	b := a.blocks[a.fill-1]
	off := len(b)
	a.blocks[a.fill-1] = append(b, s...)
	return ref(a.fill-1, off, len(s)), true
}

func ref(block, off, n int) textRef {
	return textRef(uint64(block)<<40 | uint64(off)<<24 | uint64(n))
}

// bytes are r's text in its block.
func (a *textArena) bytes(r textRef) []byte {
	b, off, n := r>>40, int(r>>24&0xffff), int(r&arenaMaxLen)
	if n == 0 {
		return nil
	}
	return a.blocks[b][off : off+n : off+n]
}

// equal reports whether r's text is s.
func (a *textArena) equal(r textRef, s string) bool { return string(a.bytes(r)) == s }

package report

import (
	"hash/maphash"
	"slices"
)

// distinct counts distinct strings by their 64-bit hashes instead of
// keeping the strings: a day of a busy server has hundreds of thousands of
// senders and recipients, and the strings were half of a report's memory.
// Two strings share a hash with a chance of about n²/2⁶⁵ (below one in a
// hundred million for a million strings), which would count them once.
//
// The hashes are kept in a sorted slice, 8 bytes (and the slice's growth)
// each: a map of them cost about 40 bytes a hash, a sixth of a 10M-line
// report's live heap. New hashes gather in a small unsorted run that is
// sorted and merged in when full.
type distinct struct {
	seed   maphash.Seed
	sorted []uint64 // distinct hashes, ascending
	recent []uint64 // hashes added since the last merge, unsorted, perhaps repeated
}

// distinctRun is how many hashes gather before a merge (512 KiB of them):
// merging costs a pass over sorted, so a larger run makes fewer passes.
const distinctRun = 1 << 16

func newDistinct() distinct {
	return distinct{seed: maphash.MakeSeed()}
}

// add counts s.
func (d *distinct) add(s string) {
	d.recent = append(d.recent, maphash.String(d.seed, s))
	if len(d.recent) == distinctRun {
		d.merge()
	}
}

// merge moves the recent hashes into sorted, each once.
func (d *distinct) merge() {
	if len(d.recent) == 0 {
		return
	}
	slices.Sort(d.recent)
	add := slices.Compact(d.recent)
	n := len(d.sorted)
	d.sorted = slices.Grow(d.sorted, len(add))[:n+len(add)]
	// Merged from the back, into the room slices.Grow made at the end, a
	// hash already there kept once; the merged hashes end at the end and
	// are moved to the front.
	i, j, k := n-1, len(add)-1, len(d.sorted)
	for j >= 0 {
		v := add[j]
		if i >= 0 && d.sorted[i] >= v {
			v = d.sorted[i]
			i--
			if v == add[j] {
				j--
			}
		} else {
			j--
		}
		k--
		d.sorted[k] = v
	}
	if k > i+1 { // the hashes below i are in place; close the gap after them
		d.sorted = append(d.sorted[:i+1], d.sorted[k:]...)
	}
	d.recent = d.recent[:0]
}

// len is the number of distinct strings added.
func (d *distinct) len() int64 {
	d.merge()
	return int64(len(d.sorted))
}

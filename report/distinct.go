package report

import "hash/maphash"

// distinct counts distinct strings by their 64-bit hashes instead of
// keeping the strings: a day of a busy server has hundreds of thousands of
// senders and recipients, and the strings were half of a report's memory.
// Two strings share a hash with a chance of about n²/2⁶⁵ (below one in a
// hundred million for a million strings), which would count them once.
type distinct struct {
	seed maphash.Seed
	seen map[uint64]struct{}
}

func newDistinct() distinct {
	return distinct{seed: maphash.MakeSeed(), seen: map[uint64]struct{}{}}
}

// add counts s.
func (d *distinct) add(s string) { d.seen[maphash.String(d.seed, s)] = struct{}{} }

// len is the number of distinct strings added.
func (d *distinct) len() int64 { return int64(len(d.seen)) }

package aggregate

import (
	"cmp"
	"hash/maphash"
	"slices"
	"strings"
	"time"
)

// Open messages the correlator has no room for.
//
// A queue that never empties (mail to a dead domain retried for days, a
// flood of messages whose "removed" line never comes) kept every queue ID
// in memory: 2M open queue IDs took 3.95 GB. The correlator keeps at most
// Options.MaxOpenMessages of them in memory; past that, at a drain, the
// ones idle longest (by LastSeen) go to a [Spill] and leave memory. A
// later line of a spilled queue ID takes its message back (Spill.Take),
// so correlation is exactly what it is without spilling; a compact index
// of the spilled keys' hashes spares the lookup for the queue IDs never
// seen before (most of them), and a false positive only costs a lookup
// that finds nothing. Spilled messages age out as the others do
// (MessageMaxAge, counted in Stats.PrunedMessages).
//
// A pump with a store spills into the store's open_messages table
// (storeSpill, spill_store.go). Without a store (report --db :memory:,
// pftls parse, tail --no-db) nothing is spilled: there is no disk to
// spill to, and every open message stays in memory, as it always did
// (a log with millions of queue IDs never removed is best read with a
// database file). [NewMemorySpill] spills into a map, for tests.

// Spill keeps open messages out of the correlator's memory. Its methods
// are called on the correlator's goroutine only.
type Spill interface {
	// Put takes a message out of memory: Take and TakeIdle find it from
	// now on. The spill owns m from now on. unchanged says that m is as
	// the state snapshot number rowAt stored it (see State; 0: before
	// this correlator): a store then needs to note only that it is
	// spilled, and has m's row once that snapshot's commit is done.
	Put(m *Message, unchanged bool, rowAt uint64)
	// Take returns the spilled message of host's queue ID qid and removes
	// it from the spill: it is in memory again.
	Take(host, qid string) (Message, bool, error)
	// TakeIdle takes every spilled message last seen before before, calls
	// fn with each, and returns the oldest LastSeen of those left (zero
	// when none is left).
	TakeIdle(before time.Time, fn func(Message)) (time.Time, error)
	// Keys calls fn with the key and LastSeen of every spilled message (a
	// restored correlator learns what was spilled before it started).
	Keys(fn func(host, qid string, lastSeen time.Time)) error
}

// DefaultMaxOpenMessages is how many open messages a correlator with a
// spill keeps in memory (about 10 MB of them, with the maps that track
// them): more than most queues hold. ingest and tail run under an 80 MiB
// heap limit (cmd/pftls), which also holds two commits under way and
// the messages spilled until their commit is done.
const DefaultMaxOpenMessages = 25_000

// memorySpill is a Spill in a map.
type memorySpill map[hostQID]*Message

// NewMemorySpill returns a Spill that keeps the messages in a map: it
// saves no memory, but takes the same path as a store's (tests).
func NewMemorySpill() Spill { return memorySpill{} }

func (s memorySpill) Put(m *Message, _ bool, _ uint64) { s[hostQID{m.Host, m.QueueID}] = m }

func (s memorySpill) Take(host, qid string) (Message, bool, error) {
	k := hostQID{host, qid}
	m, ok := s[k]
	if !ok {
		return Message{}, false, nil
	}
	delete(s, k)
	return *m, true, nil
}

func (s memorySpill) TakeIdle(before time.Time, fn func(Message)) (time.Time, error) {
	var oldest time.Time
	for k, m := range s {
		if m.LastSeen.Before(before) {
			delete(s, k)
			fn(*m)
		} else if oldest.IsZero() || m.LastSeen.Before(oldest) {
			oldest = m.LastSeen
		}
	}
	return oldest, nil
}

func (s memorySpill) Keys(fn func(host, qid string, lastSeen time.Time)) error {
	for k, m := range s {
		fn(k.host, k.qid, m.LastSeen)
	}
	return nil
}

// spillIndex is the set of spilled keys, by a 32-bit hash of each: a
// sorted slice (4 bytes a key; a map took six times that) that spills
// merge into, and the hashes taken back since the last merge, which the
// next merge removes. It is a multiset: two keys may share a hash. With
// 2M keys spilled, one new queue ID in 2,000 is a false positive, which
// costs a lookup that finds nothing.
type spillIndex struct {
	seed   maphash.Seed
	sorted []uint32
	gone   map[uint32]int
}

func newSpillIndex() spillIndex {
	return spillIndex{seed: maphash.MakeSeed(), gone: map[uint32]int{}}
}

func (x *spillIndex) hash(k hostQID) uint32 {
	var h maphash.Hash
	h.SetSeed(x.seed)
	h.WriteString(k.host)
	h.WriteByte(0)
	h.WriteString(k.qid)
	return uint32(h.Sum64())
}

// has reports whether a key with hash h may be spilled.
func (x *spillIndex) has(h uint32) bool {
	i, found := slices.BinarySearch(x.sorted, h)
	if !found {
		return false
	}
	n := 0
	for ; i < len(x.sorted) && x.sorted[i] == h; i++ {
		n++
	}
	return n > x.gone[h]
}

// remove takes one key with hash h out of the set.
func (x *spillIndex) remove(h uint32) { x.gone[h]++ }

// add merges hashes into the set (and drops those removed since the last
// merge); hashes is sorted in place.
func (x *spillIndex) add(hashes []uint32) {
	slices.Sort(hashes)
	n, m := len(x.sorted), len(hashes)
	x.sorted = slices.Grow(x.sorted, m)[:n+m]
	// Merge from the back, in place.
	i, j := n-1, m-1
	for k := n + m - 1; j >= 0; k-- {
		if i >= 0 && x.sorted[i] > hashes[j] {
			x.sorted[k] = x.sorted[i]
			i--
		} else {
			x.sorted[k] = hashes[j]
			j--
		}
	}
	if len(x.gone) == 0 {
		return
	}
	out := x.sorted[:0]
	for _, h := range x.sorted {
		if x.gone[h] > 0 {
			x.gone[h]--
			continue
		}
		out = append(out, h)
	}
	x.sorted = out
	clear(x.gone)
}

// SetSpill gives the correlator a place for the open messages it has no
// room for (see Spill); the keys already there are learnt. Without one,
// every open message stays in memory.
func (c *Correlator) SetSpill(s Spill) error {
	c.spill = s
	c.index = newSpillIndex()
	c.nSpilled, c.oldestSpilled = 0, time.Time{}
	var hashes []uint32
	err := s.Keys(func(host, qid string, lastSeen time.Time) {
		hashes = append(hashes, c.index.hash(hostQID{host, qid}))
		if c.oldestSpilled.IsZero() || lastSeen.Before(c.oldestSpilled) {
			c.oldestSpilled = lastSeen
		}
	})
	if err != nil {
		return err
	}
	c.index.add(hashes)
	c.nSpilled = len(hashes)
	return nil
}

// changedOpen is how many open messages changed since the last state
// snapshot (with TrackChanges: rows the next commit writes).
func (c *Correlator) changedOpen() int { return len(c.changed) }

// Err is the first error of the spill: the facts drained since may be
// wrong (a spilled message not found again), and must not be stored.
func (c *Correlator) Err() error { return c.spillErr }

// lookup returns the open message k, from memory or taken back from the
// spill; nil when it is not open.
func (c *Correlator) lookup(k hostQID) *Message {
	if m := c.messages[k]; m != nil {
		return m
	}
	if c.nSpilled == 0 {
		return nil
	}
	h := c.index.hash(k)
	if !c.index.has(h) {
		return nil
	}
	m, ok, err := c.spill.Take(k.host, k.qid)
	if err != nil {
		c.spillErr = cmp.Or(c.spillErr, err)
		return nil
	}
	if !ok {
		return nil // another key with the same hash
	}
	c.unspilled(k, h)
	mp := &m
	c.messages[k] = mp
	return mp
}

// unspilled notes that spilled message k (hash h) left the spill: its
// row is rewritten or deleted by the next commit.
func (c *Correlator) unspilled(k hostQID, h uint32) {
	c.index.remove(h)
	c.nSpilled--
	if c.opts.TrackChanges {
		c.stored[k] = 0
		c.changed[k] = struct{}{}
	}
}

// spillIdle moves the open messages idle longest out of memory when there
// are more than MaxOpenMessages, down to three quarters of that (so that
// each spill moves many). A message not yet written to the messages table
// is put in the batch: it is written now, not at the end of the input.
func (c *Correlator) spillIdle() {
	if c.spill == nil || len(c.messages) <= c.opts.MaxOpenMessages {
		return
	}
	idle := leastRecent(c.messages, func(m *Message) time.Time { return m.LastSeen }, c.opts.MaxOpenMessages*3/4,
		func(a, b hostQID) int { return cmp.Or(strings.Compare(a.host, b.host), strings.Compare(a.qid, b.qid)) })
	n := len(idle)
	if first := c.messages[idle[0]].LastSeen; c.nSpilled == 0 || first.Before(c.oldestSpilled) {
		c.oldestSpilled = first // idle is oldest first
	}
	hashes := make([]uint32, 0, n)
	for _, k := range idle {
		m := c.messages[k]
		if c.dirty[k] {
			c.out.Messages = append(c.out.Messages, *m)
			delete(c.dirty, k)
		}
		rowAt, stored := c.stored[k]
		_, changed := c.changed[k]
		c.spill.Put(m, c.opts.TrackChanges && stored && !changed, rowAt)
		hashes = append(hashes, c.index.hash(k))
		// The spill writes its row: the correlator has none to keep.
		delete(c.messages, k)
		delete(c.changed, k)
		delete(c.stored, k)
	}
	c.index.add(hashes)
	c.nSpilled += n
	c.stats.SpilledMessages += int64(n)
}

// pruneSpilled closes the spilled messages idle longer than MessageMaxAge,
// as prune does the ones in memory.
func (c *Correlator) pruneSpilled(now time.Time) {
	if c.nSpilled == 0 || now.Sub(c.oldestSpilled) <= c.opts.MessageMaxAge {
		return
	}
	oldest, err := c.spill.TakeIdle(now.Add(-c.opts.MessageMaxAge), func(m Message) {
		k := hostQID{m.Host, m.QueueID}
		c.unspilled(k, c.index.hash(k))
		c.emitMessage(k, &m)
		c.stats.PrunedMessages++
	})
	if err != nil {
		c.spillErr = cmp.Or(c.spillErr, err)
		return
	}
	c.oldestSpilled = oldest
}

package report

import (
	"cmp"
	"hash/maphash"
	"strings"
)

// This file numbers the hosts, queue IDs and recipients of the messages a
// report must count once (deferred, expired, deleted, held up by a TLS
// failure), so that the sets that count them hold small numbers, not
// strings: keyed by strings, they were a third of a 10M-line report's
// live heap, every string copied once per set and every key scanned by
// the collector. Numbered keys have no pointers; each text is kept once.

// names numbers strings: each distinct string gets the next number, its
// text copied once into an arena (facts' strings are slices of whole log
// lines). It holds no pointer per name: the numbers are found through an
// open-addressing table of numbers, by the text's hash, and each number's
// text through its textRef. A map from string to number cost about twice
// the memory per name (the string's header, the map's slack), and was the
// collector's largest pointer-filled object of a 10M-line report.
type names struct {
	arena textArena
	refs  []textRef // by number
	table []uint32  // number+1 of a name whose hash starts the probe there, 0: empty; a power of two long
	seed  maphash.Seed
	// long numbers the names the arena could not keep: too long (never
	// in a log pftls reads whole: lines are cut far shorter), or past the
	// terabyte of text its refs can name.
	long map[string]uint32
}

// longName is the ref of a name in names.long (no arena's ref is all ones:
// its offset and length would pass the block's end).
const longName = ^textRef(0)

// namesMinTable is the size of a names' first table.
const namesMinTable = 1 << 10

// id is s's number, given now when s is new.
func (n *names) id(s string) uint32 {
	slot, id, ok := n.lookup(s)
	if ok {
		return id
	}
	id = uint32(len(n.refs))
	r, fits := n.arena.add(s)
	if !fits {
		if n.long == nil {
			n.long = map[string]uint32{}
		}
		n.long[strings.Clone(s)] = id
		n.refs = append(n.refs, longName)
		return id
	}
	n.refs = append(n.refs, r)
	n.table[slot] = id + 1
	if len(n.refs) > len(n.table)/2 {
		n.grow()
	}
	return id
}

// find is s's number, if it has one.
func (n *names) find(s string) (uint32, bool) {
	_, id, ok := n.lookup(s)
	return id, ok
}

// lookup finds s: its number, or the empty slot where it would go (the
// table is made when there is none).
func (n *names) lookup(s string) (slot int, id uint32, ok bool) {
	if id, ok := n.long[s]; ok {
		return -1, id, true
	}
	if len(s) > arenaMaxLen {
		return -1, 0, false // the arena cannot keep it: long will
	}
	if n.table == nil {
		n.seed = maphash.MakeSeed()
		n.table = make([]uint32, namesMinTable)
	}
	mask := len(n.table) - 1
	for i := int(maphash.String(n.seed, s)) & mask; ; i = (i + 1) & mask {
		e := n.table[i]
		if e == 0 {
			return i, 0, false
		}
		if n.arena.equal(n.refs[e-1], s) {
			return i, e - 1, true
		}
	}
}

// grow doubles the table, keeping it at most half full.
func (n *names) grow() {
	old := n.table
	n.table = make([]uint32, 2*len(old))
	mask := len(n.table) - 1
	for _, e := range old {
		if e == 0 {
			continue
		}
		i := int(maphash.Bytes(n.seed, n.arena.bytes(n.refs[e-1]))) & mask
		for n.table[i] != 0 {
			i = (i + 1) & mask
		}
		n.table[i] = e
	}
}

// text is the text of name number id (a copy only for a name in long).
// The bytes are the arena's: not to be written.
func (n *names) text(id uint32) []byte {
	if r := n.refs[id]; r != longName {
		return n.arena.bytes(r)
	}
	for s, i := range n.long {
		if i == id {
			return []byte(s)
		}
	}
	return nil
}

// queueKey is a queue ID on a host: Postfix reuses queue IDs, so it names
// a message only with the time the message started (msgID).
type queueKey struct{ host, qid uint32 }

// msgID is one message: a queue ID on a host and its start (UnixNano).
type msgID struct {
	queueKey
	start int64
}

// compareQueue orders queue keys by their numbers.
func compareQueue(x, y queueKey) int {
	return cmp.Or(cmp.Compare(x.host, y.host), cmp.Compare(x.qid, y.qid))
}

// compareMsg orders messages: by queue key, then start.
func compareMsg(x, y msgID) int {
	return cmp.Or(compareQueue(x.queueKey, y.queueKey), cmp.Compare(x.start, y.start))
}

// envID is an envelope recipient as a report counts it: one address in
// two messages is two recipients (a queue ID reused keeps its recipients).
type envID struct {
	queueKey
	rcpt uint32
}

// rcptID is a recipient of one message.
type rcptID struct {
	msgID
	rcpt uint32
}

// envelopeIDs number the parts of envelopes.
type envelopeIDs struct{ hosts, qids, rcpts names }

// queue numbers host and qid.
func (e *envelopeIDs) queue(host, qid string) queueKey {
	return queueKey{e.hosts.id(host), e.qids.id(qid)}
}

// msg numbers a message.
func (e *envelopeIDs) msg(host, qid string, start int64) msgID {
	return msgID{e.queue(host, qid), start}
}

// envelope numbers an envelope recipient; rcpt is lower-cased already.
func (e *envelopeIDs) envelope(host, qid, rcpt string) envID {
	return envID{e.queue(host, qid), e.rcpts.id(rcpt)}
}

// findRecipient is the number of a message's recipient numbered before,
// if it was: a recipient never numbered was never deferred.
func (e *envelopeIDs) findRecipient(host, qid string, start int64, rcpt string) (rcptID, bool) {
	q, ok := e.qids.find(qid)
	if !ok {
		return rcptID{}, false
	}
	h, ok := e.hosts.find(host)
	if !ok {
		return rcptID{}, false
	}
	r, ok := e.rcpts.find(rcpt)
	if !ok {
		return rcptID{}, false
	}
	return rcptID{msgID{queueKey{h, q}, start}, r}, true
}

// set is a set of numbered keys: a map with no values, a third smaller
// than a map to bool for keys of 16 bytes.
type set[K comparable] map[K]struct{}

func (s set[K]) add(k K)      { s[k] = struct{}{} }
func (s set[K]) has(k K) bool { _, ok := s[k]; return ok }

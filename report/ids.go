package report

// This file numbers the hosts, queue IDs and recipients of the messages a
// report must count once (deferred, expired, deleted, held up by a TLS
// failure), so that the sets that count them hold small numbers, not
// strings: keyed by strings, they were a third of a 10M-line report's
// live heap, every string copied once per set and every key scanned by
// the collector. Numbered keys have no pointers; each text is kept once.

// names numbers strings: each distinct string gets the next number, its
// text copied once into an arena (facts' strings are slices of whole log
// lines).
type names struct {
	ids  map[string]uint32
	text textArena
}

// id is s's number, given now when s is new.
func (n *names) id(s string) uint32 {
	if id, ok := n.ids[s]; ok {
		return id
	}
	if n.ids == nil {
		n.ids = map[string]uint32{}
	}
	id := uint32(len(n.ids))
	n.ids[n.text.clone(s)] = id
	return id
}

// find is s's number, if it has one.
func (n *names) find(s string) (uint32, bool) {
	id, ok := n.ids[s]
	return id, ok
}

// queueKey is a queue ID on a host: Postfix reuses queue IDs, so it names
// a message only with the time the message started (msgID).
type queueKey struct{ host, qid uint32 }

// msgID is one message: a queue ID on a host and its start (UnixNano).
type msgID struct {
	queueKey
	start int64
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

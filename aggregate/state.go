package aggregate

import (
	"bytes"
	"cmp"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// gobState marks the state's current encoding, gob. States stored before
// it are JSON (they begin with '{') and are still read.
var gobState = []byte("pftls-state-gob1\n")

// State is the correlator's open state in a form that can be stored, so
// that ingest can stop at any commit and continue later as if it had not.
//
// A pump with a store (ingest, tail) stores it by changes (TrackChanges):
// the open messages as rows of the store's open_messages and the MX hosts
// as rows of mx_hosts, of which a commit writes only those that changed
// since the one before (and deletes those gone), and the rest (smtp
// processes, smtpd sessions: few, short-lived) encoded. So a commit costs
// what changed, not what is open: ingest stored the state whole with
// every commit, and 2M queued messages made that 818 s and 3.95 GB; tail
// commits after every burst of lines (every 250 ms at most). Whole (an
// earlier pftls's ingest, MarshalState): everything encoded together,
// open messages and MX hosts included; restoring reads it, and the next
// commit stores it by changes.
type State struct {
	Messages  []Message         `json:"messages"`
	Procs     []procState       `json:"procs"`
	Sessions  []sessionState    `json:"sessions"`
	MXDomain  map[string]string `json:"mx_domain"`
	LastPrune time.Time         `json:"last_prune"`
	Latest    time.Time         `json:"latest"`
	// LastHost is the host of the last line with one: a malformed line
	// (no stamp, no host) is counted there, also as a run's first line.
	LastHost string `json:"last_host"`
	// Unwritten lists the Messages (by index) changed since they were last
	// written: bulk ingest keeps open messages in the state only (see
	// DrainEnded). Only gob states have it; in a JSON state (an earlier
	// version's) every message counts as unwritten.
	Unwritten []int `json:"-"`

	sizeHint *atomic.Int64 // the correlator's guess at the encoded size, updated by encode

	// Stored by changes: the open messages to write (changed since the
	// last snapshot, or spilled) and to delete (no longer open), and the
	// MX hosts to write and to delete.
	byChanges bool
	changed   []openMessage
	closed    []hostQID
	mxRows    []mxRow
	mxGone    []string
	spilled   []hostQID // open messages whose row is current, now spilled
	gen       uint64    // the snapshot's number (stored by changes), from 1
}

// openMessage is an open message as the store keeps it between runs.
type openMessage struct {
	Message
	Unwritten bool // changed since it was last drained into the messages table
	Spilled   bool // out of the correlator's memory (spill.go): not restored, found when needed
}

// mxEntry is what the correlator knows of an MX host: the recipient
// domain last delivered through it, and when (log time).
type mxEntry struct {
	Domain string
	Used   time.Time
}

// mxRow is an MX host as the store keeps it: Key is host + " " + MX host.
type mxRow struct {
	Key string
	mxEntry
}

type procState struct {
	Host    string `json:"host"`
	Program string `json:"program"`
	PID     int    `json:"pid"`
	Proc    *proc  `json:"proc"`
}

type sessionState struct {
	Host    string   `json:"host"`
	Program string   `json:"program"`
	PID     int      `json:"pid"`
	Session *Session `json:"session"`
}

// snapshot is the open state as a State to store: a copy, which can be
// encoded on another goroutine while the correlator goes on (strings are
// shared, as they never change). byChanges (only with TrackChanges) makes
// it hold the open messages changed since the last such snapshot,
// otherwise it holds all of them.
func (c *Correlator) snapshot(byChanges bool) State {
	st := State{LastPrune: c.lastPrune, Latest: c.latest, LastHost: c.lastHost,
		Procs: make([]procState, 0, len(c.procs)), Sessions: make([]sessionState, 0, len(c.sessions)),
		sizeHint: &c.stateSize, byChanges: byChanges && c.opts.TrackChanges}
	if st.byChanges {
		c.snapshots++
		st.gen = c.snapshots
		st.changed = make([]openMessage, 0, len(c.changed))
		for k := range c.changed {
			if m := c.messages[k]; m != nil {
				st.changed = append(st.changed, openMessage{*m, c.dirty[k], false})
				c.stored[k] = c.snapshots
			} else if _, ok := c.stored[k]; ok {
				// Most messages start and end between two commits: only
				// those that were open at one have a row to delete.
				st.closed = append(st.closed, k)
				delete(c.stored, k)
			}
		}
		clear(c.changed)
		for k := range c.mxChanged {
			if e, ok := c.mxDomain[k]; ok {
				st.mxRows = append(st.mxRows, mxRow{k, e})
			} else {
				st.mxGone = append(st.mxGone, k)
			}
		}
		clear(c.mxChanged)
	} else {
		st.MXDomain = make(map[string]string, len(c.mxDomain))
		for k, e := range c.mxDomain {
			st.MXDomain[k] = e.Domain
		}
		st.Messages = make([]Message, 0, len(c.messages))
		for k, m := range c.messages {
			if c.dirty[k] {
				st.Unwritten = append(st.Unwritten, len(st.Messages))
			}
			st.Messages = append(st.Messages, *m)
		}
	}
	for k, p := range c.procs {
		st.Procs = append(st.Procs, procState{k.host, k.program, k.pid, p.clone()})
	}
	for k, s := range c.sessions {
		cp := *s
		st.Sessions = append(st.Sessions, sessionState{k.host, k.program, k.pid, &cp})
	}
	return st
}

// clone is a copy of p that shares nothing it may change.
func (p *proc) clone() *proc {
	cp := *p
	cp.Cur = p.Cur.clone()
	if p.Policy != nil {
		n := *p.Policy
		n.Lines = slices.Clone(p.Policy.Lines)
		cp.Policy = &n
	}
	if p.Pending != nil {
		cp.Pending = make([]*tlsSession, len(p.Pending))
		for i, s := range p.Pending {
			cp.Pending[i] = s.clone()
		}
	}
	return &cp
}

func (s *tlsSession) clone() *tlsSession {
	if s == nil {
		return nil
	}
	cp := *s
	cp.Names = slices.Clone(s.Names)
	cp.Lines = slices.Clone(s.Lines)
	return &cp
}

// MarshalState encodes the correlator's open state whole (the messages in
// its spill left out). Call it right after Drain, so that the state and
// the drained facts describe the same moment.
func (c *Correlator) MarshalState() ([]byte, error) {
	st := c.snapshot(false)
	return st.encode()
}

// encode is the stored form of a snapshot.
func (st *State) encode() ([]byte, error) {
	// gob, not JSON: the state is written with every commit (with a busy
	// queue, when it was stored whole, encoding it as JSON took a seventh
	// of ingest's CPU).
	var buf bytes.Buffer
	if st.sizeHint != nil {
		buf.Grow(int(st.sizeHint.Load()))
	}
	buf.Write(gobState)
	if err := gob.NewEncoder(&buf).Encode(st); err != nil {
		return nil, fmt.Errorf("encode correlator state: %w", err)
	}
	if st.sizeHint != nil {
		st.sizeHint.Store(int64(buf.Len() + buf.Len()/8))
	}
	return buf.Bytes(), nil
}

// restoreOpen adds the open messages the store keeps as rows (stored by
// changes, not spilled) and the MX hosts, after UnmarshalState.
func (c *Correlator) restoreOpen(rows []openMessage, mx []mxRow) {
	for _, r := range mx {
		c.mxDomain[r.Key] = r.mxEntry
	}
	for i := range rows {
		m := rows[i].Message
		k := hostQID{m.Host, m.QueueID}
		if c.opts.TrackChanges {
			c.stored[k] = 0 // its row goes when the message ends
		}
		if _, ok := c.messages[k]; ok {
			continue // also in the encoded state (no commit leaves both): that one wins
		}
		c.messages[k] = &m
		if rows[i].Unwritten {
			c.dirty[k] = true
		}
	}
}

// UnmarshalState replaces the correlator's open state with a stored one.
func (c *Correlator) UnmarshalState(b []byte) error {
	var st State
	rest, isGob := bytes.CutPrefix(b, gobState)
	if isGob {
		if err := gob.NewDecoder(bytes.NewReader(rest)).Decode(&st); err != nil {
			return fmt.Errorf("decode correlator state: %w", err)
		}
	} else if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("decode correlator state: %w", err)
	}
	clear(c.messages)
	clear(c.procs)
	clear(c.sessions)
	clear(c.dirty)
	clear(c.changed)
	clear(c.stored)
	for i := range st.Messages {
		m := st.Messages[i]
		k := hostQID{m.Host, m.QueueID}
		c.messages[k] = &m
		c.markChanged(k) // no row of the store's yet: the next commit writes one
		if !isGob {
			c.dirty[k] = true // written or not: one idempotent upsert more
		}
	}
	for _, i := range st.Unwritten {
		if i < 0 || i >= len(st.Messages) {
			return fmt.Errorf("decode correlator state: unwritten message %d of %d", i, len(st.Messages))
		}
		m := &st.Messages[i]
		c.dirty[hostQID{m.Host, m.QueueID}] = true
	}
	for _, p := range st.Procs {
		c.procs[procKey{p.Host, p.Program, p.PID}] = cmp.Or(p.Proc, &proc{}) // gob leaves out empty values
	}
	for _, s := range st.Sessions {
		c.sessions[procKey{s.Host, s.Program, s.PID}] = cmp.Or(s.Session, &Session{})
	}
	clear(c.mxDomain)
	clear(c.mxChanged)
	for k, d := range st.MXDomain { // stored whole: the next commit stores them as rows
		c.mxDomain[k] = mxEntry{Domain: d, Used: st.Latest}
		c.markMX(k)
	}
	c.lastPrune, c.latest, c.lastHost = st.LastPrune, st.Latest, st.LastHost
	return nil
}

// maxMXHosts bounds the MX-host map (host + MX host -> the domain last
// delivered through it). It names the domain of a TLS failure without a
// delivery line; a busy relay talks to a few thousand MX hosts, but with a
// million of them (each a row of mx_hosts now, written when it changes)
// the map would hold them all.
const maxMXHosts = 100_000

// mxTouchEvery is how much later (log time) a delivery through an MX host
// must come to count as a new use of it: the stored row's time is written
// again at most that often, not with every delivery.
const mxTouchEvery = time.Hour

// usedMX notes a delivery to domain through MX host key at t.
func (c *Correlator) usedMX(key, domain string, t time.Time) {
	e, ok := c.mxDomain[key]
	if ok && e.Domain == domain && t.Sub(e.Used) < mxTouchEvery {
		return
	}
	if !ok || e.Domain != domain {
		e.Domain = strings.Clone(domain) // outlives the line
	}
	if t.After(e.Used) {
		e.Used = t
	}
	c.mxDomain[key] = e
	c.markMX(key)
}

// markMX notes, with TrackChanges, that MX host key's row must be written
// again (or deleted).
func (c *Correlator) markMX(key string) {
	if c.opts.TrackChanges {
		c.mxChanged[key] = struct{}{}
	}
}

// pruneMXHosts cuts the MX-host map back to three quarters of maxMXHosts
// when it grows past it, dropping the hosts used least recently: an MX
// host seen again is learnt again from its next delivery line.
func (c *Correlator) pruneMXHosts() {
	if len(c.mxDomain) <= maxMXHosts {
		return
	}
	for _, k := range leastRecent(c.mxDomain, func(e mxEntry) time.Time { return e.Used }, maxMXHosts*3/4, strings.Compare) {
		delete(c.mxDomain, k)
		c.markMX(k)
	}
}

// leastRecent returns the keys of m but the keep most recent by at,
// oldest first, ties in key order: what a map cut back to keep entries
// gives up (idle messages to the spill, MX hosts to be learnt again).
func leastRecent[K comparable, V any](m map[K]V, at func(V) time.Time, keep int, compareKeys func(a, b K) int) []K {
	if len(m) <= keep {
		return nil
	}
	type use struct {
		at  int64
		key K
	}
	all := make([]use, 0, len(m))
	for k, v := range m {
		all = append(all, use{at(v).UnixNano(), k})
	}
	slices.SortFunc(all, func(a, b use) int { return cmp.Or(cmp.Compare(a.at, b.at), compareKeys(a.key, b.key)) })
	keys := make([]K, len(all)-keep)
	for i := range keys {
		keys[i] = all[i].key
	}
	return keys
}

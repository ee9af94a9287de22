package aggregate

import (
	"bytes"
	"cmp"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync/atomic"
	"time"
)

// gobState marks the state's current encoding, gob. States stored before
// it are JSON (they begin with '{') and are still read.
var gobState = []byte("pftls-state-gob1\n")

// State is the correlator's open state in a form that can be stored, so
// that ingest can stop at any commit and continue later as if it had not.
//
// It is stored in one of two ways. Whole (ingest): everything encoded
// together, open messages included. By changes (tail, with TrackChanges):
// the open messages as rows of the store's open_messages, of which a
// commit writes only those that changed since the one before, and the
// rest (smtp processes, smtpd sessions, MX hosts: small) encoded. tail
// commits after every burst of lines (every 250 ms at most), and the whole
// state is about 230 bytes per queued message. Restoring reads both, and
// the next commit leaves only its own way.
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
	// last snapshot) and to delete (no longer open).
	byChanges bool
	changed   []openMessage
	closed    []hostQID
}

// openMessage is an open message as the store keeps it between runs.
type openMessage struct {
	Message
	Unwritten bool // changed since it was last drained into the messages table
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
	st := State{MXDomain: maps.Clone(c.mxDomain), LastPrune: c.lastPrune, Latest: c.latest, LastHost: c.lastHost,
		Procs: make([]procState, 0, len(c.procs)), Sessions: make([]sessionState, 0, len(c.sessions)),
		sizeHint: &c.stateSize, byChanges: byChanges && c.opts.TrackChanges}
	if st.byChanges {
		for k := range c.changed {
			if m := c.messages[k]; m != nil {
				st.changed = append(st.changed, openMessage{*m, c.dirty[k]})
				c.stored[k] = struct{}{}
			} else if _, ok := c.stored[k]; ok {
				// Most messages start and end between two commits: only
				// those that were open at one have a row to delete.
				st.closed = append(st.closed, k)
				delete(c.stored, k)
			}
		}
		clear(c.changed)
	} else {
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

// MarshalState encodes the correlator's open state. Call it right after
// Drain, so that the state and the drained facts describe the same moment.
func (c *Correlator) MarshalState() ([]byte, error) {
	st := c.snapshot(false)
	return st.encode()
}

// encode is the stored form of a snapshot.
func (st *State) encode() ([]byte, error) {
	// gob, not JSON: the state is written with every commit, and with a
	// busy queue (thousands of open messages) encoding it as JSON took a
	// seventh of ingest's CPU.
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
// changes), after UnmarshalState. Without TrackChanges they are stored
// whole by the next commit, which removes the rows.
func (c *Correlator) restoreOpen(rows []openMessage) {
	for i := range rows {
		m := rows[i].Message
		k := hostQID{m.Host, m.QueueID}
		if c.opts.TrackChanges {
			c.stored[k] = struct{}{} // its row goes when the message ends
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
	c.mxDomain = st.MXDomain
	if c.mxDomain == nil {
		c.mxDomain = map[string]string{}
	}
	c.lastPrune, c.latest, c.lastHost = st.LastPrune, st.Latest, st.LastHost
	return nil
}

// maxMXHosts bounds the MX-host map (host + MX host -> the domain last
// delivered through it) that the state carries and tail writes with every
// commit: with a million MX hosts tail used 186% CPU and fell behind.
// It names the domain of a TLS failure without a delivery line; a busy
// relay talks to a few thousand MX hosts.
const maxMXHosts = 100_000

// pruneMXDomains cuts the MX-host map back to three quarters of
// maxMXHosts when it grows past it. The map keeps no times, so the
// entries dropped are any (Go's map order): an MX host seen again is
// learnt again from its next delivery line.
func pruneMXDomains(m map[string]string) {
	if len(m) <= maxMXHosts {
		return
	}
	for k := range m {
		if len(m) <= maxMXHosts*3/4 {
			return
		}
		delete(m, k)
	}
}

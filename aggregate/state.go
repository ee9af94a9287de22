package aggregate

import (
	"bytes"
	"cmp"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"time"
)

// gobState marks the state's current encoding, gob. States stored before
// it are JSON (they begin with '{') and are still read.
var gobState = []byte("pftls-state-gob1\n")

// State is the correlator's open state in a form that can be stored, so
// that ingest can stop at any commit and continue later as if it had not.
type State struct {
	Messages  []Message         `json:"messages"`
	Procs     []procState       `json:"procs"`
	Sessions  []sessionState    `json:"sessions"`
	MXDomain  map[string]string `json:"mx_domain"`
	LastPrune time.Time         `json:"last_prune"`
	Latest    time.Time         `json:"latest"`
	// Unwritten lists the Messages (by index) changed since they were last
	// written: bulk ingest keeps open messages in the state only (see
	// DrainEnded). Only gob states have it; in a JSON state (an earlier
	// version's) every message counts as unwritten.
	Unwritten []int `json:"-"`
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

// snapshot is the open state as a State (sharing the correlator's values).
func (c *Correlator) snapshot() State {
	st := State{MXDomain: c.mxDomain, LastPrune: c.lastPrune, Latest: c.latest,
		Messages: make([]Message, 0, len(c.messages)), Procs: make([]procState, 0, len(c.procs)),
		Sessions: make([]sessionState, 0, len(c.sessions))}
	for k, m := range c.messages {
		if c.dirty[k] {
			st.Unwritten = append(st.Unwritten, len(st.Messages))
		}
		st.Messages = append(st.Messages, *m)
	}
	for k, p := range c.procs {
		st.Procs = append(st.Procs, procState{k.host, k.program, k.pid, p})
	}
	for k, s := range c.sessions {
		st.Sessions = append(st.Sessions, sessionState{k.host, k.program, k.pid, s})
	}
	return st
}

// MarshalState encodes the correlator's open state. Call it right after
// Drain, so that the state and the drained facts describe the same moment.
func (c *Correlator) MarshalState() ([]byte, error) {
	st := c.snapshot()
	// gob, not JSON: the state is written with every commit, and with a
	// busy queue (thousands of open messages) encoding it as JSON took a
	// seventh of ingest's CPU.
	var buf bytes.Buffer
	buf.Grow(c.stateSize)
	buf.Write(gobState)
	if err := gob.NewEncoder(&buf).Encode(&st); err != nil {
		return nil, fmt.Errorf("encode correlator state: %w", err)
	}
	c.stateSize = buf.Len() + buf.Len()/8
	return buf.Bytes(), nil
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
	for i := range st.Messages {
		m := st.Messages[i]
		k := hostQID{m.Host, m.QueueID}
		c.messages[k] = &m
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
	c.lastPrune, c.latest = st.LastPrune, st.Latest
	return nil
}

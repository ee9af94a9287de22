package aggregate

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

// storeSpill is the Spill of a pump with a store: a spilled message is a
// row of open_messages with spilled = 1, written by the commit that
// follows its spill (Pack, with the other changed rows). Until that
// commit is done, the message is kept here (pending), so that it is found
// whatever the order of the reads and the commit; reads go through a
// connection of their own, which sees the last commit done while the
// writer writes the next one (WAL).
//
// A message taken back is in the correlator's memory again, and its row
// is rewritten (spilled = 0) or deleted by the next commit; until that
// commit is done the row is stale, and reads pass over it (taken).
type storeSpill struct {
	st      *Store
	db      *sql.DB   // the reader (the store's own connection for :memory:)
	take    *sql.Stmt // a spilled message's row
	takeRow *sql.Stmt // a message's row, spilled or not yet flagged
	// Commits are numbered by the state snapshot they store (State.gen,
	// from 1). The messages spilled and the keys taken since the last
	// commit have gen 0 until seal gives them the next one's.
	pending map[hostQID]spilledRow
	taken   map[hostQID]uint64
	// done is the last commit done (0: none), set by the commit's
	// goroutine: seal forgets what it has made readable.
	done atomic.Uint64
	// keysCtx ends Keys (restore reads every spilled key: a signal must
	// not wait for millions of them).
	keysCtx context.Context
}

// spilledRow is a message spilled with commit gen; unchanged: its row,
// written by commit rowAt, is current, only its spilled flag is to be
// set, and m is dropped (nil) once commit rowAt is done: the row is then
// readable.
type spilledRow struct {
	m          *Message
	last       int64 // m.LastSeen, Unix ns (an entry is kept per message spilled: small)
	gen, rowAt uint64
	unchanged  bool
}

// openSpill returns the store's spill, opening its reader the first time.
func (s *Store) openSpill() (*storeSpill, error) {
	if s.spill != nil {
		return s.spill, nil
	}
	db := s.db
	if s.path != Memory {
		var err error
		db, err = sql.Open("sqlite3", "file:"+escapeDSNPath(s.path)+"?mode=ro&_busy_timeout=10000")
		if err != nil {
			return nil, fmt.Errorf("open %s for spilled messages: %w", s.path, err)
		}
		db.SetMaxOpenConns(1)
	}
	take, err := db.Prepare(`SELECT message FROM open_messages WHERE host = ? AND queue_id = ? AND spilled = 1`)
	var takeRow *sql.Stmt
	if err == nil {
		takeRow, err = db.Prepare(`SELECT message FROM open_messages WHERE host = ? AND queue_id = ?`)
	}
	if err != nil {
		if take != nil {
			take.Close()
		}
		if db != s.db {
			db.Close()
		}
		return nil, s.wrapOpenErr("prepare the spilled messages' lookup", err)
	}
	s.spill = &storeSpill{st: s, db: db, take: take, takeRow: takeRow, pending: map[hostQID]spilledRow{}, taken: map[hostQID]uint64{}}
	return s.spill, nil
}

// close closes the spill's reader.
func (sp *storeSpill) close() error {
	err := errors.Join(sp.take.Close(), sp.takeRow.Close())
	if sp.db != sp.st.db {
		err = errors.Join(err, sp.db.Close())
	}
	return err
}

// reset forgets what a correlator before this one left (a new correlator
// starts from what is committed).
func (sp *storeSpill) reset() {
	clear(sp.pending)
	clear(sp.taken)
	sp.done.Store(0)
}

// Put keeps m until its row is committed.
func (sp *storeSpill) Put(m *Message, unchanged bool, rowAt uint64) {
	k := hostQID{m.Host, m.QueueID}
	if _, ok := sp.taken[k]; ok {
		unchanged = false // its row is stale: written again
		delete(sp.taken, k)
	}
	r := spilledRow{m: m, last: m.LastSeen.UnixNano(), rowAt: rowAt, unchanged: unchanged}
	if unchanged && rowAt <= sp.done.Load() {
		r.m = nil // its row is readable already
	}
	sp.pending[k] = r
}

// seal adds the messages spilled since the last commit to that commit's
// state (a snapshot stored by changes): rows to write, or to flag as
// spilled.
func (sp *storeSpill) seal(st *State) {
	done := sp.done.Load()
	sp.landed(done)
	for k, r := range sp.pending {
		switch {
		case r.gen != 0:
			if r.unchanged && r.m != nil && r.rowAt <= done {
				r.m = nil // its row, not yet flagged, is readable
				sp.pending[k] = r
			}
			continue
		case r.unchanged:
			st.spilled = append(st.spilled, k)
		default:
			st.changed = append(st.changed, openMessage{Message: *r.m, Spilled: true})
		}
		r.gen = st.gen
		sp.pending[k] = r
	}
	for k, g := range sp.taken {
		if g == 0 {
			sp.taken[k] = st.gen
		}
	}
}

// landed is told that commit gen (and every one before it) is done: its
// rows can be read from the store.
func (sp *storeSpill) landed(gen uint64) {
	for k, r := range sp.pending {
		if r.gen != 0 && r.gen <= gen {
			delete(sp.pending, k)
		}
	}
	for k, g := range sp.taken {
		if g != 0 && g <= gen {
			delete(sp.taken, k)
		}
	}
}

// Take returns a spilled message: kept here, or read from its row.
func (sp *storeSpill) Take(host, qid string) (Message, bool, error) {
	k := hostQID{host, qid}
	stmt := sp.take
	if r, ok := sp.pending[k]; ok {
		if r.m != nil {
			delete(sp.pending, k)
			sp.taken[k] = 0
			return *r.m, true, nil
		}
		stmt = sp.takeRow
	} else if _, ok := sp.taken[k]; ok {
		return Message{}, false, nil
	}
	m, ok, err := sp.read(stmt, host, qid)
	if ok {
		delete(sp.pending, k)
		sp.taken[k] = 0
	}
	return m, ok, err
}

// read reads a message's row with stmt (take or takeRow).
func (sp *storeSpill) read(stmt *sql.Stmt, host, qid string) (Message, bool, error) {
	var js []byte
	err := stmt.QueryRowContext(context.Background(), host, qid).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, false, nil
	}
	if err != nil {
		return Message{}, false, sp.st.wrapOpenErr("read spilled message "+host+" "+qid, err)
	}
	var m Message
	if err := json.Unmarshal(js, &m); err != nil {
		return Message{}, false, fmt.Errorf("%s: decode spilled message %s %s: %w", sp.st.path, host, qid, err)
	}
	return m, true, nil
}

// TakeIdle takes the spilled messages last seen before before.
func (sp *storeSpill) TakeIdle(before time.Time, fn func(Message)) (time.Time, error) {
	var oldest time.Time
	for k, r := range sp.pending {
		if last := time.Unix(0, r.last).UTC(); !last.Before(before) {
			if oldest.IsZero() || last.Before(oldest) {
				oldest = last
			}
			continue
		}
		m, ok := Message{}, r.m != nil
		if ok {
			m = *r.m
		} else {
			var err error
			if m, ok, err = sp.read(sp.takeRow, k.host, k.qid); err != nil {
				return oldest, err
			}
		}
		delete(sp.pending, k)
		if ok {
			sp.taken[k] = 0
			fn(m)
		}
	}
	var idle []Message
	err := eachRow(context.Background(), sp.db, `SELECT message FROM open_messages WHERE spilled = 1 AND last_seen < ?`, []any{before.UnixNano()},
		func(rows *sql.Rows) error {
			var js []byte
			if err := rows.Scan(&js); err != nil {
				return err
			}
			var m Message
			if err := json.Unmarshal(js, &m); err != nil {
				return err
			}
			k := hostQID{m.Host, m.QueueID}
			if _, ok := sp.taken[k]; !ok {
				if _, ok := sp.pending[k]; !ok {
					idle = append(idle, m)
				}
			}
			return nil
		})
	if err != nil {
		return oldest, sp.st.wrapOpenErr("read idle spilled messages", err)
	}
	for _, m := range idle {
		sp.taken[hostQID{m.Host, m.QueueID}] = 0
		fn(m)
	}
	// The oldest of the rows left (stale rows of messages taken count
	// too: an early next look finds nothing more).
	var least sql.NullInt64
	if err := sp.db.QueryRowContext(context.Background(), `SELECT min(last_seen) FROM open_messages WHERE spilled = 1 AND last_seen >= ?`,
		before.UnixNano()).Scan(&least); err != nil {
		return oldest, sp.st.wrapOpenErr("read the oldest spilled message", err)
	}
	if least.Valid && (oldest.IsZero() || least.Int64 < oldest.UnixNano()) {
		oldest = time.Unix(0, least.Int64).UTC()
	}
	return oldest, nil
}

// Keys lists the spilled messages.
func (sp *storeSpill) Keys(fn func(host, qid string, lastSeen time.Time)) error {
	for k, r := range sp.pending {
		fn(k.host, k.qid, time.Unix(0, r.last).UTC())
	}
	err := eachRow(cmp.Or(sp.keysCtx, context.Background()), sp.db, `SELECT host, queue_id, last_seen FROM open_messages WHERE spilled = 1`, nil, func(rows *sql.Rows) error {
		var host, qid string
		var last int64
		if err := rows.Scan(&host, &qid, &last); err != nil {
			return err
		}
		k := hostQID{host, qid}
		if _, ok := sp.taken[k]; !ok {
			if _, ok := sp.pending[k]; !ok {
				fn(host, qid, time.Unix(0, last).UTC())
			}
		}
		return nil
	})
	if err != nil {
		return sp.st.wrapOpenErr("list spilled messages", err)
	}
	return nil
}

// Restore loads the correlator's stored state for a pump with a store:
// the encoded part, the open messages in memory when the last commit was
// made, the MX hosts; the spilled messages stay in the store, and the
// correlator learns only their keys.
func (p *Pump) Restore(ctx context.Context) error {
	if p.Store == nil {
		return nil
	}
	p.Corr.trackChanges()
	b, err := p.Store.LoadState(ctx)
	if err != nil {
		return err
	}
	if b != nil {
		if err := p.Corr.UnmarshalState(b); err != nil {
			return err
		}
	}
	rows, err := p.Store.loadOpenMessages(ctx)
	if err != nil {
		return err
	}
	mx, err := p.Store.loadMXHosts(ctx)
	if err != nil {
		return err
	}
	p.Corr.restoreOpen(rows, mx)
	return p.attachSpill(ctx, true)
}

// attachSpill gives the correlator of a pump with a store the store's
// spill, once (fresh: again, as a restored correlator starts over).
func (p *Pump) attachSpill(ctx context.Context, fresh bool) error {
	if p.Store == nil || (p.Corr.spill != nil && !fresh) {
		return nil
	}
	p.Corr.trackChanges()
	sp, err := p.Store.openSpill()
	if err != nil {
		return err
	}
	sp.reset()
	sp.keysCtx = ctx
	defer func() { sp.keysCtx = nil }()
	return p.Corr.SetSpill(sp)
}

// trackChanges turns TrackChanges on (a pump with a store): what is open
// now has no row yet, as far as the correlator knows.
func (c *Correlator) trackChanges() {
	if c.opts.TrackChanges {
		return
	}
	c.opts.TrackChanges = true
	for k := range c.messages {
		c.changed[k] = struct{}{}
	}
	for k := range c.mxDomain {
		c.mxChanged[k] = struct{}{}
	}
}

// loadMXHosts returns the MX hosts the store keeps.
func (s *Store) loadMXHosts(ctx context.Context) ([]mxRow, error) {
	var out []mxRow
	err := eachRow(ctx, s.db, "SELECT host, mx_host, domain, last_used FROM mx_hosts", nil, func(rows *sql.Rows) error {
		var host, mx string
		var r mxRow
		var used int64
		if err := rows.Scan(&host, &mx, &r.Domain, &used); err != nil {
			return err
		}
		r.Key, r.Used = host+" "+mx, time.Unix(0, used).UTC()
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, s.wrapOpenErr("load MX hosts", err)
	}
	return out, nil
}

// mxHosts stores the MX hosts that changed and deletes those dropped.
func (p *PackedBatch) mxHosts(rows []mxRow, gone []string) {
	p.each(`INSERT INTO mx_hosts (host, mx_host, domain, last_used)
		SELECT c0, c1, c2, c3 FROM pftls_rows(?, ?) WHERE true
		ON CONFLICT (host, mx_host) DO UPDATE SET domain = excluded.domain, last_used = excluded.last_used`,
		4, len(rows), func(i int, r *rowBuffer) {
			host, mx, _ := strings.Cut(rows[i].Key, " ")
			r.text(host)
			r.text(mx)
			r.text(rows[i].Domain)
			r.time(rows[i].Used)
		})
	p.each(`DELETE FROM mx_hosts WHERE (host, mx_host) IN (SELECT c0, c1 FROM pftls_rows(?, ?))`,
		2, len(gone), func(i int, r *rowBuffer) {
			host, mx, _ := strings.Cut(gone[i], " ")
			r.text(host)
			r.text(mx)
		})
}

// spilledMessages flags the rows of messages spilled unchanged.
func (p *PackedBatch) spilledMessages(ks []hostQID) {
	p.each(`UPDATE open_messages SET spilled = 1, unwritten = 0 WHERE (host, queue_id) IN (SELECT c0, c1 FROM pftls_rows(?, ?))`,
		2, len(ks), func(i int, r *rowBuffer) {
			r.text(ks[i].host)
			r.text(ks[i].qid)
		})
}

package aggregate

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// Source is a log source as the store remembers it.
type Source struct {
	ID             int64
	Path           string
	Dev, Inode     uint64
	Fingerprint    string
	FingerprintLen int
	Compression    string
	Offset         int64 // decompressed bytes consumed
	Lines          int64
	Cursor         string    // the journal's cursor of the last line stored (journal sources only)
	LastIngest     time.Time // when its offset was last committed (FindSource and SourcesAt fill it in)
	// LastLine is the stamp of the newest line read from it (zero: none,
	// or read before schema step 15): what a gap is missing comes after it.
	LastLine time.Time
}

// FindSource returns the stored source that id is (the same file, or a
// rotated or compressed copy of it), matched by the fingerprint of its
// first bytes. fingerprint computes a file's fingerprint over n bytes for
// sources first seen when they were shorter than now.
func (s *Store) FindSource(ctx context.Context, id source.Identity, fingerprint func(n int) (string, error)) (Source, bool, error) {
	if id.Fingerprint == "" {
		return Source{}, false, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, path, dev, inode, fingerprint, fingerprint_len, compression, offset, lines, last_ingest,
		last_line FROM sources WHERE fingerprint_len <= ? AND fingerprint_len >= ? ORDER BY last_ingest DESC`, id.FingerprintLen, MinFingerprint)
	if err != nil {
		return Source{}, false, s.wrapOpenErr("find source "+id.Path, err)
	}
	defer rows.Close()
	var cands []Source
	for rows.Next() {
		var src Source
		var dev, inode, last, lastLine int64
		if err := rows.Scan(&src.ID, &src.Path, &dev, &inode, &src.Fingerprint, &src.FingerprintLen, &src.Compression, &src.Offset, &src.Lines, &last, &lastLine); err != nil {
			return Source{}, false, fmt.Errorf("find source %s: %w", id.Path, err)
		}
		src.Dev, src.Inode, src.LastIngest, src.LastLine = uint64(dev), uint64(inode), time.Unix(0, last), fromNanos(lastLine)
		cands = append(cands, src)
	}
	if err := rows.Err(); err != nil {
		return Source{}, false, fmt.Errorf("find source %s: %w", id.Path, err)
	}
	rows.Close()
	byLen := map[int]string{id.FingerprintLen: id.Fingerprint}
	for _, c := range cands {
		fp, ok := byLen[c.FingerprintLen]
		if !ok {
			fp, err = fingerprint(c.FingerprintLen)
			if err != nil {
				continue // shorter than that source: not it
			}
			byLen[c.FingerprintLen] = fp
		}
		if fp == c.Fingerprint {
			return c, true, nil
		}
	}
	return Source{}, false, nil
}

// Commit writes a batch of facts, the correlator state and how far each
// source has been read in one transaction: after a crash the database
// holds either all of it or none. A source with ID 0 is inserted, and its
// new ID is stored back. It is Pack and CommitPacked in one.
func (s *Store) Commit(ctx context.Context, b *Batch, state []byte, sources []*Source, now time.Time) error {
	var whole *State
	if state != nil {
		whole = &State{} // state is MarshalState's: stored whole, so no rows of open messages stay
	}
	p, err := s.Pack(b, whole)
	if err != nil {
		return err
	}
	return s.CommitPacked(ctx, p, state, sources, now)
}

// PackedBatch is a batch of facts packed into rows for the store: the part
// of a commit that needs no database. Ingest packs the next batch while
// SQLite writes the one before it.
//
// The rows of each table are packed into blobs that one INSERT ... SELECT
// from pftls_rows (rowsvtab.c) stores each, rather than bound and stepped
// one by one: per row, database/sql and the driver cost more than SQLite's
// own work (a boxed value per column, a cgo call and a lock per bind).
type PackedBatch struct {
	tables       []packedTable
	dropOpenRows bool        // delete every row of open_messages and mx_hosts: the state is stored whole
	bytes        int64       // of all rows
	err          error       // the first packing error; nothing after it is packed
	dict         *dictionary // the store's, while packing
	dictTo       int         // the dictionary entries the commit stores (packDictionary)
}

// packedTable is one table's rows: the statement that stores them and its
// blobs, each written by one execution of it.
type packedTable struct {
	query string
	ncol  int
	blobs []packedRows
}

// packedRows is one blob of rows and which of the batch's rows it holds
// (for error messages).
type packedRows struct {
	b           []byte
	first, last int // 1-based
}

// Pack packs b's rows and, when st is stored by changes, the rows of its
// open messages; when st is stored whole, it removes any such rows (an
// earlier tail's). st may be nil. The batch can be dropped afterwards: the
// packed rows hold copies of its strings.
func (s *Store) Pack(b *Batch, st *State) (*PackedBatch, error) {
	// One batch at a time assigns ids (batches are packed in parallel);
	// the lock is taken once a batch, not once a value.
	p := &PackedBatch{dict: s.dict}
	s.dict.mu.Lock()
	defer s.dict.mu.Unlock()
	messagesTable.pack(p, b.Messages)
	attemptsTable.pack(p, b.Attempts)
	ru := rollupsOf(b.Attempts) // in the same transaction as the attempts they sum
	deliveredTable.pack(p, ru.delivered)
	recipientsTable.pack(p, ru.recipients)
	lastGoodTable.pack(p, ru.lastGood)
	tlsFailuresTable.pack(p, b.TLS)
	p.sessions(b.Sessions)
	rejectsTable.pack(p, b.Rejects)
	warningsTable.pack(p, b.Warnings)
	unparsedTable.pack(p, b.Unparsed)
	lineCountsTable.pack(p, b.LineCounts)
	if st != nil && st.byChanges {
		p.openMessages(st.changed)
		p.closedMessages(st.closed)
		p.spilledMessages(st.spilled)
		p.mxHosts(st.mxRows, st.mxGone)
	} else if st != nil {
		p.dropOpenRows = true
	}
	p.packDictionary(p.dict)
	if p.err != nil {
		return nil, s.wrapWriteErr("write", p.err)
	}
	return p, nil
}

// CommitPacked writes a packed batch, the correlator state and the
// sources' offsets in one transaction (see Commit).
func (s *Store) CommitPacked(ctx context.Context, p *PackedBatch, state []byte, sources []*Source, now time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	bg := context.WithoutCancel(ctx)
	tx, err := s.db.BeginTx(bg, nil)
	if err != nil {
		return s.wrapWriteErr("begin", err)
	}
	defer tx.Rollback() // after Commit, it does nothing
	w := writer{ctx: bg, cancel: ctx, tx: tx}
	for i := range p.tables {
		w.table(&p.tables[i])
	}
	if p.dropOpenRows {
		w.exec("DELETE FROM open_messages")
		w.exec("DELETE FROM mx_hosts")
	}
	if state != nil {
		w.exec("INSERT INTO correlator_state (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state", state)
	}
	for _, src := range sources {
		w.source(src, now)
	}
	if w.err != nil {
		return s.wrapWriteErr("write", w.err)
	}
	if err := tx.Commit(); err != nil {
		return s.wrapWriteErr("commit", err)
	}
	p.dict.committedUpTo(p.dictTo)
	if s.ckpt != nil {
		s.ckpt.wrote(p.bytes + int64(len(state)))
	}
	return nil
}

func (s *Store) wrapWriteErr(step string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return s.wrapOpenErr(step, err)
}

// writer runs the statements of one transaction, stopping at the first
// error. Its context cannot be cancelled: go-sqlite3 runs every statement
// that has a cancellable context in a goroutine of its own. Cancellation
// is checked once per table instead, and the transaction rolls back.
type writer struct {
	ctx    context.Context // for the statements: never cancelled
	cancel context.Context // the caller's, checked between tables
	tx     *sql.Tx
	err    error
}

// exec runs query once.
func (w *writer) exec(query string, args ...any) sql.Result {
	if w.err != nil {
		return nil
	}
	res, err := w.tx.ExecContext(w.ctx, query, args...)
	if err != nil {
		w.err = fmt.Errorf("%.40q: %w", query, err)
		return nil
	}
	return res
}

// table stores one table's packed rows: one statement, executed once per
// blob.
func (w *writer) table(t *packedTable) {
	if w.err == nil {
		w.err = w.cancel.Err()
	}
	if w.err != nil {
		return
	}
	stmt, err := w.tx.PrepareContext(w.ctx, t.query)
	if err != nil {
		w.err = fmt.Errorf("prepare %.40q: %w", t.query, err)
		return
	}
	defer stmt.Close()
	for _, rows := range t.blobs {
		if _, err := stmt.ExecContext(w.ctx, rows.b, t.ncol); err != nil {
			w.err = fmt.Errorf("%.40q rows %d-%d: %w", t.query, rows.first, rows.last, err)
			return
		}
	}
}

// each packs n rows for query, an INSERT that selects its ncol values from
// pftls_rows(?, ncol). put appends row i's values to the buffer. The rows
// go in one blob, or in several of about rowBufferLimit bytes each. A row
// with the wrong number of values is an error, and after one nothing more
// is packed.
func (p *PackedBatch) each(query string, ncol, n int, put func(i int, r *rowBuffer)) {
	if p.err != nil || n == 0 {
		return
	}
	t := packedTable{query: query, ncol: ncol}
	r := newRowBuffer(p.dict)
	first := 0 // the first row in the buffer
	for i := 0; i < n; i++ {
		put(i, &r)
		if want := (i - first + 1) * ncol; r.values != want {
			p.fail(fmt.Errorf("%.40q row %d: %d values for %d columns", query, i+1, r.values-want+ncol, ncol))
			return
		}
		if r.full() || i == n-1 {
			if len(r.b) < cap(r.b)/2 {
				// A table's short last blob (or a short table): keep
				// only its bytes, not the room for a full one.
				r.b = append([]byte(nil), r.b...)
			}
			t.blobs = append(t.blobs, packedRows{b: r.b, first: first + 1, last: i + 1})
			p.bytes += int64(len(r.b))
			if i < n-1 {
				r = newRowBuffer(p.dict)
			}
			first = i + 1
		}
	}
	p.tables = append(p.tables, t)
}

// fail records the first packing error.
func (p *PackedBatch) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// sessions writes the notable sessions as rows and adds the others to
// the per-minute counts.
func (p *PackedBatch) sessions(ss []Session) {
	var rows []Session
	counts := map[sessionKey]*minuteCount{}
	for i := range ss {
		s := &ss[i]
		if s.Notable() {
			rows = append(rows, *s)
			continue
		}
		addSessionCount(counts, s)
	}
	sessionsTable.pack(p, rows)
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b sessionKey) int { return cmp.Compare(a.minute, b.minute) })
	scs := make([]SessionCount, len(keys))
	for i, k := range keys {
		c := counts[k]
		scs[i] = SessionCount{First: c.first, Last: c.last, Host: k.host, Service: k.service,
			TLSTrust: k.trust, TLSProtocol: k.protocol, TLSCipher: k.cipher, TLSKeyExchange: k.kex, ClientDomain: k.client,
			Sessions: c.sessions, ConnectSeconds: c.secs, MaxSeconds: c.maxSecs}
	}
	sessionCountsTable.pack(p, scs)
}

// sessionKey is what the session_counts table counts by (its key).
type sessionKey struct {
	minute                          int64
	host, service, protocol, cipher string
	kex                             string
	trust                           logparse.Trust
	client                          string // ClientDomain
}

// minuteCount is one session_counts row's count and first and last start.
type minuteCount struct {
	sessions      int64
	first, last   time.Time
	secs, maxSecs int64 // time connected (Session.ConnectSeconds), its sum and maximum
}

// addSessionCount counts s in counts.
func addSessionCount(counts map[sessionKey]*minuteCount, s *Session) {
	k := sessionKey{minute: floorUnits(nanos(s.Start), time.Minute), host: s.Host, service: s.Service,
		trust: s.TLSTrust, protocol: s.TLSProtocol, cipher: s.TLSCipher, kex: s.TLSKeyExchange,
		client: ClientDomain(s.ClientName, s.ClientIP)}
	c := counts[k]
	if c == nil {
		c = &minuteCount{first: s.Start, last: s.Start}
		counts[k] = c
	}
	c.sessions++
	secs := s.ConnectSeconds()
	c.secs += secs
	c.maxSecs = max(c.maxSecs, secs)
	if s.Start.Before(c.first) {
		c.first = s.Start
	}
	if s.Start.After(c.last) {
		c.last = s.Start
	}
}

// openMessages stores the open messages that changed or were spilled (a
// State stored by changes), as JSON: JSON reads back whatever fields a
// later Message has.
func (p *PackedBatch) openMessages(ms []openMessage) {
	js := make([][]byte, len(ms))
	for i := range ms {
		j, err := json.Marshal(&ms[i].Message)
		if err != nil {
			p.fail(fmt.Errorf("encode open message %s %s: %w", ms[i].Host, ms[i].QueueID, err))
			return
		}
		js[i] = j
	}
	p.each(`INSERT INTO open_messages (host, queue_id, message, unwritten, spilled, last_seen)
		SELECT c0, c1, c2, c3, c4, c5 FROM pftls_rows(?, ?) WHERE true
		ON CONFLICT (host, queue_id) DO UPDATE SET message = excluded.message, unwritten = excluded.unwritten,
			spilled = excluded.spilled, last_seen = excluded.last_seen`,
		6, len(ms), func(i int, r *rowBuffer) {
			r.text(ms[i].Host)
			r.text(ms[i].QueueID)
			r.text(string(js[i]))
			r.bool(ms[i].Unwritten)
			r.bool(ms[i].Spilled)
			r.time(ms[i].LastSeen)
		})
}

// closedMessages deletes the rows of messages no longer open.
func (p *PackedBatch) closedMessages(ks []hostQID) {
	p.each(`DELETE FROM open_messages WHERE (host, queue_id) IN (SELECT c0, c1 FROM pftls_rows(?, ?))`,
		2, len(ks), func(i int, r *rowBuffer) {
			r.text(ks[i].host)
			r.text(ks[i].qid)
		})
}

func (w *writer) source(src *Source, now time.Time) {
	if src.ID == 0 {
		res := w.exec(`INSERT INTO sources (path, dev, inode, fingerprint, fingerprint_len, compression, offset, lines,
				first_ingest, last_ingest, cursor, last_line) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
			src.Path, int64(src.Dev), int64(src.Inode), src.Fingerprint, src.FingerprintLen, src.Compression,
			src.Offset, src.Lines, now.UnixNano(), now.UnixNano(), src.Cursor, nanos(src.LastLine))
		if res != nil {
			id, err := res.LastInsertId()
			if err != nil {
				w.err = err
				return
			}
			src.ID = id
		}
		return
	}
	w.exec(`UPDATE sources SET path = ?, dev = ?, inode = ?, fingerprint = ?, fingerprint_len = ?, compression = ?,
		offset = ?, lines = ?, last_ingest = ?, cursor = ?, last_line = ? WHERE id = ?`, src.Path, int64(src.Dev), int64(src.Inode), src.Fingerprint,
		src.FingerprintLen, src.Compression, src.Offset, src.Lines, now.UnixNano(), src.Cursor, nanos(src.LastLine), src.ID)
}

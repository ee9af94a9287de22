package aggregate

import (
	"cmp"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

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
}

// FindSource returns the stored source that id is (the same file, or a
// rotated or compressed copy of it), matched by the fingerprint of its
// first bytes. fingerprint computes a file's fingerprint over n bytes for
// sources first seen when they were shorter than now.
func (s *Store) FindSource(ctx context.Context, id source.Identity, fingerprint func(n int) (string, error)) (Source, bool, error) {
	if id.Fingerprint == "" {
		return Source{}, false, nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, path, dev, inode, fingerprint, fingerprint_len, compression, offset, lines
		FROM sources WHERE fingerprint_len <= ? AND fingerprint_len >= ? ORDER BY last_ingest DESC`, id.FingerprintLen, MinFingerprint)
	if err != nil {
		return Source{}, false, s.wrapOpenErr("find source "+id.Path, err)
	}
	defer rows.Close()
	var cands []Source
	for rows.Next() {
		var src Source
		var dev, inode int64
		if err := rows.Scan(&src.ID, &src.Path, &dev, &inode, &src.Fingerprint, &src.FingerprintLen, &src.Compression, &src.Offset, &src.Lines); err != nil {
			return Source{}, false, fmt.Errorf("find source %s: %w", id.Path, err)
		}
		src.Dev, src.Inode = uint64(dev), uint64(inode)
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

// SourceProgress is how far one source has been read, committed together
// with the facts read from it.
type SourceProgress struct {
	Source *Source // ID 0: insert, and the new ID is stored back
}

// Commit writes a batch of facts, the correlator state and the source
// offsets in one transaction: after a crash the database holds either all
// of it or none.
//
// The rows go straight to the driver's connection, not through
// database/sql: its per-statement bookkeeping and argument conversion cost
// as much as SQLite's own work, and the driver's query path binds all of a
// row's values and steps in one cgo call instead of one call per column.
func (s *Store) Commit(ctx context.Context, b *Batch, state []byte, progress []SourceProgress, now time.Time) error {
	conn, err := s.db.Conn(context.WithoutCancel(ctx))
	if err != nil {
		return s.wrapWriteErr("connect", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error { return s.commitOn(ctx, dc, b, state, progress, now) })
}

// commitOn is Commit on the driver's connection dc.
func (s *Store) commitOn(ctx context.Context, dc any, b *Batch, state []byte, progress []SourceProgress, now time.Time) error {
	begin, ok1 := dc.(driver.ConnBeginTx)
	prep, ok2 := dc.(driver.ConnPrepareContext)
	if !ok1 || !ok2 {
		return fmt.Errorf("%s: the SQLite driver's connection (%T) cannot begin or prepare", s.path, dc)
	}
	bg := context.WithoutCancel(ctx)
	tx, err := begin.BeginTx(bg, driver.TxOptions{})
	if err != nil {
		return s.wrapWriteErr("begin", err)
	}
	committed := false
	defer func() {
		if !committed {
			tx.Rollback()
		}
	}()
	w := writer{ctx: bg, cancel: ctx, conn: prep}
	w.messages(b.Messages)
	w.attempts(b.Attempts)
	w.tlsFailures(b.TLS)
	w.sessions(b.Sessions)
	w.rejects(b.Rejects)
	w.warnings(b.Warnings)
	w.unparsed(b.Unparsed)
	w.lineCounts(b.LineCounts)
	if state != nil {
		w.exec("INSERT INTO correlator_state (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state", state)
	}
	for _, p := range progress {
		w.source(p, now)
	}
	if w.err != nil {
		return s.wrapWriteErr("write", w.err)
	}
	if err := tx.Commit(); err != nil {
		return s.wrapWriteErr("commit", err)
	}
	committed = true
	return nil
}

func (s *Store) wrapWriteErr(step string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return s.wrapOpenErr(step, err)
}

// writer runs the statements of one transaction on the driver's
// connection, stopping at the first error. Its context cannot be
// cancelled: go-sqlite3 runs every statement that has a cancellable
// context in a goroutine of its own, a hand-off per row. Cancellation is
// checked once per statement group instead, and the transaction rolls
// back.
type writer struct {
	ctx    context.Context // for the statements: never cancelled
	cancel context.Context // the caller's, checked between groups
	conn   driver.ConnPrepareContext
	args   []driver.NamedValue // reused for every row
	err    error
}

// prepare prepares query on the transaction's connection.
func (w *writer) prepare(query string) driver.Stmt {
	if w.err != nil {
		return nil
	}
	stmt, err := w.conn.PrepareContext(w.ctx, query)
	if err != nil {
		w.err = fmt.Errorf("prepare %.40q: %w", query, err)
		return nil
	}
	return stmt
}

// exec runs query once, for the statements that need its result.
func (w *writer) exec(query string, args ...any) driver.Result {
	stmt := w.prepare(query)
	if stmt == nil {
		return nil
	}
	defer stmt.Close()
	if !w.bind(args) {
		return nil
	}
	res, err := stmt.(driver.StmtExecContext).ExecContext(w.ctx, w.args)
	if err != nil {
		w.err = fmt.Errorf("%.40q: %w", query, err)
		return nil
	}
	return res
}

// insert runs stmt, an INSERT, through the driver's query path: it binds
// every value and steps in one cgo call (its Exec binds column by column).
func (w *writer) insert(stmt driver.Stmt, args []any) error {
	if !w.bind(args) {
		return w.err
	}
	rows, err := stmt.(driver.StmtQueryContext).QueryContext(w.ctx, w.args)
	if err != nil {
		return err
	}
	return rows.Close()
}

// bind converts args into w.args, the driver's value types.
func (w *writer) bind(args []any) bool {
	w.args = w.args[:0]
	for i, a := range args {
		v, err := driverValue(a)
		if err != nil {
			w.err = fmt.Errorf("argument %d: %w", i+1, err)
			return false
		}
		w.args = append(w.args, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	return true
}

// driverValue is a as one of the driver's value types: the common ones
// directly, the rest (other integer kinds, named string types) through
// database/sql's converter, as database/sql itself would.
func driverValue(a any) (driver.Value, error) {
	switch v := a.(type) {
	case string, int64, float64, []byte, nil:
		return v, nil
	case int:
		return int64(v), nil
	case bool:
		return int64(b2i(v)), nil
	}
	return driver.DefaultParameterConverter.ConvertValue(a)
}

// each prepares query once and runs it for i in [0, n). args appends row
// i's values to buf (reused from row to row) and returns it.
func (w *writer) each(query string, n int, args func(i int, buf []any) []any) {
	if w.err == nil {
		w.err = w.cancel.Err()
	}
	if w.err != nil || n == 0 {
		return
	}
	stmt := w.prepare(query)
	if stmt == nil {
		return
	}
	defer stmt.Close()
	var buf []any
	for i := 0; i < n; i++ {
		buf = args(i, buf[:0])
		if err := w.insert(stmt, buf); err != nil {
			w.err = fmt.Errorf("%.40q row %d: %w", query, i+1, err)
			return
		}
	}
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (w *writer) messages(ms []Message) {
	w.each(`INSERT INTO messages (host, queue_id, start, last_seen, origin, client, client_ip, service, sender,
			has_sender, size, nrcpt, message_id, removed, deleted, expired)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (start, host, queue_id) DO UPDATE SET last_seen = excluded.last_seen, origin = excluded.origin,
			client = excluded.client, client_ip = excluded.client_ip, service = excluded.service,
			sender = excluded.sender, has_sender = excluded.has_sender, size = excluded.size, nrcpt = excluded.nrcpt,
			message_id = excluded.message_id, removed = excluded.removed, deleted = excluded.deleted,
			expired = excluded.expired`,
		len(ms), func(i int, buf []any) []any {
			m := &ms[i]
			return append(buf, m.Host, m.QueueID, nanos(m.Start), nanos(m.LastSeen), string(m.Origin), m.Client, m.ClientIP,
				m.Service, m.Sender, b2i(m.HasSender), m.Size, m.Nrcpt, m.MessageID, b2i(m.Removed), b2i(m.Deleted), b2i(m.Expired))
		})
}

func (w *writer) attempts(as []Attempt) {
	w.each(`INSERT INTO attempts (time, host, queue_id, message_start, service, sender, size, recipient, domain, orig_to, relay,
			relay_host, relay_addr, relay_port, status, dsn, delay, delay_before, delay_queue, delay_connect, delay_xmit,
			reason, reason_class, forwarded, local_hop, tls_trust, tls_protocol, tls_cipher, tls_failure, tls_detail)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		len(as), func(i int, buf []any) []any {
			a := &as[i]
			return append(buf, nanos(a.Time), a.Host, a.QueueID, nanos(a.MessageStart), a.Service, a.Sender, a.Size, a.Recipient, a.Domain, a.OrigTo,
				a.Relay, a.RelayHost, a.RelayAddr, a.RelayPort, a.Status, a.DSN, a.Delay, a.Delays[0], a.Delays[1], a.Delays[2],
				a.Delays[3], a.Reason, a.ReasonClass, b2i(a.Forwarded), b2i(a.LocalHop), a.TLSTrust, a.TLSProtocol, a.TLSCipher,
				a.TLSFailure, a.TLSDetail)
		})
}

func (w *writer) tlsFailures(fs []TLSFailure) {
	w.each(`INSERT INTO tls_failures (time, host, direction, peer, peer_host, peer_addr, domain, queue_id, recipient,
			kind, rfc8460, detail, deferred, status, names, evidence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		len(fs), func(i int, buf []any) []any {
			f := &fs[i]
			return append(buf, nanos(f.Time), f.Host, f.Direction, f.Peer, f.PeerHost, f.PeerAddr, f.Domain, f.QueueID, f.Recipient,
				f.Kind, f.RFC8460, f.Detail, b2i(f.Deferred), f.Status, f.Names, f.Evidence)
		})
}

// sessions writes the notable sessions as rows and adds the others to
// the per-minute counts.
func (w *writer) sessions(ss []Session) {
	var rows []*Session
	counts := map[sessionKey]*SessionCount{}
	for i := range ss {
		s := &ss[i]
		if s.Notable() {
			rows = append(rows, s)
			continue
		}
		addSessionCount(counts, s)
	}
	w.each(`INSERT INTO sessions (start, end, host, service, client, client_name, client_ip, tls_trust, tls_protocol,
			tls_cipher, starttls, tls_failed, tls_error, lost_after, messages, rejects, commands_ok, commands_total)
		VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		len(rows), func(i int, buf []any) []any {
			s := rows[i]
			return append(buf, nanos(s.Start), nanos(s.End), s.Host, s.Service, s.Client, s.ClientName, s.ClientIP, s.TLSTrust,
				s.TLSProtocol, s.TLSCipher, b2i(s.StartTLS), b2i(s.TLSFailed), s.TLSError, s.LostAfter, s.Messages, s.Rejects,
				s.CommandsOK, s.CommandsTotal)
		})
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b sessionKey) int { return cmp.Compare(a.minute, b.minute) })
	w.each(`INSERT INTO session_counts (minute, host, service, tls_trust, tls_protocol, tls_cipher, sessions, first, last)
		VALUES (?,?,?,?,?,?,?,?,?)
		ON CONFLICT (minute, host, service, tls_trust, tls_protocol, tls_cipher) DO UPDATE SET
			sessions = sessions + excluded.sessions, first = min(first, excluded.first), last = max(last, excluded.last)`,
		len(keys), func(i int, buf []any) []any {
			c := counts[keys[i]]
			return append(buf, keys[i].minute, c.Host, c.Service, c.TLSTrust, c.TLSProtocol, c.TLSCipher, c.Sessions,
				nanos(c.First), nanos(c.Last))
		})
}

// sessionKey is what a SessionCount counts by.
type sessionKey struct {
	minute                                 int64
	host, service, trust, protocol, cipher string
}

// addSessionCount counts s in counts.
func addSessionCount(counts map[sessionKey]*SessionCount, s *Session) {
	k := sessionKey{floorUnits(nanos(s.Start), time.Minute), s.Host, s.Service, s.TLSTrust, s.TLSProtocol, s.TLSCipher}
	c := counts[k]
	if c == nil {
		c = &SessionCount{Minute: time.Unix(k.minute*60, 0).UTC(), First: s.Start, Last: s.Start, Host: s.Host,
			Service: s.Service, TLSTrust: s.TLSTrust, TLSProtocol: s.TLSProtocol, TLSCipher: s.TLSCipher}
		counts[k] = c
	}
	c.Sessions++
	if s.Start.Before(c.First) {
		c.First = s.Start
	}
	if s.Start.After(c.Last) {
		c.Last = s.Start
	}
}

func (w *writer) rejects(rs []Reject) {
	w.each(`INSERT INTO rejects (time, host, service, queue_id, action, stage, client, client_name, client_ip, code, dsn,
			reply, reason_class, sender, recipient, helo) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		len(rs), func(i int, buf []any) []any {
			r := &rs[i]
			return append(buf, nanos(r.Time), r.Host, r.Service, r.QueueID, r.Action, r.Stage, r.Client, r.ClientName, r.ClientIP,
				r.Code, r.DSN, r.Reply, r.ReasonClass, r.From, r.To, r.Helo)
		})
}

func (w *writer) warnings(ws []Warning) {
	w.each(`INSERT INTO warnings (time, host, program, severity, text, class) VALUES (?,?,?,?,?,?)`,
		len(ws), func(i int, buf []any) []any {
			x := &ws[i]
			return append(buf, nanos(x.Time), x.Host, x.Program, x.Severity, x.Text, x.Class)
		})
}

func (w *writer) unparsed(us []Unparsed) {
	w.each(`INSERT INTO unparsed (time, host, program, text) VALUES (?,?,?,?)`,
		len(us), func(i int, buf []any) []any {
			u := &us[i]
			return append(buf, nanos(u.Time), u.Host, u.Program, u.Text)
		})
}

func (w *writer) lineCounts(cs []LineCount) {
	w.each(`INSERT INTO line_counts (host, hour, kind, count) VALUES (?,?,?,?)
		ON CONFLICT (host, hour, kind) DO UPDATE SET count = count + excluded.count`,
		len(cs), func(i int, buf []any) []any {
			c := &cs[i]
			return append(buf, c.Host, c.Hour.Unix()/3600, c.Kind, c.Count)
		})
}

func (w *writer) source(p SourceProgress, now time.Time) {
	src := p.Source
	if src.ID == 0 {
		res := w.exec(`INSERT INTO sources (path, dev, inode, fingerprint, fingerprint_len, compression, offset, lines,
				first_ingest, last_ingest) VALUES (?,?,?,?,?,?,?,?,?,?)`,
			src.Path, int64(src.Dev), int64(src.Inode), src.Fingerprint, src.FingerprintLen, src.Compression,
			src.Offset, src.Lines, now.UnixNano(), now.UnixNano())
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
		offset = ?, lines = ?, last_ingest = ? WHERE id = ?`, src.Path, int64(src.Dev), int64(src.Inode), src.Fingerprint,
		src.FingerprintLen, src.Compression, src.Offset, src.Lines, now.UnixNano(), src.ID)
}

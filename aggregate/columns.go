package aggregate

import (
	"fmt"
	"math"
	"time"

	"github.com/pftls/pftls/logparse"
)

// This file declares each fact table's columns once, in order: the name,
// how the writer packs the fact's field into a row (rows.go) and where the
// reader stores it back (a dest, reading pftls_chunks's values: chunks.go). The C row reader (rowsvtab.c) takes the
// values of a row in the order they are packed. The statements stay
// literal SQL (nothing is built from pieces, see TestSQLOnlyWithParameters);
// TestFactTableStatements checks that each one names the declared columns
// in the declared order, so the writer, the row reader and the reader
// cannot disagree.

// column is one column of a fact table holding facts of type T.
type column[T any] struct {
	name string
	put  func(x *T, r *rowBuffer)       // packs the column's value of x
	dest func(x *T, d *dictionary) dest // where a reader stores the column's value in x (d: the store's dictionary)
}

// dest stores a column's value, as read back, into a field of a fact.
type dest interface{ set(v *value) error }

// factTable is a table of facts of type T.
type factTable[T any] struct {
	name   string
	insert string // INSERT INTO name (cols) SELECT c0, ... FROM pftls_rows(?, ?) [WHERE true ON CONFLICT ...]
	query  string // SELECT cols FROM name WHERE ...: what Scan reads
	cols   []column[T]
}

// pack packs facts as rows of the table into p.
func (t *factTable[T]) pack(p *PackedBatch, facts []T) {
	p.each(t.insert, len(t.cols), len(facts), func(i int, r *rowBuffer) {
		x := &facts[i]
		for _, c := range t.cols {
			c.put(x, r)
		}
	})
}

// scanner reads rows of the table's query into one reused fact.
type scanner[T any] struct {
	x     T
	t     *factTable[T]
	dests []dest
}

func (t *factTable[T]) scanner(d *dictionary) *scanner[T] {
	s := &scanner[T]{t: t}
	s.dests = make([]dest, len(t.cols))
	for i, c := range t.cols {
		s.dests[i] = c.dest(&s.x, d)
	}
	return s
}

// scan reads a row's values into a fresh fact and returns it; it is
// valid until the next scan.
func (s *scanner[T]) scan(vals []value) (*T, error) {
	var zero T
	s.x = zero
	for i, d := range s.dests {
		if err := d.set(&vals[i]); err != nil {
			return nil, fmt.Errorf("%s.%s: %w", s.t.name, s.t.cols[i].name, err)
		}
	}
	return &s.x, nil
}

// Column kinds.

func textCol[T any, S ~string](name string, field func(*T) *S) column[T] {
	return column[T]{name: name,
		put:  func(x *T, r *rowBuffer) { r.text(string(*field(x))) },
		dest: func(x *T, _ *dictionary) dest { return textDest[S]{field(x)} }}
}

func intCol[T any, I ~int | ~int64](name string, field func(*T) *I) column[T] {
	return column[T]{name: name,
		put:  func(x *T, r *rowBuffer) { r.int(int64(*field(x))) },
		dest: func(x *T, _ *dictionary) dest { return intDest[I]{field(x)} }}
}

func floatCol[T any](name string, field func(*T) *float64) column[T] {
	return column[T]{name: name,
		put:  func(x *T, r *rowBuffer) { r.float(*field(x)) },
		dest: func(x *T, _ *dictionary) dest { return floatDest{field(x)} }}
}

func boolCol[T any](name string, field func(*T) *bool) column[T] {
	return column[T]{name: name,
		put:  func(x *T, r *rowBuffer) { r.bool(*field(x)) },
		dest: func(x *T, _ *dictionary) dest { return boolDest{field(x)} }}
}

// timeCol stores a time as Unix nanoseconds (0 for the zero time).
func timeCol[T any](name string, field func(*T) *time.Time) column[T] {
	return column[T]{name: name,
		put:  func(x *T, r *rowBuffer) { r.time(*field(x)) },
		dest: func(x *T, _ *dictionary) dest { return nanosDest{field(x)} }}
}

// textDest stores text in a string type (a typed enum such as
// logparse.Status).
type textDest[S ~string] struct{ p *S }

func (d textDest[S]) set(v *value) error {
	t, err := v.text()
	*d.p = S(t)
	return err
}

// intDest stores an integer.
type intDest[I ~int | ~int64] struct{ p *I }

func (d intDest[I]) set(v *value) error {
	n, err := v.int()
	*d.p = I(n)
	return err
}

// floatDest stores a number as a float.
type floatDest struct{ p *float64 }

func (d floatDest) set(v *value) error {
	f, err := v.float()
	*d.p = f
	return err
}

// boolDest stores 0 or 1 as a bool.
type boolDest struct{ p *bool }

func (d boolDest) set(v *value) error {
	n, err := v.int()
	if err == nil && n != 0 && n != 1 {
		err = fmt.Errorf("holds %d, not 0 or 1", n)
	}
	*d.p = n == 1
	return err
}

// nanosDest stores Unix nanoseconds as a UTC time (0 is the zero time).
type nanosDest struct{ p *time.Time }

func (d nanosDest) set(v *value) error {
	n, err := v.int()
	*d.p = fromNanos(n)
	return err
}

// unitsDest stores a count of units (hours, minutes) since the epoch as
// a UTC time.
type unitsDest struct {
	p    *time.Time
	unit time.Duration
}

func (d unitsDest) set(v *value) error {
	n, err := v.int()
	*d.p = time.Unix(n*int64(d.unit/time.Second), 0).UTC()
	return err
}

// tlsPolicyDest stores a tls= field as written in its parsed form.
type tlsPolicyDest struct{ p *logparse.TLSPolicy }

func (d tlsPolicyDest) set(v *value) error {
	s, err := v.text()
	*d.p = logparse.ParseTLSPolicy(s)
	return err
}

// ignoreDest skips a column the reader does not need.
type ignoreDest struct{}

func (ignoreDest) set(*value) error { return nil }

// The fact tables.

var messagesTable = &factTable[Message]{name: "messages",
	insert: `INSERT INTO messages (host, queue_id, start, last_seen, origin, client, client_ip, service, sender,
			has_sender, size, nrcpt, message_id, removed, deleted, expired)
		SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15 FROM pftls_rows(?, ?) WHERE true
		ON CONFLICT (start, host, queue_id) DO UPDATE SET last_seen = excluded.last_seen, origin = excluded.origin,
			client = excluded.client, client_ip = excluded.client_ip, service = excluded.service,
			sender = excluded.sender, has_sender = excluded.has_sender, size = excluded.size, nrcpt = excluded.nrcpt,
			message_id = excluded.message_id, removed = excluded.removed, deleted = excluded.deleted,
			expired = excluded.expired`,
	query: `SELECT host, queue_id, start, last_seen, origin, client, client_ip, service, sender, has_sender,
			size, nrcpt, message_id, removed, deleted, expired FROM messages
			WHERE start < ? AND last_seen >= ? AND (? = '' OR host = ?)`,
	cols: []column[Message]{
		textCol("host", func(m *Message) *string { return &m.Host }),
		textCol("queue_id", func(m *Message) *string { return &m.QueueID }),
		timeCol("start", func(m *Message) *time.Time { return &m.Start }),
		timeCol("last_seen", func(m *Message) *time.Time { return &m.LastSeen }),
		textCol("origin", func(m *Message) *Origin { return &m.Origin }),
		textCol("client", func(m *Message) *string { return &m.Client }),
		textCol("client_ip", func(m *Message) *string { return &m.ClientIP }),
		textCol("service", func(m *Message) *string { return &m.Service }),
		textCol("sender", func(m *Message) *string { return &m.Sender }),
		boolCol("has_sender", func(m *Message) *bool { return &m.HasSender }),
		intCol("size", func(m *Message) *int64 { return &m.Size }),
		intCol("nrcpt", func(m *Message) *int { return &m.Nrcpt }),
		textCol("message_id", func(m *Message) *string { return &m.MessageID }),
		boolCol("removed", func(m *Message) *bool { return &m.Removed }),
		boolCol("deleted", func(m *Message) *bool { return &m.Deleted }),
		boolCol("expired", func(m *Message) *bool { return &m.Expired }),
	}}

var attemptsTable = &factTable[Attempt]{name: "attempts",
	insert: `INSERT INTO attempts (time, host, queue_id, message_start, service, sender, size, recipient, domain, orig_to, relay,
			relay_host, relay_addr, relay_port, status, dsn, delay, delay_before, delay_queue, delay_connect, delay_xmit,
			reason, reason_class, forwarded, local_hop, tls_trust, tls_protocol, tls_cipher, tls_failure, tls_detail,
			tls_policy, tls_rpt, tls_kex, tls_server_sig)
		SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20, c21,
			c22, c23, c24, c25, c26, c27, c28, c29, c30, c31, c32, c33 FROM pftls_rows(?, ?)`,
	query: `SELECT time, host, queue_id, message_start, service, sender, size, recipient, domain, orig_to, relay,
			relay_host, relay_addr, relay_port, status, dsn, delay, delay_before, delay_queue, delay_connect, delay_xmit,
			reason, reason_class, forwarded, local_hop, tls_trust, tls_protocol, tls_cipher, tls_failure, tls_detail,
			tls_policy, tls_rpt, tls_kex, tls_server_sig FROM attempts WHERE time >= ? AND time < ? AND (? = '' OR host = ?)
			AND (?5 = '' OR domain = ?5 COLLATE NOCASE OR domain GLOB '*[^ -~]*') ORDER BY time`,
	cols: []column[Attempt]{
		timeCol("time", func(a *Attempt) *time.Time { return &a.Time }),
		textCol("host", func(a *Attempt) *string { return &a.Host }),
		textCol("queue_id", func(a *Attempt) *string { return &a.QueueID }),
		timeCol("message_start", func(a *Attempt) *time.Time { return &a.MessageStart }),
		dictCol("service", func(a *Attempt) *string { return &a.Service }),
		textCol("sender", func(a *Attempt) *string { return &a.Sender }),
		intCol("size", func(a *Attempt) *int64 { return &a.Size }),
		textCol("recipient", func(a *Attempt) *string { return &a.Recipient }),
		textCol("domain", func(a *Attempt) *string { return &a.Domain }),
		textCol("orig_to", func(a *Attempt) *string { return &a.OrigTo }),
		dictCol("relay", func(a *Attempt) *string { return &a.Relay }),
		dictCol("relay_host", func(a *Attempt) *string { return &a.RelayHost }),
		dictCol("relay_addr", func(a *Attempt) *string { return &a.RelayAddr }),
		intCol("relay_port", func(a *Attempt) *int { return &a.RelayPort }),
		textCol("status", func(a *Attempt) *logparse.Status { return &a.Status }),
		dictCol("dsn", func(a *Attempt) *string { return &a.DSN }),
		delayCol("delay", func(a *Attempt) *float64 { return &a.Delay }),
		delayCol("delay_before", func(a *Attempt) *float64 { return &a.Delays[0] }),
		delayCol("delay_queue", func(a *Attempt) *float64 { return &a.Delays[1] }),
		delayCol("delay_connect", func(a *Attempt) *float64 { return &a.Delays[2] }),
		delayCol("delay_xmit", func(a *Attempt) *float64 { return &a.Delays[3] }),
		dictCol("reason", func(a *Attempt) *string { return &a.Reason }),
		dictCol("reason_class", func(a *Attempt) *string { return &a.ReasonClass }),
		boolCol("forwarded", func(a *Attempt) *bool { return &a.Forwarded }),
		boolCol("local_hop", func(a *Attempt) *bool { return &a.LocalHop }),
		textCol("tls_trust", func(a *Attempt) *logparse.Trust { return &a.TLSTrust }),
		dictCol("tls_protocol", func(a *Attempt) *string { return &a.TLSProtocol }),
		dictCol("tls_cipher", func(a *Attempt) *string { return &a.TLSCipher }),
		textCol("tls_failure", func(a *Attempt) *logparse.TLSFailureKind { return &a.TLSFailure }),
		dictCol("tls_detail", func(a *Attempt) *string { return &a.TLSDetail }),
		column[Attempt]{name: "tls_policy",
			put:  func(a *Attempt, r *rowBuffer) { r.text(a.TLSPolicy.String()) },
			dest: func(a *Attempt, _ *dictionary) dest { return tlsPolicyDest{&a.TLSPolicy} }},
		dictCol("tls_rpt", func(a *Attempt) *string { return &a.TLSRPT }),
		dictCol("tls_kex", func(a *Attempt) *string { return &a.TLSKeyExchange }),
		dictCol("tls_server_sig", func(a *Attempt) *string { return &a.TLSServerSig }),
	}}

var tlsFailuresTable = &factTable[TLSFailure]{name: "tls_failures",
	insert: `INSERT INTO tls_failures (time, host, direction, peer, peer_host, peer_addr, domain, queue_id, recipient,
			kind, rfc8460, detail, deferred, status, names, evidence)
		SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15 FROM pftls_rows(?, ?)`,
	query: `SELECT time, host, direction, peer, peer_host, peer_addr, domain, queue_id, recipient, kind,
			rfc8460, detail, deferred, status, names, evidence FROM tls_failures
			WHERE time >= ? AND time < ? AND (? = '' OR host = ?) ORDER BY time, rowid`, // rowid: ties in the order written (a row's evidence is the earliest failure's)
	cols: []column[TLSFailure]{
		timeCol("time", func(f *TLSFailure) *time.Time { return &f.Time }),
		textCol("host", func(f *TLSFailure) *string { return &f.Host }),
		textCol("direction", func(f *TLSFailure) *logparse.Direction { return &f.Direction }),
		dictCol("peer", func(f *TLSFailure) *string { return &f.Peer }),
		dictCol("peer_host", func(f *TLSFailure) *string { return &f.PeerHost }),
		textCol("peer_addr", func(f *TLSFailure) *string { return &f.PeerAddr }),
		textCol("domain", func(f *TLSFailure) *string { return &f.Domain }),
		textCol("queue_id", func(f *TLSFailure) *string { return &f.QueueID }),
		textCol("recipient", func(f *TLSFailure) *string { return &f.Recipient }),
		textCol("kind", func(f *TLSFailure) *logparse.TLSFailureKind { return &f.Kind }),
		textCol("rfc8460", func(f *TLSFailure) *logparse.RFC8460 { return &f.RFC8460 }),
		dictCol("detail", func(f *TLSFailure) *string { return &f.Detail }),
		boolCol("deferred", func(f *TLSFailure) *bool { return &f.Deferred }),
		textCol("status", func(f *TLSFailure) *logparse.Status { return &f.Status }),
		dictCol("names", func(f *TLSFailure) *string { return &f.Names }),
		textCol("evidence", func(f *TLSFailure) *string { return &f.Evidence }),
	}}

var sessionsTable = &factTable[Session]{name: "sessions",
	insert: `INSERT INTO sessions (start, end, host, service, client, client_name, client_ip, tls_trust, tls_protocol,
			tls_cipher, starttls, tls_failed, tls_error, lost_after, messages, rejects, commands_ok, commands_total, tls_kex)
		SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18 FROM pftls_rows(?, ?)`,
	query: `SELECT start, end, host, service, client, client_name, client_ip, tls_trust, tls_protocol, tls_cipher,
			starttls, tls_failed, tls_error, lost_after, messages, rejects, commands_ok, commands_total, tls_kex FROM sessions
			WHERE start >= ? AND start < ? AND (? = '' OR host = ?) ORDER BY start`,
	cols: []column[Session]{
		timeCol("start", func(s *Session) *time.Time { return &s.Start }),
		timeCol("end", func(s *Session) *time.Time { return &s.End }),
		textCol("host", func(s *Session) *string { return &s.Host }),
		textCol("service", func(s *Session) *string { return &s.Service }),
		textCol("client", func(s *Session) *string { return &s.Client }),
		textCol("client_name", func(s *Session) *string { return &s.ClientName }),
		textCol("client_ip", func(s *Session) *string { return &s.ClientIP }),
		textCol("tls_trust", func(s *Session) *logparse.Trust { return &s.TLSTrust }),
		textCol("tls_protocol", func(s *Session) *string { return &s.TLSProtocol }),
		textCol("tls_cipher", func(s *Session) *string { return &s.TLSCipher }),
		boolCol("starttls", func(s *Session) *bool { return &s.StartTLS }),
		boolCol("tls_failed", func(s *Session) *bool { return &s.TLSFailed }),
		textCol("tls_error", func(s *Session) *string { return &s.TLSError }),
		textCol("lost_after", func(s *Session) *string { return &s.LostAfter }),
		intCol("messages", func(s *Session) *int { return &s.Messages }),
		intCol("rejects", func(s *Session) *int { return &s.Rejects }),
		intCol("commands_ok", func(s *Session) *int { return &s.CommandsOK }),
		intCol("commands_total", func(s *Session) *int { return &s.CommandsTotal }),
		textCol("tls_kex", func(s *Session) *string { return &s.TLSKeyExchange }),
	}}

// sessionCountsTable keys its rows by the minute of First (see
// SessionCount): the minute is derived, never read back.
var sessionCountsTable = &factTable[SessionCount]{name: "session_counts",
	insert: `INSERT INTO session_counts (minute, host, service, tls_trust, tls_protocol, tls_cipher, tls_kex, client_domain,
			sessions, first, last, connect_secs, max_secs)
		SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12 FROM pftls_rows(?, ?) WHERE true
		ON CONFLICT (minute, host, service, tls_trust, tls_protocol, tls_cipher, tls_kex, client_domain) DO UPDATE SET
			sessions = sessions + excluded.sessions, first = min(first, excluded.first), last = max(last, excluded.last),
			connect_secs = connect_secs + excluded.connect_secs, max_secs = max(max_secs, excluded.max_secs)`,
	query: `SELECT minute, host, service, tls_trust, tls_protocol, tls_cipher, tls_kex, client_domain, sessions, first, last,
			connect_secs, max_secs
			FROM session_counts WHERE minute >= ? AND minute <= ? AND first >= ? AND first < ? AND (? = '' OR host = ?)
			ORDER BY minute`,
	cols: []column[SessionCount]{
		column[SessionCount]{name: "minute",
			put:  func(c *SessionCount, r *rowBuffer) { r.int(floorUnits(nanos(c.First), time.Minute)) },
			dest: func(*SessionCount, *dictionary) dest { return ignoreDest{} }},
		textCol("host", func(c *SessionCount) *string { return &c.Host }),
		dictKeyCol("service", func(c *SessionCount) *string { return &c.Service }),
		dictKeyCol("tls_trust", func(c *SessionCount) *logparse.Trust { return &c.TLSTrust }),
		dictKeyCol("tls_protocol", func(c *SessionCount) *string { return &c.TLSProtocol }),
		dictKeyCol("tls_cipher", func(c *SessionCount) *string { return &c.TLSCipher }),
		dictKeyCol("tls_kex", func(c *SessionCount) *string { return &c.TLSKeyExchange }),
		textCol("client_domain", func(c *SessionCount) *string { return &c.ClientDomain }),
		intCol("sessions", func(c *SessionCount) *int64 { return &c.Sessions }),
		timeCol("first", func(c *SessionCount) *time.Time { return &c.First }),
		timeCol("last", func(c *SessionCount) *time.Time { return &c.Last }),
		intCol("connect_secs", func(c *SessionCount) *int64 { return &c.ConnectSeconds }),
		intCol("max_secs", func(c *SessionCount) *int64 { return &c.MaxSeconds }),
	}}

var rejectsTable = &factTable[Reject]{name: "rejects",
	insert: `INSERT INTO rejects (time, host, service, queue_id, action, stage, client, client_name, client_ip, code, dsn,
			reply, reason_class, sender, recipient, helo)
		SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15 FROM pftls_rows(?, ?)`,
	query: `SELECT time, host, service, queue_id, action, stage, client, client_name, client_ip, code, dsn, reply,
			reason_class, sender, recipient, helo FROM rejects
			WHERE time >= ? AND time < ? AND (? = '' OR host = ?) ORDER BY time`,
	cols: []column[Reject]{
		timeCol("time", func(x *Reject) *time.Time { return &x.Time }),
		textCol("host", func(x *Reject) *string { return &x.Host }),
		dictCol("service", func(x *Reject) *string { return &x.Service }),
		textCol("queue_id", func(x *Reject) *string { return &x.QueueID }),
		dictCol("action", func(x *Reject) *logparse.Action { return &x.Action }),
		dictCol("stage", func(x *Reject) *string { return &x.Stage }),
		dictCol("client", func(x *Reject) *string { return &x.Client }),
		dictCol("client_name", func(x *Reject) *string { return &x.ClientName }),
		textCol("client_ip", func(x *Reject) *string { return &x.ClientIP }),
		intCol("code", func(x *Reject) *int { return &x.Code }),
		dictCol("dsn", func(x *Reject) *string { return &x.DSN }),
		dictCol("reply", func(x *Reject) *string { return &x.Reply }),
		dictCol("reason_class", func(x *Reject) *string { return &x.ReasonClass }),
		textCol("sender", func(x *Reject) *string { return &x.From }),
		textCol("recipient", func(x *Reject) *string { return &x.To }),
		dictCol("helo", func(x *Reject) *string { return &x.Helo }),
	}}

var warningsTable = &factTable[Warning]{name: "warnings",
	insert: `INSERT INTO warnings (time, host, program, severity, text, class)
		SELECT c0, c1, c2, c3, c4, c5 FROM pftls_rows(?, ?)`,
	query: `SELECT time, host, program, severity, text, class FROM warnings
			WHERE time >= ? AND time < ? AND (? = '' OR host = ?) ORDER BY time`,
	cols: []column[Warning]{
		timeCol("time", func(w *Warning) *time.Time { return &w.Time }),
		textCol("host", func(w *Warning) *string { return &w.Host }),
		dictCol("program", func(w *Warning) *string { return &w.Program }),
		textCol("severity", func(w *Warning) *logparse.Severity { return &w.Severity }),
		dictCol("text", func(w *Warning) *string { return &w.Text }),
		dictCol("class", func(w *Warning) *string { return &w.Class }),
	}}

var unparsedTable = &factTable[Unparsed]{name: "unparsed",
	insert: `INSERT INTO unparsed (time, host, program, text) SELECT c0, c1, c2, c3 FROM pftls_rows(?, ?)`,
	query: `SELECT time, host, program, text FROM unparsed
			WHERE time >= ? AND time < ? AND (? = '' OR host = ?) ORDER BY time`,
	cols: []column[Unparsed]{
		timeCol("time", func(u *Unparsed) *time.Time { return &u.Time }),
		textCol("host", func(u *Unparsed) *string { return &u.Host }),
		textCol("program", func(u *Unparsed) *string { return &u.Program }),
		textCol("text", func(u *Unparsed) *string { return &u.Text }),
	}}

// lineCountsTable stores the minute as a count of minutes since the
// epoch (schema step 14; an hour counted before it is a row of span 60).
// Its query reads the rows that begin in [?1, ?2] (minutes) on host ?3
// (empty: every host); lineCountsArgs widens a window's start by the
// longest span, and LineCount.Overlaps decides.
var lineCountsTable = &factTable[LineCount]{name: "line_counts",
	insert: `INSERT INTO line_counts (host, minute, span, kind, count) SELECT c0, c1, c2, c3, c4 FROM pftls_rows(?, ?) WHERE true
		ON CONFLICT (minute, host, kind) DO UPDATE SET count = count + excluded.count, span = max(span, excluded.span)`,
	query: `SELECT host, minute, span, kind, count FROM line_counts
			WHERE minute >= ?1 AND minute <= ?2 AND (?3 = '' OR host = ?3)`,
	cols: []column[LineCount]{
		textCol("host", func(c *LineCount) *string { return &c.Host }),
		unitsCol("minute", time.Minute, func(c *LineCount) *time.Time { return &c.Minute }),
		intCol("span", func(c *LineCount) *int64 { return &c.Span }),
		textCol("kind", func(c *LineCount) *logparse.Kind { return &c.Kind }),
		intCol("count", func(c *LineCount) *int64 { return &c.Count }),
	}}

// lineCountSpanMax is the longest span of a line_counts row, in minutes.
const lineCountSpanMax = 60

// lineCountsArgs are lineCountsTable.query's arguments for the window
// [from, to) (Unix ns; unbounded ends as Query.bounds gives them).
func lineCountsArgs(from, to int64, host string) []any {
	lo := floorUnits(from, time.Minute)
	if lo != math.MinInt64 {
		lo -= lineCountSpanMax - 1
	}
	return []any{lo, floorUnits(to, time.Minute), host}
}

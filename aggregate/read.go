package aggregate

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"
)

// Query selects the facts of a report: a time window [From, To) and
// optionally one host.
type Query struct {
	From, To time.Time // zero values mean unbounded
	Host     string
}

func (q Query) bounds() (int64, int64) {
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if !q.From.IsZero() {
		from = q.From.UnixNano()
	}
	if !q.To.IsZero() {
		to = q.To.UnixNano()
	}
	return from, to
}

// Sink receives the facts of a query, one at a time. Attempts arrive in
// time order. A pointer is only valid during the call.
type Sink interface {
	Message(*Message)
	Attempt(*Attempt)
	TLSFailure(*TLSFailure)
	Session(*Session)
	SessionCount(*SessionCount)
	Reject(*Reject)
	Warning(*Warning)
	Unparsed(*Unparsed)
	LineCount(*LineCount)
}

// Scan streams the facts of q to sink: messages alive in the window (so a
// message received before it but delivered or expired inside it is known),
// and everything else that happened inside it.
func (s *Store) Scan(ctx context.Context, q Query, sink Sink) error {
	from, to := q.bounds()
	host := q.Host
	steps := []struct {
		name  string
		query string
		args  []any
		scan  func(*sql.Rows) error
	}{
		{"messages", `SELECT host, queue_id, start, last_seen, origin, client, client_ip, service, sender, has_sender,
			size, nrcpt, message_id, removed, deleted, expired FROM messages
			WHERE start < ? AND last_seen >= ? AND (? = '' OR host = ?)`, []any{to, from, host, host},
			func(r *sql.Rows) error {
				var m Message
				var start, last int64
				var origin string
				if err := r.Scan(&m.Host, &m.QueueID, &start, &last, &origin, &m.Client, &m.ClientIP, &m.Service, &m.Sender,
					&m.HasSender, &m.Size, &m.Nrcpt, &m.MessageID, &m.Removed, &m.Deleted, &m.Expired); err != nil {
					return err
				}
				m.Start, m.LastSeen, m.Origin = fromNanos(start), fromNanos(last), Origin(origin)
				sink.Message(&m)
				return nil
			}},
		{"attempts", `SELECT time, host, queue_id, message_start, service, sender, size, recipient, domain, orig_to, relay,
			relay_host, relay_addr, relay_port, status, dsn, delay, delay_before, delay_queue, delay_connect, delay_xmit,
			reason, reason_class, forwarded, local_hop, tls_trust, tls_protocol, tls_cipher, tls_failure, tls_detail
			FROM attempts WHERE time >= ? AND time < ? AND (? = '' OR host = ?) ORDER BY time`, []any{from, to, host, host},
			func(r *sql.Rows) error {
				var a Attempt
				var t, ms int64
				if err := r.Scan(&t, &a.Host, &a.QueueID, &ms, &a.Service, &a.Sender, &a.Size, &a.Recipient, &a.Domain,
					&a.OrigTo, &a.Relay, &a.RelayHost, &a.RelayAddr, &a.RelayPort, &a.Status, &a.DSN, &a.Delay,
					&a.Delays[0], &a.Delays[1], &a.Delays[2], &a.Delays[3], &a.Reason, &a.ReasonClass, &a.Forwarded,
					&a.LocalHop, &a.TLSTrust, &a.TLSProtocol, &a.TLSCipher, &a.TLSFailure, &a.TLSDetail); err != nil {
					return err
				}
				a.Time, a.MessageStart = fromNanos(t), fromNanos(ms)
				sink.Attempt(&a)
				return nil
			}},
		{"tls failures", `SELECT time, host, direction, peer, peer_host, peer_addr, domain, queue_id, recipient, kind,
			rfc8460, detail, deferred, status, names, evidence FROM tls_failures
			WHERE time >= ? AND time < ? AND (? = '' OR host = ?) ORDER BY time`, []any{from, to, host, host},
			func(r *sql.Rows) error {
				var f TLSFailure
				var t int64
				if err := r.Scan(&t, &f.Host, &f.Direction, &f.Peer, &f.PeerHost, &f.PeerAddr, &f.Domain, &f.QueueID,
					&f.Recipient, &f.Kind, &f.RFC8460, &f.Detail, &f.Deferred, &f.Status, &f.Names, &f.Evidence); err != nil {
					return err
				}
				f.Time = fromNanos(t)
				sink.TLSFailure(&f)
				return nil
			}},
		{"sessions", `SELECT start, end, host, service, client, client_name, client_ip, tls_trust, tls_protocol, tls_cipher,
			starttls, tls_failed, tls_error, lost_after, messages, rejects, commands_ok, commands_total FROM sessions
			WHERE start >= ? AND start < ? AND (? = '' OR host = ?) ORDER BY start`, []any{from, to, host, host},
			func(r *sql.Rows) error {
				var x Session
				var st, en int64
				if err := r.Scan(&st, &en, &x.Host, &x.Service, &x.Client, &x.ClientName, &x.ClientIP, &x.TLSTrust,
					&x.TLSProtocol, &x.TLSCipher, &x.StartTLS, &x.TLSFailed, &x.TLSError, &x.LostAfter, &x.Messages,
					&x.Rejects, &x.CommandsOK, &x.CommandsTotal); err != nil {
					return err
				}
				x.Start, x.End = fromNanos(st), fromNanos(en)
				sink.Session(&x)
				return nil
			}},
		{"session counts", `SELECT host, service, tls_trust, tls_protocol, tls_cipher, sessions, first, last
			FROM session_counts WHERE minute >= ? AND minute <= ? AND first >= ? AND first < ? AND (? = '' OR host = ?)
			ORDER BY minute`,
			[]any{floorUnits(from, time.Minute), floorUnits(to, time.Minute), from, to, host, host},
			func(r *sql.Rows) error {
				var x SessionCount
				var first, last int64
				if err := r.Scan(&x.Host, &x.Service, &x.TLSTrust, &x.TLSProtocol, &x.TLSCipher, &x.Sessions,
					&first, &last); err != nil {
					return err
				}
				x.First, x.Last = fromNanos(first), fromNanos(last)
				sink.SessionCount(&x)
				return nil
			}},
		{"rejects", `SELECT time, host, service, queue_id, action, stage, client, client_name, client_ip, code, dsn, reply,
			reason_class, sender, recipient, helo FROM rejects
			WHERE time >= ? AND time < ? AND (? = '' OR host = ?) ORDER BY time`, []any{from, to, host, host},
			func(r *sql.Rows) error {
				var x Reject
				var t int64
				if err := r.Scan(&t, &x.Host, &x.Service, &x.QueueID, &x.Action, &x.Stage, &x.Client, &x.ClientName,
					&x.ClientIP, &x.Code, &x.DSN, &x.Reply, &x.ReasonClass, &x.From, &x.To, &x.Helo); err != nil {
					return err
				}
				x.Time = fromNanos(t)
				sink.Reject(&x)
				return nil
			}},
		{"warnings", `SELECT time, host, program, severity, text, class FROM warnings
			WHERE time >= ? AND time < ? AND (? = '' OR host = ?) ORDER BY time`, []any{from, to, host, host},
			func(r *sql.Rows) error {
				var x Warning
				var t int64
				if err := r.Scan(&t, &x.Host, &x.Program, &x.Severity, &x.Text, &x.Class); err != nil {
					return err
				}
				x.Time = fromNanos(t)
				sink.Warning(&x)
				return nil
			}},
		{"unparsed", `SELECT time, host, program, text FROM unparsed
			WHERE time >= ? AND time < ? AND (? = '' OR host = ?) ORDER BY time`, []any{from, to, host, host},
			func(r *sql.Rows) error {
				var x Unparsed
				var t int64
				if err := r.Scan(&t, &x.Host, &x.Program, &x.Text); err != nil {
					return err
				}
				x.Time = fromNanos(t)
				sink.Unparsed(&x)
				return nil
			}},
		{"line counts", `SELECT host, hour, kind, count FROM line_counts
			WHERE hour >= ? AND hour <= ? AND (? = '' OR host = ?)`, []any{floorUnits(from, time.Hour), floorUnits(to, time.Hour), host, host},
			func(r *sql.Rows) error {
				var x LineCount
				var h int64
				if err := r.Scan(&x.Host, &h, &x.Kind, &x.Count); err != nil {
					return err
				}
				x.Hour = time.Unix(h*3600, 0).UTC()
				sink.LineCount(&x)
				return nil
			}},
	}
	for _, st := range steps {
		if err := s.scanRows(ctx, st.name, st.query, st.args, st.scan); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) scanRows(ctx context.Context, name, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return s.wrapOpenErr("read "+name, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return s.wrapOpenErr("read "+name, err)
		}
	}
	if err := rows.Err(); err != nil {
		return s.wrapOpenErr("read "+name, err)
	}
	return nil
}

// floorUnits is n Unix nanoseconds as a count of whole units (hours,
// minutes) since the epoch, rounded down; the unbounded ends of a query
// (math.MinInt64, math.MaxInt64) stay unbounded.
func floorUnits(n int64, unit time.Duration) int64 {
	if n == math.MinInt64 || n == math.MaxInt64 {
		return n
	}
	u := int64(unit)
	q := n / u
	if n < 0 && n%u != 0 {
		q--
	}
	return q
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// Span returns the window that covers everything stored (the first and just
// after the last fact) and the hosts seen: what "--all" covers.
func (s *Store) Span(ctx context.Context, host string) (first, last time.Time, hosts []string, err error) {
	var lo, hi sql.NullInt64
	err = s.db.QueryRowContext(ctx, `SELECT MIN(lo), MAX(hi) FROM (
			SELECT MIN(start) AS lo, MAX(last_seen) AS hi FROM messages WHERE (? = '' OR host = ?)
			UNION ALL SELECT MIN(time), MAX(time) FROM attempts WHERE (? = '' OR host = ?)
			UNION ALL SELECT MIN(start), MAX(end) FROM sessions WHERE (? = '' OR host = ?)
			UNION ALL SELECT MIN(first), MAX(last) FROM session_counts WHERE (? = '' OR host = ?)
			UNION ALL SELECT MIN(time), MAX(time) FROM rejects WHERE (? = '' OR host = ?)
			UNION ALL SELECT MIN(time), MAX(time) FROM warnings WHERE (? = '' OR host = ?)
			UNION ALL SELECT MIN(time), MAX(time) FROM tls_failures WHERE (? = '' OR host = ?)
			UNION ALL SELECT MIN(time), MAX(time) FROM unparsed WHERE (? = '' OR host = ?))`,
		host, host, host, host, host, host, host, host, host, host, host, host, host, host, host, host).Scan(&lo, &hi)
	if err != nil {
		return first, last, nil, s.wrapOpenErr("read span", err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT host FROM line_counts WHERE (? = '' OR host = ?) ORDER BY host`, host, host)
	if err != nil {
		return first, last, nil, s.wrapOpenErr("read hosts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return first, last, nil, fmt.Errorf("%s: read hosts: %w", s.path, err)
		}
		hosts = append(hosts, h)
	}
	if lo.Valid {
		first = fromNanos(lo.Int64)
		last = fromNanos(hi.Int64 + int64(time.Second)) // [first, last): include the last second
	}
	return first, last, hosts, rows.Err()
}

// LastGoodTLS returns, for each domain, the time of its last delivery over
// TLS without a TLS failure before the given time: what a failure started
// after.
func (s *Store) LastGoodTLS(ctx context.Context, domains []string, before time.Time, host string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	asked := map[string]bool{}
	for _, d := range domains {
		if asked[d] {
			continue // a domain has a row per failure kind: one query each
		}
		asked[d] = true
		var t sql.NullInt64
		err := s.db.QueryRowContext(ctx, `SELECT MAX(time) FROM attempts
			WHERE domain = ? AND time < ? AND status = 'sent' AND tls_trust != '' AND tls_failure = ''
			AND (? = '' OR host = ?)`, d, before.UnixNano(), host, host).Scan(&t)
		if err != nil {
			return nil, s.wrapOpenErr("read TLS history of "+d, err)
		}
		if t.Valid {
			out[d] = fromNanos(t.Int64)
		}
	}
	return out, nil
}

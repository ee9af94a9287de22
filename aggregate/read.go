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
	window := []any{from, to, host, host}
	steps := []struct {
		name  string
		query string
		args  []any
		scan  func(*sql.Rows) error
	}{
		{"messages", messagesTable.query, []any{to, from, host, host}, scanEach(messagesTable, sink.Message)},
		{"attempts", attemptsTable.query, window, scanEach(attemptsTable, sink.Attempt)},
		{"tls failures", tlsFailuresTable.query, window, scanEach(tlsFailuresTable, sink.TLSFailure)},
		{"sessions", sessionsTable.query, window, scanEach(sessionsTable, sink.Session)},
		{"session counts", sessionCountsTable.query,
			[]any{floorUnits(from, time.Minute), floorUnits(to, time.Minute), from, to, host, host},
			scanEach(sessionCountsTable, sink.SessionCount)},
		{"rejects", rejectsTable.query, window, scanEach(rejectsTable, sink.Reject)},
		{"warnings", warningsTable.query, window, scanEach(warningsTable, sink.Warning)},
		{"unparsed", unparsedTable.query, window, scanEach(unparsedTable, sink.Unparsed)},
		{"line counts", lineCountsTable.query,
			[]any{floorUnits(from, time.Hour), floorUnits(to, time.Hour), host, host}, scanEach(lineCountsTable, sink.LineCount)},
	}
	for _, st := range steps {
		if err := s.scanRows(ctx, st.name, st.query, st.args, st.scan); err != nil {
			return err
		}
	}
	return nil
}

// scanEach reads each row of t into a fact and hands it to add.
func scanEach[T any](t *factTable[T], add func(*T)) func(*sql.Rows) error {
	sc := t.scanner()
	return func(r *sql.Rows) error {
		x, err := sc.scan(r)
		if err != nil {
			return err
		}
		add(x)
		return nil
	}
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

// lastGoodTLSQuery is the time of a domain's last good TLS delivery
// (goodTLSCondition) before a time.
const lastGoodTLSQuery = `SELECT MAX(time) FROM attempts
	WHERE domain = ? AND time < ? AND status = 'sent' AND tls_failure = '' AND (tls_trust != '' OR (tls_policy != ''
		AND tls_policy NOT LIKE '!%' AND tls_policy NOT LIKE 'requiretls%'
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT IN ('none', 'unknown')
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT LIKE '%?'
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT LIKE '%:none'
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT LIKE '%:unknown'))
	AND (? = '' OR host = ?)`

// LastGoodTLS returns, for each domain, the time of its last delivery over
// TLS without a TLS failure before the given time: what a failure started
// after.
//
// The rule is Attempt.GoodTLS; the query holds it as goodTLSCondition.
func (s *Store) LastGoodTLS(ctx context.Context, domains []string, before time.Time, host string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	asked := map[string]bool{}
	for _, d := range domains {
		if asked[d] {
			continue // a domain has a row per failure kind: one query each
		}
		asked[d] = true
		var t sql.NullInt64
		err := s.db.QueryRowContext(ctx, lastGoodTLSQuery, d, before.UnixNano(), host, host).Scan(&t)
		if err != nil {
			return nil, s.wrapOpenErr("read TLS history of "+d, err)
		}
		if t.Valid {
			out[d] = fromNanos(t.Int64)
		}
	}
	return out, nil
}

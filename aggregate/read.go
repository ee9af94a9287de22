package aggregate

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pftls/pftls/logparse"
)

// Query selects the facts of a report: a time window [From, To) and
// optionally one host and one destination domain.
type Query struct {
	From, To time.Time // zero values mean unbounded
	Host     string
	// Domain, when set, lets the store leave out the attempts and the
	// rollups of other destination domains (not their TLS failures, which
	// a report sees before it looks at their domain): those whose
	// domain is not Domain in ASCII case folding. It keeps a superset of
	// what strings.EqualFold keeps (every domain that is not all
	// printable ASCII; nothing is left out for a Domain that is not), so
	// the sink filters exactly; and the received messages of a bounded
	// window (scanMessages). Other facts are not filtered.
	Domain string
}

// domainArg is the parameter (?5) of a query's domain condition: a row
// is kept when it is empty, when the row's domain is it in ASCII case
// folding (COLLATE NOCASE), or when the row's domain is not all printable
// ASCII (GLOB '*[^ -~]*').
func (q Query) domainArg() string {
	if !ascii(q.Domain) {
		return "" // SQLite folds only ASCII: filter nothing
	}
	return q.Domain
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

// Scan streams the facts of q to sink: the messages of the window (see
// scanMessages: so that a message received before it but expired inside
// it is known), and everything else that happened inside it.
func (s *Store) Scan(ctx context.Context, q Query, sink Sink) error {
	from, to := q.bounds()
	if err := s.scanMessages(ctx, q, sink.Message); err != nil {
		return err
	}
	if err := s.scanRows(ctx, "attempts", attemptsTable.query, q.ofDomain(from, to), scanEach(s.dict, attemptsTable, sink.Attempt)); err != nil {
		return err
	}
	return s.scanRest(ctx, q, sink)
}

// ofDomain are the parameters of a query of the range [from, to) (Unix
// nanoseconds or hours) of q's host and destination domain.
func (q Query) ofDomain(from, to int64) []any {
	return []any{from, to, q.Host, q.Host, q.domainArg()}
}

// scanRest streams the facts of a window other than messages and
// attempts: what Scan and ScanRollups read alike.
func (s *Store) scanRest(ctx context.Context, q Query, sink Sink) error {
	from, to := q.bounds()
	host := q.Host
	window := []any{from, to, host, host}
	steps := []struct {
		name  string
		query string
		args  []any
		scan  rowReader
	}{
		{"tls failures", tlsFailuresTable.query, window, scanEach(s.dict, tlsFailuresTable, sink.TLSFailure)},
		{"sessions", sessionsTable.query, window, scanEach(s.dict, sessionsTable, sink.Session)},
		{"session counts", sessionCountsTable.query,
			[]any{floorUnits(from, time.Minute), floorUnits(to, time.Minute), from, to, host, host},
			scanEach(s.dict, sessionCountsTable, sink.SessionCount)},
		{"rejects", rejectsTable.query, window, scanEach(s.dict, rejectsTable, sink.Reject)},
		{"warnings", warningsTable.query, window, scanEach(s.dict, warningsTable, sink.Warning)},
		{"unparsed", unparsedTable.query, window, scanEach(s.dict, unparsedTable, sink.Unparsed)},
		{"line counts", lineCountsTable.query, lineCountsArgs(from, to, host), scanEach(s.dict, lineCountsTable, sink.LineCount)},
	}
	for _, st := range steps {
		if err := s.scanRows(ctx, st.name, st.query, st.args, st.scan); err != nil {
			return err
		}
	}
	return nil
}

// rowReader reads the rows of a query, each as ncol values.
type rowReader struct {
	ncol int
	each func([]value) error
}

// scanEach reads each row of t into a fact and hands it to add.
func scanEach[T any](d *dictionary, t *factTable[T], add func(*T)) rowReader {
	sc := t.scanner(d)
	return rowReader{ncol: len(t.cols), each: func(vals []value) error {
		x, err := sc.scan(vals)
		if err != nil {
			return err
		}
		add(x)
		return nil
	}}
}

// scanRows reads the rows of query, in chunks (chunks.go), into r; name
// says what they are in an error.
func (s *Store) scanRows(ctx context.Context, name, query string, args []any, r rowReader) error {
	if err := eachPacked(ctx, s.db, query, args, r.ncol, r.each); err != nil {
		return s.wrapOpenErr("read "+name, err)
	}
	return nil
}

// eachRow runs query on db and hands each row to each, stopping at the
// first error.
func eachRow(ctx context.Context, db *sql.DB, query string, args []any, each func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
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

// LinesStored are the Postfix log lines of the minutes in [from, to)
// the store read (not those of other programs, nor malformed ones: as the
// report's Lines.Postfix), of host, or of every host when it is empty:
// the counters prune --keep-facts keeps. The minutes are those
// LineCount.Overlaps counts in the window.
type LinesStored struct {
	Postfix       int64
	NotUnderstood int64     // of them: unparsed
	First, Last   time.Time // the first and the last minute with one (zero: none)
}

// LinesStored counts the lines stored of [from, to) on host.
func (s *Store) LinesStored(ctx context.Context, from, to time.Time, host string) (LinesStored, error) {
	var n LinesStored
	err := s.scanRows(ctx, "line counts", lineCountsTable.query, lineCountsArgs(from.UnixNano(), to.UnixNano(), host),
		scanEach(s.dict, lineCountsTable, func(c *LineCount) {
			if !c.Overlaps(from, to) || c.Kind == logparse.KindForeign || c.Kind == logparse.KindMalformed {
				return
			}
			n.Postfix += c.Count
			if c.Kind == logparse.KindUnparsed {
				n.NotUnderstood += c.Count
			}
			if n.First.IsZero() || c.Minute.Before(n.First) {
				n.First = c.Minute
			}
			if last := c.End().Add(-time.Minute); last.After(n.Last) {
				n.Last = last
			}
		}))
	return n, err
}

// LastLine is the minute of the newest line stored of host (empty: every
// host), lines without a syslog envelope aside; zero when none is. Of an
// hour counted whole (before schema step 14) it is the hour's last minute.
func (s *Store) LastLine(ctx context.Context, host string) (time.Time, error) {
	var minute int64
	err := s.db.QueryRowContext(ctx, `SELECT minute + span - 1 FROM line_counts WHERE (?1 = '' OR host = ?1) AND kind != ?2
		ORDER BY minute DESC LIMIT 1`, host, string(logparse.KindMalformed)).Scan(&minute)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return time.Time{}, nil
	case err != nil:
		return time.Time{}, s.wrapOpenErr("read the newest line's minute", err)
	}
	return time.Unix(minute*60, 0).UTC(), nil
}

// Span returns the window that covers everything stored (the first and just
// after the last fact): what "--all" covers. The hosts are Hosts.
func (s *Store) Span(ctx context.Context, host string) (first, last time.Time, err error) {
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
		return first, last, s.wrapOpenErr("read span", err)
	}
	if lo.Valid {
		first = fromNanos(lo.Int64)
		last = fromNanos(hi.Int64 + int64(time.Second)) // [first, last): include the last second
	}
	return first, last, nil
}

// TLSLogged reports whether host (empty: any host) had a delivery whose
// TLS was logged (Attempt.TLSLogged) in tlsLoggedSpan of the window
// [from, to), from the hourly rollups of the plain deliveries (whole
// hours). It stops at the first such delivery: a probe, not a scan.
func (s *Store) TLSLogged(ctx context.Context, host string, from, to time.Time) (bool, error) {
	spanFrom, spanTo := tlsLoggedSpan(from, to)
	lo, hi := Query{From: spanFrom, To: spanTo}.bounds()
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM rollup_delivered WHERE hour >= ?1 AND hour <= ?2 AND (?3 = '' OR host = ?3)
		AND (tls_trust != '' OR tls_policy != '') LIMIT 1`, floorUnits(lo, time.Hour), floorUnits(hi, time.Hour), host).Scan(&one)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	case err != nil:
		return false, s.wrapOpenErr("look for a delivery whose TLS was logged", err)
	}
	return true, nil
}

// Hosts are the hosts the store holds lines of, sorted.
func (s *Store) Hosts(ctx context.Context) ([]string, error) {
	var hosts []string
	// Not "": the lines without a syslog envelope before any host.
	err := eachRow(ctx, s.db, `SELECT DISTINCT host FROM line_counts WHERE host != '' ORDER BY host`, nil, func(rows *sql.Rows) error {
		var h string
		err := rows.Scan(&h)
		hosts = append(hosts, h)
		return err
	})
	if err != nil {
		return nil, s.wrapOpenErr("read hosts", err)
	}
	return hosts, nil
}

// ErrUnknownHost is the error of a host no line read was logged by.
var ErrUnknownHost = errors.New("no log line of that host was read")

// UnknownHostError is ErrUnknownHost with the hosts the lines are of.
type UnknownHostError struct {
	Host  string
	Hosts []string
}

func (e *UnknownHostError) Error() string {
	return fmt.Sprintf("%s: %v (hosts: %s)", e.Host, ErrUnknownHost, strings.Join(e.Hosts, ", "))
}

func (e *UnknownHostError) Unwrap() error { return ErrUnknownHost }

// Host is the host named as the store holds it: host itself, or the one
// whose name differs from it only in case (host names are not case
// sensitive, the queries are). A host it holds no line of is
// ErrUnknownHost, naming the hosts it holds: a misspelt --host would
// otherwise read as a window without a line.
func (s *Store) Host(ctx context.Context, host string) (string, error) {
	hosts, err := s.Hosts(ctx)
	if err != nil {
		return "", err
	}
	return MatchHost(hosts, host)
}

// MatchHost is host as hosts (the hosts lines were read of) spell it:
// host itself, or the one whose name differs from it only in case. A host
// not among them is an UnknownHostError naming them, unless there are
// none: with no line read at all (a log just rotated, a new database) the
// flag is not what is wrong, and the empty window says what is.
func MatchHost(hosts []string, host string) (string, error) {
	if len(hosts) == 0 {
		return host, nil
	}
	if slices.Contains(hosts, host) {
		return host, nil
	}
	for _, h := range hosts {
		if strings.EqualFold(h, host) {
			return h, nil
		}
	}
	return "", &UnknownHostError{Host: host, Hosts: hosts}
}

// LastGoodTLS returns, for each domain, the time of its last delivery over
// TLS without a TLS failure before the given time: what a failure started
// after. The whole hours before are read from rollup_last_good, the part
// of an hour before the time from the attempts.
//
// The rule is Attempt.GoodTLS; the queries hold it as goodTLSCondition.
func (s *Store) LastGoodTLS(ctx context.Context, domains []string, before time.Time, host string) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	asked := map[string]bool{}
	cut := before.UnixNano()
	hour := floorUnits(cut, time.Hour)
	for _, d := range domains {
		if asked[d] {
			continue // a domain has a row per failure kind: one query each
		}
		asked[d] = true
		var t sql.NullInt64
		err := s.db.QueryRowContext(ctx, lastGoodHoursQuery, d, hour, host, host).Scan(&t)
		if err != nil {
			return nil, s.wrapOpenErr("read TLS history of "+d, err)
		}
		if t.Valid {
			out[d] = fromNanos(t.Int64)
		}
	}
	if hourStart := hour * int64(time.Hour); hourStart < cut && len(asked) > 0 {
		err := s.scanRows(ctx, "TLS history", lastGoodPartQuery, []any{hourStart, cut, host, host}, rowReader{ncol: 2, each: func(vals []value) error {
			d, err := vals[0].text()
			if err != nil {
				return err
			}
			t, err := vals[1].int()
			if err != nil {
				return err
			}
			if asked[d] {
				out[d] = fromNanos(t) // later than any whole hour before
			}
			return nil
		}})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ascii reports whether s is all ASCII.
func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// messagesReceivedQuery is messagesTable.query for the messages received
// in a window [?1, ?2) on host ?3 (empty: every host): a range of the
// primary key, read in order.
const messagesReceivedQuery = `SELECT host, queue_id, start, last_seen, origin, client, client_ip, service, sender, has_sender,
			size, nrcpt, message_id, removed, deleted, expired FROM messages
			WHERE start >= ?1 AND start < ?2 AND (?3 = '' OR host = ?3)`

// messagesEndedQuery is messagesTable.query for the messages alive at or
// after ?1, begun before ?2, that expired or were deleted, on host ?3
// (empty: every host), through the index of just those.
const messagesEndedQuery = `SELECT host, queue_id, start, last_seen, origin, client, client_ip, service, sender, has_sender,
			size, nrcpt, message_id, removed, deleted, expired FROM messages INDEXED BY messages_ended
			WHERE (expired != 0 OR deleted != 0) AND last_seen >= ?1 AND +start < ?2 AND (?3 = '' OR host = ?3)`

// scanMessages reads the messages of q's window into add. Of a window
// without a start or an end that is every message alive in it, so that
// the sink knows the times of the first and the last. Of a bounded
// window it is the messages received in it and, of those begun before
// it, only the ones that expired or were deleted: a sink uses nothing
// else of those (report.Builder.Message, report.Metrics), and on a busy
// server they are mostly messages deferred for days. A domain's query
// (q.Domain) reads no received messages either: a message has no
// destination domain of its own.
func (s *Store) scanMessages(ctx context.Context, q Query, add func(*Message)) error {
	from, to := q.bounds()
	read := scanEach(s.dict, messagesTable, add)
	switch {
	case q.From.IsZero() || q.To.IsZero():
		return s.scanRows(ctx, "messages", messagesTable.query, []any{to, from, q.Host, q.Host}, read)
	case q.Domain != "":
		return s.scanRows(ctx, "ended messages", messagesEndedQuery, []any{from, to, q.Host}, read)
	}
	if err := s.scanRows(ctx, "messages", messagesReceivedQuery, []any{from, to, q.Host}, read); err != nil {
		return err
	}
	return s.scanRows(ctx, "ended messages", messagesEndedQuery, []any{from, from, q.Host}, read)
}

// RollupSink receives what ScanRollups reads: facts as Sink does, the
// rollups of whole hours, and Resolution (see ScanRollups).
type RollupSink interface {
	Sink
	Delivered(*DeliveredGroup)
	Recipients(*RecipientGroup)
	// Resolution is a plain delivery, already counted in Delivered and
	// Recipients, of a message that had a deferral in the window: only
	// for "deferred, later delivered". Resolutions come after every
	// attempt, not in time order.
	Resolution(*Attempt)
}

// segment is a part [from, to) of a report's window, read from the
// rollups (whole hours) or from the facts.
type segment struct {
	from, to int64
	rollup   bool
}

// segments cuts [from, to) into runs of whole hours that rollup says the
// rollups may serve, and the rest.
func segments(from, to int64, rollup func(hour time.Time) bool) []segment {
	var out []segment
	add := func(a, b int64, r bool) {
		if a >= b {
			return
		}
		if n := len(out); n > 0 && out[n-1].rollup == r && out[n-1].to == a {
			out[n-1].to = b
			return
		}
		out = append(out, segment{a, b, r})
	}
	const hour = int64(time.Hour)
	h0 := floorUnits(from, time.Hour)
	if h0*hour < from {
		h0++
	}
	h1 := floorUnits(to, time.Hour)
	if h0 >= h1 {
		add(from, to, false)
		return out
	}
	add(from, h0*hour, false)
	for h := h0; h < h1; h++ {
		add(h*hour, (h+1)*hour, rollup(time.Unix(h*3600, 0).UTC()))
	}
	add(h1*hour, to, false)
	return out
}

// ScanRollups streams a window's facts to sink as Scan does, except that
// the plain deliveries (Attempt.RolledUp) of the whole hours rollup allows
// come as the rollups of those hours (see rollup.go). A window without a
// start or an end is read as Scan reads it.
func (s *Store) ScanRollups(ctx context.Context, q Query, rollup func(hour time.Time) bool, sink RollupSink) error {
	if q.From.IsZero() || q.To.IsZero() {
		return s.Scan(ctx, q, sink)
	}
	from, to := q.bounds()
	host := q.Host
	if err := s.scanMessages(ctx, q, sink.Message); err != nil {
		return err
	}
	// Attempts in time order, segment by segment; the deferred
	// recipients, for the resolutions.
	deferred := map[deferredRecipient]bool{}
	noteDeferred := func(a *Attempt) {
		// A recipient deferred again and again is copied once, and not
		// stored again (which would store the key, the row's text, again).
		if k := (deferredRecipient{nanos(a.MessageStart), a.Recipient}); a.Outcome() == OutcomeDeferred && !deferred[k] {
			k.recipient = strings.Clone(k.recipient)
			deferred[k] = true
		}
		sink.Attempt(a)
	}
	segs := segments(from, to, rollup)
	for _, sg := range segs {
		window := q.ofDomain(sg.from, sg.to)
		if !sg.rollup {
			if err := s.scanRows(ctx, "attempts", attemptsTable.query, window, scanEach(s.dict, attemptsTable, noteDeferred)); err != nil {
				return err
			}
			continue
		}
		if err := s.scanRows(ctx, "attempts", problemAttemptsQuery, window, scanEach(s.dict, attemptsTable, noteDeferred)); err != nil {
			return err
		}
		hours := q.ofDomain(floorUnits(sg.from, time.Hour), floorUnits(sg.to, time.Hour))
		if err := s.scanRows(ctx, "delivery rollups", deliveredTable.query, hours, scanEach(s.dict, deliveredTable, sink.Delivered)); err != nil {
			return err
		}
		if err := s.scanRows(ctx, "recipient rollups", recipientsTable.query, hours, scanEach(s.dict, recipientsTable, sink.Recipients)); err != nil {
			return err
		}
	}
	keys := slices.SortedFunc(maps.Keys(deferred), compareDeferral)
	if err := s.scanResolutions(ctx, keys, rowBufferLimit, segs, host, sink.Resolution); err != nil {
		return err
	}
	return s.scanRest(ctx, q, sink)
}

// deferredRecipient is a recipient (as written) deferred in a report's window, and
// the start of its message.
type deferredRecipient struct {
	start     int64
	recipient string
}

// compareDeferral orders deferrals as the index resolutions probe is:
// each probe then finds its pages near the last one's rather than
// anywhere in a store of weeks.
func compareDeferral(a, b deferredRecipient) int {
	return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.recipient, b.recipient))
}

// scanResolutions reads the plain deliveries of the rollup segments that
// may end the deferrals keys (sorted by compareDeferral), a blob of at
// most about limit bytes of them at a time (rowBufferLimit; at least one
// recipient): the driver and pftls_rows each copy a query's blob into C
// memory, and a week of a busy server defers a million recipients (40 MB
// of blob, three times over, was the peak of its report's memory).
func (s *Store) scanResolutions(ctx context.Context, keys []deferredRecipient, limit int, segs []segment, host string, add func(*Attempt)) error {
	r := newRowBuffer(nil)
	for len(keys) > 0 {
		r.reset()
		n := 0
		for n < len(keys) && (n == 0 || len(r.b) < limit) {
			d := &keys[n]
			r.int(d.start)
			r.text(d.recipient)
			r.bool(!ascii(d.recipient))
			n++
		}
		clear(keys[:n]) // their texts are in the blob now
		keys = keys[n:]
		for _, sg := range segs {
			if !sg.rollup {
				continue // a segment read from the facts brought its plain deliveries
			}
			args := []any{r.b, sg.from, sg.to, host}
			if err := s.scanRows(ctx, "resolutions", resolutionsQuery, args, scanEach(s.dict, attemptsTable, add)); err != nil {
				return err
			}
		}
	}
	return nil
}

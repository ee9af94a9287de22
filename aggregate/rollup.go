package aggregate

import (
	"math"
	"time"

	"github.com/pftls/pftls/logparse"
)

// Rollups: what a report reads instead of the facts of whole hours.
//
// A report used to read back every fact of its window (Scan), so that its
// cost grew with the log, not with what it shows. Most of a window's facts
// are plain deliveries: status=sent lines, not forwarded, with no TLS
// failure (Attempt.RolledUp). For them the store keeps, per hour, two
// rollups, written in the same transaction as the attempts they sum
// (Pack), so that after a crash both or neither are there:
//
//   - rollup_delivered: per hour, host, domain and every attempt field the
//     report counts by (service, whether a server was reached, local hop,
//     TLS trust, protocol, cipher, tls= policy, TLSRPT result, key
//     exchange, server signature): the attempts, their bytes, the sum of
//     their delays in microseconds (an integer, so that sums are the same
//     in any order) and the largest delay; the first and last time.
//   - rollup_recipients: per hour, host, domain and recipient as written:
//     the attempts and their bytes (the report's distinct recipients and
//     its recipients by count and by size).
//   - rollup_last_good: per domain, hour and host, the time of the last
//     good TLS delivery (Attempt.GoodTLS), for a TLS failure's "last good
//     before the window" (Store.LastGoodTLS), which otherwise searched
//     the attempts back to the first one for a domain that never had one.
//
// Attempts are only ever inserted, never rewritten (they have no key to
// upsert by): a rollup is the exact sum of its hour's plain deliveries, as
// long as the facts and the rollups are written together. The schema step
// that creates them (11) fills them from the attempts already stored.
//
// A report over [from, to) (Store.ScanRollups) reads:
//   - whole hours the report lets rollups serve (its zone puts every
//     instant of the hour on one local hour and day): the rollups, and from
//     the facts only the attempts that are not plain deliveries (an index
//     holds just those: what the report shows in detail — deferrals,
//     bounces, TLS failures — costs what it shows);
//   - the ragged edges of the window and hours a rollup cannot serve: every
//     attempt, as before;
//   - the plain deliveries of recipients deferred earlier in the window
//     ("later delivered"), found by the messages they belong to
//     (Resolution);
//   - every other fact (messages, sessions, rejects, ...) as Scan does.
//
// The report's numbers are the same either way: report/build.go counts a
// group of n plain deliveries with the same code as n single ones, and a
// test (TestReportFromRollupsEqualsFacts) holds the two equal, and equal to
// a report made with no database.

// RolledUp reports whether the attempt is a plain delivery, counted in the
// rollups: status=sent, not a local "forwarded as", with no TLS failure.
// The index attempts_problems holds every other attempt; its condition is
// this rule in SQL (TestRolledUpRuleInSQL).
func (a *Attempt) RolledUp() bool {
	return a.Outcome() == OutcomeDelivered && a.TLSFailure == ""
}

// DelayMicros is a delay in whole microseconds, how the rollups add delays
// up: integer sums are the same in any order, float sums are not.
func DelayMicros(delay float64) int64 { return int64(math.Round(delay * 1e6)) }

// DeliveredGroup is a rollup_delivered row: N plain deliveries of one hour
// that agree on every field the report counts them by.
type DeliveredGroup struct {
	Hour           time.Time
	Host           string
	Domain         string
	Service        string
	Relayed        bool // a server address was reached (RelayAddr != "")
	LocalHop       bool
	TLSTrust       logparse.Trust
	TLSProtocol    string
	TLSCipher      string
	TLSPolicy      logparse.TLSPolicy
	TLSRPT         string
	TLSKeyExchange string
	TLSServerSig   string
	N              int64
	Bytes          int64
	DelayMicros    int64   // the sum of their delays
	DelayMax       float64 // the largest delay
	First, Last    time.Time
}

// relayedAddr stands for the relay address of a group's attempts: the
// rollup keeps only whether there was one.
const relayedAddr = "(relayed)"

// Attempt is one attempt that stands for the group: the fields the group
// is keyed by, status=sent, and the time of the first. Its RelayAddr is a
// placeholder when Relayed; it has no recipient, size or delay.
func (g *DeliveredGroup) Attempt() Attempt {
	a := Attempt{Time: g.First, Host: g.Host, Domain: g.Domain, Service: g.Service, Status: logparse.StatusSent,
		LocalHop: g.LocalHop, TLSTrust: g.TLSTrust, TLSProtocol: g.TLSProtocol, TLSCipher: g.TLSCipher,
		TLSPolicy: g.TLSPolicy, TLSRPT: g.TLSRPT, TLSKeyExchange: g.TLSKeyExchange, TLSServerSig: g.TLSServerSig}
	if g.Relayed {
		a.RelayAddr = relayedAddr
	}
	return a
}

// deliveredKey is what rollup_delivered is keyed by.
type deliveredKey struct {
	hour                               int64
	host, domain, service              string
	relayed, localHop                  bool
	trust                              logparse.Trust
	policy                             logparse.TLSPolicy // the value: its text is made once a row, when written
	protocol, cipher, rpt, kex, sigAlg string
}

// RecipientGroup is a rollup_recipients row: N plain deliveries of one
// hour to one recipient (as written) of one host.
type RecipientGroup struct {
	Hour      time.Time
	Host      string
	Domain    string
	Recipient string
	N         int64
	Bytes     int64
}

type recipientKey struct {
	hour                    int64
	host, domain, recipient string
}

// lastGood is a rollup_last_good row.
type lastGood struct {
	domain, host string
	hour         int64
	last         time.Time
}

// rollups are the rollup rows of a batch's attempts, in the order first
// seen (so that packing is deterministic).
type rollups struct {
	delivered  []DeliveredGroup
	recipients []RecipientGroup
	lastGood   []lastGood
}

// rollupsOf sums a batch's plain deliveries by hour.
func rollupsOf(as []Attempt) rollups {
	var r rollups
	dIdx := map[deliveredKey]int{}
	rIdx := map[recipientKey]int{}
	gIdx := map[recipientKey]int{} // recipient ""
	for i := range as {
		a := &as[i]
		hour := floorUnits(nanos(a.Time), time.Hour)
		if a.GoodTLS() {
			gk := recipientKey{hour: hour, host: a.Host, domain: a.Domain}
			if j, ok := gIdx[gk]; !ok {
				gIdx[gk] = len(r.lastGood)
				r.lastGood = append(r.lastGood, lastGood{domain: a.Domain, host: a.Host, hour: hour, last: a.Time})
			} else if a.Time.After(r.lastGood[j].last) {
				r.lastGood[j].last = a.Time
			}
		}
		if !a.RolledUp() {
			continue
		}
		hourT := time.Unix(hour*3600, 0).UTC()
		dk := deliveredKey{hour: hour, host: a.Host, domain: a.Domain, service: a.Service, relayed: a.RelayAddr != "",
			localHop: a.LocalHop, trust: a.TLSTrust, protocol: a.TLSProtocol, cipher: a.TLSCipher, policy: a.TLSPolicy,
			rpt: a.TLSRPT, kex: a.TLSKeyExchange, sigAlg: a.TLSServerSig}
		j, ok := dIdx[dk]
		if !ok {
			j = len(r.delivered)
			dIdx[dk] = j
			r.delivered = append(r.delivered, DeliveredGroup{Hour: hourT, Host: a.Host, Domain: a.Domain, Service: a.Service,
				Relayed: dk.relayed, LocalHop: a.LocalHop, TLSTrust: a.TLSTrust, TLSProtocol: a.TLSProtocol, TLSCipher: a.TLSCipher,
				TLSPolicy: a.TLSPolicy, TLSRPT: a.TLSRPT, TLSKeyExchange: a.TLSKeyExchange, TLSServerSig: a.TLSServerSig,
				DelayMax: a.Delay, First: a.Time, Last: a.Time})
		}
		g := &r.delivered[j]
		g.N++
		g.Bytes += a.Size
		g.DelayMicros += DelayMicros(a.Delay)
		g.DelayMax = max(g.DelayMax, a.Delay)
		if a.Time.Before(g.First) {
			g.First = a.Time
		}
		if a.Time.After(g.Last) {
			g.Last = a.Time
		}
		rk := recipientKey{hour: hour, host: a.Host, domain: a.Domain, recipient: a.Recipient}
		k, ok := rIdx[rk]
		if !ok {
			k = len(r.recipients)
			rIdx[rk] = k
			r.recipients = append(r.recipients, RecipientGroup{Hour: hourT, Host: a.Host, Domain: a.Domain, Recipient: a.Recipient})
		}
		r.recipients[k].N++
		r.recipients[k].Bytes += a.Size
	}
	return r
}

// hourCol stores a time as a count of hours since the epoch.
func hourCol[T any](name string, field func(*T) *time.Time) column[T] {
	return unitsCol(name, time.Hour, field)
}

// unitsCol is a time column stored as a count of units (hours, minutes)
// since the epoch, rounded down.
func unitsCol[T any](name string, unit time.Duration, field func(*T) *time.Time) column[T] {
	return column[T]{name: name,
		put:  func(x *T, r *rowBuffer) { r.int(floorUnits(nanos(*field(x)), unit)) },
		dest: func(x *T, _ *dictionary) dest { return unitsDest{field(x), unit} }}
}

var deliveredTable = &factTable[DeliveredGroup]{name: "rollup_delivered",
	insert: `INSERT INTO rollup_delivered (hour, host, domain, service, relayed, local_hop, tls_trust, tls_protocol, tls_cipher,
			tls_policy, tls_rpt, tls_kex, tls_server_sig, n, bytes, delay_us, delay_max, first, last)
		SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18 FROM pftls_rows(?, ?) WHERE true
		ON CONFLICT (hour, host, domain, service, relayed, local_hop, tls_trust, tls_protocol, tls_cipher, tls_policy, tls_rpt,
			tls_kex, tls_server_sig) DO UPDATE SET n = n + excluded.n, bytes = bytes + excluded.bytes,
			delay_us = delay_us + excluded.delay_us, delay_max = max(delay_max, excluded.delay_max),
			first = min(first, excluded.first), last = max(last, excluded.last)`,
	query: `SELECT hour, host, domain, service, relayed, local_hop, tls_trust, tls_protocol, tls_cipher,
			tls_policy, tls_rpt, tls_kex, tls_server_sig, n, bytes, delay_us, delay_max, first, last FROM rollup_delivered
			WHERE hour >= ? AND hour < ? AND (? = '' OR host = ?) AND (?5 = '' OR domain = ?5 COLLATE NOCASE OR domain GLOB '*[^ -~]*')`,
	cols: []column[DeliveredGroup]{
		hourCol("hour", func(g *DeliveredGroup) *time.Time { return &g.Hour }),
		textCol("host", func(g *DeliveredGroup) *string { return &g.Host }),
		textCol("domain", func(g *DeliveredGroup) *string { return &g.Domain }),
		textCol("service", func(g *DeliveredGroup) *string { return &g.Service }),
		boolCol("relayed", func(g *DeliveredGroup) *bool { return &g.Relayed }),
		boolCol("local_hop", func(g *DeliveredGroup) *bool { return &g.LocalHop }),
		textCol("tls_trust", func(g *DeliveredGroup) *logparse.Trust { return &g.TLSTrust }),
		textCol("tls_protocol", func(g *DeliveredGroup) *string { return &g.TLSProtocol }),
		textCol("tls_cipher", func(g *DeliveredGroup) *string { return &g.TLSCipher }),
		column[DeliveredGroup]{name: "tls_policy",
			put:  func(g *DeliveredGroup, r *rowBuffer) { r.text(g.TLSPolicy.String()) },
			dest: func(g *DeliveredGroup, _ *dictionary) dest { return tlsPolicyDest{&g.TLSPolicy} }},
		textCol("tls_rpt", func(g *DeliveredGroup) *string { return &g.TLSRPT }),
		textCol("tls_kex", func(g *DeliveredGroup) *string { return &g.TLSKeyExchange }),
		textCol("tls_server_sig", func(g *DeliveredGroup) *string { return &g.TLSServerSig }),
		intCol("n", func(g *DeliveredGroup) *int64 { return &g.N }),
		intCol("bytes", func(g *DeliveredGroup) *int64 { return &g.Bytes }),
		intCol("delay_us", func(g *DeliveredGroup) *int64 { return &g.DelayMicros }),
		floatCol("delay_max", func(g *DeliveredGroup) *float64 { return &g.DelayMax }),
		timeCol("first", func(g *DeliveredGroup) *time.Time { return &g.First }),
		timeCol("last", func(g *DeliveredGroup) *time.Time { return &g.Last }),
	}}

var recipientsTable = &factTable[RecipientGroup]{name: "rollup_recipients",
	insert: `INSERT INTO rollup_recipients (hour, host, domain, recipient, n, bytes)
		SELECT c0, c1, c2, c3, c4, c5 FROM pftls_rows(?, ?) WHERE true
		ON CONFLICT (hour, host, domain, recipient) DO UPDATE SET n = n + excluded.n, bytes = bytes + excluded.bytes`,
	query: `SELECT hour, host, domain, recipient, n, bytes FROM rollup_recipients
			WHERE hour >= ? AND hour < ? AND (? = '' OR host = ?) AND (?5 = '' OR domain = ?5 COLLATE NOCASE OR domain GLOB '*[^ -~]*')`,
	cols: []column[RecipientGroup]{
		hourCol("hour", func(g *RecipientGroup) *time.Time { return &g.Hour }),
		textCol("host", func(g *RecipientGroup) *string { return &g.Host }),
		textCol("domain", func(g *RecipientGroup) *string { return &g.Domain }),
		textCol("recipient", func(g *RecipientGroup) *string { return &g.Recipient }),
		intCol("n", func(g *RecipientGroup) *int64 { return &g.N }),
		intCol("bytes", func(g *RecipientGroup) *int64 { return &g.Bytes }),
	}}

var lastGoodTable = &factTable[lastGood]{name: "rollup_last_good",
	insert: `INSERT INTO rollup_last_good (domain, hour, host, last)
		SELECT c0, c1, c2, c3 FROM pftls_rows(?, ?) WHERE true
		ON CONFLICT (domain, hour, host) DO UPDATE SET last = max(last, excluded.last)`,
	query: `SELECT domain, hour, host, last FROM rollup_last_good WHERE domain = ?`,
	cols: []column[lastGood]{
		textCol("domain", func(g *lastGood) *string { return &g.domain }),
		intCol("hour", func(g *lastGood) *int64 { return &g.hour }),
		textCol("host", func(g *lastGood) *string { return &g.host }),
		timeCol("last", func(g *lastGood) *time.Time { return &g.last }),
	}}

// lastGoodHoursQuery is the last good TLS delivery to a domain in the
// hours before an hour, from rollup_last_good.
const lastGoodHoursQuery = `SELECT MAX(last) FROM rollup_last_good WHERE domain = ? AND hour < ? AND (? = '' OR host = ?)`

// lastGoodPartQuery is the last good TLS delivery (goodTLSCondition) to
// each domain in a part of an hour, from the attempts.
const lastGoodPartQuery = `SELECT domain, MAX(time) FROM attempts
	WHERE time >= ? AND time < ? AND status = 'sent' AND tls_failure = '' AND (tls_trust != '' OR (tls_policy != ''
		AND tls_policy NOT LIKE '!%' AND tls_policy NOT LIKE 'requiretls%'
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT IN ('none', 'unknown')
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT LIKE '%?'
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT LIKE '%:none'
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT LIKE '%:unknown'))
	AND (? = '' OR host = ?) GROUP BY domain`

// problemAttemptsQuery reads the attempts of a time range that are not
// plain deliveries, through the partial index attempts_problems (its
// condition must stay the first term, word for word).
const problemAttemptsQuery = `SELECT time, host, queue_id, message_start, service, sender, size, recipient, domain, orig_to, relay,
			relay_host, relay_addr, relay_port, status, dsn, delay, delay_before, delay_queue, delay_connect, delay_xmit,
			reason, reason_class, forwarded, local_hop, tls_trust, tls_protocol, tls_cipher, tls_failure, tls_detail,
			tls_policy, tls_rpt, tls_kex, tls_server_sig FROM attempts INDEXED BY attempts_problems
			WHERE (status != 'sent' OR forwarded != 0 OR tls_failure != '') AND time >= ? AND time < ? AND (? = '' OR host = ?)
			AND (?5 = '' OR domain = ?5 COLLATE NOCASE OR domain GLOB '*[^ -~]*')
			ORDER BY time`

// resolutionsQuery reads the plain deliveries of a time range that may
// end a deferral: those of the deferred recipients, given as rows (message
// start, recipient as written, 1 when the recipient is not all ASCII) of a
// pftls_rows blob (?1, bound once for both parts: a batch of the
// window's deferred recipients, Store.scanResolutions), the range (?2,
// ?3) and the host (?4). The report matches
// recipients by their Go lower case; the query keeps a superset of those:
//   - the same address in ASCII case folding, through the index;
//   - every delivery of the message when the deferred address is not all
//     ASCII (whose case folding SQLite does not know);
//   - deliveries to an address with one of the two non-ASCII letters Go
//     lower-cases to ASCII: the Kelvin sign (U+212A, "k") and the dotted
//     capital I (U+0130, "i"), through an index of just those.
//
// CROSS JOIN makes the blob the outer loop: a probe of the index per
// deferred recipient.
const resolutionsQuery = `SELECT time, host, queue_id, message_start, service, sender, size, recipient, domain, orig_to, relay,
			relay_host, relay_addr, relay_port, status, dsn, delay, delay_before, delay_queue, delay_connect, delay_xmit,
			reason, reason_class, forwarded, local_hop, tls_trust, tls_protocol, tls_cipher, tls_failure, tls_detail,
			tls_policy, tls_rpt, tls_kex, tls_server_sig FROM pftls_rows(?1, 3) AS d
			CROSS JOIN attempts INDEXED BY attempts_delivered_message ON attempts.message_start = d.c0
			AND attempts.recipient = d.c1 COLLATE NOCASE
			WHERE status = 'sent' AND forwarded = 0 AND tls_failure = '' AND time >= ?2 AND time < ?3 AND (?4 = '' OR host = ?4)
		UNION ALL SELECT time, host, queue_id, message_start, service, sender, size, recipient, domain, orig_to, relay,
			relay_host, relay_addr, relay_port, status, dsn, delay, delay_before, delay_queue, delay_connect, delay_xmit,
			reason, reason_class, forwarded, local_hop, tls_trust, tls_protocol, tls_cipher, tls_failure, tls_detail,
			tls_policy, tls_rpt, tls_kex, tls_server_sig FROM pftls_rows(?1, 3) AS d
			CROSS JOIN attempts INDEXED BY attempts_delivered_message ON attempts.message_start = d.c0
			WHERE d.c2 = 1 AND status = 'sent' AND forwarded = 0 AND tls_failure = '' AND time >= ?2 AND time < ?3 AND (?4 = '' OR host = ?4)
		UNION ALL SELECT time, host, queue_id, message_start, service, sender, size, recipient, domain, orig_to, relay,
			relay_host, relay_addr, relay_port, status, dsn, delay, delay_before, delay_queue, delay_connect, delay_xmit,
			reason, reason_class, forwarded, local_hop, tls_trust, tls_protocol, tls_cipher, tls_failure, tls_detail,
			tls_policy, tls_rpt, tls_kex, tls_server_sig FROM pftls_rows(?1, 3) AS d
			CROSS JOIN attempts INDEXED BY attempts_delivered_foldable ON attempts.message_start = d.c0
			WHERE d.c2 = 0 AND status = 'sent' AND forwarded = 0 AND tls_failure = ''
			AND (instr(recipient, char(8490)) > 0 OR instr(recipient, char(304)) > 0)
			AND time >= ?2 AND time < ?3 AND (?4 = '' OR host = ?4)`

// schemaRollups is schema step 11: the rollups, the indexes a report from
// them reads through, and the rollups of the attempts already stored.
const schemaRollups = `CREATE TABLE rollup_delivered (
		hour           INTEGER NOT NULL,
		host           TEXT    NOT NULL,
		domain         TEXT    NOT NULL,
		service        TEXT    NOT NULL,
		relayed        INTEGER NOT NULL,
		local_hop      INTEGER NOT NULL,
		tls_trust      TEXT    NOT NULL,
		tls_protocol   TEXT    NOT NULL,
		tls_cipher     TEXT    NOT NULL,
		tls_policy     TEXT    NOT NULL,
		tls_rpt        TEXT    NOT NULL,
		tls_kex        TEXT    NOT NULL,
		tls_server_sig TEXT    NOT NULL,
		n              INTEGER NOT NULL,
		bytes          INTEGER NOT NULL,
		delay_us       INTEGER NOT NULL,
		delay_max      REAL    NOT NULL,
		first          INTEGER NOT NULL,
		last           INTEGER NOT NULL,
		PRIMARY KEY (hour, host, domain, service, relayed, local_hop, tls_trust, tls_protocol, tls_cipher, tls_policy,
			tls_rpt, tls_kex, tls_server_sig)
	) WITHOUT ROWID;
	CREATE TABLE rollup_recipients (
		hour      INTEGER NOT NULL,
		host      TEXT    NOT NULL,
		domain    TEXT    NOT NULL,
		recipient TEXT    NOT NULL,
		n         INTEGER NOT NULL,
		bytes     INTEGER NOT NULL,
		PRIMARY KEY (hour, host, domain, recipient)
	) WITHOUT ROWID;
	-- The times before which pftls prune deleted the facts, and the
	-- counters and rollups (Store.PrunedBefore; the smallest integer: never).
	CREATE TABLE facts_pruned (
		id             INTEGER PRIMARY KEY CHECK (id = 1),
		before         INTEGER NOT NULL,
		rollups_before INTEGER NOT NULL
	);
	CREATE INDEX attempts_problems ON attempts(time) WHERE (status != 'sent' OR forwarded != 0 OR tls_failure != '');
	CREATE INDEX attempts_delivered_message ON attempts(message_start, recipient COLLATE NOCASE)
		WHERE status = 'sent' AND forwarded = 0 AND tls_failure = '';
	-- The few plain deliveries to an address with a letter Go lower-cases
	-- to ASCII (resolutionsQuery): the index is all but empty.
	CREATE INDEX attempts_delivered_foldable ON attempts(message_start)
		WHERE status = 'sent' AND forwarded = 0 AND tls_failure = ''
		AND (instr(recipient, char(8490)) > 0 OR instr(recipient, char(304)) > 0);
	CREATE INDEX messages_last_seen ON messages(last_seen);
	INSERT INTO rollup_delivered SELECT time / 3600000000000, host, domain, service, relay_addr != '', local_hop, tls_trust,
			tls_protocol, tls_cipher, tls_policy, tls_rpt, tls_kex, tls_server_sig, COUNT(*), SUM(size),
			SUM(CAST(round(delay * 1000000) AS INTEGER)), MAX(delay), MIN(time), MAX(time)
		FROM attempts WHERE status = 'sent' AND forwarded = 0 AND tls_failure = ''
		GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13;
	CREATE TABLE rollup_last_good (
		domain TEXT    NOT NULL,
		hour   INTEGER NOT NULL,
		host   TEXT    NOT NULL,
		last   INTEGER NOT NULL,
		PRIMARY KEY (domain, hour, host)
	) WITHOUT ROWID;
	INSERT INTO rollup_last_good SELECT domain, time / 3600000000000, host, MAX(time)
		FROM attempts WHERE status = 'sent' AND tls_failure = '' AND (tls_trust != '' OR (tls_policy != ''
		AND tls_policy NOT LIKE '!%' AND tls_policy NOT LIKE 'requiretls%'
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT IN ('none', 'unknown')
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT LIKE '%?'
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT LIKE '%:none'
		AND substr(tls_policy || '/', 1, instr(tls_policy || '/', '/') - 1) NOT LIKE '%:unknown'))
		GROUP BY 1, 2, 3;
	INSERT INTO rollup_recipients SELECT time / 3600000000000, host, domain, recipient, COUNT(*), SUM(size)
		FROM attempts WHERE status = 'sent' AND forwarded = 0 AND tls_failure = ''
		GROUP BY 1, 2, 3, 4;`

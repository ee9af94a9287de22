package aggregate

import (
	"net/netip"
	"strings"
	"time"
)

// This file holds pflogsumm's smtpd connection statistics rules
// (--smtpd-stats): how long a client was connected, and the host or
// domain a client is counted under. Both the per-minute counts of the
// store (session_counts) and the report's builder call them.

// schemaSMTPDTime is the schema step that keeps the time connected of the
// ordinary sessions counted per minute: their client's host/domain becomes
// part of the key, with the seconds connected and the longest session.
// Counts stored before it keep client_domain ” and no time (a new key
// needs a new table, as step 7's did).
const schemaSMTPDTime = `CREATE TABLE session_counts_v10 (
	minute        INTEGER NOT NULL,
	host          TEXT    NOT NULL,
	service       TEXT    NOT NULL,
	tls_trust     TEXT    NOT NULL,
	tls_protocol  TEXT    NOT NULL,
	tls_cipher    TEXT    NOT NULL,
	tls_kex       TEXT    NOT NULL,
	client_domain TEXT    NOT NULL,
	sessions      INTEGER NOT NULL,
	first         INTEGER NOT NULL,
	last          INTEGER NOT NULL,
	connect_secs  INTEGER NOT NULL,
	max_secs      INTEGER NOT NULL,
	PRIMARY KEY (minute, host, service, tls_trust, tls_protocol, tls_cipher, tls_kex, client_domain)
) WITHOUT ROWID;
INSERT INTO session_counts_v10 SELECT minute, host, service, tls_trust, tls_protocol, tls_cipher, tls_kex, '', sessions, first, last, 0, 0
	FROM session_counts;
DROP TABLE session_counts;
ALTER TABLE session_counts_v10 RENAME TO session_counts;`

// ConnectSeconds is how long the session's client was connected, in
// whole seconds as pflogsumm counts them: the disconnect's second minus
// the connect's (syslog stamps have no fractions; RFC 3339 ones are
// truncated). 0 when the session has no disconnect.
func (s *Session) ConnectSeconds() int64 {
	if s.End.IsZero() || s.Start.IsZero() || s.End.Before(s.Start) {
		return 0
	}
	return s.End.Truncate(time.Second).Unix() - s.Start.Truncate(time.Second).Unix()
}

// ClientDomain is the host/domain pflogsumm counts a client under
// (gimme_domain): its address when the name is "unknown" (or missing),
// else the name with its first label dropped when the rest is a name
// under a three-letter top-level domain or a two-part country one
// ("mail.example.com" -> "example.com", "mx.example.co.uk" ->
// "example.co.uk"); other names stay whole ("mta.outside.test",
// "localhost"). Lower-cased like pflogsumm's.
func ClientDomain(name, ip string) string {
	if name == "" || name == "unknown" {
		return ip
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return name // Session.ClientName is already the address of an unknown client
	}
	labels := strings.Split(name, ".")
	n := len(labels)
	// pflogsumm: s/^(.*)\.([^\.]+)\.([^\.]{3}|[^\.]{2,3}\.[^\.]{2})$/\L$2.$3/
	if n >= 4 && (len(labels[n-2]) == 2 || len(labels[n-2]) == 3) && len(labels[n-1]) == 2 && labels[n-3] != "" {
		return strings.ToLower(strings.Join(labels[n-3:], "."))
	}
	if n >= 3 && len(labels[n-1]) == 3 && labels[n-2] != "" {
		return strings.ToLower(labels[n-2] + "." + labels[n-1])
	}
	return name
}

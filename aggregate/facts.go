package aggregate

import (
	"strings"
	"time"

	"github.com/pftls/pftls/logparse"
)

// Facts are what the correlator learns from the log, in the form they are
// stored and reported. Times are UTC.

// Message is one message's life in the queue of one host. It is keyed by
// (Host, QueueID, Start): short queue IDs are reused after "removed".
type Message struct {
	Host      string
	QueueID   string
	Start     time.Time // first line seen for this lifetime
	LastSeen  time.Time
	Origin    Origin
	Client    string // "name[addr]" for smtpd, "" otherwise
	ClientIP  string
	Service   string // receiving service: "smtpd", "submission/smtpd", "pickup"
	Sender    string
	HasSender bool // a qmgr from= line was seen (Sender may be "" for <>)
	Size      int64
	Nrcpt     int
	MessageID string
	Removed   bool // qmgr or postsuper removed it from the queue
	Deleted   bool // postsuper -d (an admin deleted it)
	Expired   bool // status=expired|force-expired, returned to sender
}

// Origin says how a message entered the queue.
type Origin string

// Origins. pflogsumm counts smtpd and pickup as "received".
const (
	OriginUnknown Origin = ""
	OriginSMTPD   Origin = "smtpd"
	OriginPickup  Origin = "pickup"
)

// Received reports whether the message counts as received (pflogsumm's rule).
func (m *Message) Received() bool { return m.Origin == OriginSMTPD || m.Origin == OriginPickup }

// Attempt is one delivery line: one recipient, one status.
type Attempt struct {
	Time           time.Time
	Host           string
	QueueID        string
	MessageStart   time.Time
	Service        string // delivery agent: smtp, lmtp, local, virtual, error, ...
	Sender         string // the message's sender, as known when the line was read
	Size           int64  // the message's size (for pflogsumm's bytes delivered)
	Recipient      string
	Domain         string // lower-cased domain of Recipient
	OrigTo         string
	Relay          string // relay= as written
	RelayHost      string
	RelayAddr      string
	RelayPort      int
	Status         logparse.Status
	DSN            string
	Delay          float64
	Delays         [4]float64
	Reason         string
	ReasonClass    string         // normalised reason for grouping
	Forwarded      bool           // local(8) "forwarded as QID"
	LocalHop       bool           // delivery to a local content filter (loopback relay on a non-25 port, or a pipe/lmtp socket)
	TLSTrust       logparse.Trust // TrustNone when the attempt had no TLS session
	TLSProtocol    string
	TLSCipher      string
	TLSFailure     logparse.TLSFailureKind // when the attempt failed for TLS, or TLS failed before a plaintext retry
	TLSDetail      string
	TLSPolicy      logparse.TLSPolicy // tls= of Postfix 3.11+: the policy level and what it achieved
	TLSKeyExchange string             // key exchange group of the TLS session: "X25519", "X25519MLKEM768" (Postfix 3.4+ logs it for TLS 1.3)
	TLSServerSig   string             // the server's signature algorithm and size: "RSA-PSS (2048 bits)", "ECDSA (P-256)"
	TLSRPT         string             // Postfix 3.10's TLSRPT result of the handshake this attempt was the first to use: "success", "failure TYPE[ REASON]"
}

// TLSFailure is one failed TLS session (or one TLS-related refusal without a
// session, e.g. "TLS is required, but was not offered") with an outbound
// server, or an inbound handshake failure from a client.
type TLSFailure struct {
	Time      time.Time
	Host      string
	Direction logparse.Direction
	Peer      string // host[addr]:port
	PeerHost  string
	PeerAddr  string
	Domain    string // recipient domain it was attached to ("" when unknown)
	QueueID   string
	Recipient string
	Kind      logparse.TLSFailureKind
	RFC8460   logparse.RFC8460
	Detail    string          // issuer DN, OpenSSL error, reason text
	Deferred  bool            // the attached attempt was deferred with dsn 4.7.x
	Status    logparse.Status // status of the attached attempt ("" when none)
	Names     string          // certificate names logged at TLS loglevel 2 (subjectAltName, subject CN), comma-separated
	Evidence  string          // the log lines that show the failure, newline-separated
}

// Session is one inbound SMTP session (connect .. disconnect) of smtpd.
type Session struct {
	Start          time.Time
	End            time.Time
	Host           string
	Service        string // "smtpd", "submission/smtpd", ...
	Client         string // name[addr]
	ClientName     string
	ClientIP       string
	TLSTrust       logparse.Trust
	TLSProtocol    string
	TLSCipher      string
	TLSKeyExchange string // key exchange group: "X25519", "X25519MLKEM768"
	StartTLS       bool   // the client asked for STARTTLS
	TLSFailed      bool   // STARTTLS was asked for but no TLS session resulted
	TLSError       string
	LostAfter      string // "lost connection after X" stage, if any
	Messages       int    // client= lines (messages accepted)
	Rejects        int
	CommandsOK     int
	CommandsTotal  int
}

// LegacyTLS reports whether protocol is a TLS version that clients should
// no longer use (SSLv2, SSLv3, TLS 1.0 and 1.1: RFC 8996).
func LegacyTLS(protocol string) bool {
	switch protocol {
	case "SSLv2", "SSLv3", "TLSv1", "TLSv1.1":
		return true
	}
	return false
}

// Notable reports whether the store keeps the session as a row of its own:
// one whose client a report names (legacy TLS, failed TLS). Every other
// session is only counted (SessionCount).
func (s *Session) Notable() bool {
	return s.TLSFailed || LegacyTLS(s.TLSProtocol)
}

// SessionCount is the number of ordinary (not Notable) inbound sessions of
// one host and service that started in one minute with the same TLS state.
// The store keeps ordinary sessions this way: they were a quarter of its
// rows, and a report only counts them. A report window takes or leaves a
// count whole, by its First start (the minute is First's).
type SessionCount struct {
	First, Last    time.Time // the first and the last of their starts
	Host           string
	Service        string
	TLSTrust       logparse.Trust // TrustNone for sessions without TLS
	TLSProtocol    string
	TLSCipher      string
	TLSKeyExchange string
	// ClientDomain is the clients' host/domain (ClientDomain); '' for
	// counts stored before schema step 9.
	ClientDomain string
	Sessions     int64
	// ConnectSeconds is the time the sessions were connected, MaxSeconds
	// the longest of them (Session.ConnectSeconds).
	ConnectSeconds, MaxSeconds int64
}

// Reject is one reject, reject_warning, hold, discard, ... line.
type Reject struct {
	Time        time.Time
	Host        string
	Service     string
	QueueID     string
	Action      logparse.Action
	Stage       string
	Client      string
	ClientName  string
	ClientIP    string
	Code        int
	DSN         string
	Reply       string
	ReasonClass string
	From        string
	To          string
	Helo        string
}

// Warning is one warning, error, fatal or panic line.
type Warning struct {
	Time     time.Time
	Host     string
	Program  string
	Severity logparse.Severity
	Text     string
	Class    string // the text with variable parts (numbers, addresses) masked
}

// LineCount counts parsed lines of one kind for one host and minute. A
// count carried over from a database that counted by the hour (before
// schema step 14) covers its hour: Span 60.
type LineCount struct {
	Host   string
	Minute time.Time     // the first minute counted
	Span   int64         // how many minutes the count covers: 1, or 60
	Kind   logparse.Kind // KindForeign, KindMalformed, KindUnparsed, or any other kind a line was read as
	Count  int64
}

// Overlaps reports whether the minutes c covers overlap [from, to) (a
// zero time: unbounded). It is the rule by which a window counts lines:
// a count counts when its minute does, so a window's line counts may
// hold the lines of the minutes its ends fall in.
func (c *LineCount) Overlaps(from, to time.Time) bool {
	return (from.IsZero() || c.End().After(from)) && (to.IsZero() || c.Minute.Before(to))
}

// End is just after the last minute the count covers.
func (c *LineCount) End() time.Time {
	return c.Minute.Add(time.Duration(max(c.Span, 1)) * time.Minute)
}

// Unparsed is a Postfix line the parser did not understand, kept so that
// the report can show it.
type Unparsed struct {
	Time    time.Time
	Host    string
	Program string
	Text    string
}

// Batch is what the correlator has to say since it was last drained. The
// store writes one batch in one transaction, together with the source
// offsets it covers.
type Batch struct {
	Messages   []Message // new or changed messages (upserted by key)
	Attempts   []Attempt
	TLS        []TLSFailure
	Sessions   []Session
	Rejects    []Reject
	Warnings   []Warning
	Unparsed   []Unparsed
	LineCounts []LineCount
}

// Len is the number of facts in the batch.
func (b *Batch) Len() int {
	return len(b.Messages) + len(b.Attempts) + len(b.TLS) + len(b.Sessions) +
		len(b.Rejects) + len(b.Warnings) + len(b.Unparsed) + len(b.LineCounts)
}

// PostQuantum reports whether a key exchange group is a post-quantum
// (hybrid) one: ML-KEM (X25519MLKEM768, SecP256r1MLKEM768, ...) or its
// draft, Kyber.
func PostQuantum(group string) bool {
	return strings.Contains(group, "MLKEM") || strings.Contains(group, "Kyber") || strings.Contains(group, "mlkem")
}

// OnlyHost is the batch's facts of one host (--host); all of them when
// host is "".
func (b *Batch) OnlyHost(host string) *Batch {
	if host == "" {
		return b
	}
	return &Batch{
		Messages:   ofHost(b.Messages, host, func(x *Message) string { return x.Host }),
		Attempts:   ofHost(b.Attempts, host, func(x *Attempt) string { return x.Host }),
		TLS:        ofHost(b.TLS, host, func(x *TLSFailure) string { return x.Host }),
		Sessions:   ofHost(b.Sessions, host, func(x *Session) string { return x.Host }),
		Rejects:    ofHost(b.Rejects, host, func(x *Reject) string { return x.Host }),
		Warnings:   ofHost(b.Warnings, host, func(x *Warning) string { return x.Host }),
		Unparsed:   ofHost(b.Unparsed, host, func(x *Unparsed) string { return x.Host }),
		LineCounts: ofHost(b.LineCounts, host, func(x *LineCount) string { return x.Host }),
	}
}

func ofHost[T any](facts []T, host string, hostOf func(*T) string) []T {
	var out []T
	for i := range facts {
		if strings.EqualFold(hostOf(&facts[i]), host) { // host names are not case sensitive (Store.Host)
			out = append(out, facts[i])
		}
	}
	return out
}

package logparse

import (
	"fmt"
	"strconv"
	"strings"
)

// Kind names an event type. Kinds are stable text: they are stored and
// emitted as JSON, so a value is never renamed.
type Kind string

// The event kinds.
const (
	KindDelivery          Kind = "delivery"
	KindQueueEntry        Kind = "queue-entry"
	KindExpired           Kind = "expired"
	KindRemoved           Kind = "removed"
	KindMessageID         Kind = "message-id"
	KindPickup            Kind = "pickup"
	KindClient            Kind = "client"
	KindConnect           Kind = "connect"
	KindDisconnect        Kind = "disconnect"
	KindAbnormalEnd       Kind = "abnormal-end"
	KindReject            Kind = "reject"
	KindNotification      Kind = "notification"
	KindPostscreen        Kind = "postscreen"
	KindConnectFailure    Kind = "connect-failure"
	KindDeliverySkip      Kind = "delivery-skip"
	KindTLSEstablished    Kind = "tls-established"
	KindTLSCertFailure    Kind = "tls-cert-failure"
	KindTLSHandshakeError Kind = "tls-handshake-error"
	KindTLSLibraryProblem Kind = "tls-library-problem"
	KindTLSAbort          Kind = "tls-abort"
	KindStartTLSOffered   Kind = "starttls-offered"
	KindTLSPeerNames      Kind = "tls-peer-names"
	KindDANE              Kind = "dane"
	KindTLSRPT            Kind = "tlsrpt"
	KindTLSCache          Kind = "tls-cache"
	KindTLSTrace          Kind = "tls-trace"
	KindNotice            Kind = "notice"
	KindWarning           Kind = "warning"
	KindUnparsed          Kind = "unparsed"
	KindForeign           Kind = "foreign"
	KindMalformed         Kind = "malformed"
)

// Event is one classified log line. The set of implementations is closed.
type Event interface {
	Kind() Kind
	event()
}

// Status is the status= value of a delivery line.
type Status string

// Delivery statuses as Postfix writes them (log_adhoc's callers:
// global/sent.c, defer.c, bounce.c, verify.c, trace.c), lower-cased.
const (
	StatusSent     Status = "sent"
	StatusDeferred Status = "deferred"
	StatusBounced  Status = "bounced"
	// StatusSoftBounce is a bounce under soft_bounce = yes: Postfix
	// defers the recipient instead (DSN 4.x.x, action "delayed").
	StatusSoftBounce Status = "softbounce"
	// The address verification probes' results.
	StatusDeliverable               Status = "deliverable"
	StatusUndeliverable             Status = "undeliverable"
	StatusUndeliverableButNotCached Status = "undeliverable-but-not-cached"
)

// Known reports whether s is a status Postfix writes. A delivery line
// with any other (a line cut inside its status, "status=def") is not
// understood, rather than counted as nothing.
func (s Status) Known() bool {
	switch s {
	case StatusSent, StatusDeferred, StatusBounced, StatusSoftBounce,
		StatusDeliverable, StatusUndeliverable, StatusUndeliverableButNotCached:
		return true
	}
	return false
}

// Trust is the first word of a "TLS connection established" line.
type Trust string

// Trust levels, weakest first. TrustNone marks a delivery without TLS.
const (
	TrustNone      Trust = ""
	TrustAnonymous Trust = "anonymous"
	TrustUntrusted Trust = "untrusted"
	TrustTrusted   Trust = "trusted"
	TrustVerified  Trust = "verified"
)

// Action is what an access table, a header or body check, or a milter
// decided for a message or command: the word before the colon of a
// "reject: ", "hold: ", "milter-discard: " ... line.
type Action string

// Actions that reports count apart; the others (filter, redirect, warn,
// info, replace, prepend, bcc, strip, delay) are kept as written.
const (
	ActionReject        Action = "reject"
	ActionRejectWarning Action = "reject_warning"
	ActionMilterReject  Action = "milter-reject"
	ActionHold          Action = "hold"
	ActionMilterHold    Action = "milter-hold"
	ActionDiscard       Action = "discard"
	ActionMilterDiscard Action = "milter-discard"
	ActionWarning       Action = "warning"      // cleanup's header_checks/body_checks WARN
	ActionProxyReject   Action = "proxy-reject" // smtpd's before-queue filter said no
)

// Direction says which side of a TLS session this host was.
type Direction string

// Directions: "to" a remote server (smtp, lmtp), "from" a client (smtpd).
const (
	DirOutbound Direction = "to"
	DirInbound  Direction = "from"
)

// Peer is a "host[addr]:port" string taken apart. Port is 0 when absent.
type Peer struct {
	Host string
	Addr string
	Port int
}

// String formats the peer the way Postfix does.
func (p Peer) String() string {
	if p.Host == "" && p.Addr == "" {
		return ""
	}
	if p.Addr == "" {
		return p.Host // Postfix 2.2-2.4 named the peer by host alone
	}
	s := p.Host + "[" + p.Addr + "]"
	if p.Port != 0 {
		s += ":" + strconv.Itoa(p.Port)
	}
	return s
}

// Name is the host name, or the address when the name is "unknown" or absent.
func (p Peer) Name() string {
	if p.Host == "" || p.Host == "unknown" {
		return p.Addr
	}
	return p.Host
}

// MarshalText writes the peer as "host[addr]:port".
func (p Peer) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// IsZero reports whether the peer is empty (for omitempty).
func (p Peer) IsZero() bool { return p.Host == "" && p.Addr == "" }

// parsePeer splits "host[addr]:port", "host[addr]" or "[addr]:port".
func parsePeer(s string) (Peer, bool) {
	lb := strings.IndexByte(s, '[')
	rb := strings.LastIndexByte(s, ']')
	if lb < 0 || rb < lb {
		return Peer{}, false
	}
	p := Peer{Host: s[:lb], Addr: s[lb+1 : rb]}
	if tail := s[rb+1:]; tail != "" {
		if tail[0] != ':' {
			return Peer{}, false
		}
		port, ok := atoi(tail[1:])
		if !ok {
			return Peer{}, false
		}
		p.Port = port
	}
	return p, true
}

// Delivery is a delivery attempt: "QID: to=<...>, relay=..., status=...".
type Delivery struct {
	To         string         `json:"to"`
	OrigTo     string         `json:"orig_to,omitempty"`
	Relay      string         `json:"relay"`
	RelayPeer  Peer           `json:"-"`
	ConnUse    int            `json:"conn_use,omitempty"`
	Delay      float64        `json:"delay"`
	Delays     [4]float64     `json:"delays"`
	TLSPolicy  TLSPolicy      `json:"tls,omitzero"` // tls= (Postfix 3.11+)
	DSN        string         `json:"dsn"`
	Status     Status         `json:"status"`
	Reason     string         `json:"reason"`
	TLSFailure TLSFailureKind `json:"tls_failure,omitempty"`
}

// QueueEntry is qmgr's "QID: from=<...>, size=N, nrcpt=N (queue active)".
type QueueEntry struct {
	From  string `json:"from"`
	Size  int64  `json:"size"`
	Nrcpt int    `json:"nrcpt"`
}

// Expired is qmgr's "QID: from=<...>, status=expired, returned to sender".
type Expired struct {
	From   string `json:"from"`
	Status string `json:"status"` // "expired" or "force-expired"
}

// Removed is "QID: removed": the end of a message in the queue. ByAdmin is
// set for postsuper -d; Detail holds cleanup's "(canceled)"/"(discarded)".
type Removed struct {
	ByAdmin bool   `json:"by_admin,omitempty"`
	Detail  string `json:"detail,omitempty"`
}

// MessageID is cleanup's "QID: message-id=<...>".
type MessageID struct {
	MessageID string `json:"message_id"`
	Resent    bool   `json:"resent,omitempty"`
}

// Pickup is "QID: uid=N from=<...>": a message submitted with sendmail.
type Pickup struct {
	UID    int    `json:"uid"`
	From   string `json:"from"`
	OrigID string `json:"orig_id,omitempty"`
}

// Client is smtpd's "QID: client=name[addr]": a message being received.
type Client struct {
	Client       Peer   `json:"client"`
	SASLMethod   string `json:"sasl_method,omitempty"`
	SASLUsername string `json:"sasl_username,omitempty"`
	OrigQueueID  string `json:"orig_queue_id,omitempty"`
	OrigClient   string `json:"orig_client,omitempty"`
}

// Connect is "connect from name[addr]" (smtpd) or tlsproxy's "CONNECT from".
type Connect struct {
	Client Peer `json:"client"`
}

// Disconnect is "disconnect from name[addr] ehlo=1 ... commands=4/6".
type Disconnect struct {
	Client        Peer   `json:"client"`
	Stats         string `json:"stats,omitempty"`
	CommandsOK    int    `json:"commands_ok"`
	CommandsTotal int    `json:"commands"`
	StartTLSOK    int    `json:"starttls_ok,omitempty"`
	StartTLS      int    `json:"starttls,omitempty"`
}

// AbnormalEnd is smtpd's "lost connection after STARTTLS from ...", also
// "timeout after ..." and "too many errors after ...".
type AbnormalEnd struct {
	Reason string `json:"reason"`
	After  string `json:"after"`
	Client Peer   `json:"client"`
}

// Reject is a "reject:", "reject_warning:", "hold:", "discard:" ... line
// from smtpd, cleanup or postscreen.
type Reject struct {
	Action Action `json:"action"`
	Stage  string `json:"stage"`
	Client Peer   `json:"client"`
	Reply  string `json:"reply"`
	Code   int    `json:"code,omitempty"`
	DSN    string `json:"dsn,omitempty"`
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	Proto  string `json:"proto,omitempty"`
	Helo   string `json:"helo,omitempty"`
}

// Notification is bounce's "QID: sender non-delivery notification: NEWQID".
type Notification struct {
	Type       string `json:"type"`
	NewQueueID string `json:"new_queue_id"`
}

// Postscreen is a postscreen or tlsproxy session line (CONNECT, PASS NEW,
// DNSBL rank, HANGUP, ...).
type Postscreen struct {
	Action string `json:"action"`
	Client Peer   `json:"client"`
	Detail string `json:"detail,omitempty"`
}

// ConnectFailure is smtp's "connect to host[addr]:port: reason".
type ConnectFailure struct {
	Peer   Peer   `json:"peer"`
	Reason string `json:"reason"`
}

// DeliverySkip is "QID: reason": an MX host failed and the next one is
// tried. It is not a final status; TLSFailure is set for TLS reasons.
type DeliverySkip struct {
	Reason     string         `json:"reason"`
	Peer       Peer           `json:"peer,omitzero"`
	TLSFailure TLSFailureKind `json:"tls_failure,omitempty"`
}

// TLSEstablished is "<Trust> TLS connection established|reused to|from peer:
// protocol with cipher C (n/m bits) ...".
type TLSEstablished struct {
	Trust           Trust     `json:"trust"`
	Reused          bool      `json:"reused,omitempty"`
	Direction       Direction `json:"direction"`
	Peer            Peer      `json:"peer"`
	SNI             string    `json:"sni,omitempty"`
	Protocol        string    `json:"protocol"`
	Cipher          string    `json:"cipher"`
	Bits            int       `json:"bits"`
	AlgBits         int       `json:"alg_bits"`
	KeyExchange     string    `json:"key_exchange,omitempty"`
	ServerSignature string    `json:"server_signature,omitempty"`
	ServerDigest    string    `json:"server_digest,omitempty"`
	ClientSignature string    `json:"client_signature,omitempty"`
	ClientDigest    string    `json:"client_digest,omitempty"`
}

// TLSCertFailure is "[server|client|CA ]certificate verification failed for
// peer: reason". Issuer is set for "untrusted issuer".
type TLSCertFailure struct {
	Role       string         `json:"role,omitempty"`
	Peer       Peer           `json:"peer"`
	TLSFailure TLSFailureKind `json:"tls_failure"`
	RFC8460    RFC8460        `json:"rfc8460"`
	Detail     string         `json:"detail"`
	Issuer     string         `json:"issuer,omitempty"`
}

// TLSHandshakeError is "SSL_connect error to peer: detail" or
// "SSL_accept error from peer: detail".
type TLSHandshakeError struct {
	Op        string    `json:"op"`
	Direction Direction `json:"direction"`
	Peer      Peer      `json:"peer"`
	Detail    string    `json:"detail"`
}

// TLSLibraryProblem is "warning: TLS library problem: ..." (OpenSSL's error).
type TLSLibraryProblem struct {
	Detail string `json:"detail"`
}

// TLSAbort is smtpd's "NOQUEUE: abort: TLS from peer: reason".
type TLSAbort struct {
	Client Peer   `json:"client"`
	Reason string `json:"reason"`
}

// StartTLSOffered is "Host offered STARTTLS: [nexthop]".
type StartTLSOffered struct {
	NextHop string `json:"nexthop"`
}

// TLSPeerNames carries certificate names logged at TLS loglevel 2:
// "peer: subjectAltName: name", "peer: subject_CN=cn, issuer=...",
// "peer: matched peername: name", "peer: CommonName name".
type TLSPeerNames struct {
	Peer      Peer   `json:"peer"`
	Names     string `json:"names,omitempty"`
	SubjectCN string `json:"subject_cn,omitempty"`
	Issuer    string `json:"issuer,omitempty"`
	Matched   bool   `json:"matched,omitempty"`
}

// DANE is a DANE/TLSA/fingerprint line ("all TLSA records unusable", "DANE
// TLSA lookup problem", "Matched DANE ...").
type DANE struct {
	Subject    string         `json:"subject,omitempty"`
	Detail     string         `json:"detail"`
	TLSFailure TLSFailureKind `json:"tls_failure,omitempty"`
	RFC8460    RFC8460        `json:"rfc8460,omitempty"`
}

// TLSRPT is Postfix's own "TLSRPT: status=..., domain=..., ..." line.
type TLSRPT struct {
	Status        string  `json:"status"`
	Domain        string  `json:"domain"`
	ReceivingMX   string  `json:"receiving_mx"`
	FailureType   RFC8460 `json:"failure_type,omitempty"`
	FailureReason string  `json:"failure_reason,omitempty"`
}

// TLSCache is a tlsmgr or session-cache line.
type TLSCache struct {
	Detail string `json:"detail"`
}

// TLSTrace is a TLS library line logged at tls_loglevel 2 or more (or
// with the 3.12 "trace" bit) that carries no fact of its own: engine
// set-up, the OpenSSL state machine and alerts, packet dumps, cipher
// lists, bare certificate subjects, and where a protocol trace was saved.
// Peer is set when the line names one.
type TLSTrace struct {
	Peer   Peer   `json:"peer,omitzero"`
	Detail string `json:"detail"`
}

// Notice is an informational line that needs no fields: daemon start and
// stop, anvil statistics, postsuper totals, and the like.
type Notice struct {
	Detail string `json:"detail"`
}

// Warning is a warning:, error:, fatal: or panic: line not covered by a more
// specific kind. The level is the record's Severity.
type Warning struct {
	Detail string `json:"detail"`
}

// Unparsed is a Postfix line this parser does not understand. It is counted
// and shown, never dropped.
type Unparsed struct{}

// Foreign is a line from a program that is not Postfix.
type Foreign struct{}

// Malformed is a line with no syslog envelope.
type Malformed struct{}

func (Delivery) Kind() Kind          { return KindDelivery }
func (QueueEntry) Kind() Kind        { return KindQueueEntry }
func (Expired) Kind() Kind           { return KindExpired }
func (Removed) Kind() Kind           { return KindRemoved }
func (MessageID) Kind() Kind         { return KindMessageID }
func (Pickup) Kind() Kind            { return KindPickup }
func (Client) Kind() Kind            { return KindClient }
func (Connect) Kind() Kind           { return KindConnect }
func (Disconnect) Kind() Kind        { return KindDisconnect }
func (AbnormalEnd) Kind() Kind       { return KindAbnormalEnd }
func (Reject) Kind() Kind            { return KindReject }
func (Notification) Kind() Kind      { return KindNotification }
func (Postscreen) Kind() Kind        { return KindPostscreen }
func (ConnectFailure) Kind() Kind    { return KindConnectFailure }
func (DeliverySkip) Kind() Kind      { return KindDeliverySkip }
func (TLSEstablished) Kind() Kind    { return KindTLSEstablished }
func (TLSCertFailure) Kind() Kind    { return KindTLSCertFailure }
func (TLSHandshakeError) Kind() Kind { return KindTLSHandshakeError }
func (TLSLibraryProblem) Kind() Kind { return KindTLSLibraryProblem }
func (TLSAbort) Kind() Kind          { return KindTLSAbort }
func (StartTLSOffered) Kind() Kind   { return KindStartTLSOffered }
func (TLSPeerNames) Kind() Kind      { return KindTLSPeerNames }
func (DANE) Kind() Kind              { return KindDANE }
func (TLSRPT) Kind() Kind            { return KindTLSRPT }
func (TLSCache) Kind() Kind          { return KindTLSCache }
func (TLSTrace) Kind() Kind          { return KindTLSTrace }
func (Notice) Kind() Kind            { return KindNotice }
func (Warning) Kind() Kind           { return KindWarning }
func (Unparsed) Kind() Kind          { return KindUnparsed }
func (Foreign) Kind() Kind           { return KindForeign }
func (Malformed) Kind() Kind         { return KindMalformed }

func (Delivery) event()          {}
func (QueueEntry) event()        {}
func (Expired) event()           {}
func (Removed) event()           {}
func (MessageID) event()         {}
func (Pickup) event()            {}
func (Client) event()            {}
func (Connect) event()           {}
func (Disconnect) event()        {}
func (AbnormalEnd) event()       {}
func (Reject) event()            {}
func (Notification) event()      {}
func (Postscreen) event()        {}
func (ConnectFailure) event()    {}
func (DeliverySkip) event()      {}
func (TLSEstablished) event()    {}
func (TLSCertFailure) event()    {}
func (TLSHandshakeError) event() {}
func (TLSLibraryProblem) event() {}
func (TLSAbort) event()          {}
func (StartTLSOffered) event()   {}
func (TLSPeerNames) event()      {}
func (DANE) event()              {}
func (TLSRPT) event()            {}
func (TLSCache) event()          {}
func (TLSTrace) event()          {}
func (Notice) event()            {}
func (Warning) event()           {}
func (Unparsed) event()          {}
func (Foreign) event()           {}
func (Malformed) event()         {}

// UnmarshalText reads "host[addr]:port" back.
func (p *Peer) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*p = Peer{}
		return nil
	}
	q, ok := parsePeer(string(b))
	if !ok {
		if strings.ContainsAny(string(b), "[] ") {
			return fmt.Errorf("logparse: bad peer %q", b)
		}
		q = Peer{Host: string(b)}
	}
	*p = q
	return nil
}

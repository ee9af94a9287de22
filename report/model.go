package report

import (
	"time"

	"github.com/pftls/pftls/logparse"
)

// Model is what a report says. It is built once from the facts of a window
// and rendered many ways; renderers never query the store. Its JSON form
// is pftls's stable machine interface (documented in the README): field
// names are never renamed, only added.
type Model struct {
	Generated   time.Time       `json:"generated"`
	Window      Window          `json:"window"`
	Hosts       []string        `json:"hosts"`
	Lines       Lines           `json:"lines"`
	Totals      Totals          `json:"totals"`
	TLSFailures []TLSFailureRow `json:"tls_failures"`
	Domains     []DomainRow     `json:"domains"`
	Deferrals   []DeferralRow   `json:"deferrals"`
	TLS         TLSHealth       `json:"tls"`
	Bounces     []BounceRow     `json:"bounces"`
	Rejects     []RejectRow     `json:"rejects"`
	Warnings    []WarningRow    `json:"warnings"`
	Unparsed    []UnparsedRow   `json:"unparsed"`
	Diagnoses   []Diagnosis     `json:"diagnoses"`
	// Inputs are the FILE arguments read for this report in which pftls
	// did not understand some lines, one row each (none when every line
	// was understood, or the report is of the database alone).
	Inputs []InputRow `json:"inputs"`
	// Gaps are the logs rotated away before pftls read their end whose
	// missing lines may fall in the window (see aggregate.Gap): read for
	// this report, or by any run before it.
	Gaps []GapRow `json:"gaps"`
	// Omitted counts the rows --top left out of a ranked list, by section
	// id (bounces, rejects, warnings, tls-inbound-clients, and the
	// pflogsumm staples below).
	Omitted map[string]int `json:"omitted,omitempty"`
	// Approximate names the ranked lists of senders, recipients and
	// sending domains that had more names than pftls counts (see
	// volumeLimit), by section id, with the most any message count and
	// any byte count shown in it may be over the truth. A list not named
	// is exact.
	Approximate map[string]VolumeBound `json:"approximate,omitempty"`

	// Filter says what --domain did, when it was given.
	Filter *Filter `json:"filter,omitempty"`
	// Incomplete says what a report from the database lacks when pftls
	// prune --keep-facts deleted the facts of part of its window.
	Incomplete *Incomplete `json:"incomplete,omitempty"`

	// pflogsumm's staples. Delivery is its "Host/Domain Summary: Message
	// Delivery": the destination domains by recipients delivered. Hourly
	// is traffic by hour of day (its "Per-Hour Traffic Summary", summed
	// over the days of the window), Daily by day; hours and days without
	// traffic are left out.
	Delivery []DeliveryRow `json:"delivery"`
	Hourly   []TrafficRow  `json:"hourly"`
	Daily    []TrafficRow  `json:"daily"`
	// ReceivedFrom is received messages by sender domain (pflogsumm's
	// "Host/Domain Summary: Messages Received").
	ReceivedFrom []VolumeRow `json:"received_from"`
	// Senders and Recipients are the top senders (of received messages)
	// and recipients (of delivered ones), by message count and by size.
	Senders          []VolumeRow `json:"senders"`
	SendersBySize    []VolumeRow `json:"senders_by_size"`
	Recipients       []VolumeRow `json:"recipients"`
	RecipientsBySize []VolumeRow `json:"recipients_by_size"`
	// Master counts master(8)'s starts, reloads and stops (pflogsumm's
	// "Master daemon messages"), by the hour like Lines.
	Master Master `json:"master"`
	// Trends are the problems of the most troubled destination domains
	// over the window, in equal time buckets (the per-domain chart); nil
	// when no domain had one.
	Trends *Trends `json:"trends,omitempty"`
	// SMTPD is the inbound smtpd connections by client host/domain
	// (pflogsumm's --smtpd-stats), the busiest --top.
	SMTPD []SMTPDRow `json:"smtpd"`

	// shownRows is what --top leaves of each per-domain section in the
	// renderings for people (forPeople): 0 every row (a model made by
	// hand, or decoded from JSON), n > 0 the first n, -1 none (--top 0).
	// Not part of the JSON.
	shownRows int
}

// Master counts master(8)'s lifecycle lines.
type Master struct {
	Started  int64 `json:"started"`  // "daemon started"
	Reloaded int64 `json:"reloaded"` // "reload"
	Stopped  int64 `json:"stopped"`  // "terminating on signal"
}

// Filter is what --domain filtered. Every section not named here counts
// the domain alone; rejects count those of recipients at the domain.
type Filter struct {
	Domain string `json:"domain"`
	// AllDomains are the sections that stay those of every domain: inbound
	// sessions and warnings have no destination domain.
	AllDomains []string `json:"all_domains"`
	// LeftOut are the totals and sections left empty: a received message
	// has no destination domain of its own (its recipients have).
	LeftOut []string `json:"left_out"`
	// Facts are the domain's delivery attempts and failed TLS sessions in
	// the window. None makes the window empty (ProblemEmpty): the report
	// can say nothing of the domain, and a misspelt name must not read
	// "all clear".
	Facts int64 `json:"facts"`
}

// Incomplete is what a report lacks because the facts before FactsBefore
// were pruned (pftls prune --keep-facts): of that time only the line and
// session counters and the hourly rollups remain. Complete are the
// sections still whole. Every section in MissingDetail counts only what
// happened from FactsBefore on, except that when Rollups is true the
// whole hours before it still count their plain deliveries (status=sent
// without a TLS failure: delivered, bytes, recipients, their TLS mix).
type Incomplete struct {
	FactsBefore time.Time `json:"facts_before"`
	// CountsBefore, when set, is the time before which the counters and
	// rollups were pruned too: a window that starts before it has nothing
	// complete.
	CountsBefore  time.Time `json:"counts_before,omitzero"`
	Rollups       bool      `json:"rollups"`
	Complete      []string  `json:"complete"`
	MissingDetail []string  `json:"missing_detail"`
}

// TrafficRow is the traffic of one hour of day ("00") or one day
// ("2026-12-05"), counted as the Totals are.
type TrafficRow struct {
	Period    string `json:"period"`
	Received  int64  `json:"received"`
	Delivered int64  `json:"delivered"`
	Deferrals int64  `json:"deferrals"` // deferral lines: pflogsumm's per-hour "deferred"
	Bounced   int64  `json:"bounced"`
	Rejected  int64  `json:"rejected"`
	// Connections are inbound smtpd sessions that started in the period
	// (pflogsumm's --smtpd-stats connections). The time connected is not
	// there: the store keeps ordinary sessions only as counts.
	Connections int64 `json:"smtpd_connections"`
	// TLSFailures are the failed outbound TLS sessions (for the charts).
	TLSFailures int64 `json:"tls_failures"`
	// ConnectSeconds is the time those smtpd sessions were connected,
	// MaxConnectSeconds the longest (pflogsumm's per-hour SMTPD
	// connection summary; 0 for sessions stored before schema step 9).
	ConnectSeconds    int64 `json:"smtpd_seconds"`
	MaxConnectSeconds int64 `json:"smtpd_max_seconds"`
}

// SMTPDRow is pflogsumm's "Host/Domain Summary: SMTPD Connections" row:
// the inbound sessions of a client host/domain (aggregate.ClientDomain)
// and how long they were connected, in whole seconds.
type SMTPDRow struct {
	Client      string `json:"client"`
	Connections int64  `json:"connections"`
	Seconds     int64  `json:"seconds"`
	MaxSeconds  int64  `json:"max_seconds"`
}

// DeliveryRow is one destination domain's deliveries, bytes and delays
// (seconds): AvgDelay is over its deliveries, MaxDelay over its
// deliveries and deferrals, as pflogsumm has them.
type DeliveryRow struct {
	Domain         string  `json:"domain"`
	Delivered      int64   `json:"delivered"`
	BytesDelivered int64   `json:"bytes_delivered"`
	Deferrals      int64   `json:"deferrals"`
	AvgDelay       float64 `json:"avg_delay"`
	MaxDelay       float64 `json:"max_delay"`
}

// VolumeRow is a sender, recipient or domain with its messages and bytes.
type VolumeRow struct {
	Name     string `json:"name"`
	Messages int64  `json:"messages"`
	Bytes    int64  `json:"bytes"`
}

// Window is the report's time span, [From, To).
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	Zone string    `json:"zone"`
}

// Lines says how much log the window covers.
type Lines struct {
	Read      int64 `json:"read"`
	Unparsed  int64 `json:"unparsed"`
	Foreign   int64 `json:"foreign"` // lines of other programs, skipped
	Malformed int64 `json:"malformed"`
	// Postfix is the lines of Postfix programs (read - foreign -
	// malformed); none is the "empty" state.
	Postfix int64 `json:"postfix"`
	// NotUnderstood is unparsed + malformed: lines pftls could not read.
	NotUnderstood int64 `json:"not_understood"`
}

// InputRow is one file read for the report and what of it pftls
// understood.
type InputRow struct {
	Path          string           `json:"path"`
	Lines         int64            `json:"lines"`          // lines read in this run
	Postfix       int64            `json:"postfix"`        // of them, Postfix lines
	NotUnderstood int64            `json:"not_understood"` // malformed + unparsed
	Foreign       int64            `json:"foreign"`        // other programs' lines
	Bare          int64            `json:"bare"`           // Postfix messages without time or host (journalctl -o cat)
	Format        logparse.Format  `json:"format"`         // the envelope most lines came in ("" when none)
	Formats       map[string]int64 `json:"formats"`        // lines by envelope format
	Examples      []string         `json:"examples"`       // the first lines not understood
	Unreadable    bool             `json:"unreadable"`     // no Postfix lines, or most not understood
}

// GapRow is a log pftls read part of before it was rotated away: when
// pftls next read its path, none of the path's rotated copies was that log
// (deleted, or moved elsewhere), so the lines written to it after its last
// line read, until the rotation, are missing (aggregate.Gap).
type GapRow struct {
	Path   string `json:"path"`   // the path it was read from
	Lines  int64  `json:"lines"`  // its lines pftls read
	Offset int64  `json:"offset"` // its bytes pftls read (decompressed)
	// After is the stamp of its last line read: the lines missing were
	// written after it. Unknown (left out) for a log read before schema
	// step 15; LastRead says the same then.
	After    time.Time `json:"after,omitzero"`
	LastRead time.Time `json:"last_read"` // when pftls last read it
	Found    time.Time `json:"found"`     // when pftls found it rotated away
	// Unread: a whole file, never read, is missing: tail found it at the
	// path but could not open it (its owner or mode), and it was rotated
	// away before it could. Lines and Offset are 0; After is the newest
	// line read when tail found it.
	Unread bool `json:"unread,omitzero"`
}

// Totals are counted the way pflogsumm counts them (see the README).
type Totals struct {
	Received         int64 `json:"received"`
	Delivered        int64 `json:"delivered"`
	Forwarded        int64 `json:"forwarded"`
	Deferred         int64 `json:"deferred"`  // messages with at least one deferral
	Deferrals        int64 `json:"deferrals"` // deferral lines
	Bounced          int64 `json:"bounced"`
	Expired          int64 `json:"expired"`
	Rejected         int64 `json:"rejected"`
	RejectWarnings   int64 `json:"reject_warnings"`
	Held             int64 `json:"held"`
	Discarded        int64 `json:"discarded"`
	BytesReceived    int64 `json:"bytes_received"`
	BytesDelivered   int64 `json:"bytes_delivered"`
	Senders          int64 `json:"senders"`
	SendingDomains   int64 `json:"sending_domains"`
	Recipients       int64 `json:"recipients"`
	RecipientDomains int64 `json:"recipient_domains"`
	TLSFailures      int64 `json:"tls_failures"`
	TLSFailedDomains int64 `json:"tls_failed_domains"`
	Fatal            int64 `json:"fatal"` // fatal: and panic: lines
}

// Count is a text and how often it occurred.
type Count struct {
	Reason string `json:"reason"`
	Count  int64  `json:"count"`
}

// DomainRow is one destination domain's outcome.
type DomainRow struct {
	Domain      string  `json:"domain"`
	Delivered   int64   `json:"delivered"` // sent recipients
	Deferred    int64   `json:"deferred"`  // messages with a deferral
	Deferrals   int64   `json:"deferrals"` // deferral lines
	Bounced     int64   `json:"bounced"`
	Expired     int64   `json:"expired"` // recipients whose message expired undelivered
	TLSFailures int64   `json:"tls_failures"`
	TopReasons  []Count `json:"top_reasons"`
	// BytesDelivered, AvgDelay and MaxDelay are pflogsumm's "Host/Domain
	// Summary: Message Delivery": bytes of the delivered recipients, their
	// mean delay, and the longest delay of a delivery or a deferral
	// (seconds).
	BytesDelivered int64   `json:"bytes_delivered"`
	AvgDelay       float64 `json:"avg_delay"`
	MaxDelay       float64 `json:"max_delay"`
}

// TLSFailureRow is one kind of TLS failure at one destination domain.
type TLSFailureRow struct {
	Domain     string                  `json:"domain"`
	Direction  logparse.Direction      `json:"direction"` // "to" (outbound) or "from" (inbound client)
	Kind       logparse.TLSFailureKind `json:"kind"`
	RFC8460    logparse.RFC8460        `json:"rfc8460"`
	Count      int64                   `json:"count"`      // failed sessions
	Messages   int64                   `json:"messages"`   // distinct messages affected
	Recipients int64                   `json:"recipients"` // distinct recipients affected
	Hosts      []string                `json:"hosts"`      // MX hosts (or clients) involved
	Detail     string                  `json:"detail"`     // issuer DN, OpenSSL error or reason
	FirstSeen  time.Time               `json:"first_seen"`
	LastSeen   time.Time               `json:"last_seen"`
	Deferring  bool                    `json:"deferring"`              // mail is being deferred because of it (dsn 4.7.x)
	Names      []string                `json:"names,omitempty"`        // certificate names seen (TLS loglevel 2)
	Evidence   []string                `json:"evidence,omitempty"`     // log lines of the earliest failed session
	LastGood   time.Time               `json:"last_good_tls,omitzero"` // last TLS delivery to the domain before the window
	Sent       int64                   `json:"sent_despite,omitempty"` // failures after which the mail was still sent (plaintext retry)
	// RecipientDomains are the recipients' domains when the row is keyed
	// by another TLS policy domain (the next hop: a relayhost, a
	// recipient without a domain).
	RecipientDomains []string `json:"recipient_domains,omitempty"`
}

// DeferralRow is one destination domain's deferrals.
type DeferralRow struct {
	Domain         string  `json:"domain"`
	Recipients     int64   `json:"recipients"` // distinct recipients deferred
	Messages       int64   `json:"messages"`
	Deferrals      int64   `json:"deferrals"`
	StillQueued    int64   `json:"still_queued"`    // recipients with no final status yet
	Expired        int64   `json:"expired"`         // recipients whose message expired
	LaterDelivered int64   `json:"later_delivered"` // recipients sent after a deferral
	LaterBounced   int64   `json:"later_bounced"`
	Deleted        int64   `json:"deleted"` // recipients whose message an admin deleted
	Reasons        []Count `json:"reasons"`
	DSNs           []Count `json:"dsns"`
	MaxDelay       float64 `json:"max_delay"`    // seconds
	MedianDelay    float64 `json:"median_delay"` // seconds
}

// TLSHealth is the TLS posture, outbound by destination domain and inbound.
type TLSHealth struct {
	Outbound OutboundTLS `json:"outbound"`
	Inbound  InboundTLS  `json:"inbound"`
}

// OutboundTLS summarises connections that reached a remote server.
type OutboundTLS struct {
	Deliveries int64            `json:"deliveries"` // attempts that reached a server
	TLS        int64            `json:"tls"`
	ByTrust    map[string]int64 `json:"by_trust"` // verified, trusted, untrusted, anonymous, encrypted, plaintext, tls-failed, not-logged
	// NotLoggedHosts are the hosts whose log says nothing of TLS for any
	// delivery in the window (aggregate.PostureNotLogged).
	NotLoggedHosts []string         `json:"tls_not_logged_hosts,omitempty"`
	ByProtocol     map[string]int64 `json:"by_protocol"`
	ByCipher       map[string]int64 `json:"by_cipher"`
	Domains        []TLSDomainRow   `json:"domains"`
	// Posture beyond trust, from the established lines (Postfix 3.4+ logs
	// the TLS 1.3 details): key exchange groups, post-quantum hybrid ones
	// among them, the servers' signature algorithms and sizes.
	ByKeyExchange map[string]int64 `json:"by_key_exchange,omitempty"`
	BySignature   map[string]int64 `json:"by_server_signature,omitempty"`
	PostQuantum   int64            `json:"post_quantum,omitempty"` // attempts over a post-quantum hybrid key exchange (X25519MLKEM768, ...)
	TLS13         int64            `json:"tls13,omitempty"`
	// TLSRPT is what Postfix 3.10's own TLSRPT lines said per domain,
	// beside pftls's classification of the same sessions.
	TLSRPT []TLSRPTRow `json:"tlsrpt,omitempty"`
}

// TLSRPTRow counts Postfix's TLSRPT results ("TLSRPT: status=...") of one
// domain's new TLS handshakes.
type TLSRPTRow struct {
	Domain   string  `json:"domain"`
	Success  int64   `json:"success"`
	Failure  int64   `json:"failure"`
	Failures []Count `json:"failures,omitempty"` // "TYPE REASON" as Postfix wrote them (type in RFC 8460 spelling)
	PFTLS    []Count `json:"pftls,omitempty"`    // what pftls made of the same handshakes: the failure kind or the TLS trust
}

// TLSDomainRow is the TLS mix of one destination domain.
type TLSDomainRow struct {
	Domain     string  `json:"domain"`
	Deliveries int64   `json:"deliveries"`
	Sent       int64   `json:"sent"`
	TLSPercent float64 `json:"tls_percent"`
	Verified   int64   `json:"verified"`
	Trusted    int64   `json:"trusted"`
	Untrusted  int64   `json:"untrusted"`
	Anonymous  int64   `json:"anonymous"`
	Encrypted  int64   `json:"encrypted,omitempty"` // TLS known only from tls= (3.11+) at may/encrypt/halfdane: trust not logged
	Plaintext  int64   `json:"plaintext"`
	NoTLS      int64   `json:"tls_failed"` // TLS was required or tried and failed; nothing was sent in the clear
	// NotLogged: sent with no TLS line and no tls= field by a host that
	// logged neither for any delivery in the window (smtp_tls_loglevel =
	// 0 before Postfix 3.11): TLS or plaintext, the log does not say.
	// TLSPercent is of the other attempts.
	NotLogged        int64    `json:"tls_not_logged,omitempty"`
	Protocols        []string `json:"protocols"`
	Ciphers          []string `json:"ciphers"`
	TLS13            int64    `json:"tls13,omitempty"`        // attempts over TLS 1.3
	PostQuantum      int64    `json:"post_quantum,omitempty"` // attempts over a post-quantum hybrid key exchange
	KeyExchanges     []string `json:"key_exchanges,omitempty"`
	ServerSignatures []string `json:"server_signatures,omitempty"`
	// Policies counts the tls= outcomes (Postfix 3.11+) that are not
	// plain compliance: downgrades ("may:none", "dane:halfdane",
	// "dane:encrypt"), violations ("!dane"), undecided ("dane?") and every
	// REQUIRETLS outcome, by the field as written.
	Policies []PolicyCount `json:"tls_policies,omitempty"`
}

// PolicyCount is one tls= outcome at a domain and what it means.
type PolicyCount struct {
	Policy  string `json:"policy"`  // as written: "dane:encrypt/requiretls"
	Meaning string `json:"meaning"` // "downgrade", "violation", "undecided", "requiretls"
	Count   int64  `json:"count"`
}

// InboundTLS summarises smtpd sessions.
type InboundTLS struct {
	Connections      int64            `json:"connections"`
	TLS              int64            `json:"tls"`
	TLSPercent       float64          `json:"tls_percent"`
	TLS13            int64            `json:"tls13,omitempty"` // sessions over TLS 1.3
	ByKeyExchange    map[string]int64 `json:"by_key_exchange,omitempty"`
	PostQuantum      int64            `json:"post_quantum,omitempty"` // sessions over a post-quantum hybrid key exchange
	ByTrust          map[string]int64 `json:"by_trust"`
	ByProtocol       map[string]int64 `json:"by_protocol"`
	LegacyClients    []ClientCount    `json:"legacy_clients"` // still on TLSv1 / TLSv1.1 (the --top busiest)
	HandshakeFailure []ClientCount    `json:"handshake_failures"`
	LegacyTotal      int              `json:"legacy_clients_total"`     // all of them
	FailureTotal     int              `json:"handshake_failures_total"` // all of them
}

// ClientCount is a client with a count and a detail.
type ClientCount struct {
	Client string `json:"client"`
	Count  int64  `json:"count"`
	Detail string `json:"detail"`
}

// BounceRow is a bounce reason at one domain.
type BounceRow struct {
	Domain string `json:"domain"`
	Relay  string `json:"relay"`
	Reason string `json:"reason"`
	Count  int64  `json:"count"`
}

// RejectRow is one reject reason (pflogsumm's "message reject detail").
type RejectRow struct {
	Action  logparse.Action `json:"action"`
	Stage   string          `json:"stage"`
	Reason  string          `json:"reason"`
	Count   int64           `json:"count"`
	Clients []Count         `json:"clients"`
}

// WarningRow is a group of warning, error, fatal or panic lines.
type WarningRow struct {
	Severity  logparse.Severity `json:"severity"`
	Program   string            `json:"program"`
	Message   string            `json:"message"` // the text with variable parts masked
	Example   string            `json:"example"` // the first line as written
	Count     int64             `json:"count"`
	FirstSeen time.Time         `json:"first_seen"`
	LastSeen  time.Time         `json:"last_seen"`
	// Programs are the instances of the service that wrote the lines
	// ("gmx/smtpd", "corp/smtpd"), sorted, when there were several; then
	// Program is the service they share ("smtpd").
	Programs []string `json:"programs,omitempty"`
}

// UnparsedRow is a Postfix line pftls did not understand.
type UnparsedRow struct {
	Time    time.Time `json:"time"`
	Host    string    `json:"host"`
	Program string    `json:"program"`
	Text    string    `json:"text"`
}

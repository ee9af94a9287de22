package report

import (
	"cmp"
	"context"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
)

// This file is the Prometheus side of pftls: the metric families counted
// from facts, shared by "pftls tail --listen" (a Metrics fed batch by
// batch, scraped over HTTP) and "pftls report --format prometheus" (a
// Metrics fed a window's facts, written once for node_exporter's textfile
// collector). What a fact counts as is aggregate's (classify.go); this file
// only chooses labels. Every family is in the README's "Metrics" section.
//
// Cardinality is bounded by design: labels take values from closed sets
// (statuses, trust levels, failure kinds, RFC 8460 types, DSN classes),
// free text never becomes a label, TLS protocols outside the known list are
// "other", and recipient domains appear only in the two per-domain
// families, for at most MetricsOptions.Domains of them.

// OtherDomain is the domain label of everything outside the top domains.
const OtherDomain = "other"

// DefaultMetricsDomains is how many domains get series of their own
// when MetricsOptions.Domains is 0.
const DefaultMetricsDomains = 10

// maxTrackedDomains bounds the per-domain tallies kept for ranking: a
// domain first seen after that many is counted in "other" only.
const maxTrackedDomains = 10000

// metricFamily is one counter family: its name, label names and
// description (which holds its help).
type metricFamily struct {
	name   string
	labels []string
	desc   *prometheus.Desc
}

func newFamily(name, help string, labels ...string) *metricFamily {
	return &metricFamily{name: name, labels: labels, desc: prometheus.NewDesc(name, help, labels, nil)}
}

// The counter families counted from facts.
var (
	famReceived = newFamily("pftls_messages_received_total",
		"Messages received (by smtpd or pickup; pflogsumm's received), by the time they entered the queue.", "host")
	famExpired = newFamily("pftls_messages_expired_total",
		"Messages returned to the sender after their maximal queue lifetime (status=expired).", "host")
	famDeferredMsgs = newFamily("pftls_messages_deferred_total",
		"Messages with at least one deferral (each counted once).", "host")
	famDeliveries = newFamily("pftls_deliveries_total",
		"Delivery lines (one recipient each) by outcome: delivered, forwarded, deferred, bounced, other; relay: remote (SMTP/LMTP to a server), filter (a local content filter hop), local.", "host", "status", "relay")
	famDeferrals = newFamily("pftls_deferrals_total",
		"status=deferred (and SOFTBOUNCE) lines by DSN code and the RFC 3463 subject class of the DSN (tls when TLS failed).", "host", "dsn", "reason")
	famTLSSessions = newFamily("pftls_tls_sessions_total",
		"Outbound SMTP/LMTP deliveries and inbound smtpd sessions by their TLS: trust (verified, trusted, untrusted, anonymous, encrypted, plaintext, tls-failed; not-logged: outbound with no TLS line from a host that logs no TLS, smtp_tls_loglevel 0; under tail, none yet) protocol (none without TLS) and key exchange class (kx: classic, pq-hybrid, unknown when not logged, none without TLS).", "host", "direction", "trust", "protocol", "kx")
	famTLSFailures = newFamily("pftls_tls_failures_total",
		"Failed TLS sessions (or TLS refusals) by direction, pftls's failure kind and the RFC 8460 result type.", "host", "direction", "kind", "rfc8460")
	famRejects = newFamily("pftls_rejects_total",
		"reject, reject_warning, hold and discard lines by what they count as: rejected, warned, held, discarded, other.", "host", "class")
	famWarnings = newFamily("pftls_warnings_total",
		"Postfix warning, error, fatal and panic lines.", "host", "severity")
	famLines = newFamily("pftls_lines_read_total",
		"Log lines read.", "host")
	famNotUnderstood = newFamily("pftls_lines_not_understood_total",
		"Postfix lines pftls did not understand: unparsed (a Postfix line of no known shape) or malformed (no readable envelope).", "host", "reason")
	famDomainDeliveries = newFamily("pftls_domain_deliveries_total",
		"Delivery lines to the top recipient domains (the rest as domain=\"other\") by outcome.", "domain", "status")
	famDomainTLSFailures = newFamily("pftls_domain_tls_failures_total",
		"Outbound TLS failures with the top recipient domains (the rest as domain=\"other\") by kind.", "domain", "kind")
)

var factFamilies = []*metricFamily{famReceived, famExpired, famDeferredMsgs, famDeliveries, famDeferrals,
	famTLSSessions, famTLSFailures, famRejects, famWarnings, famLines, famNotUnderstood}

var domainFamilies = []*metricFamily{famDomainDeliveries, famDomainTLSFailures}

// MetricNames lists the families a Metrics exports.
func MetricNames() []string { return familyNames(slices.Concat(factFamilies, domainFamilies)) }

// familyNames are the names of families fs.
func familyNames(fs []*metricFamily) []string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return names
}

// describe sends the descriptions of families fs
// (prometheus.Collector's Describe).
func describe(ch chan<- *prometheus.Desc, fs []*metricFamily) {
	for _, f := range fs {
		ch <- f.desc
	}
}

// MetricsOptions say what a Metrics counts.
type MetricsOptions struct {
	From, To time.Time // the window; zero: unbounded (tail)
	Domains  int       // domains with series of their own; 0 means DefaultMetricsDomains, <0 none
	// Live marks a Metrics scraped again and again (tail): a domain that
	// enters the top domains after the first scrape starts its series
	// at 0, so that neither its series nor "other" ever goes down. A
	// window (report) ranks all its domains at once.
	Live bool
	// Host, when set, counts the facts of that host only (--host).
	Host string
}

// labelKey holds a series' label values in its family's order.
type labelKey [5]string

// domainStats is the tally of one recipient domain.
type domainStats struct {
	score  int64                                  // deliveries plus twice the problems: the ranking
	counts map[*metricFamily]map[labelKey]float64 // full counts; labelKey holds the labels after domain
	base   map[*metricFamily]map[labelKey]float64 // counts when it entered the top domains (Live)
	top    bool
}

// msgState is what was counted of a message still open.
type msgState uint8

const (
	countedReceived msgState = 1 << iota
	countedDeferred
	countedExpired
)

// Metrics counts facts into pftls's Prometheus families. It is an
// aggregate.FactConsumer (tail), an aggregate.Sink (a store scan) and a
// prometheus.Collector. It is safe for concurrent use: the pump feeds it
// while the HTTP server collects.
type Metrics struct {
	mu       sync.Mutex
	opts     MetricsOptions
	counts   map[*metricFamily]map[labelKey]float64
	domains  map[string]*domainStats
	totals   map[*metricFamily]map[labelKey]float64 // per-domain families summed over every domain
	nTop     int
	scraped  bool
	messages map[msgKey]msgState // messages counted and not yet removed: tail sees a message at every change
	// tls files the deliveries with no TLS line under trust "plaintext"
	// or "not-logged" by their host, as the report does: a report's
	// metrics once they have read everything (unlogged, Collect); tail's
	// (Live), whose counters only grow, as the deliveries come.
	tls      tlsLogging
	unlogged map[labelKey]float64 // not Live: famTLSSessions's plaintext deliveries with no TLS line, trust left ""
	// lastLine is the minute of the newest line counted, in the window
	// or not (LastLineDesc; not served under Live: tail has its own).
	lastLine time.Time
	latest   time.Time
	swept    time.Time // latest at the last sweep
}

// NewMetrics returns an empty Metrics.
func NewMetrics(o MetricsOptions) *Metrics {
	if o.Domains == 0 {
		o.Domains = DefaultMetricsDomains
	}
	return &Metrics{opts: o, counts: map[*metricFamily]map[labelKey]float64{}, domains: map[string]*domainStats{},
		totals: map[*metricFamily]map[labelKey]float64{}, messages: map[msgKey]msgState{}, tls: newTLSLogging(o.From, o.To),
		unlogged: map[labelKey]float64{}}
}

func (m *Metrics) inWindow(t time.Time) bool { return inWindow(m.opts.From, m.opts.To, t) }

func add(c map[*metricFamily]map[labelKey]float64, f *metricFamily, k labelKey, n float64) {
	s := c[f]
	if s == nil {
		s = map[labelKey]float64{}
		c[f] = s
	}
	addLabels(s, k, n)
}

// addLabels adds n to the series k of s, copying its labels when it is new.
// (An update stores k as the key again, so a series keeps the labels of
// its latest fact alive, at most five lines' texts, as countStringN's
// keys do; counting by pointer, as addCount does, would avoid it.)
func addLabels(s map[labelKey]float64, k labelKey, n float64) {
	if v, ok := s[k]; ok {
		s[k] = v + n
		return
	}
	for i := range k {
		k[i] = strings.Clone(k[i]) // facts' strings are slices of whole lines
	}
	s[k] = n
}

func (m *Metrics) inc(f *metricFamily, k labelKey) { add(m.counts, f, k, 1) }

// Facts counts a batch from the pump (aggregate.FactConsumer).
func (m *Metrics) Facts(b *aggregate.Batch) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b = b.OnlyHost(m.opts.Host)
	// Attempts before messages: a message removed in this batch is
	// forgotten after its deferrals are counted.
	each(b.Attempts, m.attempt)
	each(b.Messages, m.message)
	each(b.TLS, m.tlsFailure)
	each(b.Sessions, m.session)
	each(b.Rejects, m.reject)
	each(b.Warnings, m.warning)
	each(b.LineCounts, m.lineCount)
	m.sweep()
}

// The aggregate.Sink methods, for a store scan (report --format
// prometheus, and tail's counters continuing from the store).

// Message counts a message (aggregate.Sink).
func (m *Metrics) Message(x *aggregate.Message) { m.locked(func() { m.message(x) }) }

// Attempt counts a delivery line (aggregate.Sink).
func (m *Metrics) Attempt(x *aggregate.Attempt) { m.locked(func() { m.attempt(x) }) }

// TLSFailure counts a TLS failure (aggregate.Sink).
func (m *Metrics) TLSFailure(x *aggregate.TLSFailure) { m.locked(func() { m.tlsFailure(x) }) }

// Session counts an inbound session (aggregate.Sink).
func (m *Metrics) Session(x *aggregate.Session) { m.locked(func() { m.session(x) }) }

// SessionCount counts ordinary inbound sessions (aggregate.Sink).
func (m *Metrics) SessionCount(c *aggregate.SessionCount) {
	m.locked(func() {
		if m.inWindow(c.First) {
			m.inbound(c.Host, c.TLSTrust, false, c.TLSProtocol, c.TLSKeyExchange, float64(c.Sessions))
		}
	})
}

// Reject counts a reject line (aggregate.Sink).
func (m *Metrics) Reject(x *aggregate.Reject) { m.locked(func() { m.reject(x) }) }

// Warning counts a warning line (aggregate.Sink).
func (m *Metrics) Warning(x *aggregate.Warning) { m.locked(func() { m.warning(x) }) }

// Unparsed is counted by the line counts (aggregate.Sink).
func (m *Metrics) Unparsed(*aggregate.Unparsed) {}

// LineCount counts lines read (aggregate.Sink).
func (m *Metrics) LineCount(x *aggregate.LineCount) { m.locked(func() { m.lineCount(x) }) }

func (m *Metrics) locked(f func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f()
}

func (m *Metrics) seen(t time.Time) {
	if t.After(m.latest) {
		m.latest = t
	}
}

// message counts a message received or expired in the window; a store
// hands over no other message begun before a bounded window
// (aggregate.Store.Scan).
func (m *Metrics) message(x *aggregate.Message) {
	k := msgKey{x.Host, x.QueueID, x.Start.UnixNano()}
	st := m.messages[k]
	if st&countedReceived == 0 && x.Received() && m.inWindow(x.Start) {
		st |= countedReceived
		m.inc(famReceived, labelKey{x.Host})
	}
	if st&countedExpired == 0 && x.Expired && m.inWindow(x.LastSeen) {
		st |= countedExpired
		m.inc(famExpired, labelKey{x.Host})
	}
	m.seen(x.LastSeen)
	if x.Removed {
		delete(m.messages, k)
	} else if st != 0 {
		m.messages[k.owned()] = st
	}
}

// sweep forgets messages that entered the queue more than 8 days before
// the newest fact: Postfix returns a message after 5 days
// (maximal_queue_lifetime) and the correlator prunes what it never saw
// removed, so such a message will not come again. It runs at most once an
// hour of log time, and only when there are many.
func (m *Metrics) sweep() {
	if len(m.messages) < 10000 || m.latest.Sub(m.swept) < time.Hour {
		return
	}
	m.swept = m.latest
	cut := m.latest.Add(-8 * 24 * time.Hour).UnixNano()
	for k := range m.messages {
		if k.start < cut {
			delete(m.messages, k)
		}
	}
}

// outcomeLabel names an aggregate.Outcome.
func outcomeLabel(o aggregate.Outcome) string {
	switch o {
	case aggregate.OutcomeDelivered:
		return "delivered"
	case aggregate.OutcomeForwarded:
		return "forwarded"
	case aggregate.OutcomeDeferred:
		return "deferred"
	case aggregate.OutcomeBounced:
		return "bounced"
	}
	return "other"
}

// RelayClass is where a delivery attempt went: "filter" for a hop to a
// local content filter (it does not count for its domain), "remote" for
// an SMTP or LMTP delivery to a server (it counts in the TLS mix), "local"
// otherwise (local, virtual, pipe, error, ...). It is built from
// aggregate's rules (ForDomain, InTLSMix) and decides nothing of its own.
func RelayClass(a *aggregate.Attempt) string {
	switch {
	case !a.ForDomain():
		return "filter"
	case a.InTLSMix():
		return "remote"
	}
	return "local"
}

// dsnLabel is a DSN code when it looks like one (class.subject.detail,
// digits), "none" when there is none, and "other" otherwise: log text
// never becomes a label value unchecked.
func dsnLabel(dsn string) string {
	if dsn == "" {
		return "none"
	}
	parts := strings.Split(dsn, ".")
	if len(parts) != 3 {
		return OtherDomain
	}
	for i, p := range parts {
		if p == "" || len(p) > 3 || (i == 0 && len(p) != 1) || strings.Trim(p, "0123456789") != "" {
			return OtherDomain
		}
	}
	return dsn
}

// reasonLabel is the deferral's cause as a small closed set: "tls" when TLS
// failed, else the RFC 3463 subject of its DSN (X.subject.Z).
func reasonLabel(a *aggregate.Attempt) string {
	if a.TLSFailure != "" {
		return "tls"
	}
	d := dsnLabel(a.DSN)
	if d == "none" || d == OtherDomain {
		return "unknown"
	}
	switch strings.Split(d, ".")[1] {
	case "1":
		return "addressing"
	case "2":
		return "mailbox"
	case "3":
		return "mail-system"
	case "4":
		return "network"
	case "5":
		return "protocol"
	case "6":
		return "content"
	case "7":
		return "security"
	}
	return "other"
}

// kxLabel is the key exchange class of a TLS session: pq-hybrid when
// aggregate.PostQuantum says so, classic for another group, unknown when
// the log did not say (before Postfix 3.4, inbound sessions), none
// without TLS.
func kxLabel(protocol, group string) string {
	switch {
	case protocol == "":
		return "none"
	case group == "":
		return "unknown"
	case aggregate.PostQuantum(group):
		return "pq-hybrid"
	}
	return "classic"
}

// protocolLabel keeps TLS protocol names to the known ones.
func protocolLabel(p string) string {
	switch p {
	case "":
		return "none"
	case "SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3":
		return p
	}
	return "other"
}

func (m *Metrics) attempt(a *aggregate.Attempt) {
	m.tls.note(a.Host, a.Time, a.TLSLogged())
	if !m.inWindow(a.Time) {
		return
	}
	m.seen(a.Time)
	outcome := a.Outcome()
	status := outcomeLabel(outcome)
	m.inc(famDeliveries, labelKey{a.Host, status, RelayClass(a)})
	if outcome == aggregate.OutcomeDeferred {
		m.inc(famDeferrals, labelKey{a.Host, dsnLabel(a.DSN), reasonLabel(a)})
		k := msgKey{a.Host, a.QueueID, a.MessageStart.UnixNano()}
		if st := m.messages[k]; st&countedDeferred == 0 {
			m.inc(famDeferredMsgs, labelKey{a.Host})
			m.messages[k.owned()] = st | countedDeferred
		}
	}
	if a.InTLSMix() {
		k := labelKey{a.Host, "outbound", string(a.TLSPosture()), protocolLabel(a.TLSProtocol), kxLabel(a.TLSProtocol, a.TLSKeyExchange)}
		switch {
		case k[2] != string(aggregate.PosturePlaintext) || a.TLSLogged():
			m.inc(famTLSSessions, k)
		case m.opts.Live:
			k[2] = string(m.tls.posture(a.Host))
			m.inc(famTLSSessions, k)
		default:
			k[2] = ""
			addLabels(m.unlogged, k, 1)
			m.tls.unknown(a.Host)
		}
	}
	if a.ForDomain() {
		problems := int64(0)
		if outcome.Problem() {
			problems = 1
		}
		m.domainAdd(a.Domain, famDomainDeliveries, labelKey{status}, 1+2*problems)
	}
}

func directionLabel(d logparse.Direction) string {
	if d == logparse.DirInbound {
		return "inbound"
	}
	return "outbound"
}

func (m *Metrics) tlsFailure(f *aggregate.TLSFailure) {
	if !m.inWindow(f.Time) {
		return
	}
	m.seen(f.Time)
	rfc := string(f.RFC8460)
	if rfc == "" {
		rfc = "none"
	}
	m.inc(famTLSFailures, labelKey{f.Host, directionLabel(f.Direction), string(f.Kind), rfc})
	if f.Outbound() {
		m.domainAdd(f.Domain, famDomainTLSFailures, labelKey{string(f.Kind)}, 2)
	}
}

func (m *Metrics) session(s *aggregate.Session) {
	if !m.inWindow(s.Start) {
		return
	}
	m.seen(s.Start)
	m.inbound(s.Host, s.TLSTrust, s.TLSFailed, s.TLSProtocol, s.TLSKeyExchange, 1)
}

func (m *Metrics) inbound(host string, trust logparse.Trust, failed bool, protocol, kex string, n float64) {
	t := string(aggregate.InboundPosture(trust, protocol, failed))
	add(m.counts, famTLSSessions, labelKey{host, "inbound", t, protocolLabel(protocol), kxLabel(protocol, kex)}, n)
}

func rejectLabel(c aggregate.RejectClass) string {
	switch c {
	case aggregate.RejectRejected:
		return "rejected"
	case aggregate.RejectWarned:
		return "warned"
	case aggregate.RejectHeld:
		return "held"
	case aggregate.RejectDiscarded:
		return "discarded"
	}
	return "other"
}

func (m *Metrics) reject(r *aggregate.Reject) {
	if m.inWindow(r.Time) {
		m.seen(r.Time)
		m.inc(famRejects, labelKey{r.Host, rejectLabel(r.Class())})
	}
}

func (m *Metrics) warning(w *aggregate.Warning) {
	if m.inWindow(w.Time) {
		m.seen(w.Time)
		m.inc(famWarnings, labelKey{w.Host, string(w.Severity)})
	}
}

func (m *Metrics) lineCount(c *aggregate.LineCount) {
	if c.Kind != logparse.KindMalformed && c.Minute.After(m.lastLine) {
		m.lastLine = c.Minute // whatever the window: see LastLineDesc
	}
	// As in the report.
	if !c.Overlaps(m.opts.From, m.opts.To) {
		return
	}
	n := float64(c.Count)
	add(m.counts, famLines, labelKey{c.Host}, n)
	// Both reasons exist from the first line on, at 0, so that an alert
	// on their increase sees the first one.
	for _, k := range aggregate.NotUnderstoodKinds {
		v := 0.0
		if c.Kind == k {
			v = n
		}
		add(m.counts, famNotUnderstood, labelKey{c.Host, string(k)}, v)
	}
}

// domainAdd counts one fact of a per-domain family.
func (m *Metrics) domainAdd(domain string, f *metricFamily, rest labelKey, score int64) {
	if domain == "" {
		domain = unknownDomain
	}
	add(m.totals, f, rest, 1)
	d := m.domains[domain]
	if d == nil {
		if len(m.domains) >= maxTrackedDomains {
			return // counted in "other" only
		}
		d = &domainStats{counts: map[*metricFamily]map[labelKey]float64{}}
		m.domains[strings.Clone(domain)] = d
	}
	d.score += score
	add(d.counts, f, rest, 1)
}

// promote fills the top domains, best score first. In a live Metrics
// already scraped, a domain enters with its counts so far as its base.
func (m *Metrics) promote() {
	limit := max(m.opts.Domains, 0)
	if m.nTop >= limit {
		return
	}
	var cands []string
	for name, d := range m.domains {
		if !d.top && name != OtherDomain {
			cands = append(cands, name)
		}
	}
	slices.SortFunc(cands, func(a, b string) int {
		return cmp.Or(cmp.Compare(m.domains[b].score, m.domains[a].score), strings.Compare(a, b))
	})
	for _, name := range cands[:min(len(cands), limit-m.nTop)] {
		d := m.domains[name]
		d.top = true
		d.base = map[*metricFamily]map[labelKey]float64{}
		if m.opts.Live && m.scraped {
			for f, s := range d.counts {
				for k, v := range s {
					add(d.base, f, k, v)
				}
			}
		}
		m.nTop++
	}
}

// Describe sends the descriptors of every family (prometheus.Collector).
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	describe(ch, slices.Concat(factFamilies, domainFamilies))
	if !m.opts.Live {
		ch <- LastLineDesc
	}
}

// SettleTLSLogged asks the store about the hosts of a report's metrics
// with deliveries without a TLS line that showed no delivery whose TLS was
// logged: the metrics read no delivery outside their window.
func (m *Metrics) SettleTLSLogged(ctx context.Context, st *aggregate.Store) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tls.settle(ctx, st)
}

// LastLineDesc is the stamp of the newest log line read. tail serves the
// correlator's newest stamp; report --format prometheus the start of the
// newest minute with a line it was given (NoteLastLine, and the line
// counts it reads), whatever its window: the textfile of an empty window
// still tells how long ago the log was last written, so that an alert on
// it (PftlsLogNotRead) fires rather than losing its series.
var LastLineDesc = prometheus.NewDesc("pftls_last_line_timestamp_seconds",
	"Stamp of the newest log line read (Unix seconds; from pftls report --format prometheus, the start of its minute, whatever the window).", nil, nil)

// NoteLastLine tells the metrics of a report the minute of the newest
// line stored (aggregate.Store.LastLine), which its window may not hold.
func (m *Metrics) NoteLastLine(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.After(m.lastLine) {
		m.lastLine = t
	}
}

// Collect sends every series (prometheus.Collector).
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.opts.Live && !m.lastLine.IsZero() {
		ch <- prometheus.MustNewConstMetric(LastLineDesc, prometheus.GaugeValue, float64(m.lastLine.Unix()))
	}
	for _, f := range factFamilies {
		counts := m.counts[f]
		if f == famTLSSessions && len(m.unlogged) > 0 {
			counts = maps.Clone(counts)
			if counts == nil {
				counts = map[labelKey]float64{}
			}
			for k, v := range m.unlogged {
				k[2] = string(m.tls.posture(k[0]))
				counts[k] += v
			}
		}
		for k, v := range counts {
			ch <- prometheus.MustNewConstMetric(f.desc, prometheus.CounterValue, v, k[:len(f.labels)]...)
		}
	}
	m.promote()
	for _, f := range domainFamilies {
		other := map[labelKey]float64{}
		for k, v := range m.totals[f] {
			other[k] = v
		}
		for name, d := range m.domains {
			if !d.top {
				continue
			}
			for k, v := range d.counts[f] {
				v -= d.base[f][k]
				other[k] -= v
				ch <- prometheus.MustNewConstMetric(f.desc, prometheus.CounterValue, v, append([]string{name}, k[:len(f.labels)-1]...)...)
			}
		}
		for k, v := range other {
			ch <- prometheus.MustNewConstMetric(f.desc, prometheus.CounterValue, v, append([]string{OtherDomain}, k[:len(f.labels)-1]...)...)
		}
	}
	m.scraped = true
}

// Latest is the time of the newest fact counted (zero before any).
func (m *Metrics) Latest() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.latest
}

// WritePrometheus writes what g gathers in the Prometheus text format
// (node_exporter's textfile collector reads it).
func WritePrometheus(w io.Writer, g prometheus.Gatherer) error {
	mfs, err := g.Gather()
	if err != nil {
		return err
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	return nil
}

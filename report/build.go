package report

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
)

// Options choose what a report covers.
type Options struct {
	From, To time.Time // the window [From, To); zero: unbounded
	Zone     *time.Location
	Host     string // only this host (central log servers)
	Domain   string // only this destination domain
	Top      int    // rows per ranked list (reasons, clients, domains); 0 means 10
	// TotalsOnly leaves every ranked list out (only counted in
	// Model.Omitted): --top 0, pflogsumm's --detail 0.
	TotalsOnly bool
	Generated  time.Time
	Config     *PostfixConfig // the Postfix configuration, when --postconf lets pftls read it
}

// Build reads the window's facts from the store and makes the model,
// diagnoses included.
func Build(ctx context.Context, st *aggregate.Store, opts Options) (*Model, error) {
	b := NewBuilder(opts)
	if err := st.ScanRollups(ctx, aggregate.Query{From: opts.From, To: opts.To, Host: opts.Host, Domain: opts.Domain}, b.rollupHour, b); err != nil {
		return nil, err
	}
	m, err := finishFromStore(ctx, st, b, true)
	if err != nil {
		return nil, err
	}
	m.shownRows = shownRows(b.opts.Top)
	return m, nil
}

// incomplete says what the window lacks when the facts before cut were
// pruned (nil when it lacks nothing): the rollups hold the plain
// deliveries of the whole hours they serve, when the scan read them
// (rollups); everything else needs facts.
//
// A window that starts before rollupCut (a plain prune --older-than, or
// --keep-facts with an --older-than later than the window's start) has
// lost its counters and rollups there too: nothing of it is complete.
func (b *Builder) incomplete(cut, rollupCut time.Time, rollups bool) *Incomplete {
	from, to := b.opts.From, b.opts.To
	if !aggregate.FactsPruned(from, cut) {
		return nil
	}
	if !rollupCut.IsZero() && (from.IsZero() || from.Before(rollupCut)) {
		in := &Incomplete{FactsBefore: cut, CountsBefore: rollupCut}
		in.MissingDetail = slices.Clone(reportSections)
		return in
	}
	end := cut // the part of the window without facts is [from, end)
	if !to.IsZero() && to.Before(end) {
		end = to
	}
	whole := rollups && !from.IsZero() && from.Truncate(time.Hour).Equal(from)
	// The hour end falls in must be whole in the window too.
	if last := end.Truncate(time.Hour); whole && !last.Equal(end) && !to.IsZero() && last.Add(time.Hour).After(to) {
		whole = false
	}
	for h := from.Truncate(time.Hour); whole && h.Before(end); h = h.Add(time.Hour) {
		whole = b.rollupHour(h)
	}
	in := &Incomplete{FactsBefore: cut, Rollups: whole, Complete: []string{"lines", "master"}}
	for _, s := range reportSections {
		if !slices.Contains(in.Complete, s) {
			in.MissingDetail = append(in.MissingDetail, s)
		}
	}
	return in
}

// reportSections are the totals and sections of a report that an
// Incomplete names.
var reportSections = []string{"lines", "master", "received", "bytes_received", "delivered", "bytes_delivered", "forwarded",
	"deferrals", "deferred", "bounced", "expired", "rejected", "senders", "sending_domains", "recipients", "recipient_domains",
	"tls-failures", "diagnoses", "domains", "tls-outbound", "tls-inbound", "tls-inbound-clients", "tlsrpt", "bounces",
	"rejects", "warnings", "unparsed", "hourly", "daily", "domain-delivery", "received-from", "senders-by-size", "recipients-by-size"}

// finishFromStore makes the model of a store scan into b, with what the
// scan does not read: the last good TLS delivery before the window of each
// failing domain, the diagnoses, what the window lacks when facts were
// pruned (rollups: whether the scan read the rollups, ScanRollups), and
// the logs rotated away whose missing lines may fall in it.
func finishFromStore(ctx context.Context, st *aggregate.Store, b *Builder, rollups bool) (*Model, error) {
	if err := b.tls.settle(ctx, st); err != nil {
		return nil, err
	}
	m, opts := b.Model(), b.opts
	if !opts.From.IsZero() && len(m.TLSFailures) > 0 {
		var domains []string
		for _, r := range m.TLSFailures {
			domains = append(domains, r.Domain)
		}
		good, err := st.LastGoodTLS(ctx, domains, opts.From, opts.Host)
		if err != nil {
			return nil, err
		}
		for i := range m.TLSFailures {
			m.TLSFailures[i].LastGood = good[m.TLSFailures[i].Domain]
		}
	}
	m.Diagnoses = Diagnose(m, opts.Config)
	cut, rollupCut, err := st.PrunedBefore(ctx)
	if err != nil {
		return nil, err
	}
	m.Incomplete = b.incomplete(cut, rollupCut, rollups)
	gaps, err := st.Gaps(ctx, opts.From, opts.To)
	if err != nil {
		return nil, err
	}
	for _, g := range gaps {
		m.Gaps = append(m.Gaps, GapRowOf(g))
	}
	return m, nil
}

// Builder turns a stream of facts into a Model. It is the one place where
// pftls's counting rules live (see the README's "How pftls counts").
type Builder struct {
	opts Options
	m    Model

	// ids number the envelopes of the messages counted once below.
	ids       envelopeIDs
	expired   set[msgID]
	deleted   set[msgID]
	senders   distinct
	sendDoms  map[string]bool
	recips    distinct
	recipDoms map[string]bool
	// hopDeferred are the deferred messages of hops to a content filter,
	// which have no pending recipients: the deferred messages are these
	// and those of pending (deferredMessages).
	hopDeferred set[msgID]

	domains map[string]*domainAcc
	// domainList is every domainAcc, by its number (domainAcc.id).
	domainList []*domainAcc
	// pending are the recipients deferred in the window, each once: they
	// also make each domain's deferred messages and recipients, counted
	// once each (domainDeferrals).
	pending  map[rcptID]recipState
	failures map[failKey]*failAcc
	outbound map[string]*outboundAcc
	// failRcpts are the envelope recipients of attempts that failed for TLS, per failure row.
	failRcpts map[failKey]set[envID]
	// rpt counts TLSRPT results per domain.
	rpt map[string]*rptAcc
	// unlogged counts the plaintext attempts per host and domain with
	// no TLS line and no tls= field, filed by tls once every attempt is
	// in (notLogged).
	unlogged map[[2]string]*int64 // by addCount
	tls      tlsLogging
	// domainFacts counts the delivery attempts and failed TLS sessions
	// of the window that --domain keeps (Filter.Facts).
	domainFacts int64
	legacy      map[string]*ClientCount
	handshake   map[string]*ClientCount
	// bounces counts bounced recipients by domain, relay and reason
	// class. By pointer: assigning to a string key stores the key again,
	// and the strings of an attempt are slices of its line, so each of
	// thousands of keys kept its latest line's text alive.
	bounces  map[[3]string]*int64
	rejects  map[rejectKey]*rejectAcc
	warnings map[warningKey]*WarningRow
	hosts    map[string]bool
	lastGood map[string]time.Time // last TLS delivery per domain before the window
	first    time.Time            // the span of the facts seen
	last     time.Time
	// pflogsumm's staples: traffic by hour of day and by day, received
	// messages by sender domain and by sender, delivered by recipient.
	hourly, daily        map[string]*TrafficRow
	lastTraffic          trafficCache
	recvFrom, sendersVol *volumeTable
	recipsVol            *volumeTable
	// trend counts each domain's problems by the minute (chart_trend.go),
	// or by the chart's bucket when the window is known from the start
	// (trendFixed): a day's problems of hundreds of domains by the minute
	// were several MB, its 24 buckets are a few KB.
	trend      map[string]map[int64]trendCounts
	trendFixed *trendGrid
	// smtpd is pflogsumm's smtpd connection statistics by client
	// host/domain, every client's (a day of a busy server has hundreds of
	// thousands): the clients numbered, their counts by number.
	smtpdClients names
	smtpd        []smtpdCount
}

// smtpdCount is one client's smtpd connections (SMTPDRow without the
// name), kept by value: a row of its own per client cost an object, and a
// pointer for the collector to follow.
type smtpdCount struct{ connections, seconds, maxSeconds int64 }

// smtpdTime counts n inbound sessions of a client host/domain connected
// secs seconds in all, the longest maxSecs (pflogsumm's --smtpd-stats),
// in the hour and day they started.
func (b *Builder) smtpdTime(hour, day *TrafficRow, client string, n, secs, maxSecs int64) {
	for _, r := range []*TrafficRow{hour, day} {
		r.ConnectSeconds += secs
		r.MaxConnectSeconds = max(r.MaxConnectSeconds, maxSecs)
	}
	id := b.smtpdClients.id(client)
	if int(id) == len(b.smtpd) {
		b.smtpd = append(b.smtpd, smtpdCount{})
	}
	c := &b.smtpd[id]
	c.connections += n
	c.seconds += secs
	c.maxSeconds = max(c.maxSeconds, maxSecs)
}

// traffic returns the rows of t's hour of day and day. Facts come in
// runs of the same local hour, so the rows of the last hour asked for are
// kept: formatting the hour and day of every fact was on the hot path.
func (b *Builder) traffic(t time.Time) (*TrafficRow, *TrafficRow) {
	lt := t.In(b.opts.Zone)
	y, yd, h := lt.Year(), lt.YearDay(), lt.Hour()
	if c := &b.lastTraffic; c.hour != nil && c.year == y && c.yearDay == yd && c.hourOfDay == h {
		return c.hour, c.day
	}
	hour, day := trafficRow(b.hourly, lt.Format("15")), trafficRow(b.daily, lt.Format("2006-01-02"))
	b.lastTraffic = trafficCache{year: y, yearDay: yd, hourOfDay: h, hour: hour, day: day}
	return hour, day
}

// trafficCache is the local hour traffic looked up last and its rows.
type trafficCache struct {
	year, yearDay, hourOfDay int
	hour, day                *TrafficRow
}

func trafficRow(m map[string]*TrafficRow, period string) *TrafficRow {
	r := m[period]
	if r == nil {
		r = &TrafficRow{Period: period}
		m[period] = r
	}
	return r
}

type msgKey struct {
	host, qid string
	start     int64
}

// owned copies the key's strings: facts' strings are slices of whole log
// lines, and a map key that outlives its line would keep the line alive.
func (k msgKey) owned() msgKey {
	return msgKey{strings.Clone(k.host), strings.Clone(k.qid), k.start}
}

// addString puts s in the set m, copied when it is new (see owned).
func addString(m map[string]bool, s string) {
	if !m[s] {
		m[strings.Clone(s)] = true
	}
}

// countString adds one to s's count in m, copying s when it is new.
func countString(m map[string]int64, s string) { countStringN(m, s, 1) }

// countStringN adds n to s's count in m, copying s when it is new. (An
// update stores s as the key again, so a key may keep the latest line's
// text alive: at most a line per key, for maps of few keys.)
func countStringN(m map[string]int64, s string, n int64) {
	if c, ok := m[s]; ok {
		m[s] = c + n
	} else {
		m[strings.Clone(s)] = n
	}
}

// recipState is a recipient deferred in the window, and how it ended.
// It holds no pointer (the domain is its number): a busy day has
// hundreds of thousands, which the collector then need not scan.
type recipState struct {
	domain uint32            // the domainAcc of its first deferral in the window
	final  aggregate.Outcome // how the recipient ended: delivered or bounced later; OutcomeOther while it has not
	// since is the time (UnixNano) of its first deferral in the window,
	// finalAt that of the attempt final comes from: a resolution that
	// reaches the builder out of time order (Resolution) counts only when
	// it is the last attempt after the deferral.
	since, finalAt int64
}

type domainAcc struct {
	id      uint32 // its index in Builder.domainList
	row     DomainRow
	def     DeferralRow
	reasons map[string]int64
	dsns    map[string]int64
	delays  delays
	// delayMicros is the sum of the delivered recipients' delays, for
	// AvgDelay, in whole microseconds: the same in any order of adding, so
	// that hourly rollups add up to what single attempts do.
	delayMicros int64
}

type failKey struct {
	direction logparse.Direction
	domain    string
	kind      logparse.TLSFailureKind
}

type failAcc struct {
	row      TLSFailureRow
	messages set[queueKey]
	recips   set[envID]
	hosts    map[string]bool
	details  map[string]int64
	names    map[string]bool
	rdoms    map[string]bool // recipient domains under another policy domain
	// evidenceAt is when the failure whose lines row.Evidence shows
	// happened: the earliest with lines, whatever order they come in (a
	// database reads them in time order, a log as written).
	evidenceAt time.Time
}

type rejectKey struct {
	action        logparse.Action
	stage, reason string
}

type warningKey struct {
	severity       logparse.Severity
	program, class string
}

type rejectAcc struct {
	row     RejectRow
	clients map[string]int64
}

// NewBuilder returns an empty builder.
func NewBuilder(opts Options) *Builder {
	if opts.Top <= 0 {
		opts.Top = 10
	}
	if opts.TotalsOnly {
		opts.Top = 0
	}
	if opts.Zone == nil {
		opts.Zone = time.Local
	}
	b := &Builder{
		opts: opts, expired: set[msgID]{}, deleted: set[msgID]{}, senders: newDistinct(),
		sendDoms: map[string]bool{}, recips: newDistinct(), recipDoms: map[string]bool{},
		hopDeferred: set[msgID]{}, domains: map[string]*domainAcc{}, pending: map[rcptID]recipState{},
		failures: map[failKey]*failAcc{}, outbound: map[string]*outboundAcc{}, rpt: map[string]*rptAcc{},
		unlogged: map[[2]string]*int64{}, tls: newTLSLogging(opts.From, opts.To),
		failRcpts: map[failKey]set[envID]{},
		legacy:    map[string]*ClientCount{}, handshake: map[string]*ClientCount{},
		bounces: map[[3]string]*int64{}, rejects: map[rejectKey]*rejectAcc{}, warnings: map[warningKey]*WarningRow{},
		hosts: map[string]bool{}, lastGood: map[string]time.Time{},
		hourly: map[string]*TrafficRow{}, daily: map[string]*TrafficRow{},
		recvFrom: newVolumeTable(volumeLimit), sendersVol: newVolumeTable(volumeLimit), recipsVol: newVolumeTable(volumeLimit),
	}
	if !opts.From.IsZero() && opts.To.After(opts.From) {
		g := newTrendGrid(opts.From, opts.To, opts.Zone)
		b.trendFixed = &g
	}
	b.m.Generated = opts.Generated
	b.m.Window = Window{From: opts.From, To: opts.To, Zone: opts.Zone.String()}
	b.m.TLS.Outbound.ByTrust = map[string]int64{}
	b.m.TLS.Outbound.ByProtocol = map[string]int64{}
	b.m.TLS.Outbound.ByCipher = map[string]int64{}
	b.m.TLS.Inbound.ByTrust = map[string]int64{}
	b.m.TLS.Inbound.ByProtocol = map[string]int64{}
	return b
}

// seen widens the span of facts observed, for a window given as unbounded.
func (b *Builder) seen(t time.Time) {
	if t.IsZero() {
		return
	}
	if b.first.IsZero() || t.Before(b.first) {
		b.first = t
	}
	if t.After(b.last) {
		b.last = t
	}
}

func (b *Builder) inWindow(t time.Time) bool { return inWindow(b.opts.From, b.opts.To, t) }

// inWindow reports whether t is in [from, to); a zero end is unbounded.
func inWindow(from, to, t time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || t.Before(to))
}

func (b *Builder) wantDomain(d string) bool {
	return b.opts.Domain == "" || strings.EqualFold(d, b.opts.Domain)
}

// Feed gives the builder a batch of facts straight from the correlator:
// "report --db :memory:" makes its model this way, without a database.
// Messages must come once each (closed ones as they end, open ones at the
// end), which aggregate.Pump's KeepOpen mode and a final Drain give.
func (b *Builder) Feed(batch *aggregate.Batch) {
	batch = batch.OnlyHost(b.opts.Host) // the batch itself without --host
	each(batch.Messages, b.Message)
	each(batch.Attempts, b.Attempt)
	each(batch.TLS, b.TLSFailure)
	each(batch.Sessions, b.Session)
	each(batch.Rejects, b.Reject)
	each(batch.Warnings, b.Warning)
	each(batch.Unparsed, b.Unparsed)
	each(batch.LineCounts, b.LineCount)
}

// each hands every fact to add.
func each[T any](facts []T, add func(*T)) {
	for i := range facts {
		add(&facts[i])
	}
}

// Finish makes the model and its diagnoses: what Build does after a scan.
func (b *Builder) Finish() *Model {
	m := b.Model()
	m.Diagnoses = Diagnose(m, b.opts.Config)
	m.shownRows = shownRows(b.opts.Top)
	return m
}

// Message counts received messages and remembers expired and deleted
// ones. Of a message begun before a bounded window it uses only that it
// expired or was deleted: a report from the database reads no other
// messages of that kind (aggregate.Store.Scan, ScanRollups).
func (b *Builder) Message(m *aggregate.Message) {
	if b.inWindow(m.Start) {
		b.seen(m.Start)
	}
	if b.inWindow(m.LastSeen) {
		b.seen(m.LastSeen)
	}
	if m.Expired {
		b.expired.add(b.ids.msg(m.Host, m.QueueID, m.Start.UnixNano()))
		if b.inWindow(m.LastSeen) && b.opts.Domain == "" {
			b.m.Totals.Expired++ // under --domain, counted by the domain's recipients (Model)
		}
	}
	if m.Deleted {
		b.deleted.add(b.ids.msg(m.Host, m.QueueID, m.Start.UnixNano()))
	}
	if !m.Received() || !b.inWindow(m.Start) || b.opts.Domain != "" {
		return // a message has no destination domain of its own: --domain leaves what was received out
	}
	b.m.Totals.Received++
	h, d := b.traffic(m.Start)
	h.Received++
	d.Received++
	if !m.HasSender {
		return
	}
	b.m.Totals.BytesReceived += m.Size
	sender := strings.ToLower(m.Sender)
	if sender == "" {
		sender = "from=<>"
	}
	b.senders.add(sender)
	from := sendingDomain(m, sender)
	addString(b.sendDoms, from)
	b.sendersVol.add(sender, 1, m.Size)
	b.recvFrom.add(from, 1, m.Size)
}

// sendingDomain is where a received message came from, as pflogsumm's
// "sending hosts/domains" counts it: its sender's domain; for a sender
// without one (from=<>: bounces, a local name), the domain of the client
// that sent it over SMTP, or the sender itself when it was picked up
// locally.
func sendingDomain(m *aggregate.Message, sender string) string {
	if m.Origin == aggregate.OriginSMTPD && m.Client != "" && aggregate.Domain(sender) == "" {
		name, _, _ := strings.Cut(m.Client, "[")
		return aggregate.ClientDomain(name, m.ClientIP)
	}
	return senderDomain(sender)
}

func senderDomain(addr string) string {
	if d := aggregate.Domain(addr); d != "" {
		return d
	}
	return addr
}

func (b *Builder) domain(name string) *domainAcc {
	d := b.domains[name]
	if d == nil {
		d = &domainAcc{
			id:  uint32(len(b.domainList)),
			row: DomainRow{Domain: name}, def: DeferralRow{Domain: name},
			reasons: map[string]int64{}, dsns: map[string]int64{},
		}
		b.domains[name] = d
		b.domainList = append(b.domainList, d)
	}
	return d
}

// Attempt counts a delivery line.
func (b *Builder) Attempt(a *aggregate.Attempt) {
	b.tls.note(a.Host, a.Time, a.TLSLogged())
	if !b.wantDomain(a.Domain) {
		return
	}
	if !b.inWindow(a.Time) {
		// Before the window: remember the last good TLS delivery, for
		// "started failing" (the store answers that with a query instead).
		if a.Time.Before(b.opts.From) && a.GoodTLS() && a.Time.After(b.lastGood[a.Domain]) {
			b.lastGood[a.Domain] = a.Time
		}
		return
	}
	b.seen(a.Time)
	b.domainFacts++
	addString(b.hosts, a.Host)
	var mk msgID // the message, numbered when deferred
	t := &b.m.Totals
	outcome := a.Outcome()
	hour, day := b.traffic(a.Time)
	rcpt := strings.ToLower(a.Recipient)
	switch outcome {
	case aggregate.OutcomeForwarded:
		t.Forwarded++
	case aggregate.OutcomeDelivered:
		b.recipient(rcpt, a.Size, 1)
		b.delivered(a, hour, day, 1, a.Size, aggregate.DelayMicros(a.Delay), a.Delay)
	case aggregate.OutcomeDeferred:
		t.Deferrals++
		mk = b.ids.msg(a.Host, a.QueueID, a.MessageStart.UnixNano())
		hour.Deferrals++
		day.Deferrals++
	case aggregate.OutcomeBounced:
		t.Bounced++
		hour.Bounced++
		day.Bounced++
	}
	if !a.ForDomain() {
		if outcome == aggregate.OutcomeDeferred {
			b.hopDeferred.add(mk)
		}
		return // a content filter hop: the real delivery follows
	}
	d := b.domain(a.Domain)
	switch outcome {
	case aggregate.OutcomeDeferred:
		b.trendProblem(a.Domain, a.Time, trendDeferral)
	case aggregate.OutcomeBounced:
		b.trendProblem(a.Domain, a.Time, trendBounce)
	}
	switch outcome {
	case aggregate.OutcomeDelivered, aggregate.OutcomeForwarded:
		b.resolve(a, rcpt, outcome)
	case aggregate.OutcomeBounced:
		d.row.Bounced++
		b.resolve(a, rcpt, outcome)
		b.bounce(a)
	case aggregate.OutcomeDeferred:
		d.row.Deferrals++
		d.def.Deferrals++
		d.reasons[a.ReasonClass]++
		if a.DSN != "" {
			countString(d.dsns, a.DSN)
		}
		d.delays.add(a.Delay)
		d.row.MaxDelay = max(d.row.MaxDelay, a.Delay)
		// The message and the recipient count once for the domain
		// (domainDeferrals): a recipient's domain is that of its address,
		// so its first deferral's is the domain of all of them.
		rk := rcptID{mk, b.ids.rcpts.id(rcpt)} // mk numbered host and queue ID already
		if _, ok := b.pending[rk]; !ok {
			b.pending[rk] = recipState{domain: d.id, since: a.Time.UnixNano()}
		}
	}
	if a.TLSFailure != "" {
		// Every recipient a failed session held up counts, not only the
		// one its failure was first tied to.
		k := failKey{logparse.DirOutbound, a.Domain, a.TLSFailure}
		if b.failRcpts[k] == nil {
			b.failRcpts[k] = set[envID]{}
		}
		b.failRcpts[k].add(b.ids.envelope(a.Host, a.QueueID, rcpt))
	}
	if outcome != aggregate.OutcomeDelivered {
		b.outboundTLS(a, 1) // delivered has counted it
	}
}

// bounce counts a bounced recipient of attempt a by its domain, relay
// and reason class.
func (b *Builder) bounce(a *aggregate.Attempt) {
	addCount(b.bounces, [3]string{a.Domain, relayLabel(a), a.ReasonClass}, 1, func(k [3]string) [3]string {
		return [3]string{strings.Clone(k[0]), strings.Clone(k[1]), strings.Clone(k[2])}
	})
}

// addCount adds n to the count of k in m, by pointer: assigning to a key
// that holds strings stores the key again, and a fact's strings are
// slices of its line, which the map would then keep alive. A new key is
// stored as own makes it (the copies it needs).
func addCount[K comparable](m map[K]*int64, k K, n int64, own func(K) K) {
	if c := m[k]; c != nil {
		*c += n
		return
	}
	c := n
	m[own(k)] = &c
}

// delivered counts n delivered recipients of attempts like a (its
// domain and TLS fields; status=sent), in the traffic rows of its hour and
// day, with bytes in all, the sum of their delays in microseconds and the
// largest: a single attempt, or a rollup's group of them. Their
// recipients are counted apart (recipient).
func (b *Builder) delivered(a *aggregate.Attempt, hour, day *TrafficRow, n, bytes, delayMicros int64, delayMax float64) {
	t := &b.m.Totals
	t.Delivered += n
	t.BytesDelivered += bytes
	hour.Delivered += n
	day.Delivered += n
	if a.ForDomain() {
		d := b.domain(a.Domain)
		d.row.Delivered += n // a local "forwarded as" is delivered as its own message, as in the totals
		d.row.BytesDelivered += bytes
		d.delayMicros += delayMicros
		d.row.MaxDelay = max(d.row.MaxDelay, delayMax)
		b.outboundTLS(a, n)
	}
}

// recipient counts n deliveries of bytes in all to one recipient
// (lower-cased).
func (b *Builder) recipient(rcpt string, bytes, n int64) {
	b.recips.add(rcpt)
	addString(b.recipDoms, senderDomain(rcpt))
	b.recipsVol.add(rcpt, n, bytes)
}

// resolve records how a recipient (rcpt, lower-cased) of attempt a ended
// when it was deferred earlier in the window: the last attempt after its
// first deferral decides.
func (b *Builder) resolve(a *aggregate.Attempt, rcpt string, outcome aggregate.Outcome) {
	if len(b.pending) == 0 {
		return
	}
	rk, ok := b.ids.findRecipient(a.Host, a.QueueID, a.MessageStart.UnixNano(), rcpt)
	if !ok {
		return // never numbered: never deferred
	}
	st, ok := b.pending[rk]
	at := a.Time.UnixNano()
	if !ok || at < st.since || at < st.finalAt {
		return
	}
	st.final, st.finalAt = outcome, at
	b.pending[rk] = st
}

// rollupHour reports whether a store's hourly rollups can stand for the
// facts of the hour starting at h: when the report's zone puts the whole
// hour on one hour of the day and one day (not in a zone whose offset is
// not whole hours).
func (b *Builder) rollupHour(h time.Time) bool {
	first, last := h.In(b.opts.Zone), h.Add(time.Hour-time.Nanosecond).In(b.opts.Zone)
	return first.Format("15") == last.Format("15") && first.Format("2006-01-02") == last.Format("2006-01-02")
}

// Delivered counts a rollup's group of plain deliveries of one hour.
func (b *Builder) Delivered(g *aggregate.DeliveredGroup) {
	b.tls.note(g.Host, g.First, g.TLSLogged())
	if !b.wantDomain(g.Domain) || !b.inWindow(g.First) {
		return
	}
	a := g.Attempt()
	b.seen(g.First)
	b.seen(g.Last)
	b.domainFacts += g.N
	addString(b.hosts, a.Host)
	hour, day := b.traffic(a.Time)
	b.delivered(&a, hour, day, g.N, g.Bytes, g.DelayMicros, g.DelayMax)
}

// Recipients counts a rollup's deliveries of one hour to one recipient.
func (b *Builder) Recipients(g *aggregate.RecipientGroup) {
	if !b.wantDomain(g.Domain) || !b.inWindow(g.Hour) {
		return
	}
	b.recipient(strings.ToLower(g.Recipient), g.Bytes, g.N)
}

// Resolution is a plain delivery of the window already counted through
// the rollups: it only ends a recipient deferred before it (see
// aggregate.RollupSink).
func (b *Builder) Resolution(a *aggregate.Attempt) {
	if !b.wantDomain(a.Domain) || !b.inWindow(a.Time) || !a.ForDomain() {
		return
	}
	b.resolve(a, strings.ToLower(a.Recipient), a.Outcome())
}

// Reject counts a reject (or reject_warning, hold, discard) line.
func (b *Builder) Reject(r *aggregate.Reject) {
	if !b.inWindow(r.Time) {
		return
	}
	b.seen(r.Time)
	if b.opts.Domain != "" && !strings.EqualFold(aggregate.Domain(r.To), b.opts.Domain) {
		return // --domain: the rejects of recipients at the domain
	}
	switch r.Class() {
	case aggregate.RejectRejected:
		b.m.Totals.Rejected++
		h, d := b.traffic(r.Time)
		h.Rejected++
		d.Rejected++
	case aggregate.RejectWarned:
		b.m.Totals.RejectWarnings++
	case aggregate.RejectHeld:
		b.m.Totals.Held++
	case aggregate.RejectDiscarded:
		b.m.Totals.Discarded++
	}
	k := rejectKey{r.Action, r.Stage, r.ReasonClass}
	acc := b.rejects[k]
	if acc == nil {
		acc = &rejectAcc{row: RejectRow{Action: r.Action, Stage: r.Stage, Reason: r.ReasonClass}, clients: map[string]int64{}}
		b.rejects[k] = acc
	}
	acc.row.Count++
	countString(acc.clients, r.ClientName)
}

// Warning counts a warning, error, fatal or panic line. Lines of the same
// severity, service and masked text make one row, whichever instance of
// the service wrote them: one missing aliases.db logged by twenty smtpd
// instances (postfix-rx/gmx/smtpd, postfix-rx/corp/smtpd, ...) is one row
// counted 20 times, with the instances listed (Programs).
func (b *Builder) Warning(w *aggregate.Warning) {
	if !b.inWindow(w.Time) {
		return
	}
	b.seen(w.Time)
	prog := aggregate.ServiceName(w.Program)
	k := warningKey{w.Severity, serviceOf(prog), w.Class}
	row := b.warnings[k]
	if row == nil {
		row = &WarningRow{Severity: w.Severity, Program: strings.Clone(prog), Message: w.Class, Example: w.Text, FirstSeen: w.Time}
		b.warnings[k] = row
	}
	if row.Program != prog {
		if len(row.Programs) == 0 {
			row.Programs = []string{row.Program}
		}
		if !slices.Contains(row.Programs, prog) {
			row.Programs = append(row.Programs, strings.Clone(prog))
		}
		row.Program = k.program // several instances: the service they share
	}
	row.Count++
	if w.Severity == logparse.SevFatal || w.Severity == logparse.SevPanic {
		b.m.Totals.Fatal++
	}
	if w.Time.Before(row.FirstSeen) {
		row.FirstSeen = w.Time
	}
	if w.Time.After(row.LastSeen) {
		row.LastSeen = w.Time
	}
}

// serviceOf is the service of a program name: its last part
// ("gmx/smtpd" -> "smtpd").
func serviceOf(program string) string {
	if i := strings.LastIndexByte(program, '/'); i >= 0 {
		return program[i+1:]
	}
	return program
}

// maxUnparsed is how many unparsed lines a report shows; all are counted.
const maxUnparsed = 20

// Unparsed keeps a few unparsed lines to show.
func (b *Builder) Unparsed(u *aggregate.Unparsed) {
	if !b.inWindow(u.Time) {
		return
	}
	if len(b.m.Unparsed) < maxUnparsed {
		b.m.Unparsed = append(b.m.Unparsed, UnparsedRow{Time: u.Time, Host: u.Host, Program: u.Program, Text: u.Text})
	}
}

// LineCount adds up the lines read in the window (by the minute).
func (b *Builder) LineCount(c *aggregate.LineCount) {
	if !c.Overlaps(b.opts.From, b.opts.To) {
		return
	}
	addString(b.hosts, c.Host)
	switch c.Kind {
	case "foreign":
		b.m.Lines.Foreign += c.Count
	case "malformed":
		b.m.Lines.Malformed += c.Count
	case "unparsed":
		b.m.Lines.Unparsed += c.Count
	case aggregate.KindMasterStarted:
		b.m.Master.Started += c.Count
	case aggregate.KindMasterReloaded:
		b.m.Master.Reloaded += c.Count
	case aggregate.KindMasterStopped:
		b.m.Master.Stopped += c.Count
	}
	b.m.Lines.Read += c.Count
}

// shownRows is Model.shownRows for --top n (0: totals only).
func shownRows(top int) int {
	if top <= 0 {
		return -1
	}
	return top
}

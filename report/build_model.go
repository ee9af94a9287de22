package report

import (
	"bytes"
	"cmp"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// This file is the Builder's last step: Model turns the running counts
// into the sorted, trimmed tables of a Model, with the small sorting and
// ranking helpers it uses. The counting itself is in build.go.

// Model finishes the counts and returns the model.
func (b *Builder) Model() *Model {
	m := &b.m
	t := &m.Totals
	t.Deferred = b.deferredMessages()
	t.Senders, t.SendingDomains = b.senders.len(), int64(len(b.sendDoms))
	t.Recipients, t.RecipientDomains = b.recips.len(), int64(len(b.recipDoms))
	m.Hosts = sortedKeys(b.hosts)
	m.Lines.Postfix = m.Lines.Read - m.Lines.Foreign - m.Lines.Malformed
	m.Lines.NotUnderstood = m.Lines.Unparsed + m.Lines.Malformed
	if m.Window.From.IsZero() && m.Window.To.IsZero() && !b.first.IsZero() {
		m.Window.From, m.Window.To = b.first, b.last.Add(time.Second)
	}

	expiredMsgs := set[msgID]{} // under --domain: the messages that expired with a recipient at the domain
	for k, st := range b.pending {
		d := b.domainList[st.domain]
		switch {
		case st.final.Sent():
			d.def.LaterDelivered++
		case st.final == aggregate.OutcomeBounced:
			d.def.LaterBounced++
		case b.expired.has(k.msgID):
			d.def.Expired++
			d.row.Expired++
			expiredMsgs.add(k.msgID)
		case b.deleted.has(k.msgID):
			d.def.Deleted++
		default:
			d.def.StillQueued++
		}
	}
	if b.opts.Domain != "" {
		t.Expired = int64(len(expiredMsgs))
		m.Filter = &Filter{Domain: b.opts.Domain, AllDomains: []string{"tls-inbound", "tls-inbound-clients", "warnings", "master", "unparsed"},
			LeftOut: []string{"received", "bytes_received", "senders", "sending_domains", "received-from", "senders-by-size", "smtpd_connections", "smtpd"},
			Facts:   b.domainFacts}
	}
	failedDomains := map[string]bool{}
	for k, acc := range b.failures {
		for rk := range b.failRcpts[k] {
			acc.recips.add(rk)
		}
		r := acc.row
		r.Messages, r.Recipients = int64(len(acc.messages)), int64(len(acc.recips))
		r.Hosts = sortedKeys(acc.hosts)
		r.Detail = topKey(acc.details)
		r.LastGood = b.lastGood[r.Domain]
		if len(acc.names) > 0 {
			r.Names = sortedKeys(acc.names)
		}
		if len(acc.rdoms) > 0 {
			r.RecipientDomains = sortedKeys(acc.rdoms)
		}
		m.TLSFailures = append(m.TLSFailures, r)
		failedDomains[r.Domain] = true
		if d := b.domains[r.Domain]; d != nil {
			d.row.TLSFailures += r.Count
		}
	}
	t.TLSFailedDomains = int64(len(failedDomains))
	slices.SortFunc(m.TLSFailures, func(a, c TLSFailureRow) int {
		return cmp.Or(cmp.Compare(c.Count, a.Count), cmp.Compare(a.Domain, c.Domain), cmp.Compare(a.Kind, c.Kind))
	})

	b.domainDeferrals()
	for _, d := range b.domains {
		d.def.Reasons = topCounts(d.reasons, b.opts.Top)
		d.def.DSNs = topCounts(d.dsns, b.opts.Top)
		d.def.MaxDelay, d.def.MedianDelay = d.delays.maxMedian()
		d.row.Deferred = d.def.Messages
		if d.row.Delivered > 0 {
			d.row.AvgDelay = float64(d.delayMicros) / 1e6 / float64(d.row.Delivered)
		}
		d.row.TopReasons = topCounts(d.reasons, 3)
		if d.row.TopReasons == nil {
			d.row.TopReasons = []Count{}
		}
		m.Domains = append(m.Domains, d.row)
		if d.def.Deferrals > 0 {
			m.Deferrals = append(m.Deferrals, d.def)
		}
	}
	slices.SortFunc(m.Domains, func(a, c DomainRow) int {
		return cmp.Or(cmp.Compare(c.TLSFailures, a.TLSFailures), cmp.Compare(c.Deferrals, a.Deferrals),
			cmp.Compare(c.Bounced, a.Bounced), cmp.Compare(c.Delivered, a.Delivered), cmp.Compare(a.Domain, c.Domain))
	})
	slices.SortFunc(m.Deferrals, func(a, c DeferralRow) int {
		return cmp.Or(cmp.Compare(c.Deferrals, a.Deferrals), cmp.Compare(a.Domain, c.Domain))
	})

	b.notLogged()
	for _, acc := range b.outbound {
		row := &acc.row
		row.Protocols = sortedKeys(acc.protocols)
		row.Ciphers = sortedKeys(acc.ciphers)
		if len(acc.kex) > 0 {
			row.KeyExchanges = sortedKeys(acc.kex)
		}
		if len(acc.sigs) > 0 {
			row.ServerSignatures = sortedKeys(acc.sigs)
		}
		for k, n := range acc.policies {
			row.Policies = append(row.Policies, PolicyCount{Policy: k[0], Meaning: k[1], Count: *n})
		}
		slices.SortFunc(row.Policies, func(a, c PolicyCount) int {
			return cmp.Or(cmp.Compare(c.Count, a.Count), cmp.Compare(a.Policy, c.Policy))
		})
		if known := row.Deliveries - row.NotLogged; known > 0 {
			row.TLSPercent = 100 * float64(known-row.Plaintext-row.NoTLS) / float64(known)
		}
		m.TLS.Outbound.Domains = append(m.TLS.Outbound.Domains, *row)
	}
	slices.SortFunc(m.TLS.Outbound.Domains, func(a, c TLSDomainRow) int {
		return cmp.Or(cmp.Compare(c.Deliveries, a.Deliveries), cmp.Compare(a.Domain, c.Domain))
	})
	for _, acc := range b.rpt {
		acc.row.Failures, acc.row.PFTLS = topCounts(acc.failures, b.opts.Top), topCounts(acc.pftls, b.opts.Top)
		m.TLS.Outbound.TLSRPT = append(m.TLS.Outbound.TLSRPT, acc.row)
	}
	slices.SortFunc(m.TLS.Outbound.TLSRPT, func(a, c TLSRPTRow) int {
		return cmp.Or(cmp.Compare(c.Failure, a.Failure), cmp.Compare(c.Success, a.Success), cmp.Compare(a.Domain, c.Domain))
	})
	in := &m.TLS.Inbound
	if in.Connections > 0 {
		in.TLSPercent = 100 * float64(in.TLS) / float64(in.Connections)
	}
	in.TLS13 = in.ByProtocol["TLSv1.3"]
	in.LegacyClients = sortedClients(b.legacy)
	in.HandshakeFailure = sortedClients(b.handshake)

	for k, n := range b.bounces {
		m.Bounces = append(m.Bounces, BounceRow{Domain: k[0], Relay: k[1], Reason: k[2], Count: *n})
	}
	slices.SortFunc(m.Bounces, func(a, c BounceRow) int {
		return cmp.Or(cmp.Compare(c.Count, a.Count), cmp.Compare(a.Domain, c.Domain), cmp.Compare(a.Reason, c.Reason),
			cmp.Compare(a.Relay, c.Relay))
	})
	for _, acc := range b.rejects {
		acc.row.Clients = topCounts(acc.clients, b.opts.Top)
		m.Rejects = append(m.Rejects, acc.row)
	}
	slices.SortFunc(m.Rejects, func(a, c RejectRow) int {
		return cmp.Or(cmp.Compare(c.Count, a.Count), cmp.Compare(a.Reason, c.Reason))
	})
	for _, w := range b.warnings {
		slices.Sort(w.Programs)
		m.Warnings = append(m.Warnings, *w)
	}
	slices.SortFunc(m.Warnings, func(a, c WarningRow) int {
		return cmp.Or(aggregate.SeverityRank(c.Severity)-aggregate.SeverityRank(a.Severity), cmp.Compare(c.Count, a.Count),
			cmp.Compare(a.Message, c.Message), cmp.Compare(a.Program, c.Program))
	})
	// Ranked lists keep their top rows: a busy server has thousands of
	// reject reasons and clients. Problems per domain are never cut.
	m.Bounces = topRows(m, "bounces", m.Bounces, b.opts.Top)
	m.Rejects = topRows(m, "rejects", m.Rejects, b.opts.Top)
	m.Warnings = topRows(m, "warnings", m.Warnings, b.opts.Top)
	in.LegacyTotal, in.FailureTotal = len(in.LegacyClients), len(in.HandshakeFailure)
	in.HandshakeFailure = topRows(m, "tls-inbound-clients", in.HandshakeFailure, b.opts.Top)
	in.LegacyClients = topRows(m, "tls-inbound-clients", in.LegacyClients, b.opts.Top)
	b.staples(m)
	m.Trends = b.trends(m.Window.From, m.Window.To, b.opts.Top)
	m.SMTPD = b.smtpdRows(m)
	return m
}

// smtpdRows are the busiest clients' smtpd rows, ranked by connections,
// then time connected, then name. The clients are ranked by number, and
// only those shown get their name copied out of the arena: a day of a
// busy server has hundreds of thousands.
func (b *Builder) smtpdRows(m *Model) []SMTPDRow {
	ids := make([]uint32, len(b.smtpd))
	for i := range ids {
		ids[i] = uint32(i)
	}
	slices.SortFunc(ids, func(x, y uint32) int {
		cx, cy := &b.smtpd[x], &b.smtpd[y]
		if c := cmp.Compare(cy.connections, cx.connections); c != 0 {
			return c
		}
		if c := cmp.Compare(cy.seconds, cx.seconds); c != 0 {
			return c
		}
		return bytes.Compare(b.smtpdClients.text(x), b.smtpdClients.text(y)) // the names only for a tie
	})
	ids = topRows(m, "smtpd", ids, b.opts.Top)
	rows := make([]SMTPDRow, 0, len(ids))
	for _, id := range ids {
		c := &b.smtpd[id]
		rows = append(rows, SMTPDRow{Client: string(b.smtpdClients.text(id)), Connections: c.connections, Seconds: c.seconds, MaxSeconds: c.maxSeconds})
	}
	return rows
}

// staples finishes pflogsumm's staples: traffic by hour and day in time
// order, the volume lists ranked and cut to --top.
func (b *Builder) staples(m *Model) {
	m.Hourly, m.Daily = sortedTraffic(b.hourly), sortedTraffic(b.daily)
	m.Delivery = make([]DeliveryRow, 0, len(m.Domains))
	for _, d := range m.Domains {
		m.Delivery = append(m.Delivery, DeliveryRow{Domain: d.Domain, Delivered: d.Delivered, BytesDelivered: d.BytesDelivered,
			Deferrals: d.Deferrals, AvgDelay: d.AvgDelay, MaxDelay: d.MaxDelay})
	}
	slices.SortFunc(m.Delivery, func(a, c DeliveryRow) int {
		return cmp.Or(cmp.Compare(c.Delivered, a.Delivered), cmp.Compare(c.Deferrals, a.Deferrals), cmp.Compare(a.Domain, c.Domain))
	})
	ranked := func(section string, t *volumeTable, bySize bool) []VolumeRow {
		rows, over := t.rows(bySize)
		if over != (VolumeBound{}) {
			if m.Approximate == nil {
				m.Approximate = map[string]VolumeBound{}
			}
			m.Approximate[section] = over
		}
		return topRows(m, section, rows, b.opts.Top)
	}
	m.ReceivedFrom = ranked("received-from", b.recvFrom, false)
	m.Senders = ranked("senders", b.sendersVol, false)
	m.SendersBySize = ranked("senders-by-size", b.sendersVol, true)
	m.Recipients = ranked("recipients", b.recipsVol, false)
	m.RecipientsBySize = ranked("recipients-by-size", b.recipsVol, true)
}

func sortedTraffic(m map[string]*TrafficRow) []TrafficRow {
	out := make([]TrafficRow, 0, len(m))
	for _, k := range sortedKeys(m) {
		if r := m[k]; *r != (TrafficRow{Period: k}) {
			out = append(out, *r)
		}
	}
	return out
}

// forPeople is the model as the renderings for people show it (text,
// markdown, CSV, HTML, the e-mail): the per-domain sections cut to their
// first --top rows, after the diagnoses have seen every domain, so that a
// log with thousands of destination domains makes a report of the busiest
// and most troubled ones that says how many more there were (Omitted).
// The JSON report keeps every domain: it is the machines' interface, and a
// script must not lose domains to a flag meant for a mail's size.
func (m *Model) forPeople() *Model {
	if m.shownRows == 0 {
		return m
	}
	c := *m
	c.Omitted = maps.Clone(m.Omitted)
	c.limitDomains(max(m.shownRows, 0))
	return &c
}

// limitDomains cuts the per-domain sections to their first top rows.
func (m *Model) limitDomains(top int) {
	m.TLSFailures = topRows(m, "tls-failures", m.TLSFailures, top)
	m.Diagnoses = topRows(m, "diagnoses", m.Diagnoses, top)
	m.Deferrals = topRows(m, "deferrals", m.Deferrals, top)
	m.Domains = topRows(m, "domains", m.Domains, top)
	m.Delivery = topRows(m, "domain-delivery", m.Delivery, top)
	o := &m.TLS.Outbound
	if len(o.Domains) > top {
		for _, r := range o.Domains[top:] {
			if len(r.Policies) > 0 {
				m.omit("tls-policies", len(r.Policies))
			}
		}
	}
	o.Domains = topRows(m, "tls-outbound", o.Domains, top)
	o.TLSRPT = topRows(m, "tlsrpt", o.TLSRPT, top)
}

// omit counts n rows left out of a section.
func (m *Model) omit(section string, n int) {
	if m.Omitted == nil {
		m.Omitted = map[string]int{}
	}
	m.Omitted[section] += n
}

// topRows keeps the first n rows of a sorted list and records how many it
// left out.
func topRows[T any](m *Model, section string, rows []T, n int) []T {
	if len(rows) <= n {
		return rows
	}
	m.omit(section, len(rows)-n)
	return rows[:n]
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedClients(m map[string]*ClientCount) []ClientCount {
	out := make([]ClientCount, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, c ClientCount) int {
		return cmp.Or(cmp.Compare(c.Count, a.Count), cmp.Compare(a.Client, c.Client))
	})
	return out
}

// topCounts returns the n most frequent entries, ties in text order.
func topCounts(m map[string]int64, n int) []Count {
	if len(m) == 0 {
		return nil
	}
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{Reason: k, Count: v})
	}
	slices.SortFunc(out, func(a, c Count) int {
		return cmp.Or(cmp.Compare(c.Count, a.Count), cmp.Compare(a.Reason, c.Reason))
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func topKey(m map[string]int64) string {
	if top := topCounts(m, 1); len(top) > 0 {
		return top[0].Reason
	}
	return ""
}

// pendingKey is a pending recipient with the number of its domain.
type pendingKey struct {
	domain uint32
	rcptID
}

// domainDeferrals counts each domain's deferred messages and deferred
// recipients, each once, from the pending recipients: every deferral of
// a domain's recipient made it pending, so they are the domain's. (Sets
// of them per domain, beside pending, were a tenth of a 10M-line
// report's live heap.)
func (b *Builder) domainDeferrals() {
	keys := make([]pendingKey, 0, len(b.pending))
	for k, st := range b.pending {
		keys = append(keys, pendingKey{st.domain, k})
	}
	for _, d := range b.domainList {
		d.def.Messages, d.def.Recipients = 0, 0
	}
	// A message once per domain.
	slices.SortFunc(keys, func(x, y pendingKey) int {
		return cmp.Or(cmp.Compare(x.domain, y.domain), compareMsg(x.msgID, y.msgID))
	})
	for i, k := range keys {
		if i == 0 || keys[i-1].domain != k.domain || keys[i-1].msgID != k.msgID {
			b.domainList[k.domain].def.Messages++
		}
	}
	// A recipient once per queue ID: a queue ID reused keeps its
	// recipients (envID).
	slices.SortFunc(keys, func(x, y pendingKey) int {
		return cmp.Or(cmp.Compare(x.domain, y.domain), compareQueue(x.queueKey, y.queueKey), cmp.Compare(x.rcpt, y.rcpt))
	})
	for i, k := range keys {
		if i == 0 || keys[i-1].domain != k.domain || keys[i-1].queueKey != k.queueKey || keys[i-1].rcpt != k.rcpt {
			b.domainList[k.domain].def.Recipients++
		}
	}
}

// deferredMessages counts the messages with a deferral in the window,
// each once: those of the pending recipients and of hopDeferred.
func (b *Builder) deferredMessages() int64 {
	msgs := make([]msgID, 0, len(b.pending)+len(b.hopDeferred))
	for k := range b.pending {
		msgs = append(msgs, k.msgID)
	}
	for k := range b.hopDeferred {
		msgs = append(msgs, k)
	}
	slices.SortFunc(msgs, compareMsg)
	return int64(len(slices.Compact(msgs)))
}

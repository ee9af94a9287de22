package report

// This file is the Builder's TLS counting: the outbound TLS mix and
// posture per domain, Postfix's own TLSRPT results beside pftls's, the
// failed TLS sessions by the domain they are filed under, and inbound
// sessions. The rules of what counts come from aggregate/classify.go.

import (
	"slices"
	"strings"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
)

func (b *Builder) byKex() map[string]int64 {
	o := &b.m.TLS.Outbound
	if o.ByKeyExchange == nil {
		o.ByKeyExchange = map[string]int64{}
	}
	return o.ByKeyExchange
}

func (b *Builder) bySig() map[string]int64 {
	o := &b.m.TLS.Outbound
	if o.BySignature == nil {
		o.BySignature = map[string]int64{}
	}
	return o.BySignature
}

// outboundAcc is a destination domain's outbound TLS row as it is
// counted, and what its row lists: the protocols, ciphers, key exchange
// groups and server signatures seen, and the notable tls= outcomes
// ({as written, meaning}) with their counts.
type outboundAcc struct {
	row                TLSDomainRow
	protocols, ciphers map[string]bool
	kex, sigs          map[string]bool      // made when first needed: most domains have none
	policies           map[[2]string]*int64 // by addCount; made when first needed, likewise
}

// lazySet is *m, made first if it is nil.
func lazySet(m *map[string]bool) map[string]bool {
	if *m == nil {
		*m = map[string]bool{}
	}
	return *m
}

func relayLabel(a *aggregate.Attempt) string {
	if a.RelayHost != "" {
		return a.RelayHost
	}
	return a.Service
}

// outboundTLS counts n attempts like a in the outbound TLS mix.
func (b *Builder) outboundTLS(a *aggregate.Attempt, n int64) {
	if !a.InTLSMix() {
		return
	}
	o := &b.m.TLS.Outbound
	acc := b.outbound[a.Domain]
	if acc == nil {
		// Copied: a map key that outlives its line would keep the line alive.
		domain := strings.Clone(a.Domain)
		acc = &outboundAcc{row: TLSDomainRow{Domain: domain}, protocols: map[string]bool{}, ciphers: map[string]bool{}}
		b.outbound[domain] = acc
	}
	row := &acc.row
	row.Deliveries += n
	o.Deliveries += n
	if a.Outcome().Sent() {
		row.Sent += n
	}
	posture := a.TLSPosture()
	counted := posture // "": decided later (notLogged)
	if posture == aggregate.PosturePlaintext && !a.TLSLogged() {
		// Plaintext, or TLS not logged: decided once every attempt of the
		// host is in (notLogged).
		addCount(b.unlogged, [2]string{a.Host, row.Domain}, n, func(k [2]string) [2]string {
			return [2]string{strings.Clone(k[0]), k[1]} // the domain is row's copy already
		})
		b.tls.unknown(a.Host)
		counted = ""
	}
	switch counted {
	case aggregate.PostureVerified:
		row.Verified += n
	case aggregate.PostureTrusted:
		row.Trusted += n
	case aggregate.PostureUntrusted:
		row.Untrusted += n
	case aggregate.PostureAnonymous:
		row.Anonymous += n
	case aggregate.PostureEncrypted:
		row.Encrypted += n
	case aggregate.PostureTLSFailed:
		row.NoTLS += n
	case aggregate.PosturePlaintext:
		row.Plaintext += n
	}
	if counted != "" {
		o.ByTrust[string(counted)] += n
	}
	if meaning := aggregate.PolicyMeaning(a.TLSPolicy); meaning != "" {
		if acc.policies == nil {
			acc.policies = map[[2]string]*int64{}
		}
		addCount(acc.policies, [2]string{a.TLSPolicy.String(), meaning}, n, func(k [2]string) [2]string {
			return [2]string{strings.Clone(k[0]), k[1]} // a bare tls=requiretls is a slice of its line
		})
	}
	if a.TLSRPT != "" {
		b.tlsrpt(a, posture, n)
	}
	if a.TLSProtocol == "TLSv1.3" {
		o.TLS13 += n
		row.TLS13 += n
	}
	if a.TLSKeyExchange != "" {
		countStringN(b.byKex(), a.TLSKeyExchange, n)
		addString(lazySet(&acc.kex), a.TLSKeyExchange)
		if aggregate.PostQuantum(a.TLSKeyExchange) {
			o.PostQuantum += n
			row.PostQuantum += n
		}
	}
	if a.TLSServerSig != "" {
		countStringN(b.bySig(), a.TLSServerSig, n)
		addString(lazySet(&acc.sigs), a.TLSServerSig)
	}
	if a.TLSProtocol != "" {
		o.TLS += n
		countStringN(o.ByProtocol, a.TLSProtocol, n)
		countStringN(o.ByCipher, a.TLSCipher, n)
		addString(acc.protocols, a.TLSProtocol)
		addString(acc.ciphers, a.TLSCipher)
	}
}

// notLogged files the plaintext attempts with no TLS line and no tls=
// field under plaintext when their host logged how the TLS of another
// attempt went, and under PostureNotLogged when it logged none.
func (b *Builder) notLogged() {
	o := &b.m.TLS.Outbound
	for k, c := range b.unlogged {
		host, row, n := k[0], &b.outbound[k[1]].row, *c
		if b.tls.posture(host) == aggregate.PosturePlaintext {
			row.Plaintext += n
			o.ByTrust[string(aggregate.PosturePlaintext)] += n
			continue
		}
		row.NotLogged += n
		o.ByTrust[string(aggregate.PostureNotLogged)] += n
		o.NotLoggedHosts = append(o.NotLoggedHosts, host)
	}
	slices.Sort(o.NotLoggedHosts)
	o.NotLoggedHosts = slices.Compact(o.NotLoggedHosts)
	clear(b.unlogged)
}

// rptAcc is a TLSRPTRow being counted.
type rptAcc struct {
	row             TLSRPTRow
	failures, pftls map[string]int64
}

// tlsrpt counts the TLSRPT result of the handshakes n attempts like a were
// the first to use, with pftls's own view of it.
func (b *Builder) tlsrpt(a *aggregate.Attempt, posture aggregate.TLSPosture, n int64) {
	acc := b.rpt[a.Domain]
	if acc == nil {
		domain := strings.Clone(a.Domain) // see outboundTLS
		acc = &rptAcc{row: TLSRPTRow{Domain: domain}, failures: map[string]int64{}, pftls: map[string]int64{}}
		b.rpt[domain] = acc
	}
	status, rest, _ := strings.Cut(a.TLSRPT, " ")
	if status == "success" {
		acc.row.Success += n
	} else {
		acc.row.Failure += n
		countStringN(acc.failures, rest, n)
	}
	if a.TLSFailure != "" {
		countStringN(acc.pftls, string(a.TLSFailure), n)
	} else {
		countStringN(acc.pftls, string(posture), n)
	}
}

// failureDomain is the domain a TLS failure is filed under: its policy
// domain. With no policy domain in the log and a recipient without one,
// the policy is looked up by the next hop, the MX host itself
// (smtp_tls_policy_maps keys a relayhost as "[host]").
func failureDomain(f *aggregate.TLSFailure) string {
	if f.Domain != "" && f.Domain != "(local)" {
		return f.Domain
	}
	if f.PeerHost == "" {
		return unknownDomain
	}
	domain := "[" + f.PeerHost + "]"
	if _, port, ok := strings.Cut(f.Peer, "]:"); ok && port != "25" {
		domain += ":" + port
	}
	return domain
}

// TLSFailure counts a failed TLS session.
func (b *Builder) TLSFailure(f *aggregate.TLSFailure) {
	if !f.Outbound() || !b.inWindow(f.Time) {
		return // inbound failures are counted from the sessions
	}
	b.seen(f.Time)
	if !b.wantDomain(f.Domain) {
		return
	}
	b.domainFacts++
	domain := failureDomain(f)
	k := failKey{f.Direction, domain, f.Kind}
	acc := b.failures[k]
	if acc == nil {
		acc = &failAcc{
			row:      TLSFailureRow{Domain: domain, Direction: f.Direction, Kind: f.Kind, RFC8460: f.RFC8460, FirstSeen: f.Time},
			messages: set[queueKey]{}, recips: set[envID]{}, hosts: map[string]bool{}, details: map[string]int64{},
			names: map[string]bool{}, rdoms: map[string]bool{},
		}
		b.failures[k] = acc
	}
	if f.Evidence != "" && (len(acc.row.Evidence) == 0 || f.Time.Before(acc.evidenceAt)) {
		acc.row.Evidence, acc.evidenceAt = strings.Split(f.Evidence, "\n"), f.Time
	}
	for n := range strings.SplitSeq(f.Names, ",") {
		if n = strings.TrimSpace(n); n != "" {
			addString(acc.names, n)
		}
	}
	if f.Status == logparse.StatusSent {
		acc.row.Sent++
	}
	acc.row.Count++
	b.m.Totals.TLSFailures++
	hour, day := b.traffic(f.Time)
	hour.TLSFailures++
	day.TLSFailures++
	b.trendProblem(domain, f.Time, trendTLS)
	if f.QueueID != "" {
		acc.messages.add(b.ids.queue(f.Host, f.QueueID))
	}
	if f.Recipient != "" {
		acc.recips.add(b.ids.envelope(f.Host, f.QueueID, strings.ToLower(f.Recipient)))
		if rd := aggregate.Domain(f.Recipient); rd != "" && rd != domain {
			addString(acc.rdoms, rd)
		}
	}
	host := f.PeerHost
	if host == "" {
		host = f.Peer
	}
	if host != "" {
		addString(acc.hosts, host)
	}
	countString(acc.details, f.Detail)
	if f.Time.Before(acc.row.FirstSeen) {
		acc.row.FirstSeen = f.Time
	}
	if f.Time.After(acc.row.LastSeen) {
		acc.row.LastSeen = f.Time
	}
	acc.row.Deferring = acc.row.Deferring || f.Deferred
}

// Session counts an inbound smtpd session.
func (b *Builder) Session(s *aggregate.Session) {
	if !b.inWindow(s.Start) {
		return
	}
	b.seen(s.Start)
	b.countInbound(s.TLSTrust, s.TLSProtocol, s.TLSKeyExchange, 1)
	if b.opts.Domain == "" { // a session has no destination domain
		h, d := b.traffic(s.Start)
		h.Connections++
		d.Connections++
		secs := s.ConnectSeconds()
		b.smtpdTime(h, d, aggregate.ClientDomain(s.ClientName, s.ClientIP), 1, secs, secs)
	}
	if aggregate.LegacyTLS(s.TLSProtocol) {
		countClient(b.legacy, s.Client, s.TLSProtocol)
	}
	if s.TLSFailed {
		detail := s.TLSError
		if detail == "" {
			detail = s.LostAfter
		}
		countClient(b.handshake, s.Client, detail)
	}
}

// SessionCount counts ordinary inbound sessions the store kept as a
// number per minute (see aggregate.SessionCount).
func (b *Builder) SessionCount(c *aggregate.SessionCount) {
	if !b.inWindow(c.First) {
		return
	}
	b.seen(c.First)
	if b.inWindow(c.Last) {
		b.seen(c.Last)
	}
	b.countInbound(c.TLSTrust, c.TLSProtocol, c.TLSKeyExchange, c.Sessions)
	if b.opts.Domain == "" { // a session has no destination domain
		h, d := b.traffic(c.First) // a count is of one minute: it falls in one hour
		h.Connections += c.Sessions
		d.Connections += c.Sessions
		b.smtpdTime(h, d, c.ClientDomain, c.Sessions, c.ConnectSeconds, c.MaxSeconds)
	}
}

// countInbound counts n inbound connections with the given TLS state
// (protocol "" for none) and key exchange group ("" when not logged).
func (b *Builder) countInbound(trust logparse.Trust, protocol, kex string, n int64) {
	in := &b.m.TLS.Inbound
	in.Connections += n
	if protocol != "" {
		in.TLS += n
		in.ByTrust[string(trust)] += n
		in.ByProtocol[protocol] += n
	}
	if kex != "" {
		if in.ByKeyExchange == nil {
			in.ByKeyExchange = map[string]int64{}
		}
		in.ByKeyExchange[kex] += n
		if aggregate.PostQuantum(kex) {
			in.PostQuantum += n
		}
	}
}

func countClient(m map[string]*ClientCount, client, detail string) {
	c := m[client]
	if c == nil {
		c = &ClientCount{Client: strings.Clone(client), Detail: strings.Clone(detail)}
		m[c.Client] = c
	}
	c.Count++
}

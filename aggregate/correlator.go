package aggregate

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/pftls/pftls/logparse"
)

// Options bound the correlator's memory and say how its state is stored.
type Options struct {
	// MessageMaxAge closes a message that has had no line for this long
	// (Postfix's maximal_queue_lifetime is 5 days by default).
	MessageMaxAge time.Duration
	// ProcessMaxAge forgets an smtp process's or smtpd session's TLS
	// context after this long without a line from that pid.
	ProcessMaxAge time.Duration
	// TrackChanges keeps track of which open messages (and MX hosts)
	// changed between two commits, so that the store writes only those
	// (see State). Only for a Pump with a Store, which turns it on: the
	// changes are kept until its next commit.
	TrackChanges bool
	// MaxOpenMessages is how many open messages stay in memory when the
	// correlator has a Spill (see spill.go); 0 means
	// DefaultMaxOpenMessages.
	MaxOpenMessages int
}

// DefaultOptions are suitable for a default Postfix configuration.
var DefaultOptions = Options{MessageMaxAge: 7 * 24 * time.Hour, ProcessMaxAge: 15 * time.Minute}

// Stats counts what the correlator has seen.
type Stats struct {
	Lines           int64
	Unparsed        int64
	Foreign         int64
	Malformed       int64
	Messages        int64 // lifetimes started
	PrunedMessages  int64
	SpilledMessages int64 // moved out of memory (spill.go), some more than once
	PrunedProcesses int64
	PrunedSessions  int64
}

// Correlator turns parsed lines into facts. It holds only what is still
// open: messages not yet removed, the TLS context of smtp processes waiting
// for their delivery line, and smtpd sessions not yet disconnected. It has
// no database: facts collect in a [Batch] that the caller drains.
type Correlator struct {
	opts     Options
	messages map[hostQID]*Message
	dirty    map[hostQID]bool // open messages changed since they were last drained
	// With TrackChanges (a pump with a store), the messages changed,
	// started or ended since the last state snapshot, and those the store
	// has a row of, each with the snapshot that wrote it (0: one before
	// this correlator).
	changed   map[hostQID]struct{}
	stored    map[hostQID]uint64
	snapshots uint64 // state snapshots stored by changes so far
	procs     map[procKey]*proc
	sessions  map[procKey]*Session
	mxDomain  map[string]mxEntry // host + " " + MX host -> last recipient domain delivered through it
	// With TrackChanges, the MX hosts changed, added or dropped since the
	// last state snapshot.
	mxChanged map[string]struct{}
	// The spill (spill.go): where open messages go past
	// MaxOpenMessages, the index of the keys there, how many there are,
	// the oldest LastSeen among them, and the spill's first error.
	spill         Spill
	index         spillIndex
	nSpilled      int
	oldestSpilled time.Time
	spillErr      error
	interned      map[string]string // see intern
	counts        lineCounter
	out           Batch
	spare         Batch // a spent batch whose room the next drain takes (Recycle)
	stats         Stats
	lastPrune     time.Time
	latest        time.Time
	lastHost      string
	// lastMessagePrune is when open messages were last checked for age.
	lastMessagePrune time.Time
	stateSize        atomic.Int64 // the size of the last encoded state, to size the next one (encoded on another goroutine)

}

type hostQID struct{ host, qid string }

type procKey struct {
	host, program string
	pid           int
}

type countKey struct {
	host   string
	minute int64
	kind   logparse.Kind
}

// lineCounter counts lines per host, minute and kind. Lines come in long
// runs of one host and minute, so the counts of the current host and
// minute are kept in a short list and go into the map only when either
// changes: a map update for every line cost a sixth of the correlator's
// time.
type lineCounter struct {
	host   string
	minute int64
	cur    []kindCount
	done   map[countKey]int64
}

type kindCount struct {
	kind logparse.Kind
	n    int64
}

func (lc *lineCounter) add(host string, minute int64, kind logparse.Kind) {
	if minute != lc.minute || host != lc.host {
		lc.flush()
		lc.host, lc.minute = host, minute
	}
	for i := range lc.cur {
		if lc.cur[i].kind == kind {
			lc.cur[i].n++
			return
		}
	}
	lc.cur = append(lc.cur, kindCount{kind, 1})
}

// flush moves the current host's and minute's counts into the map.
func (lc *lineCounter) flush() {
	for _, kc := range lc.cur {
		lc.done[countKey{lc.host, lc.minute, kc.kind}] += kc.n
	}
	lc.cur = lc.cur[:0]
}

// drainTo appends the counts so far to dst and starts over.
func (lc *lineCounter) drainTo(dst []LineCount) []LineCount {
	lc.flush()
	for k, n := range lc.done {
		dst = append(dst, LineCount{Host: k.host, Minute: time.Unix(k.minute*60, 0).UTC(), Span: 1, Kind: k.kind, Count: n})
	}
	clear(lc.done)
	return dst
}

// proc is the state of one smtp/lmtp process: the connection it is setting
// up or using, and failed sessions not yet tied to a delivery line.
type proc struct {
	LastSeen time.Time
	Cur      *tlsSession
	Pending  []*tlsSession
	Policy   *policyNote // TLS policy warnings before the next delivery line
	NextHop  string      // the next hop named by the last TLS session cache key (the TLS policy domain)
}

// policyNote is what an smtp process warned about a destination's TLS
// policy (a socketmap that did not answer, a policy table error, a DANE
// lookup problem, an MX outside the MTA-STS patterns) before the
// relay=none deferral it explains.
type policyNote struct {
	Domain        string // the next-hop (TLS policy) domain
	MXHost        string
	Source        string // the policy source: a map ("socketmap:inet:10.3.0.44:8462:query"), "smtp_tls_policy_maps", "MTA-STS", "DANE"
	SourceProblem string // what the source said
	Used          bool   // a delivery line took it; the next warning starts a new note
	Lines         []string
}

// add merges one warning into the note: a map endpoint is a better source
// than the parameter naming it.
func (n *policyNote) add(ev logparse.TLSPolicyProblem, raw string) {
	n.Domain = cmp.Or(n.Domain, ev.Domain)
	n.MXHost = cmp.Or(n.MXHost, ev.MXHost)
	if ev.Source != "" && (n.Source == "" || (!strings.Contains(n.Source, ":") && strings.Contains(ev.Source, ":"))) {
		n.Source, n.SourceProblem = ev.Source, ev.Problem
	}
	if len(n.Lines) < maxEvidence {
		n.Lines = append(n.Lines, raw)
	}
}

// detail is what a report shows of a policy failure: the delivery's
// reason and the source that caused it.
func (n *policyNote) detail(reason string) string {
	if n == nil || n.Source == "" {
		return reason
	}
	return reason + " (" + n.Source + ": " + n.SourceProblem + ")"
}

// tlsSession is one outbound connection's TLS state.
type tlsSession struct {
	Peer     logparse.Peer
	Time     time.Time
	Trust    logparse.Trust
	Protocol string
	Cipher   string
	Kex      string // key exchange group
	Sig      string // server signature algorithm and size
	Failure  logparse.TLSFailureKind
	Detail   string
	QueueID  string // from a "QID: reason" skip line
	Emitted  bool
	UsedBy   string   // queue ID of the first delivery that used it
	Domain   string   // the TLS policy domain (next hop) when a line names it
	RPT      string   // Postfix 3.10's TLSRPT result for the handshake (tlsrptText)
	Names    []string // certificate names seen (TLS loglevel 2)
	Lines    []string // evidence: the session's TLS lines as written
}

// maxEvidence bounds the lines kept per session.
const maxEvidence = 6

func (s *tlsSession) note(raw string) {
	if len(s.Lines) < maxEvidence {
		s.Lines = append(s.Lines, raw)
	}
}

func (s *tlsSession) addName(name string) {
	if name == "" || len(s.Names) >= 16 {
		return
	}
	for _, n := range s.Names {
		if n == name {
			return
		}
	}
	s.Names = append(s.Names, name)
}

// localDomain is the domain of a recipient address without one.
const localDomain = "(local)"

// NewCorrelator returns an empty correlator.
func NewCorrelator(opts Options) *Correlator {
	if opts.MessageMaxAge <= 0 {
		opts.MessageMaxAge = DefaultOptions.MessageMaxAge
	}
	if opts.ProcessMaxAge <= 0 {
		opts.ProcessMaxAge = DefaultOptions.ProcessMaxAge
	}
	if opts.MaxOpenMessages <= 0 {
		opts.MaxOpenMessages = DefaultMaxOpenMessages
	}
	return &Correlator{
		opts:      opts,
		messages:  map[hostQID]*Message{},
		dirty:     map[hostQID]bool{},
		changed:   map[hostQID]struct{}{},
		stored:    map[hostQID]uint64{},
		procs:     map[procKey]*proc{},
		sessions:  map[procKey]*Session{},
		mxDomain:  map[string]mxEntry{},
		mxChanged: map[string]struct{}{},
		interned:  map[string]string{},
		counts:    lineCounter{done: map[countKey]int64{}},
	}
}

// maxInterned bounds the strings intern keeps.
const maxInterned = 4096

// intern returns a copy of s, shared with every earlier call for the same
// text while there are few of them (host and service names).
func (c *Correlator) intern(s string) string {
	if v, ok := c.interned[s]; ok {
		return v
	}
	s = strings.Clone(s)
	if len(c.interned) < maxInterned {
		c.interned[s] = s
	}
	return s
}

// Stats returns the counters so far.
func (c *Correlator) Stats() Stats { return c.stats }

// Latest is the time of the newest line seen.
func (c *Correlator) Latest() time.Time { return c.latest }

// Open returns the number of open messages (spilled ones included),
// processes and sessions.
func (c *Correlator) Open() (messages, processes, sessions int) {
	return len(c.messages) + c.nSpilled, len(c.procs), len(c.sessions)
}

// Add takes one parsed line and the time it stands for.
func (c *Correlator) Add(l *logparse.Line, t time.Time) {
	t = t.UTC()
	c.stats.Lines++
	kind := l.Event.Kind()
	host := l.Host
	if !l.Timed() {
		// No stamp, no host (a blank line is foreign): count it where
		// the log was.
		t, host = c.latest, c.lastHost
	} else {
		c.lastHost = l.Host
	}
	c.counts.add(host, floorUnits(t.UnixNano(), time.Minute), LineKind(l))
	if t.After(c.latest) {
		c.latest = t
	}
	switch kind {
	case logparse.KindForeign:
		c.stats.Foreign++
		return
	case logparse.KindMalformed:
		c.stats.Malformed++
		return
	case logparse.KindUnparsed:
		c.stats.Unparsed++
		c.out.Unparsed = append(c.out.Unparsed, Unparsed{Time: t, Host: l.Host, Program: l.Program, Text: l.Text})
		return
	}
	if l.Severity != logparse.SevInfo {
		c.out.Warnings = append(c.out.Warnings, Warning{
			Time: t, Host: l.Host, Program: c.intern(l.Program), Severity: l.Severity,
			Text: l.Text, Class: mask(l.Text),
		})
	}
	switch ev := l.Event.(type) {
	case logparse.Client:
		c.addClient(l, ev, t)
	case logparse.Pickup:
		m := c.startMessage(l.Host, l.QueueID, t)
		m.Origin = OriginPickup
		m.Service = "pickup"
	case logparse.QueueEntry:
		m := c.message(l.Host, l.QueueID, t)
		if !m.HasSender {
			m.Sender, m.Size, m.Nrcpt, m.HasSender = strings.Clone(ev.From), ev.Size, ev.Nrcpt, true
		}
	case logparse.MessageID:
		if !ev.Resent {
			c.message(l.Host, l.QueueID, t).MessageID = strings.Clone(ev.MessageID)
		}
	case logparse.Expired:
		c.message(l.Host, l.QueueID, t).Expired = true
	case logparse.Removed:
		c.removeMessage(l.Host, l.QueueID, t, ev.ByAdmin)
	case logparse.Delivery:
		c.addDelivery(l, ev, t)
	case logparse.DeliverySkip:
		c.addSkip(l, ev, t)
	case logparse.TLSEstablished:
		if ev.Direction == logparse.DirOutbound {
			c.outboundEstablished(l, ev, t)
		} else if s := c.inboundSession(l, ev.Peer); s != nil {
			s.TLSTrust, s.TLSProtocol, s.TLSCipher = ev.Trust, ev.Protocol, ev.Cipher
			s.TLSKeyExchange = strings.Clone(ev.KeyExchange)
		}
	case logparse.TLSCertFailure:
		if isOutbound(l, ev.Peer) {
			c.outboundFailure(l, ev.Peer, ev.TLSFailure, certDetail(ev), t)
		} else if s := c.inboundSession(l, ev.Peer); s != nil && s.TLSError == "" {
			s.TLSError = ev.Detail
		}
	case logparse.TLSHandshakeError:
		if ev.Direction == logparse.DirOutbound {
			c.outboundFailure(l, ev.Peer, logparse.TLSHandshake, "", t)
		} else if s := c.inboundSession(l, ev.Peer); s != nil {
			s.TLSFailed = true
			if s.TLSError == "" && ev.Op == "tlsproxy" {
				s.TLSError = "TLS handshake failed (tlsproxy)"
			} else if s.TLSError == "" {
				s.TLSError = "SSL_accept error: " + ev.Detail
			}
		}
	case logparse.TLSLibraryProblem:
		c.libraryProblem(l, ev)
	case logparse.TLSPeerNames:
		// tlsproxy's names belong to its session with the peer (tlsKey).
		if p := c.procs[tlsKey(l, ev.Peer)]; p != nil && p.Cur != nil && p.Cur.Peer.Addr == ev.Peer.Addr {
			for n := range strings.SplitSeq(ev.Names, ",") {
				p.Cur.addName(strings.TrimSpace(n))
			}
			p.Cur.addName(ev.SubjectCN)
		}
	case logparse.TLSPolicyProblem:
		c.policyProblem(l, ev, t)
	case logparse.TLSRPT:
		c.addTLSRPT(l, ev, t)
	case logparse.TLSCache:
		if (l.Service == "smtp" || l.Service == "lmtp") && strings.HasPrefix(ev.Detail, "looking for session ") {
			// Each new session looks its key up first: a key without a
			// next hop must not leave the last session's behind.
			if hop, p := cacheNextHop(ev.Detail), c.procs[keyOf(l)]; hop != "" {
				c.procFor(l, t).NextHop = strings.Clone(hop)
			} else if p != nil {
				p.NextHop = ""
			}
		}
	case logparse.Postscreen:
		if l.Service == "tlsproxy" && ev.Action == "CONNECT to" {
			// A new session with the server: the last one's state is over.
			if p := c.procs[proxyKey(l.Host, ev.Client.Addr)]; p != nil {
				p.closeCurrent()
				p.LastSeen = t
			}
		}
	case logparse.DANE:
		if ev.TLSFailure == "" && strings.HasPrefix(ev.Detail, "DANE TLSA lookup problem") {
			c.policyProblem(l, logparse.TLSPolicyProblem{Source: "DANE", Problem: ev.Detail}, t)
		}
		if ev.TLSFailure != "" {
			if p := c.procs[keyOf(l)]; p != nil && p.Cur != nil {
				p.Cur.setFailure(ev.TLSFailure, ev.Detail)
			}
		}
	case logparse.StartTLSOffered, logparse.ConnectFailure:
		// A new connection: the previous one's TLS state is over.
		if p := c.procs[keyOf(l)]; p != nil {
			p.closeCurrent()
			p.NextHop = ""
			p.LastSeen = t
		}
	case logparse.Connect:
		if l.Service == "smtpd" {
			c.openSession(l, ev.Client, t)
		}
	case logparse.Disconnect:
		c.closeSession(l, ev, t)
	case logparse.AbnormalEnd:
		if s := c.session(l); s != nil {
			s.LostAfter = ev.Reason + " after " + ev.After
			if strings.HasPrefix(ev.After, "STARTTLS") {
				s.StartTLS, s.TLSFailed = true, true
			}
		}
	case logparse.TLSAbort:
		if s := c.session(l); s != nil {
			s.TLSFailed = true
			s.TLSError = ev.Reason
		}
	case logparse.Reject:
		c.addReject(l, ev, t)
	}
	if t.Sub(c.lastPrune) > time.Minute {
		c.prune(t)
	}
}

func isOutbound(l *logparse.Line, peer logparse.Peer) bool {
	return l.Service == "smtp" || l.Service == "lmtp" || (l.Service == "tlsproxy" && peer.Port != 0)
}

// certDetail is what a report shows of a certificate failure: the issuer
// DN, or OpenSSL's text without its internal number ("num=62:").
func certDetail(ev logparse.TLSCertFailure) string {
	if ev.Issuer != "" {
		return ev.Issuer
	}
	if strings.HasPrefix(ev.Detail, "num=") {
		if _, text, ok := strings.Cut(ev.Detail, ":"); ok {
			return text
		}
	}
	return ev.Detail
}

func keyOf(l *logparse.Line) procKey { return procKey{l.Host, l.Program, l.PID} }

// message returns the open message for a queue ID, starting one if none is
// open. NOQUEUE never names a message.
func (c *Correlator) message(host, qid string, t time.Time) *Message {
	k := hostQID{host, qid}
	m := c.lookup(k)
	if m == nil {
		return c.newMessage(host, qid, t)
	}
	if t.After(m.LastSeen) {
		m.LastSeen = t
	}
	c.touch(k)
	return m
}

// touch marks an open message as changed: to be drained, and to be
// stored with the next state.
func (c *Correlator) touch(k hostQID) {
	c.dirty[k] = true
	c.markChanged(k)
}

// markChanged notes, with TrackChanges, that the stored row of message k
// must be written again (or deleted, if it is no longer open).
func (c *Correlator) markChanged(k hostQID) {
	if c.opts.TrackChanges {
		c.changed[k] = struct{}{}
	}
}

// startMessage begins a new lifetime for a queue ID. An open message with a
// receiving origin already is closed first: the ID was reused without its
// "removed" line being seen.
func (c *Correlator) startMessage(host, qid string, t time.Time) *Message {
	k := hostQID{host, qid}
	if m := c.lookup(k); m != nil {
		if m.Origin == OriginUnknown {
			m.LastSeen = t
			c.touch(k)
			return m
		}
		c.emitMessage(k, m)
		delete(c.messages, k)
	}
	return c.newMessage(host, qid, t)
}

// newMessage opens a message for a queue ID that has none open (message
// and startMessage looked).
func (c *Correlator) newMessage(host, qid string, t time.Time) *Message {
	// An open message may stay for days: it keeps copies of what it
	// needs of its lines, not the lines (a queue of them held them all).
	host, qid = c.intern(host), strings.Clone(qid)
	k := hostQID{host, qid}
	m := &Message{Host: host, QueueID: qid, Start: t, LastSeen: t}
	c.messages[k] = m
	c.touch(k)
	c.stats.Messages++
	return m
}

func (c *Correlator) removeMessage(host, qid string, t time.Time, byAdmin bool) {
	k := hostQID{host, qid}
	m := c.lookup(k)
	if m == nil {
		return // removed before we saw anything else of it: nothing to say
	}
	m.Removed = true
	m.Deleted = m.Deleted || byAdmin
	if t.After(m.LastSeen) {
		m.LastSeen = t
	}
	c.emitMessage(k, m)
	delete(c.messages, k)
}

// emitMessage puts a message that leaves the correlator into the batch.
func (c *Correlator) emitMessage(k hostQID, m *Message) {
	c.out.Messages = append(c.out.Messages, *m)
	delete(c.dirty, k)
	c.markChanged(k) // its stored row goes
}

func (c *Correlator) addClient(l *logparse.Line, ev logparse.Client, t time.Time) {
	m := c.startMessage(l.Host, l.QueueID, t)
	m.Origin = OriginSMTPD
	m.Client = ev.Client.String()
	m.ClientIP = strings.Clone(ev.Client.Addr)
	m.Service = c.intern(ServiceName(l.Program))
	if s := c.session(l); s != nil {
		s.Messages++
	}
}

// ServiceName drops the instance's first part: "postfix/submission/smtpd"
// becomes "submission/smtpd", "postfix/smtpd" "smtpd".
func ServiceName(program string) string {
	if i := strings.IndexByte(program, '/'); i >= 0 {
		return program[i+1:]
	}
	return program
}

func (c *Correlator) addDelivery(l *logparse.Line, d logparse.Delivery, t time.Time) {
	m := c.message(l.Host, l.QueueID, t)
	// Made in its place in the batch: an attempt is big, and building it
	// aside and appending the copy cost as much as the rest of this.
	n := len(c.out.Attempts)
	c.out.Attempts = slices.Grow(c.out.Attempts, 1)[:n+1]
	a := &c.out.Attempts[n]
	*a = Attempt{
		Time: t, Host: l.Host, QueueID: l.QueueID, MessageStart: m.Start, Service: l.Service,
		Sender: m.Sender, Size: m.Size,
		Recipient: d.To, Domain: Domain(d.To), OrigTo: d.OrigTo,
		Relay: d.Relay, RelayHost: d.RelayPeer.Host, RelayAddr: d.RelayPeer.Addr, RelayPort: d.RelayPeer.Port,
		Status: d.Status, DSN: d.DSN, Delay: d.Delay, Delays: d.Delays,
		Reason:     d.Reason,
		TLSFailure: d.TLSFailure,
		TLSPolicy:  d.TLSPolicy,
	}
	if a.Domain == "" && a.Recipient != "" {
		a.Domain = localDomain
	}
	if d.Status != logparse.StatusSent {
		a.ReasonClass = ReasonClass(d.Reason)
	}
	a.Forwarded = d.Status == logparse.StatusSent && strings.HasPrefix(d.Reason, "forwarded as ")
	a.LocalHop = isLocalHop(a.RelayAddr, a.RelayPort)
	if l.Service == "smtp" || l.Service == "lmtp" {
		c.attachTLS(l, a, d, t) // appends to no batch slice but TLS: a stays in place
	}
}

// attachTLS gives a delivery the TLS state of its connection, and ties the
// process's failed sessions to the delivery's recipient domain.
func (c *Correlator) attachTLS(l *logparse.Line, a *Attempt, d logparse.Delivery, t time.Time) {
	k := keyOf(l)
	p := c.procs[k]
	if p == nil {
		p = &proc{}
	}
	p.LastSeen = t
	note := p.Policy
	if note != nil {
		note.Used = true
		if d.Relay != "none" {
			p.Policy, note = nil, nil // a server was reached: the warnings were about another try
		}
	}
	var s *tlsSession
	if cur := p.Cur; cur != nil {
		if cur.Peer == d.RelayPeer && (cur.UsedBy == "" || cur.UsedBy == l.QueueID || d.ConnUse > 1) {
			s = cur
		} else if cur.Peer != d.RelayPeer {
			p.closeCurrent()
		}
	}
	for _, pend := range p.Pending {
		if pend.QueueID != "" && pend.QueueID != l.QueueID {
			continue
		}
		if a.TLSFailure == "" {
			a.TLSFailure, a.TLSDetail = pend.Failure, pend.Detail
		}
		pend.note(l.Raw)
		c.emitFailure(l.Host, pend, a)
	}
	p.Pending = keepPending(p.Pending, l.QueueID)
	switch {
	case s != nil:
		first := s.UsedBy == ""
		s.UsedBy = l.QueueID
		a.TLSTrust, a.TLSProtocol, a.TLSCipher = s.Trust, s.Protocol, s.Cipher
		a.TLSKeyExchange, a.TLSServerSig = s.Kex, s.Sig
		if s.Failure != "" || d.TLSFailure != "" {
			s.setFailure(d.TLSFailure, "")
			c.adoptProxy(l.Host, d.RelayPeer, s)
			s.Domain = cmp.Or(s.Domain, p.NextHop)
			s.refine()
			a.TLSFailure, a.TLSDetail = s.Failure, s.Detail
			if !s.Emitted {
				s.note(l.Raw)
			}
			c.emitFailure(l.Host, s, a)
		}
		if first {
			a.TLSRPT = s.RPT // one TLSRPT result per handshake
		}
	case d.TLSFailure != "" && d.RelayPeer.Addr != "":
		// A TLS refusal with no TLS line before it ("TLS is required,
		// but was not offered", or any failure at tls_loglevel 0).
		ns := &tlsSession{Peer: d.RelayPeer, Time: t, Failure: d.TLSFailure, Detail: d.Reason, Lines: []string{l.Raw}}
		c.adoptProxy(l.Host, d.RelayPeer, ns)
		ns.Domain = cmp.Or(ns.Domain, p.NextHop)
		if ns.Failure != d.TLSFailure || ns.Detail != d.Reason { // tlsproxy knew more
			a.TLSFailure, a.TLSDetail = ns.Failure, ns.Detail
		}
		a.TLSRPT = ns.RPT
		c.emitFailure(l.Host, ns, a)
	case d.TLSFailure != "" && d.Relay == "none":
		// The TLS policy stopped the delivery before any server was
		// reached (DANE, MTA-STS, a policy table that did not answer):
		// the warnings before it name the cause.
		ns := &tlsSession{Time: t, Failure: d.TLSFailure, Detail: note.detail(d.Reason)}
		if note != nil {
			ns.Peer.Host, ns.Domain = note.MXHost, note.Domain
			ns.Lines = slices.Clone(note.Lines)
		}
		ns.Lines = append(ns.Lines, l.Raw)
		a.TLSDetail = ns.Detail
		c.emitFailure(l.Host, ns, a)
	}
	if a.RelayHost != "" && a.Domain != "" {
		c.usedMX(l.Host+" "+a.RelayHost, a.Domain, t)
	}
	if p.Cur != nil || len(p.Pending) > 0 || p.Policy != nil {
		c.procs[k] = p
	} else {
		delete(c.procs, k)
	}
}

func keepPending(list []*tlsSession, qid string) []*tlsSession {
	out := list[:0]
	for _, s := range list {
		if s.QueueID != "" && s.QueueID != qid {
			out = append(out, s)
		}
	}
	return out
}

// emitFailure writes a failed session once, attached to an attempt when
// there is one.
func (c *Correlator) emitFailure(host string, s *tlsSession, a *Attempt) {
	if s.Emitted {
		return
	}
	s.Emitted = true
	f := TLSFailure{
		Time: s.Time, Host: host, Direction: logparse.DirOutbound,
		Peer: s.Peer.String(), PeerHost: s.Peer.Host, PeerAddr: s.Peer.Addr,
		Kind: s.Failure, RFC8460: rfc8460(s), Detail: s.Detail,
		Names: strings.Join(s.Names, ", "), Evidence: strings.Join(s.Lines, "\n"),
	}
	if a != nil {
		f.Domain, f.QueueID, f.Recipient, f.Status = a.Domain, a.QueueID, a.Recipient, a.Status
		f.Deferred = a.Outcome() == OutcomeDeferred && strings.HasPrefix(a.DSN, "4.7.")
	} else {
		f.Domain = c.mxDomain[host+" "+s.Peer.Host].Domain
	}
	if s.Domain != "" || f.Domain == "" || f.Domain == localDomain {
		// The TLS policy is the next hop's, whatever the recipient's
		// address: the domain a line names (TLSRPT domain=, the policy
		// lookup warning, the session cache key), else, for a recipient
		// without a domain, the server itself, the way
		// smtp_tls_policy_maps keys a relayhost ("[host]:port").
		f.Domain = nextHopKey(s)
	}
	c.out.TLS = append(c.out.TLS, f)
}

// rfc8460 is the RFC 8460 result type of a failed session: the kind's,
// or, for an external (MTA-STS) policy failure, the type the policy
// plugin gave, as Postfix reports it (tls_verify.c: "external policy
// failure (sts-policy-fetch-error)").
func rfc8460(s *tlsSession) logparse.RFC8460 {
	if s.Failure == logparse.TLSExternalPolicy {
		if _, t, ok := strings.Cut(s.Detail, "("); ok && strings.HasPrefix(t, "sts-") {
			return logparse.RFC8460(strings.TrimSuffix(t, ")"))
		}
	}
	return s.Failure.RFC8460()
}

// nextHopKey is the TLS policy's key for a session whose recipient has no
// domain: the policy domain a line named, else "[host]" or "[host]:port".
func nextHopKey(s *tlsSession) string {
	switch {
	case s.Domain != "":
		return s.Domain
	case s.Peer.Host == "":
		return ""
	case s.Peer.Port == 0 || s.Peer.Port == 25:
		return "[" + s.Peer.Host + "]"
	}
	return "[" + s.Peer.Host + "]:" + strconv.Itoa(s.Peer.Port)
}

// setFailure records a failure kind, keeping the most specific one seen.
func (s *tlsSession) setFailure(kind logparse.TLSFailureKind, detail string) {
	if kind == "" {
		return
	}
	if s.Failure == "" || (!s.Failure.Specific() && kind.Specific()) {
		s.Failure = kind
		if detail != "" {
			s.Detail = detail
		}
	}
}

// refine explains a bare "Server certificate not verified" by the trust
// the summary line reported: a trusted chain means the name did not match.
func (s *tlsSession) refine() {
	if s.Failure != logparse.TLSNotVerified {
		return
	}
	switch s.Trust {
	case logparse.TrustTrusted:
		s.Failure = logparse.TLSNameMismatch
	case logparse.TrustUntrusted, logparse.TrustAnonymous:
		s.Failure = logparse.TLSNotTrusted
	}
}

// closeCurrent ends the process's current connection; a failed session not
// yet tied to a delivery waits in Pending.
func (p *proc) closeCurrent() {
	if p.Cur != nil && p.Cur.Failure != "" && !p.Cur.Emitted {
		p.Pending = append(p.Pending, p.Cur)
	}
	p.Cur = nil
}

func (c *Correlator) procFor(l *logparse.Line, t time.Time) *proc {
	return c.procAt(keyOf(l), t)
}

// proxyKey is where the TLS state of tlsproxy's sessions with one server
// address on one host is kept. tlsproxy serves many smtp processes'
// sessions at once in one process, so its lines are told apart by the
// peer, not the pid; the smtp process that logs the delivery finds them
// by the relay's address (adoptProxy).
func proxyKey(host, addr string) procKey {
	return procKey{host, "tlsproxy [" + addr + "]", 0}
}

// tlsKey is the key of the TLS state a line about peer belongs to.
func tlsKey(l *logparse.Line, peer logparse.Peer) procKey {
	if l.Service == "tlsproxy" {
		return proxyKey(l.Host, peer.Addr)
	}
	return keyOf(l)
}

func (c *Correlator) procAt(k procKey, t time.Time) *proc {
	p := c.procs[k]
	if p == nil {
		p = &proc{}
		c.procs[k] = p
	}
	p.LastSeen = t
	return p
}

// sessionFor returns the process's current session with peer, or starts a
// new one when the current one belongs to another connection.
func (p *proc) sessionFor(peer logparse.Peer, t time.Time, fresh bool) *tlsSession {
	if cur := p.Cur; cur != nil && cur.Peer == peer && cur.UsedBy == "" && !fresh {
		return cur
	}
	p.closeCurrent()
	p.Cur = &tlsSession{Peer: peer, Time: t}
	return p.Cur
}

func (c *Correlator) outboundFailure(l *logparse.Line, peer logparse.Peer, kind logparse.TLSFailureKind, detail string, t time.Time) {
	p := c.procAt(tlsKey(l, peer), t)
	fresh := p.Cur != nil && p.Cur.Trust != "" // a summary was logged: that handshake is over
	s := p.sessionFor(peer, t, fresh)
	s.setFailure(kind, detail)
	s.note(l.Raw)
}

func (c *Correlator) outboundEstablished(l *logparse.Line, ev logparse.TLSEstablished, t time.Time) {
	p := c.procAt(tlsKey(l, ev.Peer), t)
	fresh := p.Cur != nil && p.Cur.Trust != ""
	s := p.sessionFor(ev.Peer, t, fresh)
	s.Trust, s.Protocol, s.Cipher = ev.Trust, ev.Protocol, ev.Cipher
	if ev.KeyExchange != "" || !ev.Reused { // a reused connection's line has no handshake details
		s.Kex, s.Sig = strings.Clone(ev.KeyExchange), strings.Clone(ev.ServerSignature)
	}
	s.note(l.Raw)
}

func (c *Correlator) libraryProblem(l *logparse.Line, ev logparse.TLSLibraryProblem) {
	if p := c.procs[keyOf(l)]; p != nil && p.Cur != nil && p.Cur.Failure == logparse.TLSHandshake {
		if p.Cur.Detail == "" {
			p.Cur.Detail = opensslReason(ev.Detail)
		}
		p.Cur.note(l.Raw)
		return
	}
	if s := c.session(l); s != nil && strings.HasPrefix(s.TLSError, "SSL_accept error") {
		s.TLSError = opensslReason(ev.Detail)
	}
}

// cacheNextHop takes the next hop out of a TLS session cache line
// ("looking for session smtp&fastmail.fm&in1-smtp.messagingengine.com&
// 103.168.172.218&25&... in smtp cache"): the key holds it, before the MX
// host and its address, at the levels that match names. The older key
// ("smtp&HOST&ADDR&PORT&...") has none.
func cacheNextHop(detail string) string {
	_, key, ok := strings.Cut(detail, " session ")
	if !ok {
		return ""
	}
	key, _, _ = strings.Cut(key, " ")
	parts := strings.SplitN(key, "&", 5)
	if len(parts) < 4 || isAddr(parts[2]) || !isAddr(parts[3]) {
		return ""
	}
	return strings.ToLower(parts[1]) // "[relay.example]" for a relayhost, as smtp_tls_policy_maps keys it
}

func isAddr(s string) bool {
	_, err := netip.ParseAddr(s)
	return err == nil
}

// adoptProxy gives a failed session of an smtp process what tlsproxy
// logged about the same server: with smtp_tls_connection_reuse = yes the
// handshake, and so the certificate failure, the TLSRPT result and the
// handshake error, are tlsproxy's lines, and the smtp process logs only
// "Server certificate not verified". The tlsproxy session is then spent:
// it is not emitted again.
func (c *Correlator) adoptProxy(host string, peer logparse.Peer, s *tlsSession) {
	if peer.Addr == "" {
		return
	}
	p := c.procs[proxyKey(host, peer.Addr)]
	if p == nil {
		return
	}
	var px *tlsSession
	if p.Cur != nil && !p.Cur.Emitted && (p.Cur.Failure != "" || p.Cur.RPT != "") {
		px = p.Cur
	}
	for i := len(p.Pending) - 1; px == nil && i >= 0; i-- {
		if !p.Pending[i].Emitted {
			px = p.Pending[i]
		}
	}
	if px == nil {
		return
	}
	px.Emitted = true
	if s.Failure == "" || !s.Failure.Specific() || s.Detail == "" || s.Detail == "Server certificate not verified" {
		if px.Failure.Specific() {
			s.Failure, s.Detail = px.Failure, px.Detail
		}
	}
	s.Domain = cmp.Or(s.Domain, px.Domain)
	s.RPT = cmp.Or(s.RPT, px.RPT)
	for _, n := range px.Names {
		s.addName(n)
	}
	lines := append(slices.Clone(px.Lines), s.Lines...)
	s.Lines = lines[:min(len(lines), maxEvidence+2)]
	if p.Cur == px {
		p.Cur = nil
	}
	p.Pending = slices.DeleteFunc(p.Pending, func(x *tlsSession) bool { return x == px })
	if p.Cur == nil && len(p.Pending) == 0 && p.Policy == nil {
		delete(c.procs, proxyKey(host, peer.Addr))
	}
}

// addTLSRPT takes Postfix 3.10's own TLSRPT result ("TLSRPT:
// status=failure, domain=D, receiving_mx=H[A], failure_type=T,
// failure_reason=R") for the session it is about: the policy domain,
// and, when nothing more specific was logged, the failure's kind and
// reason.
func (c *Correlator) addTLSRPT(l *logparse.Line, ev logparse.TLSRPT, t time.Time) {
	host, addr, _ := strings.Cut(ev.ReceivingMX, "[")
	addr = strings.TrimSuffix(addr, "]")
	peer := logparse.Peer{Host: host, Addr: addr}
	p := c.procAt(tlsKey(l, peer), t)
	s := p.Cur
	if s == nil || s.Peer.Addr != addr || s.UsedBy != "" {
		if ev.Status != "failure" {
			return // a success with no session seen: nothing to tie it to
		}
		p.closeCurrent()
		p.Cur = &tlsSession{Peer: peer, Time: t}
		s = p.Cur
	}
	s.Domain = strings.Clone(ev.Domain)
	s.RPT = tlsrptText(ev)
	if ev.Status == "failure" {
		s.setFailure(rptKind(ev), strings.ReplaceAll(ev.FailureReason, "_", " "))
	}
	s.note(l.Raw)
}

// tlsrptText is how an attempt keeps a TLSRPT result: "success", or
// "failure TYPE[ REASON]".
func tlsrptText(ev logparse.TLSRPT) string {
	s := ev.Status
	if ev.FailureType != "" {
		s += " " + string(ev.FailureType)
		if ev.FailureReason != "" {
			s += " " + ev.FailureReason
		}
	}
	return strings.Clone(s)
}

// rptKind is the failure kind a TLSRPT result stands for. Postfix's own
// type is coarser than pftls's kinds (a self-signed certificate is a
// validation-failure with reason self-signed_certificate,
// src/tls/tls_client.c); a certificate line, when logged, is more
// specific and wins (setFailure).
func rptKind(ev logparse.TLSRPT) logparse.TLSFailureKind {
	switch ev.FailureType {
	case logparse.RFCStartTLSNotSupported:
		return logparse.TLSStartTLSNotOffered
	case logparse.RFCCertificateHostMatch:
		return logparse.TLSNameMismatch
	case logparse.RFCCertificateExpired:
		return logparse.TLSExpired
	case logparse.RFCCertificateNotTrusted:
		return logparse.TLSNotTrusted
	case logparse.RFCTLSAInvalid:
		return logparse.TLSTLSAInvalid
	case logparse.RFCDNSSECInvalid:
		return logparse.TLSDNSSECInvalid
	case logparse.RFCDANERequired:
		return logparse.TLSDANERequired
	}
	if strings.HasPrefix(ev.FailureReason, "self-signed") {
		return logparse.TLSSelfSigned
	}
	return logparse.TLSVerifyOther
}

// policyProblem notes a TLS policy warning of an smtp process for the
// delivery line that follows.
func (c *Correlator) policyProblem(l *logparse.Line, ev logparse.TLSPolicyProblem, t time.Time) {
	p := c.procFor(l, t)
	if p.Policy == nil || p.Policy.Used {
		p.Policy = &policyNote{}
	}
	p.Policy.add(ev, l.Raw)
}

// addSkip handles "QID: reason" when the client moves on to the next MX.
func (c *Correlator) addSkip(l *logparse.Line, ev logparse.DeliverySkip, t time.Time) {
	if ev.TLSFailure == "" {
		return
	}
	p := c.procFor(l, t)
	s := p.Cur
	if s == nil || s.UsedBy != "" {
		s = &tlsSession{Peer: ev.Peer, Time: t, Detail: ev.Reason}
	} else {
		p.Cur = nil
	}
	s.setFailure(ev.TLSFailure, "")
	s.refine()
	s.note(l.Raw)
	s.QueueID = l.QueueID
	if !s.Emitted {
		p.Pending = append(p.Pending, s)
	}
}

func (c *Correlator) addReject(l *logparse.Line, ev logparse.Reject, t time.Time) {
	r := Reject{
		Time: t, Host: l.Host, Service: ServiceName(l.Program), QueueID: l.QueueID,
		Action: logparse.Action(c.intern(string(ev.Action))), Stage: c.intern(ev.Stage), Client: ev.Client.String(),
		ClientName: c.intern(ev.Client.Name()), ClientIP: ev.Client.Addr,
		Code: ev.Code, DSN: ev.DSN, Reply: ev.Reply, ReasonClass: mask(ev.Reply),
		From: ev.From, To: ev.To, Helo: ev.Helo,
	}
	c.out.Rejects = append(c.out.Rejects, r)
	if s := c.session(l); s != nil {
		s.Rejects++
	}
}

// inboundSession is the open smtpd session an inbound TLS line is about:
// the line's own process's, or, for tlsproxy (which does the TLS of
// postscreen and smtpd sessions in a process of its own), the newest open
// session of the same host with the peer's address.
func (c *Correlator) inboundSession(l *logparse.Line, peer logparse.Peer) *Session {
	if l.Service != "tlsproxy" {
		return c.session(l)
	}
	var found *Session
	for k, s := range c.sessions {
		if k.host == l.Host && s.ClientIP == peer.Addr && (found == nil || s.Start.After(found.Start)) {
			found = s
		}
	}
	return found
}

// session returns the open smtpd session of the line's process, if any.
func (c *Correlator) session(l *logparse.Line) *Session {
	return c.sessions[keyOf(l)]
}

func (c *Correlator) openSession(l *logparse.Line, client logparse.Peer, t time.Time) {
	k := keyOf(l)
	if old := c.sessions[k]; old != nil {
		c.emitSession(old)
	}
	c.sessions[k] = &Session{
		Start: t, End: t, Host: l.Host, Service: ServiceName(l.Program),
		Client: client.String(), ClientName: client.Name(), ClientIP: client.Addr,
	}
}

func (c *Correlator) closeSession(l *logparse.Line, ev logparse.Disconnect, t time.Time) {
	k := keyOf(l)
	s := c.sessions[k]
	if s == nil {
		return
	}
	delete(c.sessions, k)
	s.End = t
	s.CommandsOK, s.CommandsTotal = ev.CommandsOK, ev.CommandsTotal
	if ev.StartTLS > 0 {
		s.StartTLS = true
		if ev.StartTLSOK < ev.StartTLS {
			s.TLSFailed = true
		}
	}
	if s.TLSTrust != "" {
		s.TLSFailed = false
	}
	c.emitSession(s)
}

func (c *Correlator) emitSession(s *Session) {
	c.out.Sessions = append(c.out.Sessions, *s)
	if s.TLSFailed {
		kind := logparse.TLSHandshake
		if strings.HasPrefix(s.LostAfter, "lost connection after STARTTLS") && s.TLSError == "" {
			kind = logparse.TLSLostAfterStartTLS
		}
		detail := s.TLSError
		if detail == "" {
			detail = s.LostAfter
		}
		c.out.TLS = append(c.out.TLS, TLSFailure{
			Time: s.Start, Host: s.Host, Direction: logparse.DirInbound,
			Peer: s.Client, PeerHost: s.ClientName, PeerAddr: s.ClientIP,
			Kind: kind, Detail: detail,
		})
	}
}

// prune closes what has been idle too long, so memory stays bounded on
// endless input. Failed sessions never tied to a delivery are emitted with
// the domain last delivered through that MX.
func (c *Correlator) prune(now time.Time) {
	c.lastPrune = now
	for k, p := range c.procs {
		if now.Sub(p.LastSeen) <= c.opts.ProcessMaxAge {
			continue
		}
		p.closeCurrent()
		for _, s := range p.Pending {
			c.emitFailure(k.host, s, nil)
		}
		delete(c.procs, k)
		c.stats.PrunedProcesses++
	}
	for k, s := range c.sessions {
		if now.Sub(s.End) > c.opts.ProcessMaxAge {
			c.emitSession(s)
			delete(c.sessions, k)
			c.stats.PrunedSessions++
		}
	}
	c.pruneMXHosts()
	// Messages live for days: walking all of them once a log-hour is
	// plenty (every log-minute cost 7% of the CPU on a busy queue).
	if now.Sub(c.lastMessagePrune) < time.Hour {
		return
	}
	c.lastMessagePrune = now
	c.pruneSpilled(now)
	for k, m := range c.messages {
		if now.Sub(m.LastSeen) > c.opts.MessageMaxAge {
			c.emitMessage(k, m)
			delete(c.messages, k)
			c.stats.PrunedMessages++
		}
	}
}

// Drain returns the facts collected since the last drain: every message
// that changed (open ones included, so that a report sees messages still in
// the queue) and everything else that happened.
func (c *Correlator) Drain() Batch { return c.drain(true) }

// DrainEnded is Drain without the messages still in the queue: bulk ingest
// writes them once at its end (they are rows of open_messages meanwhile,
// flagged unwritten), or when they are spilled (spill.go), so that each
// message is written about once.
func (c *Correlator) DrainEnded() Batch { return c.drain(false) }

func (c *Correlator) drain(open bool) Batch {
	c.spillIdle()
	if open {
		for k := range c.dirty {
			if m := c.messages[k]; m != nil {
				c.out.Messages = append(c.out.Messages, *m)
				c.markChanged(k) // its row says it is written now
			}
		}
		clear(c.dirty)
	}
	c.out.LineCounts = c.counts.drainTo(c.out.LineCounts)
	b := c.out
	c.out = presized(&b, &c.spare)
	c.spare = Batch{}
	return b
}

// Recycle hands back a batch that was drained and that nobody reads any
// more (its consumers have returned and no store writes it): the next
// drain collects its facts in the batch's room instead of new slices.
// With no store (report --db :memory:, tail --no-db) a batch is spent as
// soon as the consumers return, and making its slices anew for every
// drain allocated more than the parser and the correlator together.
func (c *Correlator) Recycle(b *Batch) {
	// Cleared, so that the spent facts' strings do not keep their lines'
	// text in memory.
	clear(b.Messages)
	clear(b.Attempts)
	clear(b.TLS)
	clear(b.Sessions)
	clear(b.Rejects)
	clear(b.Warnings)
	clear(b.Unparsed)
	clear(b.LineCounts)
	c.spare = *b // presized empties each slice it takes
	*b = Batch{}
}

// presized is an empty batch with room for as many facts as b holds: the
// next batch is usually about as big, and growing its slices by doubling
// allocated more than the facts themselves. The room of spare (a recycled
// batch) is taken where it is big enough.
func presized(b, spare *Batch) Batch {
	// A big batch (the open messages at the end of the input) does not
	// make every later one as big.
	room := func(n int) int { return min(n+n/8, 1<<14) }
	return Batch{
		Messages:   roomFor(spare.Messages, room(len(b.Messages))),
		Attempts:   roomFor(spare.Attempts, room(len(b.Attempts))),
		TLS:        roomFor(spare.TLS, room(len(b.TLS))),
		Sessions:   roomFor(spare.Sessions, room(len(b.Sessions))),
		Rejects:    roomFor(spare.Rejects, room(len(b.Rejects))),
		Warnings:   roomFor(spare.Warnings, room(len(b.Warnings))),
		Unparsed:   spare.Unparsed[:0],
		LineCounts: spare.LineCounts[:0],
	}
}

// roomFor is spare, emptied, when it has room for n, else a new slice
// with room for n.
func roomFor[T any](spare []T, n int) []T {
	if cap(spare) >= n {
		return spare[:0]
	}
	return make([]T, 0, n)
}

// FlushPending emits the failed sessions still waiting for a delivery line,
// as at the end of the input; they stay known so that a later delivery line
// still gets its TLS detail, but are not emitted twice.
func (c *Correlator) FlushPending() {
	for k, p := range c.procs {
		cands := p.Pending
		if p.Cur != nil && p.Cur.Failure != "" {
			cands = append(cands[:len(cands):len(cands)], p.Cur)
		}
		for _, s := range cands {
			c.emitFailure(k.host, s, nil)
		}
	}
}

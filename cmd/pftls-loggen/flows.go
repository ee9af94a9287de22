package main

import (
	"math"
	"strconv"
	"time"
)

// startFlow begins one arrival on host h: an SMTP session (inbound mail,
// submission, spam that is rejected, a password guesser, a client whose
// TLS handshake fails) or a local submission through pickup.
func startFlow(s *sim, h *host) {
	x := s.r.float()
	if s.heavy {
		startHeavyFlow(s, h, x)
		return
	}
	switch {
	case x < 0.40:
		newSession(s, h, kInbound)
	case x < 0.64:
		newSession(s, h, kSubmission)
	case x < 0.72:
		newPickup(s, h)
	case x < 0.88:
		newSession(s, h, kReject)
	case x < 0.95:
		newSession(s, h, kGuesser)
	case x < 0.97:
		newSession(s, h, kTLSFail)
	default:
		newSession(s, h, kProbe)
	}
}

type sessionKind uint8

const (
	kInbound sessionKind = iota
	kSubmission
	kReject
	kGuesser
	kTLSFail
	kProbe
)

type opKind uint8

const (
	opDNSWarning opKind = iota
	opConnect
	opTLS
	opTLSFail
	opAuthFail
	opReject
	opMessage
	opLost
	opDisconnect
)

type op struct {
	kind opKind
	text string   // reject reply, lost stage
	rcpt string   // reject recipient
	msg  *message // accepted message
}

// counter is one smtpd command counter: "rcpt=1" or "rcpt=0/1".
type counter struct{ ok, total int }

// session is one smtpd connection.
type session struct {
	h      *host
	p      *pool
	pr     *proc
	c      client
	kind   sessionKind
	ops    []op
	i      int
	tls    string
	trust  string
	sender string

	ehlo, starttls, auth, mail, rcpt, data counter
	quit                                   bool
}

func newSession(s *sim, h *host, kind sessionKind) {
	w := s.w
	ss := &session{h: h, kind: kind, p: &h.smtpd}
	switch kind {
	case kSubmission:
		ss.p = &h.sub
		ss.c = client{name: "unknown", addr: randAddr(&s.r), dom: -1}
		if s.r.chance(0.6) {
			ss.c.name = "host-" + ss.c.addr + ".dyn.example.net"
		}
		ss.c.helo = "[" + ss.c.addr + "]"
	case kReject, kGuesser:
		if kind == kReject && s.r.chance(0.35) {
			ss.c = *w.client(&s.r)
		} else {
			ss.c = pick(&s.r, w.badActors)
		}
		if kind == kGuesser && s.r.chance(0.5) {
			ss.p = &h.sub
		}
	default:
		ss.c = *w.client(&s.r)
	}
	r := &s.r
	if ss.c.name == "unknown" && ss.c.dom >= 0 && r.chance(0.5) {
		ss.ops = append(ss.ops, op{kind: opDNSWarning})
	}
	ss.ops = append(ss.ops, op{kind: opConnect})
	ss.ehlo = counter{1, 1}
	withTLS := false
	switch kind {
	case kInbound:
		withTLS = r.chance(0.75)
	case kSubmission:
		withTLS = true
	case kReject:
		withTLS = r.chance(0.25)
	}
	if withTLS {
		ss.ehlo = counter{2, 2}
		ss.starttls = counter{1, 1}
		ss.trust = "Anonymous"
		ss.tls = pick(r, tlsInbound)
		if kind == kInbound {
			switch x := r.float(); {
			case x < 0.04:
				ss.trust, ss.tls = "Untrusted", tlsClientCert
			case x < 0.06:
				ss.trust, ss.tls = "Trusted", tlsClientCert
			case x < 0.08:
				ss.tls = pick(r, tlsLegacy)
			}
		}
		ss.ops = append(ss.ops, op{kind: opTLS})
	}
	switch kind {
	case kInbound:
		n := 1
		if r.chance(0.1) {
			n = 2
		}
		for i := 0; i < n; i++ {
			ss.mail.ok++
			ss.mail.total++
			if r.chance(0.05) {
				ss.rcpt.total++
				to := pick(r, w.unknown) + "@" + w.org
				ss.ops = append(ss.ops, op{kind: opReject, rcpt: to, text: "550 5.1.1 <" + to + ">: Recipient address rejected: User unknown in local recipient table"})
			}
			m := newInboundMessage(s, h, &ss.c)
			ss.rcpt.ok += m.nrcpt
			ss.rcpt.total += m.nrcpt
			ss.data.ok++
			ss.data.total++
			ss.ops = append(ss.ops, op{kind: opMessage, msg: m})
		}
		ss.quit = true
	case kSubmission:
		ss.auth = counter{1, 1}
		ss.mail = counter{1, 1}
		m := newSubmittedMessage(s, h, &ss.c)
		ss.rcpt = counter{m.nrcpt, m.nrcpt}
		ss.data = counter{1, 1}
		ss.ops = append(ss.ops, op{kind: opMessage, msg: m})
		ss.quit = true
	case kReject:
		ss.sender = spamSender(s)
		ss.mail = counter{1, 1}
		n := 1 + r.intn(3)
		reply := r.intn(7)
		for i := 0; i < n; i++ {
			to := ss.rejectRcpt(s, reply)
			ss.rcpt.total++
			ss.ops = append(ss.ops, op{kind: opReject, rcpt: to, text: ss.rejectReply(s, reply, to)})
		}
		if r.chance(0.7) {
			ss.quit = true
		} else {
			ss.ops = append(ss.ops, op{kind: opLost, text: "RCPT"})
		}
	case kGuesser:
		if r.chance(0.2) {
			ss.ehlo = counter{}
			ss.ops = append(ss.ops, op{kind: opLost, text: "CONNECT"})
		} else {
			n := 1 + r.intn(2)
			for i := 0; i < n; i++ {
				ss.auth.total++
				ss.ops = append(ss.ops, op{kind: opAuthFail})
			}
			ss.ops = append(ss.ops, op{kind: opLost, text: "AUTH"})
		}
	case kTLSFail:
		ss.starttls = counter{0, 1}
		ss.ops = append(ss.ops, op{kind: opTLSFail}, op{kind: opLost, text: "STARTTLS"})
	case kProbe:
		ss.quit = true
	}
	ss.ops = append(ss.ops, op{kind: opDisconnect})
	ss.pr = ss.p.get(s, h)
	s.after(0, ss)
}

func (ss *session) rejectRcpt(s *sim, reply int) string {
	switch reply {
	case 0:
		return pick(&s.r, s.w.unknown) + "@" + s.w.org
	case 1:
		return s.w.person(&s.r) + "@" + s.w.domains[s.w.domain(&s.r)].name
	}
	return pick(&s.r, s.w.users) + "@" + s.w.org
}

func (ss *session) rejectReply(s *sim, reply int, to string) string {
	switch reply {
	case 0:
		return "550 5.1.1 <" + to + ">: Recipient address rejected: User unknown in local recipient table"
	case 1:
		return "554 5.7.1 <" + to + ">: Relay access denied"
	case 2:
		return "554 5.7.1 Service unavailable; Client host [" + ss.c.addr + "] blocked using zen.spamhaus.example; https://www.spamhaus.example/query/ip/" + ss.c.addr
	case 3:
		return "450 4.7.1 <" + ss.c.helo + ">: Helo command rejected: Host not found"
	case 4:
		return "504 5.5.2 <" + ss.c.helo + ">: Helo command rejected: need fully-qualified hostname"
	case 5:
		return "450 4.1.8 <" + ss.sender + ">: Sender address rejected: Domain not found"
	}
	return "450 4.7.25 Client host rejected: cannot find your hostname, [" + ss.c.addr + "]"
}

func spamSender(s *sim) string {
	return s.w.person(&s.r) + "@" + pick(&s.r, words) + strconv.Itoa(s.r.intn(99)) + ".example.info"
}

// peer writes "name[addr]".
func (s *sim) peer(c *client) {
	s.str(c.name)
	s.str("[")
	s.str(c.addr)
	s.str("]")
}

func (ss *session) step(s *sim) {
	h, c := ss.h, &ss.c
	o := &ss.ops[ss.i]
	ss.i++
	prog, pid := ss.p.prog, ss.pr.pid
	next := s.r.between(2*ms, 60*ms)
	switch o.kind {
	case opDNSWarning:
		s.line(h, prog, pid)
		s.str("warning: hostname ")
		s.str(c.helo)
		s.str(" does not resolve to address ")
		s.str(c.addr)
		s.str(": Name or service not known")
		s.end()
		next = s.r.between(0, 2*ms)
	case opConnect:
		s.line(h, prog, pid)
		s.str("connect from ")
		s.peer(c)
		s.end()
		next = s.r.between(20*ms, 400*ms)
	case opTLS:
		s.line(h, prog, pid)
		s.str(ss.trust)
		s.str(" TLS connection established from ")
		s.peer(c)
		s.str(": ")
		s.str(ss.tls)
		s.end()
		next = s.r.between(30*ms, 600*ms)
	case opTLSFail:
		s.line(h, prog, pid)
		s.str("SSL_accept error from ")
		s.peer(c)
		s.str(": -1")
		s.end()
		s.line(h, prog, pid)
		s.str("warning: TLS library problem: error:0A000102:SSL routines::unsupported protocol:../ssl/statem/statem_srvr.c:1664:")
		s.end()
		next = s.r.between(0, 5*ms)
	case opAuthFail:
		s.line(h, prog, pid)
		s.str("warning: ")
		s.peer(c)
		s.str(": SASL LOGIN authentication failed: UGFzc3dvcmQ6")
		s.end()
		next = s.r.between(1*sec, 8*sec)
	case opReject:
		s.line(h, prog, pid)
		s.str("NOQUEUE: reject: RCPT from ")
		s.peer(c)
		s.str(": ")
		s.str(o.text)
		s.str("; from=<")
		if ss.sender != "" {
			s.str(ss.sender)
		} else if ss.i < len(ss.ops) && ss.ops[ss.i].msg != nil {
			s.str(ss.ops[ss.i].msg.from)
		}
		s.str("> to=<")
		s.str(o.rcpt)
		s.str("> proto=ESMTP helo=<")
		s.str(c.helo)
		s.str(">")
		s.end()
		next = s.r.between(50*ms, 2*sec)
	case opMessage:
		m := o.msg
		m.qid = h.newQueueID(s)
		m.arrival = s.now
		s.qline(h, prog, pid, m.qid)
		s.str("client=")
		s.peer(c)
		if ss.kind == kSubmission {
			s.str(", sasl_method=PLAIN, sasl_username=")
			s.str(m.from)
		}
		s.end()
		xmit := transmitTime(s, m.size)
		m.xmit = xmit
		m.st = msCleanup
		s.after(s.r.between(1*ms, 15*ms), m)
		next = xmit + s.r.between(5*ms, 40*ms)
	case opLost:
		s.line(h, prog, pid)
		s.str("lost connection after ")
		s.str(o.text)
		s.str(" from ")
		s.peer(c)
		s.end()
		next = s.r.between(0, 2*ms)
	case opDisconnect:
		s.line(h, prog, pid)
		s.str("disconnect from ")
		s.peer(c)
		ok, total := 0, 0
		for _, x := range []struct {
			name string
			c    counter
		}{{"ehlo", ss.ehlo}, {"starttls", ss.starttls}, {"auth", ss.auth}, {"mail", ss.mail}, {"rcpt", ss.rcpt}, {"data", ss.data}} {
			if x.c.total == 0 {
				continue
			}
			ok += x.c.ok
			total += x.c.total
			s.str(" ")
			s.str(x.name)
			s.str("=")
			s.counter(x.c)
		}
		if ss.quit {
			ok++
			total++
			s.str(" quit=1")
		}
		s.str(" commands=")
		s.counter(counter{ok, total})
		s.end()
		ss.p.put(s, ss.pr)
		return
	}
	s.after(next, ss)
}

func (s *sim) counter(c counter) {
	s.int(int64(c.ok))
	if c.ok != c.total {
		s.str("/")
		s.int(int64(c.total))
	}
}

// transmitTime is how long DATA takes for a message of size bytes.
func transmitTime(s *sim, size int64) int64 {
	rate := s.r.between(500_000, 20_000_000) // bytes per second
	return 20*ms + size*sec/rate
}

// messageSize is log-normal, median about 12 kB, capped at 30 MB.
func messageSize(s *sim) int64 {
	x := 9.4 + 1.3*s.r.norm()
	if x > 17.2 {
		x = 17.2
	}
	n := int64(math.Exp(x))
	return max(n, 600)
}

// Message states.
type msgState uint8

const (
	msPickup msgState = iota
	msCleanup
	msNotice
	msActive
	msDispatch
	msRemoved
	msDelete
)

type origin uint8

const (
	oSMTP origin = iota
	oPickup
	oNotify
)

type rcpt struct {
	addr    string
	origTo  string
	dom     int    // remote domain, -1 for local delivery
	box     string // local: "/dev/null" for a file, "" for the mailbox
	unknown bool   // local: no such user
	done    bool
}

// message is one queue file's life: cleanup, qmgr, deliveries, retries,
// notifications, removal.
type message struct {
	h        *host
	qid      string
	from     string
	fromDom  int // -1 local or none
	size     int64
	nrcpt    int
	msgid    string
	rcpts    []rcpt
	origin   origin
	uid      int
	arrival  int64
	xmit     int64
	activeAt int64
	attempts int
	warned   bool
	pending  int
	bounced  bool // a recipient bounced in this attempt
	st       msgState

	parent *message // a notification's message
	notice string   // "sender non-delivery notification", ...
}

func (s *sim) newMessage(h *host, o origin) *message {
	s.messages++
	return &message{h: h, origin: o, fromDom: -1, size: messageSize(s)}
}

func (s *sim) msgID(from string) string {
	var b [40]byte
	x := appendHex(b[:0], s.r.u64(), 16)
	x = append(x, '.')
	x = appendHex(x, s.r.u64(), 8)
	x = append(x, '@')
	at := len(from) - 1
	for at >= 0 && from[at] != '@' {
		at--
	}
	return string(x) + from[at+1:]
}

// newInboundMessage is mail from a remote MTA for local users.
func newInboundMessage(s *sim, h *host, c *client) *message {
	w := s.w
	m := s.newMessage(h, oSMTP)
	m.fromDom = c.dom
	if m.fromDom < 0 {
		m.fromDom = w.domain(&s.r)
	}
	m.from = w.person(&s.r) + "@" + w.domains[m.fromDom].name
	if s.r.chance(0.03) {
		m.from = "" // a remote bounce
	}
	m.msgid = s.msgID(w.domains[m.fromDom].name)
	n := 1 + s.r.intn(3)
	if s.r.chance(0.6) {
		n = 1
	}
	m.nrcpt = n
	for i := 0; i < n; i++ {
		if s.r.chance(0.08) {
			a := pick(&s.r, w.aliases)
			for _, u := range a.members {
				r := rcpt{dom: -1, origTo: a.name + "@" + w.org}
				if u == "/dev/null" {
					r.addr, r.box = a.name+"@"+w.org, u
				} else {
					r.addr = u + "@" + w.org
				}
				m.rcpts = append(m.rcpts, r)
			}
			continue
		}
		m.rcpts = append(m.rcpts, rcpt{addr: pick(&s.r, w.users) + "@" + w.org, dom: -1})
	}
	return m
}

// newSubmittedMessage is mail from a local user, mostly to remote domains.
func newSubmittedMessage(s *sim, h *host, c *client) *message {
	w := s.w
	m := s.newMessage(h, oSMTP)
	m.from = pick(&s.r, w.users) + "@" + w.org
	m.msgid = s.msgID(m.from)
	perRcpt := 1.2
	if s.heavy {
		perRcpt = heavyRcpts // lists and newsletters
	}
	m.rcpts = remoteRcpts(s, 1+int(s.r.exp()*perRcpt))
	m.nrcpt = len(m.rcpts)
	return m
}

func remoteRcpts(s *sim, n int) []rcpt {
	w := s.w
	n = min(n, 12)
	out := make([]rcpt, 0, n)
	for i := 0; i < n; i++ {
		if s.r.chance(0.08) {
			out = append(out, rcpt{addr: pick(&s.r, w.users) + "@" + w.org, dom: -1})
			continue
		}
		d := w.domain(&s.r)
		out = append(out, rcpt{addr: w.person(&s.r) + "@" + w.domains[d].name, dom: d})
	}
	return out
}

var pickupUsers = []struct {
	uid  int
	name string
}{{0, "root"}, {33, "www-data"}, {1000, "alice"}, {1001, "bob"}, {1002, "carol"}, {1003, "dave"}, {108, "nagios"}}

// newPickup is mail submitted with sendmail(1): cron, web applications.
func newPickup(s *sim, h *host) {
	w := s.w
	m := s.newMessage(h, oPickup)
	u := pick(&s.r, pickupUsers)
	m.uid = u.uid
	m.from = u.name + "@" + w.org
	m.msgid = s.msgID(h.fqdn)
	switch x := s.r.float(); {
	case x < 0.45:
		m.rcpts = []rcpt{{addr: pick(&s.r, w.users) + "@" + w.org, dom: -1}}
	case x < 0.50:
		m.rcpts = []rcpt{{addr: pick(&s.r, w.unknown) + "@" + w.org, dom: -1, unknown: true}}
	default:
		m.rcpts = remoteRcpts(s, 1+s.r.intn(3))
	}
	m.nrcpt = len(m.rcpts)
	m.size = 600 + s.r.between(0, 8000)
	m.qid = h.newQueueID(s)
	m.arrival = s.now
	m.st = msPickup
	s.after(0, m)
}

// newNotification makes the bounce(8) message about m for its sender.
func newNotification(s *sim, m *message, kind string) {
	h := m.h
	n := s.newMessage(h, oNotify)
	n.parent, n.notice = m, kind
	n.qid = h.newQueueID(s)
	n.arrival = s.now
	n.size = 2000 + s.r.between(0, 4000)
	t := time.UnixMicro(s.now).UTC()
	n.msgid = t.Format("20060102150405") + "." + n.qid + "@" + h.fqdn
	r := rcpt{addr: m.from, dom: m.fromDom}
	n.rcpts = []rcpt{r}
	n.nrcpt = 1
	n.st = msCleanup
	s.after(s.r.between(0, 2*ms), n)
}

func (m *message) step(s *sim) {
	h := m.h
	switch m.st {
	case msPickup:
		s.qline(h, "postfix/pickup", h.pickupPID(s), m.qid)
		s.str("uid=")
		s.int(int64(m.uid))
		s.str(" from=<")
		s.str(m.from)
		s.str(">")
		s.end()
		m.st = msCleanup
		m.xmit = s.r.between(1*ms, 20*ms)
		s.after(s.r.between(1*ms, 5*ms), m)
	case msCleanup:
		s.qline(h, "postfix/cleanup", h.cleanup.pid(s, h), m.qid)
		s.str("message-id=<")
		s.str(m.msgid)
		s.str(">")
		s.end()
		if m.parent != nil {
			m.st = msNotice
			s.after(s.r.between(0, 2*ms), m)
		} else {
			m.st = msActive
			s.after(m.xmit+s.r.between(1*ms, 10*ms), m)
		}
	case msNotice:
		s.qline(h, "postfix/bounce", h.bounce.pid(s, h), m.parent.qid)
		s.str(m.notice)
		s.str(": ")
		s.str(m.qid)
		s.end()
		m.st = msActive
		s.after(s.r.between(0, 3*ms), m)
	case msActive:
		m.attempts++
		m.activeAt = s.now
		s.qline(h, "postfix/qmgr", h.qmgr, m.qid)
		s.str("from=<")
		s.str(m.from)
		s.str(">, size=")
		s.int(m.size)
		s.str(", nrcpt=")
		s.int(int64(m.nrcpt))
		s.str(" (queue active)")
		s.end()
		m.st = msDispatch
		s.after(s.r.between(1*ms, 40*ms), m)
	case msDispatch:
		m.dispatch(s)
	case msRemoved:
		s.qline(h, "postfix/qmgr", h.qmgr, m.qid)
		s.str("removed")
		s.end()
		delete(h.active, m.qid)
	case msDelete:
		pid := h.super.pid(s, h)
		s.qline(h, "postfix/postsuper", pid, m.qid)
		s.str("removed")
		s.end()
		s.line(h, "postfix/postsuper", pid)
		s.str("Deleted: 1 message")
		s.end()
		delete(h.active, m.qid)
	}
}

// dispatch hands the pending recipients to delivery agents, one job per
// destination (the local domain, or one remote domain).
func (m *message) dispatch(s *sim) {
	m.bounced = false
	var jobs []*job
	for i := range m.rcpts {
		r := &m.rcpts[i]
		if r.done {
			continue
		}
		var j *job
		for _, x := range jobs {
			if x.dom == r.dom {
				j = x
				break
			}
		}
		if j == nil {
			j = &job{m: m, dom: r.dom}
			jobs = append(jobs, j)
		}
		j.idx = append(j.idx, i)
	}
	m.pending = len(jobs)
	for _, j := range jobs {
		s.after(s.r.between(0, 30*ms), j)
	}
	if len(jobs) == 0 {
		m.afterAttempt(s)
	}
}

// jobDone is called by each job of an attempt when it has logged its lines.
func (m *message) jobDone(s *sim) {
	m.pending--
	if m.pending == 0 {
		m.afterAttempt(s)
	}
}

// afterAttempt decides what follows a delivery attempt: removal, a
// notification, a retry after the backoff, or expiry.
func (m *message) afterAttempt(s *sim) {
	h := m.h
	if m.bounced && m.from != "" {
		newNotification(s, m, "sender non-delivery notification")
	}
	open := false
	for i := range m.rcpts {
		if !m.rcpts[i].done {
			open = true
			break
		}
	}
	if !open {
		m.st = msRemoved
		s.after(s.r.between(1*ms, 15*ms), m)
		return
	}
	age := s.now - m.arrival
	if age >= s.lifetime {
		s.qline(h, "postfix/qmgr", h.qmgr, m.qid)
		s.str("from=<")
		s.str(m.from)
		s.str(">, status=expired, returned to sender")
		s.end()
		if m.from != "" {
			newNotification(s, m, "sender non-delivery notification")
		}
		m.st = msRemoved
		s.after(s.r.between(3*ms, 20*ms), m)
		return
	}
	if !m.warned && age >= s.warnAfter && m.from != "" {
		m.warned = true
		newNotification(s, m, "sender delay notification")
	}
	// minimal_backoff_time 300s doubling to maximal_backoff_time 4000s,
	// found by a queue scan every queue_run_delay (300s).
	backoff := min(int64(300)<<min(m.attempts-1, 6), 4000) * sec
	m.st = msActive
	if age >= s.lifetime/2 && s.r.chance(0.03) {
		m.st = msDelete // the admin gives up: postsuper -d
	}
	s.after(backoff+s.r.between(0, 300*sec), m)
}

// Delivery outcomes of one job.
type outcome uint8

const (
	oSent outcome = iota
	oTimeout
	oRefused
	oCertFailure
	oHandshake
	oFallback
	oNotOffered
	oGreylisted
	oSuspended
	oLocal
	oStartTLSRefused // tls-heavy mix
	oTalk421         // tls-heavy mix
)

// job is one delivery agent process delivering a message to one
// destination: its TLS lines, then one line per recipient.
type job struct {
	m       *message
	dom     int
	idx     []int
	pr      *proc
	pool    *pool
	pid     int
	prog    string
	phase   int
	out     outcome
	t0, t1  int64
	trusted string
	via     *mxHost      // the MX host that answered (or failed last)
	tried   []*earlierMX // tls-heavy mix: the hosts that failed before it
}

func (j *job) step(s *sim) {
	m, h := j.m, j.m.h
	switch j.phase {
	case 0:
		j.t0 = s.now
		j.phase = 1
		if j.dom < 0 {
			j.out = oLocal
			j.pool = &h.local
			j.pr = j.pool.get(s, h)
			j.pid, j.prog = j.pr.pid, j.pool.prog
			j.phase = 2
			j.t1 = s.now + s.r.between(0, 5*ms)
			s.after(s.r.between(1*ms, 60*ms), j)
			return
		}
		j.via = &s.w.domains[j.dom].mxHost
		if h.dead[j.dom] > s.now {
			j.out = oSuspended
			j.prog, j.pid = h.errorp.prog, h.errorp.pid(s, h)
			j.t1 = s.now
			j.phase = 2
			s.after(s.r.between(1*ms, 10*ms), j)
			return
		}
		j.pool = &h.smtp
		j.pr = j.pool.get(s, h)
		j.pid, j.prog = j.pr.pid, j.pool.prog
		connect := j.tryEarlier(s)
		j.decide(s)
		switch j.out {
		case oTimeout:
			connect += 30 * sec
		case oRefused:
			connect += s.r.between(1*ms, 8*ms)
		default:
			connect += s.r.between(15*ms, 350*ms)
		}
		s.after(connect, j)
	case 1:
		j.t1 = s.now
		j.earlierLines(s)
		j.connectLines(s)
		j.phase = 2
		var xmit int64
		if j.out == oSent || j.out == oFallback {
			xmit = transmitTime(s, m.size)
		} else {
			xmit = s.r.between(0, 20*ms)
		}
		s.after(xmit, j)
	case 2:
		j.deliveryLines(s)
		if j.pr != nil {
			j.pool.put(s, j.pr)
		}
		m.jobDone(s)
	}
}

// decide picks this attempt's outcome from the domain's behaviour.
func (j *job) decide(s *sim) {
	d := &s.w.domains[j.dom]
	first := j.m.attempts == 1
	j.out = oSent
	switch d.beh {
	case bRefused:
		j.out = oRefused
	case bFailIssuer, bFailExpired, bFailSelfSigned, bFailMismatch:
		j.out = oCertFailure
	case bFailHandshake:
		j.out = oHandshake
	case bFallback:
		if first {
			j.out = oHandshake
		} else {
			j.out = oFallback
		}
	case bNotOffered:
		j.out = oNotOffered
	case bStartTLSRefused:
		j.out = oStartTLSRefused
	case bTalk421:
		if s.r.chance(0.3) {
			j.out = oTalk421
		}
	case bGreylist:
		if first {
			j.out = oGreylisted
		}
	}
	if j.out == oSent && s.r.chance(0.003) {
		j.out = oTimeout
	}
}

// markDead suspends deliveries to the domain for a while, as qmgr does
// after a destination failed: the next messages are deferred by error(8).
func (j *job) markDead(s *sim, dsn, why string) {
	h := j.m.h
	h.dead[j.dom] = s.now + s.r.between(30*sec, 240*sec)
	h.deadDSN[j.dom], h.deadWhy[j.dom] = dsn, why
}

func (j *job) connectLines(s *sim) {
	h, m := j.m.h, j.m
	d := &s.w.domains[j.dom]
	switch j.out {
	case oTimeout, oRefused:
		j.connectFailed(s, j.via, j.out == oTimeout)
	case oCertFailure:
		j.certFailed(s, j.via, d.beh)
	case oHandshake:
		j.handshake(s, j.via)
	case oFallback:
		j.handshake(s, j.via)
		s.qline(h, j.prog, j.pid, m.qid)
		s.str("Cannot start TLS: handshake failure")
		s.end()
		j.offered(s, j.via)
	case oGreylisted:
		j.established(s, j.via, "Trusted")
	case oSent:
		switch d.beh {
		case bTrusted, bGreylist:
			j.established(s, j.via, "Trusted")
		case bVerified:
			j.established(s, j.via, "Verified")
		case bUntrusted:
			j.established(s, j.via, "Untrusted")
		case bAnonymous:
			j.established(s, j.via, "Anonymous")
		case bPlainOffered:
			j.offered(s, j.via)
		}
	}
}

// established writes the smtp client's TLS summary (smtp_tls_loglevel 1).
func (j *job) established(s *sim, at *mxHost, trust string) {
	s.line(j.m.h, j.prog, j.pid)
	s.str(trust)
	s.str(" TLS connection established to ")
	s.str(at.relay)
	s.str(": ")
	s.str(s.w.domains[j.dom].tls)
	s.end()
}

// handshake writes a failed TLS handshake: the SSL_connect error and
// OpenSSL's reason.
func (j *job) handshake(s *sim, at *mxHost) {
	h := j.m.h
	s.line(h, j.prog, j.pid)
	s.str("SSL_connect error to ")
	s.str(at.relay)
	s.str(": -1")
	s.end()
	s.line(h, j.prog, j.pid)
	s.str("warning: TLS library problem: ")
	s.str(s.w.domains[j.dom].library)
	s.end()
}

// connectFailed writes a failed TCP connection.
func (j *job) connectFailed(s *sim, at *mxHost, timeout bool) {
	s.line(j.m.h, j.prog, j.pid)
	s.str("connect to ")
	s.str(at.relay)
	if timeout {
		s.str(": Connection timed out")
	} else {
		s.str(": Connection refused")
	}
	s.end()
}

// offered writes smtp_tls_note_starttls_offer's line (level none).
func (j *job) offered(s *sim, at *mxHost) {
	s.line(j.m.h, j.prog, j.pid)
	s.str("Host offered STARTTLS: [")
	s.str(at.mx)
	s.str("]")
	s.end()
}

// certFailed writes a certificate verification failure at a level that
// needs a match (verify, secure: logged at smtp_tls_loglevel 1) and the
// session's summary: OpenSSL 3 leaves the chain untrusted, whatever
// failed (testdata/corpus/corpus-a.log).
func (j *job) certFailed(s *sim, at *mxHost, beh behaviour) {
	d := &s.w.domains[j.dom]
	s.line(j.m.h, j.prog, j.pid)
	switch beh {
	case bFailIssuer:
		s.str("certificate verification failed for ")
		s.str(at.relay)
		s.str(": untrusted issuer ")
		s.str(d.issuer)
	case bFailExpired:
		s.str("server certificate verification failed for ")
		s.str(at.relay)
		s.str(": certificate has expired")
	case bFailSelfSigned:
		s.str("certificate verification failed for ")
		s.str(at.relay)
		s.str(": self-signed certificate")
	default:
		s.str("server certificate verification failed for ")
		s.str(at.relay)
		s.str(": num=62:hostname mismatch")
	}
	s.end()
	j.established(s, at, "Untrusted")
}

// deliveryLines writes one "to=<...>, status=..." line per recipient.
func (j *job) deliveryLines(s *sim) {
	m, h := j.m, j.m.h
	var d *domain
	if j.dom >= 0 {
		d = &s.w.domains[j.dom]
	}
	for k, i := range j.idx {
		r := &m.rcpts[i]
		if k > 0 {
			s.now += s.r.between(0, 3*ms)
		}
		status, dsn, relay := "sent", "2.0.0", "local"
		if d != nil {
			relay = j.via.relay
		}
		var reason []byte
		switch j.out {
		case oLocal:
			switch {
			case r.unknown:
				status, dsn = "bounced", "5.1.1"
				at := len(r.addr) - len(s.w.org) - 1
				reason = append(reason, "unknown user: \""...)
				reason = append(reason, r.addr[:at]...)
				reason = append(reason, '"')
			case r.box != "":
				reason = append(reason, "delivered to file: "...)
				reason = append(reason, r.box...)
			default:
				reason = append(reason, "delivered to mailbox"...)
			}
		case oSuspended:
			status, dsn, relay = "deferred", h.deadDSN[j.dom], "none"
			reason = append(reason, "delivery temporarily suspended: "...)
			reason = append(reason, h.deadWhy[j.dom]...)
		case oTimeout, oRefused:
			status, dsn, relay = "deferred", "4.4.1", "none"
			reason = append(reason, "connect to "...)
			reason = append(reason, j.via.relay...)
			if j.out == oTimeout {
				reason = append(reason, ": Connection timed out"...)
			} else {
				reason = append(reason, ": Connection refused"...)
				j.markDead(s, dsn, string(reason))
			}
		case oCertFailure:
			status, dsn = "deferred", "4.7.5"
			reason = append(reason, "Server certificate not verified"...)
			j.markDead(s, dsn, string(reason))
		case oHandshake:
			status, dsn = "deferred", "4.7.5"
			reason = append(reason, "Cannot start TLS: handshake failure"...)
			if d.beh == bFailHandshake {
				j.markDead(s, dsn, string(reason))
			}
		case oNotOffered:
			status, dsn = "deferred", "4.7.4"
			reason = append(reason, "TLS is required, but was not offered by host "...)
			reason = append(reason, j.via.peer...)
			j.markDead(s, dsn, string(reason))
		case oStartTLSRefused:
			status, dsn = "deferred", "4.7.0"
			reason = appendStartTLSRefused(reason, j.via)
			j.markDead(s, dsn, string(reason))
		case oTalk421:
			status, dsn = "deferred", "4.7.0"
			reason = appendTalk421(reason, j.via)
		case oGreylisted:
			status, dsn = "deferred", "4.2.0"
			reason = append(reason, "host "...)
			reason = append(reason, j.via.peer...)
			reason = append(reason, " said: 450 4.2.0 <"...)
			reason = append(reason, r.addr...)
			reason = append(reason, ">: Recipient address rejected: Greylisted, see https://postgrey.example.org/help/"...)
			reason = append(reason, d.name...)
			reason = append(reason, ".html (in reply to RCPT TO command)"...)
		default: // sent, or refused by the server for this recipient
			switch x := s.r.float(); {
			case s.heavy && x < heavyRefusals:
				status, dsn, reason = refusedReply(s, d, j.via.peer, r.addr, reason)
			case x < 0.012:
				status = "bounced"
				dsn, reason = bounceReason(s, d, j.via.peer, r.addr, reason)
			case x < 0.016:
				status, dsn = "deferred", "4.2.1"
				reason = append(reason, "host "...)
				reason = append(reason, j.via.peer...)
				reason = append(reason, " said: 450 4.2.1 <"...)
				reason = append(reason, r.addr...)
				reason = append(reason, ">: Recipient address rejected: Mailbox temporarily unavailable, please try again later (in reply to RCPT TO command)"...)
			default:
				reason = sentReason(s, d, m, reason)
			}
		}
		s.qline(h, j.prog, j.pid, m.qid)
		s.str("to=<")
		s.str(r.addr)
		if r.origTo != "" {
			s.str(">, orig_to=<")
			s.str(r.origTo)
		}
		s.str(">, relay=")
		s.str(relay)
		s.str(", delay=")
		s.buf = appendSecs(s.buf, s.now-m.arrival)
		s.str(", delays=")
		s.buf = appendSecs(s.buf, m.activeAt-m.arrival)
		s.str("/")
		s.buf = appendSecs(s.buf, j.t0-m.activeAt)
		s.str("/")
		s.buf = appendSecs(s.buf, j.t1-j.t0)
		s.str("/")
		s.buf = appendSecs(s.buf, s.now-j.t1)
		s.str(", dsn=")
		s.str(dsn)
		s.str(", status=")
		s.str(status)
		s.str(" (")
		s.buf = append(s.buf, reason...)
		s.str(")")
		s.end()
		switch status {
		case "sent":
			r.done = true
		case "bounced":
			r.done = true
			m.bounced = true
		}
	}
}

func sentReason(s *sim, d *domain, m *message, b []byte) []byte {
	switch d.software {
	case swGmail:
		b = append(b, "250 2.0.0 OK  "...)
		b = strconv.AppendInt(b, s.now/sec, 10)
		b = append(b, ' ')
		b = appendHex(b, s.r.u64(), 13)
		b = append(b, "si"...)
		b = appendHex(b, s.r.u64(), 10)
		b = append(b, " - gsmtp"...)
	case swExchange:
		b = append(b, "250 2.6.0 <"...)
		b = append(b, m.msgid...)
		b = append(b, "> [InternalId="...)
		b = strconv.AppendInt(b, s.r.between(1e10, 9e12), 10)
		b = append(b, ", Hostname=AM0PR01MB"...)
		b = strconv.AppendInt(b, s.r.between(1000, 9999), 10)
		b = append(b, ".eurprd01.prod.protection.example.net] "...)
		b = strconv.AppendInt(b, m.size+s.r.between(500, 3000), 10)
		b = append(b, " bytes in 0."...)
		b = strconv.AppendInt(b, s.r.between(100, 999), 10)
		b = append(b, ", "...)
		b = strconv.AppendInt(b, s.r.between(10, 9999), 10)
		b = append(b, ".123 KB/sec Queued mail for delivery"...)
	case swExim:
		b = append(b, "250 OK id=1t"...)
		b = appendHex(b, s.r.u64(), 4)
		b = append(b, '-')
		b = appendHex(b, s.r.u64(), 6)
		b = append(b, "-5x"...)
	default:
		b = append(b, "250 2.0.0 Ok: queued as "...)
		b = appendHex(b, s.r.u64(), 10)
	}
	return b
}

func bounceReason(s *sim, d *domain, peer, addr string, b []byte) (string, []byte) {
	b = append(b, "host "...)
	b = append(b, peer...)
	b = append(b, " said: "...)
	dsn := "5.1.1"
	switch {
	case d.software == swGmail:
		b = append(b, "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550-5.1.1 unnecessary spaces. For more information, go to 550 5.1.1  https://support.example.com/mail/?p=NoSuchUser "...)
		b = appendHex(b, s.r.u64(), 13)
		b = append(b, " - gsmtp (in reply to RCPT TO command)"...)
	case d.software == swExchange:
		dsn = "5.4.1"
		b = append(b, "550 5.4.1 Recipient address rejected: Access denied. [AM0PR01MB"...)
		b = strconv.AppendInt(b, s.r.between(1000, 9999), 10)
		b = append(b, ".eurprd01.prod.protection.example.net] (in reply to RCPT TO command)"...)
	case d.software == swExim:
		dsn = "5.0.0"
		b = append(b, "550 Unrouteable address (in reply to RCPT TO command)"...)
	case s.r.chance(0.2):
		dsn = "5.2.2"
		b = append(b, "552 5.2.2 <"...)
		b = append(b, addr...)
		b = append(b, ">: Recipient address rejected: Mailbox full (in reply to RCPT TO command)"...)
	default:
		b = append(b, "550 5.1.1 <"...)
		b = append(b, addr...)
		b = append(b, ">: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)"...)
	}
	return dsn, b
}

// pickupPID is pickup(8)'s pid: one process, replaced now and then.
func (h *host) pickupPID(s *sim) int {
	h.pickups++
	if h.pickups%500 == 0 {
		h.pickup = h.newPID(s)
	}
	return h.pickup
}

// anvil writes anvil(8)'s statistics every 10 minutes, as it does after a
// busy period.
type anvil struct {
	h   *host
	pid int
}

func (a *anvil) step(s *sim) {
	if a.pid == 0 || s.r.chance(0.2) {
		a.pid = a.h.newPID(s)
	}
	c := s.w.client(&s.r)
	when := time.UnixMicro(s.now - s.r.between(0, 600*sec)).In(s.cfg.Location).Format("Jan _2 15:04:05")
	for i := 0; i < 3; i++ {
		s.line(a.h, "postfix/anvil", a.pid)
		switch i {
		case 0:
			s.str("statistics: max connection rate ")
			s.int(s.r.between(1, 12))
			s.str("/60s for (smtp:")
		case 1:
			s.str("statistics: max connection count ")
			s.int(s.r.between(1, 6))
			s.str(" for (smtp:")
		default:
			s.str("statistics: max cache size ")
			s.int(s.r.between(1, 40))
			s.str(" at ")
			s.str(when)
			s.end()
			continue
		}
		s.str(c.addr)
		s.str(") at ")
		s.str(when)
		s.end()
	}
	s.after(600*sec+s.r.between(0, 5*sec), a)
}

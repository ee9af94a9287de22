package main

import (
	"math"
	"sort"
	"strconv"
	"strings"
)

// behaviour is how a remote domain's MX answers.
type behaviour uint8

const (
	bTrusted        behaviour = iota // Trusted TLS, sent
	bVerified                        // Verified TLS (policy verify/secure), sent
	bUntrusted                       // Untrusted TLS (opportunistic, private CA), sent
	bAnonymous                       // Anonymous TLS (aNULL cipher), sent
	bPlain                           // no STARTTLS offered, sent in plaintext
	bPlainOffered                    // STARTTLS offered, policy none: "Host offered STARTTLS"
	bGreylist                        // 450 4.2.0 greylisted on the first attempt, then sent
	bFailIssuer                      // verify: untrusted issuer
	bFailExpired                     // verify: certificate has expired
	bFailSelfSigned                  // secure: self-signed certificate
	bFailMismatch                    // verify: num=62:hostname mismatch
	bFailHandshake                   // encrypt protocols=>=TLSv1.3: SSL_connect error
	bFallback                        // may protocols=>=TLSv1.3: handshake fails, retried in plaintext
	bNotOffered                      // encrypt: TLS is required, but was not offered
	bRefused                         // nothing listens: Connection refused

	// Only in the tls-heavy mix (mix.go).
	bStartTLSRefused // encrypt: "TLS is required, but host ... refused to start TLS: 454 ..."
	bTimeout         // an MX host tried first: Connection timed out, now and then
	bTalk421         // an MX host tried first: "refused to talk to me: 421 ...", now and then
	bLost            // an MX host tried first: lost connection while receiving the greeting
)

// failing lists the behaviours that defer mail, one domain each at least.
var failing = []behaviour{
	bFailIssuer, bFailExpired, bFailSelfSigned, bFailMismatch, bFailHandshake, bFallback, bNotOffered, bRefused,
	bFailIssuer, bFailMismatch, bRefused, bGreylist, bGreylist, bGreylist,
}

// reply styles of the remote MTAs' "250 queued" answers.
const (
	swPostfix = iota
	swGmail
	swExchange
	swExim
)

// mxHost is one MX host of a domain.
type mxHost struct {
	mx    string // MX host name
	peer  string // "mx[addr]" (as in "by host ...", "host ... said")
	relay string // "mx[addr]:25"
}

type domain struct {
	name     string
	mxHost               // the MX host that answers (the last one tried)
	before   []earlierMX // tls-heavy mix: MX hosts of a lower preference, tried first
	beh      behaviour
	tls      string // "TLSv1.3 with cipher ..." of a successful session
	software int
	issuer   string
	library  string // OpenSSL error of a failed handshake
}

type client struct {
	name, addr, helo string
	dom              int // index of the client's domain, -1 for none
}

type world struct {
	org       string // the local domain
	users     []string
	domains   []domain
	cum       []float64 // cumulative Zipf weights of domains
	clients   []client
	firsts    []string
	lasts     []string
	aliases   []alias
	unknown   []string // local parts with no mailbox
	ccum      []float64
	badActors []client
}

type alias struct {
	name    string
	members []string // local parts, or "/dev/null"
}

var firstNames = strings.Fields(`anna ben chris dana emil fatima gita hans ines jonas kim lena marco nora omar paula quinn rosa
	sven tara ulla viktor wei yara zoe aaron bianca carlos dmitri elena felix greta hugo irene jan katja luca mia nils olga
	pedro rita sara tom uwe vera will xenia yusuf zeynep amir birte conny dirk eva frank hanna ivo julia karl lisa moritz
	nina oskar petra ralf sabine timo ute volker wanda`)

var lastNames = strings.Fields(`mueller schmidt meyer berg novak rossi dubois kowalski tanaka smith jansen garcia nilsson
	ivanova moreau silva okafor yilmaz larsen weber fischer wagner becker schulz hoffmann koch richter klein wolf neumann
	schwarz zimmermann braun krueger hartmann lange werner krause lehmann koehler maier kaiser fuchs peters scholz moeller`)

var words = strings.Fields(`acme nordwind bluefox granite harbor summit pioneer cedar falcon orbit quantum riverside
	sterling tundra vertex willow zenith amber beacon cobalt delta ember fjord glacier horizon indigo juniper kestrel
	lumen meadow nimbus onyx prairie quarry redwood sierra timber umbra velvet wander xylo yonder zephyr alpine birch
	canyon dune echo fern grove heron island jade kite lagoon maple north oasis pebble quill ridge stone tide union
	valley wharf yarrow zinc atlas bright coral dawn eagle forge gold hill iron jet keel lark mill nest oak pine`)

var suffixes = []string{"", "", "", "-mail", "-net", "-group", "-tech", "-bank", "-shop", "-law", "-health", "-edu", "corp", "works"}

var tlds = []string{"example.com", "example.net", "example.org", "example", "test", "example.de", "example.co.uk"}

var tlsOK = []string{
	"TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
	"TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
	"TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (4096 bits) server-digest SHA256",
	"TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature ECDSA (prime256v1) server-digest SHA256",
	"TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
	"TLSv1.3 with cipher TLS_CHACHA20_POLY1305_SHA256 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
	"TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
	"TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits)",
	"TLSv1.2 with cipher ECDHE-ECDSA-AES256-GCM-SHA384 (256/256 bits)",
}

const tlsAnon = "TLSv1.2 with cipher ADH-AES256-GCM-SHA384 (256/256 bits)"

var tlsInbound = []string{
	"TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
	"TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
	"TLSv1.3 with cipher TLS_AES_128_GCM_SHA256 (128/128 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
	"TLSv1.3 with cipher TLS_CHACHA20_POLY1305_SHA256 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
	"TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
	"TLSv1.2 with cipher ECDHE-RSA-AES128-GCM-SHA256 (128/128 bits)",
}

var tlsLegacy = []string{
	"TLSv1 with cipher ECDHE-RSA-AES256-SHA (256/256 bits)",
	"TLSv1.1 with cipher ECDHE-RSA-AES256-SHA (256/256 bits)",
}

const tlsClientCert = "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256 client-signature RSA-PSS (2048 bits) client-digest SHA256"

var issuers = []string{
	"/O=Unknown Org/CN=Rogue Untrusted Issuing CA",
	"/C=DE/O=Example Internal/CN=Example Internal Issuing CA 2",
	"/CN=Fortinet_CA_SSL",
	"/C=US/O=Intranet Services/OU=IT/CN=Intranet Root CA",
}

var libraryErrors = []string{
	"error:0A00042E:SSL routines::tlsv1 alert protocol version:../ssl/record/rec_layer_s3.c:1602:SSL alert number 70:",
	"error:0A000410:SSL routines::sslv3 alert handshake failure:../ssl/record/rec_layer_s3.c:1602:SSL alert number 40:",
}

func newWorld(r *rng, cfg Config) *world {
	w := &world{org: "sender.test", firsts: firstNames, lasts: lastNames}
	w.users = []string{"alice", "bob", "carol", "dave"}
	for len(w.users) < 180 {
		w.users = append(w.users, pick(r, firstNames)+"."+pick(r, lastNames))
	}
	w.aliases = []alias{
		{"team", []string{"alice", "bob", "carol"}},
		{"sales", []string{"dave", w.users[5]}},
		{"support", []string{w.users[6], w.users[7], w.users[8], w.users[9]}},
		{"devnull", []string{"/dev/null"}},
		{"postmaster", []string{"alice"}},
	}
	w.unknown = []string{"ghost", "typo.alcie", "jobs", "info2", "old.user"}

	// Remote domains: unique names, each with one MX.
	seen := map[string]bool{w.org: true}
	for len(w.domains) < cfg.Domains {
		name := pick(r, words) + pick(r, suffixes) + "." + pick(r, tlds)
		if seen[name] {
			name = pick(r, words) + "-" + pick(r, words) + "." + pick(r, tlds)
			if seen[name] {
				continue
			}
		}
		seen[name] = true
		d := domain{name: name, software: r.intn(4)}
		switch r.intn(6) {
		case 0:
			d.mx = "mx1." + name
		case 1:
			d.mx = "mail." + name
		case 2:
			d.mx = "smtp." + name
		case 3:
			d.mx = strings.ReplaceAll(name, ".", "-") + ".mail.protection.example.net"
			d.software = swExchange
		default:
			d.mx = "mx." + name
		}
		addr := randAddr(r)
		if r.chance(0.06) {
			addr = "2001:db8:" + strconv.FormatInt(r.between(1, 0xffff), 16) + "::" + strconv.FormatInt(r.between(1, 0xff), 16)
		}
		d.peer = d.mx + "[" + addr + "]"
		d.relay = d.peer + ":25"
		d.tls = pick(r, tlsOK)
		d.issuer = pick(r, issuers)
		d.library = pick(r, libraryErrors)
		x := r.float()
		switch {
		case x < 0.45:
			d.beh = bTrusted
		case x < 0.62:
			d.beh = bVerified
		case x < 0.80:
			d.beh = bUntrusted
		case x < 0.83:
			d.beh = bAnonymous
			d.tls = tlsAnon
		case x < 0.95:
			d.beh = bPlain
		default:
			d.beh = bPlainOffered
		}
		w.domains = append(w.domains, d)
	}
	// The failing domains sit at ranks that get a fair share of mail,
	// neither the big providers nor the long tail.
	for i, b := range failing {
		rank := 6 + i*3 + r.intn(3)
		w.domains[rank].beh = b
		if b == bGreylist {
			w.domains[rank].tls = tlsOK[0]
		}
	}
	// Zipf-like popularity: a few big providers, a long tail.
	w.cum = zipf(len(w.domains), 1.05)

	// Remote clients (inbound MTAs) and their HELO names.
	for i := 0; i < 1500; i++ {
		di := r.intn(len(w.domains))
		d := w.domains[di]
		c := client{addr: randAddr(r), dom: di}
		switch r.intn(5) {
		case 0:
			c.name = "mail." + d.name
		case 1:
			c.name = "mout" + strconv.Itoa(r.intn(30)) + "." + d.name
		case 2:
			c.name = "outbound-" + strconv.Itoa(r.intn(900)) + ".smtp." + d.name
		default:
			c.name = "mx" + strconv.Itoa(r.intn(4)) + "." + d.name
		}
		c.helo = c.name
		if r.chance(0.12) {
			c.name = "unknown"
		}
		w.clients = append(w.clients, c)
	}
	w.ccum = zipf(len(w.clients), 0.9)
	// Spam senders and password guessers: no reverse DNS, odd HELOs.
	for i := 0; i < 400; i++ {
		c := client{name: "unknown", addr: randAddr(r), dom: -1}
		switch r.intn(4) {
		case 0:
			c.helo = "User"
		case 1:
			c.helo = "[" + c.addr + "]"
		case 2:
			c.helo = "ylmf-pc"
		default:
			c.helo = pick(r, words) + strconv.Itoa(r.intn(999)) + ".example.info"
		}
		if r.chance(0.3) {
			c.name = "host-" + strings.ReplaceAll(c.addr, ".", "-") + ".dynamic.example.net"
		}
		w.badActors = append(w.badActors, c)
	}
	return w
}

func zipf(n int, s float64) []float64 {
	cum := make([]float64, n)
	total := 0.0
	for i := range cum {
		total += 1 / math.Pow(float64(i+1), s)
		cum[i] = total
	}
	for i := range cum {
		cum[i] /= total
	}
	return cum
}

func (w *world) domain(r *rng) int {
	x := r.float()
	return sort.SearchFloat64s(w.cum, x)
}

func (w *world) client(r *rng) *client {
	i := sort.SearchFloat64s(w.ccum, r.float())
	return &w.clients[min(i, len(w.clients)-1)]
}

// person is a random first.last local part.
func (w *world) person(r *rng) string {
	switch r.intn(4) {
	case 0:
		return pick(r, w.firsts)
	case 1:
		return pick(r, w.firsts)[:1] + pick(r, w.lasts)
	}
	return pick(r, w.firsts) + "." + pick(r, w.lasts)
}

func randAddr(r *rng) string {
	a := r.between(11, 223)
	if a == 127 || a == 100 || a == 172 || a == 192 || a == 169 {
		a++
	}
	b := make([]byte, 0, 15)
	b = strconv.AppendInt(b, a, 10)
	for i := 0; i < 3; i++ {
		b = append(b, '.')
		b = strconv.AppendInt(b, r.between(0, 255), 10)
	}
	return string(b)
}

// proc is one running Postfix process.
type proc struct {
	pid      int
	uses     int
	lastUsed int64
}

// pool is a master(8) service whose processes are held for a while (an smtp
// client for one delivery, an smtpd for one session): a process is reused
// up to max_use times and exits after max_idle.
type pool struct {
	prog   string
	idle   []*proc
	maxUse int
}

func (p *pool) get(s *sim, h *host) *proc {
	// Processes idle longer than max_idle (100s) have exited.
	n := 0
	for n < len(p.idle) && s.now-p.idle[n].lastUsed > 100*sec {
		n++
	}
	if n > 0 {
		p.idle = append(p.idle[:0], p.idle[n:]...)
	}
	if k := len(p.idle); k > 0 {
		pr := p.idle[k-1]
		p.idle = p.idle[:k-1]
		return pr
	}
	return &proc{pid: h.newPID(s)}
}

func (p *pool) put(s *sim, pr *proc) {
	pr.uses++
	pr.lastUsed = s.now
	if pr.uses < p.maxUse {
		p.idle = append(p.idle, pr)
	}
}

// spool is a service whose lines are instantaneous (cleanup, bounce,
// error): a few processes, each replaced after max_use uses.
type spool struct {
	prog string
	pids []int
	uses []int
	max  int
}

func (p *spool) pid(s *sim, h *host) int {
	i := s.r.intn(len(p.pids))
	p.uses[i]++
	if p.uses[i] > p.max {
		p.pids[i], p.uses[i] = h.newPID(s), 0
	}
	return p.pids[i]
}

func newSpool(s *sim, h *host, prog string, n, maxUse int) spool {
	p := spool{prog: prog, max: maxUse}
	for i := 0; i < n; i++ {
		p.pids = append(p.pids, h.newPID(s))
		p.uses = append(p.uses, s.r.intn(maxUse))
	}
	return p
}

// host is one Postfix instance: its processes, its queue and the
// destinations it has found dead.
type host struct {
	name     string
	fqdn     string
	pid      int
	qmgr     int
	pickup   int
	pickups  int
	smtp     pool
	smtpd    pool
	sub      pool
	local    pool
	cleanup  spool
	bounce   spool
	errorp   spool
	super    spool
	active   map[string]bool // queue IDs in use
	inode    uint64
	dead     []int64  // per domain: delivery suspended until
	deadWhy  []string // per domain: the reason
	deadDSN  []string
	received int64
}

func newHost(s *sim, i int) *host {
	h := &host{name: "mail", active: map[string]bool{}}
	if s.cfg.Hosts > 1 {
		h.name = "mail" + strconv.Itoa(i+1)
	}
	h.fqdn = h.name + "." + s.w.org
	h.pid = int(s.r.between(1000, 20000))
	h.qmgr = h.newPID(s)
	h.pickup = h.newPID(s)
	h.smtp = pool{prog: "postfix/smtp", maxUse: 100}
	h.smtpd = pool{prog: "postfix/smtpd", maxUse: 100}
	h.sub = pool{prog: "postfix/submission/smtpd", maxUse: 100}
	h.local = pool{prog: "postfix/local", maxUse: 100}
	h.cleanup = newSpool(s, h, "postfix/cleanup", 4, 100)
	h.bounce = newSpool(s, h, "postfix/bounce", 2, 100)
	h.errorp = newSpool(s, h, "postfix/error", 2, 100)
	h.super = newSpool(s, h, "postfix/postsuper", 1, 1)
	h.inode = uint64(s.r.between(0x10000, 0xF0000))
	h.dead = make([]int64, len(s.w.domains))
	h.deadWhy = make([]string, len(s.w.domains))
	h.deadDSN = make([]string, len(s.w.domains))
	return h
}

// newPID returns the next process ID: Linux hands them out in order.
func (h *host) newPID(s *sim) int {
	h.pid += 1 + s.r.intn(6)
	if h.pid > 4194304 {
		h.pid = 300
	}
	return h.pid
}

// newQueueID returns a short queue ID not in use on the host: five hex
// digits of the microseconds and the queue file's inode number, as
// Postfix makes them. An ID is used again only after its message is
// removed.
func (h *host) newQueueID(s *sim) string {
	var b [16]byte
	for try := int64(0); ; try++ {
		us := uint64((s.now + try/8) % sec)
		ino := h.inode + uint64(s.r.intn(0x2000))
		id := string(appendHex(appendHex(b[:0], us, 5), ino, 5))
		if !h.active[id] {
			h.active[id] = true
			return id
		}
	}
}

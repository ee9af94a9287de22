package main

import (
	"errors"
	"io"
	"math"
	"strconv"
	"time"
)

// Config is what a generated log looks like.
type Config struct {
	Lines         int64
	Seed          uint64
	Hosts         int
	Domains       int
	Start, End    time.Time
	QueueLifetime time.Duration
	Location      *time.Location
	Stamp         string // "syslog" or "rfc3339"
	Mix           string // "default" or "tls-heavy" (mix.go)
}

func (c *Config) check() error {
	switch {
	case c.Lines < 0:
		return errors.New("-lines must not be negative")
	case c.Hosts < 1 || c.Hosts > 1000:
		return errors.New("-hosts must be between 1 and 1000")
	case c.Domains < 40:
		return errors.New("-domains must be at least 40 (the failing ones need room)")
	case c.Stamp != "syslog" && c.Stamp != "rfc3339":
		return errors.New("-stamp must be syslog or rfc3339")
	case c.Mix != MixDefault && c.Mix != MixTLSHeavy:
		return errors.New("-mix must be " + MixDefault + " or " + MixTLSHeavy)
	case !c.End.After(c.Start):
		return errors.New("the end must be after the start")
	}
	return nil
}

// Stats says what was written.
type Stats struct {
	Lines       int64
	Messages    int64
	First, Last time.Time
}

// Generate writes cfg.Lines lines to w. w should be buffered.
func Generate(w io.Writer, cfg Config) (Stats, error) {
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Hosts == 0 {
		cfg.Hosts = 1
	}
	if cfg.Domains == 0 {
		cfg.Domains = 400
	}
	if cfg.Stamp == "" {
		cfg.Stamp = "syslog"
	}
	if cfg.Mix == "" {
		cfg.Mix = MixDefault
	}
	if err := cfg.check(); err != nil {
		return Stats{}, err
	}
	s := newSim(w, cfg)
	s.run()
	if s.err == nil {
		s.flush()
	}
	st := Stats{Lines: s.lines, Messages: s.messages}
	st.First = time.UnixMicro(s.firstAt).In(cfg.Location)
	st.Last = time.UnixMicro(s.lastAt).In(cfg.Location)
	return st, s.err
}

// rng is SplitMix64: tiny, fast, and the same stream on every Go version.
type rng struct{ s uint64 }

func (r *rng) u64() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a number in [0, n).
func (r *rng) intn(n int) int { return int(r.u64() % uint64(n)) }

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int64) int64 { return lo + int64(r.u64()%uint64(hi-lo+1)) }

func (r *rng) float() float64 { return float64(r.u64()>>11) / (1 << 53) }

func (r *rng) chance(p float64) bool { return r.float() < p }

// exp is an exponential variate with mean 1.
func (r *rng) exp() float64 { return -math.Log(1 - r.float()) }

// norm is a standard normal variate (Box-Muller).
func (r *rng) norm() float64 {
	u := 1 - r.float()
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*r.float())
}

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

// Times are Unix microseconds.
const (
	ms  = int64(1000)
	sec = int64(1000000)
)

// actor is one thing that happens over time: a session, a message, a
// delivery. step runs when the actor's event comes due and schedules the
// next one, if any.
type actor interface{ step(s *sim) }

type event struct {
	at  int64
	seq uint64
	a   actor
}

// sim is the discrete-event simulation: a heap of events in time order
// (ties in scheduling order) and the line writer.
type sim struct {
	cfg   Config
	r     rng
	w     *world
	hosts []*host

	events []event
	seq    uint64
	now    int64

	startAt, endAt int64
	lifetime       int64 // maximal_queue_lifetime
	warnAfter      int64 // delay_warning_time

	// arrivals: the rate adapts so that the log ends near End.
	arrivals int64

	out      io.Writer
	buf      []byte
	mark     int
	err      error
	lines    int64
	done     bool
	messages int64

	firstAt, lastAt int64
	stampSec        int64
	stamp           []byte
	zone            []byte
	rfc3339         bool
	heavy           bool // the tls-heavy mix
}

func newSim(w io.Writer, cfg Config) *sim {
	s := &sim{cfg: cfg, out: w, buf: make([]byte, 0, 1<<17), stampSec: math.MinInt64}
	s.r = rng{s: cfg.Seed*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019}
	s.startAt, s.endAt = cfg.Start.UnixMicro(), cfg.End.UnixMicro()
	s.now = s.startAt
	s.firstAt = s.startAt
	s.rfc3339 = cfg.Stamp == "rfc3339"
	s.heavy = cfg.Mix == MixTLSHeavy
	life := cfg.QueueLifetime
	if life <= 0 {
		life = cfg.End.Sub(cfg.Start) / 5
		life = min(max(life, 3*time.Minute), 5*24*time.Hour)
	}
	s.lifetime = life.Microseconds()
	s.warnAfter = s.lifetime / 3
	s.w = newWorld(&s.r, cfg)
	if s.heavy {
		s.w.tlsHeavy(&s.r)
	}
	for i := 0; i < cfg.Hosts; i++ {
		s.hosts = append(s.hosts, newHost(s, i))
	}
	return s
}

func (s *sim) at(t int64, a actor) {
	s.seq++
	s.events = append(s.events, event{t, s.seq, a})
	// sift up
	h := s.events
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].before(&h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

// after schedules a at now+d.
func (s *sim) after(d int64, a actor) { s.at(s.now+max(d, 0), a) }

func (e *event) before(o *event) bool { return e.at < o.at || (e.at == o.at && e.seq < o.seq) }

func (s *sim) pop() event {
	h := s.events
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h[n] = event{}
	h = h[:n]
	i := 0
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		c := l
		if r := l + 1; r < n && h[r].before(&h[l]) {
			c = r
		}
		if !h[c].before(&h[i]) {
			break
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
	s.events = h
	return top
}

func (s *sim) run() {
	if s.cfg.Lines == 0 {
		return
	}
	s.at(s.startAt, arrivals{})
	for _, h := range s.hosts {
		s.at(s.startAt+s.r.between(0, 600*sec), &anvil{h: h})
	}
	for !s.done && s.err == nil && len(s.events) > 0 {
		e := s.pop()
		if e.at > s.now {
			s.now = e.at
		}
		e.a.step(s)
	}
}

// arrivals starts new connections and local submissions. The mean gap
// between them follows the lines still to write over the time left, so the
// log ends close to End whatever the mix of flows turns out to produce.
type arrivals struct{}

func (arrivals) step(s *sim) {
	s.arrivals++
	h := s.hosts[s.r.intn(len(s.hosts))]
	startFlow(s, h)

	perArrival := 9.0
	if s.arrivals > 500 {
		perArrival = float64(s.lines) / float64(s.arrivals)
	}
	base := float64(s.endAt-s.startAt) * perArrival / float64(s.cfg.Lines)
	left := float64(s.endAt - s.now)
	linesLeft := float64(s.cfg.Lines - s.lines)
	gap := base
	if left > 0 && linesLeft > 0 {
		gap = left * perArrival / linesLeft
	}
	gap = min(max(gap, base/4), base*4)
	s.after(int64(gap*s.r.exp())+1, arrivals{})
}

// line starts a log line of a program and pid on a host.
func (s *sim) line(h *host, prog string, pid int) {
	s.mark = len(s.buf)
	s.appendStamp()
	s.buf = append(s.buf, ' ')
	s.buf = append(s.buf, h.name...)
	s.buf = append(s.buf, ' ')
	s.buf = append(s.buf, prog...)
	s.buf = append(s.buf, '[')
	s.buf = strconv.AppendInt(s.buf, int64(pid), 10)
	s.buf = append(s.buf, "]: "...)
}

// qline starts a line with a queue ID.
func (s *sim) qline(h *host, prog string, pid int, qid string) {
	s.line(h, prog, pid)
	s.buf = append(s.buf, qid...)
	s.buf = append(s.buf, ": "...)
}

func (s *sim) str(x string) { s.buf = append(s.buf, x...) }

func (s *sim) int(n int64) { s.buf = strconv.AppendInt(s.buf, n, 10) }

// end finishes the line. Lines past the limit are dropped: the log simply
// stops, in the middle of whatever was going on.
func (s *sim) end() {
	if s.done {
		s.buf = s.buf[:s.mark]
		return
	}
	s.buf = append(s.buf, '\n')
	s.lines++
	s.lastAt = s.now
	if s.lines >= s.cfg.Lines {
		s.done = true
	}
	if len(s.buf) >= 1<<16 {
		s.flush()
	}
}

func (s *sim) flush() {
	if s.err != nil {
		return
	}
	if _, err := s.out.Write(s.buf); err != nil {
		s.err = err
	}
	s.buf = s.buf[:0]
}

var monthNames = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// appendStamp writes the current time: "Mar  7 16:05:12" or
// "2026-03-07T16:05:12.123456+01:00". The second's text is cached.
func (s *sim) appendStamp() {
	secs := s.now / sec
	if secs != s.stampSec {
		s.stampSec = secs
		t := time.Unix(secs, 0).In(s.cfg.Location)
		b := s.stamp[:0]
		if s.rfc3339 {
			b = t.AppendFormat(b, "2006-01-02T15:04:05")
			s.zone = t.AppendFormat(s.zone[:0], "-07:00")
		} else {
			b = append(b, monthNames[t.Month()-1]...)
			b = append(b, ' ')
			if t.Day() < 10 {
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, int64(t.Day()), 10)
			b = append(b, ' ')
			b = append2(b, t.Hour())
			b = append(b, ':')
			b = append2(b, t.Minute())
			b = append(b, ':')
			b = append2(b, t.Second())
		}
		s.stamp = b
	}
	s.buf = append(s.buf, s.stamp...)
	if s.rfc3339 {
		us := s.now - secs*sec
		s.buf = append(s.buf, '.')
		for d := int64(100000); d > 0; d /= 10 {
			s.buf = append(s.buf, byte('0'+us/d%10))
		}
		s.buf = append(s.buf, s.zone...)
	}
}

func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }

// appendSecs writes a duration the way Postfix writes delays: "0.08",
// "1.2", "33", "0".
func appendSecs(b []byte, us int64) []byte {
	if us < 0 {
		us = 0
	}
	switch {
	case us >= 10*sec:
		return strconv.AppendInt(b, (us+sec/2)/sec, 10)
	case us >= sec:
		tenths := (us + 50*ms) / (100 * ms)
		b = strconv.AppendInt(b, tenths/10, 10)
		if tenths%10 != 0 {
			b = append(b, '.', byte('0'+tenths%10))
		}
		return b
	}
	hund := (us + 5*ms) / (10 * ms)
	switch {
	case hund == 0:
		return append(b, '0')
	case hund == 100:
		return append(b, '1')
	case hund%10 == 0:
		return append(b, '0', '.', byte('0'+hund/10))
	}
	return append(b, '0', '.', byte('0'+hund/10), byte('0'+hund%10))
}

const hexDigits = "0123456789ABCDEF"

func appendHex(b []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		b = append(b, hexDigits[(v>>(4*uint(i)))&15])
	}
	return b
}

// hexID returns n random upper-case hex digits (remote queue IDs).
func (s *sim) hexID(n int) string {
	var b [16]byte
	return string(appendHex(b[:0], s.r.u64(), n))
}

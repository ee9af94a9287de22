package report

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// Explanation is everything pftls knows about one destination domain in a
// window: the report model narrowed to the domain, and its timeline.
type Explanation struct {
	Domain   string
	Model    *Model
	Timeline []TimelineEvent
	Omitted  int // timeline events left out in the middle
}

// TimelineEvent is one delivery attempt or failed TLS session.
type TimelineEvent struct {
	Time      time.Time
	What      string // sent, deferred, bounced, tls-failure
	Recipient string
	Relay     string
	TLS       string // trust and protocol, or the failure kind
	Detail    string // reason or failure detail
}

// timelineTLSFailure is the What of a failed TLS session; an attempt's What
// is its status.
const timelineTLSFailure = string(KindTLSFailure)

// maxTimeline bounds the timeline: the first and the last events are kept.
const maxTimeline = 40

// explainSink feeds the builder and keeps what the timeline can show of
// the domain's attempts and failed TLS sessions.
type explainSink struct {
	*Builder
	domain   string
	attempts timelineKeeper
	failures timelineKeeper
}

// timelineKeeper keeps, of one kind of event arriving in time order, what
// a timeline of at most maxTimeline events can show of it, however many
// there are (a busy domain has millions of attempts in a week): the first
// half of maxTimeline of them, the last half, and their number.
type timelineKeeper struct {
	n    int
	head []TimelineEvent
	tail []TimelineEvent // the latest after head, a ring once full
}

func (k *timelineKeeper) add(e TimelineEvent) {
	const half = maxTimeline / 2
	switch {
	case len(k.head) < half:
		k.head = append(k.head, e)
	case len(k.tail) < half:
		k.tail = append(k.tail, e)
	default:
		k.tail[(k.n-half)%half] = e
	}
	k.n++
}

// events returns the kept events in the order they came.
func (k *timelineKeeper) events() []TimelineEvent {
	const half = maxTimeline / 2
	out := slices.Clone(k.head)
	oldest := 0
	if len(k.tail) == half {
		oldest = (k.n - half) % half
	}
	return append(append(out, k.tail[oldest:]...), k.tail[:oldest]...)
}

func (s *explainSink) Attempt(a *aggregate.Attempt) {
	s.Builder.Attempt(a)
	if !strings.EqualFold(a.Domain, s.domain) || !a.ForDomain() {
		return
	}
	tls := string(a.TLSTrust)
	if a.TLSProtocol != "" {
		tls += " " + a.TLSProtocol
	}
	if a.TLSFailure != "" {
		tls = strings.TrimSpace(tls + " " + string(a.TLSFailure))
	}
	s.attempts.add(TimelineEvent{Time: a.Time, What: string(a.Status), Recipient: a.Recipient,
		Relay: a.Relay, TLS: tls, Detail: a.DSN + " " + a.Reason})
}

func (s *explainSink) TLSFailure(f *aggregate.TLSFailure) {
	s.Builder.TLSFailure(f)
	if !f.Outbound() || !strings.EqualFold(f.Domain, s.domain) {
		return
	}
	s.failures.add(TimelineEvent{Time: f.Time, What: timelineTLSFailure, Recipient: f.Recipient,
		Relay: f.Peer, TLS: string(f.Kind), Detail: f.Detail})
}

// Explain builds the explanation of one domain.
func Explain(ctx context.Context, st *aggregate.Store, domain string, opts Options) (*Explanation, error) {
	domain = strings.ToLower(domain)
	opts.Domain = domain
	sink := &explainSink{Builder: NewBuilder(opts), domain: domain}
	if err := st.Scan(ctx, aggregate.Query{From: opts.From, To: opts.To, Host: opts.Host, Domain: domain}, sink); err != nil {
		return nil, err
	}
	m, err := finishFromStore(ctx, st, sink.Builder, false) // Scan reads no rollups
	if err != nil {
		return nil, err
	}
	e := &Explanation{Domain: domain, Model: m}
	e.Timeline, e.Omitted = timeline(&sink.attempts, &sink.failures)
	return e, nil
}

// timeline merges the attempts and the failures by time and keeps the
// first and the last half of maxTimeline events; omitted is how many are
// left out between them. Each kind comes in time order, so the first
// (last) events of the two together are among the first (last) kept of
// each.
func timeline(attempts, failures *timelineKeeper) (events []TimelineEvent, omitted int) {
	events = append(attempts.events(), failures.events()...)
	sortTimeline(events)
	if n := attempts.n + failures.n; n > maxTimeline {
		half := maxTimeline / 2
		omitted = n - maxTimeline
		events = append(events[:half:half], events[len(events)-half:]...)
	}
	return events, omitted
}

func sortTimeline(ev []TimelineEvent) {
	// Attempts and failures arrive each in time order; merge by time,
	// failures first at equal times (the failure precedes its deferral).
	rank := func(e TimelineEvent) int {
		if e.What == timelineTLSFailure {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(ev, func(a, b TimelineEvent) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(rank(a), rank(b)))
	})
}

// RenderExplain writes the explanation as text for a terminal; all log
// text goes through TerminalSafe.
func RenderExplain(w io.Writer, e *Explanation, zone *time.Location) error {
	if zone == nil {
		zone = time.Local
	}
	ew := &errWriter{w: w}
	p := func(format string, args ...any) {
		fmt.Fprintf(ew, format, args...)
	}
	m := e.Model
	p("pftls explain %s\n", TerminalSafe(e.Domain))
	for _, h := range m.HeaderLines(zone) {
		p("%-8s %s\n", h[0]+":", TerminalSafe(h[1]))
	}
	for i, a := range m.Alerts() {
		lead := "!! WARNING: "
		if i > 0 {
			lead = "!! "
		}
		p("%s%s\n", lead, TerminalSafe(a))
	}
	v := e.view()
	row := v.outcome
	p("\nOutcome: %d delivered, %d deferred messages (%d deferral lines), %d bounced, %d expired recipients\n",
		row.Delivered, row.Deferred, row.Deferrals, row.Bounced, row.Expired)
	p("MX hosts: %s\n", TerminalSafe(orNone(strings.Join(v.mx, ", "))))
	if o := v.tls; v.hasTLS {
		sent := ""
		if o.Sent == 0 && o.Deliveries > o.NoTLS {
			sent = " (no mail sent: every attempt failed)"
		}
		p("TLS: %s%s; protocols %s; ciphers %s\n",
			orNone(joinCounts(o.Verified, "verified", o.Trusted, "trusted", o.Untrusted, "untrusted", o.Anonymous, "anonymous",
				o.Encrypted, "TLS (trust not logged)", o.Plaintext, "plaintext", o.NoTLS, "TLS failed, not sent",
				o.NotLogged, "TLS not logged")), sent,
			orNone(strings.Join(o.Protocols, " ")), orNone(strings.Join(o.Ciphers, " ")))
	}
	if o := v.tls; v.hasTLS && (len(o.KeyExchanges) > 0 || len(o.ServerSignatures) > 0) {
		p("TLS posture: TLS 1.3 %d of %d; key exchange %s (post-quantum hybrid %d); server signature %s\n", o.TLS13, o.Deliveries,
			orNone(strings.Join(o.KeyExchanges, " ")), o.PostQuantum, orNone(strings.Join(o.ServerSignatures, ", ")))
	}
	certFailures := 0
	for _, f := range m.TLSFailures {
		rfc := "RFC 8460 " + string(f.RFC8460)
		if f.RFC8460 == "" {
			rfc = "no RFC 8460 type: a local or policy fault"
		}
		p("TLS failure: %s x%d (%s): %s\n", f.Kind, f.Count, rfc, TerminalSafe(f.Detail))
		if !noRelay(f) {
			certFailures++
		}
		if len(f.RecipientDomains) > 0 {
			p("  for recipients at: %s\n", TerminalSafe(strings.Join(f.RecipientDomains, ", ")))
		}
		if pol := inferPolicy(f); pol != "" {
			p("Policy level inferred: %s\n", pol)
		}
	}
	for _, r := range m.TLS.Outbound.TLSRPT {
		line := fmt.Sprintf("TLSRPT (logged by Postfix): %d success, %d failure", r.Success, r.Failure)
		if len(r.Failures) > 0 {
			line += " (" + joinCountList(r.Failures) + ")"
		}
		if len(r.PFTLS) > 0 {
			line += "; pftls: " + joinCountList(r.PFTLS)
		}
		p("%s\n", TerminalSafe(line))
	}
	if certFailures > 0 {
		if len(v.names) > 0 {
			p("Certificate names: %s\n", TerminalSafe(strings.Join(v.names, ", ")))
		} else {
			p("Certificate names: not logged (smtp_tls_loglevel = 2 logs them, for this domain only with smtp_tls_loglevel_maps in 3.12+)\n")
		}
	}
	switch {
	case len(m.Diagnoses) > 0:
	case m.Has(ProblemEmpty):
		// Nothing was read: no finding, and not "no TLS problem".
		p("\nDiagnosis: none: %s\n", TerminalSafe(m.Summary(zone)))
	case m.Incomplete != nil:
		p("\nDiagnosis: no TLS problem found in the facts kept (see incomplete: the rest were pruned).\n")
	default:
		p("\nDiagnosis: no TLS problem found in this window.\n")
	}
	for _, d := range m.Diagnoses {
		p("\nDiagnosis (%s confidence): %s\n", d.Confidence, TerminalSafe(d.Finding))
		p("  Evidence: %s\n", TerminalSafe(d.Evidence))
		p("  Advice:   %s\n", TerminalSafe(d.Advice))
		p("  Parameters: %s\n", strings.Join(d.Params, ", "))
		if len(d.Lines) > 0 {
			p("  Log lines that show it:\n")
			for _, l := range d.Lines {
				p("    %s\n", TerminalSafe(l))
			}
		}
	}
	if len(e.Timeline) > 0 {
		p("\nTimeline:\n")
	}
	for i, ev := range e.Timeline {
		if e.Omitted > 0 && i == maxTimeline/2 {
			p("  ... %d more events ...\n", e.Omitted)
		}
		p("  %s %-11s %-32s %-36s %-26s %s\n", ev.Time.In(zone).Format("2006-01-02 15:04:05"), ev.What,
			TerminalSafe(ev.Recipient), TerminalSafe(ev.Relay), TerminalSafe(ev.TLS), TerminalSafe(strings.TrimSpace(ev.Detail)))
	}
	return ew.err
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

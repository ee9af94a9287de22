package report

import (
	"io"
	"strings"
	"time"
)

// explainView is what every rendering of an explanation shows beyond the
// model's own rows, derived once so that text and JSON cannot disagree.
type explainView struct {
	outcome DomainRow    // the domain's row of the report, zero if it had no attempt
	mx      []string     // relays of the timeline, sorted
	tls     TLSDomainRow // the domain's outbound TLS mix, zero if nothing reached a server
	hasTLS  bool
	names   []string // certificate names of the failures, sorted
}

func (e *Explanation) view() explainView {
	v := explainView{outcome: DomainRow{Domain: e.Domain}, tls: TLSDomainRow{Domain: e.Domain}}
	m := e.Model
	for _, d := range m.Domains {
		if d.Domain == e.Domain {
			v.outcome = d
		}
	}
	mx := map[string]bool{}
	for _, ev := range e.Timeline {
		if ev.Relay != "" && ev.Relay != "none" {
			mx[ev.Relay] = true
		}
	}
	v.mx = sortedKeys(mx)
	for _, o := range m.TLS.Outbound.Domains {
		if o.Domain == e.Domain {
			v.tls, v.hasTLS = o, true
		}
	}
	names := map[string]bool{}
	for _, f := range m.TLSFailures {
		for _, n := range f.Names {
			names[n] = true
		}
	}
	v.names = sortedKeys(names)
	return v
}

// ExplainJSON is "pftls explain --format json": one object, stable like the
// report's JSON (documented in the README). Fields are only ever added;
// lists are [] when empty. The rows are the report's own types.
type ExplainJSON struct {
	Domain           string               `json:"domain"`
	Generated        time.Time            `json:"generated"`
	Window           Window               `json:"window"`
	Hosts            []string             `json:"hosts"`
	Lines            Lines                `json:"lines"`
	Incomplete       *Incomplete          `json:"incomplete,omitempty"` // as in the report: facts of the window were pruned
	Gaps             []GapRow             `json:"gaps"`                 // as in the report: logs rotated away before pftls read their end
	Outcome          DomainRow            `json:"outcome"`
	MXHosts          []string             `json:"mx_hosts"`
	TLS              TLSDomainRow         `json:"tls"`
	TLSFailures      []ExplainTLSFailure  `json:"tls_failures"`
	TLSRPT           []TLSRPTRow          `json:"tlsrpt,omitempty"` // Postfix 3.10's own TLSRPT results
	CertificateNames []string             `json:"certificate_names"`
	Diagnoses        []Diagnosis          `json:"diagnoses"`
	Timeline         []ExplainTimelineRow `json:"timeline"`
	Omitted          int                  `json:"omitted"` // timeline events left out in the middle
}

// ExplainTLSFailure is the report's TLS failure row and the Postfix
// security level the log implies for it.
type ExplainTLSFailure struct {
	TLSFailureRow
	InferredPolicy string `json:"inferred_policy"` // "" when the log does not tell
}

// ExplainTimelineRow is one timeline event.
type ExplainTimelineRow struct {
	Time      time.Time `json:"time"`
	What      string    `json:"what"` // a delivery status (sent, deferred, bounced, ...) or tls-failure
	Recipient string    `json:"recipient"`
	Relay     string    `json:"relay"`
	TLS       string    `json:"tls"`    // trust and protocol, or the failure kind
	Detail    string    `json:"detail"` // DSN and reason, or failure detail
}

// NewExplainJSON makes the JSON form of an explanation; times shown to
// people (the timeline) are in zone.
func NewExplainJSON(e *Explanation, zone *time.Location) *ExplainJSON {
	if zone == nil {
		zone = time.Local
	}
	m := jsonModel(e.Model)
	v := e.view()
	out := &ExplainJSON{
		Domain: e.Domain, Generated: m.Generated, Window: m.Window, Hosts: m.Hosts, Lines: m.Lines, Incomplete: m.Incomplete, Gaps: m.Gaps,
		Outcome: v.outcome, MXHosts: v.mx, TLS: v.tls, CertificateNames: v.names,
		Diagnoses: m.Diagnoses, Omitted: e.Omitted, TLSRPT: m.TLS.Outbound.TLSRPT,
		TLSFailures: make([]ExplainTLSFailure, 0, len(m.TLSFailures)),
		Timeline:    make([]ExplainTimelineRow, 0, len(e.Timeline)),
	}
	if out.Outcome.TopReasons == nil {
		out.Outcome.TopReasons = []Count{}
	}
	if out.TLS.Protocols == nil {
		out.TLS.Protocols = []string{}
	}
	if out.TLS.Ciphers == nil {
		out.TLS.Ciphers = []string{}
	}
	for _, f := range m.TLSFailures {
		if f.Hosts == nil {
			f.Hosts = []string{}
		}
		out.TLSFailures = append(out.TLSFailures, ExplainTLSFailure{TLSFailureRow: f, InferredPolicy: inferPolicy(f)})
	}
	for _, ev := range e.Timeline {
		out.Timeline = append(out.Timeline, ExplainTimelineRow{Time: ev.Time.In(zone), What: ev.What,
			Recipient: ev.Recipient, Relay: ev.Relay, TLS: ev.TLS, Detail: strings.TrimSpace(ev.Detail)})
	}
	return out
}

// RenderExplainJSON writes the explanation as one indented JSON object,
// escaped the way the report's JSON is (JSONSafe).
func RenderExplainJSON(w io.Writer, e *Explanation, zone *time.Location) error {
	return writeJSON(w, NewExplainJSON(e, zone))
}

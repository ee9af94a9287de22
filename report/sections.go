package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pftls/pftls/aggregate"
)

// Table is one section of a report as rows of cells: the shape every
// tabular renderer (text, markdown, CSV, HTML) formats. Cells hold raw,
// unescaped text; each renderer escapes for its target.
type Table struct {
	ID     string // stable name, used by --section
	Title  string
	Note   string // one line under the title
	Header []string
	Rows   [][]string
	Align  []Align // per column; default left
}

// Align is a column's alignment.
type Align int

// Alignments.
const (
	Left Align = iota
	Right
)

// SectionIDs are the ids of Tables, in report order.
var SectionIDs = []string{"input", "totals", "tls-failures", "diagnoses", "deferrals", "domains", "tls-outbound", "tls-outbound-mix", "tls-policies", "tlsrpt",
	"tls-inbound", "tls-inbound-clients", "bounces", "rejects", "warnings",
	"domain-delivery", "master", "per-hour", "per-day", "smtpd", "received-from", "senders", "senders-by-size", "recipients", "recipients-by-size", "unparsed"}

// Tables returns the report's sections; empty sections are left out.
func (m *Model) Tables(zone *time.Location) []Table {
	var out []Table
	for _, t := range allSections(m, zone) {
		if len(t.Rows) > 0 {
			if n := m.Omitted[t.ID]; n > 0 {
				more := fmt.Sprintf("%d more rows left out (--top)", n)
				if domainSections[t.ID] {
					more = fmt.Sprintf("and %d more domains (--top)", n)
				}
				if t.Note != "" {
					more = t.Note + "; " + more
				}
				t.Note = more
			}
			if over, ok := m.Approximate[t.ID]; ok {
				approx := fmt.Sprintf("approximate: more names than pftls counts (%d); each count may be over by up to %d messages and %d bytes",
					volumeLimit, over.Messages, over.Bytes)
				if t.Note != "" {
					approx = t.Note + "; " + approx
				}
				t.Note = approx
			}
			out = append(out, t)
		}
	}
	return out
}

// domainSections are the sections with one row per destination domain.
var domainSections = map[string]bool{"deferrals": true, "domains": true, "domain-delivery": true, "tls-outbound": true, "tlsrpt": true}

// leftOut names the sections --top left out whole (--top 0: totals
// only), with their rows: "domains 28, rejects 17".
func (m *Model) leftOut() string {
	if len(m.Omitted) == 0 {
		return "" // nothing left out: no section to build
	}
	var parts []string
	for _, t := range allSections(m, time.UTC) {
		if n := m.Omitted[t.ID]; n > 0 && len(t.Rows) == 0 {
			parts = append(parts, fmt.Sprintf("%s %d", t.ID, n))
		}
	}
	return strings.Join(parts, ", ")
}

// allSections is every section of the model, empty ones included (CSV
// writes the header of an empty section), in SectionIDs order.
func allSections(m *Model, zone *time.Location) []Table {
	if zone == nil {
		zone = time.Local
	}
	return []Table{
		m.inputTable(),
		m.totalsTable(),
		m.tlsFailuresTable(zone),
		m.diagnosesTable(),
		m.deferralsTable(),
		m.domainsTable(),
		m.outboundTable(),
		m.outboundMixTable(),
		m.policiesTable(),
		m.tlsrptTable(),
		m.inboundTable(),
		m.inboundClientsTable(),
		m.bouncesTable(),
		m.rejectsTable(),
		m.warningsTable(zone),
		m.domainDeliveryTable(),
		m.masterTable(),
		m.hourlyTable(),
		m.dailyTable(),
		m.smtpdTable(),
		m.volumeTable("received-from", "Messages received by sender domain", "sender domain", m.ReceivedFrom),
		m.volumeTable("senders", "Senders by message count", "sender", m.Senders),
		m.volumeTable("senders-by-size", "Senders by message size", "sender", m.SendersBySize),
		m.volumeTable("recipients", "Recipients by message count", "recipient", m.Recipients),
		m.volumeTable("recipients-by-size", "Recipients by message size", "recipient", m.RecipientsBySize),
		m.unparsedTable(zone),
	}
}

// Table returns the section with the given id, and whether it has rows.
func (m *Model) Table(id string, zone *time.Location) (Table, bool) {
	for _, t := range m.Tables(zone) {
		if t.ID == id {
			return t, true
		}
	}
	return Table{ID: id}, false
}

func n(v int64) string { return strconv.FormatInt(v, 10) }

func pct(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + "%" }

func secs(v float64) string {
	d := time.Duration(v * float64(time.Second))
	switch {
	case d < time.Second:
		return strconv.FormatFloat(v, 'f', 2, 64) + "s"
	case d < time.Minute:
		return strconv.FormatFloat(v, 'f', 0, 64) + "s"
	}
	return d.Round(time.Second).String()
}

// Bytes formats a byte count the way pflogsumm does: in units of 1024
// ("k") above 512k, of 1024k ("m") above 512m.
func Bytes(v int64) string {
	switch {
	case v > 512<<20:
		return fmt.Sprintf("%dm", v>>20)
	case v > 512<<10:
		return fmt.Sprintf("%dk", v>>10)
	}
	return strconv.FormatInt(v, 10)
}

// span formats a first..last pair compactly: the date once when both fall
// on the same day.
func span(first, last time.Time, zone *time.Location) string {
	if first.IsZero() {
		return ""
	}
	a, b := first.In(zone), last.In(zone)
	if a.Format("2006-01-02") == b.Format("2006-01-02") {
		return a.Format("2006-01-02 15:04:05") + " - " + b.Format("15:04:05")
	}
	return a.Format("2006-01-02 15:04") + " - " + b.Format("2006-01-02 15:04")
}

// joinCounts writes "55 trusted, 3 plaintext" for the non-zero entries.
func joinCounts(pairs ...any) string {
	var parts []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if v := pairs[i].(int64); v > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", v, pairs[i+1].(string)))
		}
	}
	return strings.Join(parts, ", ")
}

func stamp(t time.Time, zone *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(zone).Format("2006-01-02 15:04:05")
}

func counts(cs []Count, max int) string {
	parts := make([]string, 0, len(cs))
	for i, c := range cs {
		if i == max {
			break
		}
		parts = append(parts, fmt.Sprintf("%d× %s", c.Count, c.Reason))
	}
	return strings.Join(parts, "; ")
}

func (m *Model) totalsTable() Table {
	t := m.Totals
	row := func(label string, v int64, note string) []string { return []string{label, n(v), note} }
	deferredPct := ""
	if t.Received > 0 {
		deferredPct = fmt.Sprintf("%d deferral lines", t.Deferrals)
	}
	rows := [][]string{
		row("received", t.Received, "messages (smtpd and pickup)"),
		row("delivered", t.Delivered, "recipients sent"),
		row("forwarded", t.Forwarded, "local forwards"),
		row("deferred", t.Deferred, deferredPct),
		row("bounced", t.Bounced, "recipients"),
		row("expired", t.Expired, "messages returned to sender"),
		row("rejected", t.Rejected, ""),
		row("reject warnings", t.RejectWarnings, ""),
		row("held", t.Held, ""),
		row("discarded", t.Discarded, ""),
		{"bytes received", Bytes(t.BytesReceived), ""},
		{"bytes delivered", Bytes(t.BytesDelivered), ""},
		row("senders", t.Senders, fmt.Sprintf("%d sending domains", t.SendingDomains)),
		row("recipients", t.Recipients, fmt.Sprintf("%d recipient domains", t.RecipientDomains)),
		row("TLS failures", t.TLSFailures, fmt.Sprintf("at %d destination domains", t.TLSFailedDomains)),
	}
	if t.Received == 0 && t.Delivered == 0 && t.Deferrals == 0 && t.Bounced == 0 && t.Rejected == 0 && t.TLSFailures == 0 {
		rows = nil
	}
	return Table{ID: "totals", Title: "Totals", Note: "counted the way pflogsumm counts",
		Header: []string{"total", "count", "note"}, Rows: rows, Align: []Align{Left, Right, Left}}
}

func (m *Model) tlsFailuresTable(zone *time.Location) Table {
	t := Table{ID: "tls-failures", Title: "TLS failures by destination domain",
		Note:   "failed TLS sessions; 'deferring' means mail is deferred because of it (dsn 4.7.x)",
		Header: []string{"domain", "kind", "RFC 8460", "failures", "msgs", "rcpts", "deferring", "MX hosts", "detail", "seen"},
		Align:  []Align{Left, Left, Left, Right, Right, Right, Left, Left, Left, Left}}
	for _, r := range m.TLSFailures {
		def := "no"
		if r.Deferring {
			def = "yes"
		}
		t.Rows = append(t.Rows, []string{r.Domain, string(r.Kind), string(r.RFC8460), n(r.Count), n(r.Messages), n(r.Recipients), def,
			strings.Join(r.Hosts, ", "), r.Detail, span(r.FirstSeen, r.LastSeen, zone)})
	}
	return t
}

func (m *Model) diagnosesTable() Table {
	t := Table{ID: "diagnoses", Title: "Diagnosis: why TLS fails and what to change",
		Note:   "pftls never changes the Postfix configuration; 'pftls explain DOMAIN' shows the log lines behind a finding",
		Header: []string{"domain", "confidence", "finding", "evidence", "advice"}}
	for _, d := range m.Diagnoses {
		t.Rows = append(t.Rows, []string{d.Domain, d.Confidence, d.Finding, d.Evidence, d.Advice})
	}
	return t
}

func (m *Model) deferralsTable() Table {
	t := Table{ID: "deferrals", Title: "Deferrals by destination domain",
		Note:   "rcpts: recipients deferred; outcome: what became of those recipients",
		Header: []string{"domain", "rcpts", "msgs", "deferrals", "outcome", "dsn", "delay max/median", "top reasons"},
		Align:  []Align{Left, Right, Right, Right, Left, Left, Left, Left}}
	for _, r := range m.Deferrals {
		outcome := joinCounts(r.StillQueued, "still queued", r.Expired, "expired", r.LaterDelivered, "sent later",
			r.LaterBounced, "bounced later", r.Deleted, "deleted by admin")
		t.Rows = append(t.Rows, []string{r.Domain, n(r.Recipients), n(r.Messages), n(r.Deferrals), outcome,
			counts(r.DSNs, 3), secs(r.MaxDelay) + " / " + secs(r.MedianDelay), counts(r.Reasons, 3)})
	}
	return t
}

func (m *Model) domainsTable() Table {
	t := Table{ID: "domains", Title: "Destination domains", Note: "recipients; deferred counts messages, deferrals lines",
		Header: []string{"domain", "delivered", "deferred", "deferrals", "bounced", "expired", "TLS failures"},
		Align:  []Align{Left, Right, Right, Right, Right, Right, Right}}
	for _, r := range m.Domains {
		t.Rows = append(t.Rows, []string{r.Domain, n(r.Delivered), n(r.Deferred), n(r.Deferrals), n(r.Bounced), n(r.Expired), n(r.TLSFailures)})
	}
	return t
}

func (m *Model) outboundTable() Table {
	t := Table{ID: "tls-outbound", Title: "Outbound TLS by destination domain",
		Note:   "delivery attempts (one per recipient) that reached a server, by the TLS trust level of the connection",
		Header: []string{"domain", "attempts", "TLS", "trust", "protocols"},
		Align:  []Align{Left, Right, Right, Left, Left}}
	for _, r := range m.TLS.Outbound.Domains {
		trust := joinCounts(r.Verified, "verified", r.Trusted, "trusted", r.Untrusted, "untrusted",
			r.Anonymous, "anonymous", r.Encrypted, "TLS (trust not logged)", r.Plaintext, "plaintext", r.NoTLS, "TLS failed, not sent",
			r.NotLogged, "TLS not logged")
		if r.Sent == 0 && r.Deliveries > r.NoTLS {
			trust += "; no mail sent" // every session failed: a share of TLS is no delivery
		}
		share := pct(r.TLSPercent)
		if r.NotLogged == r.Deliveries {
			share = "?" // no attempt says
		}
		t.Rows = append(t.Rows, []string{r.Domain, n(r.Deliveries), share, trust, strings.Join(r.Protocols, " ")})
	}
	return t
}

// policiesTable lists the tls= outcomes of Postfix 3.11+ that are not plain
// compliance: downgrades, violations, undecided policies and REQUIRETLS.
func (m *Model) policiesTable() Table {
	t := Table{ID: "tls-policies", Title: "Outbound TLS policy outcomes (tls=, Postfix 3.11+)",
		Note:   "downgrades (may:none, dane:halfdane, dane:encrypt), violations (!level: delivery blocked), undecided (?) and REQUIRETLS outcomes",
		Header: []string{"domain", "tls=", "meaning", "attempts"},
		Align:  []Align{Left, Left, Left, Right}}
	for _, r := range m.TLS.Outbound.Domains {
		for _, pc := range r.Policies {
			t.Rows = append(t.Rows, []string{r.Domain, pc.Policy, pc.Meaning, n(pc.Count)})
		}
	}
	return t
}

// tlsrptTable shows Postfix 3.10's own TLSRPT results beside pftls's
// classification of the same handshakes.
func (m *Model) tlsrptTable() Table {
	t := Table{ID: "tlsrpt", Title: "TLSRPT results logged by Postfix (3.10+)",
		Note:   "one per new TLS handshake (a reused connection has none); 'pftls' is what pftls made of the same handshakes",
		Header: []string{"domain", "success", "failure", "failure types", "pftls"},
		Align:  []Align{Left, Right, Right, Left, Left}}
	for _, r := range m.TLS.Outbound.TLSRPT {
		t.Rows = append(t.Rows, []string{r.Domain, n(r.Success), n(r.Failure), joinCountList(r.Failures), joinCountList(r.PFTLS)})
	}
	return t
}

// joinCountList writes counts as "2× a, 1× b".
func joinCountList(cs []Count) string {
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, n(c.Count)+"× "+c.Reason)
	}
	return strings.Join(parts, ", ")
}

func (m *Model) outboundMixTable() Table {
	o := m.TLS.Outbound
	t := Table{ID: "tls-outbound-mix", Title: "Outbound TLS overall", Header: []string{"category", "value", "attempts", "share"},
		Align: []Align{Left, Left, Right, Right}}
	share := func(v int64) string {
		if o.Deliveries == 0 {
			return ""
		}
		return pct(100 * float64(v) / float64(o.Deliveries))
	}
	for _, p := range aggregate.Postures {
		if v := o.ByTrust[string(p)]; v > 0 {
			t.Rows = append(t.Rows, []string{"trust", string(p), n(v), share(v)})
		}
	}
	for _, k := range sortedKeys(o.ByProtocol) {
		t.Rows = append(t.Rows, []string{"protocol", k, n(o.ByProtocol[k]), share(o.ByProtocol[k])})
	}
	for _, k := range sortedKeys(o.ByCipher) {
		t.Rows = append(t.Rows, []string{"cipher", k, n(o.ByCipher[k]), share(o.ByCipher[k])})
	}
	for _, k := range sortedKeys(o.ByKeyExchange) {
		t.Rows = append(t.Rows, []string{"key exchange", k, n(o.ByKeyExchange[k]), share(o.ByKeyExchange[k])})
	}
	if o.PostQuantum > 0 {
		t.Rows = append(t.Rows, []string{"key exchange", "post-quantum hybrid", n(o.PostQuantum), share(o.PostQuantum)})
	}
	for _, k := range sortedKeys(o.BySignature) {
		t.Rows = append(t.Rows, []string{"server signature", k, n(o.BySignature[k]), share(o.BySignature[k])})
	}
	return t
}

func (m *Model) inboundTable() Table {
	in := m.TLS.Inbound
	t := Table{ID: "tls-inbound", Title: "Inbound TLS (smtpd)",
		Header: []string{"category", "value", "sessions"}, Align: []Align{Left, Left, Right}}
	if in.Connections == 0 {
		return t
	}
	t.Rows = append(t.Rows, []string{"connections", "", n(in.Connections)}, []string{"with TLS", pct(in.TLSPercent), n(in.TLS)})
	for _, k := range sortedKeys(in.ByProtocol) {
		t.Rows = append(t.Rows, []string{"protocol", k, n(in.ByProtocol[k])})
	}
	for _, k := range sortedKeys(in.ByTrust) {
		t.Rows = append(t.Rows, []string{"client certificate", k, n(in.ByTrust[k])})
	}
	for _, k := range sortedKeys(in.ByKeyExchange) {
		t.Rows = append(t.Rows, []string{"key exchange", k, n(in.ByKeyExchange[k])})
	}
	if in.PostQuantum > 0 {
		t.Rows = append(t.Rows, []string{"key exchange", "post-quantum hybrid", n(in.PostQuantum)})
	}
	return t
}

func (m *Model) inboundClientsTable() Table {
	t := Table{ID: "tls-inbound-clients", Title: "Inbound TLS problems by client",
		Note:   "clients still on TLSv1/TLSv1.1, failed handshakes and lost connections after STARTTLS",
		Header: []string{"client", "problem", "sessions", "detail"}, Align: []Align{Left, Left, Right, Left}}
	for _, c := range m.TLS.Inbound.HandshakeFailure {
		t.Rows = append(t.Rows, []string{c.Client, "handshake failed", n(c.Count), c.Detail})
	}
	for _, c := range m.TLS.Inbound.LegacyClients {
		t.Rows = append(t.Rows, []string{c.Client, "legacy protocol", n(c.Count), c.Detail})
	}
	return t
}

func (m *Model) bouncesTable() Table {
	t := Table{ID: "bounces", Title: "Bounces by domain and reason", Header: []string{"domain", "relay", "count", "reason"},
		Align: []Align{Left, Left, Right, Left}}
	for _, b := range m.Bounces {
		t.Rows = append(t.Rows, []string{b.Domain, b.Relay, n(b.Count), b.Reason})
	}
	return t
}

func (m *Model) rejectsTable() Table {
	t := Table{ID: "rejects", Title: "Rejects by reason", Header: []string{"action", "stage", "count", "reason", "clients"},
		Align: []Align{Left, Left, Right, Left, Left}}
	for _, r := range m.Rejects {
		t.Rows = append(t.Rows, []string{string(r.Action), r.Stage, n(r.Count), r.Reason, counts(r.Clients, 5)})
	}
	return t
}

func (m *Model) warningsTable(zone *time.Location) Table {
	t := Table{ID: "warnings", Title: "Warnings, errors, fatal and panic messages",
		Note:   "the same message from several instances of a service is one row",
		Header: []string{"severity", "program", "count", "message", "first seen", "last seen"}, Align: []Align{Left, Left, Right, Left, Left, Left}}
	for _, w := range m.Warnings {
		prog := w.Program
		if len(w.Programs) > 1 {
			prog = fmt.Sprintf("%s (%d instances)", w.Program, len(w.Programs))
		}
		t.Rows = append(t.Rows, []string{string(w.Severity), prog, n(w.Count), clipLine(w.Message), stamp(w.FirstSeen, zone), stamp(w.LastSeen, zone)})
	}
	return t
}

func (m *Model) unparsedTable(zone *time.Location) Table {
	t := Table{ID: "unparsed", Title: "Lines pftls did not understand",
		Note:   fmt.Sprintf("%d in the window; please report them", m.Lines.Unparsed),
		Header: []string{"time", "host", "program", "text"}}
	for _, u := range m.Unparsed {
		t.Rows = append(t.Rows, []string{stamp(u.Time, zone), u.Host, u.Program, clipLine(u.Text)})
	}
	return t
}

// shownLineBytes is how much of a log line a table shows: a line may be
// up to 64 KiB (longer ones are cut when read), which made one line not
// understood a table 65,000 columns wide. The JSON keeps it whole.
const shownLineBytes = 400

// clipLine is line as a table shows it: its first shownLineBytes bytes
// (whole runes) and how many more there are.
func clipLine(line string) string {
	if len(line) <= shownLineBytes {
		return line
	}
	cut := shownLineBytes
	for cut > 0 && !utf8.RuneStart(line[cut]) {
		cut--
	}
	return line[:cut] + fmt.Sprintf(" … (%d more bytes)", len(line)-cut)
}

// inputTable is what of the input pftls understood: a row per file read
// for the report (or one for the window, from the database), shown only
// when something was not understood, first of all sections; and a row
// per log rotated away before pftls read its end (Gaps), its lines read
// and, as its example, from when lines are missing (in the window's
// zone, as the alerts say it).
func (m *Model) inputTable() Table {
	t := Table{ID: "input", Title: "Input pftls did not understand",
		Note:   "the counts below this table leave these lines out",
		Header: []string{"input", "lines", "postfix", "not understood", "format guessed", "example"},
		Align:  []Align{Left, Right, Right, Right, Left, Left}}
	if !m.Has(ProblemUnreadable) {
		return t
	}
	if len(m.Gaps) > 0 {
		t.Title = "Input pftls did not read or understand"
	}
	for _, g := range m.Gaps {
		t.Rows = append(t.Rows, []string{g.Path + " (rotated away)", n(g.Lines), "", "", "",
			"lines missing after " + stamp(g.after(), m.zone()) + ", until its rotation"})
	}
	if !m.misread() {
		return t
	}
	for _, in := range m.Inputs {
		ex := ""
		if len(in.Examples) > 0 {
			ex = in.Examples[0]
		}
		t.Rows = append(t.Rows, []string{in.Path, n(in.Lines), n(in.Postfix), n(in.NotUnderstood), in.formatName(), clipLine(ex)})
	}
	if len(m.Inputs) == 0 {
		ex := ""
		if len(m.Unparsed) > 0 {
			ex = m.Unparsed[0].Program + ": " + m.Unparsed[0].Text
		}
		t.Rows = append(t.Rows, []string{"(window)", n(m.Lines.Read), n(m.Lines.Postfix), n(m.Lines.NotUnderstood), "", clipLine(ex)})
	}
	return t
}

// reportHeaderLines are the report's header lines: its state first (the
// one line to read), then HeaderLines.
func (m *Model) reportHeaderLines(zone *time.Location) [][2]string {
	out := append([][2]string{{"state", m.Summary(zone)}}, m.HeaderLines(zone)...)
	if f := m.Filter; f != nil {
		out = append(out, [2]string{"domain", f.Domain + " only; of every domain: " + strings.Join(f.AllDomains, ", ") +
			"; left out: received messages, senders and smtpd connections (they have no destination domain)"})
	}
	return out
}

// HeaderLines describe the window: what a reader must know before the tables.
func (m *Model) HeaderLines(zone *time.Location) [][2]string {
	if zone == nil {
		zone = time.Local
	}
	from, to := windowEnds(m.Window.From, m.Window.To, zone, "2006-01-02 15:04:05")
	if m.Window.From.IsZero() {
		from = "beginning"
	}
	if m.Window.To.IsZero() {
		to = "end"
	}
	hosts := strings.Join(m.Hosts, ", ")
	if hosts == "" {
		hosts = "(none)"
	}
	lines := fmt.Sprintf("%d read, %d unparsed, %d from other programs", m.Lines.Read, m.Lines.Unparsed, m.Lines.Foreign)
	if m.Lines.Malformed > 0 {
		lines += fmt.Sprintf(", %d without a syslog envelope", m.Lines.Malformed)
	}
	zoneName := zone.String()
	if zone == time.Local || zoneName == "Local" {
		ref := m.Window.From
		if ref.IsZero() {
			ref = m.Generated
		}
		zoneName = ref.In(zone).Format("MST")
	}
	out := [][2]string{
		{"window", from + " to " + to + " (" + zoneName + ")"},
		{"hosts", hosts},
		{"lines", lines},
	}
	if s := m.leftOut(); s != "" {
		out = append(out, [2]string{"omitted", s + " rows (--top)"})
	}
	if hosts := m.TLS.Outbound.NotLoggedHosts; len(hosts) > 0 {
		out = append(out, [2]string{"TLS", "not logged by " + strings.Join(hosts, ", ") + ": no delivery there has a TLS line or a tls= field " +
			"(smtp_tls_loglevel = 0, Postfix's default, logs none: set it to 1, or run Postfix 3.11+; smtp_tls_security_level none uses none), so its " +
			n(m.TLS.Outbound.ByTrust[string(aggregate.PostureNotLogged)]) + " deliveries are counted as \"TLS not logged\", not as plaintext"})
	}
	if in := m.Incomplete; in != nil {
		stamp := func(t time.Time) string { return t.In(zone).Format("2006-01-02 15:04:05") }
		var line string
		switch {
		case !in.CountsBefore.IsZero():
			line = "the facts before " + stamp(in.FactsBefore) + ", and the counts and hourly rollups before " + stamp(in.CountsBefore) +
				", were pruned (pftls prune): every count and section is missing its part before then"
		case in.Rollups:
			line = "the facts before " + stamp(in.FactsBefore) + " were pruned (pftls prune --keep-facts): only the lines and master counts are complete; " +
				"the plain deliveries come from the hourly rollups, everything else (deferrals, bounces, TLS failures, rejects, senders) is missing"
		default:
			line = "the facts before " + stamp(in.FactsBefore) + " were pruned (pftls prune --keep-facts): only the lines and master counts are complete; " +
				"every other count and section is missing its part before then"
		}
		out = append(out, [2]string{"incomplete", line})
	}
	if !m.Generated.IsZero() {
		out = append(out, [2]string{"made", m.Generated.In(zone).Format("2006-01-02 15:04:05") + " by pftls"})
	}
	return out
}

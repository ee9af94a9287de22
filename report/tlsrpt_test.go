package report

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
)

const tlsrptSchema = "../testdata/tlsrpt/rfc8460-report.schema.json"

// schemaCheck validates a decoded JSON value against a schema node. It
// knows exactly the keywords the RFC 8460 schema in testdata uses, and
// fails on any other, so that the schema cannot silently ask for more
// than is checked.
func schemaCheck(schema map[string]any, v any, path string) []string {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	for k := range schema {
		switch k {
		case "$schema", "$id", "$comment", "title", "type", "properties", "required", "additionalProperties",
			"items", "minItems", "enum", "minimum", "minLength", "format":
		default:
			bad("schema keyword %q is not checked", k)
		}
	}
	switch schema["type"] {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			bad("want an object, have %T", v)
			return errs
		}
		props, _ := schema["properties"].(map[string]any)
		for _, r := range schema["required"].([]any) {
			if _, ok := obj[r.(string)]; !ok {
				bad("required %q missing", r)
			}
		}
		for k, val := range obj {
			sub, ok := props[k].(map[string]any)
			if !ok {
				if schema["additionalProperties"] == false {
					bad("property %q not allowed", k)
				}
				continue
			}
			errs = append(errs, schemaCheck(sub, val, path+"."+k)...)
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			bad("want an array, have %T", v)
			return errs
		}
		if n, ok := schema["minItems"].(float64); ok && float64(len(arr)) < n {
			bad("%d items, want at least %v", len(arr), n)
		}
		if items, ok := schema["items"].(map[string]any); ok {
			for i, x := range arr {
				errs = append(errs, schemaCheck(items, x, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			bad("want a string, have %T", v)
			return errs
		}
		if n, ok := schema["minLength"].(float64); ok && float64(len(s)) < n {
			bad("%q is shorter than %v", s, n)
		}
		if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, any(s)) {
			bad("%q is not one of %v", s, enum)
		}
		switch schema["format"] {
		case nil:
		case "date-time":
			if _, err := time.Parse(time.RFC3339, s); err != nil {
				bad("%q is not an RFC 3339 date-time", s)
			}
		case "ip":
			if net.ParseIP(s) == nil {
				bad("%q is not an IP address", s)
			}
		default:
			bad("format %v is not checked", schema["format"])
		}
	case "integer":
		n, ok := v.(float64)
		if !ok || n != float64(int64(n)) {
			bad("want an integer, have %v", v)
			return errs
		}
		if m, ok := schema["minimum"].(float64); ok && n < m {
			bad("%v is below %v", n, m)
		}
	default:
		bad("schema type %v is not checked", schema["type"])
	}
	return errs
}

// validateTLSRPT checks a report's JSON against the RFC 8460 schema.
func validateTLSRPT(t *testing.T, js []byte) {
	t.Helper()
	raw, err := os.ReadFile(tlsrptSchema)
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatalf("schema: %v", err)
	}
	var v any
	if err := json.Unmarshal(js, &v); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, js)
	}
	for _, e := range schemaCheck(schema, v, "$") {
		t.Errorf("RFC 8460 schema: %s", e)
	}
}

// The checker must be able to fail: a report with a misspelt key, a
// missing field, a bad type and a bad result type is refused on each.
func TestTLSRPTSchemaCheckerRefuses(t *testing.T) {
	raw, err := os.ReadFile(tlsrptSchema)
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	bad := `{"organization-name":"x","date-range":{"start-datetime":"2026-11-23","end-datetime":"2026-11-23T23:59:59Z"},
		"report-id":"r","policies":[{"policy":{"policy-type":"dane","policy-domain":"a.example"},
		"summary":{"total-successful-session-count":1.5,"total-failure-session-count":0},
		"failure-details":[{"result-type":"oops","sending-mta-ip":"nope","failed-session-count":1,"receiving-mx":"x"}]}]}`
	var v any
	if err := json.Unmarshal([]byte(bad), &v); err != nil {
		t.Fatal(err)
	}
	errs := strings.Join(schemaCheck(schema, v, "$"), "\n")
	for _, want := range []string{`required "contact-info" missing`, "not an RFC 3339", `"dane" is not one of`,
		"want an integer", `"oops" is not one of`, `"nope" is not an IP`, `property "receiving-mx" not allowed`} {
		if !strings.Contains(errs, want) {
			t.Errorf("checker did not say %q; said:\n%s", want, errs)
		}
	}
}

var tlsrptDay = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

func tlsrptOptions() TLSRPTOptions {
	return TLSRPTOptions{Day: tlsrptDay, Organization: "Sender Example", Contact: "mailto:postmaster@sender.test",
		Submitter: "mail.sender.test", SendingIP: "192.0.2.25"}
}

// tlsrptFrom builds a day's reports from a log.
func tlsrptFrom(t *testing.T, log string) ([]TLSReport, *Model) {
	t.Helper()
	st := corpusStore(t, log)
	q := aggregate.Query{From: tlsrptDay, To: tlsrptDay.AddDate(0, 0, 1)}
	b := NewTLSRPTBuilder(tlsrptOptions())
	if err := st.ScanTLSRPT(context.Background(), q, b); err != nil {
		t.Fatal(err)
	}
	m, err := Build(context.Background(), st, Options{From: q.From, To: q.To, Zone: time.UTC, Generated: goldenGenerated, Top: 1000}) // every domain, to compare
	if err != nil {
		t.Fatal(err)
	}
	return b.Reports(), m
}

// tlsrptFacts are facts made by a test, fed to a TLSRPTBuilder as
// aggregate.Store.ScanTLSRPT feeds them: attempts, then failures.
type tlsrptFacts struct {
	attempts []aggregate.Attempt
	failures []aggregate.TLSFailure
}

func (f *tlsrptFacts) reports(o TLSRPTOptions) []TLSReport {
	b := NewTLSRPTBuilder(o)
	for i := range f.attempts {
		b.Attempt(&f.attempts[i])
	}
	for i := range f.failures {
		b.TLSFailure(&f.failures[i])
	}
	return b.Reports()
}

// Reports made from the corpus are valid RFC 8460 reports, and their
// session counts are pftls report's for the same domains and day: the
// failed sessions are the report's outbound TLS failures that have an RFC
// 8460 result type, and the successful ones its TLS deliveries that had no
// TLS failure.
func TestTLSRPTCorpusMatchesReport(t *testing.T) {
	reports, m := tlsrptFrom(t, corpusLog)
	if len(reports) == 0 {
		t.Fatal("no reports from the corpus")
	}
	failures := map[string]int64{}
	for _, r := range m.TLSFailures {
		if r.Direction == logparse.DirOutbound && r.RFC8460 != "" {
			failures[r.Domain] += r.Count
		}
	}
	rows := map[string]TLSDomainRow{}
	for _, r := range m.TLS.Outbound.Domains {
		rows[r.Domain] = r
	}
	withFailures := 0
	for _, r := range reports {
		js, err := r.JSON()
		if err != nil {
			t.Fatal(err)
		}
		validateTLSRPT(t, js)
		sum := r.Report.Policies[0].Summary
		if sum.Failure != failures[r.PolicyDomain] {
			t.Errorf("%s: %d failed sessions, pftls report has %d", r.PolicyDomain, sum.Failure, failures[r.PolicyDomain])
		}
		row := rows[r.PolicyDomain]
		tlsDeliveries := row.Verified + row.Trusted + row.Untrusted + row.Anonymous + row.Encrypted
		if sum.Success > tlsDeliveries || sum.Success+r.Plaintext > row.Deliveries {
			t.Errorf("%s: %d successful sessions, %d plaintext; pftls report has %d TLS of %d deliveries",
				r.PolicyDomain, sum.Success, r.Plaintext, tlsDeliveries, row.Deliveries)
		}
		var details int64
		for _, d := range r.Report.Policies[0].FailureDetails {
			details += d.FailedSessionCount
		}
		if details != sum.Failure {
			t.Errorf("%s: failure details add up to %d, summary says %d", r.PolicyDomain, details, sum.Failure)
		}
		if sum.Failure > 0 {
			withFailures++
		}
		if r.Source != "pftls" || r.Check != nil {
			t.Errorf("%s: source %q: the corpus has no TLSRPT lines", r.PolicyDomain, r.Source)
		}
	}
	if withFailures == 0 {
		t.Error("no report with failures: the corpus has TLS failures")
	}
	// The successful count is exactly the report's TLS deliveries less
	// those with a TLS failure, counted here from the facts apart.
	st := corpusStore(t, corpusLog)
	var good = map[string]int64{}
	var all = map[string]int64{}
	err := st.Scan(context.Background(), aggregate.Query{From: tlsrptDay, To: tlsrptDay.AddDate(0, 0, 1)}, attemptSink(func(a *aggregate.Attempt) {
		if !a.InTLSMix() {
			return
		}
		all[a.Domain]++
		if a.TLSFailure == "" && a.TLSProtocol != "" && a.Service == "smtp" && (a.RelayPort == 25 || a.RelayPort == 0) {
			good[a.Domain]++
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range reports {
		if got := r.Report.Policies[0].Summary.Success; got != good[r.PolicyDomain] {
			t.Errorf("%s: %d successful sessions, want %d (TLS deliveries without a TLS failure)", r.PolicyDomain, got, good[r.PolicyDomain])
		}
		if all[r.PolicyDomain] != rows[r.PolicyDomain].Deliveries {
			t.Errorf("%s: %d deliveries in the TLS mix, pftls report has %d", r.PolicyDomain, all[r.PolicyDomain], rows[r.PolicyDomain].Deliveries)
		}
	}
}

// attemptSink hands a scan's attempts to a func and drops the rest.
type attemptSink func(*aggregate.Attempt)

func (f attemptSink) Attempt(a *aggregate.Attempt)       { f(a) }
func (attemptSink) Message(*aggregate.Message)           {}
func (attemptSink) TLSFailure(*aggregate.TLSFailure)     {}
func (attemptSink) Session(*aggregate.Session)           {}
func (attemptSink) SessionCount(*aggregate.SessionCount) {}
func (attemptSink) Reject(*aggregate.Reject)             {}
func (attemptSink) Warning(*aggregate.Warning)           {}
func (attemptSink) Unparsed(*aggregate.Unparsed)         {}
func (attemptSink) LineCount(*aggregate.LineCount)       {}

// Postfix 3.10 logged one failed handshake with selfsigned.example (two
// recipients) and one successful one with good.example (a second message
// reused the connection): the reports carry Postfix's counts, and pftls
// agrees with it on each handshake.
func TestTLSRPTPostfixLinesCounted(t *testing.T) {
	reports, _ := tlsrptFrom(t, "../testdata/logs/tls-tlsrpt-tlsproxy.log")
	got := map[string]TLSReport{}
	for _, r := range reports {
		got[r.PolicyDomain] = r
		js, err := r.JSON()
		if err != nil {
			t.Fatal(err)
		}
		validateTLSRPT(t, js)
	}
	for _, tc := range []struct {
		domain           string
		success, failure int64
		detail           TLSRPTFailureDetail
	}{
		{"good.example", 1, 0, TLSRPTFailureDetail{}},
		{"selfsigned.example", 0, 1, TLSRPTFailureDetail{ResultType: logparse.RFCValidationFailure, SendingMTAIP: "192.0.2.25",
			ReceivingMXHostname: "mail.selfsigned.example", ReceivingIP: "203.0.113.40", FailedSessionCount: 1,
			FailureReasonCode: "self-signed_certificate"}},
	} {
		r, ok := got[tc.domain]
		if !ok {
			t.Errorf("no report for %s", tc.domain)
			continue
		}
		p := r.Report.Policies[0]
		if p.Summary.Success != tc.success || p.Summary.Failure != tc.failure {
			t.Errorf("%s: %d successful, %d failed sessions; Postfix logged %d and %d", tc.domain,
				p.Summary.Success, p.Summary.Failure, tc.success, tc.failure)
		}
		if r.Source != "postfix" || r.Check == nil {
			t.Fatalf("%s: source %q, check %v: want Postfix's counts, compared", tc.domain, r.Source, r.Check)
		}
		if r.Check.Mismatch() {
			t.Errorf("%s: pftls disagrees with Postfix: %v", tc.domain, r.Check.Mismatches)
		}
		if tc.failure > 0 && (len(p.FailureDetails) != 1 || p.FailureDetails[0] != tc.detail) {
			t.Errorf("%s: failure details %+v, want %+v", tc.domain, p.FailureDetails, tc.detail)
		}
	}
}

// A mismatch between Postfix's result and pftls's classification is
// shown, never hidden.
func TestTLSRPTMismatchShown(t *testing.T) {
	day := tlsrptDay.Add(6 * time.Hour)
	facts := &tlsrptFacts{attempts: []aggregate.Attempt{
		{Time: day, Service: "smtp", Domain: "x.example", RelayHost: "mx.x.example", RelayAddr: "198.51.100.7",
			Status: logparse.StatusSent, TLSTrust: logparse.TrustVerified, TLSProtocol: "TLSv1.3",
			TLSRPT: "failure certificate-expired certificate_has_expired"},
	}}
	reports := facts.reports(tlsrptOptions())
	if len(reports) != 1 {
		t.Fatalf("%d reports, want 1", len(reports))
	}
	r := reports[0]
	if !r.Check.Mismatch() || !strings.Contains(r.Check.Mismatches[0], "Postfix failure certificate-expired, pftls success") {
		t.Errorf("mismatch not shown: %+v", r.Check)
	}
	if s := r.Report.Policies[0].Summary; s.Failure != 1 || s.Success != 0 {
		t.Errorf("summary %+v: Postfix's count (1 failure) is the report's", s)
	}
}

// The file name is RFC 8460 §5.3's, the report-id stable, and the mail
// a multipart/report of report-type tlsrpt with the gzip attachment.
func TestTLSRPTFileNameAndEmail(t *testing.T) {
	reports, _ := tlsrptFrom(t, "../testdata/logs/tls-tlsrpt-tlsproxy.log")
	r := reports[0]
	name := r.FileName()
	parts := strings.Split(strings.TrimSuffix(name, ".json.gz"), "!")
	if len(parts) != 5 || parts[0] != "mail.sender.test" || parts[1] != r.PolicyDomain ||
		parts[2] != fmt.Sprint(tlsrptDay.Unix()) || parts[3] != fmt.Sprint(tlsrptDay.Unix()+86399) || !strings.HasSuffix(name, ".json.gz") {
		t.Errorf("file name %q: want sender!policy-domain!begin!end!unique-id.json.gz", name)
	}
	again, _ := tlsrptFrom(t, "../testdata/logs/tls-tlsrpt-tlsproxy.log")
	if again[0].Report.ReportID != r.Report.ReportID || again[0].FileName() != name {
		t.Errorf("report-id not stable: %q then %q", r.Report.ReportID, again[0].Report.ReportID)
	}
	var buf bytes.Buffer
	err := WriteTLSRPTEmail(&buf, &r, TLSRPTEmail{From: "tlsrpt@sender.test", To: []string{"rua@good.example"}, Date: tlsrptDay, Host: "mail"})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("TLS-Report-Domain") != r.PolicyDomain || msg.Header.Get("TLS-Report-Submitter") != "mail.sender.test" {
		t.Errorf("TLS-Report-* headers: %v", msg.Header)
	}
	if !strings.Contains(msg.Header.Get("Subject"), "Report Domain: "+r.PolicyDomain) {
		t.Errorf("Subject %q", msg.Header.Get("Subject"))
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/report" || params["report-type"] != "tlsrpt" {
		t.Fatalf("Content-Type %q", msg.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var found bool
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if p.Header.Get("Content-Type") == "" || !strings.HasPrefix(p.Header.Get("Content-Type"), "application/tlsrpt+gzip") {
			continue
		}
		found = true
		if p.FileName() != name {
			t.Errorf("attachment named %q, want %q", p.FileName(), name)
		}
		data, _ := io.ReadAll(p) // multipart decodes base64 only for quoted-printable; do it here
		gz, err := decodeBase64Lines(data)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(gz))
		if err != nil {
			t.Fatal(err)
		}
		js, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		validateTLSRPT(t, js)
	}
	if !found {
		t.Error("no application/tlsrpt+gzip attachment")
	}
}

func decodeBase64Lines(data []byte) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(data)), ""))
}

// Only SMTP to an MX counts: a submission relayhost (port 587) and an
// LMTP delivery are no session with the domain's MX; a plaintext delivery
// is counted beside the report, and a local fault is not reported.
func TestTLSRPTLeavesOutRelaysPlaintextAndLocalFaults(t *testing.T) {
	at := tlsrptDay.Add(time.Hour)
	tls := func(service string, port int) aggregate.Attempt {
		return aggregate.Attempt{Time: at, Service: service, Domain: "y.example", RelayHost: "mx.y.example", RelayAddr: "198.51.100.8",
			RelayPort: port, Status: logparse.StatusSent, TLSTrust: logparse.TrustTrusted, TLSProtocol: "TLSv1.3"}
	}
	plain := tls("smtp", 25)
	plain.TLSTrust, plain.TLSProtocol = logparse.TrustNone, ""
	facts := &tlsrptFacts{
		attempts: []aggregate.Attempt{tls("smtp", 25), tls("smtp", 587), tls("lmtp", 24), plain},
		failures: []aggregate.TLSFailure{
			{Time: at, Direction: logparse.DirOutbound, Domain: "y.example", PeerHost: "mx.y.example", PeerAddr: "198.51.100.8",
				Kind: logparse.TLSLocalUnavailable},
			{Time: at, Direction: logparse.DirInbound, Domain: "y.example", Kind: logparse.TLSHandshake, RFC8460: logparse.RFCValidationFailure},
		},
	}
	reports := facts.reports(tlsrptOptions())
	if len(reports) != 1 {
		t.Fatalf("%d reports, want 1", len(reports))
	}
	r := reports[0]
	if s := r.Report.Policies[0].Summary; s.Success != 1 || s.Failure != 0 || r.Plaintext != 1 || r.LocalFaults != 1 {
		t.Errorf("summary %+v, plaintext %d, local faults %d; want 1 success, 0 failures, 1 and 1", s, r.Plaintext, r.LocalFaults)
	}
	if len(facts.reports(TLSRPTOptions{Day: tlsrptDay, Domains: []string{"z.example"}})) != 0 {
		t.Error("--domain z.example made a report for y.example")
	}
}

// The policy type is what the log shows: DANE (tls=dane, a TLSA failure),
// MTA-STS (an sts-* policy failure), else no policy found.
func TestTLSRPTPolicyType(t *testing.T) {
	at := tlsrptDay.Add(time.Hour)
	sent := func(domain, policy string) aggregate.Attempt {
		return aggregate.Attempt{Time: at, Service: "smtp", Domain: domain, RelayHost: "mx." + domain, RelayAddr: "198.51.100.9",
			RelayPort: 25, Status: logparse.StatusSent, TLSTrust: logparse.TrustVerified, TLSProtocol: "TLSv1.3",
			TLSPolicy: logparse.ParseTLSPolicy(policy)}
	}
	// A DANE failure only Postfix's TLSRPT line names.
	logDANE := sent("log-dane.example", "may")
	logDANE.TLSRPT = "failure tlsa-invalid"
	facts := &tlsrptFacts{
		attempts: []aggregate.Attempt{sent("dane.example", "dane"), sent("sts.example", "secure"), sent("none.example", "may"), logDANE},
		failures: []aggregate.TLSFailure{{Time: at, Direction: logparse.DirOutbound, Domain: "sts.example",
			Kind: logparse.TLSExternalPolicy, RFC8460: logparse.RFCSTSWebPKIInvalid}},
	}
	got := map[string]string{}
	for _, r := range facts.reports(tlsrptOptions()) {
		got[r.PolicyDomain] = r.Report.Policies[0].Policy.PolicyType
	}
	want := map[string]string{"dane.example": PolicyTLSA, "sts.example": PolicySTS, "none.example": PolicyNotFound,
		"log-dane.example": PolicyTLSA}
	for d, w := range want {
		if got[d] != w {
			t.Errorf("%s: policy-type %q, want %q", d, got[d], w)
		}
	}
}

// TestTLSRPTEmailOneRecipient: a destination comes from the policy
// domain's DNS (rua=mailto:...): one that names more than one address
// would add recipients ("sendmail -t" mails every To), so it is refused.
func TestTLSRPTEmailOneRecipient(t *testing.T) {
	reports, _ := tlsrptFrom(t, "../testdata/logs/tls-tlsrpt-tlsproxy.log")
	for _, tc := range []struct {
		to string
		ok bool
	}{
		{"rua@good.example", true},
		{"root,rua@evil.example", false},
		{"rua@evil.example, postmaster@victim.example", false},
		{"rua@evil.example\r\nBcc: victim@example.org", false},
		{"", false},
	} {
		var buf bytes.Buffer
		err := WriteTLSRPTEmail(&buf, &reports[0], TLSRPTEmail{From: "tlsrpt@sender.test", To: []string{tc.to}, Date: tlsrptDay, Host: "mail"})
		if (err == nil) != tc.ok {
			t.Errorf("To %q: error %v, want ok %v", tc.to, err, tc.ok)
		}
		if err == nil && !strings.Contains(buf.String(), "\r\nTo: "+tc.to+"\r\n") {
			t.Errorf("To %q: header not found in\n%.400s", tc.to, buf.String())
		}
	}
}

// Postfix's TLSRPT result of a handshake outside the report (a relay on
// port 587) counts where an attempt in the report shows that the log has
// Postfix's lines for the domain (its counts are Postfix's), and makes no
// report on its own.
func TestTLSRPTPostfixLineOutsideTheReport(t *testing.T) {
	at := tlsrptDay.Add(2 * time.Hour)
	sent := func(domain string, port int) aggregate.Attempt {
		return aggregate.Attempt{Time: at, Service: "smtp", Domain: domain, RelayHost: "mx." + domain, RelayAddr: "198.51.100.10",
			RelayPort: port, Status: logparse.StatusSent, TLSTrust: logparse.TrustTrusted, TLSProtocol: "TLSv1.3", TLSRPT: "success"}
	}
	facts := &tlsrptFacts{attempts: []aggregate.Attempt{sent("relay.example", 587), sent("both.example", 587), sent("both.example", 25)}}
	got := map[string]TLSRPTSummary{}
	for _, r := range facts.reports(tlsrptOptions()) {
		if r.Source != "postfix" {
			t.Errorf("%s: source %q, want postfix", r.PolicyDomain, r.Source)
		}
		got[r.PolicyDomain] = r.Report.Policies[0].Summary
	}
	want := map[string]TLSRPTSummary{"both.example": {Success: 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("summaries %v, want %v", got, want)
	}
}

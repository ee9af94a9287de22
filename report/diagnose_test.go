package report

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// modelOf ingests logs into an in-memory store and builds a model with opts.
func modelOf(t *testing.T, opts Options, paths ...string) *Model {
	t.Helper()
	ctx := context.Background()
	st, err := aggregate.Open(ctx, aggregate.Memory, aggregate.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	pump := aggregate.Pump{Store: st, Corr: aggregate.NewCorrelator(aggregate.DefaultOptions),
		Resolver: func(source.Identity) logparse.Resolver { return logparse.Resolver{Year: 2026, Location: time.UTC} }}
	for _, p := range paths {
		r, err := source.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pump.IngestReader(ctx, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	opts.Zone = time.UTC
	m, err := Build(ctx, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func findDiagnosis(ds []Diagnosis, domain string) (Diagnosis, bool) {
	for _, d := range ds {
		if d.Domain == domain {
			return d, true
		}
	}
	return Diagnosis{}, false
}

// TestDiagnoseCorpusScenarios: every TLS scenario of the real corpus gets
// the finding it is built to produce, and no healthy domain gets one.
func TestDiagnoseCorpusScenarios(t *testing.T) {
	m := modelOf(t, Options{}, corpusLog)
	want := map[string]struct{ id, confidence string }{
		"bank.example.net":       {"untrusted-issuer", High},
		"gov.example.org":        {"certificate-expired", High},
		"health.example.com":     {"self-signed-certificate", High},
		"acme.example.org":       {"name-mismatch", Medium},
		"hosting.example.net":    {"name-mismatch", Medium},
		"legal.example.net":      {"name-mismatch", Medium},
		"school.example.org":     {"starttls-not-offered", High},
		"modern.example.net":     {"tls-handshake-failure", Medium},
		"oldpartner.example.net": {"tls-handshake-failure", Medium},
	}
	if len(m.Diagnoses) != len(want) {
		t.Errorf("%d diagnoses, want %d: %+v", len(m.Diagnoses), len(want), m.Diagnoses)
	}
	for domain, w := range want {
		d, ok := findDiagnosis(m.Diagnoses, domain)
		if !ok {
			t.Errorf("%s: no diagnosis", domain)
			continue
		}
		if d.ID != w.id || d.Confidence != w.confidence {
			t.Errorf("%s: %s/%s, want %s/%s", domain, d.ID, d.Confidence, w.id, w.confidence)
		}
		if len(d.Lines) == 0 || d.Advice == "" || len(d.Params) == 0 {
			t.Errorf("%s: want evidence lines, advice and parameters: %+v", domain, d)
		}
	}
	bank, _ := findDiagnosis(m.Diagnoses, "bank.example.net")
	if !strings.Contains(bank.Finding, "/O=Unknown Org/CN=Rogue Untrusted Issuing CA") {
		t.Errorf("bank: the finding should name the issuer: %q", bank.Finding)
	}
	if !strings.Contains(bank.Lines[0], "untrusted issuer") {
		t.Errorf("bank: first evidence line = %q", bank.Lines[0])
	}
	old, _ := findDiagnosis(m.Diagnoses, "oldpartner.example.net")
	if !strings.Contains(old.Evidence, "plaintext") || !strings.Contains(old.Evidence, "may") {
		t.Errorf("oldpartner: should say the mail went out in plaintext at level may: %q", old.Evidence)
	}
	modern, _ := findDiagnosis(m.Diagnoses, "modern.example.net")
	if !strings.Contains(modern.Advice, "smtp_tls_protocols") {
		t.Errorf("modern: advice should name the protocol settings: %q", modern.Advice)
	}
}

// TestDiagnoseNoFalseAlarms: a window with no TLS problem has no findings.
func TestDiagnoseNoFalseAlarms(t *testing.T) {
	for _, domain := range []string{"gmx.example", "corp.example.com", "intranet.example.org", "strict.example.com", "down.example.org"} {
		m := modelOf(t, Options{Domain: domain}, corpusLog)
		if len(m.Diagnoses) != 0 {
			t.Errorf("%s: want no diagnosis, got %+v", domain, m.Diagnoses)
		}
	}
}

// TestDiagnoseLocalTrustStore: unrelated domains all failing with untrusted
// issuers point to this host's missing CA bundle, not to them.
func TestDiagnoseLocalTrustStore(t *testing.T) {
	m := modelOf(t, Options{}, "testdata/diagnose-trust-store.log")
	if len(m.Diagnoses) != 1 {
		t.Fatalf("want one finding about the trust store, got %+v", m.Diagnoses)
	}
	d := m.Diagnoses[0]
	if d.Domain != "*" || d.ID != "local-trust-store" || d.Confidence != High {
		t.Errorf("got %s %s %s", d.Domain, d.ID, d.Confidence)
	}
	if !strings.Contains(d.Advice, "smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt") {
		t.Errorf("advice = %q", d.Advice)
	}
	// With the configuration read, the finding quotes it.
	cfg := &PostfixConfig{Source: "postconf -n", Params: map[string]string{"smtp_tls_security_level": "verify"}}
	m = modelOf(t, Options{Config: cfg}, "testdata/diagnose-trust-store.log")
	if d := m.Diagnoses[0]; d.Confidence != High || !strings.Contains(d.Evidence, "smtp_tls_CAfile and smtp_tls_CApath are not set") {
		t.Errorf("with config: %s %q", d.Confidence, d.Evidence)
	}
	cfg.Params["smtp_tls_CAfile"] = "/etc/ssl/certs/ca-certificates.crt"
	m = modelOf(t, Options{Config: cfg}, "testdata/diagnose-trust-store.log")
	if d := m.Diagnoses[0]; d.Confidence != Medium || !strings.Contains(d.Evidence, "/etc/ssl/certs/ca-certificates.crt") {
		t.Errorf("with a CAfile set: %s %q", d.Confidence, d.Evidence)
	}
}

// TestDiagnoseFastmail is the brief's case: Trusted, then not verified,
// with the MX in another domain: the secure level's default match rule.
func TestDiagnoseFastmail(t *testing.T) {
	cfg := &PostfixConfig{Source: "postconf -n", Params: map[string]string{},
		Policy: []PolicyEntry{{File: "/etc/postfix/tls_policy", Line: 3, Key: "fastmail.fm", Value: "secure"}}}
	m := modelOf(t, Options{Config: cfg}, "testdata/diagnose-fastmail.log")
	d, ok := findDiagnosis(m.Diagnoses, "fastmail.fm")
	if !ok {
		t.Fatalf("no diagnosis: %+v", m.Diagnoses)
	}
	if d.ID != "name-mismatch" || d.Confidence != High {
		t.Errorf("got %s/%s", d.ID, d.Confidence)
	}
	for _, want := range []string{"fastmail.fm secure match=.messagingengine.com", "verify"} {
		if !strings.Contains(d.Advice, want) {
			t.Errorf("advice lacks %q: %q", want, d.Advice)
		}
	}
	if !strings.Contains(d.Evidence, "/etc/postfix/tls_policy:3: fastmail.fm secure") {
		t.Errorf("evidence should quote the policy line: %q", d.Evidence)
	}
}

// TestDiagnoseTrend: a domain that delivered over TLS before the window and
// fails inside it "started failing".
func TestDiagnoseTrend(t *testing.T) {
	from := time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC)
	m := modelOf(t, Options{From: from, To: from.Add(time.Hour)}, "testdata/diagnose-trend.log")
	d, ok := findDiagnosis(m.Diagnoses, "gmx.example")
	if !ok {
		t.Fatalf("no diagnosis: %+v", m.Diagnoses)
	}
	if !strings.Contains(d.Evidence, "started failing at 2026-11-23T00:40:17Z") || !strings.Contains(d.Evidence, "2026-11-23T00:10:05Z") {
		t.Errorf("evidence = %q", d.Evidence)
	}
}

func TestParsePostconf(t *testing.T) {
	in := "# main.cf\nsmtp_tls_security_level = may\nsmtp_tls_policy_maps = hash:/etc/postfix/tls_policy,\n    socketmap:inet:127.0.0.1:8461:postfix\nsmtp_tls_CAfile =\n"
	p, err := ParsePostconf(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if p["smtp_tls_security_level"] != "may" || p["smtp_tls_CAfile"] != "" {
		t.Errorf("params = %v", p)
	}
	if v, ok := p["smtp_tls_CAfile"]; !ok || v != "" {
		t.Errorf("an empty value must still be set")
	}
	files := PolicyMapFiles(p)
	if len(files) != 1 || files[0] != "/etc/postfix/tls_policy" {
		t.Errorf("policy files = %v", files)
	}
	entries, err := ParsePolicyFile("/etc/postfix/tls_policy", strings.NewReader("# bank\n[mx.bank.example.net] verify\n.example.com\tsecure match=.example.com\n"))
	if err != nil || len(entries) != 2 || entries[0].Line != 2 || entries[1].Key != ".example.com" {
		t.Fatalf("entries = %+v, %v", entries, err)
	}
	cfg := &PostfixConfig{Policy: entries}
	if e, ok := cfg.PolicyFor("bank.example.net", []string{"mx.bank.example.net"}); !ok || e.Value != "verify" {
		t.Errorf("PolicyFor(bank) = %+v, %v", e, ok)
	}
	if e, ok := cfg.PolicyFor("corp.example.com", nil); !ok || e.Key != ".example.com" {
		t.Errorf("PolicyFor(corp) = %+v, %v", e, ok)
	}
}

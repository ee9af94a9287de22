package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/report"
)

const logsDir = "../../testdata/logs/"

func outboundRow(m *report.Model, domain string) report.TLSDomainRow {
	for _, r := range m.TLS.Outbound.Domains {
		if r.Domain == domain {
			return r
		}
	}
	return report.TLSDomainRow{}
}

// At smtp_tls_loglevel 0, Postfix 3.11's tls= field is the only TLS
// evidence: deliveries with it are not plaintext.
func TestReportTLSPolicyFieldAtLoglevel0(t *testing.T) {
	m := reportJSON(t, logsDir+"tls-policy-loglevel0.log")
	tests := []struct {
		domain                                string
		verified, encrypted, plaintext, noTLS int64
		tlsPercent                            float64
		policy, meaning                       string
	}{
		{"dane.example", 1, 0, 0, 0, 100, "", ""},
		{"may.example", 0, 1, 0, 0, 100, "", ""},
		{"oldpartner.example", 0, 0, 1, 0, 0, "may:none", "downgrade"},
		{"hosted.example", 0, 1, 0, 0, 100, "dane:halfdane", "downgrade"},
		{"notlsa.example", 0, 1, 0, 0, 100, "dane:encrypt/requiretls", "downgrade"},
		{"bank.example", 0, 0, 0, 1, 0, "!secure", "violation"},
	}
	for _, tt := range tests {
		r := outboundRow(m, tt.domain)
		if r.Verified != tt.verified || r.Encrypted != tt.encrypted || r.Plaintext != tt.plaintext || r.NoTLS != tt.noTLS ||
			r.TLSPercent != tt.tlsPercent {
			t.Errorf("%s: verified %d encrypted %d plaintext %d tls-failed %d (%.0f%% TLS), want %d %d %d %d (%.0f%%)", tt.domain,
				r.Verified, r.Encrypted, r.Plaintext, r.NoTLS, r.TLSPercent, tt.verified, tt.encrypted, tt.plaintext, tt.noTLS, tt.tlsPercent)
		}
		var got report.PolicyCount
		if len(r.Policies) > 0 {
			got = r.Policies[0]
		}
		if got.Policy != tt.policy || got.Meaning != tt.meaning {
			t.Errorf("%s: tls= outcome %+v, want %s (%s)", tt.domain, r.Policies, tt.policy, tt.meaning)
		}
	}
	if got := m.TLS.Outbound.ByTrust["plaintext"]; got != 1 {
		t.Errorf("%d plaintext attempts overall, want 1 (only may:none)", got)
	}
}

// The tls= field survives the store: a report read back from the
// database says what the in-memory one says.
func TestTLSPolicyFieldSurvivesTheStore(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pftls.db")
	args := []string{"report", "--year", "2026", "--tz", "UTC", "--format", "json", "--all"}
	log := logsDir + "tls-policy-loglevel0.log"
	_, direct, errOut := runCLI(t, "", append(append(args, "--db", ":memory:"), log)...)
	if errOut != "" {
		t.Fatal(errOut)
	}
	_, stored, errOut := runCLI(t, "", append(append(args, "--db", db), log)...)
	if errOut != "" {
		t.Fatal(errOut)
	}
	var a, b report.Model
	if err := json.Unmarshal([]byte(direct), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(stored), &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.TLS.Outbound, b.TLS.Outbound) {
		t.Errorf("stored outbound TLS differs:\n%+v\n%+v", a.TLS.Outbound, b.TLS.Outbound)
	}
	if r := outboundRow(&b, "hosted.example"); r.Encrypted != 1 || len(r.Policies) != 1 {
		t.Errorf("stored hosted.example: %+v", r)
	}
}

// findingCase is one fixture's expected TLS failure and diagnosis, the
// same in report and explain, text and JSON.
type findingCase struct {
	log, domain string
	kind, rfc   string
	detail      string   // part of the failure's detail
	id          string   // the diagnosis
	advice      []string // parts of the diagnosis's finding or advice: the exact thing to change
	param       string
}

var policyCases = []findingCase{
	{log: "tls-mta-sts-plugin.log", domain: "web.de", kind: "policy-error",
		detail: "socketmap:inet:10.3.0.44:8462:query", id: "tls-policy-source-failed",
		advice: []string{"inet:10.3.0.44:8462", "postmap -q web.de socketmap:inet:10.3.0.44:8462:query"}, param: "smtp_tls_policy_maps"},
	{log: "tls-mta-sts-plugin.log", domain: "gmx.net", kind: "policy-error",
		detail: `invalid attribute name: "policy_type"`, id: "tls-policy-plugin-newer",
		advice: []string{"newer than Postfix", "Postfix 3.10"}, param: "smtp_tls_policy_maps"},
	{log: "tls-dane-relay-none.log", domain: "learndmarc.com", kind: "dane-required", rfc: "dane-required",
		detail: "no TLSA records found", id: "dane-required-unavailable",
		advice: []string{"'learndmarc.com dane' in smtp_tls_policy_maps"}, param: "smtp_tls_policy_maps"},
	{log: "tls-dane-relay-none.log", domain: "pcloud.email", kind: "dnssec-invalid", rfc: "dnssec-invalid",
		detail: "TLSA lookup error for mailn.pcloud.email:25", id: "tlsa-lookup-failed",
		advice: []string{"dig +dnssec TLSA _25._tcp.mailn.pcloud.email", "'pcloud.email may'"}, param: "smtp_dns_support_level"},
	{log: "tls-dane-relay-none.log", domain: "rwth-aachen.de", kind: "dane-required", rfc: "dane-required",
		detail: "non DNSSEC destination", id: "dane-required-unavailable",
		advice: []string{"'rwth-aachen.de dane'"}, param: "smtp_tls_policy_maps"},
}

func checkFindings(t *testing.T, cases []findingCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.domain, func(t *testing.T) {
			m := reportJSON(t, logsDir+c.log)
			f := findFailure(m, c.domain)
			if string(f.Kind) != c.kind || string(f.RFC8460) != c.rfc || !strings.Contains(f.Detail, c.detail) {
				t.Errorf("report: failure %s/%q detail %q, want %s/%q with %q", f.Kind, f.RFC8460, f.Detail, c.kind, c.rfc, c.detail)
			}
			d := findDiagnosis(m.Diagnoses, c.domain)
			checkDiagnosis(t, "report", d, c)
			code, text, errOut := runCLI(t, "", "report", "--db", ":memory:", "--year", "2026", "--tz", "UTC", "--width", "2000", logsDir+c.log)
			if code != exitOK {
				t.Fatalf("report: exit %d: %s", code, errOut)
			}
			for _, want := range append([]string{c.domain, c.kind, " high ", c.detail}, c.advice...) {
				if !strings.Contains(text, want) {
					t.Errorf("report text lacks %q", want)
				}
			}
			code, out, errOut := runCLI(t, "", "explain", "--db", ":memory:", "--year", "2026", "--tz", "UTC", c.domain, logsDir+c.log)
			if code != exitOK {
				t.Fatalf("explain: exit %d: %s", code, errOut)
			}
			if strings.Contains(out, "no TLS problem found") || strings.Contains(out, "()") || strings.Contains(out, "(unknown)") {
				t.Errorf("explain text says no problem, or has empty parentheses or a placeholder:\n%s", out)
			}
			for _, want := range append([]string{"Diagnosis (high confidence)", "TLS failure: " + c.kind, c.detail}, c.advice...) {
				if !strings.Contains(out, want) {
					t.Errorf("explain text lacks %q:\n%s", want, out)
				}
			}
			code, out, errOut = runCLI(t, "", "explain", "--db", ":memory:", "--year", "2026", "--tz", "UTC", "--format", "json", c.domain, logsDir+c.log)
			if code != exitOK {
				t.Fatalf("explain json: exit %d: %s", code, errOut)
			}
			var ex report.ExplainJSON
			if err := json.Unmarshal([]byte(out), &ex); err != nil {
				t.Fatal(err)
			}
			checkDiagnosis(t, "explain json", findDiagnosis(ex.Diagnoses, c.domain), c)
		})
	}
}

func findDiagnosis(ds []report.Diagnosis, domain string) report.Diagnosis {
	for _, d := range ds {
		if d.Domain == domain {
			return d
		}
	}
	return report.Diagnosis{}
}

func checkDiagnosis(t *testing.T, where string, d report.Diagnosis, c findingCase) {
	t.Helper()
	if d.ID != c.id || d.Confidence != report.High || !slices.Contains(d.Params, c.param) {
		t.Errorf("%s: diagnosis %q (%s) params %v, want %q high with %s", where, d.ID, d.Confidence, d.Params, c.id, c.param)
	}
	text := d.Finding + " " + d.Advice
	for _, want := range c.advice {
		if !strings.Contains(text, want) {
			t.Errorf("%s: diagnosis lacks %q: %s", where, want, text)
		}
	}
	if strings.Contains(text, "()") || strings.Contains(text, "(unknown)") || strings.Contains(text, "(local)") {
		t.Errorf("%s: diagnosis has empty parentheses or a placeholder: %s", where, text)
	}
}

// Deliveries the TLS policy stopped before any server (relay=none) are TLS
// failures with a diagnosis that names the broken policy source.
func TestPolicyFailuresWithoutARelay(t *testing.T) { checkFindings(t, policyCases) }

var caBundleCases = []findingCase{
	{log: "tls-public-ca-untrusted.log", domain: "t-online.de", kind: "untrusted-issuer", rfc: "validation-failure",
		detail: "/C=DE/O=Deutsche Telekom AG/OU=T-TeleSec Trust Center/CN=Deutsche Telekom Root CA 2", id: "no-ca-bundle",
		advice: []string{"smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt", "public CA"}, param: "smtp_tls_CAfile"},
}

// An untrusted issuer that is a public CA means no CA bundle, for certain,
// even at one domain.
func TestPublicCAUntrustedIsNoCABundle(t *testing.T) { checkFindings(t, caBundleCases) }

// At level may a missing CA bundle fails nothing: every session with the
// big providers is just Untrusted. That is a finding of its own.
func TestMayLevelAllUntrustedIsNoCABundle(t *testing.T) {
	log := logsDir + "tls-may-all-untrusted.log"
	m := reportJSON(t, log)
	if len(m.TLSFailures) != 0 {
		t.Errorf("Untrusted at level may is no TLS failure: %+v", m.TLSFailures)
	}
	d := findDiagnosis(m.Diagnoses, "*")
	if d.ID != "no-ca-bundle" || d.Confidence != report.High || !strings.Contains(d.Advice, "smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt") {
		t.Errorf("report diagnosis: %+v", d)
	}
	for _, domain := range []string{"gmail.com", "outlook.com", "web.de"} {
		if !strings.Contains(d.Finding, domain) {
			t.Errorf("finding does not name %s: %s", domain, d.Finding)
		}
	}
	code, out, errOut := runCLI(t, "", "explain", "--db", ":memory:", "--year", "2026", "--tz", "UTC", "gmail.com", log)
	if code != exitOK {
		t.Fatalf("explain: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "smtp_tls_CAfile = /etc/ssl/certs/ca-certificates.crt") || strings.Contains(out, "no TLS problem found") {
		t.Errorf("explain gmail.com does not name the fix:\n%s", out)
	}
	code, out, _ = runCLI(t, "", "explain", "--db", ":memory:", "--year", "2026", "--tz", "UTC", "--format", "json", "gmail.com", log)
	var ex report.ExplainJSON
	if err := json.Unmarshal([]byte(out), &ex); err != nil || code != exitOK {
		t.Fatalf("explain json: exit %d: %v", code, err)
	}
	if d := findDiagnosis(ex.Diagnoses, "*"); d.ID != "no-ca-bundle" || d.Confidence != report.High {
		t.Errorf("explain json diagnosis: %+v", d)
	}
}

// One cause, one finding: a failing public-CA domain is not also an
// "Untrusted at level may" provider.
func TestPublicCAUntrustedHasOneFinding(t *testing.T) {
	m := reportJSON(t, logsDir+"tls-public-ca-untrusted.log")
	if len(m.Diagnoses) != 1 {
		t.Errorf("want one diagnosis, got %+v", m.Diagnoses)
	}
}

var tlsproxyCases = []findingCase{
	{log: "tls-tlsrpt-tlsproxy.log", domain: "selfsigned.example", kind: "self-signed", rfc: "validation-failure",
		detail: "self-signed certificate", id: "self-signed-certificate",
		advice: []string{"'selfsigned.example fingerprint match=<sha256 digest>' in smtp_tls_policy_maps"}, param: "smtp_tls_policy_maps"},
}

// With connection reuse the certificate failure is tlsproxy's line, not
// the delivering smtp process's: it still explains the delivery.
func TestTLSProxyFailureExplainsTheDelivery(t *testing.T) {
	checkFindings(t, tlsproxyCases)
	m := reportJSON(t, logsDir+"tls-tlsrpt-tlsproxy.log")
	if len(m.TLSFailures) != 1 {
		t.Errorf("want the one self-signed failure (tlsproxy's session not counted again), got %+v", m.TLSFailures)
	}
	f := findFailure(m, "selfsigned.example")
	if len(f.Evidence) == 0 || !strings.Contains(f.Evidence[0], "postfix/tlsproxy[8101]: certificate verification failed") {
		t.Errorf("evidence lacks tlsproxy's line: %q", f.Evidence)
	}
}

// Postfix 3.10's TLSRPT results, per domain, beside pftls's own view.
func TestTLSRPTResultsPerDomain(t *testing.T) {
	m := reportJSON(t, logsDir+"tls-tlsrpt-tlsproxy.log")
	got := map[string]report.TLSRPTRow{}
	for _, r := range m.TLS.Outbound.TLSRPT {
		got[r.Domain] = r
	}
	bad, good := got["selfsigned.example"], got["good.example"]
	if bad.Failure != 1 || bad.Success != 0 || len(bad.Failures) != 1 || bad.Failures[0].Reason != "validation-failure self-signed_certificate" ||
		len(bad.PFTLS) != 1 || bad.PFTLS[0].Reason != "self-signed" {
		t.Errorf("selfsigned.example: %+v", bad)
	}
	if good.Success != 1 || good.Failure != 0 || len(good.PFTLS) != 1 || good.PFTLS[0].Reason != "verified" {
		t.Errorf("good.example (the reused connection has no TLSRPT line of its own): %+v", good)
	}
	_, out, _ := runCLI(t, "", "explain", "--db", ":memory:", "--year", "2026", "--tz", "UTC", "selfsigned.example", logsDir+"tls-tlsrpt-tlsproxy.log")
	if !strings.Contains(out, "TLSRPT (logged by Postfix): 0 success, 1 failure (1× validation-failure self-signed_certificate); pftls: 1× self-signed") {
		t.Errorf("explain does not show the TLSRPT results:\n%s", out)
	}
}

var nextHopCases = []findingCase{
	{log: "tls-recipient-without-domain.log", domain: "[smarthost.isp.example]:587", kind: "untrusted-issuer", rfc: "validation-failure",
		detail: "/O=ISP Example/CN=ISP Example Internal CA", id: "untrusted-issuer",
		advice: []string{"'[smarthost.isp.example]:587 encrypt' in smtp_tls_policy_maps"}, param: "smtp_tls_policy_maps"},
}

// A recipient without a domain: the TLS policy is the next hop's, and the
// advice names it, never "(local)" or "(unknown)".
func TestFailureKeyedByTheNextHop(t *testing.T) {
	checkFindings(t, nextHopCases)
	m := reportJSON(t, logsDir+"tls-recipient-without-domain.log")
	for _, f := range m.TLSFailures {
		if strings.HasPrefix(f.Domain, "(") {
			t.Errorf("failure filed under a placeholder: %+v", f)
		}
	}
}

// One address that got two messages is two recipients, in every section;
// per-domain delivered leaves out local "forwarded as" lines like the
// totals; a domain whose every attempt failed says no mail went.
func TestReportCountsAgreeAcrossSections(t *testing.T) {
	m := reportJSON(t, corpusLog)
	f := findFailure(m, "gov.example.org")
	var def report.DeferralRow
	for _, d := range m.Deferrals {
		if d.Domain == "gov.example.org" {
			def = d
		}
	}
	if f.Recipients != 13 || def.Recipients != 13 {
		t.Errorf("gov.example.org: %d recipients in TLS failures, %d in deferrals; want 13 envelope recipients in both", f.Recipients, def.Recipients)
	}
	var delivered int64
	for _, d := range m.Domains {
		if d.Domain == "sender.test" && d.Delivered != 265 {
			t.Errorf("sender.test delivered %d, want 265 (4 'forwarded as' lines left out)", d.Delivered)
		}
		delivered += d.Delivered
	}
	if delivered > m.Totals.Delivered {
		t.Errorf("domains deliver %d, more than the total %d", delivered, m.Totals.Delivered)
	}
	tb, _ := m.Table("tls-outbound", time.UTC)
	for _, row := range tb.Rows {
		if row[0] == "bank.example.net" && !strings.Contains(row[3], "no mail sent") {
			t.Errorf("bank.example.net shown as %q without saying no mail went", row[3])
		}
	}
}

// Posture beyond trust: key exchange (post-quantum hybrid share), server
// signature, TLS 1.3, per domain and overall.
func TestOutboundPostureBeyondTrust(t *testing.T) {
	m := reportJSON(t, logsDir+"tls-may-all-untrusted.log")
	o := m.TLS.Outbound
	if o.PostQuantum != 1 || o.TLS13 != 2 || o.ByKeyExchange["X25519MLKEM768"] != 1 || o.BySignature["ECDSA (P-256)"] != 1 {
		t.Errorf("overall: pq %d tls13 %d kex %v sig %v", o.PostQuantum, o.TLS13, o.ByKeyExchange, o.BySignature)
	}
	g := outboundRow(m, "gmail.com")
	if g.PostQuantum != 1 || g.TLS13 != 1 || len(g.KeyExchanges) != 1 || g.KeyExchanges[0] != "X25519MLKEM768" ||
		len(g.ServerSignatures) != 1 || g.ServerSignatures[0] != "ECDSA (P-256)" {
		t.Errorf("gmail.com: %+v", g)
	}
	if r := outboundRow(m, "outlook.com"); r.TLS13 != 0 || r.PostQuantum != 0 || len(r.KeyExchanges) != 0 {
		t.Errorf("outlook.com (TLSv1.2, no key exchange logged): %+v", r)
	}
}

var loglevel0Cases = []findingCase{
	{log: "tls-policy-loglevel0.log", domain: "bank.example", kind: "not-verified", rfc: "validation-failure",
		detail: "Server certificate not verified", id: "certificate-not-verified",
		advice: []string{"tls=!secure", "smtp_tls_loglevel = 1"}, param: "smtp_tls_loglevel"},
}

// At loglevel 0 the tls= field names the level that was not met, and the
// downgrades that failed nothing.
func TestTLSPolicyFieldFindings(t *testing.T) {
	checkFindings(t, loglevel0Cases)
	m := reportJSON(t, logsDir+"tls-policy-loglevel0.log")
	for domain, want := range map[string]string{
		"oldpartner.example": "'oldpartner.example encrypt' in smtp_tls_policy_maps",
		"notlsa.example":     "'notlsa.example dane-only' in smtp_tls_policy_maps",
		"hosted.example":     "'hosted.example dane-only' in smtp_tls_policy_maps",
	} {
		d := findDiagnosis(m.Diagnoses, domain)
		if d.ID != "tls-downgrade" || d.Confidence != report.High || !strings.Contains(d.Advice, want) {
			t.Errorf("%s: %+v", domain, d)
		}
	}
	for _, domain := range []string{"dane.example", "may.example"} {
		if d := findDiagnosis(m.Diagnoses, domain); d.ID != "" {
			t.Errorf("%s complied with its policy, yet: %+v", domain, d)
		}
	}
}

// Inbound too: key exchange groups and the post-quantum share, through
// the store's per-minute counts as well as in memory.
func TestInboundKeyExchange(t *testing.T) {
	log := filepath.Join(t.TempDir(), "inbound.log")
	lines := "Nov 23 11:00:00 mx postfix/smtpd[7101]: connect from mta.outside.test[198.51.100.5]\n" +
		"Nov 23 11:00:00 mx postfix/smtpd[7101]: Anonymous TLS connection established from mta.outside.test[198.51.100.5]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519MLKEM768 server-signature ECDSA (P-256) server-digest SHA256\n" +
		"Nov 23 11:00:01 mx postfix/smtpd[7101]: disconnect from mta.outside.test[198.51.100.5] ehlo=2 starttls=1 quit=1 commands=4\n" +
		"Nov 23 11:00:02 mx postfix/smtpd[7102]: connect from old.outside.test[198.51.100.6]\n" +
		"Nov 23 11:00:02 mx postfix/smtpd[7102]: Anonymous TLS connection established from old.outside.test[198.51.100.6]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256\n" +
		"Nov 23 11:00:03 mx postfix/smtpd[7102]: disconnect from old.outside.test[198.51.100.6] ehlo=2 starttls=1 quit=1 commands=4\n"
	if err := os.WriteFile(log, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, db := range []string{":memory:", filepath.Join(t.TempDir(), "pftls.db")} {
		_, out, errOut := runCLI(t, "", "report", "--db", db, "--year", "2026", "--tz", "UTC", "--format", "json", "--all", log)
		var m report.Model
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("%s: %v %s", db, err, errOut)
		}
		in := m.TLS.Inbound
		if in.PostQuantum != 1 || in.ByKeyExchange["X25519"] != 1 || in.ByKeyExchange["X25519MLKEM768"] != 1 || in.TLS13 != 2 {
			t.Errorf("%s: inbound %+v", db, in)
		}
	}
}

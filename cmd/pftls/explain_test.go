package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pftls/pftls/report"
)

func TestExplainDomain(t *testing.T) {
	code, out, errOut := runCLI(t, "", "explain", "--db", ":memory:", "--year", "2026", "--tz", "UTC", "bank.example.net", corpusLog)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"Outcome: 0 delivered, 12 deferred messages (60 deferral lines), 0 bounced, 12 expired recipients",
		"MX hosts: mx.bank.example.net[127.0.0.12]:25",
		"TLS failure: untrusted-issuer x53 (RFC 8460 validation-failure): /O=Unknown Org/CN=Rogue Untrusted Issuing CA",
		"Diagnosis (high confidence)",
		"certificate verification failed for mx.bank.example.net[127.0.0.12]:25: untrusted issuer",
		"Timeline:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("explain output lacks %q", want)
		}
	}
}

func TestExplainHealthyDomainHasNoDiagnosis(t *testing.T) {
	code, out, _ := runCLI(t, "", "explain", "--db", ":memory:", "--year", "2026", "gmx.example", corpusLog)
	if code != exitOK || !strings.Contains(out, "Diagnosis: no TLS problem found") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

func TestExplainNeedsDomain(t *testing.T) {
	code, _, errOut := runCLI(t, "", "explain", "--db", ":memory:")
	if code != exitUsage || !strings.Contains(errOut, "name the destination domain") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// TestPostconfQuotesThePolicyLine: with --postconf, a diagnosis names the
// policy table line to change; the configuration is only read.
func TestPostconfQuotesThePolicyLine(t *testing.T) {
	dir := t.TempDir()
	policy := filepath.Join(dir, "tls_policy")
	if err := os.WriteFile(policy, []byte("# bank.example.net\n[mx.bank.example.net] verify\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	maincf := filepath.Join(dir, "main.cf")
	conf := "smtp_tls_security_level = may\nsmtp_tls_policy_maps = hash:" + policy + "\n"
	if err := os.WriteFile(maincf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "", "explain", "--db", ":memory:", "--year", "2026", "--postconf", maincf, "bank.example.net", corpusLog)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Policy entry to change: "+policy+":2: [mx.bank.example.net] verify") {
		t.Errorf("explain should quote the policy line:\n%s", out)
	}
	after, _ := os.ReadFile(maincf)
	if string(after) != conf {
		t.Errorf("main.cf was modified")
	}
}

// TestExplainJSON: "pftls explain --format json DOMAIN FILE" prints one
// valid JSON object of the documented shape, and --redact applies to it.
func TestExplainJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "", "explain", "--db", ":memory:", "--year", "2026", "--tz", "UTC", "--format", "json", "bank.example.net", corpusLog)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !json.Valid([]byte(out)) {
		t.Fatalf("explain --format json is not valid JSON:\n%s", out)
	}
	var ex report.ExplainJSON
	if err := json.Unmarshal([]byte(out), &ex); err != nil {
		t.Fatal(err)
	}
	if ex.Domain != "bank.example.net" || len(ex.TLSFailures) == 0 || len(ex.Diagnoses) == 0 || len(ex.Timeline) == 0 {
		t.Errorf("explain JSON lacks the domain's failures, diagnoses or timeline:\n%.1500s", out)
	}
	if !strings.Contains(out, "chris.novak@bank.example.net") {
		t.Fatalf("the corpus recipient is not in the unredacted JSON; the --redact check below would prove nothing")
	}
	code, out, errOut = runCLI(t, "", "explain", "--db", ":memory:", "--year", "2026", "--tz", "UTC", "--format", "json", "--redact", "bank.example.net", corpusLog)
	if code != exitOK || !json.Valid([]byte(out)) {
		t.Fatalf("--redact: exit %d: %s", code, errOut)
	}
	if strings.Contains(out, "chris.novak@") {
		t.Errorf("--redact left a recipient in explain's JSON")
	}
}

func TestExplainUnknownFormat(t *testing.T) {
	code, out, errOut := runCLI(t, "", "explain", "--db", ":memory:", "--format", "csv", "bank.example.net", corpusLog)
	if code != exitUsage || out != "" || !strings.Contains(errOut, `unknown --format "csv" (want one of text, json)`) ||
		!strings.Contains(errOut, "Try: pftls explain --format json") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
}

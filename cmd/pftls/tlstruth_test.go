package main

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"testing"

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

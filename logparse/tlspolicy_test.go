package logparse_test

import (
	"testing"

	"github.com/pftls/pftls/logparse"
)

// The shapes pol_stats_format (src/global/pol_stats.c) writes, with the
// names smtp.h and tls_level.c give them.
func TestParseTLSPolicy(t *testing.T) {
	f := func(name, final string, violated, undecided bool) logparse.PolicyFeature {
		return logparse.PolicyFeature{Name: name, Final: final, Violated: violated, Undecided: undecided}
	}
	tests := []struct {
		in                                            string
		level, reqtls                                 logparse.PolicyFeature
		verified, encrypted, plaintext, violated, low bool
	}{
		{in: "none", level: f("none", "", false, false), plaintext: true},
		{in: "may", level: f("may", "", false, false), encrypted: true},
		{in: "may?", level: f("may", "", false, true)},
		{in: "may:none", level: f("may", "none", false, false), plaintext: true, low: true},
		{in: "dane", level: f("dane", "", false, false), verified: true, encrypted: true},
		{in: "dane:halfdane", level: f("dane", "halfdane", false, false), encrypted: true, low: true},
		{in: "dane:encrypt", level: f("dane", "encrypt", false, false), encrypted: true, low: true},
		{in: "dane?", level: f("dane", "", false, true)},
		{in: "!secure", level: f("secure", "", true, false), violated: true},
		{in: "unknown?", level: f("unknown", "", false, true)},
		{in: "verify/requiretls", level: f("verify", "", false, false), reqtls: f("requiretls", "", false, false), verified: true, encrypted: true},
		{in: "may/!requiretls:nostarttls", level: f("may", "", false, false), reqtls: f("requiretls", "nostarttls", true, false), encrypted: true, violated: true},
		{in: "dane:encrypt/requiretls:nocertmatch", level: f("dane", "encrypt", false, false), reqtls: f("requiretls", "nocertmatch", false, false), encrypted: true, low: true},
	}
	for _, tt := range tests {
		p := logparse.ParseTLSPolicy(tt.in)
		if p.Level != tt.level || p.RequireTLS != tt.reqtls {
			t.Errorf("%q: got %+v / %+v, want %+v / %+v", tt.in, p.Level, p.RequireTLS, tt.level, tt.reqtls)
		}
		if p.String() != tt.in {
			t.Errorf("%q written back as %q", tt.in, p.String())
		}
		if p.Verified() != tt.verified || p.Encrypted() != tt.encrypted || p.Plaintext() != tt.plaintext ||
			p.Violated() != tt.violated || p.Level.Downgraded() != tt.low {
			t.Errorf("%q: verified %v encrypted %v plaintext %v violated %v downgraded %v", tt.in,
				p.Verified(), p.Encrypted(), p.Plaintext(), p.Violated(), p.Level.Downgraded())
		}
	}
	if !logparse.ParseTLSPolicy("").IsZero() {
		t.Error("an absent tls= field is not the zero TLSPolicy")
	}
}

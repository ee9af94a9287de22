package logparse

import "strings"

// TLSPolicy is the tls= field that Postfix 3.11 and later write on smtp and
// lmtp delivery lines, even at smtp_tls_loglevel 0 ("delays=0.08/0.01/3.5/1.9,
// tls=dane, dsn=2.0.0"). It is formatted by pol_stats_format
// (src/global/pol_stats.c) as features joined by "/", each written
// "[!]name[:final][?]": name is the policy the feature started with, final
// the state it ended in when that differs (a downgrade, "may:none"), "!" a
// violation that blocked the delivery, "?" a feature left undecided (the
// connection was lost, or the policy lookup failed: "unknown?").
//
// The first feature is the TLS security level (smtp.h
// SMTP_TLS_STAT_IDX_SEC_LEVEL): none, may, encrypt, fingerprint, halfdane,
// dane, dane-only, verify, secure, or unknown when the policy could not be
// looked up. The second, present when REQUIRETLS is enabled, is named
// "requiretls"; its final states are nocertmatch, nostarttls, noencryption
// and none.
//
// The zero TLSPolicy means the line had no tls= field. It is written back
// as it was read (String, MarshalText).
type TLSPolicy struct {
	Level      PolicyFeature `json:"level,omitzero"`
	RequireTLS PolicyFeature `json:"requiretls,omitzero"`
}

// PolicyFeature is one "[!]name[:final][?]" feature of a tls= field.
type PolicyFeature struct {
	Name      string `json:"name,omitempty"`      // the policy it started with: "dane", "may", "requiretls"
	Final     string `json:"final,omitempty"`     // the state it ended in, when not Name: "halfdane", "encrypt", "none"
	Violated  bool   `json:"violated,omitempty"`  // "!": the policy was not met and the delivery was blocked
	Undecided bool   `json:"undecided,omitempty"` // "?": left undecided (lost connection, failed lookup)
}

// The security levels and REQUIRETLS states a tls= field names.
const (
	PolicyNone        = "none"
	PolicyMay         = "may"
	PolicyEncrypt     = "encrypt"
	PolicyFingerprint = "fingerprint"
	PolicyHalfDANE    = "halfdane"
	PolicyDANE        = "dane"
	PolicyDANEOnly    = "dane-only"
	PolicyVerify      = "verify"
	PolicySecure      = "secure"
	PolicyUnknown     = "unknown"
	PolicyRequireTLS  = "requiretls"
	PolicyNoCertMatch = "nocertmatch"
	PolicyNoStartTLS  = "nostarttls"
	PolicyNoEncrypt   = "noencryption"
)

// ParseTLSPolicy reads a tls= value. It never fails: a feature it does not
// know is kept by name.
func ParseTLSPolicy(s string) TLSPolicy {
	var p TLSPolicy
	first := true
	for f := range strings.SplitSeq(s, "/") {
		if f == "" {
			continue
		}
		var pf PolicyFeature
		if strings.HasPrefix(f, "!") {
			pf.Violated, f = true, f[1:]
		}
		if strings.HasSuffix(f, "?") {
			pf.Undecided, f = true, f[:len(f)-1]
		}
		pf.Name, pf.Final, _ = strings.Cut(f, ":")
		if pf.Name == PolicyRequireTLS {
			p.RequireTLS = pf
		} else if first {
			p.Level = pf
		}
		first = false
	}
	return p
}

// IsZero reports whether the line had no tls= field.
func (p TLSPolicy) IsZero() bool {
	return p.Level == PolicyFeature{} && p.RequireTLS == PolicyFeature{}
}

// String writes the field the way Postfix does.
func (p TLSPolicy) String() string {
	var parts []string
	for _, f := range []PolicyFeature{p.Level, p.RequireTLS} {
		if f.Name != "" {
			parts = append(parts, f.String())
		}
	}
	return strings.Join(parts, "/")
}

// MarshalText writes the field as Postfix wrote it.
func (p TLSPolicy) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads the field back.
func (p *TLSPolicy) UnmarshalText(b []byte) error {
	*p = ParseTLSPolicy(string(b))
	return nil
}

// String writes one feature as "[!]name[:final][?]".
func (f PolicyFeature) String() string {
	s := f.Name
	if f.Violated {
		s = "!" + s
	}
	if f.Final != "" && f.Final != f.Name {
		s += ":" + f.Final
	}
	if f.Undecided {
		s += "?"
	}
	return s
}

// Achieved is the state the feature ended in: Final when it was
// downgraded, else Name.
func (f PolicyFeature) Achieved() string {
	if f.Final != "" {
		return f.Final
	}
	return f.Name
}

// Downgraded reports whether the feature ended weaker than it started
// without blocking the delivery: "may:none", "dane:halfdane",
// "dane:encrypt".
func (f PolicyFeature) Downgraded() bool {
	return !f.Violated && f.Final != "" && f.Final != f.Name
}

// Verified reports whether the achieved security level authenticates the
// server: the certificate matched a TLSA record, a fingerprint or a CA
// chain with the expected name (the policy was met, it was not blocked).
func (p TLSPolicy) Verified() bool {
	if p.Level.Violated || p.Level.Undecided {
		return false
	}
	switch p.Level.Achieved() {
	case PolicyDANE, PolicyDANEOnly, PolicyFingerprint, PolicyVerify, PolicySecure:
		return true
	}
	return false
}

// Encrypted reports whether the achieved security level used TLS. At
// "may", "encrypt" and "halfdane" the field does not say whether the
// certificate was trusted.
func (p TLSPolicy) Encrypted() bool {
	if p.Level.Violated || p.Level.Undecided {
		return false
	}
	switch p.Level.Achieved() {
	case "", PolicyNone, PolicyUnknown:
		return false
	}
	return true
}

// Plaintext reports whether the security level ended at "none": no TLS
// by policy ("none") or a downgrade ("may:none").
func (p TLSPolicy) Plaintext() bool {
	return !p.Level.Violated && !p.Level.Undecided && p.Level.Achieved() == PolicyNone
}

// Violated reports whether any feature was violated ("!dane",
// "!requiretls:nostarttls").
func (p TLSPolicy) Violated() bool { return p.Level.Violated || p.RequireTLS.Violated }

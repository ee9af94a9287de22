package logparse

import "strings"

// TLSPolicyProblem is a warning of the smtp or lmtp client about the TLS
// policy of a destination, logged before a delivery is deferred with
// relay=none ("client TLS configuration problem", "TLSA lookup error for
// ..."): no server was reached, so no other line names the cause. Shapes
// (src/smtp/smtp_tls_policy.c, smtp_connect.c, util/dict_*.c):
//
//	socketmap:inet:10.3.0.44:8462:query lookup error for "web.de"
//	smtp_tls_policy_maps, next-hop destination "web.de": policy table lookup error
//	smtp_tls_policy_maps, next-hop destination "web.de": invalid attribute name: "policy_type"
//	TLS policy lookup for web.de/mx00.web.de: client TLS configuration problem
//	MX name 'mx9.example.net' does not match STS MX pattern for 'example.net'
type TLSPolicyProblem struct {
	Source  string `json:"source,omitempty"`  // the policy source: "socketmap:inet:10.3.0.44:8462:query", "smtp_tls_policy_maps", "MTA-STS"
	Domain  string `json:"domain,omitempty"`  // the next-hop domain whose policy it is
	MXHost  string `json:"mx_host,omitempty"` // the MX host, when named
	Problem string `json:"problem"`           // "lookup error", "policy table lookup error", "invalid attribute name: \"policy_type\"", ...
}

// KindTLSPolicyProblem is the kind of a TLSPolicyProblem.
const KindTLSPolicyProblem Kind = "tls-policy-problem"

func (TLSPolicyProblem) Kind() Kind { return KindTLSPolicyProblem }
func (TLSPolicyProblem) event()     {}

// The sources a TLSPolicyProblem names when the line names no map.
const (
	PolicySourceSTS = "MTA-STS"
)

// parseTLSPolicyProblem reads a TLS policy warning of the smtp client.
func parseTLSPolicyProblem(t string) (TLSPolicyProblem, bool) {
	switch {
	case strings.HasPrefix(t, "TLS policy lookup for "):
		rest := t[len("TLS policy lookup for "):]
		dest, why, ok := strings.Cut(rest, ": ")
		if !ok {
			return TLSPolicyProblem{}, false
		}
		domain, mx, _ := strings.Cut(dest, "/")
		return TLSPolicyProblem{Domain: domain, MXHost: mx, Problem: why}, true
	case strings.HasPrefix(t, "MX name '"):
		mx, rest, ok := strings.Cut(t[len("MX name '"):], "' does not match STS MX pattern for '")
		if !ok {
			return TLSPolicyProblem{}, false
		}
		return TLSPolicyProblem{Source: PolicySourceSTS, Domain: strings.TrimSuffix(rest, "'"), MXHost: mx,
			Problem: "MX name does not match STS MX pattern"}, true
	case strings.HasSuffix(t, `"`) && strings.Contains(t, " lookup error for \""):
		// A dictionary's own error, "TYPE:NAME lookup error for "KEY"".
		src, key, _ := strings.Cut(t, " lookup error for \"")
		if !strings.Contains(src, ":") || strings.ContainsRune(src, ' ') {
			return TLSPolicyProblem{}, false
		}
		return TLSPolicyProblem{Source: src, Domain: strings.TrimSuffix(key, `"`), Problem: "lookup error"}, true
	}
	for _, maps := range []string{"smtp_tls_policy_maps", "lmtp_tls_policy_maps"} {
		if !strings.HasPrefix(t, maps+", next-hop destination \"") {
			continue
		}
		dest, why, ok := strings.Cut(t[len(maps+", next-hop destination \""):], "\": ")
		if !ok {
			return TLSPolicyProblem{}, false
		}
		return TLSPolicyProblem{Source: maps, Domain: dest, Problem: why}, true
	}
	return TLSPolicyProblem{}, false
}

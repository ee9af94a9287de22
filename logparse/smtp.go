package logparse

import "strings"

// classifySMTP handles the smtp/lmtp client's own lines; delivery and TLS
// lines fall through to classifyCommon.
func classifySMTP(rec *Record) Event {
	t := rec.Text
	if rec.QueueID != "" {
		if strings.HasPrefix(t, "to=") {
			return nil
		}
		if skip, ok := parseSkip(t); ok {
			return skip
		}
		if strings.HasPrefix(t, "enabling PIX workarounds") {
			return Notice{Detail: t}
		}
		return nil
	}
	if rec.Severity == SevWarning {
		if p, ok := parseTLSPolicyProblem(t); ok {
			return p
		}
	}
	switch {
	case strings.HasPrefix(t, "connect to "):
		if p, rest, ok := cutPeer(t[len("connect to "):]); ok && strings.HasPrefix(rest, ": ") {
			return ConnectFailure{Peer: p, Reason: rest[2:]}
		}
	case strings.HasPrefix(t, "Host offered STARTTLS: "):
		return StartTLSOffered{NextHop: strings.Trim(t[len("Host offered STARTTLS: "):], "[]")}
	}
	return nil
}

// skipPrefixes are the reasons an smtp client gives when it moves on to the
// next MX host ("QID: reason"); TLS reasons are recognised separately.
var skipPrefixes = []string{
	"host ", "lost connection with ", "conversation with ", "connect to ",
	"Protocol error", "SASL authentication failed", "Server certificate ",
	"TLS is required", "Cannot start TLS", "server ", "no MX host",
	"Name service error", "unable to look up host", "mail for ",
}

// parseSkip reads a "QID: reason" line that is not a final status.
func parseSkip(t string) (DeliverySkip, bool) {
	s := DeliverySkip{Reason: t, TLSFailure: ReasonTLSFailure(t)}
	if s.TLSFailure == "" {
		found := false
		for _, p := range skipPrefixes {
			if strings.HasPrefix(t, p) {
				found = true
				break
			}
		}
		if !found {
			return s, false
		}
	}
	// Most reasons name the server: "... host mx[addr] said", "... by host
	// mx[addr]", "lost connection with mx[addr] while ...".
	if lb := strings.IndexByte(t, '['); lb > 0 {
		start := strings.LastIndexByte(t[:lb], ' ') + 1
		if p, _, ok := cutPeer(t[start:]); ok {
			s.Peer = p
		}
	}
	return s, true
}

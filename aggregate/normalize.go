package aggregate

import (
	"net/netip"
	"strings"
)

// ReasonClass normalises a delivery or reject reason so that the same cause
// for different recipients groups together: addresses in angle brackets
// become <*>, bracketed IP addresses [*], and long tokens with digits (queue
// IDs, session IDs, timestamps) *. "delivery temporarily suspended: " is
// looked through, because it repeats the cause of an earlier deferral.
func ReasonClass(reason string) string {
	reason = strings.TrimPrefix(reason, "delivery temporarily suspended: ")
	return mask(reason)
}

// mask replaces the variable parts of a log text.
func mask(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '<':
			if end := strings.IndexByte(s[i:], '>'); end > 0 && strings.IndexByte(s[i:i+end], '@') > 0 {
				b.WriteString("<*>")
				i += end + 1
				continue
			}
		case c == '[':
			if end := strings.IndexByte(s[i:], ']'); end > 0 {
				if _, err := netip.ParseAddr(strings.TrimPrefix(s[i+1:i+end], "IPv6:")); err == nil {
					b.WriteString("[*]")
					i += end + 1
					continue
				}
			}
		case isAlnum(c) && (i == 0 || !isNameChar(s[i-1])):
			// A name or address made of many numbers (a dynamic pool host
			// "host-1-2-3-4.dyn.example.net", a bare IP) is one client
			// among thousands: mask its numbers so that they group.
			if end, runs := nameExtent(s, i); runs >= 4 {
				if w := s[i:end]; isReplyCode(w) {
					b.WriteString(w) // "550-5.1.1" of a multi-line reply is the cause, not a host
				} else {
					b.WriteString(maskDigits(w))
				}
				i = end
				continue
			}
			fallthrough
		case isAlnum(c):
			j := i
			digits := 0
			for j < len(s) && isAlnum(s[j]) {
				if s[j] >= '0' && s[j] <= '9' {
					digits++
				}
				j++
			}
			if digits > 0 && j-i >= 6 {
				b.WriteByte('*')
			} else {
				b.WriteString(s[i:j])
			}
			i = j
			continue
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// isReplyCode reports whether w is an SMTP reply code joined to its
// enhanced status code by the hyphen of a multi-line reply ("550-5.1.1"),
// optionally with a trailing dot.
func isReplyCode(w string) bool {
	w = strings.TrimSuffix(w, ".")
	code, esc, ok := strings.Cut(w, "-")
	if !ok || len(code) != 3 || code[0] < '2' || code[0] > '5' || !allDigits(code) {
		return false
	}
	parts := strings.Split(esc, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || parts[0][0] < '2' || parts[0][0] > '5' {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) == 0 || len(p) > 3 || !allDigits(p) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isNameChar(c byte) bool { return isAlnum(c) || c == '.' || c == '-' || c == '_' }

// nameExtent returns the end of the host-name-like word at s[i:] and how
// many separate runs of digits it has.
func nameExtent(s string, i int) (end, digitRuns int) {
	inDigits := false
	for end = i; end < len(s) && isNameChar(s[end]); end++ {
		d := s[end] >= '0' && s[end] <= '9'
		if d && !inDigits {
			digitRuns++
		}
		inDigits = d
	}
	return end, digitRuns
}

// maskDigits replaces each run of digits with one '*'.
func maskDigits(w string) string {
	var b strings.Builder
	for i := 0; i < len(w); i++ {
		if w[i] >= '0' && w[i] <= '9' {
			if i == 0 || w[i-1] < '0' || w[i-1] > '9' {
				b.WriteByte('*')
			}
			continue
		}
		b.WriteByte(w[i])
	}
	return b.String()
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// Domain returns the lower-cased domain of an address: the part after the
// last '@', or "" for an address without one (a local user, the null
// sender).
func Domain(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(addr[at+1:])
}

// opensslReason shortens an OpenSSL error line
// ("error:0A00042E:SSL routines::tlsv1 alert protocol version:../ssl/record/rec_layer_s3.c:1602:SSL alert number 70:")
// to its reason and data ("tlsv1 alert protocol version (SSL alert number 70)").
func opensslReason(detail string) string {
	parts := strings.Split(detail, ":")
	// error:CODE:LIB:FUNC:REASON:FILE:LINE:DATA (OpenSSL 3),
	// or a thread-id first in Postfix 2.x.
	for i := 0; i+4 < len(parts); i++ {
		if parts[i] == "error" {
			reason := parts[i+4]
			data := ""
			if i+7 < len(parts) {
				data = strings.TrimSpace(parts[i+7])
			}
			if data != "" {
				return reason + " (" + data + ")"
			}
			return reason
		}
	}
	return detail
}

// isLocalHop reports whether a relay is a local content filter
// (amavis, spamassassin, dkimproxy listen on loopback at ports >= 10000):
// such deliveries are re-injected and delivered again.
func isLocalHop(addr string, port int) bool {
	if port < 10000 {
		return false
	}
	ip, err := netip.ParseAddr(addr)
	return err == nil && ip.IsLoopback()
}

package logparse

import (
	"math"
	"strconv"
	"strings"
)

// parseDelivery reads "to=<a>, orig_to=<b>, relay=r, conn_use=n, delay=d,
// delays=a/b/c/d, tls=t, dsn=x.y.z, status=s (reason)". Addresses may hold
// '>' and ',', so an address ends at the ">, " that precedes a known key.
// Lines whose addresses lack the angle brackets ("to=root, relay=local,
// ..."; Postfix writes "to=<%s>", but logs rewritten on the way may not)
// are read too: such an address ends at the ", " before a known key.
func parseDelivery(t string) (Delivery, bool) {
	var d Delivery
	var ok bool
	if d.To, t, ok = cutDeliveryAddr(t, "to="); !ok {
		return d, false
	}
	rest := t
	if strings.HasPrefix(rest, "orig_to=") {
		if d.OrigTo, rest, ok = cutDeliveryAddr(rest, "orig_to="); !ok {
			return d, false
		}
	}
	for rest != "" {
		if strings.HasPrefix(rest, "status=") {
			rest = rest[len("status="):]
			status := rest
			if sp := strings.IndexByte(rest, ' '); sp >= 0 {
				status, rest = rest[:sp], rest[sp+1:]
			} else {
				rest = ""
			}
			d.Status = Status(strings.ToLower(status))
			d.Reason = trimParens(rest)
			if d.Status == StatusDeferred || d.Status == StatusBounced || d.Status == StatusSoftBounce {
				d.TLSFailure = ReasonTLSFailure(d.Reason)
			}
			return d, d.Status.Known()
		}
		field := rest
		if c := strings.Index(rest, ", "); c >= 0 {
			field, rest = rest[:c], rest[c+2:]
		} else {
			rest = ""
		}
		if strings.IndexByte(field, ' ') >= 0 {
			// No field before status= holds a space (log_adhoc.c): this
			// is two lines run together (one cut before its newline), or
			// no delivery line at all.
			return d, false
		}
		eq := strings.IndexByte(field, '=')
		if eq < 0 {
			continue
		}
		key, val := field[:eq], field[eq+1:]
		switch key {
		case "relay":
			d.Relay = val
			d.RelayPeer, _ = parsePeer(val)
		case "conn_use":
			d.ConnUse, _ = atoi(val)
		case "delay":
			d.Delay = parseFloat(val)
		case "delays":
			for i := 0; i < 4 && val != ""; i++ {
				part := val
				if s := strings.IndexByte(val, '/'); s >= 0 {
					part, val = val[:s], val[s+1:]
				} else {
					val = ""
				}
				d.Delays[i] = parseFloat(part)
			}
		case "tls":
			d.TLSPolicy = ParseTLSPolicy(val)
		case "dsn":
			d.DSN = val
		}
	}
	return d, false
}

// cutDeliveryAddr takes "key<addr>, " or "key=addr, " off the front of t
// (key is "to=" or "orig_to=") and returns the address and what follows.
func cutDeliveryAddr(t, key string) (addr, rest string, ok bool) {
	rest = t[len(key):]
	sep := ", "
	if strings.HasPrefix(rest, "<") {
		rest, sep = rest[1:], ">, "
	}
	end := indexAddrEnd(rest, sep)
	if end < 0 {
		return "", t, false
	}
	return rest[:end], rest[end+len(sep):], true
}

// deliveryKeys are the keys that can follow an address in a to= line.
var deliveryKeys = []string{"orig_to=", "relay="}

// indexAddrEnd finds the separator (">, " or ", ") that ends an address:
// the first one followed by a key a delivery line can have next.
func indexAddrEnd(s, sep string) int {
	off := 0
	for {
		i := strings.Index(s[off:], sep)
		if i < 0 {
			return -1
		}
		i += off
		next := s[i+len(sep):]
		for _, k := range deliveryKeys {
			if strings.HasPrefix(next, k) {
				return i
			}
		}
		off = i + len(sep)
	}
}

// trimParens takes "(reason)" to "reason"; a line cut short may lack ")".
func trimParens(s string) string {
	if s == "" || s[0] != '(' {
		return s
	}
	s = s[1:]
	if strings.HasSuffix(s, ")") {
		s = s[:len(s)-1]
	}
	return s
}

// parseFloat reads Postfix's delay numbers ("0.08", "310"), the double
// nearest the decimal as strconv.ParseFloat reads it, without its cost:
// the digits are read as one integer and divided once, a division of two
// exact doubles, which IEEE 754 rounds correctly. (1 + 0.57 rounds twice,
// and can be one ulp below 1.57.) Decimals past the ninth are dropped. A
// malformed number, or one that is not finite ("inf", "nan": a report
// could not say them in JSON), is 0: delays are informational.
func parseFloat(s string) float64 {
	whole, frac, _ := strings.Cut(s, ".")
	w, ok := atoi(whole)
	if !ok && whole != "" {
		return finiteFloat(s)
	}
	if len(frac) > 9 {
		frac = frac[:9]
	}
	if frac == "" {
		return float64(w)
	}
	f, ok := atoi(frac)
	if !ok {
		return 0
	}
	if n := len(frac); int64(w) < exactWhole[n] { // w*10ⁿ+f < 2⁵³: an exact double
		return float64(int64(w)*pow10[n]+int64(f)) / float64(pow10[n])
	}
	return finiteFloat(whole + "." + frac)
}

// finiteFloat is s as strconv.ParseFloat reads it, or 0 when that is an
// error or not finite.
func finiteFloat(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0
	}
	return v
}

var pow10 = [...]int64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}

// exactWhole[n] bounds the whole part of a number with n decimals whose
// digits make an integer below 2⁵³: ⌊2⁵³/10ⁿ⌋.
var exactWhole = [...]int64{1 << 53, 1 << 53 / 10, 1 << 53 / 100, 1 << 53 / 1000, 1 << 53 / 10_000, 1 << 53 / 100_000,
	1 << 53 / 1_000_000, 1 << 53 / 10_000_000, 1 << 53 / 100_000_000, 1 << 53 / 1_000_000_000}

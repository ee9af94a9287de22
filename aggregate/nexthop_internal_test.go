package aggregate

import "testing"

// The TLS session cache key names the next hop at the levels that match
// names (src/smtp/smtp_key.c); the older key does not.
func TestCacheNextHop(t *testing.T) {
	for in, want := range map[string]string{
		"looking for session smtp&fastmail.fm&in1-smtp.messagingengine.com&103.168.172.218&25&&C0F1 in smtp cache": "fastmail.fm",
		"save session smtp&[smarthost.isp.example]&smarthost.isp.example&192.0.2.80&587&&C0F1 to smtp cache":       "[smarthost.isp.example]",
		"looking for session smtp&mx.example.net&192.0.2.25&25&&C0F1 in smtp cache":                                "",
		"open smtp TLS cache btree:/var/lib/postfix/smtp_scache":                                                   "",
	} {
		if got := cacheNextHop(in); got != want {
			t.Errorf("cacheNextHop(%q) = %q, want %q", in, got, want)
		}
	}
}

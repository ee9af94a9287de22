package report

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTokenWrap(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"connect to mx1.example.com[2001:db8::25]:25: Connection timed out", 30,
			[]string{"connect to", "mx1.example.com[2001:db8::25]:25:", "Connection timed out"}},
		{"a.example,b.example,c.example", 12, []string{"a.example,", "b.example,", "c.example"}},
		{"mx1.example.net, mx2.example.net", 20, []string{"mx1.example.net,", "mx2.example.net"}},
		{"averyveryverylongtoken.example.org", 10, []string{"averyveryverylongtoken.example.org"}},
		{"x 2001:0db8:85a3:0000:0000:8a2e:0370:7334 y", 12, []string{"x", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "y"}},
	} {
		if got := tokenWrap(tc.in, tc.width); !slices.Equal(got, tc.want) {
			t.Errorf("tokenWrap(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

// TestTextNeverCutsHostsAddressesIPs renders tables whose cells hold long
// host names, IPv6 addresses and e-mail addresses in a narrow text report:
// each must come out whole on one line, whatever the width.
func TestTextNeverCutsHostsAddressesIPs(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	host := "mx-eu-west-3-backup-relay-cluster-07.mail.protection.very-long-corporate-domain.example.com"
	v6 := "2001:0db8:85a3:0000:0000:8a2e:0370:7334"
	addr := "first.middle.last.department-of-long-names@subdivision.example-university.ac.uk"
	m := &Model{
		Generated: at,
		Totals:    Totals{Received: 1, Delivered: 1, Bounced: 1, TLSFailures: 1, TLSFailedDomains: 1},
		TLSFailures: []TLSFailureRow{{Domain: "very-long-corporate-domain.example.com", Direction: "to", Kind: "untrusted-issuer",
			RFC8460: "validation-failure", Count: 3, Messages: 1, Recipients: 1, Hosts: []string{host, host + "[" + v6 + "]"},
			Detail: "untrusted issuer /C=US/O=Example/CN=" + host, FirstSeen: at, LastSeen: at}},
		Bounces: []BounceRow{{Domain: "subdivision.example-university.ac.uk", Relay: host + "[" + v6 + "]:25",
			Reason: "host " + host + "[" + v6 + "] said: 550 5.1.1 <" + addr + ">: Recipient address rejected", Count: 1}},
		TLS:        TLSHealth{Inbound: InboundTLS{Connections: 2, HandshakeFailure: []ClientCount{{Client: host + "[" + v6 + "]", Count: 2, Detail: "no shared cipher"}}}},
		Recipients: []VolumeRow{{Name: addr, Messages: 1, Bytes: 100}},
	}
	for _, width := range []int{40, 60, 100} {
		out := render(t, m, "text", RenderOptions{Width: width})
		for _, tok := range []string{host, v6, addr, host + "[" + v6 + "]"} {
			if !strings.Contains(out, tok) {
				t.Errorf("width %d: %q is cut:\n%s", width, tok, out)
			}
		}
	}
}

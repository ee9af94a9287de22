package aggregate_test

import (
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// TestClientDomain: the host/domain pflogsumm's gimme_domain counts a
// client under, from the name[address] of real smtpd lines.
func TestClientDomain(t *testing.T) {
	for _, tc := range []struct{ name, ip, want string }{
		{"localhost", "127.0.0.1", "localhost"},
		{"unknown", "127.0.0.51", "127.0.0.51"},
		{"183.97.223.21", "183.97.223.21", "183.97.223.21"}, // not "97.223.21": the name of an unknown client is its address
		{"", "2001:db8::25", "2001:db8::25"},
		{"mta.outside.test", "192.0.2.7", "mta.outside.test"}, // "test" is not a 3-letter TLD
		{"mail-ed1-f51.google.com", "209.85.208.51", "google.com"},
		{"a.b.MX.Example.COM", "192.0.2.8", "example.com"},
		{"mx1.example.co.uk", "192.0.2.9", "example.co.uk"},
		{"smtp.example.de", "192.0.2.10", "smtp.example.de"}, // two-letter TLD: kept whole, as pflogsumm does
		{"example.com", "192.0.2.11", "example.com"},
	} {
		if got := aggregate.ClientDomain(tc.name, tc.ip); got != tc.want {
			t.Errorf("ClientDomain(%q, %q) = %q, want %q", tc.name, tc.ip, got, tc.want)
		}
	}
}

// TestConnectSeconds: whole seconds from connect to disconnect, as the
// stamps give them.
func TestConnectSeconds(t *testing.T) {
	at := time.Date(2026, 11, 23, 0, 20, 5, 0, time.UTC)
	for _, tc := range []struct {
		start, end time.Time
		want       int64
	}{
		{at, at, 0},
		{at, at.Add(time.Second), 1},
		{at.Add(900 * time.Millisecond), at.Add(1100 * time.Millisecond), 1}, // RFC 3339 stamps: their seconds
		{at, at.Add(2*time.Hour + 3*time.Second), 7203},
		{at, time.Time{}, 0}, // never disconnected
		{at, at.Add(-time.Second), 0},
	} {
		s := aggregate.Session{Start: tc.start, End: tc.end}
		if got := s.ConnectSeconds(); got != tc.want {
			t.Errorf("ConnectSeconds(%v, %v) = %d, want %d", tc.start, tc.end, got, tc.want)
		}
	}
}

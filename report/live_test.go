package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
)

// liveT0 is the live tests' clock: times are passed in, never read.
var liveT0 = time.Date(2026, 11, 23, 0, 20, 0, 0, time.UTC)

func at(sec int) time.Time { return liveT0.Add(time.Duration(sec) * time.Second) }

func sent(sec int, domain string) aggregate.Attempt {
	return aggregate.Attempt{Time: at(sec), Host: "mail", Service: "smtp", Recipient: "user@" + domain, Domain: domain,
		Relay: "mx." + domain + "[127.0.0.10]:25", Status: "sent", DSN: "2.0.0"}
}

func deferred(sec int, domain, reason string) aggregate.Attempt {
	a := sent(sec, domain)
	a.Status, a.DSN, a.Reason, a.ReasonClass = "deferred", "4.4.1", reason, reason
	return a
}

func bounced(sec int, domain, reason string) aggregate.Attempt {
	a := sent(sec, domain)
	a.Status, a.DSN, a.Reason, a.ReasonClass = "bounced", "5.1.1", reason, reason
	return a
}

func tlsFail(sec int, domain string, kind logparse.TLSFailureKind, detail string) aggregate.TLSFailure {
	return aggregate.TLSFailure{Time: at(sec), Host: "mail", Direction: "to", Peer: "mx." + domain + "[127.0.0.12]:25",
		PeerHost: "mx." + domain, PeerAddr: "127.0.0.12", Domain: domain, Kind: kind, Detail: detail}
}

func TestLiveWindow(t *testing.T) {
	localHop := sent(5, "filter.example")
	localHop.LocalHop = true
	localHopDeferred := deferred(5, "filter.example", "connect to 127.0.0.1[127.0.0.1]:10024: Connection refused")
	localHopDeferred.LocalHop = true
	inbound := tlsFail(5, "", "handshake", "no shared cipher")
	inbound.Direction = "from"

	tests := []struct {
		name     string
		window   time.Duration
		batches  []aggregate.Batch
		now      time.Time
		want     []LiveDomain
		rejects  int64
		warnings int64
	}{
		{
			name:   "counts per domain, problems first",
			window: 15 * time.Minute,
			batches: []aggregate.Batch{{
				Attempts: []aggregate.Attempt{sent(1, "a.example"), sent(2, "a.example"), deferred(11, "b.example", "connect timed out"),
					bounced(12, "c.example", "user unknown")},
				TLS: []aggregate.TLSFailure{tlsFail(10, "b.example", "untrusted-issuer", "/O=Unknown Org")},
			}},
			now: at(60),
			want: []LiveDomain{
				{Domain: "b.example", Attempts: 1, Deferrals: 1, TLSFailures: 1, LastReason: "connect timed out", LastSeen: at(11)},
				{Domain: "c.example", Attempts: 1, Bounced: 1, LastReason: "user unknown", LastSeen: at(12)},
				{Domain: "a.example", Attempts: 2, Sent: 2, LastSeen: at(2)},
			},
		},
		{
			name:   "facts older than the window drop out",
			window: 5 * time.Minute,
			batches: []aggregate.Batch{{
				Attempts: []aggregate.Attempt{sent(0, "a.example"), deferred(60, "a.example", "busy"), sent(10, "old.example")},
				TLS:      []aggregate.TLSFailure{tlsFail(20, "old.example", "not-offered", "")},
			}},
			now: at(330), // the window starts at 30s
			want: []LiveDomain{
				{Domain: "a.example", Attempts: 1, Deferrals: 1, LastReason: "busy", LastSeen: at(60)},
			},
		},
		{
			name:    "a fact exactly one window old stays",
			window:  time.Minute,
			batches: []aggregate.Batch{{Attempts: []aggregate.Attempt{sent(0, "a.example"), sent(1, "a.example")}}},
			now:     at(60),
			want:    []LiveDomain{{Domain: "a.example", Attempts: 2, Sent: 2, LastSeen: at(1)}},
		},
		{
			name:   "the last reason goes with the last problem",
			window: 15 * time.Minute,
			batches: []aggregate.Batch{{
				Attempts: []aggregate.Attempt{deferred(0, "a.example", "first"), deferred(30, "a.example", "second"), sent(600, "a.example")},
			}},
			now:  at(905), // the first deferral is out, the second in
			want: []LiveDomain{{Domain: "a.example", Attempts: 2, Sent: 1, Deferrals: 1, LastReason: "second", LastSeen: at(600)}},
		},
		{
			name:   "no reason once the problems are out of the window",
			window: 15 * time.Minute,
			batches: []aggregate.Batch{{
				Attempts: []aggregate.Attempt{deferred(0, "a.example", "busy"), sent(600, "a.example")},
				TLS:      []aggregate.TLSFailure{tlsFail(0, "a.example", "handshake", "x")},
			}},
			now:  at(1200),
			want: []LiveDomain{{Domain: "a.example", Attempts: 1, Sent: 1, LastSeen: at(600)}},
		},
		{
			name:   "sort: TLS failures, then deferred, then bounced, then attempts, then name",
			window: 15 * time.Minute,
			batches: []aggregate.Batch{{
				Attempts: []aggregate.Attempt{
					sent(1, "busy.example"), sent(2, "busy.example"), sent(3, "busy.example"),
					sent(1, "b-quiet.example"), sent(1, "a-quiet.example"),
					bounced(4, "bounce.example", "user unknown"), bounced(5, "bounce.example", "user unknown"),
					deferred(6, "defer.example", "busy"),
					deferred(7, "tls-one.example", "tls"), deferred(8, "tls-one.example", "tls"),
				},
				TLS: []aggregate.TLSFailure{
					tlsFail(7, "tls-one.example", "handshake", "x"),
					tlsFail(9, "tls-two.example", "handshake", "x"), tlsFail(9, "tls-two.example", "handshake", "y"),
				},
			}},
			now: at(10),
			want: []LiveDomain{
				{Domain: "tls-two.example", TLSFailures: 2, LastReason: "handshake: y", LastSeen: at(9)},
				{Domain: "tls-one.example", Attempts: 2, Deferrals: 2, TLSFailures: 1, LastReason: "tls", LastSeen: at(8)},
				{Domain: "defer.example", Attempts: 1, Deferrals: 1, LastReason: "busy", LastSeen: at(6)},
				{Domain: "bounce.example", Attempts: 2, Bounced: 2, LastReason: "user unknown", LastSeen: at(5)},
				{Domain: "busy.example", Attempts: 3, Sent: 3, LastSeen: at(3)},
				{Domain: "a-quiet.example", Attempts: 1, Sent: 1, LastSeen: at(1)},
				{Domain: "b-quiet.example", Attempts: 1, Sent: 1, LastSeen: at(1)},
			},
		},
		{
			name:   "content-filter hops and inbound TLS are not counted; no domain is (unknown)",
			window: 15 * time.Minute,
			batches: []aggregate.Batch{{
				Attempts: []aggregate.Attempt{localHop, localHopDeferred, sent(6, "a.example")},
				TLS:      []aggregate.TLSFailure{inbound, tlsFail(7, "", "not-offered", "TLS is required, but was not offered")},
			}},
			now: at(60),
			want: []LiveDomain{
				{Domain: "(unknown)", TLSFailures: 1, LastReason: "not-offered: TLS is required, but was not offered", LastSeen: at(7)},
				{Domain: "a.example", Attempts: 1, Sent: 1, LastSeen: at(6)},
			},
		},
		{
			name:   "facts out of order (several hosts) leave in time order",
			window: time.Minute,
			batches: []aggregate.Batch{
				{Attempts: []aggregate.Attempt{sent(50, "a.example"), deferred(55, "b.example", "late")}},
				{Attempts: []aggregate.Attempt{deferred(5, "a.example", "early"), sent(40, "b.example")}},
			},
			now: at(100), // the window starts at 40s
			want: []LiveDomain{
				{Domain: "b.example", Attempts: 2, Sent: 1, Deferrals: 1, LastReason: "late", LastSeen: at(55)},
				{Domain: "a.example", Attempts: 1, Sent: 1, LastSeen: at(50)},
			},
		},
		{
			name:   "rejects and warnings are counted in the window",
			window: time.Minute,
			batches: []aggregate.Batch{{
				Rejects: []aggregate.Reject{
					{Time: at(0), Action: "reject"}, {Time: at(30), Action: "reject"}, {Time: at(31), Action: "milter-reject"},
					{Time: at(32), Action: "reject_warning"}, {Time: at(33), Action: "hold"},
				},
				Warnings: []aggregate.Warning{{Time: at(1), Severity: "warning"}, {Time: at(40), Severity: "fatal"}},
			}},
			now:      at(75),
			want:     []LiveDomain{},
			rejects:  2,
			warnings: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := NewLive(tt.window, 10)
			for i := range tt.batches {
				l.Add(&tt.batches[i])
			}
			m := l.Snapshot(tt.now)
			if !reflect.DeepEqual(m.Domains, tt.want) {
				t.Errorf("domains:\n got  %s\n want %s", dumpDomains(m.Domains), dumpDomains(tt.want))
			}
			if m.Rejects != tt.rejects || m.Warnings != tt.warnings {
				t.Errorf("rejects, warnings = %d, %d; want %d, %d", m.Rejects, m.Warnings, tt.rejects, tt.warnings)
			}
			if !m.Now.Equal(tt.now) || m.Window != tt.window {
				t.Errorf("now, window = %v, %v; want %v, %v", m.Now, m.Window, tt.now, tt.window)
			}
		})
	}
}

func dumpDomains(ds []LiveDomain) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "\n   %s att=%d sent=%d def=%d bnc=%d tls=%d reason=%q seen=%s",
			d.Domain, d.Attempts, d.Sent, d.Deferrals, d.Bounced, d.TLSFailures, d.LastReason, d.LastSeen.Format(time.TimeOnly))
	}
	return b.String()
}

// TestLiveRolling follows one Live through snapshots at later and later
// times, adding as it goes, the way the tail loop does.
func TestLiveRolling(t *testing.T) {
	l := NewLive(time.Minute, 10)
	l.Add(&aggregate.Batch{Attempts: []aggregate.Attempt{deferred(0, "a.example", "busy"), sent(10, "b.example")}})
	step := func(now time.Time, want ...string) {
		t.Helper()
		var got []string
		for _, d := range l.Snapshot(now).Domains {
			got = append(got, fmt.Sprintf("%s %d/%d", d.Domain, d.Attempts, d.Deferrals))
		}
		if !slices.Equal(got, want) {
			t.Errorf("at %s: got %q, want %q", now.Format(time.TimeOnly), got, want)
		}
	}
	step(at(30), "a.example 1/1", "b.example 1/0")
	step(at(65), "b.example 1/0")
	l.Add(&aggregate.Batch{Attempts: []aggregate.Attempt{deferred(66, "a.example", "busy again")}})
	step(at(70), "a.example 1/1", "b.example 1/0")
	step(at(71), "a.example 1/1") // b.example's only fact is 61s old
	step(at(127))
}

// TestLiveBoundedMemory feeds an hour of steady traffic through a
// one-minute window: what Live holds stays one window's worth, and a quiet
// spell gives the memory back.
func TestLiveBoundedMemory(t *testing.T) {
	l := NewLive(time.Minute, 50)
	const perSec = 100
	var last time.Time
	for sec := 0; sec < 3600; sec++ {
		b := aggregate.Batch{}
		for i := 0; i < perSec; i++ {
			ts := liveT0.Add(time.Duration(sec)*time.Second + time.Duration(i)*10*time.Millisecond)
			a := sent(0, fmt.Sprintf("d%02d.example", i%40))
			a.Time = ts
			if i == 0 {
				a.Status, a.Reason = "deferred", "busy"
			}
			b.Attempts = append(b.Attempts, a)
			last = ts
		}
		l.Add(&b)
		if sec%2 == 0 {
			l.Snapshot(last)
		}
	}
	m := l.Snapshot(last)
	const inWindow = 60*perSec + perSec // a minute, and the boundary second
	if live := len(l.facts) - l.head; live > inWindow {
		t.Errorf("%d facts held, want at most %d", live, inWindow)
	}
	if c := cap(l.facts); c > 4*inWindow {
		t.Errorf("facts capacity %d after a steady hour, want at most %d", c, 4*inWindow)
	}
	if len(m.Domains) != 40 || len(m.Recent) != 50 {
		t.Errorf("%d domains, %d recent; want 40, 50", len(m.Domains), len(m.Recent))
	}
	var attempts int64
	for _, d := range m.Domains {
		attempts += d.Attempts
	}
	if attempts != int64(len(l.facts)-l.head) {
		t.Errorf("domains count %d attempts, the window holds %d facts", attempts, len(l.facts)-l.head)
	}
	m = l.Snapshot(last.Add(time.Hour))
	if len(m.Domains) != 0 || len(l.domains) != 0 || len(l.facts) != 0 || cap(l.facts) > 1024 {
		t.Errorf("after a quiet hour: %d domains, %d facts (cap %d)", len(l.domains), len(l.facts), cap(l.facts))
	}
	if len(m.Recent) != 50 {
		t.Errorf("the latest problems are kept by count, not by the window: got %d, want 50", len(m.Recent))
	}
}

func TestLiveRecent(t *testing.T) {
	l := NewLive(15*time.Minute, 3)
	l.Add(&aggregate.Batch{
		Attempts: []aggregate.Attempt{deferred(1, "a.example", "one"), sent(2, "a.example"), bounced(3, "b.example", "two")},
		TLS:      []aggregate.TLSFailure{tlsFail(4, "c.example", "handshake", "three")},
		Rejects:  []aggregate.Reject{{Time: at(5), Action: "reject", Reply: "554 5.7.1 no"}},
		Warnings: []aggregate.Warning{{Time: at(6), Severity: "warning", Program: "postfix/smtpd", Text: "noise"}},
	})
	l.Add(&aggregate.Batch{
		Warnings: []aggregate.Warning{{Time: at(7), Severity: "fatal", Program: "postfix/master", Text: "bind 0.0.0.0 port 25: Address already in use"}},
		Attempts: []aggregate.Attempt{deferred(8, "d.example", "four")},
	})
	m := l.Snapshot(at(10))
	var got []string
	for _, e := range m.Recent {
		got = append(got, string(e.Kind)+" "+e.Detail)
	}
	want := []string{"deferred four", "fatal postfix/master: bind 0.0.0.0 port 25: Address already in use", "tls-failure handshake: three"}
	if !slices.Equal(got, want) {
		t.Errorf("recent:\n got  %q\n want %q", got, want)
	}
	if m := NewLive(time.Minute, 0).Snapshot(at(0)); len(m.Recent) != 0 {
		t.Errorf("recent 0 keeps %d", len(m.Recent))
	}
}

func TestLiveEvents(t *testing.T) {
	hop := deferred(1, "filter.example", "refused")
	hop.LocalHop = true
	classless := deferred(3, "b.example", "host mx.b.example[127.0.0.2] said: 450 4.2.1 <u@b.example>: busy")
	classless.ReasonClass = ""
	inbound := tlsFail(2, "", "handshake", "no shared cipher")
	inbound.Direction = "from"
	b := &aggregate.Batch{
		Attempts: []aggregate.Attempt{
			sent(1, "a.example"), hop,
			deferred(4, "a.example", "host mx.a.example[*] said: 421 4.7.0 try later"),
			classless,
			bounced(9, "c.example", "host mx.c.example[*] said: 550 5.1.1 <*>: User unknown"),
		},
		TLS: []aggregate.TLSFailure{inbound, tlsFail(4, "bank.example.net", "untrusted-issuer", "/O=Unknown Org/CN=Root")},
		Rejects: []aggregate.Reject{
			{Time: at(5), Host: "mail", Action: "reject", Client: "unknown[127.0.0.51]", To: "Lena@Strict.Example.COM",
				Reply: "554 5.7.1 <lena@strict.example.com>: Relay access denied", ReasonClass: "554 5.7.1 <*>: Relay access denied"},
			{Time: at(5), Host: "mail", Action: "reject_warning", Reply: "not an event"},
			{Time: at(6), Host: "mail", Action: "milter-reject", Client: "spam[127.0.0.66]", Reply: "550 5.7.1 Spam"},
		},
		Warnings: []aggregate.Warning{
			{Time: at(7), Host: "mail", Program: "postfix/smtpd", Severity: "warning", Text: "hostname x does not resolve"},
			{Time: at(7), Host: "mail", Program: "postfix/local", Severity: "error", Text: "open database"},
			{Time: at(8), Host: "mail", Program: "postfix/master", Severity: "fatal", Text: "bind: in use"},
			{Time: at(8), Host: "mail", Program: "postfix/qmgr", Severity: "panic", Text: "oops"},
		},
	}
	want := []LiveEvent{
		{Time: at(3), Kind: "deferred", Domain: "b.example", Host: "mail", Peer: "mx.b.example[127.0.0.10]:25",
			Detail: "host mx.b.example[127.0.0.2] said: 450 4.2.1 <u@b.example>: busy", DSN: "4.4.1"},
		{Time: at(4), Kind: "deferred", Domain: "a.example", Host: "mail", Peer: "mx.a.example[127.0.0.10]:25",
			Detail: "host mx.a.example[*] said: 421 4.7.0 try later", DSN: "4.4.1"},
		{Time: at(4), Kind: "tls-failure", Domain: "bank.example.net", Host: "mail", Peer: "mx.bank.example.net[127.0.0.12]:25",
			Detail: "untrusted-issuer: /O=Unknown Org/CN=Root", TLSKind: "untrusted-issuer"},
		{Time: at(5), Kind: "reject", Domain: "strict.example.com", Host: "mail", Peer: "unknown[127.0.0.51]",
			Detail: "554 5.7.1 <*>: Relay access denied"},
		{Time: at(6), Kind: "reject", Host: "mail", Peer: "spam[127.0.0.66]", Detail: "550 5.7.1 Spam"},
		{Time: at(7), Kind: "warning", Host: "mail", Detail: "postfix/smtpd: hostname x does not resolve"},
		{Time: at(7), Kind: "error", Host: "mail", Detail: "postfix/local: open database"},
		{Time: at(8), Kind: "fatal", Host: "mail", Detail: "postfix/master: bind: in use"},
		{Time: at(8), Kind: "panic", Host: "mail", Detail: "postfix/qmgr: oops"},
		{Time: at(9), Kind: "bounced", Domain: "c.example", Host: "mail", Peer: "mx.c.example[127.0.0.10]:25",
			Detail: "host mx.c.example[*] said: 550 5.1.1 <*>: User unknown", DSN: "5.1.1"},
	}
	got := Events(b)
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("event %d:\n got  %+v\n want %+v", i, got[i], want[i])
		}
	}
	if evs := Events(nil); evs != nil {
		t.Errorf("Events(nil) = %v", evs)
	}
}

// TestLiveEventsNotUnderstood: the lines a batch did not understand are an
// event per host, with their count and the first unparsed line; the event
// stream shows them, the view's latest problems do not (its stats line
// counts them).
func TestLiveEventsNotUnderstood(t *testing.T) {
	minute := liveT0.Truncate(time.Minute)
	b := &aggregate.Batch{
		Attempts: []aggregate.Attempt{deferred(4, "a.example", "busy")},
		Unparsed: []aggregate.Unparsed{
			{Time: at(2), Host: "mail", Program: "postfix/smtp", Text: "frobnicated the widget"},
			{Time: at(3), Host: "mail", Program: "postfix/smtp", Text: "frobnicated again"},
			{Time: at(6), Host: "mx2", Program: "postfix/qmgr", Text: "something new"},
		},
		LineCounts: []aggregate.LineCount{
			{Host: "mail", Minute: minute, Span: 1, Kind: logparse.KindUnparsed, Count: 19},
			{Host: "mail", Minute: minute, Span: 1, Kind: logparse.KindMalformed, Count: 1},
			{Host: "mail", Minute: minute, Span: 1, Kind: logparse.KindDelivery, Count: 50},
			{Host: "mx2", Minute: minute, Span: 1, Kind: logparse.KindUnparsed, Count: 1},
			{Host: "mx3", Minute: minute, Span: 1, Kind: logparse.KindMalformed, Count: 2},
			{Host: "mx4", Minute: minute, Span: 1, Kind: logparse.KindForeign, Count: 7},
		},
	}
	want := []LiveEvent{
		{Time: minute, Kind: "not-understood", Host: "mx3", Lines: 2},
		{Time: at(2), Kind: "not-understood", Host: "mail", Lines: 20, Detail: "postfix/smtp: frobnicated the widget"},
		{Time: at(4), Kind: "deferred", Domain: "a.example", Host: "mail", Peer: "mx.a.example[127.0.0.10]:25", Detail: "busy", DSN: "4.4.1"},
		{Time: at(6), Kind: "not-understood", Host: "mx2", Lines: 1, Detail: "postfix/qmgr: something new"},
	}
	got := Events(b)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("events:\n got  %+v\n want %+v", got, want)
	}
	l := NewLive(time.Hour, 20)
	l.AddEvents(b, got)
	m := l.Snapshot(at(10))
	if len(m.Recent) != 1 || m.Recent[0].Kind != "deferred" || m.NotUnderstood != 23 {
		t.Errorf("view: recent %+v, %d not understood; want only the deferral, and 23", m.Recent, m.NotUnderstood)
	}
}

func TestLiveEventText(t *testing.T) {
	tests := []struct {
		e    LiveEvent
		want string
	}{
		{
			LiveEvent{Time: time.Date(2026, 11, 23, 0, 20, 18, 0, time.UTC), Kind: "tls-failure", Domain: "bank.example.net", Host: "mail",
				Peer: "mx.bank.example.net[127.0.0.12]:25", Detail: "untrusted-issuer: /O=Unknown Org/CN=Root", TLSKind: "untrusted-issuer"},
			"2026-11-23T00:20:18Z tls-failure bank.example.net mx.bank.example.net[127.0.0.12]:25 untrusted-issuer: /O=Unknown Org/CN=Root\n",
		},
		{
			LiveEvent{Time: time.Date(2026, 11, 23, 1, 20, 18, 0, time.FixedZone("CET", 3600)), Kind: "deferred", Domain: "slow.example",
				Peer: "none", Detail: "connect to mx.slow.example[*]:25: Connection timed out", DSN: "4.4.1"},
			"2026-11-23T00:20:18Z deferred slow.example none 4.4.1 connect to mx.slow.example[*]:25: Connection timed out\n",
		},
		{
			LiveEvent{Time: at(1), Kind: "fatal", Host: "mail", Detail: "postfix/master: bind: in use"},
			"2026-11-23T00:20:01Z fatal - - postfix/master: bind: in use\n",
		},
		{
			UnreadableEvent(at(2), "/var/log/mail.log", errors.New("open /var/log/mail.log: permission denied")),
			"2026-11-23T00:20:02Z unreadable - - open /var/log/mail.log: permission denied\n",
		},
		{
			LiveEvent{Time: at(4), Kind: "not-understood", Host: "mail", Lines: 20, Detail: "postfix/smtp: frobnicated\x1b[2J the \"widget\""},
			// The example quoted: its quotes escaped.
			"2026-11-23T00:20:04Z not-understood - - 20 lines not understood from mail; first: \"postfix/smtp: frobnicated?[2J the \\\"widget\\\"\"\n",
		},
		{
			LiveEvent{Time: at(5), Kind: "not-understood", Host: "mx3", Lines: 1},
			"2026-11-23T00:20:05Z not-understood - - 1 line not understood from mx3\n",
		},
		{
			UnreadableEvent(at(3), "/var/log/mail.log", nil),
			"2026-11-23T00:20:03Z readable - - /var/log/mail.log\n",
		},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := WriteEventText(&b, tt.e); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("got  %q\nwant %q", b.String(), tt.want)
		}
	}
}

func TestLiveEventJSON(t *testing.T) {
	tests := []struct {
		e    LiveEvent
		want string
	}{
		{
			LiveEvent{Time: time.Date(2026, 11, 23, 0, 20, 18, 0, time.UTC), Kind: "tls-failure", Domain: "bank.example.net", Host: "mail",
				Peer: "mx.bank.example.net[127.0.0.12]:25", Detail: "untrusted-issuer: /O=Unknown Org & Co/CN=<Root>", TLSKind: "untrusted-issuer"},
			`{"time":"2026-11-23T00:20:18Z","kind":"tls-failure","domain":"bank.example.net","host":"mail","peer":"mx.bank.example.net[127.0.0.12]:25","detail":"untrusted-issuer: /O=Unknown Org & Co/CN=<Root>","tls_kind":"untrusted-issuer"}` + "\n",
		},
		{
			LiveEvent{Time: at(1).Add(250 * time.Millisecond), Kind: "bounced", Domain: "c.example", Host: "mail", Peer: "mx.c.example[127.0.0.3]:25",
				Detail: "host mx.c.example[*] said: 550 5.1.1 <*>: User unknown", DSN: "5.1.1"},
			`{"time":"2026-11-23T00:20:01.25Z","kind":"bounced","domain":"c.example","host":"mail","peer":"mx.c.example[127.0.0.3]:25","detail":"host mx.c.example[*] said: 550 5.1.1 <*>: User unknown","dsn":"5.1.1"}` + "\n",
		},
		{
			LiveEvent{Time: at(2), Kind: "deferred", Domain: "d.example", Host: "mail", Peer: "none", Detail: "no dsn"},
			`{"time":"2026-11-23T00:20:02Z","kind":"deferred","domain":"d.example","host":"mail","peer":"none","detail":"no dsn","dsn":""}` + "\n",
		},
		{
			LiveEvent{Time: at(3), Kind: "reject", Host: "mail", Peer: "unknown[127.0.0.51]", Detail: "554 5.7.1 <*>: Relay access denied"},
			`{"time":"2026-11-23T00:20:03Z","kind":"reject","domain":"","host":"mail","peer":"unknown[127.0.0.51]","detail":"554 5.7.1 <*>: Relay access denied"}` + "\n",
		},
		{
			UnreadableEvent(at(4), "/var/log/mail.log", errors.New("open /var/log/mail.log: permission denied")),
			`{"time":"2026-11-23T00:20:04Z","kind":"unreadable","domain":"","host":"","peer":"","detail":"open /var/log/mail.log: permission denied"}` + "\n",
		},
		{
			UnreadableEvent(at(5), "/var/log/mail.log", nil),
			`{"time":"2026-11-23T00:20:05Z","kind":"readable","domain":"","host":"","peer":"","detail":"/var/log/mail.log"}` + "\n",
		},
		{
			LiveEvent{Time: at(6), Kind: "not-understood", Host: "mail", Lines: 20, Detail: "postfix/smtp: frobnicated\x1b[2J the \"widget\""},
			`{"time":"2026-11-23T00:20:06Z","kind":"not-understood","domain":"","host":"mail","peer":"","detail":"postfix/smtp: frobnicated?[2J the \"widget\"","lines":20}` + "\n",
		},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := WriteEventJSON(&b, tt.e); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("got  %s\nwant %s", b.String(), tt.want)
		}
	}
}

// hostile are strings a remote server, a client or a file name can put in
// front of the live view: terminal escapes (CSI, OSC with BEL, C1 CSI as
// UTF-8 and as a raw byte), a carriage return that would overwrite the
// line, line breaks, and bidi controls that reorder what is shown.
var hostile = []string{
	"\x1b[2J\x1b[H",
	"\x1b]0;owned\x07",
	"evil\rOVERWRITTEN",
	"\u202eexe.gnp",
	"a\u2066b\u2069c\u200f",
	"\u009b31m",
	"\x9b31m",
	"line\nbreak\r\n",
	"sep\u2028arator",
	"del\x7f",
	"tab\there",
}

// unsafeRune reports a rune that must never reach a terminal.
func unsafeRune(r rune) bool {
	return r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029')
}

func checkSafe(t *testing.T, what, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s: invalid UTF-8 in %q", what, out)
	}
	for _, r := range out {
		if unsafeRune(r) {
			t.Errorf("%s: %U reaches the output: %q", what, r, out)
			return
		}
	}
}

func hostileBatch(s string) *aggregate.Batch {
	d := deferred(1, "x"+s+".example", "said: 421 "+s)
	d.Relay = "mx" + s + "[127.0.0.1]:25"
	bn := bounced(2, s, s)
	f := tlsFail(3, s+".example", logparse.TLSFailureKind("untrusted-issuer"+s), "/O="+s)
	f.Peer = s
	return &aggregate.Batch{
		Attempts:   []aggregate.Attempt{d, bn, sent(1, s)},
		TLS:        []aggregate.TLSFailure{f},
		Rejects:    []aggregate.Reject{{Time: at(4), Host: s, Action: "reject", Client: s, To: "u@" + s, Reply: s}},
		Warnings:   []aggregate.Warning{{Time: at(5), Host: s, Program: s, Severity: "panic", Text: s}},
		Unparsed:   []aggregate.Unparsed{{Time: at(6), Host: s, Program: s, Text: s}},
		LineCounts: []aggregate.LineCount{{Host: s, Minute: liveT0, Span: 1, Kind: logparse.KindUnparsed, Count: 1}},
	}
}

func TestLiveHostileText(t *testing.T) {
	for _, s := range hostile {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) {
			b := hostileBatch(s)
			l := NewLive(time.Hour, 20)
			l.Add(b)
			m := l.Snapshot(at(10))
			m.Source = "/var/log/" + s
			m.Unreadable = "open /var/log/" + s + ": permission denied"
			for _, size := range [][2]int{{200, 50}, {100, 30}, {60, 15}, {20, 5}} {
				var out bytes.Buffer
				if err := RenderLive(&out, m, size[0], size[1]); err != nil {
					t.Fatal(err)
				}
				checkSafe(t, fmt.Sprintf("RenderLive %dx%d", size[0], size[1]), out.String())
			}
			evs := append(Events(b), UnreadableEvent(at(11), "/var/log/"+s, errors.New("open /var/log/"+s+": permission denied")),
				UnreadableEvent(at(12), "/var/log/"+s, nil))
			for _, e := range evs {
				var text, js bytes.Buffer
				if err := WriteEventText(&text, e); err != nil {
					t.Fatal(err)
				}
				if err := WriteEventJSON(&js, e); err != nil {
					t.Fatal(err)
				}
				for _, out := range []string{text.String(), js.String()} {
					if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
						t.Errorf("%s: not one line: %q", e.Kind, out)
					}
					checkSafe(t, string(e.Kind), out)
				}
				// The JSON escapes would hide raw controls from the check
				// above: decode and check the values too.
				var v map[string]any
				if err := json.Unmarshal(js.Bytes(), &v); err != nil {
					t.Fatalf("%s: %v in %s", e.Kind, err, js.String())
				}
				for k, val := range v {
					if str, ok := val.(string); ok {
						checkSafe(t, string(e.Kind)+" json "+k, str)
					}
				}
			}
		})
	}
}

// liveGoldenModel is a fixed frame: problem domains of each kind, a long
// domain name, wide characters, a control sequence in a reason, plenty of
// quiet domains, and latest problems of each kind.
func liveGoldenModel() LiveModel {
	now := time.Date(2026, 11, 23, 0, 35, 0, 0, time.UTC)
	ago := func(sec int) time.Time { return now.Add(-time.Duration(sec) * time.Second) }
	m := LiveModel{
		Now: now, Window: 15 * time.Minute,
		Source: "/var/log/mail.log", LinesPerSec: 812.4, Lines: 1284113, Events: 1190220,
		Rejects: 37, Warnings: 4,
		Domains: []LiveDomain{
			{Domain: "bank.example.net", Attempts: 14, Deferrals: 14, TLSFailures: 14,
				LastReason: "untrusted-issuer: /O=Unknown Org/CN=Unknown Org Root CA", LastSeen: ago(19)},
			{Domain: "mx-pool.very-long-subdomain-name.enterprise-customer.example.co.uk", Attempts: 3, Deferrals: 3, TLSFailures: 3,
				LastReason: "name-mismatch: server certificate name does not match mx-pool.very-long-subdomain-name.enterprise-customer.example.co.uk", LastSeen: ago(75)},
			{Domain: "legacy.example.org", Attempts: 2, Sent: 2, TLSFailures: 2,
				LastReason: "handshake: tlsv1 alert protocol version (SSL alert number 70)", LastSeen: ago(130)},
			{Domain: "busy.example.net", Attempts: 12, Sent: 3, Deferrals: 9,
				LastReason: "host mx.busy.example.net[*] said: 450 4.2.1 <*>: Recipient address rejected: Mailbox temporarily unavailable, please try again later (in reply to RCPT TO command)", LastSeen: ago(44)},
			{Domain: "slow.example.com", Attempts: 4, Deferrals: 4,
				LastReason: "connect to mx.slow.example.com[*]:25: Connection timed out", LastSeen: ago(301)},
			{Domain: "例え.example", Attempts: 1, Deferrals: 1,
				LastReason: "host mx.例え.example[*] said: 451 4.3.0 一時的なエラーです (in reply to end of DATA command)", LastSeen: ago(402)},
			{Domain: "hostile.example", Attempts: 1, Deferrals: 1,
				LastReason: "host mx.hostile.example[*] said: 421 \x1b[2J\x1b[Hbusy\r\u202eretry", LastSeen: ago(500)},
			{Domain: "gone.example", Attempts: 2, Bounced: 2,
				LastReason: "host mx.gone.example[*] said: 550 5.1.1 <*>: User unknown in virtual mailbox table (in reply to RCPT TO command)", LastSeen: ago(610)},
			{Domain: "gmail.example", Attempts: 420, Sent: 420, LastSeen: ago(1)},
			{Domain: "outlook.example", Attempts: 233, Sent: 233, LastSeen: ago(3)},
		},
	}
	for i := 0; i < 24; i++ {
		n := int64(120 - 5*i)
		m.Domains = append(m.Domains, LiveDomain{Domain: fmt.Sprintf("customer%02d.example", i), Attempts: n, Sent: n, LastSeen: ago(7 * i)})
	}
	slices.SortFunc(m.Domains, compareLiveDomains)
	peer := func(d string) string { return "mx." + d + "[127.0.0.12]:25" }
	for i := 0; i < 12; i++ {
		var e LiveEvent
		switch i % 4 {
		case 0:
			e = LiveEvent{Kind: "tls-failure", Domain: "bank.example.net", Peer: peer("bank.example.net"), TLSKind: "untrusted-issuer",
				Detail: "untrusted-issuer: /O=Unknown Org/CN=Unknown Org Root CA"}
		case 1:
			e = LiveEvent{Kind: "deferred", Domain: "busy.example.net", Peer: peer("busy.example.net"), DSN: "4.2.1",
				Detail: "host mx.busy.example.net[*] said: 450 4.2.1 <*>: Recipient address rejected: Mailbox temporarily unavailable"}
		case 2:
			e = LiveEvent{Kind: "tls-failure", Domain: "mx-pool.very-long-subdomain-name.enterprise-customer.example.co.uk",
				Peer: peer("mx-pool.very-long-subdomain-name.enterprise-customer.example.co.uk"), TLSKind: "name-mismatch",
				Detail: "name-mismatch: server certificate name does not match"}
		case 3:
			e = LiveEvent{Kind: "bounced", Domain: "gone.example", Peer: peer("gone.example"), DSN: "5.1.1",
				Detail: "host mx.gone.example[*] said: 550 5.1.1 <*>: User unknown in virtual mailbox table"}
		}
		e.Time, e.Host = ago(19+37*i), "mail"
		m.Recent = append(m.Recent, e)
	}
	m.Recent = slices.Insert(m.Recent, 3, LiveEvent{Time: ago(100), Kind: "fatal", Host: "mail",
		Detail: "postfix/master: bind 0.0.0.0 port 25: Address already in use"})
	return m
}

func TestLiveGolden(t *testing.T) {
	m := liveGoldenModel()
	for _, size := range [][2]int{{100, 30}, {60, 15}, {200, 50}} {
		name := fmt.Sprintf("live-%dx%d.txt", size[0], size[1])
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			if err := RenderLive(&out, m, size[0], size[1]); err != nil {
				t.Fatal(err)
			}
			checkFits(t, out.String(), size[0], size[1])
			path := filepath.Join(goldenDir, name)
			if *update {
				if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run: go test ./report -run TestLiveGolden -update)", err)
			}
			if d := lineDiff(want, out.Bytes()); d != "" {
				t.Errorf("%s differs from the golden file (go test ./report -run TestLiveGolden -update rewrites it):\n%s", path, d)
			}
		})
	}
}

// checkFits checks RenderLive's promise: at most height lines, none wider
// than width runes or width cells, no trailing newline.
func checkFits(t *testing.T, out string, width, height int) bool {
	t.Helper()
	if out == "" {
		return true
	}
	lines := strings.Split(out, "\n")
	ok := true
	if len(lines) > height {
		t.Errorf("%dx%d: %d lines", width, height, len(lines))
		ok = false
	}
	for i, line := range lines {
		if n := utf8.RuneCountInString(line); n > width {
			t.Errorf("%dx%d: line %d has %d runes: %q", width, height, i+1, n, line)
			ok = false
		}
		if n := textCells(line); n > width {
			t.Errorf("%dx%d: line %d takes %d cells: %q", width, height, i+1, n, line)
			ok = false
		}
	}
	return ok
}

// liveWords are the parts random models are made of: plain, long, wide,
// combining, emoji and hostile.
var liveWords = append([]string{
	"", "a", "example.com", "mx.example.net[127.0.0.1]:25", "untrusted-issuer: /O=Unknown Org",
	strings.Repeat("very-long-label.", 12) + "example",
	"例え.example", "一時的なエラーです", "e\u0301\u0301\u0301", "👍🏽 ok", "\u200d\u200d\u200d",
	"said: 450 4.2.1 <*>: Mailbox temporarily unavailable, please try again later",
}, hostile...)

func randomLiveModel(r *rand.Rand) LiveModel {
	word := func() string {
		var b strings.Builder
		for n := r.IntN(4); n >= 0; n-- {
			b.WriteString(liveWords[r.IntN(len(liveWords))])
		}
		return b.String()
	}
	now := liveT0.Add(time.Duration(r.IntN(100000)) * time.Second)
	num := func() int64 {
		if r.IntN(10) == 0 {
			return r.Int64N(1 << 40)
		}
		return r.Int64N(1000)
	}
	m := LiveModel{Now: now, Window: time.Duration(r.IntN(7200)+1) * time.Second, Source: word(),
		LinesPerSec: r.Float64() * 1e5, Lines: num(), Events: num(), CatchingUp: r.IntN(2) == 0,
		Rejects: num(), Warnings: num()}
	if r.IntN(4) == 0 {
		m.Unreadable = "open " + word() + ": permission denied"
	}
	for n := r.IntN(60); n > 0; n-- {
		m.Domains = append(m.Domains, LiveDomain{Domain: word(), Attempts: num(), Sent: num(), Deferrals: num(), Bounced: num(),
			TLSFailures: num(), LastReason: word(), LastSeen: now.Add(-time.Duration(r.IntN(200000)) * time.Second)})
	}
	kinds := []EventKind{"tls-failure", "deferred", "bounced", "fatal", "error", "panic"}
	for n := r.IntN(40); n > 0; n-- {
		m.Recent = append(m.Recent, LiveEvent{Time: now.Add(-time.Duration(r.IntN(200000)) * time.Second), Kind: kinds[r.IntN(len(kinds))],
			Domain: word(), Host: word(), Peer: word(), Detail: word(), DSN: word()})
	}
	return m
}

// TestLiveRenderFits: whatever the model and the terminal size, the view
// fits it.
func TestLiveRenderFits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	runs := 3000
	if testing.Short() {
		runs = 300
	}
	for i := 0; i < runs; i++ {
		m := randomLiveModel(r)
		width, height := 20+r.IntN(231), 5+r.IntN(76)
		var out bytes.Buffer
		if err := RenderLive(&out, m, width, height); err != nil {
			t.Fatal(err)
		}
		if !checkFits(t, out.String(), width, height) {
			t.Fatalf("run %d", i)
		}
		checkSafe(t, fmt.Sprintf("run %d", i), out.String())
	}
	// Tiny terminals too, down to a single cell.
	m := liveGoldenModel()
	for width := 0; width <= 20; width++ {
		for height := 0; height <= 8; height++ {
			var out bytes.Buffer
			if err := RenderLive(&out, m, width, height); err != nil {
				t.Fatal(err)
			}
			if width == 0 || height == 0 {
				if out.Len() != 0 {
					t.Errorf("%dx%d: %q", width, height, out.String())
				}
				continue
			}
			checkFits(t, out.String(), width, height)
		}
	}
}

// TestLiveRenderUsesTheHeight: rows the domain table does not need go to
// the latest problems, and the other way round.
func TestLiveRenderUsesTheHeight(t *testing.T) {
	m := liveGoldenModel()
	few := m
	few.Domains = m.Domains[:2]
	var out bytes.Buffer
	if err := RenderLive(&out, few, 100, 30); err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(out.String(), "\n") + 1; got != 2+1+1+1+2+1+1+len(m.Recent) {
		t.Errorf("two domains, %d recent: %d lines:\n%s", len(m.Recent), got, out.String())
	}
	none := m
	none.Recent = nil
	out.Reset()
	if err := RenderLive(&out, none, 100, 30); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if got := strings.Count(s, "\n") + 1; got != 30 || !strings.Contains(s, "more domains") || !strings.HasSuffix(s, "Latest problems: none yet") {
		t.Errorf("no recent problems: %d lines:\n%s", got, s)
	}
}

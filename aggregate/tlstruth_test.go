package aggregate_test

import (
	"testing"

	"github.com/pftls/pftls/aggregate"
)

// A failure is filed under the TLS policy domain the log names (TLSRPT
// domain=), with the recipient kept on the fact.
func TestFailureKeyedByTLSRPTDomain(t *testing.T) {
	_, f := correlate(aggregate.DefaultOptions, []string{
		"Nov 23 08:00:00 mail postfix/qmgr[2100]: 5E6F7A8B01: from=<alice@sender.test>, size=900, nrcpt=1 (queue active)",
		"Nov 23 08:00:01 mail postfix/smtp[9201]: certificate verification failed for mx.hoster.example[192.0.2.90]:25: untrusted issuer /CN=Hoster Private CA",
		"Nov 23 08:00:01 mail postfix/smtp[9201]: TLSRPT: status=failure, domain=hoster.example, receiving_mx=mx.hoster.example[192.0.2.90], failure_type=certificate_not_trusted",
		"Nov 23 08:00:01 mail postfix/smtp[9201]: Untrusted TLS connection established to mx.hoster.example[192.0.2.90]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
		"Nov 23 08:00:01 mail postfix/smtp[9201]: 5E6F7A8B01: to=<user@customer.example>, relay=mx.hoster.example[192.0.2.90]:25, delay=1, delays=0.1/0/0.9/0, dsn=4.7.5, status=deferred (Server certificate not verified)",
	})
	if len(f.TLS) != 1 {
		t.Fatalf("want 1 TLS failure, got %+v", f.TLS)
	}
	got := f.TLS[0]
	if got.Domain != "hoster.example" || got.Recipient != "user@customer.example" || got.Kind != "untrusted-issuer" {
		t.Errorf("failure filed under %q for %q, kind %s", got.Domain, got.Recipient, got.Kind)
	}
	if a := f.Attempts[0]; a.Domain != "customer.example" || a.TLSRPT != "failure certificate-not-trusted" {
		t.Errorf("attempt: domain %q (the recipient's, for counting), TLSRPT %q", a.Domain, a.TLSRPT)
	}
}

// Policy warnings explain only the relay=none deferral that follows: a
// later delivery that reached its server is no policy failure.
func TestPolicyNoteDoesNotOutliveItsDelivery(t *testing.T) {
	_, f := correlate(aggregate.DefaultOptions, []string{
		`Nov 23 02:00:40 mail postfix/smtp[4242]: warning: socketmap:inet:10.3.0.44:8462:query lookup error for "web.de"`,
		"Nov 23 02:00:40 mail postfix/smtp[4242]: 4h5QLF430Vz2jkj: to=<recipient@web.de>, relay=none, delay=40, delays=0.1/0/40/0, dsn=4.7.5, status=deferred (client TLS configuration problem)",
		"Nov 23 02:05:00 mail postfix/smtp[4242]: Trusted TLS connection established to mx.other.example[192.0.2.7]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
		"Nov 23 02:05:01 mail postfix/smtp[4242]: 5B6C7D8E9F: to=<x@other.example>, relay=mx.other.example[192.0.2.7]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
	})
	if len(f.TLS) != 1 || f.TLS[0].Domain != "web.de" || f.TLS[0].Kind != "policy-error" {
		t.Fatalf("want the one web.de policy failure, got %+v", f.TLS)
	}
	if d := f.TLS[0].Detail; d != "client TLS configuration problem (socketmap:inet:10.3.0.44:8462:query: lookup error)" {
		t.Errorf("detail %q", d)
	}
}

// tlsproxy's failure waits for the smtp delivery across a saved and
// restored state (tail commits between any two lines).
func TestTLSProxyFailureSurvivesRestore(t *testing.T) {
	c := aggregate.NewCorrelator(aggregate.DefaultOptions)
	feed(c,
		"Nov 23 06:00:01 mail postfix/tlsproxy[8101]: CONNECT to [203.0.113.40]:25",
		"Nov 23 06:00:01 mail postfix/tlsproxy[8101]: certificate verification failed for mail.selfsigned.example[203.0.113.40]:25: self-signed certificate",
	)
	c.Drain()
	c = restored(t, c)
	feed(c,
		"Nov 23 06:00:01 mail postfix/smtp[8201]: Untrusted TLS connection established to mail.selfsigned.example[203.0.113.40]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
		"Nov 23 06:00:01 mail postfix/smtp[8201]: 3C4D5E6F01: to=<anna@selfsigned.example>, relay=mail.selfsigned.example[203.0.113.40]:25, delay=1.1, delays=0.1/0/1/0, dsn=4.7.5, status=deferred (Server certificate not verified)",
	)
	c.FlushPending()
	f := newFacts()
	f.add(c.Drain())
	if len(f.TLS) != 1 || f.TLS[0].Kind != "self-signed" || f.TLS[0].Domain != "selfsigned.example" {
		t.Errorf("want one self-signed failure at selfsigned.example, got %+v", f.TLS)
	}
}

// Certificate names tlsproxy logs at loglevel 2 explain the failure the
// smtp delivery adopts.
func TestTLSProxyCertificateNames(t *testing.T) {
	_, f := correlate(aggregate.DefaultOptions, []string{
		"Nov 23 06:00:01 mail postfix/tlsproxy[8101]: CONNECT to [203.0.113.41]:25",
		"Nov 23 06:00:01 mail postfix/tlsproxy[8101]: server certificate verification failed for mx.wrong.example[203.0.113.41]:25: num=62:hostname mismatch",
		"Nov 23 06:00:01 mail postfix/tlsproxy[8101]: mx.wrong.example[203.0.113.41]:25: subject_CN=shared.hosting.example, issuer_CN=R3, fingerprint=3A:1F:0C:55, pkey_fingerprint=9B:20:AA:7E",
		"Nov 23 06:00:01 mail postfix/smtp[8203]: Untrusted TLS connection established to mx.wrong.example[203.0.113.41]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
		"Nov 23 06:00:01 mail postfix/smtp[8203]: 3C4D5E6F02: to=<x@wrong.example>, relay=mx.wrong.example[203.0.113.41]:25, delay=1, delays=0.1/0/0.9/0, dsn=4.7.5, status=deferred (Server certificate not verified)",
	})
	if len(f.TLS) != 1 || f.TLS[0].Kind != "name-mismatch" || f.TLS[0].Names != "shared.hosting.example" {
		t.Errorf("want one name-mismatch with the certificate's name, got %+v", f.TLS)
	}
}

// A policy warning waits for its deferral across a saved and restored
// state.
func TestPolicyNoteSurvivesRestore(t *testing.T) {
	c := aggregate.NewCorrelator(aggregate.DefaultOptions)
	feed(c, `Nov 23 02:00:40 mail postfix/smtp[4242]: warning: socketmap:inet:10.3.0.44:8462:query lookup error for "web.de"`,
		"Nov 23 02:00:40 mail postfix/smtp[4242]: warning: TLS policy lookup for web.de/mx00.web.de: client TLS configuration problem")
	c.Drain()
	c = restored(t, c)
	feed(c, "Nov 23 02:00:40 mail postfix/smtp[4242]: 4h5QLF430Vz2jkj: to=<recipient@web.de>, relay=none, delay=40, delays=0.1/0/40/0, dsn=4.7.5, status=deferred (client TLS configuration problem)")
	f := newFacts()
	f.add(c.Drain())
	if len(f.TLS) != 1 || f.TLS[0].PeerHost != "mx00.web.de" || len(f.TLS[0].Evidence) == 0 {
		t.Errorf("want the web.de failure with its MX and evidence, got %+v", f.TLS)
	}
}

// The next hop of a session cache key keys that session's failure, and
// not a later session's whose key names none.
func TestCacheNextHopDoesNotGoStale(t *testing.T) {
	_, f := correlate(aggregate.DefaultOptions, []string{
		"Nov 23 09:00:00 mail postfix/smtp[9301]: looking for session smtp&fastmail.fm&in1-smtp.messagingengine.com&103.168.172.218&25&&C0F1 in smtp cache",
		"Nov 23 09:00:01 mail postfix/smtp[9301]: Trusted TLS connection established to in1-smtp.messagingengine.com[103.168.172.218]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
		"Nov 23 09:00:01 mail postfix/smtp[9301]: 6A7B8C9D01: to=<me@fastmail.fm>, relay=in1-smtp.messagingengine.com[103.168.172.218]:25, delay=1, delays=0.1/0/0.9/0, dsn=4.7.5, status=deferred (Server certificate not verified)",
		"Nov 23 09:05:00 mail postfix/smtp[9301]: looking for session smtp&mx.other.example&192.0.2.30&25&&C0F1 in smtp cache",
		"Nov 23 09:05:01 mail postfix/smtp[9301]: Trusted TLS connection established to mx.other.example[192.0.2.30]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
		"Nov 23 09:05:01 mail postfix/smtp[9301]: 6A7B8C9D02: to=<you@other.example>, relay=mx.other.example[192.0.2.30]:25, delay=1, delays=0.1/0/0.9/0, dsn=4.7.5, status=deferred (Server certificate not verified)",
	})
	if len(f.TLS) != 2 || f.TLS[0].Domain != "fastmail.fm" || f.TLS[1].Domain != "other.example" {
		t.Errorf("want fastmail.fm then other.example, got %+v", f.TLS)
	}
}

// tlsproxy's inbound handshake failure belongs to the smtpd session with
// the same client (tlsproxy_state.c: "TLS handshake failed for
// service=smtpd peer=...").
func TestTLSProxyInboundFailureTiedToSession(t *testing.T) {
	_, f := correlate(aggregate.DefaultOptions, []string{
		"Nov 23 10:00:00 mx postfix/smtpd[7001]: connect from client.example[198.51.100.99]",
		"Nov 23 10:00:01 mx postfix/tlsproxy[7002]: TLS handshake failed for service=smtpd peer=client.example[198.51.100.99]:41234",
		"Nov 23 10:00:01 mx postfix/smtpd[7001]: lost connection after STARTTLS from client.example[198.51.100.99]",
		"Nov 23 10:00:01 mx postfix/smtpd[7001]: disconnect from client.example[198.51.100.99] ehlo=1 starttls=0/1 commands=1/2",
	})
	if len(f.Sessions) != 1 || !f.Sessions[0].TLSFailed || f.Sessions[0].TLSError != "TLS handshake failed (tlsproxy)" {
		t.Errorf("want one failed TLS session with tlsproxy's error, got %+v", f.Sessions)
	}
}

// An external (MTA-STS) policy failure keeps the RFC 8460 type the
// plugin gave, as Postfix reports it.
func TestExternalPolicyFailureType(t *testing.T) {
	_, f := correlate(aggregate.DefaultOptions, []string{
		"Nov 23 12:00:00 mail postfix/smtp[9401]: certificate verification failed for mx1.example.net[192.0.2.25]:25: external policy failure (sts-webpki-invalid)",
		"Nov 23 12:00:00 mail postfix/smtp[9401]: Untrusted TLS connection established to mx1.example.net[192.0.2.25]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
		"Nov 23 12:00:00 mail postfix/smtp[9401]: 7B8C9DAE01: to=<a@example.net>, relay=mx1.example.net[192.0.2.25]:25, delay=1, delays=0.1/0/0.9/0, dsn=4.7.5, status=deferred (Server certificate not verified)",
	})
	if len(f.TLS) != 1 || f.TLS[0].Kind != "external-policy" || f.TLS[0].RFC8460 != "sts-webpki-invalid" {
		t.Errorf("got %+v", f.TLS)
	}
}

package logparse_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/pftls/pftls/logparse"
)

// fuzzSeeds are real corpus lines and reference shapes. More seeds, kept
// for odd inputs the fuzzer found or that are worth keeping, live in
// testdata/fuzz/FuzzParse and run in every go test.
var fuzzSeeds = []string{
	"Nov 23 00:19:54 mail postfix/postfix-script[13390]: starting the Postfix mail system",
	"Nov 23 00:19:58 mail postfix/smtpd[13443]: 0CDA6BC393: client=localhost[127.0.0.1]",
	"Nov 23 00:19:58 mail postfix/cleanup[13447]: 0CDA6BC393: message-id=<rpf-a-purge1.6b643353@sender.test>",
	"Nov 23 00:19:58 mail postfix/smtpd[13443]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5",
	"Nov 23 00:19:58 mail postfix/qmgr[13394]: 0CDA6BC393: from=<bob@sender.test>, size=2521, nrcpt=1 (queue active)",
	"Nov 23 00:19:58 mail postfix/smtp[13448]: connect to mx.purge.example.org[127.0.0.19]:25: Connection refused",
	"Nov 23 00:19:58 mail postfix/smtp[13448]: 0CDA6BC393: to=<ines.mueller@purge.example.org>, relay=none, delay=0.04, delays=0.02/0.03/0/0, dsn=4.4.1, status=deferred (connect to mx.purge.example.org[127.0.0.19]:25: Connection refused)",
	"Nov 23 00:20:05 mail postfix/smtpd[13443]: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.1.1 <jobs@sender.test>: Recipient address rejected: User unknown in local recipient table; from=<fatima.mueller@gmx.example> to=<jobs@sender.test> proto=ESMTP helo=<workstation.sender.test>",
	"Nov 23 00:20:05 mail postfix/local[13454]: 4D8D6BC3A0: to=<alice@sender.test>, orig_to=<team@sender.test>, relay=local, delay=0.09, delays=0.05/0.03/0/0, dsn=2.0.0, status=sent (delivered to mailbox)",
	"Nov 23 00:20:05 mail postfix/smtp[13448]: Untrusted TLS connection established to mx.selfsigned.example.com[127.0.0.14]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
	"Nov 23 00:20:05 mail postfix/qmgr[13394]: 4D8D6BC3A0: removed",
	"Nov 23 00:20:06 mail postfix/bounce[13465]: 94C5DBC404: sender non-delivery notification: AC966BC407",
	"Nov 23 00:20:07 mail postfix/pickup[13393]: 0D0A9BC40A: uid=0 from=<carol@sender.test>",
	"Nov 23 00:20:07 mail postfix/smtp[13448]: Host offered STARTTLS: [mx.intranet.example.org]",
	"Nov 23 00:20:12 mail postfix/smtp[13448]: warning: TLS library problem: error:0A00042E:SSL routines::tlsv1 alert protocol version:../ssl/record/rec_layer_s3.c:1602:SSL alert number 70:",
	"Nov 23 00:20:16 mail postfix/smtpd[13453]: Untrusted TLS connection established from localhost[127.0.0.1]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256 client-signature RSA-PSS (2048 bits) client-digest SHA256",
	"Nov 23 00:20:17 mail postfix/smtp[13462]: server certificate verification failed for mx.gov.example.org[127.0.0.13]:25: certificate has expired",
	"Nov 23 00:20:17 mail postfix/smtp[13462]: SSL_connect error to mx.modern.example.net[127.0.0.20]:25: -1",
	"Nov 23 00:20:18 mail postfix/smtp[13495]: certificate verification failed for mx.bank.example.net[127.0.0.12]:25: untrusted issuer /O=Unknown Org/CN=Rogue Untrusted Issuing CA",
	"Nov 23 00:20:14 mail postfix/smtp[13462]: server certificate verification failed for mx.hosting.example.net[127.0.0.15]:25: num=62:hostname mismatch",
	"Nov 23 00:20:34 mail postfix/smtp[13536]: D55CFBC41C: Cannot start TLS: handshake failure",
	"Nov 23 00:20:55 mail postfix/error[13606]: 45A4FBC4E0: to=<rosa.meyer@hosting.example.net>, relay=none, delay=0.04, delays=0.01/0.03/0/0, dsn=4.7.5, status=deferred (delivery temporarily suspended: Server certificate not verified)",
	"Nov 23 00:22:57 mail postfix/postsuper[14249]: 0CDA6BC393: removed",
	"Nov 23 00:23:34 mail postfix/qmgr[13394]: A0B8BBC44C: from=<alice@sender.test>, status=expired, returned to sender",
	"Nov 23 00:24:36 mail postfix/anvil[13472]: statistics: max connection rate 11/60s for (127.0.0.1:smtp:127.0.0.50) at Nov 23 00:22:22",
	"Nov 23 00:20:12 mx postfix-rx/legacy/smtpd[13484]: SSL_accept error from localhost[127.0.0.1]: -1",
	"Nov 23 00:20:12 mx postfix-rx/legacy/smtpd[13484]: lost connection after STARTTLS from localhost[127.0.0.1]",
	"Nov 23 00:20:05 mx postfix-rx/selfsigned/smtpd[13455]: error: open database /etc/aliases.db: No such file or directory",
	"Mar  7 16:05:12 mx1 postfix/lmtp[2211]: 3Pt2mN2VXxznjll: to=<bob@example.org>, relay=mail.example.org[private/dovecot-lmtp], delay=0.05, delays=0.02/0/0.01/0.02, dsn=2.0.0, status=sent (250 2.0.0 <bob@example.org> kG2bN3 Saved)",
	"2026-03-27T16:05:12.345678+01:00 mx1 postfix-out/smtp[7001]: 3F1A22C0B1F: to=<\"john>, doe\"@example.com>, orig_to=<x@example.com>, relay=mx.example.net[2001:db8::25]:25, conn_use=2, delay=1.2, delays=0.08/0.01/0.61/0.5, tls=dane, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
	"2026-03-27T16:05:12+0100 mx1 postfix/smtpd[4100]: NOQUEUE: abort: TLS from mail.example.org[203.0.113.9]: No client certificate presented",
	"Mar 27 16:05:12.345678 mx1 postfix/postscreen[900]: NOQUEUE: reject: RCPT from [198.51.100.66]:51522: 550 5.7.1 Service unavailable; client [198.51.100.66] blocked using zen.spamhaus.org; from=<a@b.example>, to=<c@example.com>, proto=ESMTP, helo=<x>",
	"2026-03-27T15:05:12Z mx1 postfix/smtp[6752]: TLSRPT: status=failure, domain=example.net, receiving_mx=mx.example.net[192.0.2.25], failure_type=validation_failure, failure_reason=self-signed_certificate",
	"Mar 27 16:05:12 mx1 postfix/smtp[6752]: warning: mx.example.net[192.0.2.25]:25: all TLSA records unusable, fallback to unauthenticated TLS",
	"Mar 27 16:05:12 mx1 postfix/cleanup[3002]: 3F1A22C0B1F: reject: header Subject: win big from unknown[198.51.100.66]; from=<a@b.example> to=<c@example.com> proto=ESMTP helo=<x>: 550 5.7.1 Spam",
	"Mar 27 16:05:12 mx1 postfix/smtpd[4100]: Anonymous TLS connection established from mail.example.org[203.0.113.9] to mx1.example.com: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
	"Mar 27 16:05:12 mx1 postfix/smtp[6752]: message repeated 3 times: [ connect to mx.example.net[192.0.2.25]:25: Connection refused]",
	"Nov 23 00:21:04 mail CRON[14001]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
	"Mar 27 16:05:12 mx1 last message repeated 3 times",
	"",
	"garbage",
}

// FuzzParse checks properties that hold for any input: no panic, an event
// of some kind, and envelope and delivery fields that are slices of the
// input rather than made-up text.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in := string(b)
		l := logparse.Parse(b)
		if l.Event == nil {
			t.Fatalf("nil Event for %q", in)
		}
		if l.Event.Kind() == "" {
			t.Fatalf("empty Kind for %q (%T)", in, l.Event)
		}
		// Raw is the input, except for the JSON formats, whose Raw is the
		// syslog line made of their fields (and whose fields are slices
		// of it).
		json := l.Format == logparse.FormatJournalJSON || l.Format == logparse.FormatJSON
		if l.Raw != in && !json {
			t.Fatalf("Raw = %q, want the input %q", l.Raw, in)
		}
		if s := logparse.ParseString(in); !reflect.DeepEqual(s, l) {
			t.Fatalf("Parse and ParseString differ for %q:\n%s", in, diff(l, s))
		}
		if f := l.Format; f != "" {
			if again := logparse.ParseAs(in, f); f != logparse.FormatBare && !reflect.DeepEqual(again, l) {
				t.Fatalf("ParseAs(%q) and Parse differ for %q:\n%s", f, in, diff(l, again))
			}
		}
		fields := map[string]string{"Program": l.Program, "QueueID": l.QueueID, "Text": l.Text}
		if l.Host != logparse.NoHost {
			fields["Host"] = l.Host // a format without a host has NoHost
		}
		// A tag of "postfix" alone (rsyslog's RFC 5424 APP-NAME) has its
		// service inferred from the message: see TestInferService.
		inferred := l.Program == "postfix" && l.Service != "postfix"
		if !inferred {
			fields["Service"] = l.Service
		}
		for name, v := range fields {
			if !strings.Contains(l.Raw, v) {
				t.Fatalf("%s %q is not part of the line %q (input %q)", name, v, l.Raw, in)
			}
		}
		if !inferred && !strings.HasSuffix(l.Program, l.Service) {
			t.Fatalf("Service %q is not the end of Program %q (input %q)", l.Service, l.Program, in)
		}
		if l.PID < 0 {
			t.Fatalf("PID %d < 0 for %q", l.PID, in)
		}
		switch ev := l.Event.(type) {
		case logparse.Delivery:
			for name, v := range map[string]string{
				"To": ev.To, "OrigTo": ev.OrigTo, "Relay": ev.Relay, "DSN": ev.DSN,
				"Reason": ev.Reason, "TLSPolicy.Level": ev.TLSPolicy.Level.Name,
				"TLSPolicy.RequireTLS": ev.TLSPolicy.RequireTLS.Name,
			} {
				if !strings.Contains(l.Text, v) {
					t.Fatalf("Delivery.%s %q is not part of the text %q", name, v, l.Text)
				}
			}
			// Bracket-less lines ("to=root, relay=local, ...") have the
			// address between "to=" and ", ".
			if !strings.Contains(l.Text, "to=<"+ev.To+">") && !strings.HasPrefix(l.Text, "to="+ev.To+", ") {
				t.Fatalf("Delivery.To %q is not the to=<...> of %q", ev.To, l.Text)
			}
		case logparse.TLSEstablished:
			for name, v := range map[string]string{"Protocol": ev.Protocol, "Cipher": ev.Cipher, "SNI": ev.SNI} {
				if !strings.Contains(l.Text, v) {
					t.Fatalf("TLSEstablished.%s %q is not part of the text %q", name, v, l.Text)
				}
			}
		case logparse.TLSCertFailure:
			if !strings.Contains(l.Text, ev.Detail) || !strings.Contains(l.Text, ev.Issuer) {
				t.Fatalf("TLSCertFailure %+v is not part of the text %q", ev, l.Text)
			}
		case logparse.Reject:
			for name, v := range map[string]string{"From": ev.From, "To": ev.To, "Reply": ev.Reply, "Helo": ev.Helo} {
				if !strings.Contains(l.Text, v) {
					t.Fatalf("Reject.%s %q is not part of the text %q", name, v, l.Text)
				}
			}
		}
	})
}

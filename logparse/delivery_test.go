package logparse_test

import (
	"testing"

	"github.com/pftls/pftls/logparse"
)

func peer(host, addr string, port int) logparse.Peer {
	return logparse.Peer{Host: host, Addr: addr, Port: port}
}

// d4 is a delays=a/b/c/d value.
func d4(a, b, c, d float64) [4]float64 { return [4]float64{a, b, c, d} }

const (
	sent     = logparse.StatusSent
	deferred = logparse.StatusDeferred
	bounced  = logparse.StatusBounced
)

// TestParseDelivery covers the to= line of every delivery agent, from the
// corpus (Postfix 3.7) and, for shapes it lacks, from the reference.
func TestParseDelivery(t *testing.T) {
	runCases(t, []lineCase{
		// --- corpus-a.log / receivers-a.log (real Postfix 3.7.11) ---
		{
			name: "smtp sent over TLS",
			line: "Nov 23 00:20:05 mail postfix/smtp[13448]: 4D8D6BC3A0: to=<hans.meyer@selfsigned.example.com>, relay=mx.selfsigned.example.com[127.0.0.14]:25, delay=0.18, delays=0.05/0/0.09/0.03, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 787ACBC402)",
			env: env{Host: "mail", Program: "postfix/smtp", Service: "smtp", PID: 13448, Severity: info, QueueID: "4D8D6BC3A0",
				Text: "to=<hans.meyer@selfsigned.example.com>, relay=mx.selfsigned.example.com[127.0.0.14]:25, delay=0.18, delays=0.05/0/0.09/0.03, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 787ACBC402)"},
			event: logparse.Delivery{
				To: "hans.meyer@selfsigned.example.com", Relay: "mx.selfsigned.example.com[127.0.0.14]:25",
				RelayPeer: peer("mx.selfsigned.example.com", "127.0.0.14", 25),
				Delay:     0.18, Delays: d4(0.05, 0, 0.09, 0.03), DSN: "2.0.0", Status: sent,
				Reason: "250 2.0.0 Ok: queued as 787ACBC402",
			},
		},
		{
			name: "local alias expansion with orig_to",
			line: "Nov 23 00:20:05 mail postfix/local[13454]: 4D8D6BC3A0: to=<alice@sender.test>, orig_to=<team@sender.test>, relay=local, delay=0.09, delays=0.05/0.03/0/0, dsn=2.0.0, status=sent (delivered to mailbox)",
			env:  e("mail", "postfix/local", "local", 13454, info, "4D8D6BC3A0"),
			event: logparse.Delivery{
				To: "alice@sender.test", OrigTo: "team@sender.test", Relay: "local",
				Delay: 0.09, Delays: d4(0.05, 0.03, 0, 0), DSN: "2.0.0", Status: sent, Reason: "delivered to mailbox",
			},
		},
		{
			name: "smtp sent for a forwarding alias with orig_to",
			line: "Nov 23 00:20:07 mail postfix/smtp[13448]: 87A5CBC40D: to=<sales-archive@gmx.example>, orig_to=<sales@sender.test>, relay=mx.gmx.example[127.0.0.10]:25, delay=0.02, delays=0/0/0.01/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 8B743BC40B)",
			env:  e("mail", "postfix/smtp", "smtp", 13448, info, "87A5CBC40D"),
			event: logparse.Delivery{
				To: "sales-archive@gmx.example", OrigTo: "sales@sender.test", Relay: "mx.gmx.example[127.0.0.10]:25",
				RelayPeer: peer("mx.gmx.example", "127.0.0.10", 25),
				Delay:     0.02, Delays: d4(0, 0, 0.01, 0), DSN: "2.0.0", Status: sent, Reason: "250 2.0.0 Ok: queued as 8B743BC40B",
			},
		},
		{
			name: "local forwarded as a new queue ID",
			line: "Nov 23 00:20:07 mail postfix/local[13454]: 84C3EBC40B: to=<sales@sender.test>, relay=local, delay=0.02, delays=0.01/0.01/0/0, dsn=2.0.0, status=sent (forwarded as 87A5CBC40D)",
			env:  e("mail", "postfix/local", "local", 13454, info, "84C3EBC40B"),
			event: logparse.Delivery{
				To: "sales@sender.test", Relay: "local", Delay: 0.02, Delays: d4(0.01, 0.01, 0, 0),
				DSN: "2.0.0", Status: sent, Reason: "forwarded as 87A5CBC40D",
			},
		},
		{
			name: "local delivered to file",
			line: "Nov 23 00:21:06 mail postfix/local[13473]: 01DE4BC51B: to=<devnull@sender.test>, relay=local, delay=0.01, delays=0.01/0/0/0, dsn=2.0.0, status=sent (delivered to file: /dev/null)",
			env:  e("mail", "postfix/local", "local", 13473, info, "01DE4BC51B"),
			event: logparse.Delivery{
				To: "devnull@sender.test", Relay: "local", Delay: 0.01, Delays: d4(0.01, 0, 0, 0),
				DSN: "2.0.0", Status: sent, Reason: "delivered to file: /dev/null",
			},
		},
		{
			name: "local bounced unknown user",
			line: `Nov 23 00:20:23 mail postfix/local[13473]: 22CB3BC463: to=<ghost@sender.test>, relay=local, delay=0.02, delays=0.01/0/0/0, dsn=5.1.1, status=bounced (unknown user: "ghost")`,
			env:  e("mail", "postfix/local", "local", 13473, info, "22CB3BC463"),
			event: logparse.Delivery{
				To: "ghost@sender.test", Relay: "local", Delay: 0.02, Delays: d4(0.01, 0, 0, 0),
				DSN: "5.1.1", Status: bounced, Reason: `unknown user: "ghost"`,
			},
		},
		{
			name: "local delivery with zero delays",
			line: "Nov 23 00:20:06 mail postfix/local[13454]: AC966BC407: to=<alice@sender.test>, relay=local, delay=0, delays=0/0/0/0, dsn=2.0.0, status=sent (delivered to mailbox)",
			env:  e("mail", "postfix/local", "local", 13454, info, "AC966BC407"),
			event: logparse.Delivery{
				To: "alice@sender.test", Relay: "local", DSN: "2.0.0", Status: sent, Reason: "delivered to mailbox",
			},
		},
		{
			name: "smtp bounced by remote 550",
			line: "Nov 23 00:20:06 mail postfix/smtp[13462]: 94C5DBC404: to=<olduser@strict.example.com>, relay=mx.strict.example.com[127.0.0.18]:25, delay=0.1, delays=0/0.04/0.04/0.01, dsn=5.1.1, status=bounced (host mx.strict.example.com[127.0.0.18] said: 550 5.1.1 <olduser@strict.example.com>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command))",
			env:  e("mail", "postfix/smtp", "smtp", 13462, info, "94C5DBC404"),
			event: logparse.Delivery{
				To: "olduser@strict.example.com", Relay: "mx.strict.example.com[127.0.0.18]:25",
				RelayPeer: peer("mx.strict.example.com", "127.0.0.18", 25),
				Delay:     0.1, Delays: d4(0, 0.04, 0.04, 0.01), DSN: "5.1.1", Status: bounced,
				Reason: "host mx.strict.example.com[127.0.0.18] said: 550 5.1.1 <olduser@strict.example.com>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)",
			},
		},
		{
			name: "smtp deferred by remote 450",
			line: "Nov 23 00:20:33 mail postfix/smtp[13448]: EFAA0BC477: to=<lena.mueller@busy.example.net>, relay=mx.busy.example.net[127.0.0.17]:25, delay=0.1, delays=0.03/0/0.06/0.01, dsn=4.2.1, status=deferred (host mx.busy.example.net[127.0.0.17] said: 450 4.2.1 <lena.mueller@busy.example.net>: Recipient address rejected: Mailbox temporarily unavailable, please try again later (in reply to RCPT TO command))",
			env:  e("mail", "postfix/smtp", "smtp", 13448, info, "EFAA0BC477"),
			event: logparse.Delivery{
				To: "lena.mueller@busy.example.net", Relay: "mx.busy.example.net[127.0.0.17]:25",
				RelayPeer: peer("mx.busy.example.net", "127.0.0.17", 25),
				Delay:     0.1, Delays: d4(0.03, 0, 0.06, 0.01), DSN: "4.2.1", Status: deferred,
				Reason: "host mx.busy.example.net[127.0.0.17] said: 450 4.2.1 <lena.mueller@busy.example.net>: Recipient address rejected: Mailbox temporarily unavailable, please try again later (in reply to RCPT TO command)",
			},
		},
		{
			name: "smtp deferred Server certificate not verified",
			line: "Nov 23 00:20:14 mail postfix/smtp[13462]: 19470BC421: to=<chris.schmidt@hosting.example.net>, relay=mx.hosting.example.net[127.0.0.15]:25, delay=0.01, delays=0.01/0/0.01/0, dsn=4.7.5, status=deferred (Server certificate not verified)",
			env:  e("mail", "postfix/smtp", "smtp", 13462, info, "19470BC421"),
			event: logparse.Delivery{
				To: "chris.schmidt@hosting.example.net", Relay: "mx.hosting.example.net[127.0.0.15]:25",
				RelayPeer: peer("mx.hosting.example.net", "127.0.0.15", 25),
				Delay:     0.01, Delays: d4(0.01, 0, 0.01, 0), DSN: "4.7.5", Status: deferred,
				Reason: "Server certificate not verified", TLSFailure: logparse.TLSNotVerified,
			},
		},
		{
			name: "smtp deferred TLS is required but was not offered (port 2525)",
			line: "Nov 23 00:20:17 mail postfix/smtp[13462]: 71B50BC306: to=<dana.schmidt@school.example.org>, relay=mx.school.example.org[127.0.0.16]:2525, delay=0.03, delays=0.01/0.03/0/0, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host mx.school.example.org[127.0.0.16])",
			env:  e("mail", "postfix/smtp", "smtp", 13462, info, "71B50BC306"),
			event: logparse.Delivery{
				To: "dana.schmidt@school.example.org", Relay: "mx.school.example.org[127.0.0.16]:2525",
				RelayPeer: peer("mx.school.example.org", "127.0.0.16", 2525),
				Delay:     0.03, Delays: d4(0.01, 0.03, 0, 0), DSN: "4.7.4", Status: deferred,
				Reason:     "TLS is required, but was not offered by host mx.school.example.org[127.0.0.16]",
				TLSFailure: logparse.TLSStartTLSNotOffered,
			},
		},
		{
			name: "smtp deferred Cannot start TLS",
			line: "Nov 23 00:20:12 mail postfix/smtp[13448]: D55CFBC41C: to=<jonas.novak@oldpartner.example.net>, relay=mx.oldpartner.example.net[127.0.0.20]:25, delay=0.05, delays=0.01/0/0.05/0, dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)",
			env:  e("mail", "postfix/smtp", "smtp", 13448, info, "D55CFBC41C"),
			event: logparse.Delivery{
				To: "jonas.novak@oldpartner.example.net", Relay: "mx.oldpartner.example.net[127.0.0.20]:25",
				RelayPeer: peer("mx.oldpartner.example.net", "127.0.0.20", 25),
				Delay:     0.05, Delays: d4(0.01, 0, 0.05, 0), DSN: "4.7.5", Status: deferred,
				Reason: "Cannot start TLS: handshake failure", TLSFailure: logparse.TLSHandshake,
			},
		},
		{
			name: "smtp deferred connection refused relay=none",
			line: "Nov 23 00:19:58 mail postfix/smtp[13448]: 0CDA6BC393: to=<ines.mueller@purge.example.org>, relay=none, delay=0.04, delays=0.02/0.03/0/0, dsn=4.4.1, status=deferred (connect to mx.purge.example.org[127.0.0.19]:25: Connection refused)",
			env:  e("mail", "postfix/smtp", "smtp", 13448, info, "0CDA6BC393"),
			event: logparse.Delivery{
				To: "ines.mueller@purge.example.org", Relay: "none",
				Delay: 0.04, Delays: d4(0.02, 0.03, 0, 0), DSN: "4.4.1", Status: deferred,
				Reason: "connect to mx.purge.example.org[127.0.0.19]:25: Connection refused",
			},
		},
		{
			name: "error transport suspended: Server certificate not verified",
			line: "Nov 23 00:20:55 mail postfix/error[13606]: 45A4FBC4E0: to=<rosa.meyer@hosting.example.net>, relay=none, delay=0.04, delays=0.01/0.03/0/0, dsn=4.7.5, status=deferred (delivery temporarily suspended: Server certificate not verified)",
			env:  e("mail", "postfix/error", "error", 13606, info, "45A4FBC4E0"),
			event: logparse.Delivery{
				To: "rosa.meyer@hosting.example.net", Relay: "none",
				Delay: 0.04, Delays: d4(0.01, 0.03, 0, 0), DSN: "4.7.5", Status: deferred,
				Reason: "delivery temporarily suspended: Server certificate not verified", TLSFailure: logparse.TLSNotVerified,
			},
		},
		{
			name: "error transport suspended: connect refused",
			line: "Nov 23 00:21:42 mail postfix/error[13704]: 03C89BC5A5: to=<kim.berg@down.example.org>, relay=none, delay=0.01, delays=0.01/0/0/0, dsn=4.4.1, status=deferred (delivery temporarily suspended: connect to mx.down.example.org[127.0.0.19]:25: Connection refused)",
			env:  e("mail", "postfix/error", "error", 13704, info, "03C89BC5A5"),
			event: logparse.Delivery{
				To: "kim.berg@down.example.org", Relay: "none", Delay: 0.01, Delays: d4(0.01, 0, 0, 0),
				DSN: "4.4.1", Status: deferred,
				Reason: "delivery temporarily suspended: connect to mx.down.example.org[127.0.0.19]:25: Connection refused",
			},
		},
		{
			name: "error transport suspended: TLS not offered",
			line: "Nov 23 00:22:14 mail postfix/error[13704]: C0FE6BC236: to=<nora.kowalski@school.example.org>, relay=none, delay=25, delays=25/0.12/0/0.01, dsn=4.7.4, status=deferred (delivery temporarily suspended: TLS is required, but was not offered by host mx.school.example.org[127.0.0.16])",
			env:  e("mail", "postfix/error", "error", 13704, info, "C0FE6BC236"),
			event: logparse.Delivery{
				To: "nora.kowalski@school.example.org", Relay: "none", Delay: 25, Delays: d4(25, 0.12, 0, 0.01),
				DSN: "4.7.4", Status: deferred,
				Reason:     "delivery temporarily suspended: TLS is required, but was not offered by host mx.school.example.org[127.0.0.16]",
				TLSFailure: logparse.TLSStartTLSNotOffered,
			},
		},
		{
			name: "error transport suspended: Cannot start TLS",
			line: "Nov 23 00:22:39 mail postfix/error[13606]: 2A0FBBC65D: to=<gita.kowalski@modern.example.net>, relay=none, delay=0.01, delays=0.01/0/0/0, dsn=4.7.5, status=deferred (delivery temporarily suspended: Cannot start TLS: handshake failure)",
			env:  e("mail", "postfix/error", "error", 13606, info, "2A0FBBC65D"),
			event: logparse.Delivery{
				To: "gita.kowalski@modern.example.net", Relay: "none", Delay: 0.01, Delays: d4(0.01, 0, 0, 0),
				DSN: "4.7.5", Status: deferred,
				Reason: "delivery temporarily suspended: Cannot start TLS: handshake failure", TLSFailure: logparse.TLSHandshake,
			},
		},
		{
			name: "receiver instance discard",
			line: "Nov 23 00:20:05 rx postfix-rx/discard[13460]: 787ACBC402: to=<hans.meyer@selfsigned.example.com>, relay=none, delay=0.03, delays=0.02/0.01/0/0, dsn=2.0.0, status=sent (accepted by test receiver)",
			env:  e("rx", "postfix-rx/discard", "discard", 13460, info, "787ACBC402"),
			event: logparse.Delivery{
				To: "hans.meyer@selfsigned.example.com", Relay: "none", Delay: 0.03, Delays: d4(0.02, 0.01, 0, 0),
				DSN: "2.0.0", Status: sent, Reason: "accepted by test receiver",
			},
		},

		// --- reference catalog shapes the corpus lacks ---
		{
			name: "lmtp to a unix socket",
			line: "Mar 27 16:05:12 mx1 postfix/lmtp[2211]: 3F1A22C0B1F: to=<bob@example.org>, relay=mail.example.org[private/dovecot-lmtp], delay=0.05, delays=0.02/0/0.01/0.02, dsn=2.0.0, status=sent (250 2.0.0 <bob@example.org> kG2bN3 Saved)",
			env:  e("mx1", "postfix/lmtp", "lmtp", 2211, info, "3F1A22C0B1F"),
			event: logparse.Delivery{
				To: "bob@example.org", Relay: "mail.example.org[private/dovecot-lmtp]",
				RelayPeer: peer("mail.example.org", "private/dovecot-lmtp", 0),
				Delay:     0.05, Delays: d4(0.02, 0, 0.01, 0.02), DSN: "2.0.0", Status: sent,
				Reason: "250 2.0.0 <bob@example.org> kG2bN3 Saved",
			},
		},
		{
			name: "3.11 tls= field dane",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: 3F1A22C0B1F: to=<bob@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=1.2, delays=0.08/0.01/0.61/0.5, tls=dane, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4Xk2)",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, "3F1A22C0B1F"),
			event: logparse.Delivery{
				To: "bob@example.net", Relay: "mx.example.net[192.0.2.25]:25", RelayPeer: peer("mx.example.net", "192.0.2.25", 25),
				Delay: 1.2, Delays: d4(0.08, 0.01, 0.61, 0.5), TLSPolicy: logparse.TLSPolicy{Level: logparse.PolicyFeature{Name: "dane"}}, DSN: "2.0.0", Status: sent,
				Reason: "250 2.0.0 Ok: queued as 4Xk2",
			},
		},
		{
			name: "3.11 tls= field plaintext fallback may:none",
			line: "Mar 27 16:05:13 mx1 postfix/smtp[6752]: 3F1A22C0B1F: to=<carol@example.org>, relay=mx.example.org[198.51.100.7]:25, delay=2, delays=0.08/0.01/1.4/0.5, tls=may:none, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, "3F1A22C0B1F"),
			event: logparse.Delivery{
				To: "carol@example.org", Relay: "mx.example.org[198.51.100.7]:25", RelayPeer: peer("mx.example.org", "198.51.100.7", 25),
				Delay: 2, Delays: d4(0.08, 0.01, 1.4, 0.5), TLSPolicy: logparse.TLSPolicy{Level: logparse.PolicyFeature{Name: "may", Final: "none"}}, DSN: "2.0.0", Status: sent, Reason: "250 2.0.0 Ok",
			},
		},
		{
			name: "3.11 tls= field with requiretls suffix",
			line: "Mar 27 16:05:13 mx1 postfix/smtp[6752]: 3F1A22C0B1F: to=<carol@example.org>, relay=mx.example.org[198.51.100.7]:25, delay=2, delays=0.08/0.01/1.4/0.5, tls=dane:encrypt/requiretls, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, "3F1A22C0B1F"),
			event: logparse.Delivery{
				To: "carol@example.org", Relay: "mx.example.org[198.51.100.7]:25", RelayPeer: peer("mx.example.org", "198.51.100.7", 25),
				Delay: 2, Delays: d4(0.08, 0.01, 1.4, 0.5), TLSPolicy: logparse.TLSPolicy{Level: logparse.PolicyFeature{Name: "dane", Final: "encrypt"}, RequireTLS: logparse.PolicyFeature{Name: "requiretls"}}, DSN: "2.0.0", Status: sent, Reason: "250 2.0.0 Ok",
			},
		},
		{
			name: "conn_use on a cached connection",
			line: "Mar 27 16:05:14 mx1 postfix/smtp[6752]: 4B2C11E2A01: to=<dave@example.net>, relay=mx.example.net[192.0.2.25]:25, conn_use=2, delay=0.5, delays=0.25/0/0/0.25, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4Xk3)",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, "4B2C11E2A01"),
			event: logparse.Delivery{
				To: "dave@example.net", Relay: "mx.example.net[192.0.2.25]:25", RelayPeer: peer("mx.example.net", "192.0.2.25", 25),
				ConnUse: 2, Delay: 0.5, Delays: d4(0.25, 0, 0, 0.25), DSN: "2.0.0", Status: sent, Reason: "250 2.0.0 Ok: queued as 4Xk3",
			},
		},
		{
			name: "IPv6 relay",
			line: "Mar 27 16:05:15 mx1 postfix/smtp[6753]: 5C3D22E3B12: to=<erin@example.net>, relay=mx.example.net[2001:db8::25]:25, delay=1.5, delays=0.5/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
			env:  e("mx1", "postfix/smtp", "smtp", 6753, info, "5C3D22E3B12"),
			event: logparse.Delivery{
				To: "erin@example.net", Relay: "mx.example.net[2001:db8::25]:25", RelayPeer: peer("mx.example.net", "2001:db8::25", 25),
				Delay: 1.5, Delays: d4(0.5, 0, 0.5, 0.5), DSN: "2.0.0", Status: sent, Reason: "250 2.0.0 Ok",
			},
		},
		{
			name: "quoted local parts holding '>' and ','",
			line: `Mar 27 16:05:16 mx1 postfix/smtp[6753]: 5C3D22E3B12: to=<"john>, doe"@example.com>, orig_to=<"sales, team>"@example.com>, relay=mx.example.com[192.0.2.30]:25, delay=1, delays=0.5/0/0.25/0.25, dsn=2.0.0, status=sent (250 2.0.0 Ok)`,
			env:  e("mx1", "postfix/smtp", "smtp", 6753, info, "5C3D22E3B12"),
			event: logparse.Delivery{
				To: `"john>, doe"@example.com`, OrigTo: `"sales, team>"@example.com`,
				Relay: "mx.example.com[192.0.2.30]:25", RelayPeer: peer("mx.example.com", "192.0.2.30", 25),
				Delay: 1, Delays: d4(0.5, 0, 0.25, 0.25), DSN: "2.0.0", Status: sent, Reason: "250 2.0.0 Ok",
			},
		},
		{
			name: "quoted local part with a space",
			line: `Mar 27 16:05:16 mx1 postfix/local[6200]: 5C3D22E3B12: to=<"john doe"@mx1.example.com>, relay=local, delay=0.5, delays=0.25/0/0/0.25, dsn=2.0.0, status=sent (delivered to maildir)`,
			env:  e("mx1", "postfix/local", "local", 6200, info, "5C3D22E3B12"),
			event: logparse.Delivery{
				To: `"john doe"@mx1.example.com`, Relay: "local", Delay: 0.5, Delays: d4(0.25, 0, 0, 0.25),
				DSN: "2.0.0", Status: sent, Reason: "delivered to maildir",
			},
		},
		{
			name: "null recipient address",
			line: "Mar 27 16:05:16 mx1 postfix/smtp[6753]: 5C3D22E3B12: to=<>, relay=none, delay=0, delays=0/0/0/0, dsn=5.1.3, status=bounced (bad address syntax)",
			env:  e("mx1", "postfix/smtp", "smtp", 6753, info, "5C3D22E3B12"),
			event: logparse.Delivery{
				To: "", Relay: "none", DSN: "5.1.3", Status: bounced, Reason: "bad address syntax",
			},
		},
		{
			name: "multi-instance postfix-out/smtp",
			line: "Mar 27 16:05:17 mx1 postfix-out/smtp[7001]: 6D4E33F4C23: to=<frank@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.5, delays=0/0/0.25/0.25, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
			env:  e("mx1", "postfix-out/smtp", "smtp", 7001, info, "6D4E33F4C23"),
			event: logparse.Delivery{
				To: "frank@example.net", Relay: "mx.example.net[192.0.2.25]:25", RelayPeer: peer("mx.example.net", "192.0.2.25", 25),
				Delay: 0.5, Delays: d4(0, 0, 0.25, 0.25), DSN: "2.0.0", Status: sent, Reason: "250 2.0.0 Ok",
			},
		},
		{
			name: "relay service postfix/relay/smtp",
			line: "Mar 27 16:05:18 mx1 postfix/relay/smtp[7002]: 7E5F44A5D34: to=<gina@example.org>, relay=relay.example.org[203.0.113.5]:587, delay=0.75, delays=0.25/0/0.25/0.25, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
			env:  e("mx1", "postfix/relay/smtp", "smtp", 7002, info, "7E5F44A5D34"),
			event: logparse.Delivery{
				To: "gina@example.org", Relay: "relay.example.org[203.0.113.5]:587", RelayPeer: peer("relay.example.org", "203.0.113.5", 587),
				Delay: 0.75, Delays: d4(0.25, 0, 0.25, 0.25), DSN: "2.0.0", Status: sent, Reason: "250 2.0.0 Ok",
			},
		},
		{
			name: "long queue ID",
			line: "Mar 27 16:05:19 mx1 postfix/smtp[7003]: 3Pt2mN2VXxznjll: to=<hank@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.5, delays=0/0/0.25/0.25, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
			env:  e("mx1", "postfix/smtp", "smtp", 7003, info, "3Pt2mN2VXxznjll"),
			event: logparse.Delivery{
				To: "hank@example.net", Relay: "mx.example.net[192.0.2.25]:25", RelayPeer: peer("mx.example.net", "192.0.2.25", 25),
				Delay: 0.5, Delays: d4(0, 0, 0.25, 0.25), DSN: "2.0.0", Status: sent, Reason: "250 2.0.0 Ok",
			},
		},
		{
			// The seconds part of a long ID is base 52 and may itself hold
			// a 'z' (its last digit); the separator is the last 'z'.
			name: "long queue ID with z in its seconds part",
			line: "Mar 27 16:05:19 mx1 postfix/smtp[7003]: 4dzM3k2VXxznjll: to=<hank@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.5, delays=0/0/0.25/0.25, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
			env:  e("mx1", "postfix/smtp", "smtp", 7003, info, "4dzM3k2VXxznjll"),
			event: logparse.Delivery{
				To: "hank@example.net", Relay: "mx.example.net[192.0.2.25]:25", RelayPeer: peer("mx.example.net", "192.0.2.25", 25),
				Delay: 0.5, Delays: d4(0, 0, 0.25, 0.25), DSN: "2.0.0", Status: sent, Reason: "250 2.0.0 Ok",
			},
		},
		{
			name: "SOFTBOUNCE",
			line: "Mar 27 16:05:20 mx1 postfix/smtp[7004]: 8F6A55B6E45: to=<ivy@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.5, delays=0/0/0.25/0.25, dsn=4.1.1, status=SOFTBOUNCE (host mx.example.net[192.0.2.25] said: 550 5.1.1 <ivy@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO command))",
			env:  e("mx1", "postfix/smtp", "smtp", 7004, info, "8F6A55B6E45"),
			event: logparse.Delivery{
				To: "ivy@example.net", Relay: "mx.example.net[192.0.2.25]:25", RelayPeer: peer("mx.example.net", "192.0.2.25", 25),
				Delay: 0.5, Delays: d4(0, 0, 0.25, 0.25), DSN: "4.1.1", Status: logparse.StatusSoftBounce,
				Reason: "host mx.example.net[192.0.2.25] said: 550 5.1.1 <ivy@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO command)",
			},
		},
		{
			name: "address verification probe deliverable",
			line: "Mar 27 16:05:21 mx1 postfix/smtp[7005]: 9A7B66C7F56: to=<jack@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.5, delays=0/0/0.25/0.25, dsn=2.1.5, status=deliverable (250 2.1.5 Ok)",
			env:  e("mx1", "postfix/smtp", "smtp", 7005, info, "9A7B66C7F56"),
			event: logparse.Delivery{
				To: "jack@example.net", Relay: "mx.example.net[192.0.2.25]:25", RelayPeer: peer("mx.example.net", "192.0.2.25", 25),
				Delay: 0.5, Delays: d4(0, 0, 0.25, 0.25), DSN: "2.1.5", Status: logparse.StatusDeliverable, Reason: "250 2.1.5 Ok",
			},
		},
		{
			name: "Server certificate not trusted (Postfix <= 3.5)",
			line: "Mar 27 16:05:22 mx1 postfix/smtp[7006]: AB8C77D8067: to=<kate@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.5, delays=0/0/0.5/0, dsn=4.7.5, status=deferred (Server certificate not trusted)",
			env:  e("mx1", "postfix/smtp", "smtp", 7006, info, "AB8C77D8067"),
			event: logparse.Delivery{
				To: "kate@example.net", Relay: "mx.example.net[192.0.2.25]:25", RelayPeer: peer("mx.example.net", "192.0.2.25", 25),
				Delay: 0.5, Delays: d4(0, 0, 0.5, 0), DSN: "4.7.5", Status: deferred,
				Reason: "Server certificate not trusted", TLSFailure: logparse.TLSNotTrusted,
			},
		},
		{
			name: "TLS is required but host refused to start TLS",
			line: "Mar 27 16:05:23 mx1 postfix/smtp[7007]: BC9D88E9178: to=<liam@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.5, delays=0/0/0.5/0, dsn=4.7.0, status=deferred (TLS is required, but host mx.example.net[192.0.2.25] refused to start TLS: 454 4.7.0 TLS not available due to local problem)",
			env:  e("mx1", "postfix/smtp", "smtp", 7007, info, "BC9D88E9178"),
			event: logparse.Delivery{
				To: "liam@example.net", Relay: "mx.example.net[192.0.2.25]:25", RelayPeer: peer("mx.example.net", "192.0.2.25", 25),
				Delay: 0.5, Delays: d4(0, 0, 0.5, 0), DSN: "4.7.0", Status: deferred,
				Reason:     "TLS is required, but host mx.example.net[192.0.2.25] refused to start TLS: 454 4.7.0 TLS not available due to local problem",
				TLSFailure: logparse.TLSStartTLSRefused,
			},
		},
		{
			name: "TLSA lookup error (DANE)",
			line: "Mar 27 16:05:24 mx1 postfix/smtp[7008]: CDAE99FA289: to=<mia@example.net>, relay=none, delay=0.5, delays=0/0/0.5/0, dsn=4.7.5, status=deferred (TLSA lookup error for mx.example.net:25)",
			env:  e("mx1", "postfix/smtp", "smtp", 7008, info, "CDAE99FA289"),
			event: logparse.Delivery{
				To: "mia@example.net", Relay: "none", Delay: 0.5, Delays: d4(0, 0, 0.5, 0), DSN: "4.7.5", Status: deferred,
				Reason: "TLSA lookup error for mx.example.net:25", TLSFailure: logparse.TLSDNSSECInvalid,
			},
		},
		{
			name: "dane-only: no TLSA records found",
			line: "Mar 27 16:05:25 mx1 postfix/smtp[7009]: DEBFAA0B39A: to=<noah@example.net>, relay=none, delay=0.5, delays=0/0/0.5/0, dsn=4.7.5, status=deferred (no TLSA records found)",
			env:  e("mx1", "postfix/smtp", "smtp", 7009, info, "DEBFAA0B39A"),
			event: logparse.Delivery{
				To: "noah@example.net", Relay: "none", Delay: 0.5, Delays: d4(0, 0, 0.5, 0), DSN: "4.7.5", Status: deferred,
				Reason: "no TLSA records found", TLSFailure: logparse.TLSDANERequired,
			},
		},
		{
			name: "REQUIRETLS bounce (3.11)",
			line: "Mar 27 16:05:26 mx1 postfix/smtp[7010]: EF0ABB1C4AB: to=<olga@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.5, delays=0/0/0.5/0, dsn=5.7.30, status=bounced (Sender requested REQUIRETLS, but no server was found that supports REQUIRETLS. The last attempted server was mx.example.net[192.0.2.25])",
			env:  e("mx1", "postfix/smtp", "smtp", 7010, info, "EF0ABB1C4AB"),
			event: logparse.Delivery{
				To: "olga@example.net", Relay: "mx.example.net[192.0.2.25]:25", RelayPeer: peer("mx.example.net", "192.0.2.25", 25),
				Delay: 0.5, Delays: d4(0, 0, 0.5, 0), DSN: "5.7.30", Status: bounced,
				Reason:     "Sender requested REQUIRETLS, but no server was found that supports REQUIRETLS. The last attempted server was mx.example.net[192.0.2.25]",
				TLSFailure: logparse.TLSRequireTLS,
			},
		},
		{
			name: "lost connection while receiving the greeting",
			line: "Mar 27 16:05:27 mx1 postfix/smtp[7011]: F01BCC2D5BC: to=<paul@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=30, delays=0/0/30/0, dsn=4.4.2, status=deferred (lost connection with mx.example.net[192.0.2.25] while receiving the initial server greeting)",
			env:  e("mx1", "postfix/smtp", "smtp", 7011, info, "F01BCC2D5BC"),
			event: logparse.Delivery{
				To: "paul@example.net", Relay: "mx.example.net[192.0.2.25]:25", RelayPeer: peer("mx.example.net", "192.0.2.25", 25),
				Delay: 30, Delays: d4(0, 0, 30, 0), DSN: "4.4.2", Status: deferred,
				Reason: "lost connection with mx.example.net[192.0.2.25] while receiving the initial server greeting",
			},
		},
		{
			name: "qmgr defers with relay=none",
			line: "Mar 27 16:10:12 mx1 postfix/qmgr[880]: 3F1A22C0B1F: to=<bob@example.net>, relay=none, delay=310, delays=300/10/0/0, dsn=4.4.1, status=deferred (delivery temporarily suspended: connect to mx.example.net[192.0.2.25]:25: Connection refused)",
			env:  e("mx1", "postfix/qmgr", "qmgr", 880, info, "3F1A22C0B1F"),
			event: logparse.Delivery{
				To: "bob@example.net", Relay: "none", Delay: 310, Delays: d4(300, 10, 0, 0), DSN: "4.4.1", Status: deferred,
				Reason: "delivery temporarily suspended: connect to mx.example.net[192.0.2.25]:25: Connection refused",
			},
		},
		{
			name: "error transport bounce",
			line: "Mar 27 16:05:28 mx1 postfix/error[5100]: 3F1A22C0B1F: to=<x@example.com>, relay=none, delay=0.02, delays=0.01/0/0/0, dsn=5.0.0, status=bounced (user unknown)",
			env:  e("mx1", "postfix/error", "error", 5100, info, "3F1A22C0B1F"),
			event: logparse.Delivery{
				To: "x@example.com", Relay: "none", Delay: 0.02, Delays: d4(0.01, 0, 0, 0), DSN: "5.0.0", Status: bounced, Reason: "user unknown",
			},
		},
		{
			name: "pipe to a master.cf service",
			line: "Mar 27 16:05:29 mx1 postfix/pipe[5200]: 3F1A22C0B1F: to=<alice@example.com>, relay=dovecot, delay=0.25, delays=0.125/0/0/0.125, dsn=2.0.0, status=sent (delivered via dovecot service)",
			env:  e("mx1", "postfix/pipe", "pipe", 5200, info, "3F1A22C0B1F"),
			event: logparse.Delivery{
				To: "alice@example.com", Relay: "dovecot", Delay: 0.25, Delays: d4(0.125, 0, 0, 0.125),
				DSN: "2.0.0", Status: sent, Reason: "delivered via dovecot service",
			},
		},
		{
			name: "double-bounce discarded by qmgr",
			line: "Mar 27 16:05:30 mx1 postfix/qmgr[880]: 3F1A22C0B1F: to=<postmaster@example.com>, relay=none, delay=0, delays=0/0/0/0, dsn=5.0.0, status=sent (undeliverable postmaster notification discarded)",
			env:  e("mx1", "postfix/qmgr", "qmgr", 880, info, "3F1A22C0B1F"),
			event: logparse.Delivery{
				To: "postmaster@example.com", Relay: "none", DSN: "5.0.0", Status: sent, Reason: "undeliverable postmaster notification discarded",
			},
		},
		{
			// syslog may cut a long record; the closing ")" is then missing.
			name: "line cut inside the reason",
			line: "Mar 27 16:05:31 mx1 postfix/smtp[7012]: 3F1A22C0B1F: to=<bob@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.5, delays=0/0/0.25/0.25, dsn=5.7.1, status=bounced (host mx.example.net[192.0.2.25] said: 550 5.7.1 Message rejected as spam, see http",
			env:  e("mx1", "postfix/smtp", "smtp", 7012, info, "3F1A22C0B1F"),
			event: logparse.Delivery{
				To: "bob@example.net", Relay: "mx.example.net[192.0.2.25]:25", RelayPeer: peer("mx.example.net", "192.0.2.25", 25),
				Delay: 0.5, Delays: d4(0, 0, 0.25, 0.25), DSN: "5.7.1", Status: bounced,
				Reason: "host mx.example.net[192.0.2.25] said: 550 5.7.1 Message rejected as spam, see http",
			},
		},
		{
			name: "address verification probe undeliverable, not cached",
			line: "Mar 27 16:05:31 mx1 postfix/smtp[7012]: 3F1A22C0B1F: to=<bob@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.5, delays=0/0/0.25/0.25, dsn=4.4.1, status=undeliverable-but-not-cached (connect to mx.example.net[192.0.2.25]:25: Connection refused)",
			env:  e("mx1", "postfix/smtp", "smtp", 7012, info, "3F1A22C0B1F"),
			event: logparse.Delivery{
				To: "bob@example.net", Relay: "mx.example.net[192.0.2.25]:25", RelayPeer: peer("mx.example.net", "192.0.2.25", 25),
				Delay: 0.5, Delays: d4(0, 0, 0.25, 0.25), DSN: "4.4.1", Status: logparse.StatusUndeliverableButNotCached,
				Reason: "connect to mx.example.net[192.0.2.25]:25: Connection refused",
			},
		},
		{
			// A deferral cut inside its relay= with no newline, and the
			// next line (a delivery elsewhere) run into it.
			name:  "two delivery lines run together are unparsed",
			line:  "Nov 23 00:20:46 mail postfix/smtp[13449]: 2023BBC4C2: to=<dana.schmidt@school.example.org>, relay=mx.sNov 23 00:20:47 mail postfix/smtp[13450]: 3A1BBC4C2: to=<eve@partner.example.com>, relay=mail.partner.example.com[127.0.0.12]:25, delay=0.2, delays=0/0/0.1/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
			env:   e("mail", "postfix/smtp", "smtp", 13449, info, "2023BBC4C2"),
			event: logparse.Unparsed{},
		},
		{
			name:  "delivery line cut inside its status is unparsed",
			line:  "Mar 27 16:05:31 mx1 postfix/smtp[7012]: 3F1A22C0B1F: to=<bob@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.5, delays=0/0/0.25/0.25, dsn=4.4.1, status=def",
			env:   e("mx1", "postfix/smtp", "smtp", 7012, info, "3F1A22C0B1F"),
			event: logparse.Unparsed{},
		},
		{
			name:  "delivery line with a status Postfix does not write is unparsed",
			line:  "Mar 27 16:05:31 mx1 postfix/smtp[7012]: 3F1A22C0B1F: to=<bob@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.5, delays=0/0/0.25/0.25, dsn=2.0.0, status=sent(250 Ok)",
			env:   e("mx1", "postfix/smtp", "smtp", 7012, info, "3F1A22C0B1F"),
			event: logparse.Unparsed{},
		},
		{
			name:  "delivery line cut before status is unparsed",
			line:  "Mar 27 16:05:31 mx1 postfix/smtp[7012]: 3F1A22C0B1F: to=<bob@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.5, dela",
			env:   e("mx1", "postfix/smtp", "smtp", 7012, info, "3F1A22C0B1F"),
			event: logparse.Unparsed{},
		},
	})
}

// TestParseQueueLifecycle covers the non-delivery lines of a message's life:
// qmgr, cleanup, pickup, bounce and postsuper.
func TestParseQueueLifecycle(t *testing.T) {
	runCases(t, []lineCase{
		{
			name:  "qmgr queue active",
			line:  "Nov 23 00:20:05 mail postfix/qmgr[13394]: 4D8D6BC3A0: from=<carol@sender.test>, size=14127, nrcpt=2 (queue active)",
			env:   e("mail", "postfix/qmgr", "qmgr", 13394, info, "4D8D6BC3A0"),
			event: logparse.QueueEntry{From: "carol@sender.test", Size: 14127, Nrcpt: 2},
		},
		{
			name:  "qmgr queue active, null sender",
			line:  "Nov 23 00:20:06 mail postfix/qmgr[13394]: AC966BC407: from=<>, size=5059, nrcpt=1 (queue active)",
			env:   e("mail", "postfix/qmgr", "qmgr", 13394, info, "AC966BC407"),
			event: logparse.QueueEntry{From: "", Size: 5059, Nrcpt: 1},
		},
		{
			name:  "receiver qmgr queue active",
			line:  "Nov 23 00:20:05 rx postfix-rx/qmgr[13196]: 787ACBC402: from=<carol@sender.test>, size=14517, nrcpt=1 (queue active)",
			env:   e("rx", "postfix-rx/qmgr", "qmgr", 13196, info, "787ACBC402"),
			event: logparse.QueueEntry{From: "carol@sender.test", Size: 14517, Nrcpt: 1},
		},
		{
			name:  "qmgr removed",
			line:  "Nov 23 00:20:05 mail postfix/qmgr[13394]: 4D8D6BC3A0: removed",
			env:   e("mail", "postfix/qmgr", "qmgr", 13394, info, "4D8D6BC3A0"),
			event: logparse.Removed{},
		},
		{
			name:  "qmgr expired",
			line:  "Nov 23 00:23:34 mail postfix/qmgr[13394]: A0B8BBC44C: from=<alice@sender.test>, status=expired, returned to sender",
			env:   e("mail", "postfix/qmgr", "qmgr", 13394, info, "A0B8BBC44C"),
			event: logparse.Expired{From: "alice@sender.test", Status: "expired"},
		},
		{
			name:  "qmgr force-expired (3.5+)",
			line:  "Mar 27 16:05:12 mx1 postfix/qmgr[880]: 3F1A22C0B1F: from=<alice@example.com>, status=force-expired, returned to sender",
			env:   e("mx1", "postfix/qmgr", "qmgr", 880, info, "3F1A22C0B1F"),
			event: logparse.Expired{From: "alice@example.com", Status: "force-expired"},
		},
		{
			name:  "qmgr skipped, still being delivered",
			line:  "Mar 27 16:05:12 mx1 postfix/qmgr[880]: 3F1A22C0B1F: skipped, still being delivered",
			env:   e("mx1", "postfix/qmgr", "qmgr", 880, info, "3F1A22C0B1F"),
			event: logparse.Notice{Detail: "skipped, still being delivered"},
		},
		{
			name:  "cleanup message-id",
			line:  "Nov 23 00:19:58 mail postfix/cleanup[13447]: 0CDA6BC393: message-id=<rpf-a-purge1.6b643353@sender.test>",
			env:   e("mail", "postfix/cleanup", "cleanup", 13447, info, "0CDA6BC393"),
			event: logparse.MessageID{MessageID: "rpf-a-purge1.6b643353@sender.test"},
		},
		{
			name:  "cleanup message-id of a bounce",
			line:  "Nov 23 00:20:06 mail postfix/cleanup[13447]: AC966BC407: message-id=<20261123002006.AC966BC407@mail.sender.test>",
			env:   e("mail", "postfix/cleanup", "cleanup", 13447, info, "AC966BC407"),
			event: logparse.MessageID{MessageID: "20261123002006.AC966BC407@mail.sender.test"},
		},
		{
			name:  "cleanup empty message-id",
			line:  "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: 3F1A22C0B1F: message-id=<>",
			env:   e("mx1", "postfix/cleanup", "cleanup", 3002, info, "3F1A22C0B1F"),
			event: logparse.MessageID{MessageID: ""},
		},
		{
			name:  "cleanup resent-message-id",
			line:  "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: 3F1A22C0B1F: resent-message-id=<20260327150512.GA999@example.com>",
			env:   e("mx1", "postfix/cleanup", "cleanup", 3002, info, "3F1A22C0B1F"),
			event: logparse.MessageID{MessageID: "20260327150512.GA999@example.com", Resent: true},
		},
		{
			name:  "cleanup removed (discarded)",
			line:  "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: 3F1A22C0B1F: removed (discarded)",
			env:   e("mx1", "postfix/cleanup", "cleanup", 3002, info, "3F1A22C0B1F"),
			event: logparse.Removed{Detail: "discarded"},
		},
		{
			name:  "pickup",
			line:  "Nov 23 00:20:07 mail postfix/pickup[13393]: 0D0A9BC40A: uid=0 from=<carol@sender.test>",
			env:   e("mail", "postfix/pickup", "pickup", 13393, info, "0D0A9BC40A"),
			event: logparse.Pickup{UID: 0, From: "carol@sender.test"},
		},
		{
			name:  "pickup, bare local sender",
			line:  "Mar 27 16:05:12 mx1 postfix/pickup[3001]: 5D2E81E2B9: uid=1000 from=<alice>",
			env:   e("mx1", "postfix/pickup", "pickup", 3001, info, "5D2E81E2B9"),
			event: logparse.Pickup{UID: 1000, From: "alice"},
		},
		{
			name:  "pickup with orig_id",
			line:  "Mar 27 16:05:12 mx1 postfix/pickup[3001]: 5D2E81E2B9: uid=1000 from=<alice@example.com> orig_id=3F1A22C0B1F",
			env:   e("mx1", "postfix/pickup", "pickup", 3001, info, "5D2E81E2B9"),
			event: logparse.Pickup{UID: 1000, From: "alice@example.com", OrigID: "3F1A22C0B1F"},
		},
		{
			name:  "bounce sender non-delivery notification",
			line:  "Nov 23 00:20:06 mail postfix/bounce[13465]: 94C5DBC404: sender non-delivery notification: AC966BC407",
			env:   e("mail", "postfix/bounce", "bounce", 13465, info, "94C5DBC404"),
			event: logparse.Notification{Type: "sender non-delivery notification", NewQueueID: "AC966BC407"},
		},
		{
			name:  "bounce sender delay notification",
			line:  "Nov 23 00:21:14 mail postfix/bounce[13449]: EA9ADBC399: sender delay notification: 38445BC46E",
			env:   e("mail", "postfix/bounce", "bounce", 13449, info, "EA9ADBC399"),
			event: logparse.Notification{Type: "sender delay notification", NewQueueID: "38445BC46E"},
		},
		{
			name:  "bounce postmaster non-delivery notification",
			line:  "Mar 27 16:05:12 mx1 postfix/bounce[7001]: 3F1A22C0B1F: postmaster non-delivery notification: 6A1B21E2C0",
			env:   e("mx1", "postfix/bounce", "bounce", 7001, info, "3F1A22C0B1F"),
			event: logparse.Notification{Type: "postmaster non-delivery notification", NewQueueID: "6A1B21E2C0"},
		},
		{
			name:  "trace sender delivery status notification",
			line:  "Mar 27 16:05:12 mx1 postfix/bounce[7001]: 3F1A22C0B1F: sender delivery status notification: 6A1B21E2C1",
			env:   e("mx1", "postfix/bounce", "bounce", 7001, info, "3F1A22C0B1F"),
			event: logparse.Notification{Type: "sender delivery status notification", NewQueueID: "6A1B21E2C1"},
		},
		{
			name:  "postsuper removed (admin delete)",
			line:  "Nov 23 00:22:57 mail postfix/postsuper[14249]: 0CDA6BC393: removed",
			env:   e("mail", "postfix/postsuper", "postsuper", 14249, info, "0CDA6BC393"),
			event: logparse.Removed{ByAdmin: true},
		},
		{
			name:  "postsuper Deleted total",
			line:  "Nov 23 00:22:57 mail postfix/postsuper[14249]: Deleted: 1 message",
			env:   e("mail", "postfix/postsuper", "postsuper", 14249, info, ""),
			event: logparse.Notice{Detail: "Deleted: 1 message"},
		},
		{
			name:  "postsuper requeued",
			line:  "Mar 27 16:05:12 mx1 postfix/postsuper[9100]: 3F1A22C0B1F: requeued",
			env:   e("mx1", "postfix/postsuper", "postsuper", 9100, info, "3F1A22C0B1F"),
			event: logparse.Notice{Detail: "requeued"},
		},
		{
			name:  "postsuper placed on hold",
			line:  "Mar 27 16:05:12 mx1 postfix/postsuper[9100]: 3F1A22C0B1F: placed on hold",
			env:   e("mx1", "postfix/postsuper", "postsuper", 9100, info, "3F1A22C0B1F"),
			event: logparse.Notice{Detail: "placed on hold"},
		},
		{
			name:  "postsuper Force-expired total",
			line:  "Mar 27 16:05:12 mx1 postfix/postsuper[9100]: Force-expired: 3 messages",
			env:   e("mx1", "postfix/postsuper", "postsuper", 9100, info, ""),
			event: logparse.Notice{Detail: "Force-expired: 3 messages"},
		},
	})
}

// TestParseSMTPClient covers the smtp client's lines that are not to= lines:
// skip-to-next-MX reasons and connection failures.
func TestParseSMTPClient(t *testing.T) {
	runCases(t, []lineCase{
		{
			name:  "skip: Cannot start TLS (corpus)",
			line:  "Nov 23 00:20:34 mail postfix/smtp[13536]: D55CFBC41C: Cannot start TLS: handshake failure",
			env:   e("mail", "postfix/smtp", "smtp", 13536, info, "D55CFBC41C"),
			event: logparse.DeliverySkip{Reason: "Cannot start TLS: handshake failure", TLSFailure: logparse.TLSHandshake},
		},
		{
			name: "skip: TLS is required, but was not offered",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: 3F1A22C0B1F: TLS is required, but was not offered by host mx1.example.net[192.0.2.25]",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, "3F1A22C0B1F"),
			event: logparse.DeliverySkip{
				Reason: "TLS is required, but was not offered by host mx1.example.net[192.0.2.25]",
				Peer:   peer("mx1.example.net", "192.0.2.25", 0), TLSFailure: logparse.TLSStartTLSNotOffered,
			},
		},
		{
			name:  "skip: Server certificate not trusted",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: 3F1A22C0B1F: Server certificate not trusted",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, "3F1A22C0B1F"),
			event: logparse.DeliverySkip{Reason: "Server certificate not trusted", TLSFailure: logparse.TLSNotTrusted},
		},
		{
			name:  "skip: Server certificate not verified",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: 3F1A22C0B1F: Server certificate not verified",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, "3F1A22C0B1F"),
			event: logparse.DeliverySkip{Reason: "Server certificate not verified", TLSFailure: logparse.TLSNotVerified},
		},
		{
			name: "skip: host refused to talk to me",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: 3F1A22C0B1F: host mx1.example.net[192.0.2.25] refused to talk to me: 421 4.7.0 Try again later",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, "3F1A22C0B1F"),
			event: logparse.DeliverySkip{
				Reason: "host mx1.example.net[192.0.2.25] refused to talk to me: 421 4.7.0 Try again later",
				Peer:   peer("mx1.example.net", "192.0.2.25", 0),
			},
		},
		{
			name: "skip: conversation timed out (IPv6)",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: 3F1A22C0B1F: conversation with mx1.example.net[2001:db8::25] timed out while receiving the initial server greeting",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, "3F1A22C0B1F"),
			event: logparse.DeliverySkip{
				Reason: "conversation with mx1.example.net[2001:db8::25] timed out while receiving the initial server greeting",
				Peer:   peer("mx1.example.net", "2001:db8::25", 0),
			},
		},
		{
			name:  "PIX workarounds note",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: 3F1A22C0B1F: enabling PIX workarounds: disable_esmtp delay_dotcrlf for mx.example.net[192.0.2.25]:25",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, "3F1A22C0B1F"),
			event: logparse.Notice{Detail: "enabling PIX workarounds: disable_esmtp delay_dotcrlf for mx.example.net[192.0.2.25]:25"},
		},
		{
			name:  "connect to: Connection refused (corpus)",
			line:  "Nov 23 00:19:58 mail postfix/smtp[13448]: connect to mx.purge.example.org[127.0.0.19]:25: Connection refused",
			env:   e("mail", "postfix/smtp", "smtp", 13448, info, ""),
			event: logparse.ConnectFailure{Peer: peer("mx.purge.example.org", "127.0.0.19", 25), Reason: "Connection refused"},
		},
		{
			name:  "connect to: IPv6 timed out",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: connect to mx2.example.net[2001:db8::26]:25: Connection timed out",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.ConnectFailure{Peer: peer("mx2.example.net", "2001:db8::26", 25), Reason: "Connection timed out"},
		},
		{
			name:  "lmtp connect to a unix socket fails",
			line:  "Mar 27 16:05:12 mx1 postfix/lmtp[2211]: connect to mail.example.org[private/dovecot-lmtp]: No such file or directory",
			env:   e("mx1", "postfix/lmtp", "lmtp", 2211, info, ""),
			event: logparse.ConnectFailure{Peer: peer("mail.example.org", "private/dovecot-lmtp", 0), Reason: "No such file or directory"},
		},
	})
}

// TestParseDeliveryOddShapes covers to= lines without angle brackets.
// Postfix itself has written "to=<%s>" since 1999 (global/sent.c, now
// global/log_adhoc.c); the bracket-less lines are the issue's, from logs
// that were rewritten on the way, and are read rather than left Unparsed.
func TestParseDeliveryOddShapes(t *testing.T) {
	runCases(t, []lineCase{
		{
			// issue 17's line (not a Postfix format): local delivery to root
			name: "bare to=root, local mailbox",
			line: "Mar 27 16:05:12 mx1 postfix/local[1234]: 3F1C2A1B: to=root, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)",
			env:  e("mx1", "postfix/local", "local", 1234, info, "3F1C2A1B"),
			event: logparse.Delivery{To: "root", Relay: "local", Delay: 0.1, Delays: d4(0, 0, 0, 0.1),
				DSN: "2.0.0", Status: sent, Reason: "delivered to mailbox"},
		},
		{
			// issue 17's shape with orig_to= (an alias expansion)
			name: "bare to= and orig_to=",
			line: "Mar 27 16:05:12 mx1 postfix/local[1234]: 3F1C2A1B: to=user@example.org, orig_to=postmaster@example.org, relay=local, delay=0.12, delays=0.02/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)",
			env:  e("mx1", "postfix/local", "local", 1234, info, "3F1C2A1B"),
			event: logparse.Delivery{To: "user@example.org", OrigTo: "postmaster@example.org", Relay: "local", Delay: 0.12, Delays: d4(0.02, 0, 0, 0.1),
				DSN: "2.0.0", Status: sent, Reason: "delivered to mailbox"},
		},
		{
			// issue 17's shape from smtp, deferred: the reason still yields the TLS kind
			name: "bare to= from smtp, deferred",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: 3F1A22C0B1F: to=user@example.net, relay=mx.example.net[192.0.2.25]:25, delay=310, delays=0.1/0/300/10, dsn=4.7.5, status=deferred (Server certificate not verified)",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, "3F1A22C0B1F"),
			event: logparse.Delivery{To: "user@example.net", Relay: "mx.example.net[192.0.2.25]:25", RelayPeer: peer("mx.example.net", "192.0.2.25", 25),
				Delay: 310, Delays: d4(0.1, 0, 300, 10), DSN: "4.7.5", Status: deferred, Reason: "Server certificate not verified",
				TLSFailure: logparse.TLSNotVerified},
		},
		{
			// issue 17's shape mixed: a bracketed to= and a bare orig_to=
			name: "bracketed to= with bare orig_to=",
			line: "Mar 27 16:05:12 mx1 postfix/virtual[2200]: 3F1A22C0B1F: to=<bob@example.org>, orig_to=bob, relay=virtual, delay=0.05, delays=0.03/0/0/0.02, dsn=2.0.0, status=sent (delivered to maildir)",
			env:  e("mx1", "postfix/virtual", "virtual", 2200, info, "3F1A22C0B1F"),
			event: logparse.Delivery{To: "bob@example.org", OrigTo: "bob", Relay: "virtual", Delay: 0.05, Delays: d4(0.03, 0, 0, 0.02),
				DSN: "2.0.0", Status: sent, Reason: "delivered to maildir"},
		},
	})
}

// TestParseQueueIDShapesAlreadyRead pins delivery and warning lines with
// valid but unusual queue IDs (global/mail_queue.h) that issue 17 asked to
// check and that were already read right: they must stay so.
func TestParseQueueIDShapesAlreadyRead(t *testing.T) {
	runCases(t, []lineCase{
		{
			// mail_queue.h: a long queue ID (enable_long_queue_ids = yes)
			name: "long queue ID",
			line: "Mar 27 16:05:12 mx1 postfix/smtp[6752]: 4Qb7Lw1mQxz9sC5: to=<bob@example.org>, relay=mx.example.org[192.0.2.26]:25, delay=0.5, delays=0/0/0.25/0.25, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
			env:  e("mx1", "postfix/smtp", "smtp", 6752, info, "4Qb7Lw1mQxz9sC5"),
			event: logparse.Delivery{To: "bob@example.org", Relay: "mx.example.org[192.0.2.26]:25", RelayPeer: peer("mx.example.org", "192.0.2.26", 25),
				Delay: 0.5, Delays: d4(0, 0, 0.25, 0.25), DSN: "2.0.0", Status: sent, Reason: "250 2.0.0 Ok"},
		},
		{
			// mail_queue.h: the shortest short ID, 5 µs digits and 1 inode digit
			name: "six-character short queue ID",
			line: "Mar 27 16:05:12 mx1 postfix/local[1234]: A1B2C3: to=<root@mx1.example.com>, relay=local, delay=0.01, delays=0/0/0/0.01, dsn=2.0.0, status=sent (delivered to mailbox)",
			env:  e("mx1", "postfix/local", "local", 1234, info, "A1B2C3"),
			event: logparse.Delivery{To: "root@mx1.example.com", Relay: "local", Delay: 0.01, Delays: d4(0, 0, 0, 0.01),
				DSN: "2.0.0", Status: sent, Reason: "delivered to mailbox"},
		},
		{
			// catalog 6.13: the severity prefix comes before the queue ID
			name:  "warning with a long queue ID",
			line:  "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: warning: 4Qb7Lw1mQxz9sC5: queue file size limit exceeded",
			env:   e("mx1", "postfix/cleanup", "cleanup", 3002, warn, "4Qb7Lw1mQxz9sC5"),
			event: logparse.Warning{Detail: "queue file size limit exceeded"},
		},
	})
}

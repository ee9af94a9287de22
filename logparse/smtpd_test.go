package logparse_test

import (
	"testing"

	"github.com/pftls/pftls/logparse"
)

// TestParseSMTPDSession covers smtpd's session lines: connect, client=,
// disconnect with its counters, and abnormal ends in both version forms.
func TestParseSMTPDSession(t *testing.T) {
	localhost := peer("localhost", "127.0.0.1", 0)
	runCases(t, []lineCase{
		{
			name:  "connect from localhost",
			line:  "Nov 23 00:20:05 mail postfix/smtpd[13443]: connect from localhost[127.0.0.1]",
			env:   env{Host: "mail", Program: "postfix/smtpd", Service: "smtpd", PID: 13443, Severity: info, Text: "connect from localhost[127.0.0.1]"},
			event: logparse.Connect{Client: localhost},
		},
		{
			name:  "connect from a named client",
			line:  "Nov 23 00:20:12 mail postfix/smtpd[13443]: connect from mta.outside.test[127.0.0.50]",
			env:   e("mail", "postfix/smtpd", "smtpd", 13443, info, ""),
			event: logparse.Connect{Client: peer("mta.outside.test", "127.0.0.50", 0)},
		},
		{
			name:  "connect on submission",
			line:  "Nov 23 00:20:08 mail postfix/submission/smtpd[13475]: connect from localhost[127.0.0.1]",
			env:   e("mail", "postfix/submission/smtpd", "smtpd", 13475, info, ""),
			event: logparse.Connect{Client: localhost},
		},
		{
			name:  "connect on a receiver instance service",
			line:  "Nov 23 00:20:05 mx postfix-rx/selfsigned/smtpd[13455]: connect from localhost[127.0.0.1]",
			env:   e("mx", "postfix-rx/selfsigned/smtpd", "smtpd", 13455, info, ""),
			event: logparse.Connect{Client: localhost},
		},
		{
			name:  "connect from unknown IPv6",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: connect from unknown[2001:db8::1]",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, info, ""),
			event: logparse.Connect{Client: peer("unknown", "2001:db8::1", 0)},
		},
		{
			name:  "client= unknown",
			line:  "Nov 23 00:20:07 mail postfix/smtpd[13453]: 84C3EBC40B: client=unknown[127.0.0.51]",
			env:   e("mail", "postfix/smtpd", "smtpd", 13453, info, "84C3EBC40B"),
			event: logparse.Client{Client: peer("unknown", "127.0.0.51", 0)},
		},
		{
			name:  "client= named",
			line:  "Nov 23 00:20:12 mail postfix/smtpd[13443]: C3331BC419: client=mta.outside.test[127.0.0.50]",
			env:   e("mail", "postfix/smtpd", "smtpd", 13443, info, "C3331BC419"),
			event: logparse.Client{Client: peer("mta.outside.test", "127.0.0.50", 0)},
		},
		{
			name:  "client= on submission",
			line:  "Nov 23 00:20:08 mail postfix/submission/smtpd[13475]: 6194BBC40F: client=localhost[127.0.0.1]",
			env:   e("mail", "postfix/submission/smtpd", "smtpd", 13475, info, "6194BBC40F"),
			event: logparse.Client{Client: localhost},
		},
		{
			name:  "client= with SASL",
			line:  "Mar 27 16:05:12 mx1 postfix/submission/smtpd[4100]: 8C0F31E2A4: client=laptop.example.org[203.0.113.20], sasl_method=PLAIN, sasl_username=alice",
			env:   e("mx1", "postfix/submission/smtpd", "smtpd", 4100, info, "8C0F31E2A4"),
			event: logparse.Client{Client: peer("laptop.example.org", "203.0.113.20", 0), SASLMethod: "PLAIN", SASLUsername: "alice"},
		},
		{
			name: "client= after a content filter",
			line: "Mar 27 16:05:12 mx1 postfix/smtpd[4200]: 9D1E42F3B5: client=localhost[127.0.0.1], orig_queue_id=8C0F31E2A4, orig_client=laptop.example.org[203.0.113.20]",
			env:  e("mx1", "postfix/smtpd", "smtpd", 4200, info, "9D1E42F3B5"),
			event: logparse.Client{Client: localhost, OrigQueueID: "8C0F31E2A4",
				OrigClient: "laptop.example.org[203.0.113.20]"},
		},
		{
			name:  "disconnect, all commands ok",
			line:  "Nov 23 00:19:58 mail postfix/smtpd[13443]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5",
			env:   e("mail", "postfix/smtpd", "smtpd", 13443, info, ""),
			event: logparse.Disconnect{Client: localhost, Stats: "ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5", CommandsOK: 5, CommandsTotal: 5},
		},
		{
			name:  "disconnect after a rejected RCPT",
			line:  "Nov 23 00:20:05 mail postfix/smtpd[13443]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
			env:   e("mail", "postfix/smtpd", "smtpd", 13443, info, ""),
			event: logparse.Disconnect{Client: localhost, Stats: "ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4", CommandsOK: 3, CommandsTotal: 4},
		},
		{
			name: "disconnect with STARTTLS",
			line: "Nov 23 00:20:07 mail postfix/smtpd[13453]: disconnect from unknown[127.0.0.51] ehlo=2 starttls=1 mail=1 rcpt=2 data=1 quit=1 commands=8",
			env:  e("mail", "postfix/smtpd", "smtpd", 13453, info, ""),
			event: logparse.Disconnect{Client: peer("unknown", "127.0.0.51", 0), Stats: "ehlo=2 starttls=1 mail=1 rcpt=2 data=1 quit=1 commands=8",
				CommandsOK: 8, CommandsTotal: 8, StartTLSOK: 1, StartTLS: 1},
		},
		{
			name: "disconnect after a failed STARTTLS (receivers)",
			line: "Nov 23 00:20:12 mx postfix-rx/legacy/smtpd[13484]: disconnect from localhost[127.0.0.1] ehlo=1 starttls=0/1 commands=1/2",
			env:  e("mx", "postfix-rx/legacy/smtpd", "smtpd", 13484, info, ""),
			event: logparse.Disconnect{Client: localhost, Stats: "ehlo=1 starttls=0/1 commands=1/2",
				CommandsOK: 1, CommandsTotal: 2, StartTLSOK: 0, StartTLS: 1},
		},
		{
			name: "disconnect with rset (receivers)",
			line: "Nov 23 00:20:06 mx postfix-rx/strict/smtpd[13464]: disconnect from localhost[127.0.0.1] ehlo=2 starttls=1 mail=1 rcpt=0/1 data=0/1 rset=1 quit=1 commands=6/8",
			env:  e("mx", "postfix-rx/strict/smtpd", "smtpd", 13464, info, ""),
			event: logparse.Disconnect{Client: localhost, Stats: "ehlo=2 starttls=1 mail=1 rcpt=0/1 data=0/1 rset=1 quit=1 commands=6/8",
				CommandsOK: 6, CommandsTotal: 8, StartTLSOK: 1, StartTLS: 1},
		},
		{
			name:  "submission MAIL refused before STARTTLS",
			line:  "Nov 23 00:22:17 mail postfix/submission/smtpd[13475]: disconnect from localhost[127.0.0.1] ehlo=1 mail=0/1 quit=1 commands=2/3",
			env:   e("mail", "postfix/submission/smtpd", "smtpd", 13475, info, ""),
			event: logparse.Disconnect{Client: localhost, Stats: "ehlo=1 mail=0/1 quit=1 commands=2/3", CommandsOK: 2, CommandsTotal: 3},
		},
		{
			name:  "disconnect without counters (Postfix 2.x)",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: disconnect from mail.example.org[203.0.113.9]",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, info, ""),
			event: logparse.Disconnect{Client: peer("mail.example.org", "203.0.113.9", 0)},
		},
		{
			name:  "lost connection after STARTTLS, <=3.9 form (receivers)",
			line:  "Nov 23 00:20:12 mx postfix-rx/legacy/smtpd[13484]: lost connection after STARTTLS from localhost[127.0.0.1]",
			env:   e("mx", "postfix-rx/legacy/smtpd", "smtpd", 13484, info, ""),
			event: logparse.AbnormalEnd{Reason: "lost connection", After: "STARTTLS", Client: localhost},
		},
		{
			name:  "lost connection after STARTTLS, 3.10+ NOQUEUE form",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: NOQUEUE: lost connection after STARTTLS from unknown[198.51.100.66]",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, info, "NOQUEUE"),
			event: logparse.AbnormalEnd{Reason: "lost connection", After: "STARTTLS", Client: peer("unknown", "198.51.100.66", 0)},
		},
		{
			name:  "timeout after END-OF-MESSAGE with a queue ID (3.10+)",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: 8C0F31E2A4: timeout after END-OF-MESSAGE from mail.example.org[203.0.113.9]",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, info, "8C0F31E2A4"),
			event: logparse.AbnormalEnd{Reason: "timeout", After: "END-OF-MESSAGE", Client: peer("mail.example.org", "203.0.113.9", 0)},
		},
		{
			name:  "too many errors after RCPT",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: too many errors after RCPT from unknown[198.51.100.66]",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, info, ""),
			event: logparse.AbnormalEnd{Reason: "too many errors", After: "RCPT", Client: peer("unknown", "198.51.100.66", 0)},
		},
		{
			name:  "lost connection after DATA with byte count",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: lost connection after DATA (0 bytes) from unknown[2001:db8::66]",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, info, ""),
			event: logparse.AbnormalEnd{Reason: "lost connection", After: "DATA (0 bytes)", Client: peer("unknown", "2001:db8::66", 0)},
		},
		{
			name:  "improper command pipelining",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: improper command pipelining after CONNECT from unknown[198.51.100.66]: QUIT",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, info, ""),
			event: logparse.Notice{Detail: "improper command pipelining after CONNECT from unknown[198.51.100.66]: QUIT"},
		},
	})
}

// TestParseReject covers smtpd, cleanup and postscreen action lines.
func TestParseReject(t *testing.T) {
	localhost := peer("localhost", "127.0.0.1", 0)
	spammer := peer("unknown", "198.51.100.66", 0)
	runCases(t, []lineCase{
		{
			name: "smtpd reject unknown local recipient (corpus)",
			line: "Nov 23 00:20:05 mail postfix/smtpd[13443]: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.1.1 <jobs@sender.test>: Recipient address rejected: User unknown in local recipient table; from=<fatima.mueller@gmx.example> to=<jobs@sender.test> proto=ESMTP helo=<workstation.sender.test>",
			env:  e("mail", "postfix/smtpd", "smtpd", 13443, info, "NOQUEUE"),
			event: logparse.Reject{Action: "reject", Stage: "RCPT", Client: localhost,
				Reply: "550 5.1.1 <jobs@sender.test>: Recipient address rejected: User unknown in local recipient table", Code: 550, DSN: "5.1.1",
				From: "fatima.mueller@gmx.example", To: "jobs@sender.test", Proto: "ESMTP", Helo: "workstation.sender.test"},
		},
		{
			name: "smtpd relay access denied (corpus)",
			line: "Nov 23 00:20:17 mail postfix/smtpd[13443]: NOQUEUE: reject: RCPT from unknown[127.0.0.51]: 554 5.7.1 <lena.smith@strict.example.com>: Relay access denied; from=<erik.kowalski@outside.test> to=<lena.smith@strict.example.com> proto=ESMTP helo=<dsl-51.dyn.outside.test>",
			env:  e("mail", "postfix/smtpd", "smtpd", 13443, info, "NOQUEUE"),
			event: logparse.Reject{Action: "reject", Stage: "RCPT", Client: peer("unknown", "127.0.0.51", 0),
				Reply: "554 5.7.1 <lena.smith@strict.example.com>: Relay access denied", Code: 554, DSN: "5.7.1",
				From: "erik.kowalski@outside.test", To: "lena.smith@strict.example.com", Proto: "ESMTP", Helo: "dsl-51.dyn.outside.test"},
		},
		{
			name: "receiver 450 with a comma in the reply (receivers)",
			line: "Nov 23 00:20:33 mx postfix-rx/busy/smtpd[13535]: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 450 4.2.1 <lena.mueller@busy.example.net>: Recipient address rejected: Mailbox temporarily unavailable, please try again later; from=<carol@sender.test> to=<lena.mueller@busy.example.net> proto=ESMTP helo=<mail.sender.test>",
			env:  e("mx", "postfix-rx/busy/smtpd", "smtpd", 13535, info, "NOQUEUE"),
			event: logparse.Reject{Action: "reject", Stage: "RCPT", Client: localhost,
				Reply: "450 4.2.1 <lena.mueller@busy.example.net>: Recipient address rejected: Mailbox temporarily unavailable, please try again later", Code: 450, DSN: "4.2.1",
				From: "carol@sender.test", To: "lena.mueller@busy.example.net", Proto: "ESMTP", Helo: "mail.sender.test"},
		},
		{
			name: "smtpd reject from the reference, null sender",
			line: "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: NOQUEUE: reject: RCPT from unknown[198.51.100.66]: 554 5.7.1 <x@example.com>: Relay access denied; from=<> to=<x@example.com> proto=ESMTP helo=<bad>",
			env:  e("mx1", "postfix/smtpd", "smtpd", 4100, info, "NOQUEUE"),
			event: logparse.Reject{Action: "reject", Stage: "RCPT", Client: spammer,
				Reply: "554 5.7.1 <x@example.com>: Relay access denied", Code: 554, DSN: "5.7.1",
				From: "", To: "x@example.com", Proto: "ESMTP", Helo: "bad"},
		},
		{
			name: "reject_warning",
			line: "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: NOQUEUE: reject_warning: RCPT from unknown[198.51.100.66]: 450 4.7.1 Client host rejected: cannot find your hostname, [198.51.100.66]; from=<spam@example.biz> to=<x@example.com> proto=ESMTP helo=<bad.example>",
			env:  e("mx1", "postfix/smtpd", "smtpd", 4100, info, "NOQUEUE"),
			event: logparse.Reject{Action: "reject_warning", Stage: "RCPT", Client: spammer,
				Reply: "450 4.7.1 Client host rejected: cannot find your hostname, [198.51.100.66]", Code: 450, DSN: "4.7.1",
				From: "spam@example.biz", To: "x@example.com", Proto: "ESMTP", Helo: "bad.example"},
		},
		{
			name: "smtpd warn action with SASL fields",
			line: "Mar 27 16:05:12 mx1 postfix/submission/smtpd[4101]: NOQUEUE: warn: RCPT from laptop.example.org[203.0.113.20]: Sending from a dynamic address; from=<alice@example.com> to=<bob@example.net> proto=ESMTP helo=<laptop> sasl_method=PLAIN sasl_username=alice",
			env:  e("mx1", "postfix/submission/smtpd", "smtpd", 4101, info, "NOQUEUE"),
			event: logparse.Reject{Action: "warn", Stage: "RCPT", Client: peer("laptop.example.org", "203.0.113.20", 0),
				Reply: "Sending from a dynamic address", From: "alice@example.com", To: "bob@example.net", Proto: "ESMTP", Helo: "laptop"},
		},
		{
			name: "smtpd hold action",
			line: "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: 8C0F31E2A4: hold: RCPT from mail.example.org[203.0.113.9]: <x@example.com>: Recipient address triggers HOLD action; from=<a@example.org> to=<x@example.com> proto=ESMTP helo=<mail.example.org>",
			env:  e("mx1", "postfix/smtpd", "smtpd", 4100, info, "8C0F31E2A4"),
			event: logparse.Reject{Action: "hold", Stage: "RCPT", Client: peer("mail.example.org", "203.0.113.9", 0),
				Reply: "<x@example.com>: Recipient address triggers HOLD action", From: "a@example.org", To: "x@example.com", Proto: "ESMTP", Helo: "mail.example.org"},
		},
		{
			// smtpd_check.c log_whatsup appends " from=<%s>" only when a
			// sender is known: an EHLO-stage reject has only proto and helo.
			name: "smtpd HELO-stage reject without from=",
			line: "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: NOQUEUE: reject: EHLO from unknown[198.51.100.66]: 504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname; proto=SMTP helo=<localhost>",
			env:  e("mx1", "postfix/smtpd", "smtpd", 4100, info, "NOQUEUE"),
			event: logparse.Reject{Action: "reject", Stage: "EHLO", Client: spammer,
				Reply: "504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname", Code: 504, DSN: "5.5.2",
				Proto: "SMTP", Helo: "localhost"},
		},
		{
			name: "smtpd milter-reject at RCPT",
			line: "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: NOQUEUE: milter-reject: RCPT from mail.example.org[203.0.113.9]: 451 4.7.1 Service unavailable - try again later; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<mail.example.org>",
			env:  e("mx1", "postfix/smtpd", "smtpd", 4100, info, "NOQUEUE"),
			event: logparse.Reject{Action: "milter-reject", Stage: "RCPT", Client: peer("mail.example.org", "203.0.113.9", 0),
				Reply: "451 4.7.1 Service unavailable - try again later", Code: 451, DSN: "4.7.1",
				From: "a@example.org", To: "b@example.com", Proto: "ESMTP", Helo: "mail.example.org"},
		},
		{
			name: "cleanup header reject, reference form",
			line: "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: 3F1A22C0B1F: reject: header Subject: win big from unknown[198.51.100.66]; from=<a@b.example> to=<c@example.com> proto=ESMTP helo=<x>: 550 5.7.1 Spam",
			env:  e("mx1", "postfix/cleanup", "cleanup", 3002, info, "3F1A22C0B1F"),
			event: logparse.Reject{Action: "reject", Stage: "header Subject: win big", Client: spammer,
				Reply: "550 5.7.1 Spam", Code: 550, DSN: "5.7.1", From: "a@b.example", To: "c@example.com", Proto: "ESMTP", Helo: "x"},
		},
		{
			// cleanup_message.c: state->reason = dsn_prepend("5.7.1", text),
			// so the logged reply is "5.7.1 text" with no SMTP code.
			name: "cleanup header reject, real form without SMTP code",
			line: "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: 3F1A22C0B1F: reject: header Subject: win big from unknown[198.51.100.66]; from=<a@b.example> to=<c@example.com> proto=ESMTP helo=<x>: 5.7.1 Message content rejected",
			env:  e("mx1", "postfix/cleanup", "cleanup", 3002, info, "3F1A22C0B1F"),
			event: logparse.Reject{Action: "reject", Stage: "header Subject: win big", Client: spammer,
				Reply: "5.7.1 Message content rejected", DSN: "5.7.1", From: "a@b.example", To: "c@example.com", Proto: "ESMTP", Helo: "x"},
		},
		{
			name: "cleanup body reject",
			line: "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: 3F1A22C0B1F: reject: body Click here to claim your prize from unknown[198.51.100.66]; from=<a@b.example> to=<c@example.com> proto=SMTP helo=<x>: 550 5.7.1 Spam body",
			env:  e("mx1", "postfix/cleanup", "cleanup", 3002, info, "3F1A22C0B1F"),
			event: logparse.Reject{Action: "reject", Stage: "body Click here to claim your prize", Client: spammer,
				Reply: "550 5.7.1 Spam body", Code: 550, DSN: "5.7.1", From: "a@b.example", To: "c@example.com", Proto: "SMTP", Helo: "x"},
		},
		{
			// cleanup_act_log writes proto= and helo= only when known; mail
			// from pickup has neither, the reply still follows ": ".
			name: "cleanup header reject of a local submission",
			line: "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: 5D2E81E2B9: reject: header Subject: test from local; from=<root@mx1.example.com> to=<alice@example.com>: 5.7.1 Message content rejected",
			env:  e("mx1", "postfix/cleanup", "cleanup", 3002, info, "5D2E81E2B9"),
			event: logparse.Reject{Action: "reject", Stage: "header Subject: test",
				Reply: "5.7.1 Message content rejected", DSN: "5.7.1", From: "root@mx1.example.com", To: "alice@example.com"},
		},
		{
			// cleanup_milter.c: text = resp + 4, i.e. "5.7.1 ..." without
			// the SMTP code.
			name: "cleanup milter-reject at END-OF-MESSAGE",
			line: "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: 3F1A22C0B1F: milter-reject: END-OF-MESSAGE from mail.example.org[203.0.113.9]: 5.7.1 Spam message rejected; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<mail.example.org>",
			env:  e("mx1", "postfix/cleanup", "cleanup", 3002, info, "3F1A22C0B1F"),
			event: logparse.Reject{Action: "milter-reject", Stage: "END-OF-MESSAGE", Client: peer("mail.example.org", "203.0.113.9", 0),
				Reply: "5.7.1 Spam message rejected", DSN: "5.7.1", From: "a@example.org", To: "b@example.com", Proto: "ESMTP", Helo: "mail.example.org"},
		},
		{
			// cleanup_message.c: cleanup_act_log(state, "warning", ...) for
			// a header_checks WARN action.
			name: "cleanup header_checks WARN",
			line: "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: 3F1A22C0B1F: warning: header Subject: Test from localhost[127.0.0.1]; from=<root@sender.test> to=<alice@example.com> proto=ESMTP helo=<mail.sender.test>",
			env:  e("mx1", "postfix/cleanup", "cleanup", 3002, info, "3F1A22C0B1F"),
			event: logparse.Reject{Action: "warning", Stage: "header Subject: Test", Client: localhost,
				From: "root@sender.test", To: "alice@example.com", Proto: "ESMTP", Helo: "mail.sender.test"},
		},
		{
			name: "postscreen reject with commas after ';'",
			line: "Mar 27 16:05:12 mx1 postfix/postscreen[900]: NOQUEUE: reject: RCPT from [198.51.100.66]:51522: 550 5.7.1 Service unavailable; client [198.51.100.66] blocked using zen.spamhaus.org; from=<a@b.example>, to=<c@example.com>, proto=ESMTP, helo=<x>",
			env:  e("mx1", "postfix/postscreen", "postscreen", 900, info, "NOQUEUE"),
			event: logparse.Reject{Action: "reject", Stage: "RCPT", Client: peer("", "198.51.100.66", 51522),
				Reply: "550 5.7.1 Service unavailable; client [198.51.100.66] blocked using zen.spamhaus.org", Code: 550, DSN: "5.7.1",
				From: "a@b.example", To: "c@example.com", Proto: "ESMTP", Helo: "x"},
		},
		{
			name:  "postscreen too many connections",
			line:  "Mar 27 16:05:12 mx1 postfix/postscreen[900]: NOQUEUE: reject: CONNECT from [198.51.100.66]:51522: too many connections",
			env:   e("mx1", "postfix/postscreen", "postscreen", 900, info, "NOQUEUE"),
			event: logparse.Reject{Action: "reject", Stage: "CONNECT", Client: peer("", "198.51.100.66", 51522), Reply: "too many connections"},
		},
	})
}

// TestParsePostscreen covers postscreen, dnsblog and tlsproxy session lines.
func TestParsePostscreen(t *testing.T) {
	spam := peer("", "198.51.100.66", 51522)
	good := peer("", "203.0.113.9", 40112)
	runCases(t, []lineCase{
		{
			name:  "CONNECT",
			line:  "Mar 27 16:05:12 mx1 postfix/postscreen[900]: CONNECT from [198.51.100.66]:51522 to [192.0.2.1]:25",
			env:   e("mx1", "postfix/postscreen", "postscreen", 900, info, ""),
			event: logparse.Postscreen{Action: "CONNECT", Client: spam, Detail: "to [192.0.2.1]:25"},
		},
		{
			name:  "CONNECT IPv6",
			line:  "Mar 27 16:05:12 mx1 postfix/postscreen[900]: CONNECT from [2001:db8::66]:51522 to [2001:db8::1]:25",
			env:   e("mx1", "postfix/postscreen", "postscreen", 900, info, ""),
			event: logparse.Postscreen{Action: "CONNECT", Client: peer("", "2001:db8::66", 51522), Detail: "to [2001:db8::1]:25"},
		},
		{
			name:  "PASS NEW",
			line:  "Mar 27 16:05:12 mx1 postfix/postscreen[900]: PASS NEW [203.0.113.9]:40112",
			env:   e("mx1", "postfix/postscreen", "postscreen", 900, info, ""),
			event: logparse.Postscreen{Action: "PASS NEW", Client: good},
		},
		{
			name:  "PASS OLD",
			line:  "Mar 27 16:05:12 mx1 postfix/postscreen[900]: PASS OLD [203.0.113.9]:40112",
			env:   e("mx1", "postfix/postscreen", "postscreen", 900, info, ""),
			event: logparse.Postscreen{Action: "PASS OLD", Client: good},
		},
		{
			name:  "PREGREET",
			line:  "Mar 27 16:05:12 mx1 postfix/postscreen[900]: PREGREET 11 after 0.07 from [198.51.100.66]:51522: EHLO bad\\r\\n",
			env:   e("mx1", "postfix/postscreen", "postscreen", 900, info, ""),
			event: logparse.Postscreen{Action: "PREGREET", Client: spam, Detail: "PREGREET 11 after 0.07 from [198.51.100.66]:51522: EHLO bad\\r\\n"},
		},
		{
			name:  "DNSBL rank",
			line:  "Mar 27 16:05:12 mx1 postfix/postscreen[900]: DNSBL rank 3 for [198.51.100.66]:51522",
			env:   e("mx1", "postfix/postscreen", "postscreen", 900, info, ""),
			event: logparse.Postscreen{Action: "DNSBL rank", Client: spam, Detail: "DNSBL rank 3 for [198.51.100.66]:51522"},
		},
		{
			name:  "HANGUP",
			line:  "Mar 27 16:05:12 mx1 postfix/postscreen[900]: HANGUP after 2.1 from [198.51.100.66]:51522 in tests after SMTP handshake",
			env:   e("mx1", "postfix/postscreen", "postscreen", 900, info, ""),
			event: logparse.Postscreen{Action: "HANGUP after", Client: spam, Detail: "HANGUP after 2.1 from [198.51.100.66]:51522 in tests after SMTP handshake"},
		},
		{
			name:  "COMMAND PIPELINING",
			line:  "Mar 27 16:05:12 mx1 postfix/postscreen[900]: COMMAND PIPELINING from [198.51.100.66]:51522 after EHLO: QUIT",
			env:   e("mx1", "postfix/postscreen", "postscreen", 900, info, ""),
			event: logparse.Postscreen{Action: "COMMAND PIPELINING", Client: spam, Detail: "after EHLO: QUIT"},
		},
		{
			name:  "DISCONNECT",
			line:  "Mar 27 16:05:12 mx1 postfix/postscreen[900]: DISCONNECT [198.51.100.66]:51522",
			env:   e("mx1", "postfix/postscreen", "postscreen", 900, info, ""),
			event: logparse.Postscreen{Action: "DISCONNECT", Client: spam},
		},
		{
			name:  "ALLOWLISTED",
			line:  "Mar 27 16:05:12 mx1 postfix/postscreen[900]: ALLOWLISTED [203.0.113.9]:40112",
			env:   e("mx1", "postfix/postscreen", "postscreen", 900, info, ""),
			event: logparse.Postscreen{Action: "ALLOWLISTED", Client: good},
		},
		{
			name:  "dnsblog listing",
			line:  "Mar 27 16:05:12 mx1 postfix/dnsblog[901]: addr 198.51.100.66 listed by domain zen.spamhaus.org as 127.0.0.2",
			env:   e("mx1", "postfix/dnsblog", "dnsblog", 901, info, ""),
			event: logparse.Notice{Detail: "addr 198.51.100.66 listed by domain zen.spamhaus.org as 127.0.0.2"},
		},
		{
			name:  "tlsproxy CONNECT from (server role)",
			line:  "Mar 27 16:05:12 mx1 postfix/tlsproxy[1200]: CONNECT from [198.51.100.66]:51522",
			env:   e("mx1", "postfix/tlsproxy", "tlsproxy", 1200, info, ""),
			event: logparse.Postscreen{Action: "CONNECT", Client: spam},
		},
		{
			name:  "tlsproxy CONNECT to (client role)",
			line:  "Mar 27 16:05:12 mx1 postfix/tlsproxy[1200]: CONNECT to [192.0.2.25]:25",
			env:   e("mx1", "postfix/tlsproxy", "tlsproxy", 1200, info, ""),
			event: logparse.Postscreen{Action: "CONNECT to", Client: peer("", "192.0.2.25", 25)},
		},
		{
			name:  "tlsproxy DISCONNECT",
			line:  "Mar 27 16:05:12 mx1 postfix/tlsproxy[1200]: DISCONNECT [198.51.100.66]:51522",
			env:   e("mx1", "postfix/tlsproxy", "tlsproxy", 1200, info, ""),
			event: logparse.Postscreen{Action: "DISCONNECT", Client: spam},
		},
	})
}

// TestParseSMTPDFilterAndSmuggling covers smtpd lines around before-queue
// content filters, milters that act on their own headers, the bare <LF>
// (SMTP smuggling) defence of 3.9+, and EHLO keyword discards. The comment
// on each case names the Postfix source of its wording.
func TestParseSMTPDFilterAndSmuggling(t *testing.T) {
	client := peer("mail.example.org", "203.0.113.9", 0)
	smtpd := e("mx1", "postfix/smtpd", "smtpd", 4100, info, "")
	runCases(t, []lineCase{
		{
			// smtpd.c: msg_info("proxy-%s: %s: %s;%s", "reject", where, reply, whatsup)
			name: "proxy-reject from a before-queue filter",
			line: "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: proxy-reject: END-OF-MESSAGE: 554 5.7.1 Message rejected as spam; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<mail.example.org>",
			env:  smtpd,
			event: logparse.Reject{Action: logparse.ActionProxyReject, Stage: "END-OF-MESSAGE",
				Reply: "554 5.7.1 Message rejected as spam", Code: 554, DSN: "5.7.1",
				From: "a@example.org", To: "b@example.com", Proto: "ESMTP", Helo: "mail.example.org"},
		},
		{
			// smtpd.c: the same with a queue ID and a 4xx reply from the filter
			name: "proxy-reject with a queue ID and a temporary reply",
			line: "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: 3F1A22C0B1F: proxy-reject: END-OF-MESSAGE: 451 4.3.0 Error: queue file write error; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<mail.example.org>",
			env:  e("mx1", "postfix/smtpd", "smtpd", 4100, info, "3F1A22C0B1F"),
			event: logparse.Reject{Action: logparse.ActionProxyReject, Stage: "END-OF-MESSAGE",
				Reply: "451 4.3.0 Error: queue file write error", Code: 451, DSN: "4.3.0",
				From: "a@example.org", To: "b@example.com", Proto: "ESMTP", Helo: "mail.example.org"},
		},
		{
			// smtpd.c 3.9-20231226..20240104: "disconnect: bare <LF> received from %s"
			name:  "bare <LF> disconnect, 3.9 snapshot",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: disconnect: bare <LF> received from mail.example.org[203.0.113.9]",
			env:   smtpd,
			event: logparse.Notice{Detail: "disconnect: bare <LF> received from mail.example.org[203.0.113.9]"},
		},
		{
			// smtp_proto.c: msg_info("discarding EHLO keywords: %s", ...)
			name:  "smtp discarding EHLO keywords",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: discarding EHLO keywords: PIPELINING CHUNKING",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.Notice{Detail: "discarding EHLO keywords: PIPELINING CHUNKING"},
		},
		{
			// postscreen_smtpd.c: "[%s]:%s: discarding EHLO keywords: %s"
			name:  "postscreen discarding EHLO keywords",
			line:  "Mar 27 16:05:12 mx1 postfix/postscreen[900]: [198.51.100.66]:51522: discarding EHLO keywords: PIPELINING",
			env:   e("mx1", "postfix/postscreen", "postscreen", 900, info, ""),
			event: logparse.Postscreen{Action: "discarding EHLO keywords", Client: peer("", "198.51.100.66", 51522), Detail: "PIPELINING"},
		},
		{
			// cleanup_milter.c cleanup_milter_hbc_log: "%s: milter-%s-%s: %s %.200s from %s[%s];" + fields + ": %s"
			name: "cleanup milter-header-redirect",
			line: "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: 3F1A22C0B1F: milter-header-redirect: header X-Spam-Flag: YES from mail.example.org[203.0.113.9]; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<mail.example.org>: quarantine@example.com",
			env:  e("mx1", "postfix/cleanup", "cleanup", 3002, info, "3F1A22C0B1F"),
			event: logparse.Reject{Action: "milter-header-redirect", Stage: "header X-Spam-Flag: YES", Client: client,
				Reply: "quarantine@example.com", From: "a@example.org", To: "b@example.com", Proto: "ESMTP", Helo: "mail.example.org"},
		},
		{
			// cleanup_milter.c cleanup_milter_hbc_log with "hold" and no optional text
			name: "cleanup milter-header-hold",
			line: "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: 3F1A22C0B1F: milter-header-hold: header X-Virus: found from mail.example.org[203.0.113.9]; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<mail.example.org>",
			env:  e("mx1", "postfix/cleanup", "cleanup", 3002, info, "3F1A22C0B1F"),
			event: logparse.Reject{Action: "milter-header-hold", Stage: "header X-Virus: found", Client: client,
				From: "a@example.org", To: "b@example.com", Proto: "ESMTP", Helo: "mail.example.org"},
		},
	})
}

// TestParseSMTPDLinesAlreadyRead pins smtpd and cleanup lines that issue
// 17 asked to check and that were already read right: they must stay so.
func TestParseSMTPDLinesAlreadyRead(t *testing.T) {
	client := peer("mail.example.org", "203.0.113.9", 0)
	smtpd := e("mx1", "postfix/smtpd", "smtpd", 4100, info, "")
	runCases(t, []lineCase{
		{
			// smtpd.c: "proxy-accept: ..." stays a Notice
			name:  "proxy-accept",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: 3F1A22C0B1F: proxy-accept: END-OF-MESSAGE: 250 2.0.0 Ok: queued as 4B2C1D0E9F; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<mail.example.org>",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, info, "3F1A22C0B1F"),
			event: logparse.Notice{Detail: "proxy-accept: END-OF-MESSAGE: 250 2.0.0 Ok: queued as 4B2C1D0E9F; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<mail.example.org>"},
		},
		{
			// smtpd.c 3.9+: log_whatsup(state, "reject", "bare <LF> received")
			// (smtpd_check.c: "%s: %s: %s from %s: %s;" + from= to= proto= helo=)
			name: "bare <LF> reject, 3.9+",
			line: "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: NOQUEUE: reject: DATA from mail.example.org[203.0.113.9]: bare <LF> received; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<mail.example.org>",
			env:  e("mx1", "postfix/smtpd", "smtpd", 4100, info, "NOQUEUE"),
			event: logparse.Reject{Action: logparse.ActionReject, Stage: "DATA", Client: client, Reply: "bare <LF> received",
				From: "a@example.org", To: "b@example.com", Proto: "ESMTP", Helo: "mail.example.org"},
		},
		{
			// the brief's shape; a warning: prefix makes it a Warning
			name:  "bare <LF> warning",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: warning: bare <LF> received from mail.example.org[203.0.113.9]",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, warn, ""),
			event: logparse.Warning{Detail: "bare <LF> received from mail.example.org[203.0.113.9]"},
		},
		{
			// smtpd.c 3.9+ (smtpd_forbid_bare_newline = note): " notes=bare_lf"
			name:  "disconnect with notes=bare_lf",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: disconnect from mail.example.org[203.0.113.9] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5 notes=bare_lf",
			env:   smtpd,
			event: logparse.Disconnect{Client: client, Stats: "ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5 notes=bare_lf", CommandsOK: 5, CommandsTotal: 5},
		},
		{
			// smtpd.c: msg_info("discarding EHLO keywords: %s", ...)
			name:  "smtpd discarding EHLO keywords",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: discarding EHLO keywords: CHUNKING",
			env:   smtpd,
			event: logparse.Notice{Detail: "discarding EHLO keywords: CHUNKING"},
		},
		{
			// cleanup_milter.c: action "milter-hold", text "milter triggers HOLD action"
			name: "cleanup milter-hold",
			line: "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: 3F1A22C0B1F: milter-hold: END-OF-MESSAGE from mail.example.org[203.0.113.9]: milter triggers HOLD action; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<mail.example.org>",
			env:  e("mx1", "postfix/cleanup", "cleanup", 3002, info, "3F1A22C0B1F"),
			event: logparse.Reject{Action: logparse.ActionMilterHold, Stage: "END-OF-MESSAGE", Client: client, Reply: "milter triggers HOLD action",
				From: "a@example.org", To: "b@example.com", Proto: "ESMTP", Helo: "mail.example.org"},
		},
		{
			// cleanup_milter.c: action "milter-discard", text "milter triggers DISCARD action"
			name: "cleanup milter-discard",
			line: "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: 3F1A22C0B1F: milter-discard: END-OF-MESSAGE from mail.example.org[203.0.113.9]: milter triggers DISCARD action; from=<a@example.org> to=<b@example.com> proto=ESMTP helo=<mail.example.org>",
			env:  e("mx1", "postfix/cleanup", "cleanup", 3002, info, "3F1A22C0B1F"),
			event: logparse.Reject{Action: logparse.ActionMilterDiscard, Stage: "END-OF-MESSAGE", Client: client, Reply: "milter triggers DISCARD action",
				From: "a@example.org", To: "b@example.com", Proto: "ESMTP", Helo: "mail.example.org"},
		},
	})
}

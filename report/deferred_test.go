package report

import (
	"os"
	"path/filepath"
	"testing"
)

// deferralsLog defers one recipient twice in a message, then reuses the
// message's queue ID for a second message that defers the same recipient
// and another at the same domain, and defers a hop to a content filter.
const deferralsLog = `Nov 23 00:20:45 mail postfix/pickup[13393]: 2023BBC4C2: uid=0 from=<carol@sender.test>
Nov 23 00:20:45 mail postfix/qmgr[13394]: 2023BBC4C2: from=<carol@sender.test>, size=5166, nrcpt=1 (queue active)
Nov 23 00:20:46 mail postfix/smtp[13448]: 2023BBC4C2: to=<ines.mueller@purge.example.org>, relay=none, delay=0.04, delays=0.02/0.03/0/0, dsn=4.4.1, status=deferred (connect to mx.purge.example.org[127.0.0.19]:25: Connection refused)
Nov 23 00:30:46 mail postfix/smtp[13449]: 2023BBC4C2: to=<Ines.Mueller@purge.example.org>, relay=none, delay=600, delays=600/0.03/0/0, dsn=4.4.1, status=deferred (connect to mx.purge.example.org[127.0.0.19]:25: Connection refused)
Nov 23 00:40:46 mail postfix/smtp[13450]: 2023BBC4C2: to=<ines.mueller@purge.example.org>, relay=mx.purge.example.org[127.0.0.19]:25, delay=1200, delays=1200/0/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 21F6BBC4C1)
Nov 23 00:40:46 mail postfix/qmgr[13394]: 2023BBC4C2: removed
Nov 23 00:41:02 mail postfix/smtpd[13453]: connect from localhost[127.0.0.1]
Nov 23 00:41:02 mail postfix/smtpd[13453]: 2023BBC4C2: client=localhost[127.0.0.1]
Nov 23 00:41:02 mail postfix/qmgr[13394]: 2023BBC4C2: from=<carol@sender.test>, size=31618, nrcpt=2 (queue active)
Nov 23 00:41:02 mail postfix/smtpd[13453]: disconnect from localhost[127.0.0.1] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5
Nov 23 00:41:03 mail postfix/smtp[13600]: 2023BBC4C2: to=<ines.mueller@purge.example.org>, relay=none, delay=0.05, delays=0.05/0/0/0, dsn=4.4.1, status=deferred (connect to mx.purge.example.org[127.0.0.19]:25: Connection refused)
Nov 23 00:41:03 mail postfix/smtp[13600]: 2023BBC4C2: to=<tara.rossi@purge.example.org>, relay=none, delay=0.05, delays=0.05/0/0/0, dsn=4.4.1, status=deferred (connect to mx.purge.example.org[127.0.0.19]:25: Connection refused)
Nov 23 00:50:00 mail postfix/qmgr[13394]: EA9ADBC399: from=<carol@sender.test>, size=900, nrcpt=1 (queue active)
Nov 23 00:50:01 mail postfix/smtp[13601]: EA9ADBC399: to=<sven.mueller@intranet.example.org>, relay=127.0.0.1[127.0.0.1]:10024, delay=0.01, delays=0/0/0/0, dsn=4.4.1, status=deferred (connect to 127.0.0.1[127.0.0.1]:10024: Connection refused)
`

// TestDeferredCountedOnce: a deferred message and a deferred recipient
// count once however often they were deferred; a reused queue ID makes
// a second message but keeps its recipient (one address in two messages
// of one queue ID is one recipient); a content filter hop's deferral
// counts its message, not a domain's. Both the store's path and the
// in-memory one.
func TestDeferredCountedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deferrals.log")
	if err := os.WriteFile(path, []byte(deferralsLog), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, m := range bothModels(t, path) {
		if m.Totals.Deferrals != 5 || m.Totals.Deferred != 3 {
			t.Errorf("%s: %d deferrals of %d messages, want 5 of 3", name, m.Totals.Deferrals, m.Totals.Deferred)
		}
		if len(m.Deferrals) != 1 {
			t.Fatalf("%s: deferrals of %d domains, want purge.example.org's: %+v", name, len(m.Deferrals), m.Deferrals)
		}
		d := m.Deferrals[0]
		got := [...]int64{d.Deferrals, d.Messages, d.Recipients, d.LaterDelivered, d.StillQueued}
		if want := [...]int64{4, 2, 2, 1, 2}; got != want {
			t.Errorf("%s: %s: deferrals, messages, recipients, later delivered, still queued = %v, want %v", name, d.Domain, got, want)
		}
	}
}

// softBounceLog is a message whose one recipient's server refuses it with
// a 5xx reply under soft_bounce = yes (Postfix 3.7's bounce.c logs
// status=SOFTBOUNCE and keeps the recipient queued), and a delivery line
// cut inside its status word.
const softBounceLog = `Nov 23 00:20:05 mail postfix/qmgr[13394]: 94C5DBC404: from=<carol@sender.test>, size=900, nrcpt=2 (queue active)
Nov 23 00:20:06 mail postfix/smtp[13462]: 94C5DBC404: to=<olduser@strict.example.com>, relay=mx.strict.example.com[127.0.0.18]:25, delay=0.1, delays=0/0.04/0.04/0.01, dsn=4.1.1, status=SOFTBOUNCE (host mx.strict.example.com[127.0.0.18] said: 550 5.1.1 <olduser@strict.example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command))
Nov 23 00:20:06 mail postfix/smtp[13462]: 94C5DBC404: to=<dana@strict.example.com>, relay=mx.strict.example.com[127.0.0.18]:25, delay=0.1, delays=0/0.04/0.04/0.01, dsn=2.0.0, status=se
`

// TestSoftBounceIsADeferral: a status=SOFTBOUNCE line counts as the
// deferral Postfix makes of it, and a delivery line whose status is no
// status Postfix writes is a line not understood, not nothing.
func TestSoftBounceIsADeferral(t *testing.T) {
	path := filepath.Join(t.TempDir(), "softbounce.log")
	if err := os.WriteFile(path, []byte(softBounceLog), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, m := range bothModels(t, path) {
		if m.Totals.Deferrals != 1 || m.Totals.Deferred != 1 || m.Totals.Delivered != 0 {
			t.Errorf("%s: %d deferrals of %d messages, %d delivered, want 1 of 1, 0", name, m.Totals.Deferrals, m.Totals.Deferred, m.Totals.Delivered)
		}
		if len(m.Deferrals) != 1 || m.Deferrals[0].Domain != "strict.example.com" {
			t.Errorf("%s: deferrals %+v, want strict.example.com's", name, m.Deferrals)
		}
		if m.Lines.Unparsed != 1 {
			t.Errorf("%s: %d lines not understood, want the line cut inside its status", name, m.Lines.Unparsed)
		}
		if m.State() == StateClear {
			t.Errorf("%s: state %q", name, m.State())
		}
	}
}

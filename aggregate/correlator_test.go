package aggregate_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
)

// attemptView is what a table case checks of one delivery attempt.
type attemptView struct {
	QueueID    string
	Recipient  string
	Service    string
	Status     logparse.Status
	TLSTrust   logparse.Trust
	TLSFailure logparse.TLSFailureKind
	TLSDetail  string
}

func viewAttempt(a aggregate.Attempt) attemptView {
	return attemptView{
		QueueID: a.QueueID, Recipient: a.Recipient, Service: a.Service, Status: a.Status,
		TLSTrust: a.TLSTrust, TLSFailure: a.TLSFailure, TLSDetail: a.TLSDetail,
	}
}

// failureView is what a table case checks of one TLS failure fact.
type failureView struct {
	Direction logparse.Direction
	Peer      string
	Domain    string
	QueueID   string
	Recipient string
	Kind      logparse.TLSFailureKind
	RFC8460   logparse.RFC8460
	Detail    string
	Deferred  bool
	Status    logparse.Status
}

func viewFailure(f aggregate.TLSFailure) failureView {
	return failureView{
		Direction: f.Direction, Peer: f.Peer, Domain: f.Domain, QueueID: f.QueueID, Recipient: f.Recipient,
		Kind: f.Kind, RFC8460: f.RFC8460, Detail: f.Detail, Deferred: f.Deferred, Status: f.Status,
	}
}

// Details that recur in the corpus.
const (
	rogueIssuer    = "/O=Unknown Org/CN=Rogue Untrusted Issuing CA"
	protocolAlert  = "tlsv1 alert protocol version (SSL alert number 70)"
	bankMX         = "mx.bank.example.net[127.0.0.12]:25"
	modernMX       = "mx.modern.example.net[127.0.0.20]:25"
	oldpartnerMX   = "mx.oldpartner.example.net[127.0.0.20]:25"
	hostingMX      = "mx.hosting.example.net[127.0.0.15]:25"
	govMX          = "mx.gov.example.org[127.0.0.13]:25"
	schoolMX       = "mx.school.example.org[127.0.0.16]:2525"
	schoolNotOffer = "TLS is required, but was not offered by host mx.school.example.org[127.0.0.16]"
	mismatchDetail = "hostname mismatch" // "num=62:hostname mismatch" as the parser gives it
)

// The brief's example, built by hand (no fastmail line is in the corpus):
// a Trusted chain followed by "Server certificate not verified" can only
// mean that the name did not match.
var fastmailLines = []string{
	"Nov 23 00:20:07 mail postfix/smtp[13448]: Trusted TLS connection established to mx1.messagingengine.com[192.0.2.10]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
	"Nov 23 00:20:07 mail postfix/smtp[13448]: 4F1E2BC3A9: to=<sam@fastmail.com>, relay=mx1.messagingengine.com[192.0.2.10]:25, delay=0.31, delays=0.01/0/0.2/0.1, dsn=4.7.5, status=deferred (Server certificate not verified)",
}

type tlsCase struct {
	name     string
	log      string   // fixture in testdata/logs
	lines    []string // lines given here, after the fixture's
	attempts []attemptView
	failures []failureView
}

// TestCorrelatorTLSAttachment feeds each TLS scenario of the corpus and
// checks the TLS state every delivery attempt got and the failure facts.
func TestCorrelatorTLSAttachment(t *testing.T) {
	cases := []tlsCase{
		{
			name: "bank untrusted issuer",
			log:  "tls-untrusted-issuer.log",
			attempts: []attemptView{
				{"CC251BC433", "chris.novak@bank.example.net", "smtp", "deferred", "untrusted", "untrusted-issuer", rogueIssuer},
			},
			failures: []failureView{
				{"to", bankMX, "bank.example.net", "CC251BC433", "chris.novak@bank.example.net", "untrusted-issuer", "validation-failure", rogueIssuer, true, "deferred"},
			},
		},
		{
			name: "acme name mismatch (secure match=)",
			log:  "tls-name-mismatch-secure-match.log",
			attempts: []attemptView{
				{"53FF2BC457", "ben.meyer@acme.example.org", "smtp", "deferred", "untrusted", "name-mismatch", mismatchDetail},
			},
			failures: []failureView{
				{"to", "mx.acme.example.org[127.0.0.11]:25", "acme.example.org", "53FF2BC457", "ben.meyer@acme.example.org", "name-mismatch", "certificate-host-mismatch", mismatchDetail, true, "deferred"},
			},
		},
		{
			name: "hosting name mismatch (verify)",
			log:  "tls-name-mismatch-verify.log",
			attempts: []attemptView{
				{"19470BC421", "chris.schmidt@hosting.example.net", "smtp", "deferred", "untrusted", "name-mismatch", mismatchDetail},
			},
			failures: []failureView{
				{"to", hostingMX, "hosting.example.net", "19470BC421", "chris.schmidt@hosting.example.net", "name-mismatch", "certificate-host-mismatch", mismatchDetail, true, "deferred"},
			},
		},
		{
			name: "gov expired certificate",
			log:  "tls-expired-cert.log",
			attempts: []attemptView{
				{"C9B01BC352", "paula.tanaka@gov.example.org", "smtp", "deferred", "untrusted", "expired", "certificate has expired"},
			},
			failures: []failureView{
				{"to", govMX, "gov.example.org", "C9B01BC352", "paula.tanaka@gov.example.org", "expired", "certificate-expired", "certificate has expired", true, "deferred"},
			},
		},
		{
			name: "health self-signed certificate",
			log:  "tls-self-signed.log",
			attempts: []attemptView{
				{"28F61BC4C6", "wei.meyer@health.example.com", "smtp", "deferred", "untrusted", "self-signed", "self-signed certificate"},
			},
			failures: []failureView{
				{"to", "mx.health.example.com[127.0.0.14]:25", "health.example.com", "28F61BC4C6", "wei.meyer@health.example.com", "self-signed", "validation-failure", "self-signed certificate", true, "deferred"},
			},
		},
		{
			name: "modern handshake failure",
			log:  "tls-handshake.log",
			attempts: []attemptView{
				{"71B50BC306", "rosa.kowalski@modern.example.net", "smtp", "deferred", "", "handshake", protocolAlert},
			},
			failures: []failureView{
				{"to", modernMX, "modern.example.net", "71B50BC306", "rosa.kowalski@modern.example.net", "handshake", "validation-failure", protocolAlert, true, "deferred"},
			},
		},
		{
			// First attempt deferred; the retry logs "QID: Cannot start TLS",
			// "Host offered STARTTLS" and is then sent in plaintext. A
			// hosting.example.net delivery of another process interleaves.
			name: "oldpartner plaintext fallback",
			log:  "tls-plaintext-fallback.log",
			attempts: []attemptView{
				{"D55CFBC41C", "jonas.novak@oldpartner.example.net", "smtp", "deferred", "", "handshake", protocolAlert},
				{"19470BC421", "chris.schmidt@hosting.example.net", "smtp", "deferred", "untrusted", "name-mismatch", mismatchDetail},
				{"D55CFBC41C", "jonas.novak@oldpartner.example.net", "smtp", "sent", "", "handshake", protocolAlert},
			},
			failures: []failureView{
				{"to", oldpartnerMX, "oldpartner.example.net", "D55CFBC41C", "jonas.novak@oldpartner.example.net", "handshake", "validation-failure", protocolAlert, true, "deferred"},
				{"to", hostingMX, "hosting.example.net", "19470BC421", "chris.schmidt@hosting.example.net", "name-mismatch", "certificate-host-mismatch", mismatchDetail, true, "deferred"},
				{"to", oldpartnerMX, "oldpartner.example.net", "D55CFBC41C", "jonas.novak@oldpartner.example.net", "handshake", "validation-failure", protocolAlert, false, "sent"},
			},
		},
		{
			name: "school STARTTLS not offered, no TLS line",
			log:  "tls-not-offered.log",
			attempts: []attemptView{
				{"71B50BC306", "dana.schmidt@school.example.org", "smtp", "deferred", "", "starttls-not-offered", ""},
			},
			failures: []failureView{
				{"to", schoolMX, "school.example.org", "71B50BC306", "dana.schmidt@school.example.org", "starttls-not-offered", "starttls-not-supported", schoolNotOffer, true, "deferred"},
			},
		},
		{
			name: "gmx trusted and sent",
			log:  "tls-trusted.log",
			attempts: []attemptView{
				{"87A5CBC40D", "sales-archive@gmx.example", "smtp", "sent", "trusted", "", ""},
			},
		},
		{
			// With smtp_tls_connection_reuse or a second message over the
			// same connection, the next delivery logs no TLS line of its
			// own but conn_use=2: it was sent over the same TLS session.
			// The third line is corpus line 99 moved onto 13448's
			// connection, built by hand (the corpus has no reuse).
			name: "gmx connection reused (conn_use=2)",
			log:  "tls-trusted.log",
			lines: []string{
				"Nov 23 00:20:07 mail postfix/smtp[13448]: 89663BC414: to=<marco.smith@gmx.example>, relay=mx.gmx.example[127.0.0.10]:25, conn_use=2, delay=0.09, delays=0.01/0/0/0.01, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9EA0DBC416)",
			},
			attempts: []attemptView{
				{"87A5CBC40D", "sales-archive@gmx.example", "smtp", "sent", "trusted", "", ""},
				{"89663BC414", "marco.smith@gmx.example", "smtp", "sent", "trusted", "", ""},
			},
		},
		{
			name:  "fastmail trusted but not verified",
			lines: fastmailLines,
			attempts: []attemptView{
				{"4F1E2BC3A9", "sam@fastmail.com", "smtp", "deferred", "trusted", "name-mismatch", ""},
			},
			failures: []failureView{
				{"to", "mx1.messagingengine.com[192.0.2.10]:25", "fastmail.com", "4F1E2BC3A9", "sam@fastmail.com", "name-mismatch", "certificate-host-mismatch", "", true, "deferred"},
			},
		},
		{
			// Six smtp processes write in turn; each delivery must get the
			// TLS state of its own process only.
			name: "interleaved processes",
			log:  "tls-interleaved.log",
			attempts: []attemptView{
				{"BB8FEBC4DF", "dana.meyer@legacy.example.net", "smtp", "sent", "", "", ""},
				{"71B50BC306", "dana.schmidt@school.example.org", "smtp", "deferred", "", "starttls-not-offered", ""},
				{"CC251BC433", "chris.novak@bank.example.net", "smtp", "deferred", "untrusted", "untrusted-issuer", rogueIssuer},
				{"71B50BC306", "rosa.kowalski@modern.example.net", "smtp", "deferred", "", "handshake", protocolAlert},
				{"63376BC45B", "marco.rossi@modern.example.net", "smtp", "deferred", "", "handshake", protocolAlert},
				{"19470BC421", "chris.schmidt@hosting.example.net", "smtp", "deferred", "untrusted", "name-mismatch", mismatchDetail},
				{"C9B01BC352", "paula.tanaka@gov.example.org", "smtp", "deferred", "untrusted", "expired", "certificate has expired"},
				{"1B19ABC439", "ines.dubois@gov.example.org", "smtp", "deferred", "untrusted", "expired", "certificate has expired"},
				{"45A4FBC4E0", "rosa.meyer@hosting.example.net", "error", "deferred", "", "not-verified", ""},
				{"45A4FBC4E0", "ben.schmidt@rogue.example.net", "smtp", "sent", "untrusted", "", ""},
				{"45A4FBC4E0", "lena.novak@corp.example.com", "smtp", "sent", "verified", "", ""},
			},
			failures: []failureView{
				{"to", schoolMX, "school.example.org", "71B50BC306", "dana.schmidt@school.example.org", "starttls-not-offered", "starttls-not-supported", schoolNotOffer, true, "deferred"},
				{"to", bankMX, "bank.example.net", "CC251BC433", "chris.novak@bank.example.net", "untrusted-issuer", "validation-failure", rogueIssuer, true, "deferred"},
				{"to", modernMX, "modern.example.net", "71B50BC306", "rosa.kowalski@modern.example.net", "handshake", "validation-failure", protocolAlert, true, "deferred"},
				{"to", modernMX, "modern.example.net", "63376BC45B", "marco.rossi@modern.example.net", "handshake", "validation-failure", protocolAlert, true, "deferred"},
				{"to", hostingMX, "hosting.example.net", "19470BC421", "chris.schmidt@hosting.example.net", "name-mismatch", "certificate-host-mismatch", mismatchDetail, true, "deferred"},
				{"to", govMX, "gov.example.org", "C9B01BC352", "paula.tanaka@gov.example.org", "expired", "certificate-expired", "certificate has expired", true, "deferred"},
				{"to", govMX, "gov.example.org", "1B19ABC439", "ines.dubois@gov.example.org", "expired", "certificate-expired", "certificate has expired", true, "deferred"},
			},
		},
		{
			// postfix/error repeats an earlier cause with relay=none: the
			// attempt knows the kind, but there was no TLS session of its
			// own, so no failure fact.
			name: "suspended delivery by postfix/error",
			log:  "tls-suspended.log",
			attempts: []attemptView{
				{"45A4FBC4E0", "rosa.meyer@hosting.example.net", "error", "deferred", "", "not-verified", ""},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var lines []string
			if tc.log != "" {
				lines = fixture(t, tc.log)
			}
			lines = append(lines, tc.lines...)
			_, f := correlate(aggregate.DefaultOptions, lines)
			checkAttempts(t, f.Attempts, tc.attempts)
			checkFailures(t, f.TLS, tc.failures)
		})
	}
}

func checkAttempts(t *testing.T, got []aggregate.Attempt, want []attemptView) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d attempts, want %d", len(got), len(want))
		for _, a := range got {
			t.Logf("  got %+v", viewAttempt(a))
		}
	}
	for i := 0; i < min(len(got), len(want)); i++ {
		if d := fieldDiff(viewAttempt(got[i]), want[i]); d != "" {
			t.Errorf("attempt %d (%s to %s):\n%s", i, want[i].QueueID, want[i].Recipient, d)
		}
	}
}

func checkFailures(t *testing.T, got []aggregate.TLSFailure, want []failureView) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d TLS failures, want %d", len(got), len(want))
		for _, f := range got {
			t.Logf("  got %+v", viewFailure(f))
		}
	}
	for i := 0; i < min(len(got), len(want)); i++ {
		if d := fieldDiff(viewFailure(got[i]), want[i]); d != "" {
			t.Errorf("TLS failure %d (%s %s):\n%s", i, want[i].Domain, want[i].Kind, d)
		}
	}
}

// TestCorrelatorFailureWithoutDelivery: an smtp process fails a handshake
// and logs nothing more. The failure still becomes a fact, with the domain
// last delivered through that MX, when all input has ended (FlushPending)
// or when the process is forgotten for age.
func TestCorrelatorFailureWithoutDelivery(t *testing.T) {
	// 13462 delivers to modern.example.net through mx.modern.example.net;
	// later 13598 fails its handshake with the same MX and the excerpt
	// ends before its delivery line.
	lines := fixture(t, "tls-failure-without-delivery.log")
	orphan := failureView{"to", modernMX, "modern.example.net", "", "", "handshake", "validation-failure", protocolAlert, false, ""}
	delivered := failureView{"to", modernMX, "modern.example.net", "71B50BC306", "rosa.kowalski@modern.example.net", "handshake", "validation-failure", protocolAlert, true, "deferred"}

	t.Run("no fact while its delivery line may still come", func(t *testing.T) {
		c := aggregate.NewCorrelator(aggregate.DefaultOptions)
		feed(c, lines...)
		checkFailures(t, c.Drain().TLS, []failureView{delivered})
	})

	t.Run("FlushPending", func(t *testing.T) {
		c := aggregate.NewCorrelator(aggregate.DefaultOptions)
		feed(c, lines...)
		c.FlushPending()
		checkFailures(t, c.Drain().TLS, []failureView{delivered, orphan})

		// Flushing again, or a delivery line that comes after all
		// (the next file), must not emit it twice; the attempt still
		// gets its TLS detail.
		c.FlushPending()
		feed(c, "Nov 23 00:20:54 mail postfix/smtp[13598]: 63376BC45B: to=<marco.rossi@modern.example.net>, relay=mx.modern.example.net[127.0.0.20]:25, delay=33, delays=32/0.08/0.08/0, dsn=4.7.5, status=deferred (Cannot start TLS: handshake failure)")
		b := c.Drain()
		checkFailures(t, b.TLS, nil)
		checkAttempts(t, b.Attempts, []attemptView{
			{"63376BC45B", "marco.rossi@modern.example.net", "smtp", "deferred", "", "handshake", protocolAlert},
		})
	})

	t.Run("pruned for age", func(t *testing.T) {
		c := aggregate.NewCorrelator(aggregate.Options{ProcessMaxAge: time.Minute})
		feed(c, lines...)
		if _, procs, _ := c.Open(); procs == 0 {
			t.Fatalf("Open() processes = 0 after a pending handshake failure, want > 0")
		}
		// A real qmgr line two minutes later (corpus line 3451): the
		// process has been idle for longer than ProcessMaxAge.
		feed(c, "Nov 23 00:22:50 mail postfix/qmgr[13394]: 507EBBC24F: removed")
		checkFailures(t, c.Drain().TLS, []failureView{delivered, orphan})
		if _, procs, _ := c.Open(); procs != 0 {
			t.Errorf("Open() processes = %d after pruning, want 0", procs)
		}
		if n := c.Stats().PrunedProcesses; n != 2 {
			t.Errorf("Stats().PrunedProcesses = %d, want 2", n)
		}
	})
}

// TestCorrelatorQueueIDReuse: short queue IDs come back. Each lifetime is
// its own Message, told apart by Start, and each attempt points at its own.
func TestCorrelatorQueueIDReuse(t *testing.T) {
	// The corpus has no reused ID, so real lifetimes are given the ID of
	// an earlier one, as Postfix does once the ID is free again.
	reID := func(lines []string, from, to string) []string {
		var out []string
		for _, l := range lines {
			out = append(out, strings.ReplaceAll(l, from, to))
		}
		return out
	}
	pickup := fixture(t, "queue-id-reuse-first.log")         // 2023BBC4C2 at 00:20:45: pickup .. removed
	noRemoved := fixture(t, "queue-id-reuse-no-removed.log") // 6194BBC40F at 00:20:08: client= .. delivered, no "removed"
	later := fixture(t, "queue-id-reuse-second.log")         // C20ABBC505 at 00:21:02: client= .. removed

	type msgView struct {
		QueueID   string
		Start     string
		Origin    aggregate.Origin
		Service   string
		MessageID string
		Size      int64
		Removed   bool
	}
	view := func(ms []aggregate.Message) []msgView {
		var out []msgView
		for _, m := range ms {
			out = append(out, msgView{m.QueueID, m.Start.Format(time.TimeOnly), m.Origin, m.Service, m.MessageID, m.Size, m.Removed})
		}
		return out
	}
	cases := []struct {
		name  string
		lines []string
		want  []msgView
	}{
		{
			name:  "removed, then client= again",
			lines: append(append([]string{}, pickup...), reID(later, "C20ABBC505", "2023BBC4C2")...),
			want: []msgView{
				{"2023BBC4C2", "00:20:45", aggregate.OriginPickup, "pickup", "rpf-a-0070.2080f668@sender.test", 5166, true},
				{"2023BBC4C2", "00:21:02", aggregate.OriginSMTPD, "smtpd", "rpf-a-0105.0594a1a2@sender.test", 31618, true},
			},
		},
		{
			// The first lifetime's "removed" line is missing (a gap in the
			// log): the next client= line still starts a new message.
			name:  "client= twice without removed",
			lines: append(append([]string{}, noRemoved...), reID(later, "C20ABBC505", "6194BBC40F")...),
			want: []msgView{
				{"6194BBC40F", "00:20:08", aggregate.OriginSMTPD, "submission/smtpd", "rpf-a-0007.4823b50f@sender.test", 31651, false},
				{"6194BBC40F", "00:21:02", aggregate.OriginSMTPD, "smtpd", "rpf-a-0105.0594a1a2@sender.test", 31618, true},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, f := correlate(aggregate.DefaultOptions, tc.lines)
			got := view(f.Messages())
			if len(got) != len(tc.want) {
				t.Fatalf("got %d messages, want %d:\n%+v", len(got), len(tc.want), got)
			}
			for i := range got {
				if d := fieldDiff(got[i], tc.want[i]); d != "" {
					t.Errorf("message %d:\n%s", i, d)
				}
			}
			if n := c.Stats().Messages; n != int64(len(tc.want)) {
				t.Errorf("Stats().Messages = %d, want %d", n, len(tc.want))
			}
			if len(f.Attempts) != 2 {
				t.Fatalf("got %d attempts, want 2", len(f.Attempts))
			}
			for i, a := range f.Attempts {
				if got, want := a.MessageStart.Format(time.TimeOnly), tc.want[i].Start; got != want {
					t.Errorf("attempt to %s: MessageStart %s, want %s (its own lifetime)", a.Recipient, got, want)
				}
			}
		})
	}
}

// TestCorrelatorInboundSessions follows smtpd sessions from connect to
// disconnect.
func TestCorrelatorInboundSessions(t *testing.T) {
	type sessView struct {
		Service     string
		Client      string
		TLSTrust    string
		TLSProtocol string
		StartTLS    bool
		TLSFailed   bool
		TLSError    string
		LostAfter   string
		Messages    int
		Commands    string
	}
	view := func(s aggregate.Session) sessView {
		return sessView{s.Service, s.Client, string(s.TLSTrust), s.TLSProtocol, s.StartTLS, s.TLSFailed, s.TLSError, s.LostAfter,
			s.Messages, fmt.Sprintf("%d/%d", s.CommandsOK, s.CommandsTotal)}
	}
	cases := []struct {
		name     string
		log      string
		sessions []sessView
		failures []failureView
	}{
		{
			name: "submission with STARTTLS",
			log:  "inbound-smtpd.log",
			sessions: []sessView{
				{"submission/smtpd", "localhost[127.0.0.1]", "anonymous", "TLSv1.3", true, false, "", "", 1, "7/7"},
			},
		},
		{
			// The receiver side of modern.example.net: a good session, then
			// SSL_accept error, the OpenSSL reason, "lost connection after
			// STARTTLS" and disconnect with starttls=0/1 (receivers-a.log).
			name: "SSL_accept error and lost connection after STARTTLS",
			log:  "server-tls-failure.log",
			sessions: []sessView{
				{"legacy/smtpd", "localhost[127.0.0.1]", "anonymous", "TLSv1.2", true, false, "", "", 1, "7/7"},
				{"legacy/smtpd", "localhost[127.0.0.1]", "", "", true, true, "unsupported protocol", "lost connection after STARTTLS", 0, "1/2"},
			},
			failures: []failureView{
				{Direction: "from", Peer: "localhost[127.0.0.1]", Kind: "handshake", Detail: "unsupported protocol"},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, f := correlate(aggregate.DefaultOptions, fixture(t, tc.log))
			if len(f.Sessions) != len(tc.sessions) {
				t.Errorf("got %d sessions, want %d", len(f.Sessions), len(tc.sessions))
			}
			for i := 0; i < min(len(f.Sessions), len(tc.sessions)); i++ {
				if d := fieldDiff(view(f.Sessions[i]), tc.sessions[i]); d != "" {
					t.Errorf("session %d:\n%s", i, d)
				}
			}
			checkFailures(t, f.TLS, tc.failures)
			if _, _, open := c.Open(); open != 0 {
				t.Errorf("Open() sessions = %d after every disconnect, want 0", open)
			}
		})
	}
}

// TestCorrelatorMemoryBound feeds many processes, sessions and messages
// that never finish, then a line from much later: everything idle is
// pruned, counted, and its facts emitted.
func TestCorrelatorMemoryBound(t *testing.T) {
	const n = 2000
	opts := aggregate.Options{MessageMaxAge: time.Hour, ProcessMaxAge: 15 * time.Minute}
	c := aggregate.NewCorrelator(opts)
	for i := 0; i < n; i++ {
		pid := 20000 + i
		qid := fmt.Sprintf("%06X%04X", 0xA00000+i, i)
		// Real lines of the corpus with a new pid and queue ID each.
		feed(c,
			fmt.Sprintf("Nov 23 00:20:54 mail postfix/smtp[%d]: SSL_connect error to mx.modern.example.net[127.0.0.20]:25: -1", pid),
			fmt.Sprintf("Nov 23 00:20:55 mail postfix/smtpd[%d]: connect from localhost[127.0.0.1]", pid),
			fmt.Sprintf("Nov 23 00:20:55 mail postfix/qmgr[13394]: %s: from=<bob@sender.test>, size=2174, nrcpt=3 (queue active)", qid),
		)
	}
	msgs, procs, sess := c.Open()
	if msgs != n || procs != n || sess != n {
		t.Fatalf("Open() = %d messages, %d processes, %d sessions; want %d of each", msgs, procs, sess, n)
	}
	first := c.Drain()

	// Corpus line 3451 moved 16 minutes on: processes and sessions are
	// idle for too long.
	feed(c, "Nov 23 00:36:56 mail postfix/qmgr[13394]: 507EBBC24F: removed")
	msgs, procs, sess = c.Open()
	if procs != 0 || sess != 0 || msgs != n {
		t.Errorf("after 16 minutes: Open() = %d messages, %d processes, %d sessions; want %d, 0, 0", msgs, procs, sess, n)
	}
	mid := c.Drain()
	if got := len(mid.TLS); got != n {
		t.Errorf("pruned processes emitted %d TLS failures, want %d (one per pending handshake failure)", got, n)
	}
	if got := len(mid.Sessions); got != n {
		t.Errorf("pruned sessions emitted %d sessions, want %d", got, n)
	}

	// Two hours later: messages too.
	feed(c, "Nov 23 02:36:56 mail postfix/qmgr[13394]: 507EBBC24F: removed")
	msgs, procs, sess = c.Open()
	if msgs != 0 || procs != 0 || sess != 0 {
		t.Errorf("after two hours: Open() = %d messages, %d processes, %d sessions; want 0", msgs, procs, sess)
	}
	last := c.Drain()
	if got := len(last.Messages); got != n {
		t.Errorf("pruned messages emitted %d messages, want %d", got, n)
	}
	st := c.Stats()
	if st.PrunedMessages != n || st.PrunedProcesses != n || st.PrunedSessions != n {
		t.Errorf("Stats() pruned = %d messages, %d processes, %d sessions; want %d each", st.PrunedMessages, st.PrunedProcesses, st.PrunedSessions, n)
	}
	if st.Lines != 3*n+2 {
		t.Errorf("Stats().Lines = %d, want %d", st.Lines, 3*n+2)
	}
	if len(first.Messages) != n {
		t.Errorf("first drain has %d open messages, want %d", len(first.Messages), n)
	}
}

// TestCorrelatorStateRoundTrip stops the correlator at several points of
// the corpus, saves and restores its state into a new correlator, and
// checks that the facts equal those of one uninterrupted run.
func TestCorrelatorStateRoundTrip(t *testing.T) {
	lines := readLines(t, corpusLog)
	_, whole := correlate(aggregate.DefaultOptions, lines)
	if whole.lines() != int64(len(lines)) {
		t.Fatalf("line counts add up to %d, want %d", whole.lines(), len(lines))
	}
	want := whole.canonical(t)

	// Cut points: arbitrary ones, and one inside the oldpartner fallback
	// (after "QID: Cannot start TLS", before its "status=sent"), where a
	// failed session waits in the process's state.
	cuts := []int{1, 462, 463, 1000, 2718, 4000, len(lines) - 1}
	for _, cut := range cuts {
		t.Run(fmt.Sprintf("cut after line %d", cut), func(t *testing.T) {
			got := newFacts()
			c := aggregate.NewCorrelator(aggregate.DefaultOptions)
			feed(c, lines[:cut]...)
			got.add(c.Drain())
			c2 := restored(t, c)
			if m1, p1, s1 := c.Open(); true {
				m2, p2, s2 := c2.Open()
				if m1 != m2 || p1 != p2 || s1 != s2 {
					t.Errorf("restored Open() = %d/%d/%d, want %d/%d/%d", m2, p2, s2, m1, p1, s1)
				}
			}
			feed(c2, lines[cut:]...)
			c2.FlushPending()
			got.add(c2.Drain())
			if d := diffCanonical(got.canonical(t), want); d != "" {
				t.Errorf("facts differ from an uninterrupted run:\n%s", d)
			}
		})
	}
}

// TestCorrelatorLineCounts: every line is counted once by kind, including
// lines of other programs.
func TestCorrelatorLineCounts(t *testing.T) {
	lines := readLines(t, corpusLog)
	c, f := correlate(aggregate.DefaultOptions, lines)
	if f.lines() != int64(len(lines)) {
		t.Errorf("line counts add up to %d, want %d", f.lines(), len(lines))
	}
	st := c.Stats()
	if st.Lines != int64(len(lines)) || st.Unparsed != 0 || st.Malformed != 0 {
		t.Errorf("Stats() = %+v, want %d lines, none unparsed or malformed", st, len(lines))
	}
	counts := map[logparse.Status]int{}
	for _, a := range f.Attempts {
		counts[a.Status]++
	}
	// README "Results": 537 sent, 485 deferred, 15 bounced.
	if counts["sent"] != 537 || counts["deferred"] != 485 || counts["bounced"] != 15 {
		t.Errorf("attempts by status = %v, want sent 537, deferred 485, bounced 15", counts)
	}
	expired := 0
	for _, m := range f.Messages() {
		if m.Expired {
			expired++
		}
	}
	if expired != 79 {
		t.Errorf("expired messages = %d, want 79", expired)
	}
	if len(f.Rejects) != 17 {
		t.Errorf("rejects = %d, want 17", len(f.Rejects))
	}
}

// TestCorrelatorStateRoundTripBulk is TestCorrelatorStateRoundTrip the way
// bulk ingest commits: DrainEnded leaves open messages in the state only,
// and a run killed after that commit resumes from it. Messages restored
// from the state and never seen again must still be written at the end.
func TestCorrelatorStateRoundTripBulk(t *testing.T) {
	// receivers-a.log ends with 261 messages still queued.
	for _, log := range []string{corpusLog, receiversLog} {
		lines := readLines(t, log)
		_, whole := correlate(aggregate.DefaultOptions, lines)
		want := whole.canonical(t)
		for _, cut := range []int{463, 2718, len(lines) - 1} {
			t.Run(fmt.Sprintf("%s cut after line %d", filepath.Base(log), cut), func(t *testing.T) {
				got := newFacts()
				c := aggregate.NewCorrelator(aggregate.DefaultOptions)
				feed(c, lines[:cut]...)
				got.add(c.DrainEnded())
				c2 := restored(t, c)
				feed(c2, lines[cut:]...)
				c2.FlushPending()
				got.add(c2.Drain())
				if d := diffCanonical(got.canonical(t), want); d != "" {
					t.Errorf("facts differ from an uninterrupted run:\n%s", d)
				}
			})
		}
	}
}

// TestRecycledBatchesGiveTheSameFacts: a pump with no store hands each
// drained batch back to the correlator (Recycle) once its consumers are
// done; the facts of the batches after it must be those of a correlator
// whose batches are all new.
func TestRecycledBatchesGiveTheSameFacts(t *testing.T) {
	lines := readLines(t, benchCorpus)
	run := func(recycle bool) *facts {
		c := aggregate.NewCorrelator(aggregate.DefaultOptions)
		f := newFacts()
		for i, s := range lines {
			feed(c, s)
			if i%97 == 96 { // batches of many sizes
				b := c.Drain()
				f.add(b) // copies the facts, as every consumer must
				if recycle {
					c.Recycle(&b)
					if b.Len() != 0 {
						t.Fatalf("a recycled batch still holds %d facts", b.Len())
					}
				}
			}
		}
		c.FlushPending()
		f.add(c.Drain())
		return f
	}
	got, want := run(true), run(false)
	if len(want.Attempts) == 0 {
		t.Fatal("the corpus gave no attempts")
	}
	if d := diffCanonical(got.canonical(t), want.canonical(t)); d != "" {
		t.Errorf("recycling batches changed the facts:\n%s", d)
	}
}

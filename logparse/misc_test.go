package logparse_test

import (
	"encoding/json"
	"testing"

	"github.com/pftls/pftls/logparse"
)

// TestParseNoticesAndWarnings covers daemon start/stop, anvil statistics,
// "message repeated" and the warning/error/fatal/panic levels.
func TestParseNoticesAndWarnings(t *testing.T) {
	runCases(t, []lineCase{
		{
			name:  "postfix-script starting",
			line:  "Nov 23 00:19:54 mail postfix/postfix-script[13390]: starting the Postfix mail system",
			env:   e("mail", "postfix/postfix-script", "postfix-script", 13390, info, ""),
			event: logparse.Notice{Detail: "starting the Postfix mail system"},
		},
		{
			name:  "postfix-script waiting",
			line:  "Nov 23 00:26:23 mail postfix/postfix-script[14476]: waiting for the Postfix mail system to terminate",
			env:   e("mail", "postfix/postfix-script", "postfix-script", 14476, info, ""),
			event: logparse.Notice{Detail: "waiting for the Postfix mail system to terminate"},
		},
		{
			name:  "master daemon started",
			line:  "Nov 23 00:19:54 mail postfix/master[13392]: daemon started -- version 3.7.11, configuration /etc/postfix",
			env:   e("mail", "postfix/master", "master", 13392, info, ""),
			event: logparse.Notice{Detail: "daemon started -- version 3.7.11, configuration /etc/postfix"},
		},
		{
			name:  "receiver master daemon started",
			line:  "Nov 23 00:19:50 rx postfix-rx/master[13194]: daemon started -- version 3.7.11, configuration /etc/postfix-rx",
			env:   e("rx", "postfix-rx/master", "master", 13194, info, ""),
			event: logparse.Notice{Detail: "daemon started -- version 3.7.11, configuration /etc/postfix-rx"},
		},
		{
			name:  "master reload",
			line:  "Mar 27 16:05:12 mx1 postfix/master[880]: reload -- version 3.7.11, configuration /etc/postfix",
			env:   e("mx1", "postfix/master", "master", 880, info, ""),
			event: logparse.Notice{Detail: "reload -- version 3.7.11, configuration /etc/postfix"},
		},
		{
			name:  "master terminating on signal",
			line:  "Mar 27 16:05:12 mx1 postfix/master[880]: terminating on signal 15",
			env:   e("mx1", "postfix/master", "master", 880, info, ""),
			event: logparse.Notice{Detail: "terminating on signal 15"},
		},
		{
			name:  "anvil max connection rate",
			line:  "Nov 23 00:24:36 mail postfix/anvil[13472]: statistics: max connection rate 11/60s for (127.0.0.1:smtp:127.0.0.50) at Nov 23 00:22:22",
			env:   e("mail", "postfix/anvil", "anvil", 13472, info, ""),
			event: logparse.Notice{Detail: "statistics: max connection rate 11/60s for (127.0.0.1:smtp:127.0.0.50) at Nov 23 00:22:22"},
		},
		{
			name:  "anvil max cache size",
			line:  "Nov 23 00:24:36 mail postfix/anvil[13472]: statistics: max cache size 2 at Nov 23 00:20:12",
			env:   e("mail", "postfix/anvil", "anvil", 13472, info, ""),
			event: logparse.Notice{Detail: "statistics: max cache size 2 at Nov 23 00:20:12"},
		},
		{
			name:  "rsyslog message repeated",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: message repeated 3 times: [ connect to mx.example.net[192.0.2.25]:25: Connection refused]",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.Notice{Detail: "message repeated 3 times: [ connect to mx.example.net[192.0.2.25]:25: Connection refused]"},
		},
		{
			name:  "bounce template warning (corpus)",
			line:  `Nov 23 00:21:54 mail postfix/bounce[13449]: warning: [built-in]: zero result in delay template conversion of parameter "delay_warning_time_hours"`,
			env:   e("mail", "postfix/bounce", "bounce", 13449, warn, ""),
			event: logparse.Warning{Detail: `[built-in]: zero result in delay template conversion of parameter "delay_warning_time_hours"`},
		},
		{
			name:  "bounce manual hint (corpus)",
			line:  "Nov 23 00:21:54 mail postfix/bounce[13449]: warning: for instructions see the bounce(5) manual",
			env:   e("mail", "postfix/bounce", "bounce", 13449, warn, ""),
			event: logparse.Warning{Detail: "for instructions see the bounce(5) manual"},
		},
		{
			name:  "error: level (receivers)",
			line:  "Nov 23 00:20:05 mx postfix-rx/selfsigned/smtpd[13455]: error: open database /etc/aliases.db: No such file or directory",
			env:   e("mx", "postfix-rx/selfsigned/smtpd", "smtpd", 13455, erro, ""),
			event: logparse.Warning{Detail: "open database /etc/aliases.db: No such file or directory"},
		},
		{
			name:  "warning: dict_nis_init (receivers)",
			line:  "Nov 23 00:20:05 mx postfix-rx/selfsigned/smtpd[13455]: warning: dict_nis_init: NIS domain name not set - NIS lookups disabled",
			env:   e("mx", "postfix-rx/selfsigned/smtpd", "smtpd", 13455, warn, ""),
			event: logparse.Warning{Detail: "dict_nis_init: NIS domain name not set - NIS lookups disabled"},
		},
		{
			name:  "warning: hostname does not resolve",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: warning: hostname dsl-51.dyn.outside.test does not resolve to address 198.51.100.66",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, warn, ""),
			event: logparse.Warning{Detail: "hostname dsl-51.dyn.outside.test does not resolve to address 198.51.100.66"},
		},
		{
			name:  "warning: SASL authentication failed",
			line:  "Mar 27 16:05:12 mx1 postfix/submission/smtpd[4101]: warning: unknown[198.51.100.66]: SASL LOGIN authentication failed: authentication failure",
			env:   e("mx1", "postfix/submission/smtpd", "smtpd", 4101, warn, ""),
			event: logparse.Warning{Detail: "unknown[198.51.100.66]: SASL LOGIN authentication failed: authentication failure"},
		},
		{
			name:  "warning: TLS policy lookup",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: warning: TLS policy lookup for example.net/mx1.example.net: TLSA lookup error for mx1.example.net:25",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, warn, ""),
			event: logparse.TLSPolicyProblem{Domain: "example.net", MXHost: "mx1.example.net", Problem: "TLSA lookup error for mx1.example.net:25"},
		},
		{
			name:  "warning: STS MX pattern mismatch (3.11)",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: warning: MX name 'mx9.example.net' does not match STS MX pattern for 'example.net'",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, warn, ""),
			event: logparse.TLSPolicyProblem{Source: "MTA-STS", Domain: "example.net", MXHost: "mx9.example.net", Problem: "MX name does not match STS MX pattern"},
		},
		{
			// Zuplu/postfix-tlspol#177: the MTA-STS resolver was not answering.
			name:  "warning: socketmap lookup error of the TLS policy plugin",
			line:  `Jul 24 10:00:00 mail postfix/smtp[4242]: warning: socketmap:inet:10.11.0.43:8462:query lookup error for "kdu.nrw"`,
			env:   e("mail", "postfix/smtp", "smtp", 4242, warn, ""),
			event: logparse.TLSPolicyProblem{Source: "socketmap:inet:10.11.0.43:8462:query", Domain: "kdu.nrw", Problem: "lookup error"},
		},
		{
			name:  "warning: policy table lookup error",
			line:  `Jul 24 10:00:00 mail postfix/smtp[4242]: warning: smtp_tls_policy_maps, next-hop destination "kdu.nrw": policy table lookup error`,
			env:   e("mail", "postfix/smtp", "smtp", 4242, warn, ""),
			event: logparse.TLSPolicyProblem{Source: "smtp_tls_policy_maps", Domain: "kdu.nrw", Problem: "policy table lookup error"},
		},
		{
			// src/smtp/smtp_tls_policy.c: a plugin that answers with TLSRPT
			// attributes a Postfix older than 3.10 does not know.
			name:  "warning: invalid attribute name in a policy answer",
			line:  `Jul 24 10:00:00 mail postfix/smtp[4242]: warning: smtp_tls_policy_maps, next-hop destination "web.de": invalid attribute name: "policy_type"`,
			env:   e("mail", "postfix/smtp", "smtp", 4242, warn, ""),
			event: logparse.TLSPolicyProblem{Source: "smtp_tls_policy_maps", Domain: "web.de", Problem: `invalid attribute name: "policy_type"`},
		},
		{
			name:  "warning with a queue ID after the level",
			line:  "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: warning: 3F1A22C0B1F: milter unix:/run/opendkim/opendkim.sock: can't read SMFIC_BODYEOB reply packet header: Connection timed out",
			env:   e("mx1", "postfix/cleanup", "cleanup", 3002, warn, "3F1A22C0B1F"),
			event: logparse.Warning{Detail: "milter unix:/run/opendkim/opendkim.sock: can't read SMFIC_BODYEOB reply packet header: Connection timed out"},
		},
		{
			name:  "master warning process exit",
			line:  "Mar 27 16:05:12 mx1 postfix/master[880]: warning: process /usr/lib/postfix/sbin/smtp pid 6752 exit status 1",
			env:   e("mx1", "postfix/master", "master", 880, warn, ""),
			event: logparse.Warning{Detail: "process /usr/lib/postfix/sbin/smtp pid 6752 exit status 1"},
		},
		{
			name:  "fatal",
			line:  "Mar 27 16:05:12 mx1 postfix/postfix-script[1234]: fatal: the Postfix mail system is already running",
			env:   e("mx1", "postfix/postfix-script", "postfix-script", 1234, fatal, ""),
			event: logparse.Warning{Detail: "the Postfix mail system is already running"},
		},
		{
			name:  "panic",
			line:  "Mar 27 16:05:12 mx1 postfix/qmgr[880]: panic: myfree: corrupt or unallocated memory block",
			env:   e("mx1", "postfix/qmgr", "qmgr", 880, panc, ""),
			event: logparse.Warning{Detail: "myfree: corrupt or unallocated memory block"},
		},
		{
			name:  "unknown smtp text is unparsed",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp[6752]: something a future Postfix might say",
			env:   e("mx1", "postfix/smtp", "smtp", 6752, info, ""),
			event: logparse.Unparsed{},
		},
		{
			name:  "unknown qmgr text with a queue ID is unparsed",
			line:  "Mar 27 16:05:12 mx1 postfix/qmgr[880]: 3F1A22C0B1F: something a future Postfix might say",
			env:   e("mx1", "postfix/qmgr", "qmgr", 880, info, "3F1A22C0B1F"),
			event: logparse.Unparsed{},
		},
		{
			name:  "truncated reject is unparsed",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: NOQUEUE: reject: RCPT",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, info, "NOQUEUE"),
			event: logparse.Unparsed{},
		},
	})
}

// TestParseForeign covers lines from other programs: they keep their
// envelope and are never taken for Postfix messages.
func TestParseForeign(t *testing.T) {
	runCases(t, []lineCase{
		{
			name:  "cron",
			line:  "Nov 23 00:21:04 mail CRON[14001]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
			env:   env{Host: "mail", Program: "CRON", Service: "CRON", PID: 14001},
			event: logparse.Foreign{},
		},
		{
			name:  "dovecot without pid",
			line:  "Nov 23 00:21:04 mail dovecot: imap-login: Login: user=<alice>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=14007, TLS",
			env:   env{Host: "mail", Program: "dovecot", Service: "dovecot"},
			event: logparse.Foreign{},
		},
		{
			name:  "opendkim with a queue ID",
			line:  "Nov 23 00:21:04 mail opendkim[712]: C2583BC50E: DKIM-Signature field added (s=mail, d=sender.test)",
			env:   env{Host: "mail", Program: "opendkim", Service: "opendkim", PID: 712},
			event: logparse.Foreign{},
		},
		{
			name:  "kernel",
			line:  `Nov 23 00:21:04 mail kernel: [ 8211.402911] audit: type=1400 audit(1763857205.123:88): apparmor="DENIED" operation="open"`,
			env:   env{Host: "mail", Program: "kernel", Service: "kernel"},
			event: logparse.Foreign{},
		},
		{
			name:  "systemd in RFC 3339 format",
			line:  "2026-03-27T16:05:12.345678+01:00 mx1 systemd[1]: Started postfix@-.service - Postfix Mail Transport Agent (instance -).",
			env:   env{Host: "mx1", Program: "systemd", Service: "systemd", PID: 1},
			event: logparse.Foreign{},
		},
		{
			name:  "amavis",
			line:  "Mar 27 16:05:12 mx1 amavis[2345]: (02345-01) Passed CLEAN {RelayedInbound}, [203.0.113.9]:40112 <a@example.org> -> <b@example.com>",
			env:   env{Host: "mx1", Program: "amavis", Service: "amavis", PID: 2345},
			event: logparse.Foreign{},
		},
		{
			// sysklogd's repeat line has a stamp and a host but no tag; it
			// is syslogd's own line, not a Postfix message and not garbage.
			name:  "sysklogd last message repeated",
			line:  "Mar 27 16:05:12 mx1 last message repeated 3 times",
			env:   env{Host: "mx1"},
			event: logparse.Foreign{},
		},
	})
}

// TestParseMalformed covers lines without a usable syslog envelope. Only the
// kind and Raw are checked: the envelope of such a line is meaningless.
func TestParseMalformed(t *testing.T) {
	lines := []string{
		"garbage",
		"\x00\x00\x00 garbage after a crash",
		"Mar 27 16:05",
		"Foo 27 16:05:12 mx1 postfix/smtp[6752]: connect to x[192.0.2.1]:25: Connection refused",
		"Mar 32 16:05:12 mx1 postfix/smtp[6752]: connect to x[192.0.2.1]:25: Connection refused",
		"Mar 27 25:05:12 mx1 postfix/smtp[6752]: connect to x[192.0.2.1]:25: Connection refused",
		"Mar 27 16:61:12 mx1 postfix/smtp[6752]: connect to x[192.0.2.1]:25: Connection refused",
		"Mar 27 16:05:12 mx1",
		"Mar 27 16:05:12 mx1 postfix/smtp[abc]: connect to x[192.0.2.1]:25: Connection refused",
		"Mar 27 16:05:12 mx1 postfix/smtp[6752] no colon anywhere",
		"2026-13-01T00:00:00Z mx1 postfix/smtp[6752]: connect to x[192.0.2.1]:25: Connection refused",
		"2026-03-27T16:05:12 ",
		"2026-03-27X16:05:12Z mx1 postfix/smtp[6752]: text",
		"2026-03-27T16:05:12+01 mx1 postfix/smtp[6752]: text",
		"- - - postfix/smtp[6752]: text",
		// A <PRI> prefix was malformed until pftls read RFC 3164 with
		// PRI (issue 17); a broken one still is.
		"<22Mar 27 16:05:12 mx1 postfix/smtp[6752]: text",
		"<2222>Mar 27 16:05:12 mx1 postfix/smtp[6752]: text",
		"<22>1 - mx1 postfix/smtp 6752 - - text",
		"<22>1 2026-03-07T16:05:12Z mx1 postfix/smtp 6752 - [unterminated text",
	}
	for _, line := range lines {
		got := logparse.ParseString(line)
		if got.Event == nil || got.Event.Kind() != logparse.KindMalformed {
			t.Errorf("ParseString(%q): kind %v, want malformed (%+v)", line, kindOf(got.Event), got.Event)
		}
		if got.Raw != line {
			t.Errorf("ParseString(%q).Raw = %q", line, got.Raw)
		}
	}
	// A blank line is no program's, with nothing to understand: foreign,
	// not a line pftls failed to read.
	for _, line := range []string{"", "   ", "\t\r"} {
		if got := logparse.ParseString(line); got.Event == nil || got.Event.Kind() != logparse.KindForeign {
			t.Errorf("ParseString(%q): kind %v, want foreign", line, kindOf(got.Event))
		}
	}
}

func kindOf(ev logparse.Event) logparse.Kind {
	if ev == nil {
		return "<nil>"
	}
	return ev.Kind()
}

// TestKindNames pins the kind strings: they are stored and emitted as JSON,
// so renaming one breaks every database and consumer.
func TestKindNames(t *testing.T) {
	events := map[logparse.Event]string{
		logparse.Delivery{}: "delivery", logparse.QueueEntry{}: "queue-entry", logparse.Expired{}: "expired",
		logparse.Removed{}: "removed", logparse.MessageID{}: "message-id", logparse.Pickup{}: "pickup",
		logparse.Client{}: "client", logparse.Connect{}: "connect", logparse.Disconnect{}: "disconnect",
		logparse.AbnormalEnd{}: "abnormal-end", logparse.Reject{}: "reject", logparse.Notification{}: "notification",
		logparse.Postscreen{}: "postscreen", logparse.ConnectFailure{}: "connect-failure",
		logparse.DeliverySkip{}: "delivery-skip", logparse.TLSEstablished{}: "tls-established",
		logparse.TLSCertFailure{}: "tls-cert-failure", logparse.TLSHandshakeError{}: "tls-handshake-error",
		logparse.TLSLibraryProblem{}: "tls-library-problem", logparse.TLSAbort{}: "tls-abort",
		logparse.StartTLSOffered{}: "starttls-offered", logparse.TLSPeerNames{}: "tls-peer-names",
		logparse.DANE{}: "dane", logparse.TLSRPT{}: "tlsrpt", logparse.TLSCache{}: "tls-cache",
		logparse.Notice{}: "notice", logparse.Warning{}: "warning", logparse.Unparsed{}: "unparsed",
		logparse.Foreign{}: "foreign", logparse.Malformed{}: "malformed", logparse.TLSTrace{}: "tls-trace",
	}
	if len(events) != 31 {
		t.Fatalf("%d event types listed, want 31", len(events))
	}
	for ev, want := range events {
		if got := string(ev.Kind()); got != want {
			t.Errorf("%T.Kind() = %q, want %q", ev, got, want)
		}
	}
}

// TestEventJSON pins the JSON form of the TLS events: enums and peers are
// text, empty optional fields are left out.
func TestEventJSON(t *testing.T) {
	tests := []struct {
		line string
		want string
	}{
		{
			"Nov 23 00:20:18 mail postfix/smtp[13495]: certificate verification failed for mx.bank.example.net[127.0.0.12]:25: untrusted issuer /O=Unknown Org/CN=Rogue Untrusted Issuing CA",
			`{"peer":"mx.bank.example.net[127.0.0.12]:25","tls_failure":"untrusted-issuer","rfc8460":"validation-failure","detail":"untrusted issuer /O=Unknown Org/CN=Rogue Untrusted Issuing CA","issuer":"/O=Unknown Org/CN=Rogue Untrusted Issuing CA"}`,
		},
		{
			"Nov 23 00:20:14 mail postfix/smtp[13462]: 19470BC421: to=<chris.schmidt@hosting.example.net>, relay=mx.hosting.example.net[127.0.0.15]:25, delay=0.01, delays=0.01/0/0.01/0, dsn=4.7.5, status=deferred (Server certificate not verified)",
			`{"to":"chris.schmidt@hosting.example.net","relay":"mx.hosting.example.net[127.0.0.15]:25","delay":0.01,"delays":[0.01,0,0.01,0],"dsn":"4.7.5","status":"deferred","reason":"Server certificate not verified","tls_failure":"not-verified"}`,
		},
		{
			"Nov 23 00:20:34 mail postfix/smtp[13536]: D55CFBC41C: Cannot start TLS: handshake failure",
			`{"reason":"Cannot start TLS: handshake failure","tls_failure":"handshake"}`,
		},
		{
			"Nov 23 00:20:23 mail postfix/smtp[13495]: Anonymous TLS connection established to mx.legacy.example.net[127.0.0.20]:25: TLSv1.2 with cipher ADH-AES256-GCM-SHA384 (256/256 bits)",
			`{"trust":"anonymous","direction":"to","peer":"mx.legacy.example.net[127.0.0.20]:25","protocol":"TLSv1.2","cipher":"ADH-AES256-GCM-SHA384","bits":256,"alg_bits":256}`,
		},
		{
			"Nov 23 00:20:23 mail postfix/smtp[13495]: setting up TLS connection to mx.legacy.example.net[127.0.0.20]:25",
			`{"peer":"mx.legacy.example.net[127.0.0.20]:25","detail":"setting up TLS connection to mx.legacy.example.net[127.0.0.20]:25"}`,
		},
		{
			"Nov 23 00:20:23 mail postfix/smtp[13495]: SSL3 alert read:fatal:handshake failure",
			`{"detail":"SSL3 alert read:fatal:handshake failure"}`,
		},
	}
	for _, tt := range tests {
		b, err := json.Marshal(logparse.ParseString(tt.line).Event)
		if err != nil {
			t.Fatalf("marshal %q: %v", tt.line, err)
		}
		if string(b) != tt.want {
			t.Errorf("JSON of %q\n got: %s\nwant: %s", tt.line, b, tt.want)
		}
	}
}

func TestPeer(t *testing.T) {
	tests := []struct {
		p         logparse.Peer
		str, name string
		zero      bool
	}{
		{peer("mx.example.net", "192.0.2.25", 25), "mx.example.net[192.0.2.25]:25", "mx.example.net", false},
		{peer("unknown", "198.51.100.66", 0), "unknown[198.51.100.66]", "198.51.100.66", false},
		{peer("", "2001:db8::66", 51522), "[2001:db8::66]:51522", "2001:db8::66", false},
		{logparse.Peer{}, "", "", true},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.str {
			t.Errorf("%#v.String() = %q, want %q", tt.p, got, tt.str)
		}
		if got := tt.p.Name(); got != tt.name {
			t.Errorf("%#v.Name() = %q, want %q", tt.p, got, tt.name)
		}
		if got := tt.p.IsZero(); got != tt.zero {
			t.Errorf("%#v.IsZero() = %v, want %v", tt.p, got, tt.zero)
		}
	}
}

// TestParseDaemonNotices covers informational lines any of several daemons
// log, which were Unparsed where the daemon has no classifier of its own.
func TestParseDaemonNotices(t *testing.T) {
	runCases(t, []lineCase{
		{
			// smtpd.c: msg_info("table %s has changed -- restarting", table)
			name:  "smtpd table changed",
			line:  "Mar 27 16:05:12 mx1 postfix/smtpd[4100]: table hash:/etc/postfix/virtual(0,lock|fold_fix) has changed -- restarting",
			env:   e("mx1", "postfix/smtpd", "smtpd", 4100, info, ""),
			event: logparse.Notice{Detail: "table hash:/etc/postfix/virtual(0,lock|fold_fix) has changed -- restarting"},
		},
		{
			// cleanup.c: the same message
			name:  "cleanup table changed",
			line:  "Mar 27 16:05:12 mx1 postfix/cleanup[3002]: table hash:/etc/postfix/canonical(0,lock|fold_fix) has changed -- restarting",
			env:   e("mx1", "postfix/cleanup", "cleanup", 3002, info, ""),
			event: logparse.Notice{Detail: "table hash:/etc/postfix/canonical(0,lock|fold_fix) has changed -- restarting"},
		},
		{
			// proxymap.c: the same message
			name:  "proxymap table changed",
			line:  "Mar 27 16:05:12 mx1 postfix/proxymap[990]: table ldap:/etc/postfix/ldap-users.cf(0,lock|fold_fix|utf8_request) has changed -- restarting",
			env:   e("mx1", "postfix/proxymap", "proxymap", 990, info, ""),
			event: logparse.Notice{Detail: "table ldap:/etc/postfix/ldap-users.cf(0,lock|fold_fix|utf8_request) has changed -- restarting"},
		},
		{
			// util/dict_cache.c: "cache %s %s cleanup: retained=%d dropped=%d entries"
			name:  "verify cache full cleanup",
			line:  "Mar 27 16:05:12 mx1 postfix/verify[1500]: cache btree:/var/lib/postfix/verify_cache full cleanup: retained=173 dropped=12 entries",
			env:   e("mx1", "postfix/verify", "verify", 1500, info, ""),
			event: logparse.Notice{Detail: "cache btree:/var/lib/postfix/verify_cache full cleanup: retained=173 dropped=12 entries"},
		},
		{
			// util/dict_cache.c, as the issue wrote it (a .db path)
			name:  "verify cache cleanup with a .db path",
			line:  "Mar 27 16:05:12 mx1 postfix/verify[1500]: cache /var/lib/postfix/verify_cache.db full cleanup: retained=4 dropped=0 entries",
			env:   e("mx1", "postfix/verify", "verify", 1500, info, ""),
			event: logparse.Notice{Detail: "cache /var/lib/postfix/verify_cache.db full cleanup: retained=4 dropped=0 entries"},
		},
	})
}

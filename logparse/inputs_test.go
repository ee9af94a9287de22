package logparse_test

import (
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
)

// sameSession is what TestInputShapes expects of every shape of one line:
// the classic syslog line of the corpus, written by rsyslog, journald, a
// container runtime and the rest.
type sameSession struct {
	time    time.Time // the resolved time (zoned shapes) or the stamp's clock (the others)
	host    string
	program string
	service string
	pid     int
	queueID string
	kind    logparse.Kind
	text    string
}

// TestInputShapes reads the same Postfix lines in every input shape issue 17
// names and checks that each gives the record and event of the classic line.
func TestInputShapes(t *testing.T) {
	const (
		delivery = `3F1C2A1B2C: to=<user@gmx.example>, relay=mx.gmx.example[127.0.0.11]:25, delay=0.38, delays=0.01/0.01/0.2/0.16, dsn=2.0.0, status=sent (250 2.0.0 OK)`
		tlsLine  = `Untrusted TLS connection established to mx.bank.example.net[127.0.0.12]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)`
	)
	at := time.Date(2026, 3, 7, 15, 5, 12, 278515000, time.UTC)
	deliveryWant := sameSession{at, "mx1", "postfix/smtp", "smtp", 4242, "3F1C2A1B2C", logparse.KindDelivery,
		`to=<user@gmx.example>, relay=mx.gmx.example[127.0.0.11]:25, delay=0.38, delays=0.01/0.01/0.2/0.16, dsn=2.0.0, status=sent (250 2.0.0 OK)`}
	tlsWant := sameSession{at, "mx1", "postfix/smtp", "smtp", 4242, "", logparse.KindTLSEstablished, tlsLine}
	noHost := func(w sameSession) sameSession { w.host = logparse.NoHost; return w }
	bare := func(w sameSession) sameSession { w.program = "postfix"; return w }

	tests := []struct {
		name   string
		line   string
		format logparse.Format
		want   sameSession
	}{
		{"RFC 3164 with PRI", "<22>Mar  7 15:05:12.278515 mx1 postfix/smtp[4242]: " + delivery, logparse.FormatSyslog, deliveryWant},
		{"RFC 5424 with structured data", `<22>1 2026-03-07T16:05:12.278515+01:00 mx1 postfix/smtp 4242 - [meta sequenceId="17"] ` + delivery,
			logparse.FormatRFC5424, deliveryWant},
		{"RFC 5424 without structured data", `<22>1 2026-03-07T15:05:12.278515Z mx1 postfix/smtp 4242 - - ` + tlsLine,
			logparse.FormatRFC5424, tlsWant},
		{"RFC 5424 with BOM and escaped ]", `<22>1 2026-03-07T15:05:12.278515Z mx1 postfix/smtp 4242 - [x@1 a="b\]c" d="e"][y@2 f="g"] ` + "\ufeff" + delivery,
			logparse.FormatRFC5424, deliveryWant},
		{"RFC 5424, rsyslog APP-NAME cut at /", `<22>1 2026-03-07T15:05:12.278515Z mx1 postfix 4242 - - ` + delivery,
			logparse.FormatRFC5424, bare(deliveryWant)},
		{"RFC 5424, rsyslog APP-NAME cut at /, TLS line", `<22>1 2026-03-07T15:05:12.278515Z mx1 postfix 4242 - - ` + tlsLine,
			logparse.FormatRFC5424, bare(tlsWant)},
		{"journalctl -o json", `{"__REALTIME_TIMESTAMP":"1772895912278515","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtp","_PID":"4242","PRIORITY":"6","MESSAGE":"` + delivery + `","_SYSTEMD_UNIT":"postfix@-.service"}`,
			logparse.FormatJournalJSON, deliveryWant},
		{"journalctl -o json, MESSAGE as bytes", `{"__REALTIME_TIMESTAMP":"1772895912278515","_HOSTNAME":"mx1","SYSLOG_IDENTIFIER":"postfix/smtp","SYSLOG_PID":"4242","MESSAGE":` + byteArray(tlsLine) + `}`,
			logparse.FormatJournalJSON, tlsWant},
		{"journalctl -o short-unix", "1772895912.278515 mx1 postfix/smtp[4242]: " + delivery, logparse.FormatJournalUnix, deliveryWant},
		{"journalctl -o short-full", "Sat 2026-03-07 15:05:12.278515 UTC mx1 postfix/smtp[4242]: " + delivery, logparse.FormatJournalFull, deliveryWant},
		{"docker logs --timestamps", "2026-03-07T15:05:12.278515000Z Mar  7 15:05:12.278515 mx1 postfix/smtp[4242]: " + delivery, logparse.FormatDocker, deliveryWant},
		{"docker logs --timestamps, ISO line", "2026-03-07T15:05:12.300000000Z 2026-03-07T15:05:12.278515+00:00 mx1 postfix/smtp[4242]: " + tlsLine, logparse.FormatDocker, tlsWant},
		{"docker logs --timestamps, bare tag", "2026-03-07T15:05:12.278515Z postfix/smtp[4242]: " + delivery, logparse.FormatDocker, noHost(deliveryWant)},
		{"Kubernetes CRI", "2026-03-07T15:05:12.49Z stdout F 2026-03-07T15:05:12.278515+00:00 mx1 postfix/smtp[4242]: " + delivery, logparse.FormatCRI, deliveryWant},
		{"Kubernetes CRI, bare tag", "2026-03-07T15:05:12.278515Z stderr F postfix/smtp[4242]: " + tlsLine, logparse.FormatCRI, noHost(tlsWant)},
		{"docker compose logs", "postfix_1  | Mar  7 15:05:12.278515 mx1 postfix/smtp[4242]: " + delivery, logparse.FormatCompose, deliveryWant},
		{"docker compose v2 logs", "postfix-1  | 2026-03-07T15:05:12.278515Z mx1 postfix/smtp[4242]: " + tlsLine, logparse.FormatCompose, tlsWant},
		{"container image: INFO instead of a host", "2026-03-07T15:05:12.278515+00:00 INFO    postfix/smtp[4242]: " + delivery, logparse.FormatNoHost, noHost(deliveryWant)},
		{"container image: WARNING instead of a host", "2026-03-07T15:05:12.278515+00:00 WARNING postfix/smtp[4242]: " + tlsLine, logparse.FormatNoHost, noHost(tlsWant)},
		{"Filebeat JSON, whole line in message", `{"@timestamp":"2026-03-07T15:05:13.000Z","message":"Mar  7 15:05:12.278515 mx1 postfix/smtp[4242]: ` + delivery + `","host":{"name":"collector"}}`,
			logparse.FormatJSON, deliveryWant},
		{"rsyslog JSON template, parts in fields", `{"timestamp":"2026-03-07T15:05:12.278515+00:00","host":"mx1","syslogtag":"postfix/smtp[4242]:","programname":"postfix","message":" ` + tlsLine + `"}`,
			logparse.FormatJSON, tlsWant},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, format := range []logparse.Format{logparse.FormatAuto, tt.format} {
				got := logparse.ParseAs(tt.line, format)
				if got.Format != tt.format {
					t.Errorf("ParseAs(%q): format %q, want %q", format, got.Format, tt.format)
				}
				r := logparse.Resolver{Year: 2026, Location: time.UTC}
				w := tt.want
				s := sameSession{r.Time(got.Stamp).UTC(), got.Host, got.Program, got.Service, got.PID, got.QueueID, kindOf(got.Event), got.Text}
				if d := diff(s, w); d != "" {
					t.Errorf("ParseAs(%q) of\n%s\n%s", format, tt.line, d)
				}
			}
		})
	}
}

// byteArray is s as journald writes a MESSAGE that is not valid UTF-8: a
// JSON array of its bytes.
func byteArray(s string) string {
	out := []byte{'['}
	for i := 0; i < len(s); i++ {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, []byte(itoa(int(s[i])))...)
	}
	return string(append(out, ']'))
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestInferService: a line whose tag is "postfix" alone gets the daemon
// only one daemon writes it with; otherwise none.
func TestInferService(t *testing.T) {
	const head = `<22>1 2026-03-07T15:05:12Z mx1 postfix 4242 - - `
	tests := []struct {
		text    string
		service string
		kind    logparse.Kind
	}{
		{"3F1C2A1B2C: client=mail.example.org[192.0.2.7]", "smtpd", logparse.KindClient},
		{"connect from mail.example.org[192.0.2.7]", "smtpd", logparse.KindConnect},
		{"3F1C2A1B2C: message-id=<abc@example.org>", "cleanup", logparse.KindMessageID},
		{"3F1C2A1B2C: from=<a@example.org>, size=1234, nrcpt=1 (queue active)", "qmgr", logparse.KindQueueEntry},
		{"3F1C2A1B2C: removed", "qmgr", logparse.KindRemoved},
		{"3F1C2A1B2C: to=<root@mx1.example>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered to mailbox)", "local", logparse.KindDelivery},
		{"3F1C2A1B2C: to=<a@example.org>, relay=mx.example.org[192.0.2.8]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 OK)", "smtp", logparse.KindDelivery},
		{"3F1C2A1B2C: to=<a@example.org>, relay=dovecot.example[192.0.2.9]:24, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 OK)", "lmtp", logparse.KindDelivery},
		{"3F1C2A1B2C: to=<a@example.org>, relay=none, delay=1, delays=0/0/1/0, dsn=4.4.3, status=deferred (Host or domain name not found)", "", logparse.KindDelivery},
		{"CONNECT from [192.0.2.7]:51234 to [192.0.2.1]:25", "postscreen", logparse.KindPostscreen},
		{"daemon started -- version 3.7.11, configuration /etc/postfix", "master", logparse.KindNotice},
	}
	for _, tt := range tests {
		got := logparse.ParseString(head + tt.text)
		if got.Service != tt.service || kindOf(got.Event) != tt.kind {
			t.Errorf("%s\n service %q kind %s, want %q %s", tt.text, got.Service, kindOf(got.Event), tt.service, tt.kind)
		}
	}
}

// TestBareMessages: a Postfix message without an envelope ("journalctl -o
// cat") is malformed, and says it is a bare message; other text without an
// envelope is plainly malformed.
func TestBareMessages(t *testing.T) {
	for _, line := range []string{
		"3F1C2A1B2C: to=<user@gmx.example>, relay=mx.gmx.example[127.0.0.11]:25, delay=0.38, delays=0.01/0.01/0.2/0.16, dsn=2.0.0, status=sent (250 2.0.0 OK)",
		"connect from mail.example.org[192.0.2.7]",
		"NOQUEUE: reject: RCPT from unknown[192.0.2.7]: 554 5.7.1 <a@b>: Relay access denied; from=<x@y> to=<a@b> proto=ESMTP helo=<h>",
		"Trusted TLS connection established to mx.gmx.example[127.0.0.11]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
	} {
		got := logparse.ParseString(line)
		if kindOf(got.Event) != logparse.KindMalformed || got.Format != logparse.FormatBare {
			t.Errorf("%q: kind %s format %q, want malformed, bare", line, kindOf(got.Event), got.Format)
		}
	}
	for _, line := range []string{"garbage", "# /etc/services", "smtp             25/tcp    mail"} {
		got := logparse.ParseString(line)
		if kindOf(got.Event) != logparse.KindMalformed || got.Format != "" {
			t.Errorf("%q: kind %s format %q, want malformed with no format", line, kindOf(got.Event), got.Format)
		}
	}
}

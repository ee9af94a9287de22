package logparse_test

import (
	"testing"

	"github.com/pftls/pftls/logparse"
)

// sink keeps the compiler from optimising the parse away.
var sink logparse.Line

// BenchmarkParse parses every line of the real corpus per iteration.
func BenchmarkParse(b *testing.B) {
	lines := readLines(b, "../testdata/corpus/corpus-a.log")
	raw := make([][]byte, len(lines))
	total := 0
	for i, l := range lines {
		raw[i] = []byte(l)
		total += len(l) + 1 // with its newline, as read from the file
	}
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, l := range raw {
			sink = logparse.Parse(l)
		}
	}
	b.StopTimer()
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)*float64(len(raw))/s, "lines/s")
	}
}

// BenchmarkParseKind parses one line of a kind per iteration.
func BenchmarkParseKind(b *testing.B) {
	for _, bc := range []struct{ name, line string }{
		{"delivery", "Nov 23 00:20:05 mail postfix/smtp[13448]: 4D8D6BC3A0: to=<hans.meyer@selfsigned.example.com>, relay=mx.selfsigned.example.com[127.0.0.14]:25, delay=0.18, delays=0.05/0/0.09/0.03, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 787ACBC402)"},
		{"delivery-deferred-tls", "Nov 23 00:20:14 mail postfix/smtp[13462]: 19470BC421: to=<chris.schmidt@hosting.example.net>, relay=mx.hosting.example.net[127.0.0.15]:25, delay=0.01, delays=0.01/0/0.01/0, dsn=4.7.5, status=deferred (Server certificate not verified)"},
		{"tls-established", "Nov 23 00:20:06 mail postfix/smtp[13448]: Verified TLS connection established to mx.freemail.example.net[127.0.0.10]:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256"},
		{"tls-cert-failure", "Nov 23 00:20:18 mail postfix/smtp[13495]: certificate verification failed for mx.bank.example.net[127.0.0.12]:25: untrusted issuer /O=Unknown Org/CN=Rogue Untrusted Issuing CA"},
		{"reject", "Nov 23 00:20:05 mail postfix/smtpd[13443]: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.1.1 <jobs@sender.test>: Recipient address rejected: User unknown in local recipient table; from=<fatima.mueller@gmx.example> to=<jobs@sender.test> proto=ESMTP helo=<workstation.sender.test>"},
		{"foreign", "Nov 23 00:21:04 mail CRON[14001]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)"},
	} {
		line := []byte(bc.line)
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				sink = logparse.Parse(line)
			}
		})
	}
}

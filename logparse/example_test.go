package logparse_test

import (
	"fmt"
	"time"

	"github.com/pftls/pftls/logparse"
)

// A certificate failure from a real Postfix 3.7 log: the parser names the
// failure and maps it to its RFC 8460 (SMTP TLS Reporting) result type.
func ExampleParse() {
	line := []byte("Nov 23 00:20:19 mail postfix/smtp[13462]: server certificate verification failed for mx.gov.example.org[127.0.0.13]:25: certificate has expired")

	l := logparse.Parse(line)
	fmt.Println(l.Event.Kind(), l.Host, l.Program, l.PID)
	if f, ok := l.Event.(logparse.TLSCertFailure); ok {
		fmt.Println("peer:   ", f.Peer.Name(), f.Peer.Port)
		fmt.Println("role:   ", f.Role)
		fmt.Println("failure:", f.TLSFailure)
		fmt.Println("rfc8460:", f.RFC8460)
	}
	// Output:
	// tls-cert-failure mail postfix/smtp 13462
	// peer:    mx.gov.example.org 25
	// role:    server
	// failure: expired
	// rfc8460: certificate-expired
}

// The delivery line the same smtp process writes next carries only the
// generic reason; its TLS failure kind says that the cause must be taken
// from the certificate line before it.
func ExampleParse_delivery() {
	l := logparse.ParseString("Nov 23 00:20:19 mail postfix/smtp[13462]: 1B19ABC439: to=<ines.dubois@gov.example.org>, relay=mx.gov.example.org[127.0.0.13]:25, delay=0.01, delays=0/0/0/0, dsn=4.7.5, status=deferred (Server certificate not verified)")
	d := l.Event.(logparse.Delivery)
	fmt.Println(l.QueueID, d.To, d.Status, d.DSN)
	fmt.Println(d.TLSFailure, d.TLSFailure.Specific())
	// Output:
	// 1B19ABC439 ines.dubois@gov.example.org deferred 4.7.5
	// not-verified false
}

// Year-less stamps get their year from the file's modification time.
func ExampleResolver() {
	l := logparse.ParseString("Dec 31 23:59:59 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed")
	r := logparse.Resolver{
		Location:  time.UTC,
		Reference: time.Date(2027, 1, 1, 0, 5, 0, 0, time.UTC), // the file's mtime
	}
	fmt.Println(r.Time(l.Stamp).Format(time.RFC3339))
	// Output:
	// 2026-12-31T23:59:59Z
}

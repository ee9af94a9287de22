package report

import (
	"bytes"
	"mime"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"
)

// writeTestEmail writes a small report's message with eo and returns it.
func writeTestEmail(t *testing.T, eo EmailOptions) ([]byte, error) {
	t.Helper()
	m := &Model{Generated: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), Totals: Totals{Deferred: 3}}
	eo.Date = m.Generated
	var buf bytes.Buffer
	err := WriteEmail(&buf, m, eo, RenderOptions{Zone: time.UTC})
	return buf.Bytes(), err
}

// checkHeaderLines: ASCII only, no control character, each line within
// 998 octets, and within 78 unless one word is longer.
func checkHeaderLines(t *testing.T, raw []byte) {
	t.Helper()
	head := raw[:bytes.Index(raw, []byte("\r\n\r\n"))]
	for i, line := range bytes.Split(head, []byte("\r\n")) {
		for _, c := range line {
			if c >= 0x80 || c < 0x20 && c != '\t' || c == 0x7f {
				t.Errorf("header line %d has octet %#x: %q", i+1, c, line)
				break
			}
		}
		if len(line) > 998 {
			t.Errorf("header line %d is %d octets, over 998", i+1, len(line))
		}
		if len(line) > 78 && bytes.Contains(bytes.TrimSpace(line), []byte(" ")) {
			t.Errorf("header line %d is %d octets and was not folded: %q", i+1, len(line), line)
		}
	}
}

// TestEmail_headers_survive_hostile_input: non-ASCII display names and
// subjects are encoded (RFC 2047), line breaks add no header, 2 KB values
// are folded; a message reader gets back what was meant.
func TestEmail_headers_survive_hostile_input(t *testing.T) {
	long := strings.Repeat("deferred ", 230) // ~2 KB
	cases := []struct {
		name, from, subject string
		to                  []string
		wantTo              []*mail.Address
		wantSubject         string
	}{
		{name: "non-ASCII display names", from: "Prüfer <pftls@mail.example.com>", subject: "Zertifikat für bücher.example abgelaufen",
			to:     []string{"Jörg Müller <joerg@example.com>", "postmaster@example.com"},
			wantTo: []*mail.Address{{Name: "Jörg Müller", Address: "joerg@example.com"}, {Address: "postmaster@example.com"}}, wantSubject: "Zertifikat für bücher.example abgelaufen"},
		{name: "CR/LF in the subject", from: "pftls <root@mail.example.com>", subject: "all clear\r\nBcc: victim@example.com\r\n\r\nbody",
			to: []string{"postmaster@example.com"}, wantTo: []*mail.Address{{Address: "postmaster@example.com"}}, wantSubject: "all clear  Bcc: victim@example.com    body"},
		{name: "2 KB ASCII subject", from: "pftls <root@mail.example.com>", subject: long,
			to: []string{"postmaster@example.com"}, wantTo: []*mail.Address{{Address: "postmaster@example.com"}}, wantSubject: string([]rune(long)[:299]) + "…"},
		{name: "2 KB non-ASCII subject and name", from: "pftls <root@mail.example.com>", subject: strings.Repeat("ä", 1000),
			to:     []string{strings.Repeat("Ü", 1000) + " <a@example.com>"},
			wantTo: []*mail.Address{{Name: strings.Repeat("Ü", 1000), Address: "a@example.com"}}, wantSubject: strings.Repeat("ä", 299) + "…"},
		{name: "quoted name with a comma", from: "pftls <root@mail.example.com>", subject: "x",
			to: []string{`"Doe, John" <john@example.com>`}, wantTo: []*mail.Address{{Name: "Doe, John", Address: "john@example.com"}}, wantSubject: "x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := writeTestEmail(t, EmailOptions{From: tc.from, To: tc.to, Subject: tc.subject, Host: "mail.example.com"})
			if err != nil {
				t.Fatal(err)
			}
			checkHeaderLines(t, raw)
			msg, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("net/mail: %v", err)
			}
			for k := range msg.Header {
				if !slices.Contains([]string{"From", "To", "Subject", "Date", "Message-Id", "Mime-Version", "Content-Type", "Auto-Submitted", "X-Mailer"}, k) {
					t.Errorf("the message has a header %q", k)
				}
			}
			to, err := msg.Header.AddressList("To")
			if err != nil {
				t.Fatalf("To: %v (%q)", err, msg.Header.Get("To"))
			}
			if len(to) != len(tc.wantTo) {
				t.Fatalf("To = %v, want %v", to, tc.wantTo)
			}
			for i := range to {
				if *to[i] != *tc.wantTo[i] {
					t.Errorf("To[%d] = %+v, want %+v", i, *to[i], *tc.wantTo[i])
				}
			}
			if _, err := msg.Header.AddressList("From"); err != nil {
				t.Errorf("From: %v (%q)", err, msg.Header.Get("From"))
			}
			subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			if err != nil || subject != tc.wantSubject {
				t.Errorf("Subject = %q (%v), want %q", subject, err, tc.wantSubject)
			}
		})
	}
}

// TestEmail_refuses_address_injection: an address with a line break or
// that does not parse never reaches a header.
func TestEmail_refuses_address_injection(t *testing.T) {
	for _, eo := range []EmailOptions{
		{From: "pftls <root@mail.example.com>", To: []string{"postmaster@example.com\r\nBcc: victim@example.com"}},
		{From: "pftls <root@mail.example.com>\r\nBcc: victim@example.com", To: []string{"postmaster@example.com"}},
		{From: "pftls <root@mail.example.com>", To: []string{"not an address"}},
		{From: "", To: []string{"postmaster@example.com"}},
	} {
		raw, err := writeTestEmail(t, eo)
		if err == nil {
			t.Errorf("WriteEmail(From %q, To %q) succeeded:\n%s", eo.From, eo.To, raw[:min(len(raw), 300)])
		}
	}
}

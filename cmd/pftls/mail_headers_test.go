package main

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"
	"testing"
)

// TestMailTo_validated: --mail-to and --mail-from are parsed as RFC 5322
// addresses; a line break or a malformed address is a usage error, and a
// non-ASCII display name gives a To: header a mail reader parses.
func TestMailTo_validated(t *testing.T) {
	for _, bad := range [][]string{
		{"--mail-to", "postmaster@example.com\nBcc: victim@example.com"},
		{"--mail-to", "postmaster"},
		{"--mail-to", "a@example.com,,<"},
		{"--mail-to", "postmaster@example.com", "--mail-from", "pftls <x@example.com>\r\nBcc: victim@example.com"},
		{"--mail-to", "postmaster@example.com", "--mail-from", "not an address"},
	} {
		args := append([]string{"report", "--db", ":memory:", "--year", "2026", "--sendmail", "/bin/false"}, bad...)
		code, _, errOut := runCLI(t, "", append(args, corpusLog)...)
		if code != exitUsage || !strings.Contains(errOut, "Try: ") {
			t.Errorf("%q: exit %d, %q; want a usage error", bad, code, errOut)
		}
	}
	code, out, errOut := runCLI(t, "", "report", "--db", ":memory:", "--year", "2026", "--format", "email",
		"--mail-to", "Jörg Müller <joerg@example.com>, \"Doe, John\" <john@example.com>", "--mail-from", "Prüfer <pftls@example.com>", corpusLog)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	msg, err := mail.ReadMessage(bytes.NewReader([]byte(out)))
	if err != nil {
		t.Fatal(err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Name != "Jörg Müller" || to[1].Name != "Doe, John" {
		t.Errorf("To: %q parses as %v (%v)", msg.Header.Get("To"), to, err)
	}
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Prüfer" {
		t.Errorf("From: %q parses as %v (%v)", msg.Header.Get("From"), from, err)
	}
	if s, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); !strings.HasPrefix(s, "[pftls]") {
		t.Errorf("Subject %q", s)
	}
}

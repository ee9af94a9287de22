package aggregate_test

import (
	"path/filepath"
	"testing"

	"github.com/pftls/pftls/logparse"
)

// TestCoverage reads small files through the pump and checks what each
// run's Coverage says was understood.
func TestCoverage(t *testing.T) {
	const (
		smtp     = "Mar  7 16:05:12 mx1 postfix/smtp[1234]: 4F9D1C0A2B: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)"
		unparsed = "Mar  7 16:05:13 mx1 postfix/smtp[1234]: something pftls has never seen"
		foreign  = "Mar  7 16:05:14 mx1 sshd[77]: Accepted publickey for root"
		services = "tcpmux		1/tcp				# TCP port service multiplexer"
		bare     = "4F9D1C0A2B: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (250 ok)"
	)
	tests := []struct {
		name       string
		lines      []string
		postfix    int64
		notUnderst int64
		unreadable bool
		guess      logparse.Format
		example    string
		bare       bool
		comp       string
	}{
		{name: "all understood", lines: []string{smtp, smtp, foreign}, postfix: 2, guess: logparse.FormatSyslog},
		{name: "one unparsed", lines: []string{smtp, smtp, unparsed}, postfix: 3, notUnderst: 1, guess: logparse.FormatSyslog, example: unparsed},
		{name: "services file", lines: []string{services, "echo		7/tcp", "discard		9/tcp		sink null"}, notUnderst: 3, unreadable: true, example: services},
		{name: "only other programs", lines: []string{foreign, foreign}, unreadable: true, guess: logparse.FormatSyslog, example: foreign},
		{name: "mostly not understood", lines: []string{smtp, services, services}, postfix: 1, notUnderst: 2, unreadable: true, guess: logparse.FormatSyslog, example: services},
		{name: "journalctl -o cat", lines: []string{bare, bare}, notUnderst: 2, unreadable: true, bare: true, guess: logparse.FormatBare, example: bare},
		{name: "xz", lines: []string{"\xfd7zXZ\x00\x00\x04\xe6\xd6\xb4F"}, notUnderst: 1, unreadable: true, comp: "xz-compressed"},
		{name: "empty", lines: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "in.log")
			writeFile(t, path, joinLines(tt.lines))
			res := ingest(t, filepath.Join(dir, "db"), 1000, path)
			c := res[0].Coverage
			if c.Lines != int64(len(tt.lines)) || c.Postfix != tt.postfix || c.NotUnderstood() != tt.notUnderst {
				t.Errorf("lines %d, postfix %d, not understood %d; want %d, %d, %d", c.Lines, c.Postfix, c.NotUnderstood(), len(tt.lines), tt.postfix, tt.notUnderst)
			}
			if got := c.Unreadable(); got != tt.unreadable {
				t.Errorf("Unreadable() = %v, want %v", got, tt.unreadable)
			}
			if got := c.Guess(); got != tt.guess {
				t.Errorf("Guess() = %q, want %q", got, tt.guess)
			}
			if got := c.Example(); tt.example != "" && got != tt.example {
				t.Errorf("Example() = %q, want %q", got, tt.example)
			}
			if got := c.LooksBare(); got != tt.bare {
				t.Errorf("LooksBare() = %v, want %v", got, tt.bare)
			}
			if got := c.Compression(); got != tt.comp {
				t.Errorf("Compression() = %q, want %q", got, tt.comp)
			}
		})
	}
}

package main

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// readmeCommand returns the pftls command line of a README block: the crontab
// line ("15 6 * * * /usr/local/bin/pftls ...") or a unit's ExecStart=.
func readmeCommand(t *testing.T, marker string) []string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(readme), "\n") {
		i := strings.Index(line, marker)
		if i < 0 {
			continue
		}
		fields := strings.Fields(line[i+len(marker):])
		if len(fields) == 0 || fields[0] != "/usr/local/bin/pftls" {
			continue
		}
		return fields
	}
	t.Fatalf("README has no line with %q followed by /usr/local/bin/pftls", marker)
	return nil
}

// buildBinary builds pftls once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pftls")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runReadmeCommand runs a README command line with the real binary, a fake
// sendmail and the sample log in place of the three system paths; every
// flag is as written.
func runReadmeCommand(t *testing.T, bin string, args []string) (msg []byte, sendmailArgs string) {
	t.Helper()
	dir := t.TempDir()
	fake, err := filepath.Abs("../../testdata/mail/fake-sendmail")
	if err != nil {
		t.Fatal(err)
	}
	// A copy of the sample log last written on the day it was logged, so
	// that the year of its stamps is 2026 whatever day the test runs.
	log := filepath.Join(dir, "mail.log")
	data, err := os.ReadFile(corpusLog)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(log, data, 0o600); err != nil {
		t.Fatal(err)
	}
	written := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	if err := os.Chtimes(log, written, written); err != nil {
		t.Fatal(err)
	}
	swap := map[string]string{"/usr/sbin/sendmail": fake, "/var/log/mail.log": log}
	var real []string
	for _, a := range args[1:] {
		if r, ok := swap[a]; ok {
			a = r
		}
		real = append(real, a)
	}
	// "--since 24h" is measured from PFTLS_NOW, the morning after the log.
	cmd := exec.Command(bin, real...)
	cmd.Env = append(os.Environ(), "FAKE_SENDMAIL_DIR="+dir, "PFTLS_DB="+filepath.Join(dir, "pftls.db"),
		"PFTLS_NOW=2026-11-23T08:00:00Z", "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", real, err, out)
	}
	msg, err = os.ReadFile(filepath.Join(dir, "message"))
	if err != nil {
		t.Fatalf("fake sendmail got no message: %v (pftls said %q)", err, out)
	}
	gotArgs, _ := os.ReadFile(filepath.Join(dir, "args"))
	return msg, string(gotArgs)
}

func TestREADMEMailCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	for _, tc := range []struct{ name, marker string }{
		{"crontab", "15 6 * * * "},
		{"systemd", "ExecStart="},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := readmeCommand(t, tc.marker)
			msg, sendmailArgs := runReadmeCommand(t, bin, args)
			if sendmailArgs != "-t\n-i\n" {
				t.Errorf("sendmail arguments = %q, want -t -i", sendmailArgs)
			}
			text, html := checkMessage(t, msg)
			for _, want := range []string{"bank.example.net", "untrusted-issuer", "| received        |    284 |"} {
				if !strings.Contains(text, want) {
					t.Errorf("text part lacks %q", want)
				}
			}
			if !strings.Contains(html, "bank.example.net") || !strings.Contains(html, "<table") {
				t.Errorf("HTML part lacks the TLS failures table")
			}
		})
	}
}

// checkMessage parses a mailed report with net/mail and mime/multipart and
// returns its decoded text and HTML parts.
func checkMessage(t *testing.T, raw []byte) (text, html string) {
	t.Helper()
	for i, line := range bytes.Split(raw, []byte("\n")) {
		if len(line) > 998 {
			t.Errorf("line %d is %d octets long", i+1, len(line))
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail: %v", err)
	}
	h := msg.Header
	for _, k := range []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version"} {
		if h.Get(k) == "" {
			t.Errorf("header %s missing", k)
		}
	}
	if _, err := h.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if _, err := mail.ParseAddressList(h.Get("To")); err != nil {
		t.Errorf("To: %v", err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil {
		t.Errorf("Subject: %v", err)
	}
	if !strings.HasPrefix(subject, "[pftls] mail ") || !strings.Contains(subject, "9 domains failing TLS") {
		t.Errorf("Subject = %q", subject)
	}
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v)", h.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		if enc := p.Header.Get("Content-Transfer-Encoding"); enc != "quoted-printable" {
			t.Errorf("part encoding = %q", enc)
		}
		body, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatalf("quoted-printable: %v", err)
		}
		switch ct := p.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain"):
			text = string(body)
		case strings.HasPrefix(ct, "text/html"):
			html = string(body)
		default:
			t.Errorf("unexpected part %q", ct)
		}
	}
	if text == "" || html == "" {
		t.Fatalf("want a text and an HTML part; got %d and %d bytes", len(text), len(html))
	}
	return text, html
}

func TestEmailFormatAndExitStatus(t *testing.T) {
	code, out, errOut := runCLI(t, "", "report", "--db", ":memory:", "--year", "2026", "--tz", "UTC",
		"--format", "email", "--mail-to", "postmaster@example.com", "--fail-on", "tls", corpusLog)
	if code != exitProblems {
		t.Errorf("--fail-on tls: exit %d, want %d (%s)", code, exitProblems, errOut)
	}
	checkMessage(t, []byte(out))

	code, _, _ = runCLI(t, "", "report", "--db", ":memory:", "--year", "2026", "--format", "json", "--fail-on", "bounced", "--domain", "gmx.example", corpusLog)
	if code != exitOK {
		t.Errorf("no bounces at gmx.example: exit %d, want 0", code)
	}
	code, _, errOut = runCLI(t, "", "report", "--db", ":memory:", "--fail-on", "nonsense", corpusLog)
	if code != exitUsage || !strings.Contains(errOut, "--fail-on") {
		t.Errorf("bad --fail-on: exit %d, %q", code, errOut)
	}
}

func TestOnlyProblemsIsQuietWhenHealthy(t *testing.T) {
	code, out, errOut := runCLI(t, "", "report", "--db", ":memory:", "--year", "2026", "--domain", "gmx.example",
		"--only-problems", "--format", "email", corpusLog)
	if code != exitOK || out != "" {
		t.Errorf("healthy domain: exit %d, output %d bytes (%s)", code, len(out), errOut)
	}
}

func TestRedactHidesLocalParts(t *testing.T) {
	_, plain, _ := runCLI(t, "", "report", "--db", ":memory:", "--year", "2026", "--format", "json", corpusLog)
	_, redacted, _ := runCLI(t, "", "report", "--db", ":memory:", "--year", "2026", "--format", "json", "--redact", corpusLog)
	if !strings.Contains(plain, `unknown user: \"ghost\"`) {
		t.Fatalf("the plain report should name the local user ghost")
	}
	if strings.Contains(redacted, "ghost") {
		t.Errorf("redacted report still names ghost")
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tinyPNG is a real 1x1 PNG image.
func tinyPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestUnreadableInputIsAnInputError: a FILE that is not a Postfix log
// pftls can read makes report, explain and ingest exit 2 with a message
// that names the file and says why, never a report of nothing.
func TestUnreadableInputIsAnInputError(t *testing.T) {
	dir := t.TempDir()
	img := writeTemp(t, dir, "logo.png", tinyPNG(t))
	foreign := writeTemp(t, dir, "auth.log", []byte(strings.Repeat("Nov 23 00:20:05 mail sshd[77]: Accepted publickey for root from 192.0.2.1\n", 5)))
	good, err := os.ReadFile("../../testdata/inputs/classic.log")
	if err != nil {
		t.Fatal(err)
	}
	// Mostly not understood: 10 Postfix lines among 30 of no envelope.
	var mixed bytes.Buffer
	for i, line := range strings.SplitAfter(string(good), "\n")[:10] {
		mixed.WriteString(line)
		for j := 0; j < 3; j++ {
			mixed.WriteString("tcpmux\t\t1/tcp # " + string(rune('a'+i)) + "\n")
		}
	}
	mostly := writeTemp(t, dir, "mostly.log", mixed.Bytes())
	tests := []struct {
		name, path string
		want       []string
	}{
		{"services file", "../../testdata/unreadable/services",
			[]string{"testdata/unreadable/services: 0 of 20 lines are Postfix log lines", "no syslog envelope", `first: "tcpmux 1/tcp # TCP port service multiplexer"`}},
		{"png image", img, []string{"logo.png: a PNG image, not a log"}},
		{"xz file", "../../testdata/unreadable/mail.log.xz", []string{"mail.log.xz: xz-compressed: decompress it first"}},
		{"journalctl -o cat", "../../testdata/unreadable/journal-cat.log",
			[]string{"journal-cat.log: 30 of 30 lines are Postfix messages without time or host", "journalctl -o cat", "journalctl -o json", `first: "connect from localhost[127.0.0.1]"`}},
		{"only other programs", foreign, []string{"auth.log: 0 of 5 lines are Postfix log lines", "all 5 from other programs; format guessed: syslog", `first: "Nov 23 00:20:05 mail sshd[77]`}},
		{"mostly not understood", mostly, []string{"mostly.log: 30 of 40 lines are not understood", "format guessed: syslog", `first: "tcpmux 1/tcp # a"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, args := range [][]string{
				{"report", "--db", ":memory:"},
				{"report", "--db", filepath.Join(t.TempDir(), "pftls.db")},
				{"explain", "--db", filepath.Join(t.TempDir(), "pftls.db"), "gmx.example"},
			} {
				code, out, errOut := runCLI(t, "", append(args, tt.path)...)
				if code != exitUsage {
					t.Errorf("%v: exit %d, want %d (stdout %q)", args, code, exitUsage, out)
				}
				if out != "" {
					t.Errorf("%v: wrote a report over unreadable input:\n%s", args, out)
				}
				for _, w := range tt.want {
					if !strings.Contains(errOut, w) {
						t.Errorf("%v: stderr %q lacks %q", args, errOut, w)
					}
				}
			}
		})
	}
	// ingest stores what it reads, and still fails on a file without a
	// single Postfix line, or mostly not understood.
	code, _, errOut := runCLI(t, "", "ingest", "--db", filepath.Join(dir, "pftls.db"), "-q", "../../testdata/unreadable/services")
	if code != exitUsage || !strings.Contains(errOut, "services: 0 of 20 lines are Postfix log lines") {
		t.Errorf("ingest services: exit %d, %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "", "ingest", "--db", filepath.Join(dir, "pftls.db"), "-q", mostly)
	if code != exitUsage || !strings.Contains(errOut, "mostly.log: 30 of 40 lines are not understood") {
		t.Errorf("ingest mostly.log: exit %d, %q", code, errOut)
	}
	// An empty file is a quiet log, not an error.
	empty := writeTemp(t, dir, "empty.log", nil)
	if code, _, errOut := runCLI(t, "", "report", "--db", ":memory:", empty); code != exitOK {
		t.Errorf("report of an empty file: exit %d (%s)", code, errOut)
	}
}

// partlyUnderstood writes a classic log with three lines pftls does not
// understand (one unparsed Postfix line, two of no envelope) among 472.
func partlyUnderstood(t *testing.T) string {
	t.Helper()
	good, err := os.ReadFile("../../testdata/inputs/classic.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(good), "\n")
	odd := []string{
		"Nov 23 00:20:06 mail postfix/qmgr[900]: a message pftls has never seen\n",
		"\x1b[31mgarbage without an envelope\n",
		"more garbage\n",
	}
	var b strings.Builder
	b.WriteString(strings.Join(lines[:50], ""))
	b.WriteString(strings.Join(odd, ""))
	b.WriteString(strings.Join(lines[50:], ""))
	return writeTemp(t, t.TempDir(), "partly.log", []byte(b.String()))
}

// TestNotUnderstoodInEveryOutput: a log with some lines not understood
// says how many, of which file, and an example, in every format, at the
// top; --fail-on unreadable exits 1 on it.
func TestNotUnderstoodInEveryOutput(t *testing.T) {
	log := partlyUnderstood(t)
	base := []string{"report", "--db", ":memory:", "--year", "2026", "--tz", "UTC", "--width", "250"}
	for _, tc := range []struct {
		format string
		want   []string
	}{
		{"text", []string{"!! WARNING: 3 lines of 475 not understood", "partly.log: 3 of 475 lines not understood (format guessed: syslog)", "a message pftls has never seen", "state:  "}},
		{"markdown", []string{"> [!WARNING]", "3 lines of 475 not understood", "partly.log: 3 of 475 lines not understood", "a message pftls has never seen"}},
		{"html", []string{"Warning: 3 lines of 475 not understood", "partly.log: 3 of 475 lines not understood", "a message pftls has never seen", `id="input"`}},
		{"csv", []string{"input,lines,postfix,not understood,format guessed,example", "partly.log,475,473,3,syslog,", "a message pftls has never seen"}},
	} {
		args := append(append([]string{}, base...), "--format", tc.format)
		if tc.format == "csv" {
			args = append(args, "--section", "input")
		}
		code, out, errOut := runCLI(t, "", append(args, log)...)
		if code != exitOK {
			t.Fatalf("%s: exit %d (%s)", tc.format, code, errOut)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s output lacks %q:\n%.1500s", tc.format, w, out)
			}
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("%s output has a raw escape character", tc.format)
		}
		if tc.format == "text" && strings.Index(out, "WARNING") > strings.Index(out, "Totals") {
			t.Errorf("text: the warning comes after the totals: it must be at the top")
		}
	}

	code, out, _ := runCLI(t, "", append(append([]string{}, base...), "--format", "json", log)...)
	if code != exitOK {
		t.Fatalf("json: exit %d", code)
	}
	var m struct {
		State string `json:"state"`
		Lines struct {
			Read          int64 `json:"read"`
			Postfix       int64 `json:"postfix"`
			NotUnderstood int64 `json:"not_understood"`
		} `json:"lines"`
		Inputs []struct {
			Path          string   `json:"path"`
			NotUnderstood int64    `json:"not_understood"`
			Format        string   `json:"format"`
			Examples      []string `json:"examples"`
		} `json:"inputs"`
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if m.State != "problems" || len(m.Inputs) != 1 || m.Inputs[0].NotUnderstood != 3 || m.Inputs[0].Format != "syslog" ||
		!strings.HasSuffix(m.Inputs[0].Path, "partly.log") || len(m.Inputs[0].Examples) == 0 ||
		!strings.Contains(m.Inputs[0].Examples[0], "a message pftls has never seen") {
		t.Errorf("json: state %q, inputs %+v", m.State, m.Inputs)
	}

	// The mailed report: subject and both parts.
	code, out, errOut := runCLI(t, "", append(append([]string{}, base...), "--format", "email", "--mail-to", "postmaster@example.com", log)...)
	if code != exitOK {
		t.Fatalf("email: exit %d (%s)", code, errOut)
	}
	subject, text, html := readMail(t, out)
	if !strings.Contains(subject, "3 lines not understood") {
		t.Errorf("subject %q does not say lines were not understood", subject)
	}
	for _, part := range []string{text, html} {
		if !strings.Contains(part, "partly.log: 3 of 475 lines not understood") || !strings.Contains(part, "a message pftls has never seen") {
			t.Errorf("mail part lacks the file, count or example:\n%.1500s", part)
		}
	}

	for _, tc := range []struct {
		failOn string
		want   int
	}{{"unreadable", exitProblems}, {"fatal", exitOK}, {"empty", exitOK}} {
		code, _, errOut := runCLI(t, "", append(append([]string{}, base...), "--format", "json", "--fail-on", tc.failOn, log)...)
		if code != tc.want {
			t.Errorf("--fail-on %s: exit %d, want %d (%s)", tc.failOn, code, tc.want, errOut)
		}
	}
}

// readMail returns a mailed report's decoded subject and its text and
// HTML parts.
func readMail(t *testing.T, raw string) (subject, text, html string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail: %v", err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
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
		body, err := io.ReadAll(quotedprintable.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			html = string(body)
		} else {
			text = string(body)
		}
	}
	return subject, text, html
}

// TestWindowStates: "all clear" only over Postfix lines with no problem;
// a fatal line alone is said in the subject; an empty window is its own
// state. Subject, --only-problems and --fail-on agree on each.
func TestWindowStates(t *testing.T) {
	clean, err := os.ReadFile("../../testdata/logs/tls-trust-levels.log")
	if err != nil {
		t.Fatal(err)
	}
	const fatal = "Nov 23 00:20:05 mail postfix/master[900]: fatal: bind 0.0.0.0 port 25: Address already in use\n"
	lines := strings.SplitAfter(string(clean), "\n")
	dir := t.TempDir()
	cleanLog := writeTemp(t, dir, "clean.log", clean)
	fatalLog := writeTemp(t, dir, "fatal.log", []byte(strings.Join(lines[:3], "")+fatal+strings.Join(lines[3:], "")))
	emptyLog := writeTemp(t, dir, "empty.log", nil)
	all := "--fail-on=tls,deferred,bounced,fatal,unreadable,empty"
	tests := []struct {
		name    string
		args    []string
		subject string // the whole summary after "[pftls] HOST WINDOW: "
		failOn  []string
		quiet   bool // --only-problems sends nothing
	}{
		{"clean", []string{cleanLog}, "all clear", nil, true},
		{"fatal only", []string{fatalLog}, "1 fatal error", []string{"fatal"}, false},
		{"empty window", []string{"--from", "2026-01-01", "--to", "2026-01-02", cleanLog},
			"no Postfix log lines from 2026-01-01 00:00 to 2026-01-02 00:00: is logging working?", []string{"empty"}, false},
		{"empty file", []string{emptyLog}, "no Postfix log lines: is logging working?", []string{"empty"}, false},
		// The log's lines are from 00:20 to 00:21: a window later in that
		// hour has none (lines were counted by the hour, and it said "all
		// clear" of them).
		{"window after the log stopped, in its last hour", []string{"--from", "2026-11-23T00:30:00Z", "--to", "2026-11-23T00:59:00Z", cleanLog},
			"no Postfix log lines from 2026-11-23 00:30 to 2026-11-23 00:59: is logging working?", []string{"empty"}, false},
		{"window that ends in the log's first minute", []string{"--from", "2026-11-23T00:00:00Z", "--to", "2026-11-23T00:20:00Z", cleanLog},
			"no Postfix log lines from 2026-11-23 00:00 to 2026-11-23 00:20: is logging working?", []string{"empty"}, false},
	}
	fake, err := filepath.Abs("../../testdata/mail/fake-sendmail")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := []string{"report", "--db", ":memory:", "--year", "2026", "--tz", "UTC"}
			// Mailed through sendmail, as cron does.
			out := t.TempDir()
			t.Setenv("FAKE_SENDMAIL_DIR", out)
			code, _, errOut := runCLI(t, "", append(append([]string{}, base...), append([]string{"--mail-to", "postmaster@example.com", "--sendmail", fake}, tt.args...)...)...)
			if code != exitOK {
				t.Fatalf("exit %d (%s)", code, errOut)
			}
			msg, err := os.ReadFile(filepath.Join(out, "message"))
			if err != nil {
				t.Fatalf("no message sent: %v", err)
			}
			subject, text, _ := readMail(t, string(msg))
			if _, summary, _ := strings.Cut(subject, ": "); summary != tt.subject {
				t.Errorf("subject %q, want the summary %q", subject, tt.subject)
			}
			if tt.subject != "all clear" && strings.Contains(subject+text, "all clear") {
				t.Errorf("says all clear:\n%s\n%.800s", subject, text)
			}
			if !strings.Contains(text, "state:  "+tt.subject) {
				t.Errorf("body does not start with the state %q:\n%.600s", tt.subject, text)
			}
			// --fail-on: exit 1 for exactly the problems present.
			for _, p := range []string{"tls", "deferred", "bounced", "fatal", "unreadable", "empty"} {
				want := exitOK
				for _, f := range tt.failOn {
					if f == p {
						want = exitProblems
					}
				}
				if code, _, errOut := runCLI(t, "", append(append([]string{}, base...), append([]string{"--format", "json", "--fail-on", p}, tt.args...)...)...); code != want {
					t.Errorf("--fail-on %s: exit %d, want %d (%s)", p, code, want, errOut)
				}
			}
			code, stdout, _ := runCLI(t, "", append(append([]string{}, base...), append([]string{"--format", "email", "--only-problems", all}, tt.args...)...)...)
			if (stdout == "") != tt.quiet {
				t.Errorf("--only-problems wrote %d bytes, want quiet=%v", len(stdout), tt.quiet)
			}
			if wantCode := map[bool]int{true: exitOK, false: exitProblems}[tt.quiet]; code != wantCode {
				t.Errorf("%s: exit %d, want %d", all, code, wantCode)
			}
		})
	}
}

// TestCSVSaysWhatItsRowsCannot: CSV has no header to say that lines were
// not understood (or that TLS was not logged): it is said on standard
// error, and nothing is when all was read.
func TestCSVSaysWhatItsRowsCannot(t *testing.T) {
	corpus := corpusText(t, 100)
	dir := t.TempDir()
	odd := strings.Join(corpus, "") + "Nov 23 00:20:30 mail postfix/smtp[123]: something odd happened\n"
	for _, tt := range []struct {
		name, log, warning string
	}{
		{"all understood", strings.Join(corpus, ""), ""},
		{"a line not understood", odd, "pftls report: warning: 1 line not understood (--section input)\n"},
	} {
		log := writeTemp(t, dir, strings.ReplaceAll(tt.name, " ", "-")+".log", []byte(tt.log))
		code, _, errOut := runCLI(t, "", "report", "--db", ":memory:", "--format", "csv", "--section", "domains", "--year", "2026", "--tz", "UTC", log)
		if code != exitOK || errOut != tt.warning {
			t.Errorf("%s: exit %d, standard error %q, want %q", tt.name, code, errOut, tt.warning)
		}
	}
}

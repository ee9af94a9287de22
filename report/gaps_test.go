package report

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"
)

// TestLinesMissingSaidInEveryFormat: a window a log rotated away may have
// had lines in says so in every format, at the top: the state, the alert
// with the lines' path, offset and time, the input section (the one CSV
// carries the state in), the JSON's gaps, and the mail's subject.
func TestLinesMissingSaidInEveryFormat(t *testing.T) {
	m := &Model{Lines: Lines{Read: 100, Postfix: 100}, Gaps: []GapRow{gap},
		Window: Window{From: gap.Found.Add(-24 * time.Hour), To: gap.Found, Zone: "UTC"}}
	const (
		state = "lines missing from /var/log/mail.log after 2026-11-23 00:21"
		alert = "/var/log/mail.log: the lines written to it after 2026-11-23 00:21:48 (the last of its 2000 lines read, to byte 296429) until it was rotated are missing"
	)
	for _, tc := range []struct {
		format string
		o      RenderOptions
		want   []string
	}{
		{"text", RenderOptions{Width: 1000}, []string{"state:  " + state, "!! WARNING: " + alert, "mail.log (rotated away)"}},
		{"markdown", RenderOptions{}, []string{"**state:** " + state, "**" + MarkdownEscape(alert)}},
		{"html", RenderOptions{}, []string{state, alert, "mail.log (rotated away)"}},
		{"csv", RenderOptions{Section: "input"},
			[]string{"/var/log/mail.log (rotated away),2000,,,,\"lines missing after 2026-11-23 00:21:48, until its rotation\""}},
	} {
		out := render(t, m, tc.format, tc.o)
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s does not say %q:\n%s", tc.format, w, out)
			}
		}
	}

	var j struct {
		State string   `json:"state"`
		Gaps  []GapRow `json:"gaps"`
	}
	if err := json.Unmarshal([]byte(render(t, m, "json", RenderOptions{})), &j); err != nil {
		t.Fatal(err)
	}
	if j.State != string(StateProblems) || len(j.Gaps) != 1 || j.Gaps[0] != gap {
		t.Errorf("json: state %q, gaps %+v; want problems and %+v", j.State, j.Gaps, gap)
	}

	var mail bytes.Buffer
	if err := WriteEmail(&mail, m, EmailOptions{To: []string{"postmaster@example.com"}, From: "pftls@example.com",
		Subject: Subject(m, "mail", "24h")}, RenderOptions{Zone: time.UTC}); err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(mail.String(), "\r\n\r\n")
	if subject := strings.ReplaceAll(head, "\r\n ", " "); !strings.Contains(subject, "Subject: [pftls] mail 24h: "+state) {
		t.Errorf("the mail's subject does not say %q:\n%s", state, head)
	}
	text, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if !strings.Contains(strings.Join(strings.Fields(string(text)), " "), alert) {
		t.Errorf("the mail's body does not say %q", alert)
	}
}

package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeLog writes lines to a log file in a temporary directory.
func writeLog(t *testing.T, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "mail.log")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestWarningsGroupedAcrossInstances: one missing aliases.db, logged by
// several smtpd instances (multi-instance Postfix names them
// postfix-rx/NAME/smtpd), is one warning row with its count, its first and
// last time and the instances, in every format; another message stays a
// row of its own.
func TestWarningsGroupedAcrossInstances(t *testing.T) {
	var lines []string
	for i, inst := range []string{"selfsigned", "gmx", "strict", "wrongname", "gmx", "corp"} {
		lines = append(lines, "Nov 23 00:20:0"+string(rune('1'+i))+" mx postfix-rx/"+inst+"/smtpd[1345"+string(rune('0'+i))+
			"]: error: open database /etc/aliases.db: No such file or directory")
	}
	lines = append(lines, "Nov 23 00:21:00 mx postfix/cleanup[200]: warning: database /etc/postfix/virtual.db is older than source file /etc/postfix/virtual")
	m := modelOf(t, Options{}, writeLog(t, lines...))
	if len(m.Warnings) != 2 {
		t.Fatalf("%d warning rows, want 2: %+v", len(m.Warnings), m.Warnings)
	}
	w := m.Warnings[0]
	if w.Count != 6 || w.Program != "smtpd" || strings.Join(w.Programs, ",") != "corp/smtpd,gmx/smtpd,selfsigned/smtpd,strict/smtpd,wrongname/smtpd" {
		t.Errorf("aliases.db row: count %d, program %q, programs %v", w.Count, w.Program, w.Programs)
	}
	if got := w.FirstSeen.Format(time.TimeOnly) + " " + w.LastSeen.Format(time.TimeOnly); got != "00:20:01 00:20:06" {
		t.Errorf("aliases.db row seen %s", got)
	}
	if m.Warnings[1].Program != "cleanup" || len(m.Warnings[1].Programs) != 0 {
		t.Errorf("one instance: program %q, programs %v", m.Warnings[1].Program, m.Warnings[1].Programs)
	}
	for _, format := range []string{"text", "markdown", "html", "csv"} {
		out := render(t, m, format, RenderOptions{Section: "warnings", Width: 200})
		if n := strings.Count(out, "aliases.db"); n != 1 {
			t.Errorf("%s: aliases.db shown %d times, want once", format, n)
		}
		if !strings.Contains(out, "smtpd (5 instances)") || !strings.Contains(out, "2026-11-23 00:20:01") {
			t.Errorf("%s: the row lacks its instances or its first time:\n%s", format, out)
		}
	}
}

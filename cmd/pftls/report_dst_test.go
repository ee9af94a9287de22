package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReport_hour_that_happens_twice: at the end of summer time a classic
// syslog stamp (no UTC offset) between 02:00 and 03:00 local happens twice.
// Every such line was put in the second pass, so the hour 00:00-01:00 UTC
// read "no Postfix log lines: is logging working?" and the next held both.
// Each pass now gets its own lines (testdata/logs/README.md counts them),
// straight from the file, and from a database ingested in two runs the
// second of which begins inside the second pass: of the same file (a cron
// ingest), or of a new file after a rotation, whose first line only the
// lines stored before it can place. A blank line and one without a syslog
// envelope in the second pass (no stamp of their own) do not send the
// lines after them back to the first.
func TestReport_hour_that_happens_twice(t *testing.T) {
	const fixture = "../../testdata/logs/dst-fall-back.log"
	hours := []struct {
		from, to string
		lines    int64
	}{
		{"2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", 227},     // 02:00-03:00 CEST
		{"2026-10-25T01:00:00Z", "2026-10-25T02:00:00Z", 162 + 2}, // 02:00-03:00 CET, and the two lines below
	}
	check := func(route string, args ...string) {
		t.Helper()
		for _, h := range hours {
			m := runReportJSON(t, "", append([]string{"--tz", "Europe/Berlin", "--year", "2026", "--from", h.from, "--to", h.to}, args...)...)
			if m.Lines.Read != h.lines {
				t.Errorf("%s, %s to %s: %d lines read, want %d (state %q)", route, h.from, h.to, m.Lines.Read, h.lines, m.Summary(nil))
			}
		}
	}
	data, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	lines = slices.Concat(lines[:390], []string{"\n", "no syslog envelope here\n"}, lines[390:]) // line 390 is in the second pass
	dir := t.TempDir()
	log := filepath.Join(dir, "whole.log")
	appendTo(t, log, lines)
	check("from the file", "--db", ":memory:", log)

	// The window of the first pass ends where it began, on the clock: the
	// zone's names tell its two ends apart.
	code, out, errOut := runCLI(t, "", "report", "--db", ":memory:", "--tz", "Europe/Berlin", "--year", "2026",
		"--from", hours[0].from, "--to", hours[0].to, log)
	if want := "window: 2026-10-25 02:00:00 CEST to 2026-10-25 02:00:00 CET (Europe/Berlin)"; code != exitOK || !strings.Contains(out, want) {
		t.Errorf("exit %d, stderr %q; want %q in:\n%.600s", code, errOut, want, out)
	}

	for _, rotate := range []bool{false, true} {
		sub := filepath.Join(dir, fmt.Sprint(rotate))
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		live, db := filepath.Join(sub, "mail.log"), filepath.Join(sub, "pftls.db")
		for i, part := range [][]string{lines[:400], lines[400:]} { // line 400 is in the second pass
			if i == 1 && rotate {
				if err := os.Rename(live, live+".1"); err != nil {
					t.Fatal(err)
				}
			}
			appendTo(t, live, part)
			if code, _, errOut := runCLI(t, "", "ingest", "-q", "--db", db, "--tz", "Europe/Berlin", "--year", "2026", live); code != exitOK {
				t.Fatalf("ingest: exit %d: %s", code, errOut)
			}
		}
		check(fmt.Sprintf("from a database ingested in two runs (rotated between them: %v)", rotate), "--db", db)
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/report"
)

// TestLogRotationCopyGone: the log pftls read last time was rotated, and
// its rotated copy was gone (deleted, moved elsewhere) when the cron run
// came: the lines written to it between the last run and the rotation
// are nowhere to be read. They used to be a warning on standard error
// alone: ingest exited 0, and the report said "9 domains failing TLS, 83
// deferred" of a day it had lost a fifth of, and so did every report of
// that day after it. Now every command that reads the path says which
// lines are missing (the path, its lines and bytes read, the stamp of
// the last one), ingest fails, the report's state says so in every
// format, and the gap is remembered: a later report of the database over
// that time says so too.
func TestLogRotationCopyGone(t *testing.T) {
	lines := corpusText(t, 4000)
	part := func(from, to int) string { return strings.Join(lines[from:to], "") }
	const (
		// The last of the 1500 lines read, and where they end.
		missing = "the lines written to it after 2026-11-23 00:21:34 (the last of its 1500 lines read, to byte 222495) until it was rotated are missing"
		state   = "lines missing from %s after 2026-11-23 00:21 (its rotated copy was gone)"
		later   = "2026-11-23T06:00:00Z" // the cron run after the rotation
	)
	for _, tc := range []struct {
		name string
		args []string // the cron run, after the database and before the log
		code int
		out  []string // what its standard output says (%s: the log's path)
		err  []string // what its standard error says
	}{
		{"log_rotation_copy_gone_ingest_fails", []string{"ingest"}, exitUsage,
			[]string{"%s: 1800 lines, "}, []string{"pftls ingest: %s: " + missing, "The rest was stored"}},
		{"log_rotation_copy_gone_report_cron_line", []string{"report", "--since", "24h"}, exitOK,
			[]string{"state:  " + state, "!! WARNING: %s: " + missing}, []string{"pftls report: warning: %s: " + missing}},
		{"log_rotation_copy_gone_report_json", []string{"report", "--since", "24h", "--format", "json"}, exitOK,
			[]string{`"state": "problems"`, `"gaps": [`, `"after": "2026-11-23T00:21:34Z"`, `"offset": 222495`}, nil},
		{"log_rotation_copy_gone_report_mail_subject", []string{"report", "--since", "24h", "--format", "email"}, exitOK,
			[]string{" 24h: " + state}, nil},
		{"log_rotation_copy_gone_report_fail_on_unreadable", []string{"report", "--since", "24h", "--fail-on", "unreadable"}, exitProblems,
			[]string{"state:  " + state}, nil},
		{"log_rotation_copy_gone_report_csv_input", []string{"report", "--since", "24h", "--format", "csv", "--section", "input"}, exitOK,
			[]string{"%s (rotated away),1500,,,,\"lines missing after 2026-11-23 00:21:34, until its rotation\""},
			[]string{"pftls report: warning: lines missing from %s after 2026-11-23 00:21 (its rotated copy was gone)"}},
		{"log_rotation_copy_gone_metrics_refused", []string{"report", "--since", "24h", "--format", "prometheus"}, exitUsage,
			nil, []string{"lines are missing: metrics of the window cannot be made from what was read: %s: " + missing}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "pftls.db")
			live := writeTemp(t, dir, "mail.log", []byte(part(0, 1500)))
			t.Setenv("PFTLS_NOW", "2026-11-23T00:22:00Z")
			if code, _, errOut := runCLI(t, "", ingestArgs(db, live)...); code != 0 {
				t.Fatalf("first run: exit %d: %s", code, errOut)
			}
			appendFile(t, live, part(1500, 2200)) // written after the run, then lost with the log
			if err := os.Remove(live); err != nil {
				t.Fatal(err)
			}
			writeTemp(t, dir, "mail.log", []byte(part(2200, 4000)))

			t.Setenv("PFTLS_NOW", later)
			args := append(append(tc.args[:1:1], "--db", db, "--year", "2026", "--tz", "UTC"), tc.args[1:]...)
			code, out, errOut := runCLI(t, "", append(args, live)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d: %s", code, tc.code, errOut)
			}
			// A mail's subject unfolded, the text's alert unwrapped.
			out = strings.NewReplacer("\r\n ", " ", "\n!!   ", " ").Replace(out)
			for _, w := range tc.out {
				if w = sprintfPath(w, live); !strings.Contains(out, w) {
					t.Errorf("standard output does not say %q:\n%s", w, out)
				}
			}
			for _, w := range tc.err {
				if w = sprintfPath(w, live); !strings.Contains(errOut, w) {
					t.Errorf("standard error does not say %q:\n%s", w, errOut)
				}
			}

			// Remembered: a report of the database alone, by another cron
			// job, over the day says the lines are missing; one of the
			// time before the last line read does not.
			m := databaseReport(t, db, "--since", "24h")
			if m.State() != report.StateProblems || len(m.Gaps) != 1 || m.Gaps[0].Path != live || m.Gaps[0].Lines != 1500 {
				t.Errorf("a later report of the database: state %s, gaps %+v; want the gap of %s", m.State(), m.Gaps, live)
			}
			if m := databaseReport(t, db, "--from", "2026-11-23T00:00:00Z", "--to", "2026-11-23T00:21:00Z"); len(m.Gaps) != 0 {
				t.Errorf("a report of the time before the last line read says lines are missing: %+v", m.Gaps)
			}
			// RFC 8460 reports of that day would tell domains that less failed.
			code, _, errOut = runCLI(t, "", "tlsrpt", "--db", db, "--day", "2026-11-23", "--sending-ip", "192.0.2.25", "--out", t.TempDir())
			if want := "the TLS reports of 2026-11-23 cannot be made from what was read: " + live + ": " + missing; code != exitUsage || !strings.Contains(errOut, want) {
				t.Errorf("tlsrpt of the day: exit %d, stderr %q; want %d and %q", code, errOut, exitUsage, want)
			}
		})
	}
}

// databaseReport is "pftls report --db DB --format json" with no FILE
// (another cron job), decoded.
func databaseReport(t *testing.T, db string, window ...string) *report.Model {
	t.Helper()
	return runReportJSON(t, "", append([]string{"--db", db}, window...)...)
}

// TestLogRotationCopyGoneBeforeTailStarts: tail started after a rotation
// whose copy is gone says so, records the gap (a report over its time
// says that lines are missing), and follows the new log.
func TestLogRotationCopyGoneBeforeTailStarts(t *testing.T) {
	lines := corpusText(t, 4000)
	part := func(from, to int) string { return strings.Join(lines[from:to], "") }
	dir := t.TempDir()
	db := filepath.Join(dir, "pftls.db")
	live := writeTemp(t, dir, "mail.log", []byte(part(0, 1500)))
	t.Setenv("PFTLS_NOW", "2026-11-23T00:22:00Z")
	if code, _, errOut := runCLI(t, "", ingestArgs(db, live)...); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errOut)
	}
	if err := os.Remove(live); err != nil {
		t.Fatal(err)
	}
	writeTemp(t, dir, "mail.log", []byte(part(2200, 4000)))

	t.Setenv("PFTLS_NOW", "2026-11-23T06:00:00Z")
	_, errOut, stop := startTail(t, "tail", "--db", db, "--year", "2026", "--tz", "UTC", "--format", "json", live)
	deadline := time.Now().Add(20 * time.Second)
	for storedFacts(t, db)["line_counts SUM(count)"] < 3300 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if code := stop(); code != 0 {
		t.Fatalf("tail: exit %d: %s", code, errOut.String())
	}
	if want := "pftls tail: warning: " + live + ": the lines written to it after 2026-11-23 00:21:34"; !strings.Contains(errOut.String(), want) {
		t.Errorf("tail does not say %q:\n%s", want, errOut.String())
	}
	if m := databaseReport(t, db, "--since", "24h"); len(m.Gaps) != 1 || m.State() != report.StateProblems {
		t.Errorf("a report after tail: state %s, gaps %+v; want the gap", m.State(), m.Gaps)
	}
}

func sprintfPath(s, path string) string { return strings.ReplaceAll(s, "%s", path) }

package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// kindCounts counts the kinds "pftls parse" printed.
func kindCounts(out string) map[string]int {
	n := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if _, rest, ok := strings.Cut(line, `"kind":"`); ok {
			kind, _, _ := strings.Cut(rest, `"`)
			n[kind]++
		}
	}
	return n
}

// TestInputFormatForcesTheEnvelope: --input-format reads every line as
// the named envelope. Each input shape read as its own format is fully
// understood; a journal export forced to be read as syslog is not (the
// flag really forces); an unknown name is a usage error listing the names.
func TestInputFormatForcesTheEnvelope(t *testing.T) {
	for _, tc := range []struct{ file, format string }{
		{"classic.log", "syslog"},
		{"syslog-pri.log", "syslog"},
		{"rfc5424.log", "rfc5424"},
		{"rfc5424-rsyslog-appname.log", "rfc5424"},
		{"journal.json", "journal-json"},
		{"journal-short-unix.log", "journal-short-unix"},
		{"journal-short-full.log", "journal-short-full"},
		{"docker-timestamps.log", "docker"},
		{"kubernetes-cri.log", "cri"},
		{"docker-compose.log", "compose"},
		{"container-no-host.log", "container"},
		{"filebeat.json", "json"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", "parse", "--year", "2026", "--tz", "UTC", "--input-format", tc.format, filepath.Join(shapesDir, tc.file))
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			n := kindCounts(out)
			if n["malformed"] != 0 || n["foreign"] != 0 || n["delivery"] == 0 {
				t.Errorf("--input-format %s %s: %v, want every line understood", tc.format, tc.file, n)
			}
		})
	}

	t.Run("forced-mismatch", func(t *testing.T) {
		code, out, errOut := runCLI(t, "", "parse", "--input-format", "syslog", filepath.Join(shapesDir, "journal.json"))
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if n := kindCounts(out); n["malformed"] != 472 {
			t.Errorf("journal.json read as syslog: %v, want 472 malformed lines", n)
		}
	})

	// The flag reaches the pump of ingest and tail too.
	t.Run("ingest", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "p.db")
		path := filepath.Join(shapesDir, "journal.json")
		code, out, errOut := runCLI(t, "", append(ingestArgs(db, path)[:1], append([]string{"--input-format", "syslog"}, ingestArgs(db, path)[1:]...)...)...)
		// Nothing of it is a Postfix line as syslog: ingest stores what
		// it read and says so as an input error.
		if code != exitUsage || !strings.Contains(errOut, "0 of 472 lines are Postfix log lines") {
			t.Fatalf("exit %d, want %d and the input error: %s", code, exitUsage, errOut)
		}
		if lines, facts := ingestCounts(t, out, path); lines != 472 || facts > 10 {
			t.Errorf("ingest --input-format syslog journal.json: %d lines, %d facts, want 472 lines and nothing understood", lines, facts)
		}
	})

	for _, cmd := range []string{"parse", "ingest", "tail", "report", "explain"} {
		t.Run("unknown-"+cmd, func(t *testing.T) {
			code, _, errOut := runCLI(t, "", cmd, "--input-format", "syslog-ng", filepath.Join(shapesDir, "classic.log"))
			if code != 2 || !strings.Contains(errOut, `unknown input format "syslog-ng"`) || !strings.Contains(errOut, "journal-json, journal-short-unix") {
				t.Errorf("pftls %s --input-format syslog-ng: exit %d, %q; want 2 and the names", cmd, code, errOut)
			}
		})
	}
}

// TestStdinIngestIsIdempotent: standard input is recognised by its
// content, like a file: the same log piped in twice is stored once; piped
// in and then read as a file (or the other way round) is the same source;
// a longer version of the stream stores only its new lines.
func TestStdinIngestIsIdempotent(t *testing.T) {
	lines := corpusText(t, 3000)
	whole := strings.Join(lines, "")
	first := strings.Join(lines[:2000], "")
	dir := t.TempDir()
	logPath := writeTemp(t, dir, "mail.log", []byte(whole))
	firstPath := writeTemp(t, dir, "mail-first.log", []byte(first))

	once := filepath.Join(dir, "once.db")
	if code, _, errOut := runCLI(t, "", ingestArgs(once, logPath)...); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	want := storedFacts(t, once)

	// stdin runs the steps in order, each "-" reading stdin, else a file.
	type step struct {
		stdin string // piped in, when file is ""
		file  string
		lines int64 // lines the step stores
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"stdin-twice", []step{{stdin: whole, lines: 3000}, {stdin: whole, lines: 0}}},
		{"stdin-then-file", []step{{stdin: whole, lines: 3000}, {file: logPath, lines: 0}}},
		{"file-then-stdin", []step{{file: logPath, lines: 3000}, {stdin: whole, lines: 0}}},
		{"stdin-grows", []step{{stdin: first, lines: 2000}, {stdin: whole, lines: 1000}, {stdin: whole, lines: 0}}},
		{"file-then-longer-stdin", []step{{file: firstPath, lines: 2000}, {stdin: whole, lines: 1000}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "p.db")
			for i, s := range tc.steps {
				path := s.file
				if path == "" {
					path = "-"
				}
				code, out, errOut := runCLI(t, s.stdin, ingestArgs(db, path)...)
				if code != 0 {
					t.Fatalf("step %d (%s): exit %d: %s", i+1, path, code, errOut)
				}
				if got, _ := ingestCounts(t, out, path); got != s.lines {
					t.Errorf("step %d (%s): stored %d lines, want %d:\n%s", i+1, path, got, s.lines, out)
				}
			}
			if d := jsonLineDiff(storedFacts(t, db), want); d != "" {
				t.Errorf("facts differ from one ingest of the file:\n%s", d)
			}
		})
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandsRejectFlagsTheyIgnore: each command registers only the flags
// it honours, so a flag of another command is a usage error (exit 2, the
// flag package's message and a Try: hint), never silently ignored.
func TestCommandsRejectFlagsTheyIgnore(t *testing.T) {
	for _, args := range [][]string{
		// explain shows one domain: no report output, scope or mail flags.
		{"explain", "--mail-to", "x@y", "gmx.net"},
		{"explain", "--mail-from", "x@y", "gmx.net"},
		{"explain", "--subject", "s", "gmx.net"},
		{"explain", "--sendmail", "/bin/true", "gmx.net"},
		{"explain", "--only-problems", "gmx.net"},
		{"explain", "--fail-on", "tls", "gmx.net"},
		{"explain", "--section", "domains", "gmx.net"},
		{"explain", "--width", "80", "gmx.net"},
		{"explain", "--domain", "web.de", "gmx.net"},
		{"explain", "--top", "5", "gmx.net"},
		{"explain", "--cpuprofile", "cpu.out", "gmx.net"},
		// report: nothing of tail, parse or prune.
		{"report", "--interval", "2s"},
		{"report", "--only", "unparsed"},
		{"report", "--older-than", "90d"},
		// ingest reads; it has no window, output or mail.
		{"ingest", "--since", "24h"},
		{"ingest", "--format", "json"},
		{"ingest", "--mail-to", "x@y"},
		{"ingest", "--redact"},
		// tail has its own --window; no report window or mail.
		{"tail", "--since", "24h"},
		{"tail", "--mail-to", "x@y"},
		{"tail", "--host", "mail"},
		// parse never opens the database.
		{"parse", "--db", "x"},
		{"parse", "--lock-wait", "1s"},
		{"parse", "--since", "24h"},
		{"parse", "--format", "json"},
		// prune takes only an age and the database.
		{"prune", "--since", "24h", "--older-than", "90d"},
		{"prune", "--year", "2026", "--older-than", "90d"},
		{"prune", "--format", "json", "--older-than", "90d"},
		{"version", "--db", "x"},
		{"version", "--format", "json"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, "", args...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitUsage, out, errOut)
			}
			if !strings.Contains(errOut, "flag provided but not defined: -"+strings.TrimLeft(args[1], "-")) {
				t.Errorf("stderr lacks the flag package's message:\n%s", errOut)
			}
			if !strings.Contains(errOut, "Try: pftls help "+args[0]) {
				t.Errorf("stderr lacks the Try: hint:\n%s", errOut)
			}
			if out != "" {
				t.Errorf("a rejected command line printed on stdout:\n%s", out)
			}
		})
	}
}

// TestExplainAcceptsItsFlags: the groups explain registers are really
// there and honoured (window, host, config, redact, ingest flags).
func TestExplainAcceptsItsFlags(t *testing.T) {
	code, out, errOut := runCLI(t, "", "explain", "--db", ":memory:", "--year", "2026", "--tz", "UTC",
		"--lock-wait", "1s", "--commit-every", "1000", "--all", "--host", "mail", "--redact", "bank.example.net", corpusLog)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Outcome: 0 delivered, 12 deferred messages") {
		t.Errorf("explain output lacks the outcome:\n%s", out)
	}
	if strings.Contains(out, "chris.novak@") {
		t.Errorf("--redact left a recipient in explain's output:\n%s", out)
	}
	// --host is honoured: a host the log has no line of is a usage error
	// (a misspelt host must not read as a window without a line), and
	// host names match in any case.
	code, out, errOut = runCLI(t, "", "explain", "--db", ":memory:", "--year", "2026", "--tz", "UTC",
		"--host", "elsewhere", "bank.example.net", corpusLog)
	if code != exitUsage || !strings.Contains(errOut, "--host elsewhere: no log line of that host was read (hosts: mail)") {
		t.Errorf("--host elsewhere: exit %d: %s\n%s", code, errOut, out)
	}
	code, out, errOut = runCLI(t, "", "explain", "--db", ":memory:", "--year", "2026", "--tz", "UTC",
		"--host", "MAIL", "bank.example.net", corpusLog)
	if code != exitOK || !strings.Contains(out, "Outcome: 0 delivered, 12 deferred messages") {
		t.Errorf("--host MAIL: exit %d: %s\n%s", code, errOut, out)
	}
}

// TestReportDirectKnowsItsHosts: report --db :memory: FILE reads the
// log straight into the report, with no database to ask for its hosts,
// and a misspelt --host read as a window without a line (exit 0 for the
// text report, no sample but the last line's stamp for Prometheus). It
// is now the usage error the database's reports give, once the hosts are
// known; host names still match in any case. A log with no line at all (just
// rotated) is an empty window, not a misspelt --host.
func TestReportDirectKnowsItsHosts(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "mail.log")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "", "report", "--db", ":memory:", "--year", "2026", "--tz", "UTC", "--host", "mail", empty)
	if code != exitOK || !strings.Contains(out, "no Postfix log lines: is logging working?") {
		t.Errorf("an empty log with --host mail: exit %d, stderr %q, stdout:\n%s", code, errOut, out)
	}
	for _, format := range []string{"text", "prometheus"} {
		code, out, errOut := runCLI(t, "", "report", "--db", ":memory:", "--year", "2026", "--tz", "UTC",
			"--format", format, "--host", "mial", corpusLog)
		if code != exitUsage || !strings.Contains(errOut, "--host mial: no log line of that host was read (hosts: mail)") || out != "" {
			t.Errorf("%s, --host mial: exit %d, stderr %q, stdout:\n%s", format, code, errOut, out)
		}
		code, out, errOut = runCLI(t, "", "report", "--db", ":memory:", "--year", "2026", "--tz", "UTC",
			"--format", format, "--host", "MAIL", corpusLog)
		if code != exitOK || !strings.Contains(out, "bank.example.net") {
			t.Errorf("%s, --host MAIL: exit %d, stderr %q, stdout:\n%.500s", format, code, errOut, out)
		}
	}
}

// TestReportMailFlagsNeedAMessage: the flags that shape a mailed message
// are usage errors when no message is written.
func TestReportMailFlagsNeedAMessage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--sendmail", "/bin/true"}, "--sendmail"},
		{[]string{"--subject", "daily"}, "--subject"},
		{[]string{"--mail-from", "pftls@example.com"}, "--mail-from"},
		{[]string{"--format", "email", "--sendmail", "/bin/true"}, "--sendmail"},
	} {
		args := append([]string{"report", "--db", ":memory:", "--year", "2026"}, tc.args...)
		code, _, errOut := runCLI(t, "", append(args, corpusLog)...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "Try: pftls report --mail-to") {
			t.Errorf("%v: exit %d, stderr:\n%s", tc.args, code, errOut)
		}
	}
	// With --format email the headers are written: --subject is honoured.
	code, out, errOut := runCLI(t, "", "report", "--db", ":memory:", "--year", "2026", "--format", "email",
		"--subject", "pftls daily", "--mail-from", "pftls@example.com", corpusLog)
	if code != exitOK || !strings.Contains(out, "Subject: pftls daily") || !strings.Contains(out, "From: pftls@example.com") {
		t.Errorf("--format email --subject: exit %d: %s\n%.400s", code, errOut, out)
	}
}

// TestWindowHintsNameTheCommand: a mistake in a window flag is answered
// with a command line of the command that was run, not always report's.
func TestWindowHintsNameTheCommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		hint string
	}{
		{[]string{"report", "--since", "1x"}, "Try: pftls report --since 24h\n"},
		{[]string{"explain", "--since", "1x", "bank.example.net"}, "Try: pftls explain --since 24h gmx.net\n"},
		{[]string{"explain", "--day", "someday", "bank.example.net"}, "Try: pftls explain --day yesterday gmx.net\n"},
		{[]string{"explain", "--to", "2026-11-24", "bank.example.net"}, "Try: pftls explain --from 2026-03-01 --to 2026-03-02 gmx.net\n"},
	} {
		args := append(append([]string{}, tc.args...), "--db", ":memory:", "--year", "2026", corpusLog)
		code, _, errOut := runCLI(t, "", args...)
		if code != exitUsage || !strings.Contains(errOut, tc.hint) {
			t.Errorf("%v: exit %d, want 2 and %q in:\n%s", tc.args, code, tc.hint, errOut)
		}
	}
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// completionScript writes "pftls completion SHELL" to a file.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	code, out, errOut := runCLI(t, "", "completion", shell)
	if code != 0 {
		t.Fatalf("pftls completion %s: exit %d: %s", shell, code, errOut)
	}
	path := filepath.Join(t.TempDir(), "pftls."+shell)
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestBashCompletion sources the script in bash, sets COMP_WORDS and
// COMP_CWORD as readline would for the line typed so far, calls the
// completion function and reads COMPREPLY. The program in COMP_WORDS[0]
// is a stand-in that answers complete-domains and records its arguments.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	script := completionScript(t, "bash")
	if out, err := exec.Command(bash, "-n", script).CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "pftls")
	argsLog := filepath.Join(dir, "args")
	if err := os.WriteFile(fake, []byte("#!/bin/sh\necho \"$@\" > "+argsLog+"\nprintf 'gmx.net\\ngoogle.com\\nbank.example.net\\n'\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		line     string // typed so far; a trailing space starts a new word
		want     []string
		wantArgs string // arguments complete-domains was called with
	}{
		{line: "pftls rep", want: []string{"report"}},
		{line: "pftls report --for", want: []string{"--format"}},
		{line: "pftls report --format ", want: []string{"text", "markdown", "json", "csv", "html", "prometheus", "email"}},
		{line: "pftls report --section tls-o", want: []string{"tls-outbound", "tls-outbound-mix"}},
		{line: "pftls explain --format ", want: []string{"text", "json"}},
		{line: "pftls report --day y", want: []string{"yesterday"}},
		{line: "pftls completion ", want: []string{"bash", "zsh", "fish"}},
		{line: "pftls help ex", want: []string{"explain"}},
		{line: "pftls report --domain g", want: []string{"gmx.net", "google.com"}, wantArgs: "complete-domains"},
		{line: "pftls explain --db /srv/p.db b", want: []string{"bank.example.net"}, wantArgs: "complete-domains --db /srv/p.db"},
		{line: "pftls explain gmx.net --fo", want: []string{"--format"}},
		{line: "pftls prune --older", want: []string{"--older-than"}},
		{line: "pftls tls", want: []string{"tlsrpt"}},
		{line: "pftls tlsrpt --sending", want: []string{"--sending-ip"}},
		{line: "pftls tlsrpt --format ", want: []string{"text", "json"}},
		{line: "pftls tlsrpt --domain b", want: []string{"bank.example.net"}, wantArgs: "complete-domains"},
		{line: "pftls ingest -", want: []string{"--check", "--commit-every", "--cpuprofile", "--db", "--input-format", "--journal", "--journalctl",
			"--lock-wait", "--memprofile", "-q", "--rebuild", "--tz", "--unit", "--year"}},
	}
	for _, tc := range cases {
		t.Run(tc.line, func(t *testing.T) {
			os.Remove(argsLog)
			words := strings.Split(tc.line, " ")
			words[0] = fake
			var quoted []string
			for _, w := range words {
				quoted = append(quoted, "'"+w+"'")
			}
			prog := "source " + script + "\n" +
				"COMP_WORDS=(" + strings.Join(quoted, " ") + ")\n" +
				"COMP_CWORD=" + strconv.Itoa(len(words)-1) + "\n" +
				"_pftls\n" +
				`printf '%s\n' "${COMPREPLY[@]}"`
			cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog)
			cmd.Dir = dir
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			got := strings.Fields(string(out))
			if !slices.Equal(got, tc.want) {
				t.Errorf("COMPREPLY = %q, want %q", got, tc.want)
			}
			if tc.wantArgs != "" {
				args, _ := os.ReadFile(argsLog)
				if strings.TrimSpace(string(args)) != tc.wantArgs {
					t.Errorf("called %q, want %q", strings.TrimSpace(string(args)), tc.wantArgs)
				}
			}
		})
	}
}

// TestZshAndFishCompletionParse: the other two scripts are valid for their
// shell (each skipped when the shell is absent).
func TestZshAndFishCompletionParse(t *testing.T) {
	for _, shell := range []string{"zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			sh, err := exec.LookPath(shell)
			if err != nil {
				t.Skipf("%s is not installed", shell)
			}
			script := completionScript(t, shell)
			if out, err := exec.Command(sh, "-n", script).CombinedOutput(); err != nil || len(out) > 0 {
				t.Fatalf("%s -n: %v\n%s", shell, err, out)
			}
		})
	}
}

// TestCompletionUnknownShell is a usage error with a hint.
func TestCompletionUnknownShell(t *testing.T) {
	code, _, errOut := runCLI(t, "", "completion", "tcsh")
	if code != exitUsage || !strings.Contains(errOut, "Try: pftls completion bash") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestCompleteDomains lists the domains of a database, and says nothing at
// all (exit 0) when there is no database: it runs under the user's cursor.
func TestCompleteDomains(t *testing.T) {
	t.Setenv("PFTLS_NOW", "2026-11-24T00:00:00Z")
	db := filepath.Join(t.TempDir(), "p.db")
	if code, _, errOut := runCLI(t, "", "ingest", "-q", "--db", db, "--year", "2026", "--tz", "UTC", corpusLog); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	code, out, errOut := runCLI(t, "", "complete-domains", "--db", db)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	domains := strings.Fields(out)
	if len(domains) < 3 || !slices.IsSorted(domains) {
		t.Errorf("domains = %q, want several, sorted", domains)
	}
	missing := filepath.Join(t.TempDir(), "none", "p.db")
	for _, args := range [][]string{
		{"complete-domains", "--db", missing},
		{"complete-domains", "--no-such-flag"},
		{"complete-domains", "--db", corpusLog}, // not a database
	} {
		code, out, errOut := runCLI(t, "", args...)
		if code != 0 || out != "" || errOut != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want silence", args, code, out, errOut)
		}
	}
	if _, err := os.Stat(filepath.Dir(missing)); err == nil {
		t.Errorf("complete-domains created %s", filepath.Dir(missing))
	}
}

// TestFishCompletion asks fish itself (complete -C) what it would offer.
func TestFishCompletion(t *testing.T) {
	fish, err := exec.LookPath("fish")
	if err != nil {
		t.Skip("fish is not installed")
	}
	script := completionScript(t, "fish")
	for line, want := range map[string][]string{
		"pftls rep":                {"report"},
		"pftls report --for":       {"--format"},
		"pftls report --format ":   {"csv", "email", "html", "json", "markdown", "prometheus", "text"},
		"pftls completion ":        {"bash", "fish", "zsh"},
		"pftls report --section b": {"bounces"},
	} {
		cmd := exec.Command(fish, "--no-config", "-c", "source "+script+"; complete -C '"+line+"'")
		cmd.Dir = t.TempDir()
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("fish: %v", err)
		}
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			word, _, _ := strings.Cut(l, "\t")
			got = append(got, word)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%q: fish offers %q, want %q", line, got, want)
		}
	}
}

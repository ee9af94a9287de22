package main

import (
	"regexp"
	"strings"
	"testing"
)

// TestVersionPrintsWhatABugReportNeeds: the version line first (scripts
// read it), then the toolchain and the SQLite compiled in.
func TestVersionPrintsWhatABugReportNeeds(t *testing.T) {
	code, out, errOut := runCLI(t, "", "version")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	first, _, _ := strings.Cut(out, "\n")
	if !strings.HasPrefix(first, "pftls ") {
		t.Errorf("first line %q, want \"pftls VERSION\"", first)
	}
	if !regexp.MustCompile(`(?m)^sqlite: +3\.\d+\.\d+$`).MatchString(out) {
		t.Errorf("no SQLite version in:\n%s", out)
	}
	if !strings.Contains(out, "go:       go1.") {
		t.Errorf("no Go version in:\n%s", out)
	}
}

// TestVersionStamped: -ldflags -X values win over the build info.
func TestVersionStamped(t *testing.T) {
	defer func(v, c, d string) { version, commit, date = v, c, d }(version, commit, date)
	version, commit, date = "1.2.3", "0123456789abcdef", "2026-12-06T00:00:00Z"
	var b strings.Builder
	readBuildInfo().write(&b, "3.0.0")
	for _, want := range []string{"pftls 1.2.3\n", "commit:   0123456789abcdef\n", "built:    2026-12-06T00:00:00Z\n", "sqlite:   3.0.0\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %q in:\n%s", want, b.String())
		}
	}
	version = ""
	if got := readBuildInfo().short(); got != "devel-0123456789ab" {
		t.Errorf("unstamped version with a commit = %q, want devel-0123456789ab", got)
	}
}

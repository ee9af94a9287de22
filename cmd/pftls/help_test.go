package main

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var updateMan = flag.Bool("update-man", false, "rewrite doc/pftls.1")

const manPath = "../../doc/pftls.1"

// TestHelpShowsDoubleDashFlagsAndExamples: every command's --help spells
// its flags as the README and the man page do (--since DUR, not -since),
// and shows its synopsis and examples.
func TestHelpShowsDoubleDashFlagsAndExamples(t *testing.T) {
	for _, c := range visibleCommands() {
		_, fs, ok := commandFlags(c)
		if !ok {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", c.name, "--help")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			help := out + errOut
			if !strings.Contains(help, "Usage: pftls "+c.name) {
				t.Errorf("no synopsis in:\n%s", help)
			}
			fs.VisitAll(func(f *flag.Flag) {
				if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(flagSpelling(f)) + `( |$)`).MatchString(help) {
					t.Errorf("flag %s missing from:\n%s", flagSpelling(f), help)
				}
				if len(f.Name) > 1 && regexp.MustCompile(`(?m)^  -`+regexp.QuoteMeta(f.Name)+`\b`).MatchString(help) {
					t.Errorf("flag -%s shown with one dash", f.Name)
				}
			})
			doc := commandDocs[c.name]
			if len(doc.examples) < 2 {
				t.Errorf("%d examples in help.go, want two or three", len(doc.examples))
			}
			for _, ex := range doc.examples {
				if !strings.Contains(help, "  "+ex.cmd+"\n") {
					t.Errorf("example %q missing from:\n%s", ex.cmd, help)
				}
			}
		})
	}
}

// TestHelpExamplesUseRealFlags: an example that names a flag the command
// does not have would teach a usage error.
func TestHelpExamplesUseRealFlags(t *testing.T) {
	for _, c := range visibleCommands() {
		_, fs, ok := commandFlags(c)
		if !ok {
			continue
		}
		for _, ex := range commandDocs[c.name].examples {
			for _, w := range strings.Fields(ex.cmd) {
				name, ok := strings.CutPrefix(w, "--")
				if !ok || c.name == "version" && name == "version" { // pftls --version
					continue
				}
				if fs.Lookup(name) == nil {
					t.Errorf("pftls %s example %q: no flag --%s", c.name, ex.cmd, name)
				}
			}
		}
	}
}

// TestUsageListsVisibleCommandsOnly: man and complete-domains are for
// packaging and scripts, not for the command list.
func TestUsageListsVisibleCommandsOnly(t *testing.T) {
	code, out, _ := runCLI(t, "", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"  completion ", "  report ", "  version "} {
		if !strings.Contains(out, want) {
			t.Errorf("usage lacks %q:\n%s", want, out)
		}
	}
	for _, hidden := range []string{"complete-domains", "  man "} {
		if strings.Contains(out, hidden) {
			t.Errorf("usage shows hidden %q:\n%s", hidden, out)
		}
	}
}

func generatedMan(t *testing.T) []byte {
	t.Helper()
	code, out, errOut := runCLI(t, "", "man")
	if code != 0 {
		t.Fatalf("pftls man: exit %d: %s", code, errOut)
	}
	return []byte(out)
}

// TestManPageIsGenerated: doc/pftls.1 is what "pftls man" writes today
// (regenerate with go generate ./cmd/pftls, or go test -run TestManPage
// ./cmd/pftls -update-man).
func TestManPageIsGenerated(t *testing.T) {
	page := generatedMan(t)
	if *updateMan {
		if err := os.WriteFile(manPath, page, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	committed, err := os.ReadFile(manPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, page) {
		t.Errorf("doc/pftls.1 is out of date: run go generate ./cmd/pftls")
	}
}

// TestManPageHasEveryFlag: each command's section names every flag of its
// FlagSet, and every example.
func TestManPageHasEveryFlag(t *testing.T) {
	page := string(generatedMan(t))
	for _, c := range visibleCommands() {
		_, fs, ok := commandFlags(c)
		if !ok {
			continue
		}
		head := `.SH "PFTLS ` + strings.ToUpper(c.name) + `"`
		start := strings.Index(page, head)
		if start < 0 {
			t.Errorf("no section %s", head)
			continue
		}
		section := page[start+len(head):]
		if end := strings.Index(section, "\n.SH "); end >= 0 {
			section = section[:end]
		}
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(section, roff(flagSpelling(f))+" ") && !strings.Contains(section, ".B "+roff(flagSpelling(f))+"\n") {
				t.Errorf("%s: flag %s missing from the man page", c.name, flagSpelling(f))
			}
		})
		for _, ex := range commandDocs[c.name].examples {
			if !strings.Contains(section, roff(ex.cmd)) {
				t.Errorf("%s: example %q missing from the man page", c.name, ex.cmd)
			}
		}
	}
}

// TestManPageRendersWithoutWarnings: man -l (and groff -ww) print nothing
// on standard error.
func TestManPageRendersWithoutWarnings(t *testing.T) {
	if _, err := exec.LookPath("man"); err != nil {
		t.Skip("man is not installed (apt-get install man-db groff-base)")
	}
	page := filepath.Join(t.TempDir(), "pftls.1")
	if err := os.WriteFile(page, generatedMan(t), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("man", "-l", page)
	cmd.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("man -l: %v\n%s", err, errOut.String())
	}
	if errOut.Len() > 0 {
		t.Errorf("man -l warned:\n%s", errOut.String())
	}
	for _, want := range []string{"PFTLS REPORT", "--since DUR", "pftls report --since 24h /var/log/mail.log", "EXIT STATUS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
	if _, err := exec.LookPath("groff"); err == nil {
		out, err := exec.Command("groff", "-man", "-Tutf8", "-ww", "-z", page).CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("groff -ww: %v\n%s", err, out)
		}
	}
}

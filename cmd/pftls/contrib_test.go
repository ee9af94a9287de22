package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestContribUnitsUseRealFlags: every pftls command line in the systemd
// units names a command and flags it has (a renamed flag would otherwise
// only fail at 06:15 on a server).
func TestContribUnitsUseRealFlags(t *testing.T) {
	units, _ := filepath.Glob("../../contrib/systemd/*.service")
	if len(units) < 2 {
		t.Fatalf("units: %v", units)
	}
	seen := 0
	for _, u := range units {
		text, err := os.ReadFile(u)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(text), "\n") {
			key, value, ok := strings.Cut(line, "=")
			if !ok || !strings.HasPrefix(key, "Exec") {
				continue
			}
			words := strings.Fields(strings.TrimLeft(value, "-@:+!"))
			if len(words) < 2 || words[0] != "/usr/bin/pftls" {
				t.Errorf("%s: %s does not run /usr/bin/pftls COMMAND", filepath.Base(u), line)
				continue
			}
			seen++
			var cmd *command
			for _, c := range commands() {
				if c.name == words[1] {
					cmd = &c
				}
			}
			if cmd == nil {
				t.Errorf("%s: no command %q", filepath.Base(u), words[1])
				continue
			}
			_, fs, _ := commandFlags(*cmd)
			for _, w := range words[2:] {
				if !strings.HasPrefix(w, "-") {
					continue
				}
				if fs.Lookup(strings.TrimLeft(w, "-")) == nil {
					t.Errorf("%s: pftls %s has no flag %s", filepath.Base(u), words[1], w)
				}
			}
		}
	}
	if seen < 3 {
		t.Errorf("found %d pftls command lines, want the report's ingests and report, and tail", seen)
	}
}

// TestReadmeInstallSection: the README says how to install both ways and
// under which licence.
func TestReadmeInstallSection(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"## Install",
		"scripts/build-deb.sh",
		"sudo apt install ./dist/pftls_*.deb",
		"go install github.com/pftls/pftls/cmd/pftls@latest",
		"Apache License 2.0",
		"No logrotate configuration",
	} {
		if !strings.Contains(string(readme), want) {
			t.Errorf("README lacks %q", want)
		}
	}
}

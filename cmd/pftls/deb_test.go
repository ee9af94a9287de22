package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestDebianPackage builds the .deb with scripts/build-deb.sh, checks its
// files and control data, unpacks it into a scratch root and runs what was
// installed: the binary (version, report on the sample log), the man page
// (man -l, no warnings), the bash completion (bash -n) and the systemd
// units (systemd-analyze verify). Each tool it lacks is skipped.
func TestDebianPackage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a package; skipped with -short")
	}
	for _, tool := range []string{"dpkg-deb", "dpkg", "gzip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	out := t.TempDir()
	build := exec.Command("sh", "scripts/build-deb.sh")
	build.Dir = "../.."
	build.Env = append(os.Environ(), "OUT="+out, "VERSION=1.2.3~test")
	stdout, err := build.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("build-deb.sh: %v\n%s", err, stderr)
	}
	lines := strings.Split(strings.TrimSpace(string(stdout)), "\n")
	deb := lines[len(lines)-1]
	if !strings.HasPrefix(filepath.Base(deb), "pftls_1.2.3~test_") || !strings.HasSuffix(deb, ".deb") {
		t.Fatalf("package %q, want pftls_1.2.3~test_ARCH.deb", deb)
	}

	t.Run("control", func(t *testing.T) {
		fields, err := exec.Command("dpkg-deb", "-f", deb, "Package", "Version", "Depends", "Section").Output()
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Package: pftls\n", "Version: 1.2.3~test\n", "Section: mail\n"} {
			if !strings.Contains(string(fields), want) {
				t.Errorf("control lacks %q:\n%s", want, fields)
			}
		}
		depends := ""
		for _, l := range strings.Split(string(fields), "\n") {
			if d, ok := strings.CutPrefix(l, "Depends: "); ok {
				depends = d
			}
		}
		if !strings.HasPrefix(depends, "libc6") || strings.Contains(depends, ",") {
			t.Errorf("Depends: %q, want libc6 alone (SQLite is compiled in)", depends)
		}
	})

	t.Run("files", func(t *testing.T) {
		list, err := exec.Command("dpkg-deb", "-c", deb).Output()
		if err != nil {
			t.Fatal(err)
		}
		var files []string
		for _, l := range strings.Split(string(list), "\n") {
			f := strings.Fields(l)
			if len(f) >= 6 && !strings.HasSuffix(f[5], "/") {
				files = append(files, strings.TrimPrefix(f[5], "."))
			}
		}
		want := []string{
			"/lib/systemd/system/pftls-report.service",
			"/lib/systemd/system/pftls-report.timer",
			"/lib/systemd/system/pftls-tail.service",
			"/lib/systemd/system/pftls-tlsrpt.service",
			"/lib/systemd/system/pftls-tlsrpt.timer",
			"/usr/bin/pftls",
			"/usr/lib/sysusers.d/pftls.conf",
			"/usr/share/bash-completion/completions/pftls",
			"/usr/share/doc/pftls/README.md.gz",
			"/usr/share/doc/pftls/changelog.Debian.gz",
			"/usr/share/doc/pftls/copyright",
			"/usr/share/fish/vendor_completions.d/pftls.fish",
			"/usr/share/man/man1/pftls.1.gz",
			"/usr/share/zsh/vendor-completions/_pftls",
		}
		slices.Sort(files)
		if !slices.Equal(files, want) {
			t.Errorf("files:\n%s\nwant:\n%s", strings.Join(files, "\n"), strings.Join(want, "\n"))
		}
		if !strings.Contains(string(list), "-rwxr-xr-x root/root") {
			t.Errorf("no root-owned executable in:\n%s", list)
		}
	})

	root := t.TempDir()
	if out, err := exec.Command("dpkg-deb", "-x", deb, root).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v\n%s", err, out)
	}
	bin := filepath.Join(root, "usr/bin/pftls")

	t.Run("version", func(t *testing.T) {
		code, out, errOut := runBin(t, bin, nil, "version")
		if code != 0 || !strings.HasPrefix(out, "pftls 1.2.3~test\ncommit:   ") || !strings.Contains(out, "\nsqlite:   3.") {
			t.Errorf("exit %d, stdout:\n%s\nstderr: %s", code, out, errOut)
		}
	})

	t.Run("report", func(t *testing.T) {
		corpus, err := filepath.Abs(corpusLog)
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runBin(t, bin, []string{"HOME=" + t.TempDir()}, "report", "--db", ":memory:", "--year", "2026", "--tz", "UTC", "--format", "json", corpus)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		// The README's numbers for the sample log.
		for _, want := range []string{`"received": 284`, `"delivered": 533`, `"bounced": 15`} {
			if !strings.Contains(out, want) {
				t.Errorf("report lacks %s", want)
			}
		}
	})

	t.Run("man", func(t *testing.T) {
		if _, err := exec.LookPath("man"); err != nil {
			t.Skip("man is not installed (apt-get install man-db groff-base)")
		}
		cmd := exec.Command("man", "-l", filepath.Join(root, "usr/share/man/man1/pftls.1.gz"))
		cmd.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat")
		var page, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &page, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("man -l: %v\n%s", err, stderr.String())
		}
		if stderr.Len() > 0 {
			t.Errorf("man -l warned:\n%s", stderr.String())
		}
		if !strings.Contains(page.String(), "PFTLS TAIL") {
			t.Errorf("installed page lacks the tail section")
		}
	})

	t.Run("bash completion", func(t *testing.T) {
		if _, err := exec.LookPath("bash"); err != nil {
			t.Skip("bash is not installed")
		}
		if out, err := exec.Command("bash", "-n", filepath.Join(root, "usr/share/bash-completion/completions/pftls")).CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("bash -n: %v\n%s", err, out)
		}
	})

	t.Run("systemd units", func(t *testing.T) {
		if _, err := exec.LookPath("systemd-analyze"); err != nil {
			t.Skip("systemd-analyze is not installed")
		}
		// The units name /usr/bin/pftls; point them at the unpacked one.
		dir := t.TempDir()
		units, _ := filepath.Glob(filepath.Join(root, "lib/systemd/system/*"))
		var paths []string
		for _, u := range units {
			text, err := os.ReadFile(u)
			if err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, filepath.Base(u))
			if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(text), "/usr/bin/pftls", bin)), 0o644); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		}
		out, err := exec.Command("systemd-analyze", append([]string{"verify", "--man=no"}, paths...)...).CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("systemd-analyze verify: %v\n%s", err, out)
		}
	})
}

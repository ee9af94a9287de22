package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestProfilesAreWritten: --cpuprofile and --memprofile on report and
// ingest each leave a pprof file (gzip-compressed protocol buffers), so a
// profile asked for is never silently missing.
func TestProfilesAreWritten(t *testing.T) {
	const log = "../../testdata/logs/tls-untrusted-issuer.log"
	for _, cmd := range [][]string{
		{"report", "--db", ":memory:", "--format", "json"},
		{"ingest", "-q", "--db", "DB"},
	} {
		t.Run(cmd[0], func(t *testing.T) {
			dir := t.TempDir()
			cpu, mem := filepath.Join(dir, "cpu.out"), filepath.Join(dir, "mem.out")
			args := append([]string{}, cmd...)
			for i, a := range args {
				if a == "DB" {
					args[i] = filepath.Join(dir, "pftls.db")
				}
			}
			args = append(args, "--cpuprofile", cpu, "--memprofile", mem, log)
			if code, _, errOut := runCLI(t, "", args...); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, p := range []string{cpu, mem} {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
					t.Errorf("%s: not a pprof profile (%d bytes)", filepath.Base(p), len(b))
				}
			}
		})
	}
}

// TestMemProfileUnwritable: a heap profile pftls cannot create is an
// error before the command runs, not a profile quietly lost.
func TestMemProfileUnwritable(t *testing.T) {
	code, _, errOut := runCLI(t, "", "report", "--db", ":memory:", "--memprofile", filepath.Join(t.TempDir(), "no", "mem.out"),
		"../../testdata/logs/tls-untrusted-issuer.log")
	if code == 0 || !bytes.Contains([]byte(errOut), []byte("heap profile")) {
		t.Fatalf("exit %d, stderr %q: want a heap profile error", code, errOut)
	}
}

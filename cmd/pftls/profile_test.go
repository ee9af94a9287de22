package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
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

// TestLimitMemory: each command gets its heap limit and collector
// setting, a report from a database its own, and GOMEMLIMIT leaves all to
// the runtime.
func TestLimitMemory(t *testing.T) {
	cases := []struct {
		name       string
		set        func()
		gomemlimit string
		wantLimit  int64 // math.MaxInt64: none
		wantGOGC   int
	}{
		{"ingest", func() { limitMemory([]string{"ingest", "x.log"}) }, "", boundedMemory, boundedGCPercent},
		{"tail", func() { limitMemory([]string{"tail"}) }, "", boundedMemory, boundedGCPercent},
		{"report args", func() { limitMemory([]string{"report", "--since", "24h"}) }, "", math.MaxInt64, 100},
		{"no command", func() { limitMemory(nil) }, "", math.MaxInt64, 100},
		{"ingest GOMEMLIMIT", func() { limitMemory([]string{"ingest"}) }, "1GiB", math.MaxInt64, 100},
		{"report from a database", func() { limitReportMemory(databaseReportMemory, 100, databaseLargeGCPercent)() }, "", databaseReportMemory, 100},
		{"report FILE: its ingest, then the report", func() { limitIngestMemory(); limitReportMemory(databaseReportMemory, 100, databaseLargeGCPercent)() }, "", databaseReportMemory, 100},
		{"report FILE: its ingest", limitIngestMemory, "", boundedMemory, boundedGCPercent},
		{"report GOMEMLIMIT", func() { limitReportMemory(databaseReportMemory, 100, databaseLargeGCPercent)() }, "1GiB", math.MaxInt64, 100},
		{"report --db :memory: FILE", func() { limitReportMemory(reportMemory, reportGCPercent, 0)() }, "", reportMemory, reportGCPercent},
	}
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOMEMLIMIT", tc.gomemlimit)
			t.Setenv("GOGC", "")
			debug.SetMemoryLimit(math.MaxInt64)
			debug.SetGCPercent(100)
			tc.set()
			if got := debug.SetMemoryLimit(-1); got != tc.wantLimit {
				t.Errorf("memory limit %d, want %d", got, tc.wantLimit)
			}
			if got := debug.SetGCPercent(100); got != tc.wantGOGC {
				t.Errorf("GOGC %d, want %d", got, tc.wantGOGC)
			}
		})
	}
}

// TestReportMemoryFromFiles: "report --db :memory: FILE" sets the
// report's heap limit, and a report from a database its lower one (SQLite
// comes on top); GOMEMLIMIT still wins.
func TestReportMemoryFromFiles(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	const log = "../../testdata/logs/tls-untrusted-issuer.log"
	db := filepath.Join(t.TempDir(), "pftls.db")
	if code, _, errOut := runCLI(t, "", "ingest", "--db", db, "--year", "2026", "--tz", "UTC", log); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	for _, tc := range []struct {
		args       []string
		gomemlimit string
		wantLimit  int64
		wantGOGC   int
	}{
		{[]string{"--db", ":memory:", log}, "", reportMemory, reportGCPercent},
		{[]string{"--db", ":memory:", log}, "1GiB", math.MaxInt64, 100},
		{[]string{"--db", db, "--all"}, "", databaseReportMemory, 100},
		{[]string{"--db", db, "--all"}, "1GiB", math.MaxInt64, 100},
	} {
		t.Setenv("GOMEMLIMIT", tc.gomemlimit)
		t.Setenv("GOGC", "")
		debug.SetMemoryLimit(math.MaxInt64)
		debug.SetGCPercent(100)
		args := append([]string{"report", "--format", "json", "--year", "2026", "--tz", "UTC"}, tc.args...)
		code, _, errOut := runCLI(t, "", args...)
		if code != 0 {
			t.Fatalf("%v, GOMEMLIMIT=%q: exit %d: %s", tc.args, tc.gomemlimit, code, errOut)
		}
		if got := debug.SetMemoryLimit(-1); got != tc.wantLimit {
			t.Errorf("%v, GOMEMLIMIT=%q: memory limit %d, want %d", tc.args, tc.gomemlimit, got, tc.wantLimit)
		}
		if got := debug.SetGCPercent(100); got != tc.wantGOGC {
			t.Errorf("%v, GOMEMLIMIT=%q: GOGC %d, want %d", tc.args, tc.gomemlimit, got, tc.wantGOGC)
		}
	}
}

// TestLiftedLimit: a report's heap limit stays while the live heap is
// under nine tenths of it, and follows twice the live heap past that.
func TestLiftedLimit(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct{ limit, live, want int64 }{
		{100 * mib, 0, 100 * mib},
		{100 * mib, 85 * mib, 100 * mib},
		{100 * mib, 90 * mib, 100 * mib},
		{100 * mib, 90*mib + 1, 180*mib + 2},
		{100 * mib, 300 * mib, 600 * mib},
		{600 * mib, 400 * mib, 600 * mib}, // lifted once, it is not lowered
		{600 * mib, 560 * mib, 1120 * mib},
	} {
		if got := liftedLimit(tc.limit, tc.live); got != tc.want {
			t.Errorf("liftedLimit(%d MiB, live %d MiB) = %d, want %d", tc.limit/mib, tc.live/mib, got, tc.want)
		}
	}
}

// TestLargeHeapGCPercent: a report from a database whose live heap passes
// largeLiveHeap runs at databaseLargeGCPercent; one that stays under it,
// and one under a GOGC of the user's, keep their GOGC. So does a report
// begun after something else kept a large heap live (an ingest of FILE
// arguments): the live heap the last collection measured before the
// report began is not the report's.
func TestLargeHeapGCPercent(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	const large = largeLiveHeap + 8<<20
	for _, tc := range []struct {
		name   string
		gogc   string
		before int64 // bytes live at the last collection before the report
		keep   int64 // bytes kept live while the watcher looks
		want   int
	}{
		{"small", "", 0, 0, 100},
		{"large", "", 0, large, databaseLargeGCPercent},
		{"large under GOGC", "80", 0, large, 100},
		{"large before the report only", "", large, 0, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOMEMLIMIT", "")
			t.Setenv("GOGC", tc.gogc)
			debug.SetGCPercent(100)
			earlier := touched(tc.before)
			runtime.GC()
			runtime.KeepAlive(earlier)
			earlier = nil
			stop := limitReportMemory(databaseReportMemory, 100, databaseLargeGCPercent)
			kept := touched(tc.keep)
			got := 100
			// The watcher looks every limitCheckEvery at the live heap of
			// the last collection.
			for range 10 {
				if tc.before == 0 { // a collection after the report began
					runtime.GC()
				}
				time.Sleep(2 * limitCheckEvery)
				if got = debug.SetGCPercent(-1); got != 100 || tc.want == 100 {
					break
				}
			}
			stop()
			runtime.KeepAlive(kept)
			if got != tc.want {
				t.Errorf("GOGC %d with %d MiB live before the report and %d MiB in it, want %d", got, tc.before>>20, tc.keep>>20, tc.want)
			}
		})
	}
}

// touched is n bytes, each written, so that they are live memory.
func touched(n int64) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = 1
	}
	return b
}

package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/pprof"
)

// registerCPUProfile adds --cpuprofile, for the commands that profile
// themselves (ingest and report).
func registerCPUProfile(fs *flag.FlagSet) *string {
	return fs.String("cpuprofile", "", "write a CPU profile to `FILE` (for go tool pprof)")
}

// startCPUProfile writes a CPU profile of the rest of the command to path
// (for 'go tool pprof'); the returned function stops it. An empty path
// profiles nothing.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile %s: %w", path, err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			return fmt.Errorf("cpu profile %s: %w", path, err)
		}
		return nil
	}, nil
}

// boundedMemory is the Go heap's soft limit for the commands whose state
// is bounded (ingest and tail: the correlator's open messages and two
// batches of facts). Under it the collector runs more often instead of
// letting the heap grow to twice what is live; with SQLite's page cache
// the process stays under 150 MB however long the log.
const boundedMemory = 80 << 20

// boundedGCPercent is the collector's GOGC for the same commands. Their
// live heap is a few tens of MB and the limit above caps the heap anyway,
// so the default 100 only made the collector run more often than the
// limit needs: 300 took 7 % of ingest's CPU off on a 1,000,000-line log,
// with the same peak RSS (docs/performance.md, round 4).
const boundedGCPercent = 300

// limitMemory sets boundedMemory and boundedGCPercent for ingest and tail,
// unless GOMEMLIMIT says otherwise (then it sets neither) or GOGC does.
// Reports keep the defaults: their live heap grows with the distinct
// senders and recipients of the window, and a limit below it would make
// the collector run all the time.
func limitMemory(args []string) {
	if len(args) == 0 {
		return
	}
	switch args[0] {
	case "ingest", "tail":
		if os.Getenv("GOMEMLIMIT") != "" {
			return // without the limit, GOGC 300 would let the heap grow to four times what is live
		}
		debug.SetMemoryLimit(boundedMemory)
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(boundedGCPercent)
		}
	}
}

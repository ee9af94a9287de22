package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"time"
)

// profileFlags are --cpuprofile and --memprofile, for the commands that
// profile themselves (ingest and report).
type profileFlags struct{ cpu, mem string }

// registerProfiles adds --cpuprofile and --memprofile to fs.
func registerProfiles(fs *flag.FlagSet) *profileFlags {
	p := &profileFlags{}
	fs.StringVar(&p.cpu, "cpuprofile", "", "write a CPU profile to `FILE` (for go tool pprof)")
	fs.StringVar(&p.mem, "memprofile", "", "write a heap profile of the live heap's peak to `FILE` (for go tool pprof)")
	return p
}

// start starts the profiles asked for; the returned function stops them
// and writes what is left to write.
func (p *profileFlags) start() (stop func() error, err error) {
	stopCPU, err := startCPUProfile(p.cpu)
	if err != nil {
		return nil, err
	}
	stopMem, err := startMemProfile(p.mem)
	if err != nil {
		return nil, errors.Join(err, stopCPU())
	}
	return func() error { return errors.Join(stopCPU(), stopMem()) }, nil
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

// heapPollEvery is how often startMemProfile looks at the live heap.
const heapPollEvery = 20 * time.Millisecond

// startMemProfile writes to path the heap profile of the moment the live
// heap (as the last collection measured it) was largest: what holds a
// command's peak memory, which a profile written at the end, after the
// state is dropped, would not show. It looks every heapPollEvery and
// rewrites the file at each new peak; the returned function stops it. An
// empty path profiles nothing.
func startMemProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("heap profile: %w", err)
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak uint64
	var buf bytes.Buffer
	write := func() error {
		metrics.Read(sample)
		live := sample[0].Value.Uint64()
		if live <= peak && peak > 0 {
			return nil
		}
		peak = live
		buf.Reset()
		if err := pprof.Lookup("heap").WriteTo(&buf, 0); err != nil {
			return err
		}
		if err := f.Truncate(0); err != nil {
			return err
		}
		_, err := f.WriteAt(buf.Bytes(), 0)
		return err
	}
	done, finished := make(chan struct{}), make(chan error, 1)
	go func() {
		t := time.NewTicker(heapPollEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				finished <- write()
				return
			case <-t.C:
				if err := write(); err != nil {
					finished <- err
					return
				}
			}
		}
	}()
	var once sync.Once
	return func() (err error) {
		once.Do(func() {
			close(done)
			err = <-finished
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		})
		if err != nil {
			return fmt.Errorf("heap profile %s: %w", path, err)
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

// reportMemory is the Go heap's soft limit for "report --db :memory:
// FILE...". Its live heap is what counts the window once (distinct
// senders, recipients and clients, deferred messages and recipients), and
// the lines being parsed: 60-90 MB for a day of 10,000,000 lines. Under
// GOGC 100 alone the heap may grow to twice that (160 and 218 MB of RSS on
// the two 10M-line days); the limit leaves GOGC (reportGCPercent) in
// charge while the live heap is well under it, and makes the collector
// run more often above:
// 127 MB for both, for no more CPU (what a report keeps of a window holds
// few pointers, report/ids.go, so a collection costs little). A window
// whose live heap nears the limit costs collector CPU, not failure;
// GOMEMLIMIT overrides it.
const reportMemory = 110 << 20

// reportGCPercent is GOGC under reportMemory. What a direct report keeps
// is small beside what it allocates as it reads (the lines, the batches of
// facts): at GOGC 200 the collector runs half as often, for 6-10 % less
// wall time on a million lines (1.09-1.29 -> 0.99-1.01 s default mix,
// 1.20-1.25 -> 1.13-1.17 s TLS-heavy) and 112-126 MB of RSS instead of
// 86-94. At 10 million lines the limit bounds it as before (127 MB).
const reportGCPercent = 200

// databaseReportMemory is the soft limit for a report from a database,
// lower than reportMemory because SQLite's own memory (its page cache,
// the rows being read and the statements' copies of their parameters)
// comes on top: at 110 MiB the report of a TLS-heavy 10M-line day peaked
// at 151-155 MB of RSS, at 96 MiB at 137-141 MB for 5-8 % more CPU
// (88 MiB: 131 MB, 8-10 %). Smaller windows never reach it.
const databaseReportMemory = 96 << 20

// limitMemory sets boundedMemory and boundedGCPercent for ingest and tail,
// unless GOMEMLIMIT says otherwise (then it sets neither) or GOGC does.
// Reports set theirs once they know where they read (limitReportMemory).
func limitMemory(args []string) {
	if len(args) == 0 {
		return
	}
	switch args[0] {
	case "ingest", "tail":
		limitIngestMemory()
	}
}

// limitIngestMemory sets boundedMemory and boundedGCPercent: for ingest
// and tail, and for the ingest of a report's FILE arguments into its
// database, unless GOMEMLIMIT says otherwise (then it sets neither) or
// GOGC does.
func limitIngestMemory() {
	// Without the limit, GOGC 300 would let the heap grow to four times
	// what is live: neither is set under GOMEMLIMIT.
	setHeapLimit(boundedMemory, boundedGCPercent)
}

// setHeapLimit sets the Go heap's soft limit and GOGC (unless GOGC is
// set), and reports true; it sets neither, and reports false, when
// GOMEMLIMIT says otherwise.
func setHeapLimit(limit int64, gcPercent int) bool {
	if os.Getenv("GOMEMLIMIT") != "" {
		return false
	}
	debug.SetMemoryLimit(limit)
	if !userGOGC() {
		debug.SetGCPercent(gcPercent)
	}
	return true
}

// userGOGC reports whether GOGC is the user's to set: pftls then leaves
// the collector's pace alone.
func userGOGC() bool { return os.Getenv("GOGC") != "" }

// limitReportMemory sets the report's heap limit (reportMemory or
// databaseReportMemory) and GOGC (reportGCPercent, or 100: back at its
// default after an ingest of FILE arguments), unless GOMEMLIMIT says
// otherwise. Until stop is called it watches the live heap:
//   - it lifts the limit as the live heap grows (liftedLimit): a window
//     whose live heap alone nears the limit (a week at 10M lines a day)
//     would otherwise keep the collector running without pause;
//   - once the live heap is over largeLiveHeap, GOGC becomes
//     largeGCPercent (0: it stays), unless GOGC says otherwise.
func limitReportMemory(limit int64, gcPercent, largeGCPercent int) (stop func()) {
	if !setHeapLimit(limit, gcPercent) {
		return func() {}
	}
	if userGOGC() {
		largeGCPercent = 0
	}
	// The live heap is measured by each collection, of what was reachable
	// when it began: only a collection begun after the report began
	// measures the report's (an ingest of FILE arguments may have kept
	// tens of MB live before it), and the first to end after it may have
	// begun before it.
	samples := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/gc/heap/live:bytes"}}
	metrics.Read(samples)
	began := samples[0].Value.Uint64()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(limitCheckEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			metrics.Read(samples)
			if samples[0].Value.Uint64() < began+2 {
				continue
			}
			n := int64(samples[1].Value.Uint64())
			if next := liftedLimit(limit, n); next != limit {
				limit = next
				debug.SetMemoryLimit(limit)
			}
			if largeGCPercent != 0 && n > largeLiveHeap {
				debug.SetGCPercent(largeGCPercent)
				largeGCPercent = 0
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
	}
}

// largeLiveHeap and databaseLargeGCPercent: a report from a database whose
// live heap passes largeLiveHeap (what it counts once: distinct senders
// and recipients, deferred recipients and their delays, smtpd clients)
// runs at GOGC databaseLargeGCPercent, so that its heap grows by half what
// is live rather than by all of it. The 7-day report of the bench's
// database of 1M lines a day (35-40 MB live) peaked at 115 MB of RSS at
// GOGC 100 and 93-96 MB at 50, for 4 % more wall time; the report of one
// such day (18 MB live) and smaller windows never pass it, and keep their
// speed. A week of 10M lines a day (170-200 MB live) is bounded by the
// lifted limit before GOGC (344-348 MB of RSS either way).
const (
	largeLiveHeap          = 24 << 20
	databaseLargeGCPercent = 50
)

// limitCheckEvery is how often limitReportMemory looks at the live heap.
const limitCheckEvery = 100 * time.Millisecond

// liftedLimit is a report's heap limit once the live heap is live bytes:
// the limit as it is while the live heap is under nine tenths of it, and
// twice the live heap past that, as GOGC 100 alone would let it grow. A
// live heap a little under the limit costs little (the TLS-heavy 10M-line
// day, 80-89 MB live under 110 MiB: no more CPU than without a limit, and
// 127 MB of RSS instead of 275); one over it keeps the collector running:
// the 7-day report of a database of 10M lines a day, several hundred MB
// live, took 166 s and 226 s of CPU under 96 MiB, 62 s without a limit.
func liftedLimit(limit, live int64) int64 {
	if live <= limit/10*9 {
		return limit
	}
	return max(limit, 2*live)
}

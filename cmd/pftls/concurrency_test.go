package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// concurrencyDuration is how long TestTailWithConcurrentReports runs: a few
// seconds in every test run, 60 s with PFTLS_LONG_TESTS=1 (issue #10).
func concurrencyDuration() time.Duration {
	if os.Getenv("PFTLS_LONG_TESTS") == "1" {
		return 60 * time.Second
	}
	return 4 * time.Second
}

// TestTailWithConcurrentReports: tail writes while three report processes
// read in a loop; no report may fail (no "database is locked"), the numbers
// a report sees never go down, and at the end every line is stored once.
func TestTailWithConcurrentReports(t *testing.T) {
	bin, log, db, lines := followFixture(t)
	appendTo(t, log, lines[:100])

	tail := exec.Command(bin, "tail", "--db", db, "--format", "json", "--year", "2026", log)
	tail.Stdout, tail.Stderr = nil, nil
	if err := tail.Start(); err != nil {
		t.Fatal(err)
	}
	defer tail.Process.Kill()
	waitFor(t, "tail to store the first lines", func() bool { return storedLines(t, bin, db) == 100 })

	ctx, cancel := context.WithTimeout(context.Background(), concurrencyDuration())
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	reports := make([]int, 3)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var last int64
			for ctx.Err() == nil {
				out, err := exec.Command(bin, "report", "--db", db, "--all", "--format", "json").CombinedOutput()
				if err != nil {
					errs <- fmt.Errorf("report %d: %v: %s", i, err, out)
					return
				}
				var m struct {
					Lines struct{ Read int64 } `json:"lines"`
				}
				if err := json.Unmarshal(out, &m); err != nil {
					errs <- fmt.Errorf("report %d: %v", i, err)
					return
				}
				if m.Lines.Read < last {
					errs <- fmt.Errorf("report %d: lines went down from %d to %d", i, last, m.Lines.Read)
					return
				}
				last = m.Lines.Read
				reports[i]++
			}
		}(i)
	}
	// The writer: the rest of the corpus, a few lines at a time, again and
	// again (a copy with the host renamed each round, so nothing repeats).
	written := 100
	rest := lines[100:]
	for round := 0; ctx.Err() == nil; round++ {
		for i := 0; i < len(rest) && ctx.Err() == nil; i += 50 {
			chunk := rest[i:min(i+50, len(rest))]
			if round > 0 {
				chunk = renameHost(chunk, fmt.Sprintf("mail%02d", round))
			}
			appendTo(t, log, chunk)
			written += len(chunk)
			time.Sleep(20 * time.Millisecond)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	waitFor(t, "tail to catch up", func() bool { return storedLines(t, bin, db) == int64(written) })
	if err := tail.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := tail.Wait(); err != nil {
		t.Errorf("tail: %v", err)
	}
	for i, n := range reports {
		if n == 0 {
			t.Errorf("report loop %d never finished a report", i)
		}
	}
	t.Logf("%d lines written while 3 report loops ran %v reports", written, reports)
}

// renameHost replaces the host field of classic syslog lines.
func renameHost(lines []string, host string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.Replace(l, " mail postfix", " "+host+" postfix", 1)
	}
	return out
}

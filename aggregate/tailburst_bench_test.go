package aggregate_test

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// burstRate is the rate issue 19 asks tail to keep up with (lines/s).
const burstRate = 100000

// BenchmarkTailBurst: a writer appends the corpus to a followed log at
// burstRate lines per second, in 10 ms slices as a syslog daemon flushes,
// while Pump.Tail follows it into a store. It reports how long after the
// writer's last line every line was committed (lag-ms: the follower's
// poll, the commit cadence and any backlog) and the rate of the whole
// (stored-lines/s: from the first line written to the last stored). The corpus is short (5331 lines: 53 ms of burst) so that CI's
// -benchtime 1x stays quick; scripts/bench.sh holds the same burst for
// 10 s against pftls tail itself.
func BenchmarkTailBurst(b *testing.B) {
	lines := readLines(b, corpusLog)
	const head = 200 // written before tail starts: enough to recognise the file
	b.ReportAllocs()
	var lagSum time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		log := filepath.Join(dir, "mail.log")
		writeFile(b, log, joinLines(lines[:head]))
		p := newPump(openStore(b, filepath.Join(dir, "pftls.db")))
		var stored atomic.Int64
		// OnCommit runs when a commit is written; its Lines are the lines
		// the commit covers (Stored counts the commits finished before it
		// was packed).
		p.OnCommit = func(f aggregate.FileResult) { stored.Store(f.Resumed + f.Lines) }
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- p.Tail(ctx, aggregate.TailOptions{Path: log, Show: aggregate.ShowNew}) }()
		b.StartTimer()

		start := time.Now()
		stop := appendAtRate(b, log, lines[head:], burstRate)
		want := int64(len(lines))
		for stored.Load() < want {
			select {
			case err := <-done:
				cancel()
				b.Fatalf("tail ended with %d of %d lines stored: %v", stored.Load(), want, err)
			case <-time.After(2 * time.Millisecond):
			}
			if time.Since(stop) > 10*time.Second {
				cancel()
				b.Fatalf("10 s after the burst, %d of %d lines stored", stored.Load(), want)
			}
		}
		lag := time.Since(stop)
		lagSum += lag
		b.StopTimer()
		cancel()
		if err := <-done; err != nil && ctx.Err() == nil {
			b.Fatalf("tail: %v", err)
		}
		b.ReportMetric(float64(len(lines)-head)/time.Since(start).Seconds(), "stored-lines/s")
		b.StartTimer()
	}
	b.ReportMetric(float64(lagSum.Milliseconds())/float64(b.N), "lag-ms")
}

// appendAtRate appends lines to path at rate lines per second, one write
// per 10 ms slice, and returns when the last was written.
func appendAtRate(b *testing.B, path string, lines []string, rate int) time.Time {
	b.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	const slice = 10 * time.Millisecond
	per := max(rate/int(time.Second/slice), 1)
	start := time.Now()
	for k := 0; k < len(lines); k += per {
		if wait := time.Until(start.Add(time.Duration(k/per) * slice)); wait > 0 {
			time.Sleep(wait)
		}
		if _, err := f.Write(joinLines(lines[k:min(k+per, len(lines))])); err != nil {
			b.Fatal(err)
		}
	}
	return time.Now()
}

package aggregate

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// TestPumpWithoutStore_drains_small_batches: a pump with no store
// (report --db :memory:) hands its consumers the facts of at most
// noStoreDrainLines lines at a time, whatever CommitLines says: a batch
// of 50,000 lines' facts was 17 MB of a 10M-line report's live heap.
// Every line is still counted once.
func TestPumpWithoutStore_drains_small_batches(t *testing.T) {
	var batches, most, total int64
	p := &Pump{
		Corr:     NewCorrelator(DefaultOptions),
		KeepOpen: true,
		Consumers: []FactConsumer{FactsFunc(func(b *Batch) {
			var n int64
			for _, c := range b.LineCounts {
				n += c.Count
			}
			if n > 0 {
				batches++
			}
			most = max(most, n)
			total += n
		})},
	}
	res := ingestCorpus(t, p)
	p.Flush()
	if res.Lines <= noStoreDrainLines {
		t.Fatalf("the corpus has %d lines: too few to need a second batch", res.Lines)
	}
	if total != res.Lines {
		t.Errorf("the consumer counted %d lines of %d", total, res.Lines)
	}
	if most > noStoreDrainLines || batches < res.Lines/noStoreDrainLines {
		t.Errorf("%d lines came in %d batches of at most %d lines; want batches of at most %d", res.Lines, batches, most, noStoreDrainLines)
	}
}

// TestPumpOverlap_hands_the_same_facts_in_order: with Overlap the
// consumers take each batch on a goroutine of their own while the
// correlator reads on; they must get the same facts, in the same order, as
// without it, and no batch may be recycled while they still read it. The
// consumer dawdles over the first batches so that the correlator runs
// ahead of it and has to wait for them (maxInflight): a batch handed out
// of order, or cleared too early, shows.
func TestPumpOverlap_hands_the_same_facts_in_order(t *testing.T) {
	const dawdle = maxInflight + 2
	facts := func(overlap bool) (seen []string, beforeFlush int) {
		p := &Pump{
			Corr:        NewCorrelator(DefaultOptions),
			CommitLines: 256, // about 20 batches of the corpus
			KeepOpen:    true,
			Overlap:     overlap,
			Consumers: []FactConsumer{FactsFunc(func(b *Batch) {
				if overlap && len(seen) < dawdle {
					time.Sleep(20 * time.Millisecond)
				}
				// The line counts come from a map, in no order.
				counts := make([]string, len(b.LineCounts))
				for i, c := range b.LineCounts {
					counts[i] = fmt.Sprintf("%+v", c)
				}
				slices.Sort(counts)
				rest := *b
				rest.LineCounts = nil
				seen = append(seen, fmt.Sprintf("%+v %v", rest, counts))
			})},
		}
		ingestCorpus(t, p)
		beforeFlush = len(seen)
		p.Flush()
		return seen, beforeFlush
	}
	want, _ := facts(false)
	got, overlapped := facts(true)
	if overlapped < 2*dawdle {
		t.Fatalf("the corpus gave %d batches before the flush: too few to overlap", overlapped)
	}
	if len(got) != len(want) {
		t.Fatalf("with Overlap the consumer got %d batches, without %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("batch %d differs with Overlap:\n got %.300s\nwant %.300s", i, got[i], want[i])
		}
	}
}

// ingestCorpus reads the corpus through p, a pump with no store, with these
// tests' year, zone and clock; the caller flushes it.
func ingestCorpus(t *testing.T, p *Pump) FileResult {
	t.Helper()
	p.Resolver = func(source.Identity) logparse.Resolver { return logparse.Resolver{Year: 2026, Location: time.UTC} }
	p.Now = func() time.Time { return time.Unix(0, 0) }
	return ingestPath(t, p, "../testdata/corpus/corpus-a.log")
}

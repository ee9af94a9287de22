package aggregate

import (
	"context"
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
		Resolver: func(source.Identity) logparse.Resolver { return logparse.Resolver{Year: 2026, Location: time.UTC} },
		Now:      func() time.Time { return time.Unix(0, 0) },
	}
	r, err := source.Open("../testdata/corpus/corpus-a.log")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := p.IngestReader(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
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

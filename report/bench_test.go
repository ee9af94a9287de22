package report_test

import (
	"bufio"
	"context"
	"io"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
	"github.com/pftls/pftls/report"
)

const benchCorpus = "../testdata/corpus/corpus-a.log"

// benchStore ingests the real corpus into an in-memory store, as
// "pftls report --db :memory:" does before it builds the report.
func benchStore(b *testing.B) *aggregate.Store {
	b.Helper()
	ctx := context.Background()
	st, err := aggregate.Open(ctx, aggregate.Memory, aggregate.OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	p := &aggregate.Pump{
		Store: st,
		Corr:  aggregate.NewCorrelator(aggregate.DefaultOptions),
		Resolver: func(source.Identity) logparse.Resolver {
			return logparse.Resolver{Year: 2026, Location: time.UTC}
		},
		Now: func() time.Time { return time.Unix(0, 0) },
	}
	r, err := source.Open(benchCorpus)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	if _, err := p.IngestReader(ctx, r); err != nil {
		b.Fatal(err)
	}
	return st
}

// countSink counts the facts a query returns.
type countSink struct{ n int }

func (c *countSink) Message(*aggregate.Message)           { c.n++ }
func (c *countSink) Attempt(*aggregate.Attempt)           { c.n++ }
func (c *countSink) TLSFailure(*aggregate.TLSFailure)     { c.n++ }
func (c *countSink) Session(*aggregate.Session)           { c.n++ }
func (c *countSink) SessionCount(*aggregate.SessionCount) { c.n++ }
func (c *countSink) Reject(*aggregate.Reject)             { c.n++ }
func (c *countSink) Warning(*aggregate.Warning)           { c.n++ }
func (c *countSink) Unparsed(*aggregate.Unparsed)         { c.n++ }
func (c *countSink) LineCount(*aggregate.LineCount)       { c.n++ }

// BenchmarkBuild builds the report model over everything the corpus left
// in the store: the window queries and the counting rules. Its sub-
// benchmark "scan" is the store's part alone.
func BenchmarkBuild(b *testing.B) {
	st := benchStore(b)
	ctx := context.Background()
	var facts countSink
	if err := st.Scan(ctx, aggregate.Query{}, &facts); err != nil {
		b.Fatal(err)
	}
	b.Run("model", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			m, err := report.Build(ctx, st, report.Options{Zone: time.UTC})
			if err != nil {
				b.Fatal(err)
			}
			if m.Totals.Delivered == 0 {
				b.Fatal("nothing delivered")
			}
		}
		if s := b.Elapsed().Seconds(); s > 0 {
			b.ReportMetric(float64(b.N)*float64(facts.n)/s, "facts/s")
		}
	})
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			var c countSink
			if err := st.Scan(ctx, aggregate.Query{}, &c); err != nil {
				b.Fatal(err)
			}
		}
		if s := b.Elapsed().Seconds(); s > 0 {
			b.ReportMetric(float64(b.N)*float64(facts.n)/s, "facts/s")
		}
	})
}

// BenchmarkRender formats the corpus's model in each format.
func BenchmarkRender(b *testing.B) {
	st := benchStore(b)
	m, err := report.Build(context.Background(), st, report.Options{Zone: time.UTC})
	if err != nil {
		b.Fatal(err)
	}
	for _, format := range []string{"text", "markdown", "json", "html"} {
		b.Run(format, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				w := bufio.NewWriter(io.Discard)
				if err := report.Render(w, m, format, report.RenderOptions{Zone: time.UTC}); err != nil {
					b.Fatal(err)
				}
				w.Flush()
			}
		})
	}
}

// BenchmarkBuildWindow builds the report of the four whole hours in the
// middle of a generated six-hour log of two hosts: "rollups" as Build does
// (the hourly rollups and the facts they do not hold), "facts" from every
// fact of the window, as Build did before rollups.
func BenchmarkBuildWindow(b *testing.B) {
	ctx := context.Background()
	st, err := aggregate.Open(ctx, aggregate.Memory, aggregate.OpenOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	p := &aggregate.Pump{Store: st, Corr: aggregate.NewCorrelator(aggregate.DefaultOptions),
		Resolver: func(source.Identity) logparse.Resolver { return logparse.Resolver{Year: 2026, Location: time.UTC} }}
	r, err := source.Open("testdata/multi-hour-2hosts.log.gz")
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	if _, err := p.IngestReader(ctx, r); err != nil {
		b.Fatal(err)
	}
	start := time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)
	opts := report.Options{From: start, To: start.Add(4 * time.Hour), Zone: time.UTC}
	b.Run("rollups", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := report.Build(ctx, st, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("facts", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			bl := report.NewBuilder(opts)
			if err := st.Scan(ctx, aggregate.Query{From: opts.From, To: opts.To}, bl); err != nil {
				b.Fatal(err)
			}
			bl.Model()
		}
	})
}

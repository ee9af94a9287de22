package aggregate_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// The benchmarks run over the real corpus (5331 lines), so that they are
// quick enough for CI's -benchtime=1x; scripts/bench.sh measures the same
// code on generated logs of millions of lines.
const benchCorpus = "../testdata/corpus/corpus-a.log"

var benchResolver = logparse.Resolver{Year: 2026, Location: time.UTC}

// benchParsed parses the corpus once: the lines, their times and the bytes
// they take in the file.
func benchParsed(b *testing.B) ([]logparse.Line, []time.Time, int64) {
	b.Helper()
	f, err := os.Open(benchCorpus)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var lines []logparse.Line
	var times []time.Time
	var size int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := logparse.ParseString(sc.Text())
		lines = append(lines, l)
		times = append(times, benchResolver.Time(l.Stamp))
		size += int64(len(sc.Bytes()) + 1)
	}
	if err := sc.Err(); err != nil {
		b.Fatal(err)
	}
	return lines, times, size
}

func reportRate(b *testing.B, perOp int, unit string) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(b.N)*float64(perOp)/s, unit)
	}
}

// BenchmarkCorrelator feeds the parsed corpus to a new correlator per
// iteration, draining it every 1000 lines as a commit would.
func BenchmarkCorrelator(b *testing.B) {
	lines, times, size := benchParsed(b)
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	facts := 0
	for i := 0; i < b.N; i++ {
		c := aggregate.NewCorrelator(aggregate.DefaultOptions)
		for j := range lines {
			c.Add(&lines[j], times[j])
			if j%1000 == 999 {
				bt := c.Drain()
				facts += bt.Len()
			}
		}
		bt := c.Drain()
		facts += bt.Len()
	}
	b.StopTimer()
	reportRate(b, len(lines), "lines/s")
	if facts == 0 {
		b.Fatal("no facts")
	}
}

// BenchmarkCorrelatorState measures what ingest's commits add: encoding the
// whole open state (here after every 1000 lines; ingest encodes it on the
// commit's goroutine, tail stores it by changes).
func BenchmarkCorrelatorState(b *testing.B) {
	lines, times, _ := benchParsed(b)
	c := aggregate.NewCorrelator(aggregate.DefaultOptions)
	for j := range lines[:len(lines)/2] {
		c.Add(&lines[j], times[j])
	}
	c.Drain()
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		st, err := c.MarshalState()
		if err != nil {
			b.Fatal(err)
		}
		n += len(st)
	}
	b.StopTimer()
	b.ReportMetric(float64(n)/float64(b.N), "state-bytes")
}

// benchBatches correlates the corpus into batches of about 1000 lines each.
func benchBatches(b *testing.B) ([]aggregate.Batch, int) {
	lines, times, _ := benchParsed(b)
	c := aggregate.NewCorrelator(aggregate.DefaultOptions)
	var batches []aggregate.Batch
	rows := 0
	for j := range lines {
		c.Add(&lines[j], times[j])
		if j%1000 == 999 {
			bt := c.Drain()
			rows += bt.Len()
			batches = append(batches, bt)
		}
	}
	bt := c.Drain()
	rows += bt.Len()
	return append(batches, bt), rows
}

// shifted is a copy of a batch moved later by d, so that copies of the
// corpus's facts are new rows (messages are keyed by their start time).
func shifted(bt aggregate.Batch, d time.Duration) aggregate.Batch {
	out := aggregate.Batch{
		Messages: append([]aggregate.Message(nil), bt.Messages...),
		Attempts: append([]aggregate.Attempt(nil), bt.Attempts...),
		TLS:      append([]aggregate.TLSFailure(nil), bt.TLS...),
		Sessions: append([]aggregate.Session(nil), bt.Sessions...),
		Rejects:  append([]aggregate.Reject(nil), bt.Rejects...),
		Warnings: append([]aggregate.Warning(nil), bt.Warnings...),
		Unparsed: append([]aggregate.Unparsed(nil), bt.Unparsed...),
	}
	for i := range out.Messages {
		out.Messages[i].Start = out.Messages[i].Start.Add(d)
		out.Messages[i].LastSeen = out.Messages[i].LastSeen.Add(d)
	}
	for i := range out.Attempts {
		out.Attempts[i].Time = out.Attempts[i].Time.Add(d)
		out.Attempts[i].MessageStart = out.Attempts[i].MessageStart.Add(d)
	}
	for i := range out.TLS {
		out.TLS[i].Time = out.TLS[i].Time.Add(d)
	}
	for i := range out.Sessions {
		out.Sessions[i].Start = out.Sessions[i].Start.Add(d)
		out.Sessions[i].End = out.Sessions[i].End.Add(d)
	}
	for i := range out.Rejects {
		out.Rejects[i].Time = out.Rejects[i].Time.Add(d)
	}
	for _, c := range bt.LineCounts {
		c.Minute = c.Minute.Add(d)
		out.LineCounts = append(out.LineCounts, c)
	}
	return out
}

// BenchmarkStoreCommit writes the corpus's facts, ten times over (shifted by
// an hour each), into a new file database per iteration: one transaction
// per batch of about 1000 lines, with the correlator state, as ingest does.
func BenchmarkStoreCommit(b *testing.B) {
	batches, rows := benchBatches(b)
	const copies = 10
	var all []aggregate.Batch
	for k := 0; k < copies; k++ {
		for _, bt := range batches {
			all = append(all, shifted(bt, time.Duration(k)*time.Hour))
		}
	}
	state := []byte(`{"messages":[],"procs":[],"sessions":[],"mx_domain":{}}`)
	ctx := context.Background()
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		path := filepath.Join(dir, "bench.db")
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			os.Remove(p)
		}
		st, err := aggregate.Open(ctx, path, aggregate.OpenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for j := range all {
			if err := st.Commit(ctx, &all[j], state, nil, time.Unix(0, 0)); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.StopTimer()
	reportRate(b, rows*copies, "rows/s")
}

// BenchmarkIngestCorpus is the whole pump (read, parse, correlate, store)
// over the corpus file, into a new database per iteration: in memory (what
// "pftls report --db :memory:" does before building the report) and in a
// file ("pftls ingest").
func BenchmarkIngestCorpus(b *testing.B) {
	fi, err := os.Stat(benchCorpus)
	if err != nil {
		b.Fatal(err)
	}
	for _, where := range []string{"memory", "file"} {
		b.Run(where, func(b *testing.B) {
			ctx := context.Background()
			dir := b.TempDir()
			b.SetBytes(fi.Size())
			b.ReportAllocs()
			b.ResetTimer()
			lines := int64(0)
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				path := aggregate.Memory
				if where == "file" {
					path = filepath.Join(dir, "ingest.db")
					for _, p := range []string{path, path + "-wal", path + "-shm"} {
						os.Remove(p)
					}
				}
				st, err := aggregate.Open(ctx, path, aggregate.OpenOptions{})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				p := &aggregate.Pump{
					Store:    st,
					Corr:     aggregate.NewCorrelator(aggregate.DefaultOptions),
					Resolver: func(source.Identity) logparse.Resolver { return benchResolver },
					Now:      func() time.Time { return time.Unix(0, 0) },
				}
				lines += ingestBenchCorpus(b, p)
				b.StopTimer()
				st.Close()
				b.StartTimer()
			}
			b.StopTimer()
			if s := b.Elapsed().Seconds(); s > 0 {
				b.ReportMetric(float64(lines)/s, "lines/s")
			}
		})
	}
}

// ingestBenchCorpus reads the corpus through p and returns its lines.
func ingestBenchCorpus(b *testing.B, p *aggregate.Pump) int64 {
	r, err := source.Open(benchCorpus)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	res, err := p.IngestReader(context.Background(), r)
	if err != nil {
		b.Fatal(err)
	}
	return res.Lines
}

// BenchmarkPumpNoStore is "pftls report --db :memory:" without the
// report: the corpus read, parsed ahead and correlated by a pump with no
// store, whose facts go to a consumer that only counts them. Its drains
// (every 1000 lines here) hand their batches back to the correlator.
func BenchmarkPumpNoStore(b *testing.B) {
	fi, err := os.Stat(benchCorpus)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	b.ResetTimer()
	lines, facts := int64(0), 0
	for i := 0; i < b.N; i++ {
		p := &aggregate.Pump{
			Corr:        aggregate.NewCorrelator(aggregate.DefaultOptions),
			CommitLines: 1000,
			KeepOpen:    true,
			Consumers:   []aggregate.FactConsumer{aggregate.FactsFunc(func(bt *aggregate.Batch) { facts += bt.Len() })},
			Resolver:    func(source.Identity) logparse.Resolver { return benchResolver },
			Now:         func() time.Time { return time.Unix(0, 0) },
		}
		lines += ingestBenchCorpus(b, p)
		p.Flush()
	}
	b.StopTimer()
	if facts == 0 {
		b.Fatal("no facts")
	}
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(lines)/s, "lines/s")
	}
}

package aggregate_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse/source"
)

// queueStart is when openQueueLog's logs begin: after the corpus.
var queueStart = time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)

// openQueueLog writes a log of n messages received and queued whose
// "removed" line never comes (a queue that never empties), one every
// step of log time from queueStart. Every deliverEvery-th message (0:
// none) is delivered and removed once all have been received, so that it
// is found again after it was spilled.
func openQueueLog(t testing.TB, path string, n, deliverEvery int, step time.Duration) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	start := queueStart
	qid := func(i int) string { return fmt.Sprintf("%010X", 0x1000000+i) }
	for i := range n {
		at := start.Add(time.Duration(i) * step).Format(time.Stamp)
		fmt.Fprintf(w, "%s mail postfix/smtpd[%d]: %s: client=client%d.example[192.0.2.%d]\n", at, 1000+i%50, qid(i), i%997, i%250+1)
		fmt.Fprintf(w, "%s mail postfix/cleanup[%d]: %s: message-id=<%d@client.example>\n", at, 2000+i%20, qid(i), i)
		fmt.Fprintf(w, "%s mail postfix/qmgr[3000]: %s: from=<user%d@client.example>, size=%d, nrcpt=1 (queue active)\n", at, qid(i), i%5000, 1000+i%9000)
	}
	for i := 0; deliverEvery > 0 && i < n; i += deliverEvery {
		at := start.Add(time.Duration(n+i) * step).Format(time.Stamp)
		fmt.Fprintf(w, "%s mail postfix/smtp[4000]: %s: to=<rcpt%d@dest.example>, relay=mx.dest.example[198.51.100.7]:25, delay=1.2, delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as ABC)\n", at, qid(i), i)
		fmt.Fprintf(w, "%s mail postfix/qmgr[3000]: %s: removed\n", at, qid(i))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkIngestManyOpenQueueIDs ingests a log of queue IDs never
// removed into a new file database (PFTLS_BENCH_OPEN sets how many;
// default 30000, past DefaultMaxOpenMessages: some are spilled): commits
// must cost what changed, not what is open, so the lines/s should not
// fall as the count grows (300k, 2M).
func BenchmarkIngestManyOpenQueueIDs(b *testing.B) {
	n := 30000
	if s := os.Getenv("PFTLS_BENCH_OPEN"); s != "" {
		if _, err := fmt.Sscan(s, &n); err != nil {
			b.Fatalf("PFTLS_BENCH_OPEN=%q: %v", s, err)
		}
	}
	dir := b.TempDir()
	log := filepath.Join(dir, "mail.log")
	openQueueLog(b, log, n, 0, 100*time.Millisecond)
	fi, err := os.Stat(log)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	var lines int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := filepath.Join(dir, fmt.Sprintf("open%d.db", i))
		st := openStore(b, db)
		p := newPump(st)
		p.CommitLines = 50000
		b.StartTimer()
		if err := p.Restore(b.Context()); err != nil {
			b.Fatal(err)
		}
		r, err := source.Open(log)
		if err != nil {
			b.Fatal(err)
		}
		res, err := p.IngestReader(b.Context(), r)
		r.Close()
		if err != nil {
			b.Fatal(err)
		}
		lines += res.Lines
		if open, _, _ := p.Corr.Open(); open != n {
			b.Fatalf("%d messages open, want %d", open, n)
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.StopTimer()
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(lines)/s, "lines/s")
	}
}

// countingSpill counts the messages taken back from a spill.
type countingSpill struct {
	aggregate.Spill
	taken int
}

func (s *countingSpill) Take(host, qid string) (aggregate.Message, bool, error) {
	m, ok, err := s.Spill.Take(host, qid)
	if ok {
		s.taken++
	}
	return m, ok, err
}

// TestCorrelator_spilled_messages_correlate_like_unspilled: a correlator
// that keeps only a few open messages in memory (the rest spilled) gives
// the very facts, and ages out the same messages, as one that keeps them
// all: a spilled queue ID's later lines find its message again.
func TestCorrelator_spilled_messages_correlate_like_unspilled(t *testing.T) {
	queue := filepath.Join(t.TempDir(), "queue.log")
	// 400 messages a minute apart, every 7th delivered once all are in
	// (400 minutes later): with a MessageMaxAge of 8 hours, those not
	// delivered among the first ones age out meanwhile.
	openQueueLog(t, queue, 400, 7, time.Minute)
	for _, tc := range []struct {
		name  string
		lines []string
		opts  aggregate.Options
		ages  bool // some messages age out
	}{
		{"corpus", readLines(t, corpusLog), aggregate.DefaultOptions, false},
		{"queue never removed", readLines(t, queue), aggregate.Options{MessageMaxAge: 8 * time.Hour}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := func(spill aggregate.Spill) (*aggregate.Correlator, *facts) {
				opts := tc.opts
				opts.MaxOpenMessages = 4
				c := aggregate.NewCorrelator(opts)
				if spill != nil {
					if err := c.SetSpill(spill); err != nil {
						t.Fatal(err)
					}
				}
				f := newFacts()
				for i := 0; i < len(tc.lines); i += 25 { // a commit every 25 lines, as bulk ingest does
					feed(c, tc.lines[i:min(i+25, len(tc.lines))]...)
					f.add(c.DrainEnded())
				}
				c.FlushPending()
				f.add(c.Drain())
				if err := c.Err(); err != nil {
					t.Fatal(err)
				}
				return c, f
			}
			whole, want := run(nil)
			spill := &countingSpill{Spill: aggregate.NewMemorySpill()}
			spilled, got := run(spill)
			if d := diffCanonical(got.canonical(t), want.canonical(t)); d != "" {
				t.Errorf("facts with spilled messages differ from facts without:\n%s", d)
			}
			st, wst := spilled.Stats(), whole.Stats()
			if st.SpilledMessages == 0 || spill.taken == 0 {
				t.Errorf("%d messages spilled, %d taken back: the test spills nothing", st.SpilledMessages, spill.taken)
			}
			if tc.ages && wst.PrunedMessages == 0 {
				t.Errorf("no message aged out: the test does not age spilled messages out")
			}
			if st.PrunedMessages != wst.PrunedMessages {
				t.Errorf("%d messages aged out with a spill, %d without", st.PrunedMessages, wst.PrunedMessages)
			}
			if m, _, _ := spilled.Open(); true {
				wm, _, _ := whole.Open()
				if m != wm {
					t.Errorf("%d messages open with a spill, %d without", m, wm)
				}
			}
		})
	}
}

// TestIngest_many_open_queue_ids_bounded: queue IDs that are never
// removed are spilled to the store past the correlator's bound, every
// commit writes only what changed (the encoded state does not grow with
// them), and the facts are those of an ingest that keeps them all in
// memory. PFTLS_LONG_TESTS=1: 2M queue IDs, and the heap must stay under
// 150 MB (it took 3.95 GB).
func TestIngest_many_open_queue_ids_bounded(t *testing.T) {
	n, bound, long := 3000, 200, os.Getenv("PFTLS_LONG_TESTS") == "1"
	if long {
		n, bound = 2_000_000, aggregate.DefaultMaxOpenMessages
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	openQueueLog(t, log, n, 97, 100*time.Millisecond)
	ingestWith := func(db string, opts aggregate.Options) *aggregate.Pump {
		t.Helper()
		return ingestWithOptions(t, openStore(t, db), log, opts, max(n/10, 100))
	}
	opts := aggregate.DefaultOptions
	opts.MaxOpenMessages = bound
	db := filepath.Join(dir, "bounded.db")
	p := ingestWith(db, opts)
	var heap runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&heap)
	open, _, _ := p.Corr.Open()
	wantOpen := n - (n+96)/97
	if open != wantOpen || p.Corr.Stats().SpilledMessages == 0 {
		t.Errorf("%d messages open, %d spilled; want %d open, some spilled", open, p.Corr.Stats().SpilledMessages, wantOpen)
	}
	p.Store.Close()
	ro := openSQL(t, db)
	defer ro.Close()
	if rows := queryInt(t, ro, "SELECT count(*) FROM open_messages"); rows != int64(wantOpen) {
		t.Errorf("%d rows of open messages, want %d", rows, wantOpen)
	}
	if hot := queryInt(t, ro, "SELECT count(*) FROM open_messages WHERE spilled = 0"); hot > int64(bound) {
		t.Errorf("%d open messages were in memory at the last commit, want at most %d", hot, bound)
	}
	if size := queryInt(t, ro, "SELECT length(state) FROM correlator_state"); size > 4096 {
		t.Errorf("the encoded state is %d bytes: it grows with the open messages", size)
	}
	if long {
		if heap.HeapInuse > 150<<20 {
			t.Errorf("heap in use after ingesting %d open queue IDs: %d MB, want under 150", n, heap.HeapInuse>>20)
		}
		return
	}
	ingestWith(filepath.Join(dir, "unbounded.db"), aggregate.DefaultOptions)
	sameFacts(t, db, filepath.Join(dir, "unbounded.db"))
}

// TestIngest_restart_with_spilled_messages: ingest stopped at any commit
// with messages spilled to the store continues exactly: the facts are
// those of one uninterrupted run that spilled nothing.
func TestIngest_restart_with_spilled_messages(t *testing.T) {
	dir := t.TempDir()
	queue := filepath.Join(dir, "queue.log")
	openQueueLog(t, queue, 1500, 5, 10*time.Second)
	lines := append(readLines(t, corpusLog), readLines(t, queue)...)
	whole := filepath.Join(dir, "whole.db")
	ingest(t, whole, 1000, corpusCopy(t, dir, "whole.log", lines))

	log := corpusCopy(t, dir, "mail.log", nil)
	db := filepath.Join(dir, "pftls.db")
	opts := aggregate.DefaultOptions
	opts.MaxOpenMessages = 50
	from := 0
	for _, cut := range []int{700, 2600, 5555, 6700, 9000, len(lines)} {
		appendFile(t, log, joinLines(lines[from:cut]))
		from = cut
		st := openStore(t, db)
		p := newPump(st)
		p.Corr = aggregate.NewCorrelator(opts)
		p.CommitLines = 300
		if err := p.Restore(t.Context()); err != nil {
			t.Fatal(err)
		}
		r, err := source.Open(log)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.IngestReader(t.Context(), r); err != nil {
			t.Fatal(err)
		}
		r.Close()
		st.Close()
	}
	ro := openSQL(t, db)
	spilled := queryInt(t, ro, "SELECT count(*) FROM open_messages WHERE spilled = 1")
	ro.Close()
	if spilled == 0 {
		t.Errorf("no message is spilled at the end: the test spills nothing")
	}
	sameFacts(t, db, whole)
}

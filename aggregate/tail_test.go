package aggregate_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse/source"
)

// TestTailStdinIsIngest: tail - and ingest - drive the same pump. Tail
// reads standard input to its end, committing in bursts, and hands every
// batch to each of its consumers; they see the same facts as ingest's
// consumer does reading the same input with its own cadence.
func TestTailStdinIsIngest(t *testing.T) {
	ctx := t.Context()
	in := strings.Join(readLines(t, corpusLog), "\n") + "\n"
	// Facts emitted once whatever the commit cadence (a message still
	// open is emitted again when it changes; line counts come per commit).
	counter := func(n *int) aggregate.FactConsumer {
		return aggregate.FactsFunc(func(b *aggregate.Batch) {
			*n += len(b.Attempts) + len(b.TLS) + len(b.Rejects) + len(b.Warnings) + len(b.Unparsed)
		})
	}

	var viaTail, viaTail2 int
	p := newPump(openStore(t, filepath.Join(t.TempDir(), "tail.db")))
	p.Consumers = []aggregate.FactConsumer{counter(&viaTail), counter(&viaTail2)}
	if err := p.Tail(ctx, aggregate.TailOptions{Path: "-", Stdin: strings.NewReader(in)}); err != nil {
		t.Fatalf("Tail: %v", err)
	}

	var viaIngest int
	q := newPump(openStore(t, filepath.Join(t.TempDir(), "ingest.db")))
	q.Consumers = []aggregate.FactConsumer{counter(&viaIngest)}
	rd, err := source.NewReader("-", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.IngestReader(ctx, rd); err != nil {
		t.Fatalf("IngestReader: %v", err)
	}

	if viaTail == 0 || viaTail != viaTail2 || viaTail != viaIngest {
		t.Errorf("facts: tail's consumers saw %d and %d, ingest's %d; want the same, not 0", viaTail, viaTail2, viaIngest)
	}
}

// TestTailShow: where tail's view starts. 2000 lines of a log were
// ingested, 1000 more written since; tail shows (hands its consumers the
// facts of) all 3000 with --from-start, the 1000 not yet stored with
// --resume, and none of them by default, only what is written afterwards.
// Whatever it shows, each line is stored once.
func TestTailShow(t *testing.T) {
	lines := readLines(t, corpusLog)
	for _, tc := range []struct {
		name  string
		show  aggregate.TailShow
		shown int64 // of the 3000 lines in the file when tail starts
	}{
		{"from-start", aggregate.ShowFromStart, 3000},
		{"resume", aggregate.ShowResumed, 1000},
		{"new", aggregate.ShowNew, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			log, db := filepath.Join(dir, "mail.log"), filepath.Join(dir, "pftls.db")
			writeFile(t, log, joinLines(lines[:2000]))
			ingest(t, db, 1000, log)
			appendFile(t, log, joinLines(lines[2000:3000]))

			st, p := openRestored(t, db)
			var shown int64
			p.Consumers = []aggregate.FactConsumer{lineCounter(&shown)}
			tl := startTail(t, p, aggregate.TailOptions{Path: log, Show: tc.show})
			tl.waitLines(t, 3000-skipped(tc.show))
			appendFile(t, log, joinLines(lines[3000:3500]))
			tl.waitLines(t, 3500-skipped(tc.show))
			tl.stop(t)
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			if want := tc.shown + 500; shown != want {
				t.Errorf("consumers were shown %d lines, want %d", shown, want)
			}
			res := ingest(t, db, 1000, log)
			if res[0].Lines != 0 || res[0].Resumed != 3500 {
				t.Errorf("ingest after tail: read %d lines, resumed after %d; want 0 after 3500", res[0].Lines, res[0].Resumed)
			}
		})
	}
}

// skipped is how many of the file's lines tail does not read at all: the
// ones stored before, unless it shows them from the start.
func skipped(show aggregate.TailShow) int64 {
	if show == aggregate.ShowFromStart {
		return 0
	}
	return 2000
}

// tailRun is a Pump.Tail running on a goroutine, asked for its status
// through OnTick.
type tailRun struct {
	tick   chan struct{}
	status chan aggregate.TailStatus
	cancel func()
	done   chan error
}

func startTail(t *testing.T, p *aggregate.Pump, o aggregate.TailOptions) *tailRun {
	ctx, cancel := context.WithCancel(t.Context())
	tl := &tailRun{tick: make(chan struct{}), status: make(chan aggregate.TailStatus, 1), cancel: cancel, done: make(chan error, 1)}
	o.Tick = tl.tick
	o.OnTick = func(s aggregate.TailStatus) {
		select {
		case tl.status <- s:
		default:
		}
	}
	go func() { tl.done <- p.Tail(ctx, o) }()
	t.Cleanup(cancel)
	<-tl.status // the tick at the start
	return tl
}

// waitLines waits until tail has read n lines.
func (tl *tailRun) waitLines(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case tl.tick <- struct{}{}:
		case err := <-tl.done:
			t.Fatalf("Tail ended: %v", err)
		}
		if s := <-tl.status; s.Lines >= n {
			if s.Lines > n {
				t.Fatalf("tail read %d lines, want %d", s.Lines, n)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("tail did not read %d lines within 10s", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop ends the tail as SIGTERM does: what was read is committed.
func (tl *tailRun) stop(t *testing.T) {
	t.Helper()
	tl.cancel()
	if err := <-tl.done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Tail after cancel: %v, want context.Canceled", err)
	}
}

package aggregate_test

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// TestStdin_tail_piped_twice_stores_once: tail - did not recognise its
// stream, so the same log piped in twice (kubectl logs -f restarted sends
// the log again), or piped into ingest - and then into tail -, was stored
// twice. It is recognised by its first bytes now, as ingest - does.
func TestStdin_tail_piped_twice_stores_once(t *testing.T) {
	lines := readLines(t, corpusLog)
	in := strings.Join(lines, "\n") + "\n"
	longer := in + "Mar  1 07:00:00 mail postfix/qmgr[1]: 4ABCDEF012: removed\n"
	for _, tc := range []struct {
		name   string
		inputs []string
		want   int
	}{
		{"same log twice", []string{in, in}, len(lines)},
		{"then a longer copy", []string{in, longer}, len(lines) + 1},
		{"a shorter copy after", []string{longer, in}, len(lines) + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "pftls.db")
			for _, input := range tc.inputs {
				st, p := openRestored(t, db)
				if err := p.Tail(t.Context(), aggregate.TailOptions{Path: "-", Stdin: strings.NewReader(input)}); err != nil {
					t.Fatalf("Tail: %v", err)
				}
				if err := st.Close(); err != nil {
					t.Fatal(err)
				}
			}
			if got := storedLines(t, db); got != int64(tc.want) {
				t.Errorf("the database counts %d lines, want %d (each once)", got, tc.want)
			}
		})
	}
}

// TestStdin_tail_quiet_stream_not_held: recognising a stream by its
// first 4 KiB must not hold a quiet live stream's view until 4 KiB have
// come: tail - shows the first lines once IdentifyWait is over.
func TestStdin_tail_quiet_stream_not_held(t *testing.T) {
	lines := readLines(t, corpusLog)
	db := filepath.Join(t.TempDir(), "pftls.db")
	_, p := openRestored(t, db)
	seen := make(chan struct{}, 1)
	p.Consumers = []aggregate.FactConsumer{aggregate.FactsFunc(func(b *aggregate.Batch) {
		if len(b.LineCounts) > 0 {
			select {
			case seen <- struct{}{}:
			default:
			}
		}
	})}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- p.Tail(t.Context(), aggregate.TailOptions{Path: "-", Stdin: pr, IdentifyWait: 50 * time.Millisecond})
	}()
	if _, err := io.WriteString(pw, strings.Join(lines[:3], "\n")+"\n"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-seen:
	case <-time.After(10 * time.Second):
		t.Error("tail - showed nothing of a quiet stream's first lines (held for its first 4 KiB)")
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatalf("Tail: %v", err)
	}
	if got := storedLines(t, db); got != 3 {
		t.Errorf("stored %d lines, want 3", got)
	}
}

package report

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

var update = flag.Bool("update", false, "rewrite golden files")

const (
	corpusLog = "../testdata/corpus/corpus-a.log"
	goldenDir = "../testdata/golden"
)

// goldenGenerated is the report's fixed generation time: golden files never
// depend on today's date.
var goldenGenerated = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// corpusModel ingests a log into an in-memory store and builds the report
// model of all of it, the way "pftls report --db :memory:" does.
func corpusModel(t *testing.T, path string) *Model {
	t.Helper()
	st := corpusStore(t, path)
	m, err := Build(context.Background(), st, Options{Zone: time.UTC, Generated: goldenGenerated})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return m
}

// corpusStore ingests a log, stamped in 2026 UTC, into an in-memory store
// that is closed when the test ends.
func corpusStore(t *testing.T, path string) *aggregate.Store {
	t.Helper()
	ctx := context.Background()
	st, err := aggregate.Open(ctx, aggregate.Memory, aggregate.OpenOptions{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	pump := aggregate.Pump{
		Store: st,
		Corr:  aggregate.NewCorrelator(aggregate.DefaultOptions),
		Resolver: func(source.Identity) logparse.Resolver {
			return logparse.Resolver{Year: 2026, Location: time.UTC}
		},
	}
	r, err := source.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer r.Close()
	if _, err := pump.IngestReader(ctx, r); err != nil {
		t.Fatalf("ingest %s: %v", path, err)
	}
	return st
}

// goldenOutput is one rendering compared with a golden file.
type goldenOutput struct {
	name string // file name under testdata/golden
	out  []byte
}

// renderAll renders the model in every format: text, markdown, json,
// html, and csv for each section that has rows.
func renderAll(t *testing.T, m *Model) []goldenOutput {
	t.Helper()
	o := RenderOptions{Zone: time.UTC}
	var outs []goldenOutput
	render := func(name, format string, o RenderOptions) {
		var buf bytes.Buffer
		if err := Render(&buf, m, format, o); err != nil {
			t.Fatalf("render %s: %v", name, err)
		}
		outs = append(outs, goldenOutput{name, buf.Bytes()})
	}
	render("corpus-a.txt", "text", o)
	render("corpus-a.md", "markdown", o)
	render("corpus-a.json", "json", o)
	render("corpus-a.html", "html", o)
	for _, tb := range m.Tables(time.UTC) {
		co := o
		co.Section = tb.ID
		render("corpus-a."+tb.ID+".csv", "csv", co)
	}
	return outs
}

func TestGoldenCorpus(t *testing.T) {
	m := corpusModel(t, corpusLog)
	outs := renderAll(t, m)
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		// Remove stale CSV files of sections that no longer have rows.
		stale, _ := filepath.Glob(filepath.Join(goldenDir, "corpus-a.*.csv"))
		for _, f := range stale {
			os.Remove(f)
		}
	}
	for _, g := range outs {
		t.Run(g.name, func(t *testing.T) { checkGolden(t, "TestGoldenCorpus", g) })
	}
}

// checkGolden compares an output with its golden file, or with -update
// rewrites the file; test names the test that -update should be run with.
func checkGolden(t *testing.T, test string, g goldenOutput) {
	t.Helper()
	path := filepath.Join(goldenDir, g.name)
	if *update {
		if err := os.WriteFile(path, g.out, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./report -run %s -update)", err, test)
	}
	if d := lineDiff(want, g.out); d != "" {
		t.Errorf("%s differs from the golden file (go test ./report -run %s -update rewrites it):\n%s", path, test, d)
	}
}

// TestGoldenDeterministic builds the model twice from separate ingests and
// checks that every rendering is byte for byte the same: map iteration or
// unstable sorting anywhere between the store and the renderers shows here
// even without golden files.
func TestGoldenDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests the corpus twice")
	}
	a := renderAll(t, corpusModel(t, corpusLog))
	b := renderAll(t, corpusModel(t, corpusLog))
	if len(a) != len(b) {
		t.Fatalf("%d renderings, then %d", len(a), len(b))
	}
	for i := range a {
		if d := lineDiff(a[i].out, b[i].out); d != "" {
			t.Errorf("%s: two builds of the same log differ:\n%s", a[i].name, d)
		}
	}
}

// lineDiff returns "" when want and got are equal, or else the line counts
// and the first few differing lines with their numbers.
func lineDiff(want, got []byte) string {
	if bytes.Equal(want, got) {
		return ""
	}
	wl := strings.Split(string(want), "\n")
	gl := strings.Split(string(got), "\n")
	var b strings.Builder
	fmt.Fprintf(&b, "want %d lines, got %d\n", len(wl), len(gl))
	shown := 0
	for i := 0; i < max(len(wl), len(gl)) && shown < 5; i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if i >= len(wl) || i >= len(gl) || w != g {
			fmt.Fprintf(&b, "line %d:\n  want: %q\n  got:  %q\n", i+1, w, g)
			shown++
		}
	}
	return b.String()
}

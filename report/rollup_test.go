package report

import (
	"bytes"
	"context"
	"io"
	"mime/quotedprintable"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// rollupLogs are the logs the rollup tests read: the corpus (minutes
// long, no whole hour) and a generated one of six hours on two hosts.
var rollupLogs = []struct {
	path string
	zone *time.Location
}{
	{corpusLog, time.UTC},
	{"../testdata/corpus/receivers-a.log", time.UTC},
	{"testdata/multi-hour-2hosts.log.gz", time.UTC},
	// A whole-hour and a half-hour offset (fixed zones: no tzdata needed):
	// no hour of +05:30 is one local hour, so its hours are read from the
	// facts.
	{"testdata/multi-hour-2hosts.log.gz", time.FixedZone("-0500", -5*3600)},
	{"testdata/multi-hour-2hosts.log.gz", time.FixedZone("+0530", 5*3600+30*60)},
}

// factsModel builds the model of opts's window from every fact of the
// store, with no rollup: what Build did before rollups.
func factsModel(t *testing.T, st *aggregate.Store, opts Options) *Model {
	t.Helper()
	ctx := context.Background()
	b := NewBuilder(opts)
	if err := st.Scan(ctx, aggregate.Query{From: opts.From, To: opts.To, Host: opts.Host}, b); err != nil {
		t.Fatalf("scan: %v", err)
	}
	m, err := finishFromStore(ctx, st, b, false)
	if err != nil {
		t.Fatal(err)
	}
	m.shownRows = shownRows(b.opts.Top)
	return m
}

// directModel builds the model straight from the correlator's facts, the
// way "pftls report --db :memory: FILE" does.
func directModel(t *testing.T, path string, opts Options) *Model {
	t.Helper()
	b := NewBuilder(opts)
	feedFile(t, path, aggregate.FactsFunc(b.Feed))
	return b.Finish()
}

// bothModels are the models of the log at path made both ways: from a
// store ("store") and straight from the correlator ("memory").
func bothModels(t *testing.T, path string) map[string]*Model {
	t.Helper()
	return map[string]*Model{
		"store":  modelOf(t, Options{}, path),
		"memory": directModel(t, path, Options{Zone: time.UTC}),
	}
}

// metricsOfFile are the metrics of the log at path, read the way "pftls
// report --db :memory: --format prometheus FILE" does.
func metricsOfFile(t *testing.T, path string) *Metrics {
	t.Helper()
	m := NewMetrics(MetricsOptions{})
	feedFile(t, path, aggregate.FactsFunc(m.Facts))
	return m
}

// feedFile hands the facts of the log at path, stamped in 2026 UTC, to
// consumer, the messages still queued at the end once.
func feedFile(t *testing.T, path string, consumer aggregate.FactConsumer) {
	t.Helper()
	pump := aggregate.Pump{
		Corr:      aggregate.NewCorrelator(aggregate.DefaultOptions),
		KeepOpen:  true,
		Consumers: []aggregate.FactConsumer{consumer},
		Resolver: func(source.Identity) logparse.Resolver {
			return logparse.Resolver{Year: 2026, Location: time.UTC}
		},
	}
	r, err := source.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer r.Close()
	if _, err := pump.IngestReader(context.Background(), r); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	pump.Flush()
}

func jsonOf(t *testing.T, m *Model) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, m, "json", RenderOptions{Zone: time.UTC}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// rollupWindows are the windows the equality test reports on, from the
// span of a store [first, last): everything, whole hours, ragged edges,
// one hour, an hour and a half, and a window across the end.
func rollupWindows(first, last time.Time) map[string][2]time.Time {
	h := first.Truncate(time.Hour)
	return map[string][2]time.Time{
		"all":             {first, last},
		"whole-hours":     {h.Add(time.Hour), h.Add(4 * time.Hour)},
		"ragged":          {first.Add(17*time.Minute + 3*time.Second), last.Add(-23*time.Minute - 7*time.Second)},
		"one-hour":        {h.Add(2 * time.Hour), h.Add(3 * time.Hour)},
		"hour-and-a-half": {h.Add(2*time.Hour + 30*time.Minute), h.Add(4 * time.Hour)},
		"past-the-end":    {last.Add(-90 * time.Minute), last.Add(2 * time.Hour)},
	}
}

// TestReportFromRollupsEqualsFacts: a report whose whole hours are read
// from the hourly rollups is the report of every fact, and the report
// made with no database, for every window, host and domain asked.
func TestReportFromRollupsEqualsFacts(t *testing.T) {
	ctx := context.Background()
	for _, lg := range rollupLogs {
		st := corpusStore(t, lg.path)
		first, last, err := st.Span(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		hosts, err := st.Hosts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		scopes := []Options{{}}
		for _, h := range hosts {
			scopes = append(scopes, Options{Host: h})
		}
		// The busiest domain, and a domain with TLS failures.
		all, err := Build(ctx, st, Options{From: first, To: last, Zone: lg.zone})
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Domains) > 0 {
			// As asked, and in other case: the store's filter by domain
			// (aggregate.Query.Domain) folds case as the report does.
			scopes = append(scopes, Options{Domain: all.Domains[0].Domain}, Options{Domain: strings.ToUpper(all.Domains[0].Domain)})
		}
		if len(all.TLSFailures) > 0 {
			scopes = append(scopes, Options{Domain: all.TLSFailures[0].Domain})
		}
		for name, w := range rollupWindows(first, last) {
			for _, sc := range scopes {
				opts := sc
				opts.From, opts.To, opts.Zone, opts.Generated = w[0], w[1], lg.zone, goldenGenerated
				label := lg.path + " " + lg.zone.String() + " " + name + " host=" + opts.Host + " domain=" + opts.Domain
				rolled, err := Build(ctx, st, opts)
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				got := jsonOf(t, rolled)
				if d := lineDiff(jsonOf(t, factsModel(t, st, opts)), got); d != "" {
					t.Errorf("%s: the report from rollups differs from the one from facts:\n%s", label, d)
				}
				if opts.From.Truncate(time.Minute) != opts.From || opts.To.Truncate(time.Minute) != opts.To {
					continue // the store counts ordinary inbound sessions per minute (aggregate.SessionCount)
				}
				if d := lineDiff(jsonOf(t, directModel(t, lg.path, opts)), got); d != "" {
					t.Errorf("%s: the report from rollups differs from the one with no database:\n%s", label, d)
				}
			}
		}
	}
}

// TestReportAfterPruneKeepFacts: after prune --keep-facts, a report over
// whole hours whose facts are gone still has the deliveries the rollups
// hold, and says which sections lack detail; over a ragged window it
// claims nothing whole but the counters.
func TestReportAfterPruneKeepFacts(t *testing.T) {
	ctx := context.Background()
	st := corpusStore(t, "testdata/multi-hour-2hosts.log.gz")
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	whole := Options{From: start.Add(time.Hour), To: start.Add(5 * time.Hour), Zone: time.UTC, Generated: goldenGenerated}
	before, err := Build(ctx, st, whole)
	if err != nil {
		t.Fatal(err)
	}
	if before.Incomplete != nil {
		t.Fatalf("before any prune: incomplete %+v", before.Incomplete)
	}
	cut := start.Add(3 * time.Hour)
	if _, err := st.PruneFacts(ctx, cut, time.Time{}); err != nil {
		t.Fatal(err)
	}
	after, err := Build(ctx, st, whole)
	if err != nil {
		t.Fatal(err)
	}
	in := after.Incomplete
	if in == nil || !in.FactsBefore.Equal(cut) {
		t.Fatalf("after prune: incomplete = %+v, want facts before %v", in, cut)
	}
	if !in.Rollups {
		t.Errorf("whole hours before the cut: the rollups should count: %+v", in)
	}
	for _, want := range []string{"received", "delivered", "deferrals", "tls-failures", "rejects"} {
		if !slices.Contains(in.MissingDetail, want) {
			t.Errorf("%q is not said to miss detail: %+v", want, in)
		}
	}
	// The rollups keep the plain deliveries (all but those after a TLS
	// failure); the received messages are gone with the facts.
	b, a := before.Totals, after.Totals
	if a.Delivered > b.Delivered || a.Delivered < b.Delivered*95/100 || a.Recipients < b.Recipients*95/100 {
		t.Errorf("delivered %d of %d, recipients %d of %d after pruning: the rollups did not count", a.Delivered, b.Delivered,
			a.Recipients, b.Recipients)
	}
	if a.Received >= b.Received {
		t.Errorf("received %d after pruning, %d before: the test pruned nothing", a.Received, b.Received)
	}

	ragged := whole
	ragged.From = whole.From.Add(10 * time.Minute)
	m, err := Build(ctx, st, ragged)
	if err != nil {
		t.Fatal(err)
	}
	if m.Incomplete == nil || m.Incomplete.Rollups {
		t.Errorf("a ragged window over pruned facts claims the rollups count: %+v", m.Incomplete)
	}
	// Never silently: every rendering for people says what is missing.
	for _, format := range []string{"text", "markdown", "html", "email"} {
		var out bytes.Buffer
		var err error
		if format == "email" {
			err = WriteEmail(&out, m, EmailOptions{To: []string{"postmaster@example.com"}, From: "pftls@example.com"}, RenderOptions{Zone: time.UTC})
		} else {
			err = Render(&out, m, format, RenderOptions{Zone: time.UTC})
		}
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		text := out.String()
		if format == "email" {
			qp, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(text)))
			text = string(qp)
		}
		if !strings.Contains(text, "were pruned (pftls prune --keep-facts)") {
			t.Errorf("the %s report over pruned facts does not say they were pruned", format)
		}
	}
	late := whole
	late.From = cut
	if m, err := Build(ctx, st, late); err != nil || m.Incomplete != nil {
		t.Errorf("a window after the cut: incomplete %+v, %v", m.Incomplete, err)
	}
	// explain too: it reads only facts, so not even whole hours count
	// from the rollups (it said "no TLS problem found" and nothing else).
	ex, err := Explain(ctx, st, "example.com", whole)
	if err != nil {
		t.Fatal(err)
	}
	if in := ex.Model.Incomplete; in == nil || !in.FactsBefore.Equal(cut) || in.Rollups {
		t.Errorf("explain over pruned facts: incomplete = %+v, want facts before %v, no rollups", in, cut)
	}
	if j := NewExplainJSON(ex, time.UTC); j.Incomplete == nil {
		t.Error("explain's JSON over pruned facts has no incomplete")
	}
	var out bytes.Buffer
	if err := RenderExplain(&out, ex, time.UTC); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "were pruned (pftls prune --keep-facts)") || strings.Contains(out.String(), "in this window") {
		t.Errorf("explain over pruned facts does not say they were pruned, or finds nothing in the window:\n%s", out.String())
	}
}

// TestReportAfterPrune_claims_nothing_complete: a plain prune deletes the
// counters and rollups with the facts; a report over the pruned hours
// used to say the lines and master counts were complete and the plain
// deliveries came from the rollups, which were gone too (lines read fell
// from 10,114 to 5,193 under that claim).
func TestReportAfterPrune_claims_nothing_complete(t *testing.T) {
	ctx := context.Background()
	st := corpusStore(t, "testdata/multi-hour-2hosts.log.gz")
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	window := Options{From: start.Add(time.Hour), To: start.Add(5 * time.Hour), Zone: time.UTC, Generated: goldenGenerated}
	cut := start.Add(3 * time.Hour)
	if _, err := st.Prune(ctx, cut); err != nil {
		t.Fatal(err)
	}
	m, err := Build(ctx, st, window)
	if err != nil {
		t.Fatal(err)
	}
	in := m.Incomplete
	if in == nil || in.Rollups || len(in.Complete) != 0 || !in.CountsBefore.Equal(cut) {
		t.Fatalf("after a plain prune: incomplete = %+v, want nothing complete and counts before %v", in, cut)
	}
	var out bytes.Buffer
	if err := Render(&out, m, "text", RenderOptions{Zone: time.UTC}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "every count and section is missing its part before then") ||
		strings.Contains(out.String(), "complete;") {
		t.Errorf("the report does not say that nothing before the cut is complete:\n%s", out.String()[:min(out.Len(), 800)])
	}
	late := Options{From: cut, To: window.To, Zone: time.UTC}
	if m, err := Build(ctx, st, late); err != nil || m.Incomplete != nil {
		t.Errorf("a window after the cut: incomplete %+v, %v", m.Incomplete, err)
	}
}

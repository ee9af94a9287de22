package report

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
)

func TestSparkline(t *testing.T) {
	for _, tc := range []struct {
		in          []int64
		want, ascii string
	}{
		{[]int64{0, 1, 2, 4, 8}, " ▁▂▄█", " .:=@"},
		{[]int64{0, 0}, "  ", "  "},
		{[]int64{1000, 1}, "█▁", "@."}, // a small count still shows
		{[]int64{3, 3, 3}, "███", "@@@"},
	} {
		if got := sparkline(tc.in, false); got != tc.want {
			t.Errorf("sparkline(%v) = %q, want %q", tc.in, got, tc.want)
		}
		if got := sparkline(tc.in, true); got != tc.ascii {
			t.Errorf("ascii sparkline(%v) = %q, want %q", tc.in, got, tc.ascii)
		}
	}
}

func TestASCIICharts(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"LANG": "en_US.UTF-8"}, false},
		{map[string]string{"LANG": "C.utf8"}, false},
		{map[string]string{"LANG": "C"}, true},
		{map[string]string{"LC_ALL": "de_DE.ISO-8859-1", "LANG": "de_DE.UTF-8"}, true},
		{map[string]string{"LC_CTYPE": "en_US.UTF-8", "LANG": "C"}, false},
		{map[string]string{"LANG": "en_US.UTF-8", "PFTLS_ASCII": "1"}, true},
		{map[string]string{"PFTLS_ASCII": "0"}, false},
	} {
		if got := ASCIICharts(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("ASCIICharts(%v) = %v, want %v", tc.env, got, tc.want)
		}
	}
}

// TestTrends: the failing domains' problems land in the buckets of their
// time, the most troubled domain first, and the buckets cover the window,
// whether the builder counted them by the minute (a window known only at
// the end: report FILE) or straight into the buckets of the window it was
// given.
func TestTrends(t *testing.T) {
	from := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	day := from.Add(24 * time.Hour)
	for name, opts := range map[string]Options{
		"by the minute":  {Zone: time.UTC},
		"by the buckets": {From: from, To: day, Zone: time.UTC},
	} {
		b := NewBuilder(opts)
		if (b.trendFixed != nil) != !opts.From.IsZero() {
			t.Fatalf("%s: trendFixed %v", name, b.trendFixed)
		}
		b.trendProblem("a.example", from.Add(30*time.Minute), trendTLS)
		b.trendProblem("a.example", from.Add(90*time.Minute), trendDeferral)
		b.trendProblem("a.example", from.Add(23*time.Hour+59*time.Minute), trendBounce)
		b.trendProblem("a.example", day, trendBounce) // after the window
		b.trendProblem("b.example", from.Add(5*time.Hour), trendDeferral)
		tr := b.trends(from, day, 10)
		if tr == nil || tr.Buckets != 24 || tr.StepSeconds != 3600 || !tr.From.Equal(from) {
			t.Fatalf("%s: trends = %+v, want 24 buckets of an hour from %v", name, tr, from)
		}
		if len(tr.Domains) != 2 || tr.Domains[0].Domain != "a.example" {
			t.Fatalf("%s: domains %+v", name, tr.Domains)
		}
		a := tr.Domains[0]
		if a.TLSFailures[0] != 1 || a.Deferrals[1] != 1 || a.Bounced[23] != 1 || a.Total() != 3 {
			t.Errorf("%s: a.example: %+v", name, a)
		}
		if got := b.trends(from, day, 1); len(got.Domains) != 1 {
			t.Errorf("%s: top 1: %d domains", name, len(got.Domains))
		}
	}
	b := NewBuilder(Options{Zone: time.UTC})
	b.trendProblem("a.example", from.Add(30*time.Minute), trendTLS)
	b.trendProblem("c.example", from.Add(3*time.Minute), trendTLS)
	if got := b.trends(from, from.Add(10*time.Minute), 10); got == nil || got.Buckets != 10 || got.StepSeconds != 60 || len(got.Domains) != 1 {
		t.Errorf("10 minutes: %+v, want 10 buckets of 60s with c.example alone", got)
	}
}

// TestChartsInEveryFormat: the corpus report has its charts after the
// totals in text, Markdown (a code block), HTML (SVG) and the e-mail's
// HTML part (tables, no SVG: mail clients strip it).
func TestChartsInEveryFormat(t *testing.T) {
	m := corpusModel(t, corpusLog)
	text := render(t, m, "text", RenderOptions{})
	if !strings.Contains(text, "TLS failures |█") || !strings.Contains(text, "bank.example.net    | ▃███▆▃ | 53 TLS failures, 60 deferrals") {
		t.Errorf("text charts missing:\n%s", text)
	}
	if a := render(t, m, "text", RenderOptions{ASCII: true}); strings.ContainsAny(a, "▁▂▃▄▅▆▇█") || !strings.Contains(a, "TLS failures |@") {
		t.Error("ASCII text charts have block characters or no bars")
	}
	if i, j := strings.Index(text, "\nTotals\n"), strings.Index(text, "by hour of day (chart)"); i < 0 || j < i {
		t.Error("the charts do not follow the totals")
	}
	md := render(t, m, "markdown", RenderOptions{})
	if !strings.Contains(md, "```text\n") || !strings.Contains(md, "| bank.example.net | ·▃███▆▃· | 53 TLS failures, 60 deferrals |") {
		t.Error("markdown charts missing")
	}
	page := render(t, m, "html", RenderOptions{})
	for _, id := range []string{"chart-hourly", "chart-trend", "chart-mix"} {
		if !strings.Contains(page, `<svg id="`+id+`"`) {
			t.Errorf("html lacks the %s chart", id)
		}
	}
	var mail strings.Builder
	if err := renderMailHTML(&mail, m.forPeople(), RenderOptions{Zone: time.UTC}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(mail.String(), "<svg") || !strings.Contains(mail.String(), `bgcolor="#cf222e"`) || !strings.Contains(mail.String(), "TLS mix") {
		t.Error("the e-mail's charts are not HTML tables")
	}
}

// TestTLSMixStyledByMeaning: the TLS mix chart coloured its parts by
// their place in the bar, so that in the corpus report plaintext was
// green and untrusted red, and what a colour meant changed with the
// window. Each part now has the style of what it means, in the SVG and in
// the e-mail, and no two trust postures share one.
func TestTLSMixStyledByMeaning(t *testing.T) {
	seen := map[mixStyle]aggregate.TLSPosture{}
	for _, p := range aggregate.Postures {
		st, ok := postureStyles[p]
		if !ok {
			t.Errorf("posture %s has no style", p)
			continue
		}
		if other, dup := seen[st]; dup {
			t.Errorf("postures %s and %s look the same", other, p)
		}
		seen[st] = p
	}
	if len(svgPatterns) != len(mailColors) || int(styleLight) != len(svgPatterns)-1 {
		t.Fatalf("%d patterns, %d mail colours, %d styles: the palettes must match the styles", len(svgPatterns), len(mailColors), styleLight+1)
	}
	m := corpusModel(t, corpusLog)
	page := render(t, m, "html", RenderOptions{})
	for _, want := range []string{
		`fill="url(#chart-mix-p5)" stroke="#1f2328" stroke-width="0.5"><title>verified `,
		`fill="url(#chart-mix-p4)" stroke="#1f2328" stroke-width="0.5"><title>untrusted `,
		`fill="url(#chart-mix-p2)" stroke="#1f2328" stroke-width="0.5"><title>plaintext `,
		`fill="url(#chart-mix-p5)" stroke="#1f2328" stroke-width="0.5"><title>TLSv1.3 `,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the TLS mix chart lacks %q", want)
		}
	}
	var mail strings.Builder
	if err := renderMailHTML(&mail, m.forPeople(), RenderOptions{Zone: time.UTC}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`color:#1a7f37">&#9632;</span>&nbsp;verified `, `color:#bc4c00">&#9632;</span>&nbsp;plaintext `} {
		if !strings.Contains(mail.String(), want) {
			t.Errorf("the e-mail's TLS mix lacks %q", want)
		}
	}
}

// TestChartTextEscaped: a domain name is log text in the charts too.
func TestChartTextEscaped(t *testing.T) {
	m := &Model{Totals: Totals{Delivered: 1, Deferrals: 1},
		Hourly: []TrafficRow{{Period: "03", Delivered: 1, Deferrals: 1}},
		Trends: &Trends{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), StepSeconds: 60, Buckets: 1,
			Domains: []DomainTrend{{Domain: evilScript + "```" + evilANSI, TLSFailures: []int64{1}, Deferrals: []int64{0}, Bounced: []int64{0}}}}}
	page := render(t, m, "html", RenderOptions{})
	var mail strings.Builder
	if err := renderMailHTML(&mail, m, RenderOptions{Zone: time.UTC}); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"html": page, "mail": mail.String()} {
		if strings.Contains(out, "<script") || !strings.Contains(out, "&lt;script&gt;") {
			t.Errorf("%s: the domain is not escaped", name)
		}
	}
	text := render(t, m, "text", RenderOptions{})
	if strings.Contains(text, "\x1b") {
		t.Error("text: ESC reached the chart")
	}
	md := render(t, m, "markdown", RenderOptions{})
	if !strings.Contains(md, "| \\<script\\>alert(1)\\</script\\>\\`\\`\\`") || strings.Contains(md, "\x1b") {
		t.Errorf("markdown: the domain is not escaped in the trend table:\n%s", md)
	}
}

// TestTrends_window_off_step_keeps_its_end: a 24 h window that does not
// start on an hour (a report of the last 24 hours, or local midnight at
// +05:30) needed 25 hourly buckets and had 24: the problems of its last
// part were left out of the chart's totals.
func TestTrends_window_off_step_keeps_its_end(t *testing.T) {
	from := time.Date(2026, 3, 1, 18, 30, 0, 0, time.UTC)
	to := from.Add(24 * time.Hour)
	b := NewBuilder(Options{From: from, To: to, Zone: time.UTC})
	for _, at := range []time.Time{from.Add(time.Hour), to.Add(-10 * time.Minute)} {
		b.trendProblem("slow.example", at, trendDeferral)
	}
	tr := b.trends(from, to, 8)
	if tr == nil || len(tr.Domains) != 1 {
		t.Fatalf("trends = %+v", tr)
	}
	var total int64
	for _, n := range tr.Domains[0].Deferrals {
		total += n
	}
	if total != 2 {
		t.Errorf("the chart counts %d deferrals of 2 (%d buckets of %d s from %v)", total, tr.Buckets, tr.StepSeconds, tr.From)
	}
}

// TestTrends_local_day_in_half_hour_zone: a local day at +05:30 (or
// +05:45) is 24 hourly buckets from local midnight; counted from the
// Unix epoch, its hours fell across the buckets and it took 13 of two
// hours from 23:30 the day before.
func TestTrends_local_day_in_half_hour_zone(t *testing.T) {
	for _, zone := range []*time.Location{time.FixedZone("+0530", 5*3600+30*60), time.FixedZone("+0545", 5*3600+45*60), time.UTC} {
		from := time.Date(2026, 11, 23, 0, 0, 0, 0, zone)
		to := from.AddDate(0, 0, 1)
		for _, fixed := range []bool{true, false} { // the builder's own grid, and the one made at the end
			opts := Options{Zone: zone}
			if fixed {
				opts.From, opts.To = from, to
			}
			b := NewBuilder(opts)
			b.trendProblem("slow.example", from.Add(90*time.Minute), trendDeferral)
			tr := b.trends(from, to, 8)
			if tr == nil {
				t.Fatalf("%v: no trend", zone)
			}
			if tr.Buckets != 24 || tr.StepSeconds != 3600 || !tr.From.Equal(from) {
				t.Errorf("%v (fixed %v): %d buckets of %d s from %v, want 24 of 3600 s from %v",
					zone, fixed, tr.Buckets, tr.StepSeconds, tr.From.In(zone), from)
			}
			if got := tr.Domains[0].Deferrals; len(got) < 2 || got[1] != 1 {
				t.Errorf("%v (fixed %v): deferral at 01:30 local in buckets %v, want bucket 1", zone, fixed, got)
			}
		}
	}
}

// TestBouncesOrderedWhateverTheMap: bounce rows that differ only by relay
// come out in one order, run after run (map order decided it).
func TestBouncesOrderedWhateverTheMap(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var want []string
	for run := 0; run < 20; run++ {
		b := NewBuilder(Options{From: at, To: at.Add(time.Hour), Zone: time.UTC})
		for i, relay := range []string{"mx3.example.org", "mx1.example.org", "mx2.example.org", "mx4.example.org"} {
			b.Attempt(&aggregate.Attempt{Time: at.Add(time.Duration(i) * time.Minute), Host: "mail", Service: "smtp",
				QueueID: fmt.Sprint("Q", i), MessageStart: at, Recipient: "user@example.org", Domain: "example.org",
				RelayHost: relay, Status: logparse.StatusBounced, DSN: "5.1.1", ReasonClass: "user-unknown"})
		}
		var got []string
		for _, r := range b.Finish().Bounces {
			got = append(got, r.Relay)
		}
		if run == 0 {
			want = got
			if !slices.IsSorted(want) || len(want) != 4 {
				t.Fatalf("bounce rows by relay %v, want the four sorted", want)
			}
		} else if !slices.Equal(got, want) {
			t.Fatalf("run %d: bounce rows by relay %v, run 0 %v", run, got, want)
		}
	}
}

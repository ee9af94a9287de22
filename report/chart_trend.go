package report

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// This file keeps the data of the per-domain trend chart: the problems of
// each destination domain (TLS failures, deferrals, bounces) counted by the
// minute as the Builder sees them, then put in at most maxTrendBuckets
// equal time buckets over the report's window for the most troubled
// domains. Only problems are kept, so the memory is bounded by the
// problem facts of the window, not by its deliveries.

// Trends is the chart of the failing domains over the window: for each,
// its problems in Buckets buckets of StepSeconds from From.
type Trends struct {
	From        time.Time     `json:"from"`
	StepSeconds int64         `json:"step_seconds"`
	Buckets     int           `json:"buckets"`
	Domains     []DomainTrend `json:"domains"`
}

// DomainTrend is one destination domain's problems per bucket.
type DomainTrend struct {
	Domain      string  `json:"domain"`
	TLSFailures []int64 `json:"tls_failures"`
	Deferrals   []int64 `json:"deferrals"` // deferral lines
	Bounced     []int64 `json:"bounced"`
}

// Total is the domain's problems over the window.
func (d DomainTrend) Total() int64 {
	var n int64
	for i := range d.TLSFailures {
		n += d.TLSFailures[i] + d.Deferrals[i] + d.Bounced[i]
	}
	return n
}

// Problem kinds of a trend, the index in a trendCounts.
const (
	trendTLS = iota
	trendDeferral
	trendBounce
)

// trendCounts are one domain's problems in one minute, by kind.
type trendCounts [3]int64

// maxTrendBuckets and maxTrendDomains bound the chart whatever the log.
const (
	maxTrendBuckets = 24
	maxTrendDomains = 8
)

// trendSteps are the bucket sizes a trend may use, smallest first.
var trendSteps = []time.Duration{time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute,
	30 * time.Minute, time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
	2 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour, 28 * 24 * time.Hour}

// trendGrid is a trend's buckets: buckets of step from start.
type trendGrid struct {
	start   time.Time
	step    time.Duration
	buckets int
}

// newTrendGrid is the grid of a trend over the window [from, to), to
// after from, with buckets on whole steps of the report's zone (nil:
// UTC).
func newTrendGrid(from, to time.Time, zone *time.Location) trendGrid {
	// The buckets start at from truncated to the step, so the step must
	// cover the window from there: chosen from to-from alone, a window
	// not on a step boundary needed one bucket more than there are, and
	// the problems of its end were left out of the chart's totals.
	step := trendSteps[len(trendSteps)-1]
	for _, s := range trendSteps {
		if to.Sub(truncateIn(from, s, zone)) <= s*maxTrendBuckets {
			step = s
			break
		}
	}
	start := truncateIn(from, step, zone)
	buckets := max(int((to.Sub(start)+step-1)/step), 1) // more than maxTrendBuckets only past the largest step
	return trendGrid{start, step, buckets}
}

// truncateIn rounds t down to a multiple of d in zone's clock at t:
// time.Truncate counts from the Unix epoch, so that in a zone whose
// offset is not whole hours (+05:30) a local day began half an hour into
// an hourly bucket and its trend took 13 buckets of two hours.
func truncateIn(t time.Time, d time.Duration, zone *time.Location) time.Time {
	if zone == nil {
		zone = time.UTC
	}
	_, offset := t.In(zone).Zone()
	shift := time.Duration(offset) * time.Second
	return t.Add(shift).Truncate(d).Add(-shift)
}

// bucket is the bucket of a minute (Unix time / 60); outside the grid
// when not in [0, buckets).
func (g *trendGrid) bucket(minute int64) int {
	return int(time.Unix(minute*60, 0).Sub(g.start) / g.step)
}

// trendProblem counts one problem of a domain at t: by the minute, or
// straight into its bucket when the builder's window is known
// (trendFixed).
func (b *Builder) trendProblem(domain string, t time.Time, kind int) {
	if domain == "" {
		return
	}
	key := t.Unix() / 60
	if g := b.trendFixed; g != nil {
		i := g.bucket(key)
		if i < 0 || i >= g.buckets {
			return // outside the chart
		}
		key = int64(i)
	}
	if b.trend == nil {
		b.trend = map[string]map[int64]trendCounts{}
	}
	byMin := b.trend[domain]
	if byMin == nil {
		byMin = map[int64]trendCounts{}
		b.trend[strings.Clone(domain)] = byMin
	}
	// By value: a count of its own per domain and minute was an object
	// and a pointer for the collector each.
	c := byMin[key]
	c[kind]++
	byMin[key] = c
}

// trends makes the chart of the top most troubled domains over the
// window [from, to); nil when no domain had a problem or top is 0. A
// builder given a window (trendFixed) counted into its buckets: from and
// to are then that window, as they are the model's.
func (b *Builder) trends(from, to time.Time, top int) *Trends {
	if len(b.trend) == 0 || top <= 0 || from.IsZero() || !to.After(from) {
		return nil
	}
	var g trendGrid
	if b.trendFixed != nil {
		g = *b.trendFixed // the grid it counted into: its window is the model's
	} else {
		g = newTrendGrid(from, to, b.opts.Zone)
	}
	buckets := g.buckets
	tr := &Trends{From: g.start, StepSeconds: int64(g.step / time.Second), Buckets: buckets}
	for domain, byKey := range b.trend {
		d := DomainTrend{Domain: domain, TLSFailures: make([]int64, buckets), Deferrals: make([]int64, buckets), Bounced: make([]int64, buckets)}
		for key, c := range byKey {
			i := int(key)
			if b.trendFixed == nil {
				i = g.bucket(key)
			}
			if i < 0 || i >= buckets {
				continue
			}
			d.TLSFailures[i] += c[trendTLS]
			d.Deferrals[i] += c[trendDeferral]
			d.Bounced[i] += c[trendBounce]
		}
		if d.Total() > 0 {
			tr.Domains = append(tr.Domains, d)
		}
	}
	slices.SortFunc(tr.Domains, func(a, c DomainTrend) int {
		return cmp.Or(cmp.Compare(c.Total(), a.Total()), cmp.Compare(a.Domain, c.Domain))
	})
	tr.Domains = tr.Domains[:min(len(tr.Domains), top, maxTrendDomains)]
	if len(tr.Domains) == 0 {
		return nil
	}
	return tr
}

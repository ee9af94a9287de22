package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/report"
)

// This file is tail --queue: gauges of the Postfix queue read from
// "postqueue -j" (Postfix 3.1+, one JSON object per queued message) on a
// timer. The log says what happened; the queue says what is waiting now.

// queueNames are the queues always reported (0 when empty).
var queueNames = []string{"active", "deferred", "hold", "incoming", "maildrop"}

// queueAgeBuckets are the upper bounds of the age histogram, in seconds:
// 5m, 30m, 1h, 4h, 1d, 3d, 5d (Postfix's default maximal_queue_lifetime).
var queueAgeBuckets = []float64{300, 1800, 3600, 4 * 3600, 86400, 3 * 86400, 5 * 86400}

var (
	descQueueMessages = prometheus.NewDesc("pftls_queue_messages",
		"Messages in the Postfix queue, by queue (postqueue -j).", []string{"queue"}, nil)
	descQueueAge = prometheus.NewDesc("pftls_queue_message_age_seconds",
		"Age of the messages in the Postfix queue (now minus arrival_time), by queue.", []string{"queue"}, nil)
	descQueueDomain = prometheus.NewDesc("pftls_queue_recipients",
		"Recipients waiting in the Postfix queue for the top destination domains (the rest as domain=\"other\").", []string{"domain"}, nil)
	descQueueUp = prometheus.NewDesc("pftls_queue_up",
		"1 when the last postqueue -j ran and was read, 0 when it failed.", nil, nil)
	descQueueRefreshed = prometheus.NewDesc("pftls_queue_last_refresh_timestamp_seconds",
		"When postqueue -j last ran successfully (Unix seconds).", nil, nil)
)

var queueMetricNames = []string{"pftls_queue_messages", "pftls_queue_message_age_seconds",
	"pftls_queue_recipients", "pftls_queue_up", "pftls_queue_last_refresh_timestamp_seconds"}

// queueEntry is one line of postqueue -j (the fields pftls uses).
type queueEntry struct {
	QueueName   string `json:"queue_name"`
	QueueID     string `json:"queue_id"`
	ArrivalTime int64  `json:"arrival_time"`
	Recipients  []struct {
		Address string `json:"address"`
	} `json:"recipients"`
}

// queueSnapshot is what one run of postqueue -j found.
type queueSnapshot struct {
	messages map[string]float64
	ages     map[string][]float64 // seconds, per queue
	domains  map[string]float64   // recipients per domain
}

// readQueue reads postqueue -j's output, as of now.
func readQueue(r io.Reader, now time.Time) (*queueSnapshot, error) {
	s := &queueSnapshot{messages: map[string]float64{}, ages: map[string][]float64{}, domains: map[string]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20) // a message with many recipients is one long line
	n := 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var e queueEntry
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("postqueue -j line %d: %w", n, err)
		}
		q := e.QueueName
		if !slices.Contains(queueNames, q) {
			q = "other"
		}
		s.messages[q]++
		if e.ArrivalTime > 0 {
			s.ages[q] = append(s.ages[q], max(now.Sub(time.Unix(e.ArrivalTime, 0)).Seconds(), 0))
		}
		for _, rc := range e.Recipients {
			d := aggregate.Domain(rc.Address)
			if d == "" {
				d = "(unknown)"
			}
			s.domains[d]++
		}
	}
	return s, sc.Err()
}

// queueCollector runs postqueue -j every interval and serves the last
// snapshot.
type queueCollector struct {
	path     string
	interval time.Duration
	domains  int
	now      func() time.Time

	mu        sync.Mutex
	snap      *queueSnapshot
	ok        bool
	refreshed time.Time
	lastErr   string
}

// findPostqueue resolves --queue: "auto" finds postqueue in PATH or
// /usr/sbin and gives "" when there is none; anything else is a path.
func findPostqueue(flag string) (string, error) {
	if flag != "auto" {
		if _, err := exec.LookPath(flag); err != nil {
			return "", usagef("pftls tail --listen 127.0.0.1 --queue auto", "--queue %s: %v", flag, err)
		}
		return flag, nil
	}
	for _, p := range []string{"postqueue", "/usr/sbin/postqueue"} {
		if path, err := exec.LookPath(p); err == nil {
			return path, nil
		}
	}
	return "", nil
}

// refresh runs postqueue -j once.
func (q *queueCollector) refresh(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, q.path, "-j")
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var snap *queueSnapshot
	if err == nil {
		snap, err = readQueue(bytes.NewReader(out), q.now())
	} else if msg := strings.TrimSpace(stderr.String()); msg != "" {
		err = fmt.Errorf("%w: %s", err, msg)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ok = err == nil
	if err != nil {
		q.lastErr = err.Error()
		return fmt.Errorf("%s -j: %w", q.path, err)
	}
	q.snap, q.refreshed, q.lastErr = snap, q.now(), ""
	return nil
}

// run refreshes every interval until ctx ends; the first failure of a
// run of failures is written to stderr.
func (q *queueCollector) run(ctx context.Context, stderr io.Writer) {
	t := time.NewTicker(q.interval)
	defer t.Stop()
	failing := false
	for {
		err := q.refresh(ctx)
		if err != nil && !failing && !errors.Is(ctx.Err(), context.Canceled) {
			fmt.Fprintf(stderr, "pftls: warning: queue: %v\n", err)
		}
		failing = err != nil
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Describe is prometheus.Collector's.
func (q *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descQueueMessages, descQueueAge, descQueueDomain, descQueueUp, descQueueRefreshed} {
		ch <- d
	}
}

// Collect is prometheus.Collector's.
func (q *queueCollector) Collect(ch chan<- prometheus.Metric) {
	q.mu.Lock()
	defer q.mu.Unlock()
	up := 0.0
	if q.ok {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(descQueueUp, prometheus.GaugeValue, up)
	if q.snap == nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(descQueueRefreshed, prometheus.GaugeValue, float64(q.refreshed.Unix()))
	names := slices.Clone(queueNames)
	if q.snap.messages["other"] > 0 {
		names = append(names, "other")
	}
	for _, name := range names {
		ch <- prometheus.MustNewConstMetric(descQueueMessages, prometheus.GaugeValue, q.snap.messages[name], name)
		ages := q.snap.ages[name]
		buckets := map[float64]uint64{} // every bound, 0 included: histogram_quantile needs them all
		for _, b := range queueAgeBuckets {
			buckets[b] = 0
		}
		sum := 0.0
		for _, a := range ages {
			sum += a
			for _, b := range queueAgeBuckets {
				if a <= b {
					buckets[b]++
				}
			}
		}
		ch <- prometheus.MustNewConstHistogram(descQueueAge, uint64(len(ages)), sum, buckets, name)
	}
	// The top domains by recipients waiting; a queue is a snapshot, so
	// the ranking is redone each time (these are gauges).
	type dc struct {
		d string
		n float64
	}
	var all []dc
	for d, n := range q.snap.domains {
		all = append(all, dc{d, n})
	}
	slices.SortFunc(all, func(a, b dc) int { return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.d, b.d)) })
	other := 0.0
	for i, x := range all {
		if i < q.domains && x.d != report.OtherDomain {
			ch <- prometheus.MustNewConstMetric(descQueueDomain, prometheus.GaugeValue, x.n, x.d)
		} else {
			other += x.n
		}
	}
	ch <- prometheus.MustNewConstMetric(descQueueDomain, prometheus.GaugeValue, other, report.OtherDomain)
}

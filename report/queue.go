package report

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pftls/pftls/aggregate"
)

// The Postfix queue's gauges (tail --queue), beside the log's metrics: the
// log says what happened, the queue what is waiting now. They are read
// from "postqueue -j" (Postfix 3.1+, one JSON object per queued message);
// running it is the command's part.

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

// QueueMetricNames lists the families a QueueCollector exports.
func QueueMetricNames() []string {
	return []string{"pftls_queue_messages", "pftls_queue_message_age_seconds",
		"pftls_queue_recipients", "pftls_queue_up", "pftls_queue_last_refresh_timestamp_seconds"}
}

// queueEntry is one line of postqueue -j (the fields pftls uses).
type queueEntry struct {
	QueueName   string `json:"queue_name"`
	QueueID     string `json:"queue_id"`
	ArrivalTime int64  `json:"arrival_time"`
	Recipients  []struct {
		Address string `json:"address"`
	} `json:"recipients"`
}

// QueueSnapshot is what one run of postqueue -j found.
type QueueSnapshot struct {
	messages map[string]float64
	ages     map[string][]float64 // seconds, per queue
	domains  map[string]float64   // recipients per domain
}

// ReadQueue reads postqueue -j's output, as of now.
func ReadQueue(r io.Reader, now time.Time) (*QueueSnapshot, error) {
	s := &QueueSnapshot{messages: map[string]float64{}, ages: map[string][]float64{}, domains: map[string]float64{}}
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
				d = unknownDomain
			}
			s.domains[d]++
		}
	}
	return s, sc.Err()
}

// QueueCollector is a prometheus.Collector of the last queue snapshot
// it was given; safe for concurrent use.
type QueueCollector struct {
	Domains int // domains with series of their own; the rest are "other"

	mu        sync.Mutex
	snap      *QueueSnapshot
	ok        bool
	refreshed time.Time
}

// Set makes s, read at at, the snapshot served.
func (q *QueueCollector) Set(s *QueueSnapshot, at time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.snap, q.refreshed, q.ok = s, at, true
}

// Failed says the last run of postqueue -j failed: pftls_queue_up is 0,
// and the last good snapshot is still served.
func (q *QueueCollector) Failed() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ok = false
}

// Describe is prometheus.Collector's.
func (q *QueueCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descQueueMessages, descQueueAge, descQueueDomain, descQueueUp, descQueueRefreshed} {
		ch <- d
	}
}

// Collect is prometheus.Collector's.
func (q *QueueCollector) Collect(ch chan<- prometheus.Metric) {
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
		if i < q.Domains && x.d != OtherDomain {
			ch <- prometheus.MustNewConstMetric(descQueueDomain, prometheus.GaugeValue, x.n, x.d)
		} else {
			other += x.n
		}
	}
	ch <- prometheus.MustNewConstMetric(descQueueDomain, prometheus.GaugeValue, other, OtherDomain)
}

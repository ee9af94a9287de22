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
	famQueueMessages = newFamily("pftls_queue_messages",
		"Messages in the Postfix queue, by queue (postqueue -j).", "queue")
	famQueueAge = newFamily("pftls_queue_message_age_seconds",
		"Age of the messages in the Postfix queue (now minus arrival_time), by queue.", "queue")
	famQueueDomain = newFamily("pftls_queue_recipients",
		"Recipients waiting in the Postfix queue for the top destination domains (the rest as domain=\"other\").", "domain")
	famQueueUp = newFamily("pftls_queue_up",
		"1 when the last postqueue -j ran and was read, 0 when it failed.")
	famQueueRefreshed = newFamily("pftls_queue_last_refresh_timestamp_seconds",
		"When postqueue -j last ran successfully (Unix seconds).")
)

// queueFamilies are the families a QueueCollector exports.
var queueFamilies = []*metricFamily{famQueueMessages, famQueueAge, famQueueDomain, famQueueUp, famQueueRefreshed}

// QueueMetricNames lists the families a QueueCollector exports.
func QueueMetricNames() []string { return familyNames(queueFamilies) }

// queueEntry is one line of postqueue -j (the fields pftls uses).
type queueEntry struct {
	QueueName   string `json:"queue_name"`
	QueueID     string `json:"queue_id"`
	ArrivalTime int64  `json:"arrival_time"`
	Recipients  []struct {
		Address string `json:"address"`
	} `json:"recipients"`
}

// QueueSnapshot is what one run of postqueue -j found, counted once for
// every scrape that serves it.
type QueueSnapshot struct {
	messages map[string]float64
	ages     map[string]*queueAges // per queue
	domains  []domainCount         // recipients per domain, most first
}

// queueAges is the age histogram of one queue's messages.
type queueAges struct {
	count   uint64
	sum     float64  // seconds
	buckets []uint64 // messages at most queueAgeBuckets[i] old
}

// domainCount is the recipients waiting for one domain.
type domainCount struct {
	domain string
	n      float64
}

// ReadQueue reads postqueue -j's output, as of now.
func ReadQueue(r io.Reader, now time.Time) (*QueueSnapshot, error) {
	s := &QueueSnapshot{messages: map[string]float64{}, ages: map[string]*queueAges{}}
	domains := map[string]float64{}
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
			s.age(q, max(now.Sub(time.Unix(e.ArrivalTime, 0)).Seconds(), 0))
		}
		for _, rc := range e.Recipients {
			d := aggregate.Domain(rc.Address)
			if d == "" {
				d = unknownDomain
			}
			domains[d]++
		}
	}
	for d, n := range domains {
		s.domains = append(s.domains, domainCount{d, n})
	}
	slices.SortFunc(s.domains, func(a, b domainCount) int { return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.domain, b.domain)) })
	return s, sc.Err()
}

// age counts a message of queue q that is a seconds old.
func (s *QueueSnapshot) age(q string, a float64) {
	h := s.ages[q]
	if h == nil {
		h = &queueAges{buckets: make([]uint64, len(queueAgeBuckets))}
		s.ages[q] = h
	}
	h.count++
	h.sum += a
	for i, b := range queueAgeBuckets {
		if a <= b {
			h.buckets[i]++
		}
	}
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
func (q *QueueCollector) Describe(ch chan<- *prometheus.Desc) { describe(ch, queueFamilies) }

// Collect is prometheus.Collector's.
func (q *QueueCollector) Collect(ch chan<- prometheus.Metric) {
	q.mu.Lock()
	defer q.mu.Unlock()
	up := 0.0
	if q.ok {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(famQueueUp.desc, prometheus.GaugeValue, up)
	if q.snap == nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(famQueueRefreshed.desc, prometheus.GaugeValue, float64(q.refreshed.Unix()))
	names := slices.Clone(queueNames)
	if q.snap.messages["other"] > 0 {
		names = append(names, "other")
	}
	for _, name := range names {
		ch <- prometheus.MustNewConstMetric(famQueueMessages.desc, prometheus.GaugeValue, q.snap.messages[name], name)
		h := q.snap.ages[name]
		if h == nil {
			h = &queueAges{buckets: make([]uint64, len(queueAgeBuckets))}
		}
		buckets := map[float64]uint64{} // every bound, 0 included: histogram_quantile needs them all
		for i, b := range queueAgeBuckets {
			buckets[b] = h.buckets[i]
		}
		ch <- prometheus.MustNewConstHistogram(famQueueAge.desc, h.count, h.sum, buckets, name)
	}
	// The top domains by recipients waiting (these are gauges: a queue is
	// a snapshot, ranked when it was read).
	other := 0.0
	for i, x := range q.snap.domains {
		if i < q.Domains && x.domain != OtherDomain {
			ch <- prometheus.MustNewConstMetric(famQueueDomain.desc, prometheus.GaugeValue, x.n, x.domain)
		} else {
			other += x.n
		}
	}
	ch <- prometheus.MustNewConstMetric(famQueueDomain.desc, prometheus.GaugeValue, other, OtherDomain)
}

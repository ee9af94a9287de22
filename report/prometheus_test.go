package report

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
)

// attempts makes n delivery lines to domain with the given status.
func attempts(domain string, status logparse.Status, n int, at time.Time) []aggregate.Attempt {
	var out []aggregate.Attempt
	for i := range n {
		out = append(out, aggregate.Attempt{Time: at, Host: "mx1", QueueID: fmt.Sprintf("Q%s%d", domain, i), Service: "smtp",
			Recipient: "u@" + domain, Domain: domain, RelayAddr: "192.0.2.1", Status: status})
	}
	return out
}

// series reads every series of a collector as "name{labels} value" lines.
func series(t *testing.T, c prometheus.Collector) map[string]float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(c); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.Metric {
			var labels []string
			for _, l := range m.Label {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			out[mf.GetName()+"{"+strings.Join(labels, ",")+"}"] = m.GetCounter().GetValue()
		}
	}
	return out
}

// TestMetricsDomainSeriesNeverDecrease: in a live Metrics, a domain that
// enters the top domains after the first scrape starts at 0, and "other"
// never goes down; every series only grows from scrape to scrape, and the
// per-domain series add up to the total.
func TestMetricsDomainSeriesNeverDecrease(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	m := NewMetrics(MetricsOptions{Domains: 2, Live: true})
	m.Facts(&aggregate.Batch{Attempts: attempts("a.example", logparse.StatusSent, 5, at)})
	first := series(t, m)
	if first[`pftls_domain_deliveries_total{domain=a.example,status=delivered}`] != 5 {
		t.Fatalf("a.example: %v", first)
	}
	// b.example comes later, with more problems than a.example: it enters
	// the top domains at its next scrape (one place was free) and starts at 0.
	m.Facts(&aggregate.Batch{Attempts: attempts("b.example", logparse.StatusDeferred, 4, at)})
	second := series(t, m)
	m.Facts(&aggregate.Batch{Attempts: slices2(attempts("b.example", logparse.StatusDeferred, 3, at), attempts("c.example", logparse.StatusSent, 9, at))})
	third := series(t, m)
	for _, s := range []map[string]float64{second, third} {
		for k, v := range first {
			if s[k] < v {
				t.Errorf("%s went down: %v -> %v", k, v, s[k])
			}
		}
	}
	for k, v := range second {
		if third[k] < v {
			t.Errorf("%s went down: %v -> %v", k, v, third[k])
		}
	}
	if got := third[`pftls_domain_deliveries_total{domain=b.example,status=deferred}`]; got != 3 {
		t.Errorf("b.example deferred = %v, want 3 (it entered at the second scrape, from 0)", got)
	}
	if got := third[`pftls_domain_deliveries_total{domain=other,status=deferred}`]; got != 4 {
		t.Errorf("other deferred = %v, want b.example's 4 before it entered", got)
	}
	if got := third[`pftls_domain_deliveries_total{domain=c.example,status=delivered}`]; got != 0 {
		t.Errorf("c.example has a series (%v) though the two places are taken", got)
	}
	if got := third[`pftls_domain_deliveries_total{domain=other,status=delivered}`]; got != 9 {
		t.Errorf("other delivered = %v, want c.example's 9", got)
	}
	var sum float64
	for k, v := range third {
		if strings.HasPrefix(k, "pftls_domain_deliveries_total{") {
			sum += v
		}
	}
	if sum != 5+7+9 {
		t.Errorf("per-domain series add up to %v, want 21", sum)
	}
}

func slices2[T any](a, b []T) []T { return append(a, b...) }

// TestMetricsMessagesCountedOnce: tail hands the pump's consumers a message
// at every change; it is received (and deferred) once, and forgotten when
// it is removed.
func TestMetricsMessagesCountedOnce(t *testing.T) {
	start := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	msg := aggregate.Message{Host: "mx1", QueueID: "4NgHqB0K3Mz1xkV", Start: start, LastSeen: start, Origin: aggregate.OriginSMTPD}
	def := aggregate.Attempt{Time: start, Host: "mx1", QueueID: msg.QueueID, MessageStart: start, Service: "smtp",
		Domain: "down.example.org", RelayAddr: "127.0.0.19", Status: logparse.StatusDeferred, DSN: "4.4.1"}
	m := NewMetrics(MetricsOptions{Live: true})
	m.Facts(&aggregate.Batch{Messages: []aggregate.Message{msg}, Attempts: []aggregate.Attempt{def}})
	msg.LastSeen = start.Add(time.Hour)
	def.Time = msg.LastSeen
	m.Facts(&aggregate.Batch{Messages: []aggregate.Message{msg}, Attempts: []aggregate.Attempt{def}})
	msg.Removed, msg.Expired = true, true
	m.Facts(&aggregate.Batch{Messages: []aggregate.Message{msg}})
	want := `
# HELP pftls_messages_received_total Messages received (by smtpd or pickup; pflogsumm's received), by the time they entered the queue.
# TYPE pftls_messages_received_total counter
pftls_messages_received_total{host="mx1"} 1
# HELP pftls_messages_deferred_total Messages with at least one deferral (each counted once).
# TYPE pftls_messages_deferred_total counter
pftls_messages_deferred_total{host="mx1"} 1
# HELP pftls_messages_expired_total Messages returned to the sender after their maximal queue lifetime (status=expired).
# TYPE pftls_messages_expired_total counter
pftls_messages_expired_total{host="mx1"} 1
# HELP pftls_deferrals_total status=deferred (and SOFTBOUNCE) lines by DSN code and the RFC 3463 subject class of the DSN (tls when TLS failed).
# TYPE pftls_deferrals_total counter
pftls_deferrals_total{dsn="4.4.1",host="mx1",reason="network"} 2
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(want), "pftls_messages_received_total",
		"pftls_messages_deferred_total", "pftls_messages_expired_total", "pftls_deferrals_total"); err != nil {
		t.Error(err)
	}
	if len(m.messages) != 0 {
		t.Errorf("%d messages remembered after removal", len(m.messages))
	}
}

// TestMetricsLabelsBounded: log text never becomes a label value unchecked.
func TestMetricsLabelsBounded(t *testing.T) {
	for in, want := range map[string]string{"4.7.5": "4.7.5", "": "none", "4.7": "other", "x.y.z": "other", "44.1.1": "other", "5.1.1000": "other"} {
		if got := dsnLabel(in); got != want {
			t.Errorf("dsnLabel(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"TLSv1.3": "TLSv1.3", "": "none", "TLSv9 <script>": "other"} {
		if got := protocolLabel(in); got != want {
			t.Errorf("protocolLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMetricsForgetsOldMessages: the set of open messages stays bounded:
// messages that entered the queue more than 8 days before the newest fact
// are forgotten (they cannot come again).
func TestMetricsForgetsOldMessages(t *testing.T) {
	m := NewMetrics(MetricsOptions{Live: true})
	old := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var b aggregate.Batch
	for i := range 10001 {
		b.Messages = append(b.Messages, aggregate.Message{Host: "mx1", QueueID: fmt.Sprint("Q", i), Start: old, LastSeen: old, Origin: aggregate.OriginPickup})
	}
	m.Facts(&b)
	if len(m.messages) != 10001 {
		t.Fatalf("%d messages remembered, want 10001", len(m.messages))
	}
	now := old.Add(9 * 24 * time.Hour)
	m.Facts(&aggregate.Batch{Messages: []aggregate.Message{{Host: "mx1", QueueID: "NEW", Start: now, LastSeen: now, Origin: aggregate.OriginPickup}}})
	if len(m.messages) != 1 {
		t.Errorf("%d messages remembered after 9 days, want the new one", len(m.messages))
	}
	if got := testutil.ToFloat64(prometheus.CollectorFunc(func(ch chan<- prometheus.Metric) {
		c := make(chan prometheus.Metric, 100)
		m.Collect(c)
		close(c)
		for x := range c {
			if strings.Contains(x.Desc().String(), `"pftls_messages_received_total"`) {
				ch <- x
			}
		}
	})); got != 10002 {
		t.Errorf("received = %v, want 10002", got)
	}
}

// TestMetricsInboundKeyExchange: an inbound session's key exchange group
// gives its kx label, as an outbound delivery's does; "unknown" is only
// for a TLS session whose group was not logged.
func TestMetricsInboundKeyExchange(t *testing.T) {
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	m := NewMetrics(MetricsOptions{})
	m.Facts(&aggregate.Batch{
		Sessions: []aggregate.Session{
			{Start: at, End: at, Host: "mx1", Service: "smtpd", TLSTrust: logparse.TrustAnonymous, TLSProtocol: "TLSv1.3", TLSKeyExchange: "X25519MLKEM768"},
			{Start: at, End: at, Host: "mx1", Service: "smtpd", TLSTrust: logparse.TrustAnonymous, TLSProtocol: "TLSv1.2"},
		},
	})
	m.SessionCount(&aggregate.SessionCount{First: at, Last: at, Host: "mx1", Service: "smtpd",
		TLSTrust: logparse.TrustAnonymous, TLSProtocol: "TLSv1.3", TLSKeyExchange: "X25519", Sessions: 3})
	got := series(t, m)
	for k, want := range map[string]float64{
		"pftls_tls_sessions_total{direction=inbound,host=mx1,kx=pq-hybrid,protocol=TLSv1.3,trust=anonymous}": 1,
		"pftls_tls_sessions_total{direction=inbound,host=mx1,kx=classic,protocol=TLSv1.3,trust=anonymous}":   3,
		"pftls_tls_sessions_total{direction=inbound,host=mx1,kx=unknown,protocol=TLSv1.2,trust=anonymous}":   1,
	} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
}

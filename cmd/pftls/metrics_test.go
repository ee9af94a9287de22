package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/pftls/pftls/report"
)

// parseExposition reads the Prometheus text format.
func parseExposition(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse exposition: %v\n%s", err, text)
	}
	return mfs
}

// sumWhere adds the values of a family's series whose labels include want.
func sumWhere(mfs map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	var sum float64
	mf := mfs[name]
	if mf == nil {
		return -1
	}
next:
	for _, m := range mf.Metric {
		for k, v := range want {
			if !slices.ContainsFunc(m.Label, func(l *dto.LabelPair) bool { return l.GetName() == k && l.GetValue() == v }) {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		}
	}
	return sum
}

// TestMetricsReportPrometheusMatchesJSON: report --format prometheus on the
// corpus says what report --format json says, count for count, because
// both ask aggregate's rules.
func TestMetricsReportPrometheusMatchesJSON(t *testing.T) {
	m := reportJSON(t, corpusLog, "--top", "1000") // every domain
	code, out, errOut := runCLI(t, "", "report", "--db", ":memory:", "--format", "prometheus", "--year", "2026", "--tz", "UTC", corpusLog)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	mfs := parseExposition(t, out)
	for _, c := range []struct {
		what string
		got  float64
		want int64
	}{
		{"received", sumWhere(mfs, "pftls_messages_received_total", nil), m.Totals.Received},
		{"delivered", sumWhere(mfs, "pftls_deliveries_total", map[string]string{"status": "delivered"}), m.Totals.Delivered},
		{"forwarded", sumWhere(mfs, "pftls_deliveries_total", map[string]string{"status": "forwarded"}), m.Totals.Forwarded},
		{"deferrals", sumWhere(mfs, "pftls_deliveries_total", map[string]string{"status": "deferred"}), m.Totals.Deferrals},
		{"deferrals by reason", sumWhere(mfs, "pftls_deferrals_total", nil), m.Totals.Deferrals},
		{"deferred messages", sumWhere(mfs, "pftls_messages_deferred_total", nil), m.Totals.Deferred},
		{"bounced", sumWhere(mfs, "pftls_deliveries_total", map[string]string{"status": "bounced"}), m.Totals.Bounced},
		{"expired", sumWhere(mfs, "pftls_messages_expired_total", nil), m.Totals.Expired},
		{"rejected", sumWhere(mfs, "pftls_rejects_total", map[string]string{"class": "rejected"}), m.Totals.Rejected},
		{"TLS failures", sumWhere(mfs, "pftls_tls_failures_total", map[string]string{"direction": "outbound"}), m.Totals.TLSFailures},
		{"outbound TLS mix", sumWhere(mfs, "pftls_tls_sessions_total", map[string]string{"direction": "outbound"}), m.TLS.Outbound.Deliveries},
		{"inbound connections", sumWhere(mfs, "pftls_tls_sessions_total", map[string]string{"direction": "inbound"}), m.TLS.Inbound.Connections},
		{"lines read", sumWhere(mfs, "pftls_lines_read_total", nil), m.Lines.Read},
		{"lines not understood", sumWhere(mfs, "pftls_lines_not_understood_total", nil), m.Lines.Unparsed + m.Lines.Malformed},
	} {
		if c.got != float64(c.want) {
			t.Errorf("%s: prometheus %v, json %d", c.what, c.got, c.want)
		}
	}
	// Per-domain series: at most --top domains plus "other", adding up to
	// the deliveries that count for a domain.
	domains := map[string]bool{}
	for _, mt := range mfs["pftls_domain_deliveries_total"].GetMetric() {
		for _, l := range mt.Label {
			if l.GetName() == "domain" {
				domains[l.GetValue()] = true
			}
		}
	}
	if len(domains) > report.DefaultMetricsDomains+1 || !domains[report.OtherDomain] {
		t.Errorf("domains with series: %v, want at most %d and %q", domains, report.DefaultMetricsDomains, report.OtherDomain)
	}
	// Deferrals and bounces per domain add up as in the report's domain
	// rows (forwarded lines are a status of their own here).
	var deferrals, bounced int64
	for _, d := range m.Domains {
		deferrals += d.Deferrals
		bounced += d.Bounced
	}
	if got := sumWhere(mfs, "pftls_domain_deliveries_total", map[string]string{"status": "deferred"}); got != float64(deferrals) {
		t.Errorf("per-domain deferrals add up to %v, the report's domain rows to %d", got, deferrals)
	}
	if got := sumWhere(mfs, "pftls_domain_deliveries_total", map[string]string{"status": "bounced"}); got != float64(bounced) {
		t.Errorf("per-domain bounces add up to %v, the report's domain rows to %d", got, bounced)
	}
}

// TestMetricsFlagsNeedListen: the metrics flags are refused without
// --listen (accepted and ignored would be a lie), and --listen without a
// port takes the default one.
func TestMetricsFlagsNeedListen(t *testing.T) {
	for _, args := range [][]string{{"--queue", "auto"}, {"--metrics-domains", "3"}, {"--queue-interval", "5m"}} {
		code, _, errOut := runCLI(t, "", append(append([]string{"tail", "--no-db"}, args...), corpusLog)...)
		if code != 2 || !strings.Contains(errOut, "needs --listen") {
			t.Errorf("tail %v: exit %d, %q; want 2 and 'needs --listen'", args, code, errOut)
		}
	}
	for in, want := range map[string]string{"127.0.0.1": "127.0.0.1:10154", "[::1]": "[::1]:10154", "127.0.0.1:9999": "127.0.0.1:9999"} {
		if got, err := listenAddr(in); err != nil || got != want {
			t.Errorf("listenAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestMetricsListenInProcess runs tail --listen in-process on the corpus
// with --no-db --from-start and scrapes it: the counts are the report's,
// OpenMetrics is served when asked, /healthz answers, promtool check
// metrics passes on the scrape (where promtool is installed), and
// cancelling the context stops the server.
func TestMetricsListenInProcess(t *testing.T) {
	want := reportJSON(t, corpusLog)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"tail", "--no-db", "--from-start", "--format", "json", "--year", "2026", "--tz", "UTC",
			"--listen", "127.0.0.1:0", corpusLog}, strings.NewReader(""), io.Discard, pw)
		pw.Close()
		done <- code
	}()
	stderr := bufio.NewReader(pr)
	line, err := stderr.ReadString('\n')
	if err != nil {
		t.Fatalf("tail's first line: %v", err)
	}
	go io.Copy(io.Discard, stderr) // the rest, until tail ends
	addr := regexp.MustCompile(`http://(\S+)/metrics`).FindStringSubmatch(line)
	if addr == nil {
		t.Fatalf("tail did not say where it serves: %q", line)
	}
	base := "http://" + addr[1]
	var mfs map[string]*dto.MetricFamily
	var body []byte
	waitFor(t, "the corpus to be counted", func() bool {
		b, code, err := httpGet(base + "/metrics")
		if err != nil || code != http.StatusOK {
			return false
		}
		body = b
		mfs = parseExposition(t, string(b))
		// The newest line's stamp is told with the pump's next tick (1 s).
		return sumWhere(mfs, "pftls_lines_read_total", nil) == float64(want.Lines.Read) &&
			sumWhere(mfs, "pftls_last_line_timestamp_seconds", nil) > 0
	})
	if got := sumWhere(mfs, "pftls_deliveries_total", map[string]string{"status": "delivered"}); got != float64(want.Totals.Delivered) {
		t.Errorf("delivered %v, report %d", got, want.Totals.Delivered)
	}
	if got := sumWhere(mfs, "pftls_tls_failures_total", map[string]string{"direction": "outbound"}); got != float64(want.Totals.TLSFailures) {
		t.Errorf("TLS failures %v, report %d", got, want.Totals.TLSFailures)
	}

	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	om, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text") || !strings.HasSuffix(string(om), "# EOF\n") {
		t.Errorf("OpenMetrics: Content-Type %q, ends %q", ct, string(om[max(len(om)-20, 0):]))
	}
	if b, code, err := httpGet(base + "/healthz"); err != nil || code != http.StatusOK || strings.TrimSpace(string(b)) != "ok" {
		t.Errorf("/healthz: %d %q %v", code, b, err)
	}

	if promtool, err := exec.LookPath("promtool"); err == nil {
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = strings.NewReader(string(body))
		out, err := cmd.CombinedOutput()
		t.Logf("promtool check metrics: %q", out)
		if err != nil {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	} else {
		t.Log("promtool not installed: promtool check metrics skipped")
	}

	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("tail ended with %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("tail did not end after its context was cancelled")
	}
	if _, _, err := httpGet(base + "/metrics"); err == nil {
		t.Error("the metrics server still answers after tail ended")
	}
}

// TestPromtoolAlertRules: the alert rules pass promtool check rules, and
// their unit tests (each alert fired on a series shaped like a corpus
// scenario) pass promtool test rules.
func TestPromtoolAlertRules(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (Debian: apt-get install prometheus); skipping the rule checks")
	}
	for _, args := range [][]string{{"check", "rules", "pftls-alerts.yml"}, {"test", "rules", "pftls-alerts.test.yml"}} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, promtool, args...)
		cmd.Dir = "../../contrib/prometheus"
		out, err := cmd.CombinedOutput()
		cancel()
		t.Logf("promtool %s:\n%s", strings.Join(args, " "), out)
		if err != nil {
			t.Errorf("promtool %s: %v", strings.Join(args, " "), err)
		}
	}
}

// exportedNames is every family pftls tail --listen can export, read from
// the registry's descriptors (the Go and process collectors' included).
func exportedNames(t *testing.T) map[string]bool {
	t.Helper()
	tm, err := newTailMetrics(report.MetricsOptions{}, "-", nil, false, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := tm.reg.Register(&queueCollector{}); err != nil {
		t.Fatal(err)
	}
	ch := make(chan *prometheus.Desc, 1000)
	names := map[string]bool{}
	re := regexp.MustCompile(`fqName: "([^"]+)"`)
	for _, c := range []prometheus.Collector{tm, &queueCollector{}} {
		c.Describe(ch)
	}
	close(ch)
	for d := range ch {
		if m := re.FindStringSubmatch(d.String()); m != nil {
			names[m[1]] = true
		}
	}
	return names
}

// tailMetricNames are the families tailMetrics adds to report.Metrics'.
var tailMetricNames = []string{"pftls_last_line_timestamp_seconds", "pftls_log_lag_bytes",
	"pftls_ingest_commits_total", "pftls_ingest_commit_errors_total", "pftls_up", "pftls_log_readable", "pftls_log_files_missed_total"}

// TestMetricNamesDocumented: every family the registry describes is in
// the lists the dashboard test and the README use, and in the README.
func TestMetricNamesDocumented(t *testing.T) {
	names := exportedNames(t)
	listed := slices.Concat(report.MetricNames(), tailMetricNames, report.QueueMetricNames())
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for n := range names {
		if !slices.Contains(listed, n) {
			t.Errorf("%s is exported but not listed", n)
		}
	}
	for _, n := range listed {
		if !names[n] {
			t.Errorf("%s is listed but not exported", n)
		}
		if !strings.Contains(string(readme), "`"+n+"`") {
			t.Errorf("%s is not in the README", n)
		}
	}
}

// TestGrafanaDashboardQueriesExportedMetrics: the dashboard is valid JSON,
// has panels, and every query in it names a metric pftls exports (and no
// other pftls_ name).
func TestGrafanaDashboardQueriesExportedMetrics(t *testing.T) {
	data, err := os.ReadFile("../../contrib/grafana/pftls.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("pftls.json: %v", err)
	}
	names := exportedNames(t)
	re := regexp.MustCompile(`\bpftls_[a-z0-9_]+`)
	queries := 0
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			queries++
			used := re.FindAllString(q.Expr, -1)
			if len(used) == 0 {
				t.Errorf("panel %q: query %q names no pftls metric", p.Title, q.Expr)
			}
			for _, n := range used {
				base := n
				for _, suf := range []string{"_bucket", "_sum", "_count"} {
					if b, ok := strings.CutSuffix(n, suf); ok && names[b] {
						base = b
					}
				}
				if !names[base] {
					t.Errorf("panel %q: %s is not a metric pftls exports", p.Title, n)
				}
			}
		}
	}
	if len(dash.Panels) < 8 || queries < 10 {
		t.Errorf("dashboard %q: %d panels, %d queries; want the volume, deferral, TLS, lag and queue panels", dash.Title, len(dash.Panels), queries)
	}
}

// TestQueueFakePostqueue reads the recorded queue through the fake
// postqueue in testdata: messages by queue, the age histogram, the top
// domains and "other".
func TestQueueFakePostqueue(t *testing.T) {
	now := time.Unix(1795400000, 0)
	q := &queueCollector{path: "../../testdata/postqueue/postqueue", interval: time.Minute, now: func() time.Time { return now }, QueueCollector: report.QueueCollector{Domains: 2}}
	if err := q.refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP pftls_queue_messages Messages in the Postfix queue, by queue (postqueue -j).
# TYPE pftls_queue_messages gauge
pftls_queue_messages{queue="active"} 1
pftls_queue_messages{queue="deferred"} 3
pftls_queue_messages{queue="hold"} 1
pftls_queue_messages{queue="incoming"} 0
pftls_queue_messages{queue="maildrop"} 0
# HELP pftls_queue_recipients Recipients waiting in the Postfix queue for the top destination domains (the rest as domain="other").
# TYPE pftls_queue_recipients gauge
pftls_queue_recipients{domain="bank.example.net"} 1
pftls_queue_recipients{domain="down.example.org"} 3
pftls_queue_recipients{domain="other"} 3
# HELP pftls_queue_up 1 when the last postqueue -j ran and was read, 0 when it failed.
# TYPE pftls_queue_up gauge
pftls_queue_up 1
`
	if err := testutil.CollectAndCompare(q, strings.NewReader(want), "pftls_queue_messages", "pftls_queue_recipients", "pftls_queue_up"); err != nil {
		t.Error(err)
	}
	ages := `
# HELP pftls_queue_message_age_seconds Age of the messages in the Postfix queue (now minus arrival_time), by queue.
# TYPE pftls_queue_message_age_seconds histogram
` + ageLines("active", 10, 1, 1, 1, 1, 1, 1, 1, 1) + ageLines("deferred", 510000, 0, 0, 0, 1, 1, 2, 3, 3) +
		ageLines("hold", 3600, 0, 0, 1, 1, 1, 1, 1, 1) + ageLines("incoming", 0, 0, 0, 0, 0, 0, 0, 0, 0) + ageLines("maildrop", 0, 0, 0, 0, 0, 0, 0, 0, 0)
	if err := testutil.CollectAndCompare(q, strings.NewReader(ages), "pftls_queue_message_age_seconds"); err != nil {
		t.Error(err)
	}

	// A postqueue that fails: pftls_queue_up 0, the last good snapshot kept.
	q.path = "../../testdata/postqueue/queue.jsonl" // not executable
	if err := q.refresh(context.Background()); err == nil {
		t.Error("refresh with a broken postqueue succeeded")
	}
	if got := testutil.ToFloat64(prometheus.CollectorFunc(func(ch chan<- prometheus.Metric) {
		c := make(chan prometheus.Metric, 100)
		q.Collect(c)
		close(c)
		for m := range c {
			if strings.Contains(m.Desc().String(), `"pftls_queue_up"`) {
				ch <- m
			}
		}
	})); got != 0 {
		t.Errorf("pftls_queue_up after a failure = %v, want 0", got)
	}
}

// ageLines is one queue's age histogram in the text format: its sum and
// the cumulative counts of queueAgeBuckets and +Inf.
func ageLines(queue string, sum float64, counts ...int) string {
	var b strings.Builder
	bounds := []string{"300", "1800", "3600", "14400", "86400", "259200", "432000", "+Inf"}
	for i, le := range bounds {
		b.WriteString(`pftls_queue_message_age_seconds_bucket{queue="` + queue + `",le="` + le + `"} ` + itoa(counts[i]) + "\n")
	}
	b.WriteString(`pftls_queue_message_age_seconds_sum{queue="` + queue + `"} ` + strings.TrimSuffix(strings.TrimSuffix(formatFloat(sum), ".0"), ".") + "\n")
	b.WriteString(`pftls_queue_message_age_seconds_count{queue="` + queue + `"} ` + itoa(counts[len(counts)-1]) + "\n")
	return b.String()
}

// TestQueueRealPostqueue reads the real queue where Postfix is installed.
func TestQueueRealPostqueue(t *testing.T) {
	path, err := findPostqueue("auto")
	if err != nil || path == "" {
		t.Skip("postqueue is not installed (Postfix 3.1+); the fake postqueue test covers the reading")
	}
	q := &queueCollector{path: path, interval: time.Minute, now: time.Now, QueueCollector: report.QueueCollector{Domains: 5}}
	if err := q.refresh(context.Background()); err != nil {
		t.Skipf("postqueue -j cannot read the queue here (is Postfix running, may this user reach showq?): %v", err)
	}
	if n, err := testutil.GatherAndCount(prometheusRegistry(t, q), "pftls_queue_messages"); err != nil || n < 4 {
		t.Errorf("pftls_queue_messages: %d series, %v; want one per queue", n, err)
	}
}

func prometheusRegistry(t *testing.T, cs ...prometheus.Collector) *prometheus.Registry {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	for _, c := range cs {
		if err := reg.Register(c); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

func itoa(n int) string { return strconv.Itoa(n) }

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// tailInProcess runs pftls tail --listen 127.0.0.1:0 in-process and
// returns the base URL it serves and a stop function that cancels it and
// waits (bounded) for it to end.
func tailInProcess(t *testing.T, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run(ctx, append([]string{"tail", "--listen", "127.0.0.1:0"}, args...), strings.NewReader(""), io.Discard, pw)
		pw.Close()
		done <- code
	}()
	stderr := bufio.NewReader(pr)
	line, err := stderr.ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("tail's first line: %v", err)
	}
	rest := &syncBuffer{}
	go io.Copy(rest, stderr)
	addr := regexp.MustCompile(`http://(\S+)/metrics`).FindStringSubmatch(line)
	if addr == nil {
		cancel()
		t.Fatalf("tail did not say where it serves: %q", line)
	}
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("tail ended with %d:\n%s", code, rest.String())
			}
		case <-time.After(10 * time.Second):
			t.Fatal("tail did not end after its context was cancelled")
		}
	}
	t.Cleanup(stop)
	return "http://" + addr[1], stop
}

// scrape reads /metrics until cond holds, for up to 30 s, and returns it.
func scrape(t *testing.T, base, what string, cond func(map[string]*dto.MetricFamily) bool) map[string]*dto.MetricFamily {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b, code, err := httpGet(base + "/metrics")
		if err == nil && code == http.StatusOK {
			if mfs := parseExposition(t, string(b)); cond(mfs) {
				return mfs
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestMetricsContinueAfterRestart: with the store, a restarted tail's
// counters start from what the database holds (the lines read by the
// last run and those written while it was down), not from 0; the lines
// after the restart are added once.
func TestMetricsContinueAfterRestart(t *testing.T) {
	want := reportJSON(t, corpusLog)
	lines := corpusLines(t)
	dir := t.TempDir()
	log, db := dir+"/mail.log", dir+"/pftls.db"
	args := []string{"--db", db, "--format", "json", "--year", "2026", "--tz", "UTC", log}
	third := len(lines) / 3
	linesRead := func(n int) func(map[string]*dto.MetricFamily) bool {
		return func(mfs map[string]*dto.MetricFamily) bool {
			return sumWhere(mfs, "pftls_lines_read_total", nil) == float64(n)
		}
	}

	appendTo(t, log, lines[:10])
	base, stop := tailInProcess(t, args...)
	appendTo(t, log, lines[10:third])
	scrape(t, base, "the first third", linesRead(third))
	stop()

	appendTo(t, log, lines[third:2*third]) // written while tail is down
	// The lines appended now are shown, or, if tail looks at the file's
	// size after they are written, stored while catching up and counted
	// by the provisional scan (a second or so later): the counts are the same.
	base, _ = tailInProcess(t, args...)
	appendTo(t, log, lines[2*third:])
	// The lag is of the last commit, which follows the counting.
	mfs := scrape(t, base, "every line, once, and stored", func(mfs map[string]*dto.MetricFamily) bool {
		return linesRead(len(lines))(mfs) && sumWhere(mfs, "pftls_log_lag_bytes", nil) == 0
	})
	if got := sumWhere(mfs, "pftls_deliveries_total", map[string]string{"status": "delivered"}); got != float64(want.Totals.Delivered) {
		t.Errorf("delivered %v after the restart, report %d", got, want.Totals.Delivered)
	}
	if got := sumWhere(mfs, "pftls_tls_failures_total", map[string]string{"direction": "outbound"}); got != float64(want.Totals.TLSFailures) {
		t.Errorf("TLS failures %v after the restart, report %d", got, want.Totals.TLSFailures)
	}
	if got := sumWhere(mfs, "pftls_messages_received_total", nil); got != float64(want.Totals.Received) {
		t.Errorf("received %v after the restart, report %d", got, want.Totals.Received)
	}
	if got := sumWhere(mfs, "pftls_up", nil); got != 1 {
		t.Errorf("pftls_up = %v", got)
	}
}

// TestMetricsReportKeepsTheLastLine: the textfile of a window with no
// line (syslog stopped) still says when the log was last written, from
// the database or from the files read, so that PftlsLogNotRead fires
// instead of losing its series.
func TestMetricsReportKeepsTheLastLine(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pftls.db")
	if code, _, errOut := runCLI(t, "", ingestArgs(db, corpusLog)...); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	last := float64(time.Date(2026, 11, 23, 0, 26, 0, 0, time.UTC).Unix()) // the corpus ends at 00:26:23
	for _, args := range [][]string{
		{"--db", db},
		{"--db", ":memory:", "--year", "2026", corpusLog},
	} {
		a := append([]string{"report", "--format", "prometheus", "--tz", "UTC", "--from", "2026-11-23T01:00:00Z", "--to", "2026-11-23T02:00:00Z"}, args...)
		code, out, errOut := runCLI(t, "", a...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", a, code, errOut)
		}
		if got := sumWhere(parseExposition(t, out), "pftls_last_line_timestamp_seconds", nil); got != last {
			t.Errorf("%v: pftls_last_line_timestamp_seconds %v, want %v (00:26, the corpus's last minute)", a, got, last)
		}
	}
}

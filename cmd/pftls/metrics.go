package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/report"
)

// DefaultMetricsPort is the port of tail --listen when ADDR names none.
// Not postfix_exporter's 9154, so that both can run during a migration
// (README: "Metrics").
const DefaultMetricsPort = 10154

// listenAddr adds the default port to an --listen address that has none
// ("127.0.0.1", "[::1]", "localhost").
func listenAddr(addr string) (string, error) {
	if _, _, err := net.SplitHostPort(addr); err == nil {
		return addr, nil
	}
	host := addr
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	if host == "" {
		return "", usagef("pftls tail --listen 127.0.0.1:"+strconv.Itoa(DefaultMetricsPort), "--listen wants HOST or HOST:PORT")
	}
	return net.JoinHostPort(host, strconv.Itoa(DefaultMetricsPort)), nil
}

// tailMetrics is what pftls tail --listen serves: report.Metrics counted
// from the facts, the state of the reading (last line, lag, commits),
// the queue when --queue asks, and Go's own runtime metrics.
type tailMetrics struct {
	m        *report.Metrics
	reg      *prometheus.Registry
	path     string // the file followed, for the lag ("" for stdin and the journal)
	store    *aggregate.Store
	restore  bool // scan the store once the catching up is over (see consume)
	restored sync.Once
	stderr   io.Writer

	mu           sync.Mutex
	lastLine     time.Time // the newest log line's stamp (the correlator's Latest)
	bytesRead    int64     // the offset after the last line committed
	haveOffset   bool      // a commit has told bytesRead
	commits      float64
	commitErrors float64
	live         bool // the pump has reached the present
	restoreErr   error
}

var (
	descLastLine = prometheus.NewDesc("pftls_last_line_timestamp_seconds",
		"Stamp of the newest log line read (Unix seconds).", nil, nil)
	descLag = prometheus.NewDesc("pftls_log_lag_bytes",
		"Bytes of the followed log not yet read and stored: its size minus the offset of the last commit (with the store, from the first commit on).", nil, nil)
	descCommits = prometheus.NewDesc("pftls_ingest_commits_total",
		"Commits of facts and offsets to the store.", nil, nil)
	descCommitErrors = prometheus.NewDesc("pftls_ingest_commit_errors_total",
		"Commits that failed. A failed commit ends pftls tail (exit 1, systemd restarts it), so watch up and pftls_up too.", nil, nil)
	descUp = prometheus.NewDesc("pftls_up",
		"1 when pftls tail reads the log live (caught up, store restored), 0 while it catches up.", nil, nil)
)

// tailMetricNames are the families tailMetrics adds to report.Metrics'.
var tailMetricNames = []string{"pftls_last_line_timestamp_seconds", "pftls_log_lag_bytes",
	"pftls_ingest_commits_total", "pftls_ingest_commit_errors_total", "pftls_up"}

func newTailMetrics(o report.MetricsOptions, path string, store *aggregate.Store, fromStart bool, stderr io.Writer) (*tailMetrics, error) {
	o.Live = true
	t := &tailMetrics{m: report.NewMetrics(o), reg: prometheus.NewRegistry(), store: store, stderr: stderr,
		restore: store != nil && !fromStart}
	if path != "-" {
		if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
			t.path = path
		}
	}
	for _, c := range []prometheus.Collector{t.m, t, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := t.reg.Register(c); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Describe is prometheus.Collector's.
func (t *tailMetrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descLastLine, descLag, descCommits, descCommitErrors, descUp} {
		ch <- d
	}
}

// Collect is prometheus.Collector's.
func (t *tailMetrics) Collect(ch chan<- prometheus.Metric) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.lastLine.IsZero() {
		ch <- prometheus.MustNewConstMetric(descLastLine, prometheus.GaugeValue, float64(t.lastLine.UnixMilli())/1000)
	}
	if t.path != "" && t.haveOffset {
		if st, err := os.Stat(t.path); err == nil {
			ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, float64(max(st.Size()-t.bytesRead, 0)))
		}
	}
	ch <- prometheus.MustNewConstMetric(descCommits, prometheus.CounterValue, t.commits)
	ch <- prometheus.MustNewConstMetric(descCommitErrors, prometheus.CounterValue, t.commitErrors)
	up := 0.0
	if t.live && t.restoreErr == nil {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up)
}

// Facts is the consumer the pump feeds: the first batch it sees comes
// after the catching up, so the store holds every fact before it.
func (t *tailMetrics) Facts(b *aggregate.Batch) {
	t.restoreOnce()
	t.m.Facts(b)
}

// restoreOnce counts the facts already in the store, once, before the
// first batch: the counters continue from the database after a restart.
// The pump holds its consumers back while it stores the lines written
// while tail was not running (the catching up), so those are in the
// store by the time this runs.
func (t *tailMetrics) restoreOnce() {
	t.restored.Do(func() {
		if !t.restore {
			return
		}
		err := t.store.Scan(context.Background(), aggregate.Query{}, t.m)
		if err != nil {
			fmt.Fprintf(t.stderr, "pftls: warning: metrics: counting the stored facts: %v; counters start at 0\n", err)
		}
		t.mu.Lock()
		t.restoreErr = err
		t.mu.Unlock()
	})
}

// tick is told the pump's status between lines (on the pump's goroutine).
func (t *tailMetrics) tick(st aggregate.TailStatus, latest time.Time) {
	if !st.CatchingUp {
		t.restoreOnce()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.live = !st.CatchingUp
	if latest.After(t.lastLine) {
		t.lastLine = latest
	}
}

// committed is the pump's OnCommit.
func (t *tailMetrics) committed(r aggregate.FileResult) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.commits++
	t.bytesRead, t.haveOffset = r.BytesRead, true
}

// failed counts a failed commit (the error that ends tail).
func (t *tailMetrics) failed() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.commitErrors++
}

// serveMetrics listens on addr and serves /metrics and /healthz until
// ctx ends; stop shuts the server down and waits for it.
func serveMetrics(ctx context.Context, addr string, tm *tailMetrics, extra ...prometheus.Collector) (net.Addr, func() error, error) {
	for _, c := range extra {
		if err := tm.reg.Register(c); err != nil {
			return nil, nil, err
		}
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("--listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(tm.reg, promhttp.HandlerOpts{EnableOpenMetrics: true, Timeout: 10 * time.Second}))
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		tm.mu.Lock()
		err := tm.restoreErr
		tm.mu.Unlock()
		if err != nil {
			http.Error(w, "metrics not restored from the store: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	stop := func() error {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(sctx)
		if serr := <-done; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
		return err
	}
	return ln.Addr(), stop, nil
}

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
	opts    report.MetricsOptions
	reg     *prometheus.Registry
	path    string // the file followed, for the lag ("" for stdin and the journal)
	store   *aggregate.Store
	restore bool // count the stored facts (see restoreFinal)
	stderr  io.Writer

	// On the pump's goroutine only:
	restored     bool      // the final scan is done
	scanned      time.Time // the last provisional scan
	scannedAfter float64   // commits at the last provisional scan
	scanTook     time.Duration

	mu           sync.Mutex
	m            *report.Metrics // replaced by each scan of the store
	lastLine     time.Time       // the newest log line's stamp (the correlator's Latest)
	bytesRead    int64           // the offset after the last line committed
	haveOffset   bool            // a commit has told bytesRead
	commits      float64
	commitErrors float64 // stays 0: a failed commit ends tail (see descCommitErrors)
	restoreErr   error
	unreadable   error   // why the followed log cannot be read now; nil while it is read
	missed       float64 // files at the followed path rotated away unread
}

var (
	descLastLine = report.LastLineDesc
	descLag      = prometheus.NewDesc("pftls_log_lag_bytes",
		"Bytes of the followed log not yet read and stored: its size minus the offset of the last commit (with the store, from the first commit on).", nil, nil)
	descCommits = prometheus.NewDesc("pftls_ingest_commits_total",
		"Commits of facts and offsets to the store.", nil, nil)
	descCommitErrors = prometheus.NewDesc("pftls_ingest_commit_errors_total",
		"Commits that failed while tail runs: 0 today, because a failed commit ends pftls tail (exit 1, systemd restarts it); alert on up == 0.", nil, nil)
	descUp = prometheus.NewDesc("pftls_up",
		"1 while pftls tail runs with complete counters; 0 when counting the facts already stored failed (the counters then start at 0) or the followed log cannot be read (pftls_log_readable 0).", nil, nil)
	descMissed = prometheus.NewDesc("pftls_log_files_missed_total",
		"Files found at the followed path that could not be read and were rotated away unread (no readable rotated copy): their lines are missing, and recorded as a gap that reports say.", nil, nil)
	descReadable = prometheus.NewDesc("pftls_log_readable",
		"1 while the followed log file is read (or only missing for under a minute, as between a rotation's rename and create); 0 while its path holds something pftls cannot read (permission denied, a directory) or has been missing for over a minute: nothing written to it is counted.", nil, nil)
)

func newTailMetrics(o report.MetricsOptions, path string, store *aggregate.Store, fromStart bool, stderr io.Writer) (*tailMetrics, error) {
	o.Live = true
	t := &tailMetrics{opts: o, m: report.NewMetrics(o), reg: prometheus.NewRegistry(), store: store, stderr: stderr,
		restore: store != nil && !fromStart}
	if path != "-" {
		if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
			t.path = path
		}
	}
	for _, c := range []prometheus.Collector{t, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := t.reg.Register(c); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Describe is prometheus.Collector's.
func (t *tailMetrics) Describe(ch chan<- *prometheus.Desc) {
	t.metrics().Describe(ch)
	for _, d := range []*prometheus.Desc{descLastLine, descLag, descCommits, descCommitErrors, descUp, descReadable, descMissed} {
		ch <- d
	}
}

// Collect is prometheus.Collector's.
func (t *tailMetrics) Collect(ch chan<- prometheus.Metric) {
	t.metrics().Collect(ch)
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
	if t.restoreErr == nil && t.unreadable == nil {
		up = 1
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up)
	if t.path != "" {
		readable := 0.0
		if t.unreadable == nil {
			readable = 1
		}
		ch <- prometheus.MustNewConstMetric(descReadable, prometheus.GaugeValue, readable)
		ch <- prometheus.MustNewConstMetric(descMissed, prometheus.CounterValue, t.missed)
	}
}

// fileMissed counts a file rotated away unread.
func (t *tailMetrics) fileMissed() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.missed++
}

// setUnreadable is told why the followed log cannot be read (nil: it is
// read again).
func (t *tailMetrics) setUnreadable(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.unreadable = err
}

// unhealthy says why /healthz is not ok: the counters were not restored
// from the store, or the log cannot be read. nil when healthy.
func (t *tailMetrics) unhealthy() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.unreadable != nil:
		return fmt.Errorf("cannot read the log: %w", t.unreadable)
	case t.restoreErr != nil:
		return fmt.Errorf("metrics not restored from the store: %w", t.restoreErr)
	}
	return nil
}

func (t *tailMetrics) metrics() *report.Metrics {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.m
}

// Facts is the consumer the pump feeds.
func (t *tailMetrics) Facts(b *aggregate.Batch) {
	if t.restore && !t.restored {
		t.restoreFinal()
	}
	t.metrics().Facts(b)
}

// With the store, the counters continue from the database after a
// restart: the facts stored are counted by a scan of the store, and the
// batches the pump shows after it are added. The pump holds its consumers
// back while it stores the lines written while tail was not running (the
// catching up), and shows every batch from the first line past them on,
// before storing it. So the final scan is made at the first batch shown
// (or the first tick that says the catching up is over): the store then
// holds exactly the facts before that batch. Until then, the ticks scan
// the store provisionally (only after new commits, at most every second,
// and spaced by ten times their own duration, so that a large store costs
// the catching up at most a tenth of its time), so that the counters are right while the log is quiet, and
// only grow: each scan reads what the last one read and more.

// restoreFinal makes the final scan of the store.
func (t *tailMetrics) restoreFinal() {
	t.restored = true
	t.scan()
}

// scan counts the stored facts into a new report.Metrics that replaces
// the current one.
func (t *tailMetrics) scan() {
	m := report.NewMetrics(t.opts)
	err := t.store.Scan(context.Background(), aggregate.Query{}, m)
	if err != nil {
		fmt.Fprintf(t.stderr, "pftls: warning: metrics: counting the stored facts: %v\n", err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.restoreErr = err
	if err == nil {
		t.m = m
	}
}

// tick is told the pump's status between lines (on the pump's goroutine).
func (t *tailMetrics) tick(st aggregate.TailStatus, latest time.Time) {
	if t.restore && !t.restored {
		t.mu.Lock()
		commits := t.commits
		t.mu.Unlock()
		switch {
		case !st.CatchingUp:
			t.restoreFinal()
		case t.scanned.IsZero() || (commits != t.scannedAfter && time.Since(t.scanned) >= max(time.Second, 10*t.scanTook)):
			t.scanned, t.scannedAfter = time.Now(), commits
			t.scan()
			t.scanTook = time.Since(t.scanned)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
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
		if err := tm.unhealthy(); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
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

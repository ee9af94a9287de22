package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/report"
)

// metricsFlags are tail's Prometheus flags.
type metricsFlags struct {
	listen        string
	domains       int
	queue         string
	queueInterval time.Duration
}

func (f *metricsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.listen, "listen", "", "serve Prometheus metrics on HOST[:PORT] (/metrics, /healthz; default port "+strconv.Itoa(DefaultMetricsPort)+")")
	fs.IntVar(&f.domains, "metrics-domains", report.DefaultMetricsDomains, "recipient domains with metric series of their own (the rest are domain=\"other\")")
	fs.StringVar(&f.queue, "queue", "", "with --listen: gauges of the Postfix queue from postqueue -j: 'auto', or the path of postqueue")
	fs.DurationVar(&f.queueInterval, "queue-interval", time.Minute, "how often --queue runs postqueue -j")
}

// check refuses the metrics flags without --listen: they would be
// accepted and ignored.
func (f *metricsFlags) check(fs *flag.FlagSet) error {
	if f.listen == "" {
		for _, name := range []string{"metrics-domains", "queue", "queue-interval"} {
			if flagSet(fs, name) {
				return usagef("pftls tail --listen 127.0.0.1 --"+name+" ...", "--%s needs --listen", name)
			}
		}
		return nil
	}
	addr, err := listenAddr(f.listen)
	if err != nil {
		return err
	}
	f.listen = addr
	return nil // --metrics-domains and --queue-interval: ranges.go
}

// startMetrics adds the metrics consumer to the pump and serves them; the
// function it returns stops the server and the queue's timer.
func (t *tailer) startMetrics(ctx context.Context) (func() error, error) {
	f := &t.f.metrics
	tm, err := newTailMetrics(report.MetricsOptions{Domains: metricsDomains(f.domains)}, t.path, t.pump.Store, t.f.fromStart, t.e.stderr)
	if err != nil {
		return nil, err
	}
	var extra []prometheus.Collector
	var q *queueCollector
	if f.queue != "" {
		path, err := findPostqueue(f.queue)
		if err != nil {
			return nil, err
		}
		if path == "" {
			fmt.Fprintln(t.e.stderr, "pftls: warning: --queue auto: no postqueue found; no queue metrics")
		} else {
			q = &queueCollector{path: path, interval: f.queueInterval, now: t.e.now, QueueCollector: report.QueueCollector{Domains: f.domains}}
			extra = append(extra, q)
		}
	}
	addr, stopServer, err := serveMetrics(ctx, f.listen, tm, extra...)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(t.e.stderr, "pftls: metrics on http://%s/metrics\n", addr)
	t.metrics = tm
	t.pump.Consumers = append(t.pump.Consumers, tm)
	qctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	if q != nil {
		go func() { defer close(done); q.run(qctx, t.e.stderr) }()
	} else {
		close(done)
	}
	return func() error {
		cancel()
		<-done
		return stopServer()
	}, nil
}

// tickMetrics has the pump tell the metrics, between lines, whether it
// has caught up and the newest line's time: on a terminal with each
// redraw, else every second.
func (t *tailer) tickMetrics(o *aggregate.TailOptions) {
	draw := o.OnTick
	o.OnTick = func(st aggregate.TailStatus) {
		t.metrics.tick(st, t.pump.Corr.Latest())
		if draw != nil {
			draw(st)
		}
	}
	if o.TickEvery <= 0 {
		o.TickEvery = time.Second
	}
}

// metricsDomains is report.MetricsOptions.Domains for a flag's count of
// domains with series of their own: the flag's 0 means none, the
// option's 0 the default (none is below 0).
func metricsDomains(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

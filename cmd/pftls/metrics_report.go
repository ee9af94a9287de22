package main

import (
	"bufio"
	"context"
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/report"
)

// writePrometheusReport is "pftls report --format prometheus": the
// families tail --listen serves, counted for the window the flags choose,
// in the text format node_exporter's textfile collector reads. The
// counting is report.Metrics, fed by a store scan or, with --db :memory:,
// straight from the correlator; the report's Model is not involved.
func writePrometheusReport(ctx context.Context, e env, f *reportFlags, files []string) (err error) {
	if f.domain != "" {
		return usagef("pftls report --format prometheus", "--domain does not apply to --format prometheus: the top --top domains get series of their own")
	}
	if f.mail.to != "" || f.mail.failOn != "" || f.mail.onlyProblems {
		return usagef("pftls report --format prometheus > /var/lib/node_exporter/textfile/pftls.prom", "--format prometheus writes metrics for a collector: --mail-to, --fail-on and --only-problems do not apply")
	}
	mo := report.MetricsOptions{Domains: f.top}
	if f.top == 0 {
		mo.Domains = -1 // --top 0: totals only, no domain with series of its own
	}
	var m *report.Metrics
	if dbPath, err := f.ingest.db.resolve(); err == nil && dbPath == aggregate.Memory && len(files) > 0 {
		if m, err = metricsDirect(ctx, e, f, files, mo); err != nil {
			return err
		}
	} else {
		store, _, from, to, _, err := openStoreAndWindow(ctx, e, f, files)
		if store != nil {
			defer closeStore(store, &err)
		}
		if err != nil {
			return err
		}
		mo.From, mo.To = from, to
		m = report.NewMetrics(mo)
		if err := store.Scan(ctx, aggregate.Query{From: from, To: to, Host: f.host}, m); err != nil {
			return err
		}
	}
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(m); err != nil {
		return err
	}
	out := bufio.NewWriter(e.stdout)
	return errors.Join(report.WritePrometheus(out, reg), out.Flush())
}

// metricsDirect counts FILEs read with no database, as analyseDirect does
// for the report.
func metricsDirect(ctx context.Context, e env, f *reportFlags, files []string, mo report.MetricsOptions) (*report.Metrics, error) {
	zone, err := f.ingest.times.location()
	if err != nil {
		return nil, err
	}
	paths, err := inputPaths(files)
	if err != nil {
		return nil, err
	}
	if mo.From, mo.To, err = f.window(ctx, nil, e.now(), zone, true); err != nil {
		return nil, err
	}
	resolvers, err := f.ingest.times.resolvers(e.now)
	if err != nil {
		return nil, err
	}
	m := report.NewMetrics(mo)
	var consumer aggregate.FactConsumer = m
	if f.host != "" {
		consumer = aggregate.FactsFunc(func(b *aggregate.Batch) { m.Facts(onlyHost(b, f.host)) })
	}
	pump := &aggregate.Pump{
		Corr:      aggregate.NewCorrelator(aggregate.DefaultOptions),
		KeepOpen:  true,
		Consumers: []aggregate.FactConsumer{consumer},
		Resolver:  resolvers,
		Now:       e.now,
		Format:    f.ingest.format.Format(),
	}
	for _, path := range paths {
		fr, err := readInput(ctx, e, pump, path)
		if err != nil {
			return nil, err
		}
		if err := coverageError(fr.Path, &fr.Coverage); err != nil {
			return nil, err
		}
	}
	pump.Flush()
	return m, nil
}

// onlyHost is the batch's facts of one host (--host).
func onlyHost(b *aggregate.Batch, host string) *aggregate.Batch {
	var out aggregate.Batch
	out.Messages = keep(b.Messages, func(x *aggregate.Message) bool { return x.Host == host })
	out.Attempts = keep(b.Attempts, func(x *aggregate.Attempt) bool { return x.Host == host })
	out.TLS = keep(b.TLS, func(x *aggregate.TLSFailure) bool { return x.Host == host })
	out.Sessions = keep(b.Sessions, func(x *aggregate.Session) bool { return x.Host == host })
	out.Rejects = keep(b.Rejects, func(x *aggregate.Reject) bool { return x.Host == host })
	out.Warnings = keep(b.Warnings, func(x *aggregate.Warning) bool { return x.Host == host })
	out.LineCounts = keep(b.LineCounts, func(x *aggregate.LineCount) bool { return x.Host == host })
	return &out
}

func keep[T any](xs []T, ok func(*T) bool) []T {
	var out []T
	for i := range xs {
		if ok(&xs[i]) {
			out = append(out, xs[i])
		}
	}
	return out
}

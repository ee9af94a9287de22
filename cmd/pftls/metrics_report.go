package main

import (
	"bufio"
	"context"
	"errors"
	"time"

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
	mo := report.MetricsOptions{Domains: metricsDomains(f.top), Host: f.host} // --top 0: totals only
	var m *report.Metrics
	if isDirect(f, files) {
		_, _, err := readDirect(ctx, e, f, files, func(from, to time.Time, _ *time.Location) aggregate.FactConsumer {
			mo.From, mo.To = from, to
			m = report.NewMetrics(mo)
			return m
		})
		if err != nil {
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
		if err := m.SettleTLSLogged(ctx, store); err != nil {
			return err
		}
		last, err := store.LastLine(ctx, f.host)
		if err != nil {
			return err
		}
		m.NoteLastLine(last)
		// After the scan, so that a prune while it read is seen too.
		if err := checkFactsKept(ctx, store, from, to, "metrics of the window"); err != nil {
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

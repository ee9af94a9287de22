package report

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// pflogsummSMTPD is pflogsumm 1.1.5's smtpd statistics on the corpus
// ("pflogsumm --smtpd-stats testdata/corpus/corpus-a.log"): its
// "Host/Domain Summary: SMTPD Connections" (connections, time connected,
// max. time) and the total connect time.
var pflogsummSMTPD = []string{
	"183 0:00:05 1s localhost",
	"25 0:00:01 1s mta.outside.test",
	"16 0:00:01 1s 127.0.0.51",
}

const pflogsummConnectTotal = "224 connections 0:00:07"

// TestSMTPDStatsMatchPflogsumm: the smtpd connections by client
// host/domain and the time connected equal pflogsumm's on the corpus,
// through the store (per-minute counts of ordinary sessions, rows of the
// notable ones) and the in-memory path alike.
func TestSMTPDStatsMatchPflogsumm(t *testing.T) {
	for name, m := range map[string]*Model{"store": corpusModel(t, corpusLog), "memory": memoryModel(t, corpusLog)} {
		var got []string
		for _, r := range m.SMTPD {
			got = append(got, fmt.Sprintf("%d %s %ds %s", r.Connections, hms(r.Seconds), r.MaxSeconds, r.Client))
		}
		if strings.Join(got, "\n") != strings.Join(pflogsummSMTPD, "\n") {
			t.Errorf("%s: smtpd by host/domain:\n%s\nwant (pflogsumm):\n%s", name, strings.Join(got, "\n"), strings.Join(pflogsummSMTPD, "\n"))
		}
		var conns, secs int64
		for _, h := range m.Hourly {
			conns += h.Connections
			secs += h.ConnectSeconds
		}
		if total := fmt.Sprintf("%d connections %s", conns, hms(secs)); total != pflogsummConnectTotal {
			t.Errorf("%s: %s, want %s", name, total, pflogsummConnectTotal)
		}
	}
}

// memoryModel builds the model of a log straight from the correlator's
// facts, without a store, the way "pftls report --db :memory:" does.
func memoryModel(t *testing.T, path string) *Model {
	t.Helper()
	b := NewBuilder(Options{Zone: time.UTC, Generated: goldenGenerated})
	pump := aggregate.Pump{
		Corr:      aggregate.NewCorrelator(aggregate.DefaultOptions),
		KeepOpen:  true,
		Consumers: []aggregate.FactConsumer{aggregate.FactsFunc(b.Feed)},
		Resolver: func(source.Identity) logparse.Resolver {
			return logparse.Resolver{Year: 2026, Location: time.UTC}
		},
	}
	r, err := source.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer r.Close()
	if _, err := pump.IngestReader(context.Background(), r); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	pump.Flush()
	return b.Finish()
}

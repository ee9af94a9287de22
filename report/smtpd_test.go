package report

import (
	"fmt"
	"strings"
	"testing"
	"time"
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
	for name, m := range map[string]*Model{"store": corpusModel(t, corpusLog), "memory": directModel(t, corpusLog, Options{Zone: time.UTC, Generated: goldenGenerated})} {
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

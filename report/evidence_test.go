package report

import (
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// TestTLSFailureEvidence_the_earliest: the lines a TLS failure row shows
// were those of the first failure read. A database reads failures in time
// order, a log as it was written; with stamps out of order (hosts' clocks
// apart in a central log, the hour that happens twice) the two showed
// different lines. The row now shows the earliest failure's, either way.
func TestTLSFailureEvidence_the_earliest(t *testing.T) {
	early, late := tlsFail(10, "birch.example", "handshake", ""), tlsFail(40, "birch.example", "handshake", "")
	early.Evidence, late.Evidence = "the earliest failure's line", "a later failure's line"
	for _, order := range [][]aggregate.TLSFailure{{early, late}, {late, early}} {
		b := NewBuilder(Options{Zone: time.UTC})
		for i := range order {
			b.TLSFailure(&order[i])
		}
		rows := b.Finish().TLSFailures
		if len(rows) != 1 || len(rows[0].Evidence) != 1 || rows[0].Evidence[0] != early.Evidence {
			t.Errorf("read %s first: rows %+v, want one showing %q", order[0].Time.Format(time.TimeOnly), rows, early.Evidence)
		}
	}
}

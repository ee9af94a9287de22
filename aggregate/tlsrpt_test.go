package aggregate_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// A ledger store records sent reports while another pftls (tail) holds
// the one-writer lock, a record is found again by a later run, and a
// second record of the same report keeps the first.
func TestTLSRPTSentReportsLedger(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pftls.db")
	writer, err := aggregate.Open(ctx, path, aggregate.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close() // holds the lock, as pftls tail would

	ledger, err := aggregate.Open(ctx, path, aggregate.OpenOptions{Ledger: true, LockWait: 0})
	if err != nil {
		t.Fatalf("ledger beside a writer: %v", err)
	}
	const dest = "mailto:tlsrpt@example.net"
	sent, err := ledger.ReportSent(ctx, "example.net", "2026-11-23", dest)
	if err != nil || sent {
		t.Fatalf("ReportSent before any = %v, %v", sent, err)
	}
	rec := aggregate.SentReport{PolicyDomain: "example.net", Day: "2026-11-23", Destination: dest, ReportID: "r1", Sent: time.Now()}
	if err := ledger.RecordReportSent(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rec.ReportID = "r2"
	if err := ledger.RecordReportSent(ctx, rec); err != nil {
		t.Fatalf("second record: %v", err)
	}
	if err := ledger.Close(); err != nil {
		t.Fatal(err)
	}

	ro, err := aggregate.Open(ctx, path, aggregate.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	for _, tc := range []struct {
		domain, day, dest string
		want              bool
	}{
		{"example.net", "2026-11-23", dest, true},
		{"example.net", "2026-11-24", dest, false},
		{"example.net", "2026-11-23", "https://tlsrpt.example.net/v1", false},
		{"other.example", "2026-11-23", dest, false},
	} {
		got, err := ro.ReportSent(ctx, tc.domain, tc.day, tc.dest)
		if err != nil || got != tc.want {
			t.Errorf("ReportSent(%s, %s, %s) = %v, %v; want %v", tc.domain, tc.day, tc.dest, got, err, tc.want)
		}
	}
	if err := ro.RecordReportSent(ctx, rec); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("a read-only store recorded a report: %v", err)
	}
}

// A ledger never creates a database: there is nothing to report from.
func TestTLSRPTLedgerNeedsDatabase(t *testing.T) {
	_, err := aggregate.Open(context.Background(), filepath.Join(t.TempDir(), "none.db"), aggregate.OpenOptions{Ledger: true})
	if err == nil {
		t.Fatal("a ledger opened a database that does not exist")
	}
}

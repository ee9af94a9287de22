package aggregate

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// TLSRPTSink receives the facts an RFC 8460 TLS report of a window is
// made from (report.TLSRPTBuilder): the outbound attempts that count in
// the TLS mix (Attempt.InTLSMix), in time order, then the outbound TLS
// failures, in time order. A pointer is only valid during the call.
type TLSRPTSink interface {
	Attempt(*Attempt)
	TLSFailure(*TLSFailure)
}

// ScanTLSRPT streams the facts of q's window for RFC 8460 reports, of
// every destination domain (q.Domain is not used), to sink.
func (s *Store) ScanTLSRPT(ctx context.Context, q Query, sink TLSRPTSink) error {
	from, to := q.bounds()
	window := []any{from, to, q.Host, q.Host}
	q.Domain = "" // every domain's attempts
	err := s.scanRows(ctx, "attempts", attemptsTable.query, q.ofDomain(from, to), scanEach(s.dict, attemptsTable, func(a *Attempt) {
		if a.InTLSMix() {
			sink.Attempt(a)
		}
	}))
	if err != nil {
		return err
	}
	return s.scanRows(ctx, "tls failures", tlsFailuresTable.query, window, scanEach(s.dict, tlsFailuresTable, func(f *TLSFailure) {
		if f.Outbound() {
			sink.TLSFailure(f)
		}
	}))
}

// SentReport is one RFC 8460 report delivered to one destination.
type SentReport struct {
	PolicyDomain string
	Day          string // the UTC day it covers, YYYY-MM-DD
	Destination  string // the rua URI: "mailto:tlsrpt@example.com", "https://..."
	ReportID     string
	Sent         time.Time
}

// ReportSent reports whether the report of a policy domain and day was
// already delivered to a destination.
func (s *Store) ReportSent(ctx context.Context, policyDomain, day, destination string) (bool, error) {
	var one int
	err := s.db.QueryRowContext(ctx, `SELECT 1 FROM sent_reports WHERE policy_domain = ? AND day = ? AND destination = ?`,
		policyDomain, day, destination).Scan(&one)
	switch {
	case err == sql.ErrNoRows:
		return false, nil
	case err != nil:
		return false, s.wrapOpenErr("read sent reports", err)
	}
	return true, nil
}

// RecordReportSent notes that a report was delivered. A second record of
// the same policy domain, day and destination keeps the first.
func (s *Store) RecordReportSent(ctx context.Context, r SentReport) error {
	if s.readOnly {
		return fmt.Errorf("%s: record sent report: the database was opened read-only", s.path)
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO sent_reports (policy_domain, day, destination, report_id, sent)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		r.PolicyDomain, r.Day, r.Destination, r.ReportID, r.Sent.UnixNano())
	if err != nil {
		return s.wrapOpenErr("record sent report", err)
	}
	return nil
}

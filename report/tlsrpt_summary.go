package report

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"time"
)

// The summary pftls tlsrpt prints of the reports it made and sent.

// TLSRPTSend is what happened to one report at one destination.
type TLSRPTSend struct {
	Domain      string `json:"policy_domain"`
	Destination string `json:"destination"`
	Result      string `json:"result"` // "sent", "would send", "already sent", "failed: ...", "no TLSRPT record"
}

// tlsrptSummaryRow is one report in the summary.
type tlsrptSummaryRow struct {
	PolicyDomain string       `json:"policy_domain"`
	PolicyType   string       `json:"policy_type"`
	Source       string       `json:"source"` // "postfix" (its TLSRPT lines) or "pftls"
	Success      int64        `json:"successful_sessions"`
	Failure      int64        `json:"failed_sessions"`
	Plaintext    int64        `json:"plaintext_not_reported,omitempty"`
	LocalFaults  int64        `json:"local_faults_not_reported,omitempty"`
	File         string       `json:"file"`
	Check        *TLSRPTCheck `json:"postfix_check,omitempty"`
	Report       TLSRPTJSON   `json:"report"`
	Sent         []TLSRPTSend `json:"sent,omitempty"`
}

// WriteTLSRPTSummary says what was made (and sent): a table for people,
// JSON for machines.
func WriteTLSRPTSummary(w io.Writer, format string, reports []TLSReport, sends []TLSRPTSend, dir string, day time.Time) error {
	rows := make([]tlsrptSummaryRow, 0, len(reports))
	for i := range reports {
		r := &reports[i]
		p := r.Report.Policies[0]
		row := tlsrptSummaryRow{PolicyDomain: r.PolicyDomain, PolicyType: p.Policy.PolicyType, Source: r.Source,
			Success: p.Summary.Success, Failure: p.Summary.Failure, Plaintext: r.Plaintext, LocalFaults: r.LocalFaults,
			File: r.FileName(), Check: r.Check, Report: r.Report}
		if dir != "" {
			row.File = filepath.Join(dir, row.File)
		}
		for _, s := range sends {
			if s.Domain == r.PolicyDomain {
				row.Sent = append(row.Sent, s)
			}
		}
		rows = append(rows, row)
	}
	bw := bufio.NewWriter(w)
	if format == "json" {
		enc := json.NewEncoder(bw)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			return err
		}
		return bw.Flush()
	}
	fmt.Fprintf(bw, "RFC 8460 TLS reports for %s (UTC): %d policy domain(s)\n", day.Format("2006-01-02"), len(rows))
	if len(rows) == 0 {
		fmt.Fprintln(bw, "No outbound TLS activity that day.")
	}
	for _, r := range rows {
		fmt.Fprintf(bw, "\n%s  %s  %d successful, %d failed sessions (counts: %s)\n", TerminalSafe(r.PolicyDomain), r.PolicyType, r.Success, r.Failure, r.Source)
		for _, d := range r.Report.Policies[0].FailureDetails {
			fmt.Fprintf(bw, "  %-26s %4d  %s[%s] %s\n", d.ResultType, d.FailedSessionCount,
				TerminalSafe(d.ReceivingMXHostname), d.ReceivingIP, TerminalSafe(d.FailureReasonCode))
		}
		if r.Check != nil {
			verdict := "pftls agrees"
			if r.Check.Mismatch() {
				verdict = fmt.Sprintf("MISMATCH: pftls counts %d successful, %d failed of the same handshakes", r.Check.PFTLSSuccess, r.Check.PFTLSFailure)
			}
			fmt.Fprintf(bw, "  Postfix TLSRPT: %d successful, %d failed; %s\n", r.Check.PostfixSuccess, r.Check.PostfixFailure, verdict)
			for _, m := range r.Check.Mismatches {
				fmt.Fprintf(bw, "    %s\n", TerminalSafe(m))
			}
		}
		if r.Plaintext > 0 || r.LocalFaults > 0 {
			fmt.Fprintf(bw, "  not reported: %d plaintext deliveries, %d failures of this host's own TLS setup\n", r.Plaintext, r.LocalFaults)
		}
		if dir != "" {
			fmt.Fprintf(bw, "  file: %s\n", TerminalSafe(r.File))
		}
		for _, s := range r.Sent {
			fmt.Fprintf(bw, "  %s: %s\n", cmp.Or(TerminalSafe(s.Destination), "send"), TerminalSafe(s.Result))
		}
	}
	return bw.Flush()
}

package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/report"
)

// tlsrptFlags are the flags of pftls tlsrpt.
type tlsrptFlags struct {
	db        dbFlag
	day       string
	domains   []string
	out       string
	format    string
	host      string
	org       string
	contact   string
	submitter string
	sendingIP string
	send      bool
	dryRun    bool
	rua       string
	resolver  string
	sendmail  string
	mailFrom  string
}

// tlsrptFormats are the formats of tlsrpt's summary on standard output.
var tlsrptFormats = []string{"text", "json"}

func (f *tlsrptFlags) register(fs *flag.FlagSet) {
	f.db.register(fs)
	fs.StringVar(&f.day, "day", "yesterday", "the UTC day to report: yesterday, today or YYYY-MM-DD (RFC 8460 reports cover UTC days)")
	fs.Func("domain", "only this policy domain (repeat for more)", func(s string) error {
		f.domains = append(f.domains, strings.ToLower(strings.TrimSuffix(s, ".")))
		return nil
	})
	fs.StringVar(&f.out, "out", "", "write each report to this directory as RFC 8460 names it (sender!domain!begin!end!id.json.gz)")
	fs.StringVar(&f.format, "format", "text", "summary on standard output: "+strings.Join(tlsrptFormats, ", "))
	fs.StringVar(&f.host, "host", "", "only this Postfix host (central log servers)")
	fs.StringVar(&f.org, "org", "", "organization-name of the reports (default the host name)")
	fs.StringVar(&f.contact, "contact", "", "contact-info of the reports (default postmaster@SUBMITTER)")
	fs.StringVar(&f.submitter, "submitter", "", "the submitting domain: file names, report-id, TLS-Report-Submitter (default the host name)")
	fs.StringVar(&f.sendingIP, "sending-ip", "", "sending-mta-ip of failure details: the address Postfix sends from (smtp_bind_address), which the log does not carry (required)")
	fs.BoolVar(&f.send, "send", false, "deliver each report to the policy domain's _smtp._tls rua= destinations (mailto: through sendmail, https: by POST), once")
	fs.BoolVar(&f.dryRun, "dry-run", false, "with --send: show what would be sent to whom, send and record nothing")
	fs.StringVar(&f.rua, "rua", "", "with --send: these destinations (comma-separated mailto: and https: URIs) instead of the DNS record's")
	fs.StringVar(&f.resolver, "resolver", "", "with --send: the DNS server (ADDR or ADDR:PORT) to look _smtp._tls records up with (default the system's)")
	fs.StringVar(&f.sendmail, "sendmail", "/usr/sbin/sendmail", "with --send: the sendmail program for mailto: destinations")
	fs.StringVar(&f.mailFrom, "mail-from", "", "with --send: From: of mailed reports (default tlsrpt-noreply@SUBMITTER)")
}

// validate checks the flags before anything is read.
func (f *tlsrptFlags) validate(fs *flag.FlagSet) error {
	if !slices.Contains(tlsrptFormats, f.format) {
		return usagef("pftls tlsrpt --format text", "unknown --format %q (want one of %s)", f.format, strings.Join(tlsrptFormats, ", "))
	}
	if f.sendingIP == "" {
		return usagef("pftls tlsrpt --sending-ip 192.0.2.25 --day yesterday --out /var/lib/pftls/tlsrpt",
			"--sending-ip is required: RFC 8460 failure details name the address Postfix sent from, and the log does not")
	}
	if net.ParseIP(f.sendingIP) == nil {
		return usagef("pftls tlsrpt --sending-ip 192.0.2.25", "--sending-ip %q is not an IP address", f.sendingIP)
	}
	if strings.ContainsAny(f.submitter, "/\\!\x00 \t") {
		return usagef("pftls tlsrpt --submitter example.com --sending-ip 192.0.2.25", "--submitter %q: want a domain name (it is part of the file names)", f.submitter)
	}
	if !f.send {
		for _, name := range []string{"dry-run", "rua", "resolver", "sendmail", "mail-from"} {
			if flagSet(fs, name) {
				return usagef("pftls tlsrpt --send --"+name+" ... --sending-ip 192.0.2.25", "--%s is for --send: add --send", name)
			}
		}
	}
	for d := range splitList(f.rua) {
		if _, err := parseRUA(d); err != nil {
			return usagef("pftls tlsrpt --send --rua mailto:tlsrpt@example.net --sending-ip 192.0.2.25", "--rua: %v", err)
		}
	}
	return nil
}

// tlsrptDay is the UTC day --day names: [start, start+24h).
func tlsrptDay(day string, now time.Time) (time.Time, error) {
	start, _, err := dayWindow(day, now, time.UTC, "pftls tlsrpt --day yesterday --sending-ip 192.0.2.25")
	return start, err
}

// httpsClient posts reports to https: destinations. Tests replace it with
// one that trusts their loopback server's certificate; nothing else does.
var httpsClient = &http.Client{Timeout: 60 * time.Second}

func runTLSRPT(ctx context.Context, e env, args []string) (err error) {
	fs := newFlagSet(e, "tlsrpt", "--sending-ip IP [--day D] [--domain D]... [--out DIR] [--send [--dry-run]] [--db PATH]")
	var f tlsrptFlags
	f.register(fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usagef("pftls ingest "+strings.Join(rest, " ")+" && pftls tlsrpt --sending-ip 192.0.2.25",
			"tlsrpt reads the database, not FILEs: ingest them first")
	}
	if err := f.validate(fs); err != nil {
		return err
	}
	day, err := tlsrptDay(f.day, e.now())
	if err != nil {
		return err
	}
	host := hostname()
	submitter := cmp.Or(f.submitter, host)
	opts := report.TLSRPTOptions{
		Day: day, Organization: cmp.Or(f.org, host), Contact: cmp.Or(f.contact, "postmaster@"+submitter),
		Submitter: submitter, SendingIP: f.sendingIP, Domains: f.domains,
	}
	dbPath, err := f.db.resolve()
	if err != nil {
		return err
	}
	if dbPath == aggregate.Memory {
		return usagef("pftls tlsrpt --db /var/lib/pftls/pftls.db --sending-ip 192.0.2.25", "tlsrpt reads a database: --db :memory: has nothing in it")
	}
	record := f.send && !f.dryRun
	store, err := aggregate.Open(ctx, dbPath, aggregate.OpenOptions{ReadOnly: !record, Ledger: record})
	if err != nil {
		return err
	}
	defer closeStore(store, &err)
	if f.host, err = knownHost(ctx, store, f.host); err != nil {
		return err
	}
	b := report.NewTLSRPTBuilder(opts)
	if err := store.ScanTLSRPT(ctx, aggregate.Query{From: day, To: day.AddDate(0, 0, 1), Host: f.host}, b); err != nil {
		return err
	}
	// After the scan, so that a prune while it read is seen too.
	if err := checkDayStored(ctx, store, day, f.host, e.stderr); err != nil {
		return err
	}
	reports := b.Reports()
	for i := range reports {
		if c := reports[i].Check; c.Mismatch() {
			fmt.Fprintf(e.stderr, "pftls tlsrpt: %s: pftls disagrees with Postfix's TLSRPT lines (the report carries Postfix's counts):\n",
				report.TerminalSafe(reports[i].PolicyDomain))
			for _, m := range c.Mismatches {
				fmt.Fprintf(e.stderr, "  %s\n", report.TerminalSafe(m))
			}
		}
	}
	if f.out != "" {
		if err := writeTLSRPTFiles(f.out, reports); err != nil {
			return err
		}
	}
	var sends []report.TLSRPTSend
	if f.send {
		t := &tlsrptSender{f: &f, store: store, submitter: submitter, host: host, now: e.now, stderr: e.stderr}
		sends, err = t.sendAll(ctx, reports)
	}
	werr := report.WriteTLSRPTSummary(e.stdout, f.format, reports, sends, f.out, day)
	return errors.Join(err, werr)
}

// writeTLSRPTFiles writes each report, gzip-compressed, into dir.
func writeTLSRPTFiles(dir string, reports []report.TLSReport) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	for i := range reports {
		gz, err := reports[i].Gzip()
		if err != nil {
			return err
		}
		path := filepath.Join(dir, reports[i].FileName())
		tmp := path + ".tmp"
		if err := os.WriteFile(tmp, gz, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", tmp, err)
		}
		if err := os.Rename(tmp, path); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
	}
	return nil
}

// tlsrptSender delivers reports and keeps the ledger.
type tlsrptSender struct {
	f         *tlsrptFlags
	store     *aggregate.Store
	submitter string
	host      string
	now       func() time.Time
	stderr    io.Writer
}

// sendAll delivers every report to its destinations, each once: a
// destination the store says got the report is skipped, and a failure at
// one destination does not stop the others.
func (t *tlsrptSender) sendAll(ctx context.Context, reports []report.TLSReport) ([]report.TLSRPTSend, error) {
	var out []report.TLSRPTSend
	var errs []error
	for i := range reports {
		r := &reports[i]
		dests, err := t.destinations(ctx, r.PolicyDomain)
		if err != nil {
			errs = append(errs, err)
			out = append(out, report.TLSRPTSend{Domain: r.PolicyDomain, Result: "failed: " + err.Error()})
			continue
		}
		if len(dests) == 0 {
			out = append(out, report.TLSRPTSend{Domain: r.PolicyDomain, Result: "no TLSRPT record"})
			continue
		}
		for _, d := range dests {
			s := report.TLSRPTSend{Domain: r.PolicyDomain, Destination: d}
			sent, err := t.store.ReportSent(ctx, r.PolicyDomain, r.Day(), d)
			switch {
			case err != nil:
				return out, err
			case sent:
				s.Result = "already sent"
			case t.f.dryRun:
				s.Result = "would send"
			default:
				if err := t.deliver(ctx, r, d); err != nil {
					errs = append(errs, fmt.Errorf("%s to %s: %w", r.PolicyDomain, d, err))
					s.Result = "failed: " + err.Error()
					break
				}
				err := t.store.RecordReportSent(ctx, aggregate.SentReport{PolicyDomain: r.PolicyDomain, Day: r.Day(),
					Destination: d, ReportID: r.Report.ReportID, Sent: t.now()})
				if err != nil {
					return out, err
				}
				s.Result = "sent"
			}
			out = append(out, s)
		}
	}
	return out, errors.Join(errs...)
}

// destinations are --rua's, or those of the policy domain's _smtp._tls
// TXT record (none when it has no record).
func (t *tlsrptSender) destinations(ctx context.Context, domain string) ([]string, error) {
	if t.f.rua != "" {
		return slices.Sorted(maps.Keys(splitList(t.f.rua))), nil
	}
	r := net.DefaultResolver
	if t.f.resolver != "" {
		addr := t.f.resolver
		if _, _, err := net.SplitHostPort(addr); err != nil {
			addr = net.JoinHostPort(addr, "53")
		}
		r = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}}
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	txts, err := r.LookupTXT(ctx, "_smtp._tls."+domain)
	if err != nil {
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
			return nil, nil
		}
		return nil, fmt.Errorf("look up _smtp._tls.%s: %w", domain, err)
	}
	return tlsrptRUA(txts)
}

// tlsrptRUA reads the rua= destinations of the TLSRPT record among a
// name's TXT records (RFC 8460 §3): the one record that starts with
// "v=TLSRPTv1"; none when there is none, or more than one. Destinations
// other than mailto: and https: are left out.
func tlsrptRUA(txts []string) ([]string, error) {
	var rec string
	n := 0
	for _, t := range txts {
		if strings.HasPrefix(strings.TrimSpace(t), "v=TLSRPTv1") {
			rec = t
			n++
		}
	}
	if n != 1 {
		return nil, nil
	}
	var out []string
	for field := range strings.SplitSeq(rec, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(field), "=")
		if !ok || strings.TrimSpace(k) != "rua" {
			continue
		}
		for d := range strings.SplitSeq(v, ",") {
			d = strings.TrimSpace(d)
			if _, err := parseRUA(d); err == nil {
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// parseRUA checks a destination URI: mailto:ADDR or https://...
func parseRUA(d string) (*url.URL, error) {
	u, err := url.Parse(d)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", d, err)
	}
	switch {
	case u.Scheme == "mailto" && u.Opaque != "" && strings.Contains(u.Opaque, "@"):
		return u, nil
	case u.Scheme == "https" && u.Host != "":
		return u, nil
	}
	return nil, fmt.Errorf("%q: want a mailto: or https: URI", d)
}

// deliver sends one report to one destination.
func (t *tlsrptSender) deliver(ctx context.Context, r *report.TLSReport, dest string) error {
	u, err := parseRUA(dest)
	if err != nil {
		return err
	}
	if u.Scheme == "mailto" {
		to, err := url.PathUnescape(u.Opaque)
		if err != nil {
			return fmt.Errorf("%q: %w", dest, err)
		}
		var msg bytes.Buffer
		from := cmp.Or(t.f.mailFrom, "tlsrpt-noreply@"+t.submitter)
		if err := report.WriteTLSRPTEmail(&msg, r, report.TLSRPTEmail{From: from, To: []string{to}, Date: t.now(), Host: t.host}); err != nil {
			return err
		}
		return sendMail(ctx, t.f.sendmail, msg.Bytes())
	}
	gz, err := r.Gzip()
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, dest, bytes.NewReader(gz))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/tlsrpt+gzip")
	resp, err := httpsClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("POST %s: %s: %s", dest, resp.Status, strings.TrimSpace(report.TerminalSafe(string(body))))
	}
	return nil
}

// checkDayStored refuses a day the database cannot report: one whose facts
// pftls prune deleted, or one it read no log line of (not ingested, or
// logging stopped). Either would make reports that tell the policy
// domains nothing failed ("No outbound TLS activity that day"). Of a day
// it can report, it says on stderr what the reports may miss: lines not
// understood (a TLS failure among them is not counted), and hours at
// either end of the day with no line stored (a quiet server, or a log
// read only in part).
func checkDayStored(ctx context.Context, store *aggregate.Store, day time.Time, host string, stderr io.Writer) error {
	name := day.Format("2006-01-02")
	// Pruned, or with lines missing (a log rotated away): the reports
	// would tell the domains that less failed than did.
	if err := checkFactsKept(ctx, store, day, day.AddDate(0, 0, 1), "the TLS reports of "+name); err != nil {
		return err
	}
	if host != "" {
		name += " on host " + host
	}
	end := day.AddDate(0, 0, 1)
	lines, err := store.LinesStored(ctx, day, end, host)
	if err != nil {
		return err
	}
	if lines.Postfix == 0 {
		return fmt.Errorf("%s: no Postfix log line of %s (UTC) is stored: ingest that day's log first, or check that Postfix was logging", store.Path(), name)
	}
	// At smtp_tls_loglevel 0 (before Postfix 3.11's tls=) no session that
	// succeeded is logged, but failures are: every report would tell its
	// domain that all its sessions failed.
	logged, err := store.TLSLogged(ctx, host, day, end)
	if err != nil {
		return err
	}
	if !logged {
		return fmt.Errorf("%s: no delivery of %s or the %d days before it has a TLS line or a tls= field: "+
			"at smtp_tls_loglevel = 0 Postfix logs no TLS session that succeeded, so the reports would count none; set smtp_tls_loglevel = 1 (or use TLS at all)",
			store.Path(), name, aggregate.TLSLoggedLookback/(24*time.Hour))
	}
	if lines.NotUnderstood > 0 {
		show := "pftls report --tz UTC --day " + day.Format("2006-01-02") + " --format csv --section unparsed"
		if host != "" {
			show += " --host " + host
		}
		what := fmt.Sprintf("%d Postfix lines", lines.NotUnderstood)
		if lines.NotUnderstood == 1 {
			what = "1 Postfix line"
		}
		fmt.Fprintf(stderr, "pftls tlsrpt: warning: %s of %s not understood: a TLS failure among them is not in the reports (%s shows them)\n",
			what, name, report.TerminalSafe(show))
	}
	if lines.First.Sub(day) >= time.Hour || end.Sub(lines.Last) > time.Hour {
		fmt.Fprintf(stderr, "pftls tlsrpt: warning: the lines stored of %s are from %s to %s (UTC) only: the reports cover that much (a quiet server, or a log read in part)\n",
			name, lines.First.Format("15:04"), lines.Last.Format("15:04"))
	}
	return nil
}

package report

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
)

// RFC 8460 (SMTP TLS Reporting) reports made from the log: one per policy
// domain and UTC day, for Postfix servers that cannot write them
// themselves (Postfix 3.10+ needs libtlsrpt and sys4's reporting daemons).
// This file is pure: facts in (TLSRPTBuilder), reports and their JSON,
// file name and e-mail out. cmd/pftls/tlsrpt.go reads the store, writes and sends them.

// TLSRPTOptions say who submits the reports and for which day.
type TLSRPTOptions struct {
	Day          time.Time // the start of the UTC day reported
	Organization string    // organization-name
	Contact      string    // contact-info
	Submitter    string    // the submitter's domain: file name, report-id, TLS-Report-Submitter
	SendingIP    string    // sending-mta-ip: the log does not say which address Postfix sent from
	Domains      []string  // only these policy domains (all when empty)
}

// TLSReport is the RFC 8460 report of one policy domain and day, with
// what pftls knows beside it.
type TLSReport struct {
	PolicyDomain string
	Submitter    string
	Begin, End   time.Time // the UTC day: [Begin, End]
	// Source says where the counts come from: "postfix" when the log
	// holds Postfix 3.10's own TLSRPT lines for the domain (they are
	// used, and Check compares pftls's classification with them), else
	// "pftls".
	Source string
	Report TLSRPTJSON
	Check  *TLSRPTCheck // nil when Source is "pftls"
	// Not in the report: deliveries in plaintext without a TLS failure
	// (the log does not say whether STARTTLS was offered), and failed
	// sessions that were this host's own fault (no CA bundle, a broken
	// policy table).
	Plaintext, LocalFaults int64
}

// TLSRPTCheck compares Postfix's TLSRPT results of a domain's handshakes
// with pftls's own classification of the same handshakes.
type TLSRPTCheck struct {
	PostfixSuccess int64 `json:"postfix_success"`
	PostfixFailure int64 `json:"postfix_failure"`
	PFTLSSuccess   int64 `json:"pftls_success"`
	PFTLSFailure   int64 `json:"pftls_failure"`
	// Mismatches are the handshakes the two disagree about: the outcome,
	// or the result type of a failure.
	Mismatches []string `json:"mismatches,omitempty"`
}

// Mismatch reports whether pftls and Postfix disagree.
func (c *TLSRPTCheck) Mismatch() bool { return c != nil && len(c.Mismatches) > 0 }

// TLSRPTJSON is the report as RFC 8460 §4.4 lays it out.
type TLSRPTJSON struct {
	OrganizationName string          `json:"organization-name"`
	DateRange        TLSRPTDateRange `json:"date-range"`
	ContactInfo      string          `json:"contact-info"`
	ReportID         string          `json:"report-id"`
	Policies         []TLSRPTPolicy  `json:"policies"`
}

// TLSRPTDateRange is the report's date-range (RFC 3339 date-times).
type TLSRPTDateRange struct {
	Start string `json:"start-datetime"`
	End   string `json:"end-datetime"`
}

// TLSRPTPolicy is one policy's summary and failure details.
type TLSRPTPolicy struct {
	Policy         TLSRPTPolicyDesc      `json:"policy"`
	Summary        TLSRPTSummary         `json:"summary"`
	FailureDetails []TLSRPTFailureDetail `json:"failure-details,omitempty"`
}

// TLSRPTPolicyDesc describes the policy applied.
type TLSRPTPolicyDesc struct {
	PolicyType   string   `json:"policy-type"` // "sts", "tlsa", "no-policy-found"
	PolicyString []string `json:"policy-string,omitempty"`
	PolicyDomain string   `json:"policy-domain"`
	MXHost       []string `json:"mx-host,omitempty"`
}

// TLSRPTSummary counts the policy's sessions.
type TLSRPTSummary struct {
	Success int64 `json:"total-successful-session-count"`
	Failure int64 `json:"total-failure-session-count"`
}

// TLSRPTFailureDetail counts the failed sessions of one result type with
// one receiving server.
type TLSRPTFailureDetail struct {
	ResultType          logparse.RFC8460 `json:"result-type"`
	SendingMTAIP        string           `json:"sending-mta-ip"`
	ReceivingMXHostname string           `json:"receiving-mx-hostname,omitempty"`
	ReceivingIP         string           `json:"receiving-ip,omitempty"`
	FailedSessionCount  int64            `json:"failed-session-count"`
	FailureReasonCode   string           `json:"failure-reason-code,omitempty"`
}

// The policy types of RFC 8460 §4.3.1.
const (
	PolicySTS      = "sts"
	PolicyTLSA     = "tlsa"
	PolicyNotFound = "no-policy-found"
)

// tlsrptAcc is one policy domain's report being counted, both from pftls's
// classification and from Postfix's own TLSRPT lines; the lines win where
// the log has them (postfix).
type tlsrptAcc struct {
	domain           string
	dane, sts        bool
	plaintext, local int64
	postfix          bool
	pftls, log       tlsrptCounts
}

// tlsrptCounts are a report's sessions as one source counts them.
type tlsrptCounts struct {
	success, failure int64
	details          map[TLSRPTFailureDetail]int64 // FailedSessionCount zero in the key
	// Of Postfix's lines only: the policy types their failures show, and
	// their comparison with pftls's classification.
	dane, sts bool
	check     TLSRPTCheck
}

// TLSRPTBuilder makes the reports of a day from its facts, given one at a
// time (aggregate.Store.ScanTLSRPT), keeping only counts: a busy server
// has millions of attempts a day.
type TLSRPTBuilder struct {
	o    TLSRPTOptions
	accs map[string]*tlsrptAcc
}

// NewTLSRPTBuilder starts the reports of o.Day.
func NewTLSRPTBuilder(o TLSRPTOptions) *TLSRPTBuilder {
	return &TLSRPTBuilder{o: o, accs: map[string]*tlsrptAcc{}}
}

// acc is the report of a policy domain, nil for one that gets none.
func (b *TLSRPTBuilder) acc(domain string) *tlsrptAcc {
	domain = strings.ToLower(strings.TrimSuffix(domain, "."))
	if !reportableDomain(domain) || (len(b.o.Domains) > 0 && !slices.Contains(b.o.Domains, domain)) {
		return nil
	}
	acc := b.accs[domain]
	if acc == nil {
		acc = &tlsrptAcc{domain: domain, pftls: tlsrptCounts{details: map[TLSRPTFailureDetail]int64{}},
			log: tlsrptCounts{details: map[TLSRPTFailureDetail]int64{}}}
		b.accs[domain] = acc
	}
	return acc
}

// Attempt counts an outbound attempt in the TLS mix (aggregate.TLSRPTSink).
func (b *TLSRPTBuilder) Attempt(a *aggregate.Attempt) {
	inReport := a.InTLSRPT()
	if !inReport && a.TLSRPT == "" {
		return // nothing to count (an acc with no counts makes no report)
	}
	acc := b.acc(a.Domain)
	if acc == nil {
		return
	}
	if a.TLSRPT != "" {
		// Postfix's result: it counts wherever Postfix logged it,
		// once an attempt in the report says the log has them.
		acc.log.postfixResult(a, b.o.SendingIP)
	}
	if !inReport {
		return
	}
	switch a.TLSPolicy.Level.Name {
	case logparse.PolicyDANE, logparse.PolicyDANEOnly:
		acc.dane = true
	}
	if a.TLSRPT != "" {
		acc.postfix = true
	}
	switch {
	case a.TLSRPTSuccess():
		acc.pftls.success++
	case a.TLSFailure == "" && a.TLSPosture() == aggregate.PosturePlaintext:
		acc.plaintext++
	}
}

// TLSFailure counts an outbound TLS failure (aggregate.TLSRPTSink).
func (b *TLSRPTBuilder) TLSFailure(f *aggregate.TLSFailure) {
	acc := b.acc(failureDomain(f))
	if acc == nil || !f.Outbound() {
		return
	}
	acc.dane, acc.sts = noteType(acc.dane, acc.sts, f.RFC8460)
	if !f.TLSRPTFailure() {
		acc.local++
		return
	}
	acc.pftls.failure++
	k := TLSRPTFailureDetail{ResultType: f.RFC8460, SendingMTAIP: b.o.SendingIP, ReceivingMXHostname: f.PeerHost,
		ReceivingIP: f.PeerAddr, FailureReasonCode: string(f.Kind)}
	acc.pftls.details[k]++
}

// Reports are the reports of the policy domains with TLS activity (a
// successful or failed TLS session), by domain. Domains the log names no
// policy domain for ("(unknown)", "[relay]:port") are left out: nobody
// publishes a reporting address for them.
func (b *TLSRPTBuilder) Reports() []TLSReport {
	var out []TLSReport
	for _, acc := range b.accs {
		if c := acc.counts(); c.success+c.failure == 0 {
			continue // no TLS activity: plaintext or local faults only
		}
		out = append(out, acc.report(b.o))
	}
	slices.SortFunc(out, func(a, b TLSReport) int { return cmp.Compare(a.PolicyDomain, b.PolicyDomain) })
	return out
}

// counts are the counts the report carries: Postfix's where the log has
// its TLSRPT lines, else pftls's.
func (acc *tlsrptAcc) counts() *tlsrptCounts {
	if acc.postfix {
		return &acc.log
	}
	return &acc.pftls
}

// noteType adds what a failure's result type says about the policy to
// what is known (DANE, MTA-STS).
func noteType(dane, sts bool, t logparse.RFC8460) (bool, bool) {
	switch t {
	case logparse.RFCTLSAInvalid, logparse.RFCDNSSECInvalid, logparse.RFCDANERequired:
		dane = true
	case logparse.RFCSTSPolicyFetchError, logparse.RFCSTSPolicyInvalid, logparse.RFCSTSWebPKIInvalid:
		sts = true
	}
	return dane, sts
}

// postfixResult counts one handshake's TLSRPT result ("success", "failure
// TYPE[ REASON]") and compares pftls's view of it.
func (c *tlsrptCounts) postfixResult(a *aggregate.Attempt, sendingIP string) {
	status, rest, _ := strings.Cut(a.TLSRPT, " ")
	rtype, reason, _ := strings.Cut(rest, " ")
	mine := a.TLSRPTSuccess()
	var mineType logparse.RFC8460
	if !mine {
		mineType = a.TLSFailure.RFC8460()
		c.check.PFTLSFailure++
	} else {
		c.check.PFTLSSuccess++
	}
	// mismatch says what a handshake's two views disagree about.
	mismatch := func(format string, args ...any) {
		c.check.Mismatches = append(c.check.Mismatches,
			a.Time.UTC().Format("15:04:05")+" "+a.RelayHost+"["+a.RelayAddr+"]: "+fmt.Sprintf(format, args...))
	}
	if status == "success" {
		c.success++
		c.check.PostfixSuccess++
		if !mine {
			mismatch("Postfix success, pftls failure %s", cmp.Or(string(a.TLSFailure), string(a.TLSPosture())))
		}
		return
	}
	c.failure++
	c.check.PostfixFailure++
	t := logparse.RFC8460(rtype)
	c.dane, c.sts = noteType(c.dane, c.sts, t)
	k := TLSRPTFailureDetail{ResultType: cmp.Or(t, logparse.RFCValidationFailure), SendingMTAIP: sendingIP,
		ReceivingMXHostname: a.RelayHost, ReceivingIP: a.RelayAddr, FailureReasonCode: reason}
	c.details[k]++
	switch {
	case mine:
		mismatch("Postfix failure %s, pftls success (%s)", rtype, a.TLSPosture())
	case mineType != t:
		mismatch("Postfix failure %s, pftls failure %s (%s)", rtype, cmp.Or(string(mineType), "local fault"), a.TLSFailure)
	}
}

func (acc *tlsrptAcc) report(o TLSRPTOptions) TLSReport {
	begin := o.Day.UTC()
	end := begin.AddDate(0, 0, 1).Add(-time.Second)
	counts := acc.counts()
	dane, sts := acc.dane, acc.sts
	if acc.postfix {
		dane, sts = dane || counts.dane, sts || counts.sts
	}
	ptype := PolicyNotFound
	switch {
	case dane:
		ptype = PolicyTLSA
	case sts:
		ptype = PolicySTS
	}
	p := TLSRPTPolicy{
		Policy:  TLSRPTPolicyDesc{PolicyType: ptype, PolicyDomain: acc.domain},
		Summary: TLSRPTSummary{Success: counts.success, Failure: counts.failure},
	}
	for k, n := range counts.details {
		k.FailedSessionCount = n
		p.FailureDetails = append(p.FailureDetails, k)
	}
	slices.SortFunc(p.FailureDetails, func(a, b TLSRPTFailureDetail) int {
		return cmp.Or(cmp.Compare(b.FailedSessionCount, a.FailedSessionCount), cmp.Compare(a.ResultType, b.ResultType),
			cmp.Compare(a.ReceivingMXHostname, b.ReceivingMXHostname), cmp.Compare(a.ReceivingIP, b.ReceivingIP),
			cmp.Compare(a.FailureReasonCode, b.FailureReasonCode))
	})
	r := TLSReport{
		PolicyDomain: acc.domain, Submitter: o.Submitter, Begin: begin, End: end, Source: "pftls",
		Plaintext: acc.plaintext, LocalFaults: acc.local,
		Report: TLSRPTJSON{
			OrganizationName: o.Organization,
			DateRange:        TLSRPTDateRange{Start: begin.Format(time.RFC3339), End: end.Format(time.RFC3339)},
			ContactInfo:      o.Contact,
			ReportID:         begin.Format("2006-01-02") + "_" + acc.domain + "_" + reportHash(o.Submitter, acc.domain, begin) + "@" + o.Submitter,
			Policies:         []TLSRPTPolicy{p},
		},
	}
	if acc.postfix {
		r.Source = "postfix"
		check := acc.log.check
		r.Check = &check
	}
	return r
}

// reportHash is the unique part of a report's ID and file name: the same
// for the same submitter, domain and day, so that a report written twice
// is the same report.
func reportHash(submitter, domain string, day time.Time) string {
	h := sha256.Sum256([]byte(submitter + "\x00" + domain + "\x00" + day.Format("2006-01-02")))
	return hex.EncodeToString(h[:8])
}

// reportableDomain reports whether a policy domain can get a report: a
// DNS name, not "(unknown)", "(local)" or a "[relay]:port" next hop.
func reportableDomain(d string) bool {
	if d == "" || strings.ContainsAny(d, "[]()/: \t") || !strings.Contains(d, ".") {
		return false
	}
	return true
}

// Day is the report's UTC day, YYYY-MM-DD.
func (r *TLSReport) Day() string { return r.Begin.Format("2006-01-02") }

// FileName is the report's name as RFC 8460 §5.3 gives it:
// sender!policy-domain!begin-timestamp!end-timestamp!unique-id.json.gz,
// the timestamps in seconds since the epoch.
func (r *TLSReport) FileName() string {
	return fmt.Sprintf("%s!%s!%d!%d!%s.json.gz", r.Submitter, r.PolicyDomain, r.Begin.Unix(), r.End.Unix(),
		reportHash(r.Submitter, r.PolicyDomain, r.Begin))
}

// JSON is the report's JSON document.
func (r *TLSReport) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r.Report, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("report: tlsrpt %s: %w", r.PolicyDomain, err)
	}
	return append(b, '\n'), nil
}

// Gzip is the report's JSON, gzip-compressed (application/tlsrpt+gzip). The
// same report always compresses to the same bytes: no name or time in the
// gzip header.
func (r *TLSReport) Gzip() ([]byte, error) {
	js, err := r.JSON()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(js); err != nil {
		return nil, fmt.Errorf("report: tlsrpt %s: %w", r.PolicyDomain, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("report: tlsrpt %s: %w", r.PolicyDomain, err)
	}
	return buf.Bytes(), nil
}

// TLSRPTEmail are the headers of a mailed report.
type TLSRPTEmail struct {
	From string
	To   []string
	Date time.Time
	Host string // this host's name, for the Message-ID
}

// WriteTLSRPTEmail writes the report as RFC 8460 §5.3 mails it:
// multipart/report; report-type="tlsrpt", with TLS-Report-Domain and
// TLS-Report-Submitter headers, a short text part and the gzip-compressed
// report as an application/tlsrpt+gzip attachment named FileName. The
// message is for "sendmail -t -i"; RFC 8460 wants it DKIM-signed, which
// is the MTA's part (a milter on the submission path).
func WriteTLSRPTEmail(w io.Writer, r *TLSReport, eo TLSRPTEmail) error {
	gz, err := r.Gzip()
	if err != nil {
		return err
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	text := fmt.Sprintf("This is an aggregate TLS report from %s for %s, %s (UTC).\r\n"+
		"Successful sessions: %d, failed sessions: %d.\r\n",
		r.Submitter, r.PolicyDomain, r.Day(), r.Report.Policies[0].Summary.Success, r.Report.Policies[0].Summary.Failure)
	pw, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {`text/plain; charset="us-ascii"`},
		"Content-Transfer-Encoding": {"7bit"},
	})
	if err == nil {
		_, err = io.WriteString(pw, toASCII(text))
	}
	if err != nil {
		return fmt.Errorf("report: tlsrpt email: %w", err)
	}
	pw, err = mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {`application/tlsrpt+gzip; name="` + r.FileName() + `"`},
		"Content-Transfer-Encoding": {"base64"},
		"Content-Disposition":       {`attachment; filename="` + r.FileName() + `"`},
	})
	if err == nil {
		err = writeBase64Lines(pw, gz)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return fmt.Errorf("report: tlsrpt email: %w", err)
	}
	for _, to := range eo.To {
		// A destination is one rua= mailto: URI of the policy domain's DNS
		// record: one address, never a list that would add recipients.
		if addrs, err := mail.ParseAddressList(to); err != nil || len(addrs) != 1 {
			return fmt.Errorf("report: tlsrpt email: To: %q is not one address", to)
		}
	}
	reportID := "<" + r.Report.ReportID + ">"
	hdr, err := envelopeHeaders(eo.From, eo.To,
		headerValue("Report Domain: "+r.PolicyDomain+" Submitter: "+r.Submitter+" Report-ID: "+reportID), eo.Date, eo.Host)
	if err != nil {
		return fmt.Errorf("report: tlsrpt email: %w", err)
	}
	hdr = append(hdr,
		header{"TLS-Report-Domain", headerValue(r.PolicyDomain)},
		header{"TLS-Report-Submitter", headerValue(r.Submitter)},
		header{"MIME-Version", "1.0"},
		header{"Content-Type", `multipart/report; report-type="tlsrpt"; boundary="` + mw.Boundary() + `"`},
		header{"Auto-Submitted", "auto-generated"},
		header{"X-Mailer", "pftls"})
	return writeMessage(w, hdr, append([]byte("This is a multipart message in MIME format.\r\n\r\n"), body.Bytes()...))
}

// writeBase64Lines writes data in base64, 76 characters a line.
func writeBase64Lines(w io.Writer, data []byte) error {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 0 {
		n := min(len(enc), 76)
		if _, err := io.WriteString(w, enc[:n]+"\r\n"); err != nil {
			return err
		}
		enc = enc[n:]
	}
	return nil
}

// toASCII replaces what is not printable US-ASCII (a domain from the log
// is text from the network) by '?', for a 7bit part.
func toASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || (r >= 0x20 && r < 0x7f) {
			return r
		}
		return '?'
	}, s)
}

package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/report"
)

const tlsrptFixture = "../../testdata/logs/tls-tlsrpt-tlsproxy.log"

// ingestInto ingests a log, stamped 2026 UTC, into a new database.
func ingestInto(t *testing.T, log string) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "pftls.db")
	if code, _, errOut := runCLI(t, "", "ingest", "--db", db, "--year", "2026", "--tz", "UTC", log); code != 0 {
		t.Fatalf("ingest %s: exit %d: %s", log, code, errOut)
	}
	return db
}

// readReportFile reads a written report: gzip, then RFC 8460 JSON.
func readReportFile(t *testing.T, path string) report.TLSRPTJSON {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var r report.TLSRPTJSON
	if err := json.NewDecoder(zr).Decode(&r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// The corpus's reports, written with --out, carry pftls report's failed
// session counts per domain for the same day, under RFC 8460 file names.
func TestTLSRPTCorpusFilesMatchReport(t *testing.T) {
	db := ingestInto(t, corpusLog)
	out := filepath.Join(t.TempDir(), "reports")
	code, stdout, errOut := runCLI(t, "", "tlsrpt", "--db", db, "--day", "2026-11-23", "--out", out,
		"--sending-ip", "192.0.2.25", "--submitter", "mail.sender.test", "--org", "Sender Example")
	if code != 0 {
		t.Fatalf("tlsrpt: exit %d: %s", code, errOut)
	}
	if !strings.Contains(stdout, "RFC 8460 TLS reports for 2026-11-23 (UTC)") {
		t.Errorf("summary:\n%s", stdout)
	}
	code, js, errOut := runCLI(t, "", "report", "--db", db, "--day", "2026-11-23", "--tz", "UTC", "--format", "json")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	var m report.Model
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	failed := map[string]int64{}
	for _, r := range m.TLSFailures {
		if r.Direction == logparse.DirOutbound && r.RFC8460 != "" {
			failed[r.Domain] += r.Count
		}
	}
	files, err := filepath.Glob(filepath.Join(out, "*.json.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no reports written in %s (%v)", out, err)
	}
	seen := map[string]bool{}
	for _, path := range files {
		name := filepath.Base(path)
		parts := strings.Split(strings.TrimSuffix(name, ".json.gz"), "!")
		if len(parts) != 5 || parts[0] != "mail.sender.test" || parts[2] != "1795392000" || parts[3] != "1795478399" {
			t.Errorf("file name %q: want mail.sender.test!DOMAIN!1795392000!1795478399!ID.json.gz", name)
			continue
		}
		r := readReportFile(t, path)
		p := r.Policies[0]
		if p.Policy.PolicyDomain != parts[1] || r.OrganizationName != "Sender Example" {
			t.Errorf("%s: policy-domain %q, organization %q", name, p.Policy.PolicyDomain, r.OrganizationName)
		}
		if p.Summary.Failure != failed[parts[1]] {
			t.Errorf("%s: %d failed sessions, pftls report has %d", parts[1], p.Summary.Failure, failed[parts[1]])
		}
		seen[parts[1]] = true
	}
	for d, n := range failed {
		if !seen[d] && !strings.ContainsAny(d, "[(") {
			t.Errorf("pftls report has %d TLS failures at %s, and no TLS report was written for it", n, d)
		}
	}
}

// From a log with Postfix 3.10's TLSRPT lines the counts are Postfix's,
// and the summary says pftls agrees.
func TestTLSRPTPostfixLinesSummary(t *testing.T) {
	db := ingestInto(t, tlsrptFixture)
	code, stdout, errOut := runCLI(t, "", "tlsrpt", "--db", db, "--day", "2026-11-23", "--sending-ip", "192.0.2.25")
	if code != 0 {
		t.Fatalf("tlsrpt: exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"good.example  no-policy-found  1 successful, 0 failed sessions (counts: postfix)",
		"selfsigned.example  no-policy-found  0 successful, 1 failed sessions (counts: postfix)",
		"validation-failure            1  mail.selfsigned.example[203.0.113.40] self-signed_certificate",
		"Postfix TLSRPT: 1 successful, 0 failed; pftls agrees",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	// The fixture is a minute of the day: that, and nothing else.
	if want := "pftls tlsrpt: warning: the lines stored of 2026-11-23 are from 06:00 to 06:01 (UTC) only: the reports cover that much (a quiet server, or a log read in part)\n"; errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
}

func TestTLSRPTUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"tlsrpt", "--day", "2026-11-23"}, "--sending-ip is required"},
		{[]string{"tlsrpt", "--sending-ip", "mail"}, "is not an IP address"},
		{[]string{"tlsrpt", "--sending-ip", "192.0.2.25", "--dry-run"}, "--dry-run is for --send"},
		{[]string{"tlsrpt", "--sending-ip", "192.0.2.25", "--send", "--rua", "ftp://x"}, "want a mailto: or https: URI"},
		{[]string{"tlsrpt", "--sending-ip", "192.0.2.25", "--day", "23.11.2026"}, "want today, yesterday or YYYY-MM-DD"},
		{[]string{"tlsrpt", "--sending-ip", "192.0.2.25", "--format", "csv"}, "unknown --format"},
		{[]string{"tlsrpt", "--sending-ip", "192.0.2.25", "--submitter", "../etc"}, "want a domain name"},
	} {
		code, _, errOut := runCLI(t, "", tc.args...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) || !strings.Contains(errOut, "Try: ") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q with a hint", tc.args, code, errOut, tc.want)
		}
	}
}

func TestTLSRPTRUARecord(t *testing.T) {
	for _, tc := range []struct {
		txts []string
		want string
	}{
		{[]string{"v=TLSRPTv1; rua=mailto:a@x.example,https://r.x.example/v1"}, "mailto:a@x.example https://r.x.example/v1"},
		{[]string{"v=spf1 -all", "v=TLSRPTv1;rua=mailto:a@x.example"}, "mailto:a@x.example"},
		{[]string{"v=TLSRPTv1; rua=mailto:a@x.example", "v=TLSRPTv1; rua=mailto:b@x.example"}, ""}, // two records: none
		{[]string{"v=TLSRPTv1; rua=http://insecure.example/,mailto:a@x.example"}, "mailto:a@x.example"},
		{[]string{"v=spf1 -all"}, ""},
	} {
		got, err := tlsrptRUA(tc.txts)
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("tlsrptRUA(%q) = %q, %v; want %q", tc.txts, got, err, tc.want)
		}
	}
}

// dnsTXTServer answers TXT queries on a loopback UDP port from a map of
// names to TXT strings; other names are NXDOMAIN. It is the smallest DNS
// responder net.Resolver is happy with.
func dnsTXTServer(t *testing.T, records map[string]string) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := dnsAnswer(buf[:n], records); resp != nil {
				pc.WriteTo(resp, addr)
			}
		}
	}()
	return pc.LocalAddr().String()
}

func dnsAnswer(q []byte, records map[string]string) []byte {
	if len(q) < 12 {
		return nil
	}
	i := 12
	var labels []string
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	if i+5 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i+1:])
	question := q[12 : i+5]
	name := strings.ToLower(strings.Join(labels, "."))
	txt, ok := records[name]
	resp := make([]byte, 12, 512)
	copy(resp, q[:2])
	flags := uint16(0x8180) // response, recursion desired and available
	var an uint16
	if !ok {
		flags |= 3 // NXDOMAIN
	} else if qtype == 16 {
		an = 1
	}
	binary.BigEndian.PutUint16(resp[2:], flags)
	binary.BigEndian.PutUint16(resp[4:], 1)
	binary.BigEndian.PutUint16(resp[6:], an)
	resp = append(resp, question...)
	if an == 1 {
		rdata := []byte{byte(len(txt))}
		rdata = append(rdata, txt...)
		resp = append(resp, 0xc0, 12, 0, 16, 0, 1, 0, 0, 0, 60)
		resp = binary.BigEndian.AppendUint16(resp, uint16(len(rdata)))
		resp = append(resp, rdata...)
	}
	return resp
}

// posted records what a loopback HTTPS reporting endpoint received.
type posted struct {
	mu    sync.Mutex
	count int
	ctype string
	body  []byte
}

// --send: the destinations come from a loopback DNS server, mailto: goes
// through the fake sendmail as a multipart/report, https: is POSTed to a
// loopback TLS server, --dry-run sends nothing, and a second run sends
// nothing either.
func TestTLSRPTSendOnce(t *testing.T) {
	db := ingestInto(t, tlsrptFixture)
	var got posted
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.mu.Lock()
		defer got.mu.Unlock()
		got.count++
		got.ctype = r.Header.Get("Content-Type")
		got.body, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	old := httpsClient
	httpsClient = srv.Client() // trusts the test server's certificate: in this test only
	defer func() { httpsClient = old }()
	resolver := dnsTXTServer(t, map[string]string{
		"_smtp._tls.good.example":       "v=TLSRPTv1; rua=mailto:tlsrpt@good.example",
		"_smtp._tls.selfsigned.example": "v=TLSRPTv1; rua=" + srv.URL + "/tlsrpt",
	})
	mailDir := t.TempDir()
	t.Setenv("FAKE_SENDMAIL_DIR", mailDir)
	fake, err := filepath.Abs("../../testdata/mail/fake-sendmail")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"tlsrpt", "--db", db, "--day", "2026-11-23", "--sending-ip", "192.0.2.25",
		"--submitter", "mail.sender.test", "--send", "--resolver", resolver, "--sendmail", fake}

	code, stdout, errOut := runCLI(t, "", append(args, "--dry-run")...)
	if code != 0 {
		t.Fatalf("dry run: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"mailto:tlsrpt@good.example: would send", srv.URL + "/tlsrpt: would send"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := os.Stat(filepath.Join(mailDir, "message")); err == nil || got.count != 0 {
		t.Fatalf("the dry run sent something (POSTs: %d)", got.count)
	}

	code, stdout, errOut = runCLI(t, "", args...)
	if code != 0 {
		t.Fatalf("send: exit %d: %s\n%s", code, errOut, stdout)
	}
	for _, want := range []string{"mailto:tlsrpt@good.example: sent", srv.URL + "/tlsrpt: sent"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("send lacks %q:\n%s", want, stdout)
		}
	}
	// The POST: application/tlsrpt+gzip, selfsigned.example's report.
	if got.count != 1 || got.ctype != "application/tlsrpt+gzip" {
		t.Fatalf("POSTs: %d, Content-Type %q", got.count, got.ctype)
	}
	zr, err := gzip.NewReader(bytes.NewReader(got.body))
	if err != nil {
		t.Fatal(err)
	}
	var posted report.TLSRPTJSON
	if err := json.NewDecoder(zr).Decode(&posted); err != nil {
		t.Fatal(err)
	}
	if p := posted.Policies[0]; p.Policy.PolicyDomain != "selfsigned.example" || p.Summary.Failure != 1 {
		t.Errorf("posted report: %+v", p)
	}
	// The mail: sendmail -t -i, multipart/report with the gzip attachment.
	sendmailArgs, _ := os.ReadFile(filepath.Join(mailDir, "args"))
	if string(sendmailArgs) != "-t\n-i\n" {
		t.Errorf("sendmail arguments %q", sendmailArgs)
	}
	raw, err := os.ReadFile(filepath.Join(mailDir, "message"))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	if h.Get("To") != "tlsrpt@good.example" || h.Get("TLS-Report-Domain") != "good.example" ||
		h.Get("TLS-Report-Submitter") != "mail.sender.test" || h.Get("From") != "tlsrpt-noreply@mail.sender.test" {
		t.Errorf("headers: %v", h)
	}
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/report" || params["report-type"] != "tlsrpt" {
		t.Fatalf("Content-Type %q", h.Get("Content-Type"))
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var attached bool
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "application/tlsrpt+gzip") {
			attached = strings.HasPrefix(p.FileName(), "mail.sender.test!good.example!1795392000!1795478399!") &&
				p.Header.Get("Content-Transfer-Encoding") == "base64"
		}
	}
	if !attached {
		t.Error("no base64 application/tlsrpt+gzip attachment named as RFC 8460 says")
	}

	// A second run sends nothing: the store remembers.
	os.Remove(filepath.Join(mailDir, "message"))
	code, stdout, errOut = runCLI(t, "", args...)
	if code != 0 {
		t.Fatalf("second send: exit %d: %s", code, errOut)
	}
	if strings.Count(stdout, ": already sent") != 2 {
		t.Errorf("second run:\n%s", stdout)
	}
	if _, err := os.Stat(filepath.Join(mailDir, "message")); err == nil || got.count != 1 {
		t.Errorf("the second run sent again (POSTs: %d)", got.count)
	}
}

// A domain without a _smtp._tls record gets nothing, and says so; an
// endpoint that refuses a report is an error (exit 2) and the report is
// not recorded as sent, so that the next run tries again.
func TestTLSRPTSendNoRecordAndRefused(t *testing.T) {
	db := ingestInto(t, tlsrptFixture)
	var mu sync.Mutex
	status := http.StatusServiceUnavailable
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.WriteHeader(status)
	}))
	defer srv.Close()
	old := httpsClient
	httpsClient = srv.Client()
	defer func() { httpsClient = old }()
	resolver := dnsTXTServer(t, map[string]string{"_smtp._tls.selfsigned.example": "v=TLSRPTv1; rua=" + srv.URL})
	args := []string{"tlsrpt", "--db", db, "--day", "2026-11-23", "--sending-ip", "192.0.2.25", "--send", "--resolver", resolver}
	code, stdout, errOut := runCLI(t, "", args...)
	if code != exitUsage || !strings.Contains(errOut, "503") {
		t.Fatalf("refused: exit %d, stderr %q", code, errOut)
	}
	if !strings.Contains(stdout, "no TLSRPT record") {
		t.Errorf("good.example has no record; summary:\n%s", stdout)
	}
	mu.Lock()
	status = http.StatusOK
	mu.Unlock()
	code, stdout, errOut = runCLI(t, "", args...)
	if code != 0 || !strings.Contains(stdout, srv.URL+": sent") {
		t.Errorf("retry: exit %d, %s\n%s", code, errOut, stdout)
	}
}

// The README's tlsrpt crontab line uses flags tlsrpt has, and passes its
// checks (run without --send: no network in tests).
func TestTLSRPTReadmeCronLine(t *testing.T) {
	args := readmeCommand(t, "30 1 * * * ")
	if len(args) < 2 || args[1] != "tlsrpt" {
		t.Fatalf("README cron line runs %v, want pftls tlsrpt", args)
	}
	db := ingestInto(t, tlsrptFixture)
	out := filepath.Join(t.TempDir(), "tlsrpt")
	var real []string
	for i := 1; i < len(args); i++ {
		switch args[i] {
		case "--send":
			continue
		case "--out":
			real = append(real, "--out", out)
			i++
			continue
		case "--day":
			real = append(real, "--day", "2026-11-23")
			i++
			continue
		}
		real = append(real, args[i])
	}
	real = append(real, "--db", db)
	if code, _, errOut := runCLI(t, "", real...); code != 0 {
		t.Fatalf("%v: exit %d: %s", real, code, errOut)
	}
	files, _ := filepath.Glob(filepath.Join(out, "example.com!*.json.gz"))
	if len(files) != 2 {
		t.Errorf("reports written: %v, want good.example's and selfsigned.example's", files)
	}
}

// A disagreement with Postfix's TLSRPT lines is in the text summary and
// in the JSON one.
func TestTLSRPTSummaryShowsMismatch(t *testing.T) {
	r := report.TLSReport{PolicyDomain: "odd.example", Submitter: "mail.sender.test", Source: "postfix",
		Begin: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
		Report: report.TLSRPTJSON{Policies: []report.TLSRPTPolicy{{Policy: report.TLSRPTPolicyDesc{PolicyType: "no-policy-found",
			PolicyDomain: "odd.example"}, Summary: report.TLSRPTSummary{Failure: 1}}}},
		Check: &report.TLSRPTCheck{PostfixFailure: 1, PFTLSSuccess: 1,
			Mismatches: []string{"07:00:01 mx.odd.example[198.51.100.30]: Postfix failure certificate-expired, pftls success (verified)"}}}
	for format, want := range map[string][]string{
		"text": {"MISMATCH: pftls counts 1 successful, 0 failed of the same handshakes", "Postfix failure certificate-expired, pftls success"},
		"json": {`"pftls_success": 1`, `"mismatches": [`},
	} {
		var buf bytes.Buffer
		if err := report.WriteTLSRPTSummary(&buf, format, []report.TLSReport{r}, nil, "", r.Begin); err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			if !strings.Contains(buf.String(), w) {
				t.Errorf("%s summary lacks %q:\n%s", format, w, buf.String())
			}
		}
	}
}

// TestTLSRPTRefusesDaysNotStored: a day the database read nothing of, and
// a day whose facts were pruned, get an error, not reports that tell the
// policy domains nothing failed.
func TestTLSRPTRefusesDaysNotStored(t *testing.T) {
	db := ingestInto(t, tlsrptFixture)
	code, stdout, errOut := runCLI(t, "", "tlsrpt", "--db", db, "--day", "2026-11-22", "--sending-ip", "192.0.2.25")
	if code != exitUsage || !strings.Contains(errOut, "no Postfix log line of 2026-11-22 (UTC) is stored") {
		t.Errorf("a day not ingested: exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	// Lines of other programs only (dovecot goes on while Postfix is
	// silent): no Postfix line of that day either.
	other := filepath.Join(t.TempDir(), "dovecot.log")
	lines := "Nov 23 23:59:00 mail postfix/smtpd[1]: connect from unknown[192.0.2.1]\n" +
		"Nov 24 10:00:00 mail dovecot: imap-login: Login: user=<a@example.com>\n"
	if err := os.WriteFile(other, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "", "ingest", "--db", db, "--year", "2026", "--tz", "UTC", other); code != exitOK {
		t.Fatalf("ingest %s: exit %d: %s", other, code, errOut)
	}
	code, stdout, errOut = runCLI(t, "", "tlsrpt", "--db", db, "--day", "2026-11-24", "--sending-ip", "192.0.2.25")
	if code != exitUsage || !strings.Contains(errOut, "no Postfix log line of 2026-11-24 (UTC) is stored") {
		t.Errorf("a day of other programs' lines only: exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	t.Setenv("PFTLS_NOW", "2026-12-30T00:00:00Z")
	if code, _, errOut := runCLI(t, "", "prune", "--db", db, "--keep-facts", "7"); code != exitOK {
		t.Fatalf("prune: exit %d: %s", code, errOut)
	}
	code, stdout, errOut = runCLI(t, "", "tlsrpt", "--db", db, "--day", "2026-11-23", "--sending-ip", "192.0.2.25")
	if code != exitUsage || !strings.Contains(errOut, "were pruned (pftls prune): the TLS reports of 2026-11-23 cannot be made") {
		t.Errorf("a pruned day: exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
}

// TestTLSRPTSaysWhatTheReportsMiss: the reports of a day with lines not
// understood, or with hours at either end that have no line stored, are
// made, and standard error says what they may miss.
func TestTLSRPTSaysWhatTheReportsMiss(t *testing.T) {
	corpus := corpusText(t, 400)
	log := writeTemp(t, t.TempDir(), "mail.log", []byte(strings.Join(corpus, "")+
		"Nov 23 00:26:30 mail postfix/smtp[13600]: something odd about TLS\n"))
	db := ingestInto(t, log)
	code, _, errOut := runCLI(t, "", "tlsrpt", "--db", db, "--day", "2026-11-23", "--sending-ip", "192.0.2.25")
	if code != exitOK {
		t.Fatalf("tlsrpt: exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"pftls tlsrpt: warning: 1 Postfix line of 2026-11-23 not understood: a TLS failure among them is not in the reports " +
			"(pftls report --tz UTC --day 2026-11-23 --format csv --section unparsed shows them)",
		"pftls tlsrpt: warning: the lines stored of 2026-11-23 are from 00:19 to 00:26 (UTC) only",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("standard error lacks %q:\n%s", want, errOut)
		}
	}
}

// TestTLSRPTRefusesAHostThatLogsNoTLS: at smtp_tls_loglevel 0 Postfix logs
// failed TLS sessions but no session that succeeded; reports made of that
// would tell every domain that all its sessions failed.
func TestTLSRPTRefusesAHostThatLogsNoTLS(t *testing.T) {
	established := regexp.MustCompile(`TLS connection established|certificate verification failed|server certificate verification`)
	var lines []string
	for _, l := range corpusText(t, 0) {
		if !established.MatchString(l) {
			lines = append(lines, l)
		}
	}
	db := ingestInto(t, writeTemp(t, t.TempDir(), "loglevel0.log", []byte(strings.Join(lines, ""))))
	code, stdout, errOut := runCLI(t, "", "tlsrpt", "--db", db, "--day", "2026-11-23", "--sending-ip", "192.0.2.25")
	if code != exitUsage || !strings.Contains(errOut, "no delivery of 2026-11-23 or the 7 days before it has a TLS line or a tls= field") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
}

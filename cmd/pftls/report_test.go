package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/report"
)

const corpusLog = "../../testdata/corpus/corpus-a.log"

// runCLI runs the program in-process and returns its exit code and output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// reportJSON runs "pftls report --format json" on the corpus and decodes it.
func reportJSON(t *testing.T, args ...string) *report.Model {
	t.Helper()
	return runReportJSON(t, "", append([]string{"--db", ":memory:", "--year", "2026"}, args...)...)
}

// runReportJSON runs "pftls report --format json --tz UTC ARGS" with stdin
// and decodes the model; any exit but 0 fails the test.
func runReportJSON(t *testing.T, stdin string, args ...string) *report.Model {
	t.Helper()
	args = append([]string{"report", "--format", "json", "--tz", "UTC"}, args...)
	code, out, errOut := runCLI(t, stdin, args...)
	if code != 0 {
		t.Fatalf("pftls %v: exit %d: %s", args, code, errOut)
	}
	var m report.Model
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("decode report JSON: %v\n%s", err, out)
	}
	return &m
}

// pflogsummTotals reads the "Grand Totals" block of a pflogsumm report.
func pflogsummTotals(t *testing.T, text string) map[string]int64 {
	t.Helper()
	totals := map[string]int64{}
	line := regexp.MustCompile(`^\s+(\d+)([km]?)\s+(.+?)\s*(\(.*\))?$`)
	deferrals := regexp.MustCompile(`\((\d+)\s+deferrals\)`)
	sc := bufio.NewScanner(strings.NewReader(text))
	in := false
	for sc.Scan() {
		s := sc.Text()
		switch {
		case s == "Grand Totals":
			in = true
			continue
		case in && strings.HasPrefix(s, "message deferral detail"), in && strings.HasPrefix(s, "Per-"):
			return totals
		}
		if !in {
			continue
		}
		if m := deferrals.FindStringSubmatch(s); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			totals["deferrals"] = n
		}
		m := line.FindStringSubmatch(s)
		if m == nil {
			continue
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		totals[m[3]+m[2]] = n // "bytes receivedk" keeps the unit
	}
	return totals
}

func TestReportTotalsMatchPflogsumm(t *testing.T) {
	m := reportJSON(t, corpusLog)
	stored, err := os.ReadFile("../../testdata/corpus/pflogsumm-a.txt")
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]string{"stored pflogsumm-a.txt": string(stored)}
	if path, err := exec.LookPath("pflogsumm"); err == nil {
		out, err := exec.Command(path, corpusLog).Output()
		if err != nil {
			t.Fatalf("pflogsumm: %v", err)
		}
		sources["pflogsumm run now"] = string(out)
	} else {
		t.Log("pflogsumm is not installed (apt-get install pflogsumm): comparing with the stored output only")
	}
	for name, text := range sources {
		want := pflogsummTotals(t, text)
		got := map[string]int64{
			"received":                m.Totals.Received,
			"delivered":               m.Totals.Delivered,
			"forwarded":               m.Totals.Forwarded,
			"deferred":                m.Totals.Deferred,
			"deferrals":               m.Totals.Deferrals,
			"bounced":                 m.Totals.Bounced,
			"rejected":                m.Totals.Rejected,
			"reject warnings":         m.Totals.RejectWarnings,
			"held":                    m.Totals.Held,
			"discarded":               m.Totals.Discarded,
			"bytes receivedk":         m.Totals.BytesReceived >> 10,
			"bytes deliveredk":        m.Totals.BytesDelivered >> 10,
			"senders":                 m.Totals.Senders,
			"sending hosts/domains":   m.Totals.SendingDomains,
			"recipients":              m.Totals.Recipients,
			"recipient hosts/domains": m.Totals.RecipientDomains,
		}
		if len(want) < len(got) {
			t.Fatalf("%s: read only %d totals from pflogsumm: %v", name, len(want), want)
		}
		for k, g := range got {
			if w, ok := want[k]; !ok || w != g {
				t.Errorf("%s: %s = %d, pflogsumm says %d (present %v)", name, k, g, w, ok)
			}
		}
	}
}

// expectedCorpus is the part of expected-a.json the report must agree with.
type expectedCorpus struct {
	Designed struct {
		PerDomain map[string]struct {
			RecipientOutcomes map[string]int64 `json:"recipient_outcomes"`
		} `json:"per_domain"`
		Expired int64 `json:"messages_expected_to_expire (status=expired lines)"`
	} `json:"designed"`
	Observed map[string]int64 `json:"observed_line_counts"`
}

func TestReportAgreesWithCorpusDesign(t *testing.T) {
	m := reportJSON(t, corpusLog, "--top", "1000") // every domain
	raw, err := os.ReadFile("../../testdata/corpus/expected-a.json")
	if err != nil {
		t.Fatal(err)
	}
	var exp expectedCorpus
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatal(err)
	}
	if m.Totals.Expired != exp.Designed.Expired {
		t.Errorf("expired = %d, want %d", m.Totals.Expired, exp.Designed.Expired)
	}
	if got, want := m.Totals.Deferrals, exp.Observed["status=deferred"]; got != want {
		t.Errorf("deferrals = %d, want %d", got, want)
	}
	domains := map[string]report.DomainRow{}
	for _, d := range m.Domains {
		domains[d.Domain] = d
	}
	for name, d := range exp.Designed.PerDomain {
		got := domains[name]
		want := d.RecipientOutcomes
		if got.Delivered != want["sent"] || got.Bounced != want["bounced"] || got.Expired != want["expired"] {
			t.Errorf("%s: sent/bounced/expired = %d/%d/%d, designed %d/%d/%d", name,
				got.Delivered, got.Bounced, got.Expired, want["sent"], want["bounced"], want["expired"])
		}
	}
}

// TestReportTLSFailuresPerScenario checks the TLS failure kind each
// corpus scenario is designed to produce.
func TestReportTLSFailuresPerScenario(t *testing.T) {
	m := reportJSON(t, corpusLog)
	want := map[string]struct {
		kind, rfc string
		count     int64
	}{
		"bank.example.net":       {"untrusted-issuer", "validation-failure", 53},
		"gov.example.org":        {"expired", "certificate-expired", 52},
		"health.example.com":     {"self-signed", "validation-failure", 30},
		"acme.example.org":       {"name-mismatch", "certificate-host-mismatch", 30},
		"hosting.example.net":    {"name-mismatch", "certificate-host-mismatch", 47},
		"legal.example.net":      {"name-mismatch", "certificate-host-mismatch", 33},
		"school.example.org":     {"starttls-not-offered", "starttls-not-supported", 43},
		"modern.example.net":     {"handshake", "validation-failure", 34},
		"oldpartner.example.net": {"handshake", "validation-failure", 10},
	}
	seen := map[string]bool{}
	for _, f := range m.TLSFailures {
		w, ok := want[f.Domain]
		if !ok {
			t.Errorf("unexpected TLS failure at %s: %+v", f.Domain, f)
			continue
		}
		seen[f.Domain] = true
		if string(f.Kind) != w.kind || string(f.RFC8460) != w.rfc || f.Count != w.count || !f.Deferring {
			t.Errorf("%s: got %s/%s x%d deferring=%v, want %s/%s x%d deferring", f.Domain, f.Kind, f.RFC8460, f.Count, f.Deferring, w.kind, w.rfc, w.count)
		}
	}
	for d := range want {
		if !seen[d] {
			t.Errorf("%s: no TLS failure reported", d)
		}
	}
	if f := findFailure(m, "bank.example.net"); f.Detail != "/O=Unknown Org/CN=Rogue Untrusted Issuing CA" {
		t.Errorf("bank issuer detail = %q", f.Detail)
	}
}

func findFailure(m *report.Model, domain string) report.TLSFailureRow {
	for _, f := range m.TLSFailures {
		if f.Domain == domain {
			return f
		}
	}
	return report.TLSFailureRow{}
}

func TestReportWindowFlags(t *testing.T) {
	// The corpus runs from 00:19 to 00:26 on 2026-11-23 (UTC).
	for _, tc := range []struct {
		name     string
		args     []string
		received int64
	}{
		{"all", []string{"--all"}, 284},
		{"day", []string{"--day", "2026-11-23"}, 284},
		{"other day", []string{"--day", "2026-11-22"}, 0},
		{"from-to before", []string{"--from", "2026-11-23 00:00", "--to", "2026-11-23 00:19"}, 0},
		{"from-to covering", []string{"--from", "2026-11-23T00:00:00Z", "--to", "2026-11-23T01:00:00Z"}, 284},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := reportJSON(t, append(tc.args, corpusLog)...)
			if m.Totals.Received != tc.received {
				t.Errorf("received = %d, want %d", m.Totals.Received, tc.received)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"bad flag", []string{"report", "--nope"}, "flag provided but not defined"},
		{"bad format", []string{"report", "--db", ":memory:", "--format", "pdf", corpusLog}, `unknown --format "pdf"`},
		{"section without csv", []string{"report", "--db", ":memory:", "--section", "tls-inbound", corpusLog}, "--format csv --section tls-inbound"},
		{"two windows", []string{"report", "--db", ":memory:", "--all", "--since", "1h", corpusLog}, "use one of"},
		{"missing file", []string{"report", "--db", ":memory:", filepath.Join(dir, "nope.log")}, "nope.log"},
		{"directory", []string{"ingest", "--db", ":memory:", dir}, "is a directory"},
		{"memory without files", []string{"report", "--db", ":memory:"}, "needs FILE"},
		{"bad since", []string{"report", "--db", ":memory:", "--since", "yesterday", corpusLog}, "--since"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, "", tc.args...)
			if code != exitUsage {
				t.Errorf("exit code = %d, want %d", code, exitUsage)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tc.want)
			}
		})
	}
}

func TestReportFromDatabaseAfterIngest(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sub", "pftls.db")
	code, out, errOut := runCLI(t, "", "ingest", "--db", db, "--year", "2026", "--tz", "UTC", corpusLog)
	if code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "5331 lines") {
		t.Errorf("ingest output = %q, want the line count", out)
	}
	info, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("database mode = %o, want 600", perm)
	}
	code, out, errOut = runCLI(t, "", "report", "--db", db, "--all", "--format", "text", "--tz", "UTC")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"bank.example.net", "untrusted-issuer", "/O=Unknown Org/CN=Rogue Untrusted Issuing CA", "| received        |    284 |"} {
		if !strings.Contains(out, want) {
			t.Errorf("text report lacks %q", want)
		}
	}
	for i, line := range strings.Split(out, "\n") {
		if n := len([]rune(line)); n > 100 {
			t.Errorf("line %d is %d columns wide: %q", i+1, n, line)
		}
	}
}

func TestDefaultDBPath(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		name string
		vars map[string]string
		euid int
		want string
	}{
		{"PFTLS_DB wins", map[string]string{"PFTLS_DB": "/x/y.db", "HOME": "/home/u"}, 0, "/x/y.db"},
		{"root", map[string]string{"HOME": "/root"}, 0, "/var/lib/pftls/pftls.db"},
		{"xdg", map[string]string{"XDG_STATE_HOME": "/s", "HOME": "/home/u"}, 1000, "/s/pftls/pftls.db"},
		{"home", map[string]string{"HOME": "/home/u"}, 1000, "/home/u/.local/state/pftls/pftls.db"},
	} {
		got, err := defaultDBPath(env(tc.vars), tc.euid)
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := defaultDBPath(env(nil), 1000); err == nil {
		t.Error("no HOME: want an error")
	}
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"24h": 24 * time.Hour, "7d": 7 * 24 * time.Hour, "1d12h": 36 * time.Hour, "90m": 90 * time.Minute} {
		got, err := parseAge(in)
		if err != nil || got != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "-1h", "0d", "d"} {
		if _, err := parseAge(bad); err == nil {
			t.Errorf("parseAge(%q): want an error", bad)
		}
	}
}

// TestMemoryReportEqualsStoredReport: "report --db :memory:" builds its model
// straight from the correlator's facts, without a database; it must say
// exactly what a report from a database says.
func TestMemoryReportEqualsStoredReport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "pftls.db")
	for _, window := range [][]string{{"--all"}, {"--from", "2026-11-23 00:21", "--to", "2026-11-23 00:23"}} {
		args := append([]string{"report", "--year", "2026", "--tz", "UTC", "--format", "json"}, window...)
		_, direct, errOut := runCLI(t, "", append(append(args, "--db", ":memory:"), corpusLog)...)
		if errOut != "" {
			t.Fatal(errOut)
		}
		_, stored, errOut := runCLI(t, "", append(append(args, "--db", db), corpusLog)...)
		if errOut != "" {
			t.Fatal(errOut)
		}
		strip := func(s string) string {
			var m map[string]any
			if err := json.Unmarshal([]byte(s), &m); err != nil {
				t.Fatal(err)
			}
			delete(m, "generated")
			b, _ := json.Marshal(m)
			return string(b)
		}
		if strip(direct) != strip(stored) {
			t.Errorf("%v: the :memory: report differs from the stored one:\n%.3000s\n---\n%.3000s", window, strip(direct), strip(stored))
		}
	}
}

// pflogsummBlock returns the lines of the pflogsumm section titled title,
// after its underline, up to the blank line that ends it.
func pflogsummBlock(t *testing.T, text, title string) []string {
	t.Helper()
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		if strings.TrimSpace(l) != title || i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "---") {
			continue
		}
		var out []string
		for _, s := range lines[i+2:] {
			if strings.TrimSpace(s) == "" {
				break
			}
			if f := strings.Fields(s); len(f) > 0 && f[0][0] >= '0' && f[0][0] <= '9' { // not a heading
				out = append(out, s)
			}
		}
		return out
	}
	t.Fatalf("pflogsumm output has no %q section", title)
	return nil
}

// pflogsummDelay formats seconds the way pflogsumm prints a delay.
func pflogsummDelay(s float64) string {
	switch {
	case s >= 86400:
		return strconv.FormatFloat(s/86400, 'f', 1, 64) + " d"
	case s >= 3600:
		return strconv.FormatFloat(s/3600, 'f', 1, 64) + " h"
	case s >= 60:
		return strconv.FormatFloat(s/60, 'f', 1, 64) + " m"
	}
	return strconv.FormatFloat(s, 'f', 1, 64) + " s"
}

// pflogsummSize formats bytes the way pflogsumm's tables do.
func pflogsummSize(v int64) string {
	switch {
	case v > 512<<20:
		return strconv.FormatInt(v>>20, 10) + "m"
	case v > 512<<10:
		return strconv.FormatInt(v>>10, 10) + "k"
	}
	return strconv.FormatInt(v, 10)
}

// TestReportStaplesMatchPflogsumm compares pflogsumm's staples on the
// corpus, row by row, with the report's: the per-hour traffic table, the
// per-domain delivery summary, messages received by sender domain and
// senders and recipients by count and by size. --top is large enough to
// keep every row.
func TestReportStaplesMatchPflogsumm(t *testing.T) {
	m := reportJSON(t, corpusLog, "--top", "1000")
	raw, err := os.ReadFile("../../testdata/corpus/pflogsumm-a.txt")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	volumes := func(rows []report.VolumeRow, size bool) []string {
		var out []string
		for _, r := range rows {
			if size {
				out = append(out, pflogsummSize(r.Bytes)+" "+r.Name)
			} else {
				out = append(out, strconv.FormatInt(r.Messages, 10)+" "+r.Name)
			}
		}
		return out
	}
	hourly := func() []string {
		byHour := map[string]report.TrafficRow{}
		for _, r := range m.Hourly {
			byHour[r.Period] = r
		}
		var out []string
		for h := range 24 {
			r := byHour[fmt.Sprintf("%02d", h)]
			out = append(out, fmt.Sprintf("%02d00-%02d00 %d %d %d %d %d", h, h+1, r.Received, r.Delivered, r.Deferrals, r.Bounced, r.Rejected))
		}
		return out
	}
	domains := func() []string {
		var out []string
		for _, d := range m.Domains {
			out = append(out, fmt.Sprintf("%d %s %d %s %s %s", d.Delivered, pflogsummSize(d.BytesDelivered), d.Deferrals,
				pflogsummDelay(d.AvgDelay), pflogsummDelay(d.MaxDelay), d.Domain))
		}
		return out
	}
	// pflogsumm lists master's lines by text; the report counts them by
	// what they mean.
	master := func() []string {
		var out []string
		for _, r := range []struct {
			n    int64
			text string
		}{{m.Master.Started, "daemon started"}, {m.Master.Reloaded, "reload"}, {m.Master.Stopped, "terminating on signal"}} {
			if r.n > 0 {
				out = append(out, fmt.Sprintf("%d %s", r.n, r.text))
			}
		}
		return out
	}
	received := func() []string {
		var out []string
		for _, r := range m.ReceivedFrom {
			out = append(out, fmt.Sprintf("%d %s %s", r.Messages, pflogsummSize(r.Bytes), r.Name))
		}
		return out
	}
	tests := []struct {
		section string
		got     []string
		ordered bool // pflogsumm's order is the report's (ties aside)
	}{
		{"Per-Hour Traffic Summary", hourly(), true},
		{"Host/Domain Summary: Message Delivery", domains(), false},
		{"Host/Domain Summary: Messages Received", received(), false},
		{"Senders by message count", volumes(m.Senders, false), false},
		{"Recipients by message count", volumes(m.Recipients, false), false},
		{"Senders by message size", volumes(m.SendersBySize, true), false},
		{"Recipients by message size", volumes(m.RecipientsBySize, true), false},
		{"Master daemon messages", master(), false},
	}
	for _, tt := range tests {
		t.Run(tt.section, func(t *testing.T) {
			var want []string
			for _, l := range pflogsummBlock(t, text, tt.section) {
				l = strings.Join(strings.Fields(l), " ")
				if tt.section == "Master daemon messages" {
					l, _, _ = strings.Cut(l, " --") // "1 daemon started -- version 3.7.11, ..."
				}
				want = append(want, l)
			}
			got := tt.got
			if !tt.ordered {
				want, got = slices.Sorted(slices.Values(want)), slices.Sorted(slices.Values(got))
			}
			if len(want) == 0 {
				t.Fatal("read no rows from pflogsumm")
			}
			if !slices.Equal(got, want) {
				t.Errorf("pftls and pflogsumm differ:\n got %q\nwant %q", got, want)
			}
		})
	}
}

// TestReportTrafficAddsUpToTotals checks that the hours and the days of
// the traffic tables add up to the totals they break down.
func TestReportTrafficAddsUpToTotals(t *testing.T) {
	m := reportJSON(t, corpusLog)
	for _, tt := range []struct {
		name string
		rows []report.TrafficRow
	}{{"hourly", m.Hourly}, {"daily", m.Daily}} {
		var sum report.TrafficRow
		for _, r := range tt.rows {
			sum.Received += r.Received
			sum.Delivered += r.Delivered
			sum.Deferrals += r.Deferrals
			sum.Bounced += r.Bounced
			sum.Rejected += r.Rejected
			sum.Connections += r.Connections
		}
		want := report.TrafficRow{Received: m.Totals.Received, Delivered: m.Totals.Delivered, Deferrals: m.Totals.Deferrals,
			Bounced: m.Totals.Bounced, Rejected: m.Totals.Rejected, Connections: m.TLS.Inbound.Connections}
		if sum != want || len(tt.rows) == 0 {
			t.Errorf("%s adds up to %+v, totals are %+v (%d rows)", tt.name, sum, want, len(tt.rows))
		}
	}
}

// TestReportTopCutsDomainTables: the per-domain tables keep --top rows
// (--detail is the same flag under pflogsumm's name) and say how many
// domains they left out; --top 0 is the totals alone. The totals never
// change.
func TestReportTopCutsDomainTables(t *testing.T) {
	all := reportJSON(t, corpusLog, "--top", "1000")
	tests := []struct {
		args     []string
		rows     int
		textHas  []string
		textLack []string
	}{
		{[]string{"--top", "3"}, 3, []string{"and 25 more domains (--top)", "Destination domains"}, []string{"omitted:"}},
		{[]string{"--detail", "3"}, 3, []string{"and 25 more domains (--top)"}, nil},
		{[]string{"--top", "0"}, 0, []string{"omitted: tls-failures 9, diagnoses 9", "domains 28", "Totals"}, []string{"Destination domains", "Senders by message count"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			m := reportJSON(t, append([]string{corpusLog}, tt.args...)...)
			if m.Totals != all.Totals {
				t.Errorf("totals %+v, with every row %+v", m.Totals, all.Totals)
			}
			// The JSON keeps every domain (it is the machines' interface);
			// --top cuts its ranked lists, and the text's domain tables.
			if len(m.Domains) != len(all.Domains) || len(m.Delivery) != len(all.Delivery) || len(m.TLSFailures) != len(all.TLSFailures) {
				t.Errorf("JSON: %d domains, %d delivery rows, %d TLS failure rows; want every one (%d, %d, %d)",
					len(m.Domains), len(m.Delivery), len(m.TLSFailures), len(all.Domains), len(all.Delivery), len(all.TLSFailures))
			}
			if len(m.Senders) != tt.rows || m.Omitted["domains"] != 0 {
				t.Errorf("JSON: %d senders (want %d), omitted domains %d (want 0)", len(m.Senders), tt.rows, m.Omitted["domains"])
			}
			args := append([]string{"report", "--db", ":memory:", "--year", "2026", "--tz", "UTC", corpusLog}, tt.args...)
			code, out, errOut := runCLI(t, "", args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, s := range tt.textHas {
				if !strings.Contains(out, s) {
					t.Errorf("text report lacks %q", s)
				}
			}
			for _, s := range tt.textLack {
				if strings.Contains(out, s) {
					t.Errorf("text report has %q", s)
				}
			}
		})
	}
}

// TestReportDomainFiltersEverySection: --domain counts the domain alone
// in every section but those the report names as of every domain, and
// leaves out what has no destination domain (received messages, senders,
// smtpd connections) instead of showing the whole server's numbers
// (issue 21: "expired 79" for a domain that does not exist).
func TestReportDomainFiltersEverySection(t *testing.T) {
	all := reportJSON(t, corpusLog, "--top", "1000")
	rows := map[string]report.DomainRow{}
	for _, d := range all.Domains {
		rows[d.Domain] = d
	}
	tests := []struct {
		domain          string
		expired, reject int64
	}{
		{"nosuch.example", 0, 0},
		{"gmx.example", 0, 1},        // one relay-denied recipient at gmx.example
		{"bank.example.net", 12, 0},  // 12 messages expired with a recipient there
		{"down.example.org", 12, 0},  // 13 recipients in 12 messages
		{"strict.example.com", 0, 1}, // bounces, no expiry; one relay-denied recipient
		{"BANK.example.net", 12, 0},  // the domain in any case
	}
	for _, tt := range tests {
		t.Run(tt.domain, func(t *testing.T) {
			m := reportJSON(t, corpusLog, "--domain", tt.domain)
			want := rows[strings.ToLower(tt.domain)]
			got := m.Totals
			if got.Delivered != want.Delivered || got.Bounced != want.Bounced || got.Deferrals != want.Deferrals ||
				got.Expired != tt.expired || got.Rejected != tt.reject || got.Received != 0 || got.Senders != 0 {
				t.Errorf("totals %+v; want the domain's row %+v, %d expired, %d rejected, nothing received", got, want, tt.expired, tt.reject)
			}
			if m.Filter == nil || m.Filter.Domain != tt.domain || !slices.Contains(m.Filter.AllDomains, "tls-inbound") {
				t.Errorf("filter %+v does not say what --domain did", m.Filter)
			}
			var hourly report.TrafficRow
			for _, r := range m.Hourly {
				hourly.Delivered += r.Delivered
				hourly.Received += r.Received
				hourly.Connections += r.Connections
			}
			if hourly.Delivered != want.Delivered || hourly.Received != 0 || hourly.Connections != 0 {
				t.Errorf("hourly %+v, want %d delivered and nothing received or connected", hourly, want.Delivered)
			}
			if len(m.Senders)+len(m.ReceivedFrom) != 0 {
				t.Errorf("senders %v, received from %v under --domain", m.Senders, m.ReceivedFrom)
			}
			for _, d := range m.Domains {
				if !strings.EqualFold(d.Domain, tt.domain) {
					t.Errorf("domain row %q under --domain %s", d.Domain, tt.domain)
				}
			}
		})
	}
}

package report

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// tlsLinesRE matches the lines Postfix writes about outbound TLS at
// smtp_tls_loglevel 1 and not at 0.
var tlsLinesRE = regexp.MustCompile(`(Trusted|Verified|Untrusted|Anonymous) TLS connection established|certificate verification failed|server certificate verification`)

// twoLogLevelsLog is tls-trust-levels.log twice: as host mail wrote it, at
// smtp_tls_loglevel 1 (some of its deliveries are plaintext),
// and as host mx2 at loglevel 0, which writes no TLS line at all.
func twoLogLevelsLog(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../testdata/logs/tls-trust-levels.log")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	out.Write(b)
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if l != "" && !tlsLinesRE.MatchString(l) {
			out.WriteString(strings.Replace(l, " mail postfix/", " mx2 postfix/", 1))
		}
	}
	path := filepath.Join(t.TempDir(), "two-loglevels.log")
	if err := os.WriteFile(path, []byte(out.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTLSNotLoggedIsNotPlaintext: a host whose log has no TLS line for
// any delivery (smtp_tls_loglevel 0) cannot tell TLS from plaintext: its
// deliveries count as "not-logged", the header says so and names it; a
// host that logs TLS keeps its real plaintext deliveries as plaintext.
func TestTLSNotLoggedIsNotPlaintext(t *testing.T) {
	path := twoLogLevelsLog(t)
	mailPlain := map[string]int64{} // mail's own plaintext deliveries, by domain
	for _, r := range modelOf(t, Options{}, "../testdata/logs/tls-trust-levels.log").TLS.Outbound.Domains {
		if r.Plaintext > 0 {
			mailPlain[r.Domain] = r.Plaintext
		}
	}
	if len(mailPlain) == 0 {
		t.Fatal("tls-trust-levels.log has no plaintext delivery: the test needs one")
	}
	for name, m := range bothModels(t, path) {
		o := m.TLS.Outbound
		if got := strings.Join(o.NotLoggedHosts, ","); got != "mx2" {
			t.Errorf("%s: hosts with TLS not logged %q, want mx2", name, got)
		}
		notLogged, plain := o.ByTrust[string(aggregate.PostureNotLogged)], o.ByTrust[string(aggregate.PosturePlaintext)]
		if notLogged == 0 || plain == 0 {
			t.Fatalf("%s: %d not logged, %d plaintext: want both (mx2's, and mail's to notls.example.org)", name, notLogged, plain)
		}
		for _, r := range o.Domains {
			if r.Plaintext != mailPlain[r.Domain] {
				t.Errorf("%s: %s: %d plaintext, want mail's %d: mx2's are not logged", name, r.Domain, r.Plaintext, mailPlain[r.Domain])
			}
		}
		var header string
		for _, l := range m.HeaderLines(time.UTC) {
			if l[0] == "TLS" {
				header = l[1]
			}
		}
		if !strings.HasPrefix(header, "not logged by mx2: ") {
			t.Errorf("%s: header line TLS %q, want it to say that mx2 logs no TLS", name, header)
		}
	}
	// The metrics decide as deliveries come: mx2 never logs TLS.
	got := series(t, metricsOfFile(t, path))
	var mx2Plain, mx2NotLogged float64
	for k, v := range got {
		if strings.HasPrefix(k, "pftls_tls_sessions_total{direction=outbound,host=mx2,") {
			switch {
			case strings.Contains(k, "trust=plaintext"):
				mx2Plain += v
			case strings.Contains(k, "trust=not-logged"):
				mx2NotLogged += v
			}
		}
	}
	if mx2Plain != 0 || mx2NotLogged == 0 {
		t.Errorf("metrics: mx2 has %v plaintext and %v not-logged deliveries, want none and some", mx2Plain, mx2NotLogged)
	}
}

// TestTLSLoggedSeenBeyondTheDomain: a host that logs TLS shows it in
// deliveries to other domains than the one a report or explain is of, so
// its plaintext deliveries to that domain stay plaintext, from a store
// and straight from the log.
func TestTLSLoggedSeenBeyondTheDomain(t *testing.T) {
	const path = "../testdata/logs/tls-trust-levels.log"
	opts := Options{Domain: "notls.example.org", Zone: time.UTC, Generated: goldenGenerated}
	st := corpusStore(t, path)
	built, err := Build(context.Background(), st, opts)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := Explain(context.Background(), st, opts.Domain, opts)
	if err != nil {
		t.Fatal(err)
	}
	b := NewBuilder(opts)
	feedFile(t, path, aggregate.FactsFunc(b.Feed))
	for name, m := range map[string]*Model{"report": built, "explain": ex.Model, "memory": b.Finish()} {
		o := m.TLS.Outbound
		if len(o.Domains) != 1 || o.Domains[0].Plaintext == 0 || o.Domains[0].NotLogged != 0 || len(o.NotLoggedHosts) != 0 {
			t.Errorf("%s: %+v, hosts not logging TLS %v: want notls.example.org's deliveries plaintext", name, o.Domains, o.NotLoggedHosts)
		}
	}
}

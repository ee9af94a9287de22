package report

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestExplainEmptyWindow: explain of a window the store holds no line of
// says so, as the report's state line does, instead of finding "no TLS
// problem" in nothing.
func TestExplainEmptyWindow(t *testing.T) {
	from := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) // the corpus is of 2026-11-23
	ex, err := Explain(context.Background(), corpusStore(t, corpusLog), "bank.example.net",
		Options{From: from, To: from.Add(time.Hour), Zone: time.UTC, Generated: goldenGenerated})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := RenderExplain(&out, ex, time.UTC); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if !strings.Contains(text, "no Postfix log lines from 2026-12-01 00:00 to 2026-12-01 01:00: is logging working?") ||
		strings.Contains(text, "no TLS problem found") {
		t.Errorf("explain of an empty window:\n%s", text)
	}
}

// TestNoDeliveryToTheDomain: a report of one domain (--domain, explain)
// that found no delivery to it, a misspelt name or a quiet partner, is an
// empty window that says so, not "all clear" or "no TLS problem found"; a
// domain with deliveries is not.
func TestNoDeliveryToTheDomain(t *testing.T) {
	st := corpusStore(t, corpusLog)
	for _, tt := range []struct {
		domain string
		empty  bool
	}{
		{"bank.exmaple.net", true},
		{"gmail.com", true},
		{"gmx.example", false},        // plain deliveries only
		{"bank.example.net", false},   // TLS failures
		{"BANK.example.net", false},   // any case
		{"school.example.org", false}, // TLS failures with no mail sent
	} {
		opts := Options{Domain: tt.domain, Zone: time.UTC, Generated: goldenGenerated}
		m, err := Build(context.Background(), st, opts)
		if err != nil {
			t.Fatal(err)
		}
		want := "no delivery to " + tt.domain + " from 2026-11-23 00:19 to 2026-11-23 00:26: is the domain name right?"
		if got := m.Summary(time.UTC); (got == want) != tt.empty || (m.State() == StateEmpty) != tt.empty {
			t.Errorf("report --domain %s: state %s, %q", tt.domain, m.State(), got)
		}
		ex, err := Explain(context.Background(), st, tt.domain, opts)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := RenderExplain(&out, ex, time.UTC); err != nil {
			t.Fatal(err)
		}
		if said := strings.Contains(out.String(), "Diagnosis: none: no delivery to "); said != tt.empty {
			t.Errorf("explain %s says no delivery: %v, want %v:\n%s", tt.domain, said, tt.empty, out.String())
		}
	}
}

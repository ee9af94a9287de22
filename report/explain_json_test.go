package report

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// corpusExplanation explains one domain of the corpus, the way
// "pftls explain --db :memory: DOMAIN corpus-a.log" does.
func corpusExplanation(t *testing.T, domain string) *Explanation {
	t.Helper()
	ex, err := Explain(context.Background(), corpusStore(t, corpusLog), domain, Options{Zone: time.UTC, Generated: goldenGenerated})
	if err != nil {
		t.Fatalf("explain %s: %v", domain, err)
	}
	return ex
}

// TestGoldenExplain pins explain's text and JSON for a failing domain (a
// diagnosis, a timeline with omitted events) and the JSON of a healthy one
// (empty lists are [], not null).
func TestGoldenExplain(t *testing.T) {
	for _, tc := range []struct {
		domain  string
		formats []string
	}{
		{"bank.example.net", []string{"txt", "json"}},
		{"gmx.example", []string{"json"}},
	} {
		ex := corpusExplanation(t, tc.domain)
		for _, format := range tc.formats {
			var buf bytes.Buffer
			render := RenderExplain
			if format == "json" {
				render = RenderExplainJSON
			}
			if err := render(&buf, ex, time.UTC); err != nil {
				t.Fatalf("render %s %s: %v", tc.domain, format, err)
			}
			name := "explain-" + tc.domain + "." + format
			t.Run(name, func(t *testing.T) { checkGolden(t, "TestGoldenExplain", goldenOutput{name, buf.Bytes()}) })
		}
	}
}

// TestExplainJSONAgreesWithText: the JSON carries what the text shows, from
// the same derivation (explainView), and decodes into its documented type.
func TestExplainJSONAgreesWithText(t *testing.T) {
	ex := corpusExplanation(t, "bank.example.net")
	var text, js bytes.Buffer
	if err := RenderExplain(&text, ex, time.UTC); err != nil {
		t.Fatal(err)
	}
	if err := RenderExplainJSON(&js, ex, time.UTC); err != nil {
		t.Fatal(err)
	}
	if !json.Valid(js.Bytes()) {
		t.Fatalf("invalid JSON:\n%s", js.Bytes())
	}
	var got ExplainJSON
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Domain != "bank.example.net" || got.Outcome.Deferred != 12 || got.Outcome.Expired != 12 {
		t.Errorf("domain/outcome = %q %+v", got.Domain, got.Outcome)
	}
	if len(got.TLSFailures) != 1 || got.TLSFailures[0].Kind != "untrusted-issuer" || got.TLSFailures[0].RFC8460 != "validation-failure" ||
		!strings.HasPrefix(got.TLSFailures[0].InferredPolicy, "verify, secure") {
		t.Errorf("tls_failures = %+v", got.TLSFailures)
	}
	if len(got.Diagnoses) == 0 || got.Diagnoses[0].Confidence != High || len(got.Diagnoses[0].Lines) == 0 {
		t.Errorf("diagnoses = %+v", got.Diagnoses)
	}
	if got.Omitted == 0 || len(got.Timeline) != maxTimeline {
		t.Errorf("timeline: %d events, %d omitted; want %d shown and some omitted", len(got.Timeline), got.Omitted, maxTimeline)
	}
	for _, line := range []string{
		"MX hosts: " + strings.Join(got.MXHosts, ", "),
		"TLS failure: untrusted-issuer x" + jsonInt(got.TLSFailures[0].Count),
		"... " + jsonInt(int64(got.Omitted)) + " more events ...",
	} {
		if !strings.Contains(text.String(), line) {
			t.Errorf("text lacks %q, which the JSON says", line)
		}
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestExplainJSONEscapesLikeTheReport: log text with C1 and bidi controls
// goes through JSONSafe, as in the report's JSON.
func TestExplainJSONEscapesLikeTheReport(t *testing.T) {
	ex := corpusExplanation(t, "bank.example.net")
	ex.Timeline[0].Detail = "evil \u009b31m \u202e text"
	var buf bytes.Buffer
	if err := RenderExplainJSON(&buf, ex, time.UTC); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte("\u009b")) || bytes.Contains(buf.Bytes(), []byte("\u202e")) {
		t.Errorf("raw C1 or bidi control in explain JSON")
	}
	if !bytes.Contains(buf.Bytes(), []byte(`evil \u009b31m \u202e text`)) {
		t.Errorf("controls not escaped as \\u sequences:\n%.2000s", buf.Bytes())
	}
}

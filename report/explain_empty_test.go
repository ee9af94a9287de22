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

package main

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// corpusLocalParts returns every local part of an address in the corpus
// log (to=<...>, from=<...>, orig_to=<...>, in reasons and rejects).
func corpusLocalParts(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(corpusLog)
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]bool{}
	for _, m := range regexp.MustCompile(`([A-Za-z0-9._%+=-]+)@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+`).FindAllSubmatch(b, -1) {
		set[strings.ToLower(string(m[1]))] = true
	}
	if len(set) < 10 {
		t.Fatalf("only %d local parts in the corpus", len(set))
	}
	return slices.Sorted(func(yield func(string) bool) {
		for k := range set {
			if !yield(k) {
				return
			}
		}
	})
}

// emailText is a mailed report as a reader sees it: headers decoded, the
// quoted-printable parts decoded (a soft line break may cut an address).
func emailText(t *testing.T, raw string) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	dec := new(mime.WordDecoder)
	for k, vs := range msg.Header {
		for _, v := range vs {
			d, _ := dec.DecodeHeader(v)
			out.WriteString(k + ": " + d + "\n")
		}
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		out.Write(b)
	}
	return out.String()
}

// TestRedact_no_local_part_in_any_output: with --redact, no output of the
// corpus (report as text, markdown, JSON, every CSV section, HTML and
// e-mail; explain as text and JSON for every domain) contains an address
// local part of the log. Without --redact they do, so the test can fail.
func TestRedact_no_local_part_in_any_output(t *testing.T) {
	locals := corpusLocalParts(t)
	base := []string{"--db", ":memory:", "--all", "--year", "2026", "--tz", "UTC"}
	leaks := func(out string) []string {
		lower := strings.ToLower(out)
		var found []string
		for _, l := range locals {
			if strings.Contains(lower, l+"@") || strings.Contains(lower, "&lt;"+l+"&#64;") {
				found = append(found, l)
			}
		}
		return found
	}
	run := func(args ...string) string {
		t.Helper()
		code, out, errOut := runCLI(t, "", args...)
		if code != exitOK {
			t.Fatalf("pftls %s: exit %d: %s", strings.Join(args, " "), code, errOut)
		}
		if slices.Contains(args, "email") {
			return emailText(t, out)
		}
		return out
	}
	if got := leaks(run(append(append([]string{"report"}, base...), "--format", "json", corpusLog)...)); len(got) == 0 {
		t.Fatal("without --redact no local part appears: the test cannot fail")
	}
	outputs := map[string]string{}
	for _, format := range []string{"text", "markdown", "json", "html", "email"} {
		outputs["report --format "+format] = run(append(append([]string{"report", "--redact"}, base...), "--format", format, corpusLog)...)
	}
	for _, section := range []string{"input", "totals", "tls-failures", "deferrals", "domains", "tls-outbound", "tls-outbound-mix",
		"tls-inbound", "tls-inbound-clients", "bounces", "rejects", "warnings", "unparsed"} {
		outputs["report --format csv --section "+section] = run(append(append([]string{"report", "--redact"}, base...), "--format", "csv", "--section", section, corpusLog)...)
	}
	m := reportJSON(t, "--all", corpusLog)
	domains := map[string]bool{}
	for _, d := range m.Domains {
		domains[d.Domain] = true
	}
	for _, f := range m.TLSFailures {
		domains[f.Domain] = true
	}
	if len(domains) < 5 {
		t.Fatalf("only %d domains in the corpus report", len(domains))
	}
	for d := range domains {
		for _, format := range []string{"text", "json"} {
			outputs["explain --format "+format+" "+d] = run(append(append([]string{"explain", "--redact"}, base[:1+1]...), "--year", "2026", "--tz", "UTC", "--format", format, d, corpusLog)...)
		}
	}
	for name, out := range outputs {
		if got := leaks(out); len(got) > 0 {
			t.Errorf("%s --redact shows local parts %v", name, got)
		}
	}
	if len(bytes.TrimSpace([]byte(outputs["report --format json"]))) == 0 {
		t.Error("empty JSON report")
	}
}

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestCounts: the scanner reads every line of the corpus and finds what
// grep -c finds (smtp lines, status= lines, TLS lines).
func TestCounts(t *testing.T) {
	path := filepath.Join("..", "..", "testdata", "corpus", "corpus-a.log")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want counts
	for _, l := range bytes.SplitAfter(b, []byte("\n")) {
		if len(l) == 0 {
			continue
		}
		want.lines++
		for _, x := range []struct {
			sub []byte
			n   *int64
		}{{smtp, &want.smtp}, {status, &want.status}, {tls, &want.tls}} {
			if bytes.Contains(l, x.sub) {
				*x.n++
			}
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{path}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var got counts
	if _, err := fmtSscan(out.String(), &got); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if got != want || want.lines != 5331 || want.smtp == 0 || want.status == 0 || want.tls == 0 {
		t.Errorf("got %+v, want %+v (5331 lines, none of the counts 0)", got, want)
	}
	if code := run(nil, &out, &errb); code != 2 {
		t.Errorf("no FILE: exit %d, want 2", code)
	}
}

func fmtSscan(s string, c *counts) (int, error) {
	return fmt.Sscanf(s, "lines %d smtp %d status %d tls %d\n", &c.lines, &c.smtp, &c.status, &c.tls)
}

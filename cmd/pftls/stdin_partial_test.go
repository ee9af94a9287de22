package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestStdin_cut_last_line_left_for_next_run: a stream cut in the middle
// of a line (head -c) stores its whole lines only; the longer stream piped
// next stores the rest, the cut line whole, and nothing twice.
func TestStdin_cut_last_line_left_for_next_run(t *testing.T) {
	lines := corpusText(t, 200)
	whole := strings.Join(lines, "")
	cut := whole[:1000]
	if strings.HasSuffix(cut, "\n") {
		t.Fatal("the cut must fall inside a line")
	}
	db := filepath.Join(t.TempDir(), "pftls.db")
	if code, _, errOut := runCLI(t, cut, "ingest", "--db", db, "-q", "-"); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, whole, "ingest", "--db", db, "-q", "-"); code != 0 {
		t.Fatalf("second run: exit %d: %s", code, errOut)
	}
	facts := storedFacts(t, db)
	if n := facts["line_counts SUM(count)"]; n != 200 {
		t.Errorf("stored %d lines, want 200", n)
	}
	if n := facts["unparsed"]; n != 0 {
		t.Errorf("%d unparsed lines stored (the halves of a cut line?)", n)
	}
}

// TestIngest_short_log_left_until_recognisable: a new log of one short
// line (just after rotation) is too short to be recognised by its first
// 64 bytes. Stored, it was read again from its start once it had grown,
// its lines counted twice; it is left whole for the next run instead.
func TestIngest_short_log_left_until_recognisable(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "pftls.db")
	first := "Nov 23 00:20:05 mail postfix/qmgr[13394]: 4D8D6BC3A0: removed\n"
	if len(first) >= 64 {
		t.Fatalf("the first line must be under 64 bytes, is %d", len(first))
	}
	log := writeTemp(t, dir, "mail.log", []byte(first))
	code, out, errOut := runCLI(t, "", "ingest", "--db", db, log)
	if code != 0 || !strings.Contains(out, "too short to recognise") {
		t.Fatalf("first run: exit %d, %q %q; want the log left for the next run", code, out, errOut)
	}
	appendFile(t, log, strings.Join(corpusText(t, 50), ""))
	if code, _, errOut := runCLI(t, "", "ingest", "--db", db, "-q", log); code != 0 {
		t.Fatalf("second run: exit %d: %s", code, errOut)
	}
	if n := storedFacts(t, db)["line_counts SUM(count)"]; n != 51 {
		t.Errorf("stored %d lines, want 51 (each once)", n)
	}
}

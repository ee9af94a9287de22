package main

// Hardening tests of the pftls command (issue #10): hostile and broken
// input, output safety in every format, a database that cannot be used, a
// full disk, and two processes at once.
//
// Most tests run the program in-process. The ones that need a real process
// (a file size limit, two processes on one database, a report while an
// ingest writes, the memory a huge line takes) build the binary into a
// temporary directory and are skipped with -short. The hostile logs are in
// testdata/hostile (see its README); big inputs are made in t.TempDir().

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/report"
)

const hostileDir = "../../testdata/hostile"

// corpusText returns the first n lines of the corpus (all when n <= 0),
// each with its newline.
func corpusText(t *testing.T, n int) []string {
	t.Helper()
	raw, err := os.ReadFile(corpusLog)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(raw), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if n > 0 && n < len(lines) {
		lines = lines[:n]
	}
	return lines
}

func writeTemp(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// ingestArgs are the arguments of a deterministic ingest into db.
func ingestArgs(db string, files ...string) []string {
	return append([]string{"ingest", "--db", db, "--year", "2026", "--tz", "UTC"}, files...)
}

// ingestLine is the per-file line "pftls ingest" prints.
var ingestLine = regexp.MustCompile(`(?m)^(.+): (\d+) lines, (\d+) facts, (\d+) unparsed, `)

// ingestCounts returns the lines and facts "pftls ingest" printed for path.
func ingestCounts(t *testing.T, out, path string) (lines, facts int64) {
	t.Helper()
	for _, m := range ingestLine.FindAllStringSubmatch(out, -1) {
		if m[1] == path {
			lines, _ = strconv.ParseInt(m[2], 10, 64)
			facts, _ = strconv.ParseInt(m[3], 10, 64)
			return lines, facts
		}
	}
	t.Fatalf("pftls ingest printed no counts for %s:\n%s", path, out)
	return 0, 0
}

// storedFacts reads every fact in the database and returns how many
// there are per table ("line_counts SUM(count)" is the lines counted).
func storedFacts(t *testing.T, db string) map[string]int64 {
	t.Helper()
	st, err := aggregate.Open(context.Background(), db, aggregate.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatalf("open %s after the run: %v", db, err)
	}
	defer st.Close()
	s := &dbSummary{Counts: map[string]int64{}, Rows: map[string][]uint64{}, byHash: map[uint64]any{}}
	if err := st.Scan(context.Background(), aggregate.Query{}, &summarySink{s: s}); err != nil {
		t.Fatalf("read %s after the run: %v", db, err)
	}
	out := map[string]int64{"line_counts SUM(count)": s.Counts["line_counts SUM(count)"]}
	for table, rows := range s.Rows {
		out[table] = int64(len(rows))
	}
	return out
}

// checkNoFacts fails when the database at db holds any fact.
func checkNoFacts(t *testing.T, db string) {
	t.Helper()
	if _, err := os.Stat(db); errors.Is(err, fs.ErrNotExist) {
		return
	}
	for table, n := range storedFacts(t, db) {
		if n != 0 {
			t.Errorf("%s holds %d rows of %s after a failed run, want none", db, n, table)
		}
	}
}

// reportModel runs "pftls report --all --format json" on db.
func reportModel(t *testing.T, db string) *report.Model {
	t.Helper()
	return runReportJSON(t, "", "--db", db, "--all")
}

// TestHostileInput: broken and hostile input is read, counted and kept
// apart from what cannot be read; a file that cannot be read at all gives
// exit code 2, a message naming it and no rows.
func TestHostileInput(t *testing.T) {
	corpus := corpusText(t, 600)

	t.Run("invalid UTF-8 and NUL bytes", func(t *testing.T) {
		dir := t.TempDir()
		var b strings.Builder
		for i, l := range corpus {
			l = strings.TrimSuffix(l, "\n")
			switch i % 4 {
			case 1:
				l += " \xff\xfe\xc3"
			case 2:
				l += " \x00nul\x00"
			case 3:
				l = strings.Replace(l, "postfix", "post\x00fix", 1) // in the program name
			}
			b.WriteString(l + "\n")
		}
		log := writeTemp(t, dir, "mail.log", []byte(b.String()))
		db := filepath.Join(dir, "pftls.db")
		code, out, errOut := runCLI(t, "", ingestArgs(db, log)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if lines, _ := ingestCounts(t, out, log); lines != int64(len(corpus)) {
			t.Errorf("ingest read %d lines, want %d", lines, len(corpus))
		}
		m := reportModel(t, db)
		if m.Lines.Read != int64(len(corpus)) {
			t.Errorf("report counts %d lines read, want %d", m.Lines.Read, len(corpus))
		}
	})

	t.Run("CRLF line ends", func(t *testing.T) {
		dir := t.TempDir()
		lf := writeTemp(t, dir, "lf.log", []byte(strings.Join(corpus, "")))
		crlf := writeTemp(t, dir, "crlf.log", []byte(strings.ReplaceAll(strings.Join(corpus, ""), "\n", "\r\n")))
		var sums []*dbSummary
		for _, log := range []string{lf, crlf} {
			db := filepath.Join(dir, filepath.Base(log)+".db")
			if code, _, errOut := runCLI(t, "", ingestArgs(db, "-q", log)...); code != 0 {
				t.Fatalf("ingest %s: exit %d: %s", log, code, errOut)
			}
			sums = append(sums, summarize(t, db, log))
		}
		delete(sums[0].Counts, "sources offset") // two bytes more per line
		delete(sums[1].Counts, "sources offset")
		if d := diffSummaries(sums[1], sums[0]); d != "" {
			t.Errorf("CRLF log stored other facts than the same log with LF:\n%s", d)
		}
	})

	t.Run("lines of a megabyte and more", func(t *testing.T) {
		dir := t.TempDir()
		var b bytes.Buffer
		b.WriteString(strings.Join(corpus[:100], ""))
		for _, size := range []int{1 << 20, 5 << 20} {
			b.WriteString("Nov 23 00:20:00 mail postfix/smtpd[13453]: warning: ")
			b.Write(bytes.Repeat([]byte("x"), size))
			b.WriteString("\n")
		}
		b.WriteString(strings.Join(corpus[100:200], ""))
		log := writeTemp(t, dir, "mail.log", b.Bytes())
		db := filepath.Join(dir, "pftls.db")
		code, out, errOut := runCLI(t, "", ingestArgs(db, log)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if lines, _ := ingestCounts(t, out, log); lines != 202 {
			t.Errorf("ingest read %d lines, want 202", lines)
		}
		if want := log + ": 2 lines longer than the limit were cut"; !strings.Contains(out, want) {
			t.Errorf("ingest output lacks %q:\n%s", want, out)
		}
		m := reportModel(t, db)
		if m.Lines.Read != 202 {
			t.Errorf("report counts %d lines, want 202", m.Lines.Read)
		}
		for _, w := range m.Warnings {
			if len(w.Message) > 64<<10 {
				t.Errorf("a warning of %d bytes was kept: lines are cut at 64 KiB", len(w.Message))
			}
		}
	})

	t.Run("truncated last line", func(t *testing.T) {
		dir := t.TempDir()
		last := corpus[200]
		text := strings.Join(corpus[:200], "") + last[:len(last)/2]
		log := writeTemp(t, dir, "mail.log", []byte(text))
		db := filepath.Join(dir, "pftls.db")
		code, out, errOut := runCLI(t, "", ingestArgs(db, log)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if lines, _ := ingestCounts(t, out, log); lines != 200 {
			t.Errorf("ingest read %d lines of a plain file whose last line is cut, want 200 (the cut line is left for the next run)", lines)
		}
		if want := "the last line has no newline yet"; !strings.Contains(out, want) {
			t.Errorf("ingest output lacks %q:\n%s", want, out)
		}
		// Standard input is recognised by its content (issue 17): a
		// longer copy piped later reads the cut line whole, so it is left
		// for the next run as in a file (stored now, its second half would
		// come as a line of its own).
		db2 := filepath.Join(dir, "stdin.db")
		code, out, errOut = runCLI(t, text, ingestArgs(db2, "-")...)
		if code != 0 {
			t.Fatalf("ingest -: exit %d: %s", code, errOut)
		}
		if lines, _ := ingestCounts(t, out, "-"); lines != 200 || !strings.Contains(out, "the last line has no newline yet") {
			t.Errorf("ingest - read %d lines, want 200 and the cut line left for the next run:\n%s", lines, out)
		}
		// A report with no database has no next run: it reads the cut
		// line, from a file and from standard input.
		for _, in := range []struct{ stdin, path string }{{"", log}, {text, "-"}} {
			if m := runReportJSON(t, in.stdin, "--db", ":memory:", "--year", "2026", in.path); m.Lines.Read != 201 {
				t.Errorf("report --db :memory: %s counts %d lines, want 201 (the cut line too)", in.path, m.Lines.Read)
			}
		}
	})

	t.Run("binary garbage", func(t *testing.T) {
		dir := t.TempDir()
		rng := rand.New(rand.NewPCG(10, 1))
		garbage := make([]byte, 256<<10)
		for i := range garbage {
			garbage[i] = byte(rng.Uint32())
		}
		var b bytes.Buffer
		b.WriteString(strings.Join(corpus[:100], ""))
		b.Write(garbage)
		b.WriteString("\n")
		b.WriteString(strings.Join(corpus[100:200], ""))
		log := writeTemp(t, dir, "mail.log", b.Bytes())
		total := int64(bytes.Count(b.Bytes(), []byte("\n")))
		db := filepath.Join(dir, "pftls.db")
		code, out, errOut := runCLI(t, "", ingestArgs(db, log)...)
		// Most of the file is not a log: ingest stores what it read and
		// says so as an input error (issue 17), naming the file.
		if code != exitUsage || !strings.Contains(errOut, log) || !strings.Contains(errOut, "not understood") {
			t.Fatalf("exit %d, want %d naming %s and the lines not understood: %s", code, exitUsage, log, errOut)
		}
		if lines, _ := ingestCounts(t, out, log); lines != total {
			t.Errorf("ingest read %d lines, want %d", lines, total)
		}
		if n := storedFacts(t, db)["line_counts SUM(count)"]; n != total {
			t.Errorf("stored line counts add up to %d, want %d", n, total)
		}
		// The report counts them all: what pftls could not read is shown
		// ("N without a syslog envelope"), never dropped.
		// Blank lines among the garbage are foreign: nothing to understand.
		blank := int64(0)
		for _, l := range strings.Split(string(garbage), "\n") {
			if strings.TrimSpace(l) == "" {
				blank++
			}
		}
		m := reportModel(t, db)
		if m.Lines.Read != total || m.Lines.Malformed != total-200-blank {
			t.Errorf("report --all counts %d lines read, %d without a syslog envelope; want %d and %d\n"+
				"(lines without an envelope are counted at the hour of a zero stamp, %s, with no host, so no window holds them)",
				m.Lines.Read, m.Lines.Malformed, total, total-200-blank, "Nov 30 of the year before")
		}
	})

	t.Run("gzip file cut short", func(t *testing.T) {
		dir := t.TempDir()
		all := corpusText(t, 0)
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte(strings.Join(all, "")))
		zw.Close()
		log := writeTemp(t, dir, "mail.log.2.gz", gz.Bytes()[:gz.Len()/2])
		db := filepath.Join(dir, "pftls.db")
		code, out, errOut := runCLI(t, "", ingestArgs(db, log)...)
		if code != exitUsage {
			t.Errorf("exit %d, want %d", code, exitUsage)
		}
		if !strings.Contains(errOut, log) || !strings.Contains(errOut, "unexpected EOF") {
			t.Errorf("stderr %q: want the file's name and what went wrong", errOut)
		}
		lines, facts := ingestCounts(t, out, log)
		if lines == 0 || lines >= int64(len(all)) {
			t.Fatalf("read %d lines of the cut file, want some but not all %d", lines, len(all))
		}
		stored := storedFacts(t, db)
		if stored["line_counts SUM(count)"] != lines {
			t.Errorf("the database counts %d lines, want the %d read before the cut", stored["line_counts SUM(count)"], lines)
		}
		// The same lines from a whole file: the same facts, and the same
		// number printed.
		plain := writeTemp(t, dir, "first.log", []byte(strings.Join(all[:lines], "")))
		plainDB := filepath.Join(dir, "plain.db")
		code, plainOut, errOut := runCLI(t, "", ingestArgs(plainDB, plain)...)
		if code != 0 {
			t.Fatalf("ingest of the same lines uncut: exit %d: %s", code, errOut)
		}
		if want := storedFacts(t, plainDB); !maps.Equal(stored, want) {
			t.Errorf("the cut file stored %v, its lines in a whole file %v", stored, want)
		}
		if _, want := ingestCounts(t, plainOut, plain); facts != want {
			t.Errorf("ingest printed %d facts for the cut file, want %d (what it stored: the commit after "+
				"the read error is not in the result, aggregate/ingest.go IngestReader)", facts, want)
		}
	})

	t.Run("empty file", func(t *testing.T) {
		dir := t.TempDir()
		log := writeTemp(t, dir, "mail.log", nil)
		db := filepath.Join(dir, "pftls.db")
		code, out, errOut := runCLI(t, "", ingestArgs(db, log)...)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if lines, facts := ingestCounts(t, out, log); lines != 0 || facts != 0 {
			t.Errorf("ingest of an empty file: %d lines, %d facts", lines, facts)
		}
		checkNoFacts(t, db)
	})

	unreadable := []struct {
		name, msg string
		path      func(t *testing.T) string
	}{
		{"directory", "is a directory", func(t *testing.T) string {
			return t.TempDir()
		}},
		{"missing file", "no such file or directory", func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "mail.log")
		}},
		{"file without read permission", "permission denied", func(t *testing.T) string {
			p := writeTemp(t, t.TempDir(), "mail.log", []byte(strings.Join(corpus, "")))
			if err := os.Chmod(p, 0); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(p)
			if err != nil {
				return p
			}
			f.Close()
			// Root reads a file of mode 0: take one that even root may
			// not read.
			const writeOnly = "/proc/sys/vm/compact_memory"
			if f, err := os.Open(writeOnly); err == nil {
				f.Close()
				t.Skipf("running as root, and %s is readable: no unreadable file to try", writeOnly)
			} else if !errors.Is(err, fs.ErrPermission) {
				t.Skipf("running as root, and %s gives %v rather than permission denied", writeOnly, err)
			}
			return writeOnly
		}},
		{"file that fails on read", "input/output error", func(t *testing.T) string {
			// Reading /proc/self/mem at offset 0 fails with EIO.
			const p = "/proc/self/mem"
			f, err := os.Open(p)
			if err != nil {
				t.Skipf("%s: %v", p, err)
			}
			defer f.Close()
			if _, err := f.Read(make([]byte, 4)); !errors.Is(err, syscall.EIO) {
				t.Skipf("reading %s gives %v, not EIO", p, err)
			}
			return p
		}},
	}
	for _, u := range unreadable {
		t.Run(u.name, func(t *testing.T) {
			path := u.path(t)
			db := filepath.Join(t.TempDir(), "pftls.db")
			for _, args := range [][]string{
				ingestArgs(db, path),
				{"report", "--db", db, "--year", "2026", "--tz", "UTC", path},
			} {
				code, out, errOut := runCLI(t, "", args...)
				if code != exitUsage {
					t.Errorf("%s: exit %d, want %d (stdout %q)", args[0], code, exitUsage, out)
				}
				if !strings.Contains(errOut, path) || !strings.Contains(errOut, u.msg) {
					t.Errorf("%s: stderr %q: want the path and %q", args[0], errOut, u.msg)
				}
				checkNoFacts(t, db)
				t.Logf("%s: exit %d: %s", args[0], code, strings.TrimSpace(errOut))
			}
		})
	}
}

// unsafeForTerminal reports the first rune of s a terminal could act on:
// C0 controls but newline, DEL, C1 controls, bidi controls, line and
// paragraph separators, and bytes that are not UTF-8.
func unsafeForTerminal(s string) (string, bool) {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return fmt.Sprintf("invalid UTF-8 %q at byte %d", s[i:i+1], i), true
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, unicode.Is(unicode.Bidi_Control, r), r == '\u2028', r == '\u2029':
			return fmt.Sprintf("%U at byte %d in %q", r, i, around(s, i)), true
		}
	}
	return "", false
}

// next returns the index of the next '<' after i, or -1.
func next(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '<')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

func around(s string, i int) string {
	return s[max(0, i-30):min(len(s), i+30)]
}

// templateTags are the elements the HTML report's template makes, read
// from its golden output on the corpus; any other tag in a report came
// from a log.
func templateTags(t *testing.T) []string {
	t.Helper()
	golden, err := os.ReadFile("../../testdata/golden/corpus-a.html")
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, m := range htmlTag.FindAllStringSubmatch(string(golden), -1) {
		if name := strings.ToLower(m[2]); !slices.Contains(tags, name) {
			tags = append(tags, name)
		}
	}
	if !slices.Contains(tags, "table") {
		t.Fatalf("the golden HTML report has no <table>: %v", tags)
	}
	return tags
}

var htmlTag = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)`)

// checkHTMLTags fails on a tag that is not the template's, or on an
// attribute that runs script.
func checkHTMLTags(t *testing.T, page string) {
	t.Helper()
	allowed := templateTags(t)
	for _, m := range htmlTag.FindAllStringSubmatchIndex(page, -1) {
		name := strings.ToLower(page[m[4]:m[5]])
		if !slices.Contains(allowed, name) {
			t.Errorf("HTML has a <%s> the template does not make: %q", name, around(page, m[0]))
		}
	}
	lower := strings.ToLower(page)
	for _, bad := range []string{"<script", "<img", "<svg", "<iframe"} {
		n := strings.Count(lower, bad)
		if bad == "<svg" {
			n -= strings.Count(lower, `<svg id="chart-`) // the report's own charts
		}
		if n > 0 {
			t.Errorf("HTML contains %q raw", bad)
		}
	}
	// An on...= attribute can only be inside a tag; escaped text cannot
	// hold a tag.
	for _, m := range regexp.MustCompile(`<[^>]*\son[a-z]+\s*=`).FindAllString(lower, -1) {
		t.Errorf("HTML has an event handler attribute: %q", m)
	}
}

// hostileDB ingests a log of testdata/hostile into a new database.
func hostileDB(t *testing.T, name string) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "pftls.db")
	log := filepath.Join(hostileDir, name)
	if code, _, errOut := runCLI(t, "", ingestArgs(db, "-q", log)...); code != 0 {
		t.Fatalf("ingest %s: exit %d: %s", log, code, errOut)
	}
	return db
}

// renderAll runs "pftls report" on db in every format, and CSV for every
// section; it returns the outputs by name.
func renderAll(t *testing.T, db string) map[string]string {
	t.Helper()
	outs := map[string]string{}
	for _, f := range []string{"text", "markdown", "html", "json"} {
		code, out, errOut := runCLI(t, "", "report", "--db", db, "--all", "--tz", "UTC", "--format", f, "--width", "200")
		if code != 0 {
			t.Fatalf("report --format %s: exit %d: %s", f, code, errOut)
		}
		outs[f] = out
	}
	for _, s := range report.SectionIDs {
		code, out, errOut := runCLI(t, "", "report", "--db", db, "--all", "--tz", "UTC", "--format", "csv", "--section", s)
		if code != 0 {
			t.Fatalf("report --format csv --section %s: exit %d: %s", s, code, errOut)
		}
		outs["csv "+s] = out
	}
	return outs
}

// TestReportOutputIsSafe: control characters of log text never reach a
// terminal raw from the text, markdown and CSV reports (people read all
// three on a terminal); the HTML report escapes every tag from the log; CSV
// cells never start a formula. The logs go the whole way: ingest, store,
// report.
func TestReportOutputIsSafe(t *testing.T) {
	t.Run("terminal escapes", func(t *testing.T) {
		outs := renderAll(t, hostileDB(t, "terminal-escapes.log"))
		for name, out := range outs {
			if name == "json" {
				continue // TestJSONOutputEscapesControls
			}
			if what, bad := unsafeForTerminal(out); bad {
				t.Errorf("report %s: %s", name, what)
			}
		}
		// The hostile text did reach the outputs, neutralised.
		for _, want := range []string{"?[2J?[H cleared ?]0;title?", "hostname ?]0;pwned? does not resolve"} {
			if !strings.Contains(outs["text"], want) {
				t.Errorf("text report lacks %q:\n%s", want, outs["text"])
			}
		}
	})

	t.Run("HTML injection", func(t *testing.T) {
		db := hostileDB(t, "html-injection.log")
		outs := renderAll(t, db)
		page := outs["html"]
		checkHTMLTags(t, page)
		for _, want := range []string{
			"&lt;img src=x onerror=alert(1)&gt;",
			"&lt;script&gt;alert(2)&lt;/script&gt;",
			"&lt;svg onload=alert(3)&gt;.example",
			"&lt;iframe src=javascript:alert(4)&gt;",
			"&lt;b onmouseover=alert(6)&gt;",
		} {
			if !strings.Contains(page, want) {
				t.Errorf("HTML report lacks the escaped text %q", want)
			}
		}
		// Markdown may carry HTML: every < from the log is escaped.
		md := outs["markdown"]
		for i := strings.IndexByte(md, '<'); i >= 0; i = next(md, i) {
			if i == 0 || md[i-1] != '\\' {
				t.Errorf("markdown report has a raw '<': %q", around(md, i))
			}
		}
		if !strings.Contains(md, `\<script\>alert(2)\</script\>`) {
			t.Errorf("markdown report lacks the escaped bounce reason")
		}
		// The e-mail's HTML part is the same page.
		code, msg, errOut := runCLI(t, "", "report", "--db", db, "--all", "--tz", "UTC", "--format", "email", "--mail-to", "postmaster@example.com")
		if code != 0 {
			t.Fatalf("report --format email: exit %d: %s", code, errOut)
		}
		checkHTMLTags(t, emailHTML(t, msg))
	})

	t.Run("CSV formulas", func(t *testing.T) {
		outs := renderAll(t, hostileDB(t, "csv-formulas.log"))
		cells := 0
		for _, s := range report.SectionIDs {
			recs, err := csv.NewReader(strings.NewReader(outs["csv "+s])).ReadAll()
			if err != nil {
				t.Fatalf("csv %s: %v", s, err)
			}
			for _, rec := range recs {
				for _, c := range rec {
					cells++
					if trimmed := strings.TrimLeft(c, " "); trimmed != "" && strings.ContainsRune("=+-@\t\r", rune(trimmed[0])) && !plainNumber(trimmed) {
						t.Errorf("csv %s: cell %q starts a formula", s, c)
					}
				}
			}
		}
		for _, want := range []string{"'=1+2.example", "'+cmd.example", "'-2+3.example", "'=cmd|' /C calc'!A0"} {
			found := false
			for _, s := range report.SectionIDs {
				found = found || strings.Contains(outs["csv "+s], want)
			}
			if !found {
				t.Errorf("no CSV section has the quoted cell %q", want)
			}
		}
		if cells == 0 {
			t.Fatal("no CSV cells")
		}
	})
}

// emailHTML returns the decoded HTML part of a mailed report.
func emailHTML(t *testing.T, raw string) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail: %v", err)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err != nil {
			t.Fatalf("no HTML part: %v", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			body, err := io.ReadAll(quotedprintable.NewReader(p))
			if err != nil {
				t.Fatalf("quoted-printable: %v", err)
			}
			return string(body)
		}
	}
}

var plainNumberRE = regexp.MustCompile(`^-\d+(\.\d+)?%?$`)

func plainNumber(s string) bool { return plainNumberRE.MatchString(s) }

// TestJSONOutputEscapesControls: "pftls parse" and "report --format json"
// keep log text exactly, and a terminal showing them sees no raw control
// character: JSON escapes C0 controls as \u00XX, and must do the same for
// DEL and the C1 controls (U+0080-U+009F). U+009B is CSI, the 8-bit form
// of ESC [ that terminals honouring C1 controls (xterm, also in UTF-8 mode)
// act on; report.TerminalSafe treats them all as controls.
func TestJSONOutputEscapesControls(t *testing.T) {
	log := filepath.Join(hostileDir, "terminal-escapes.log")
	code, out, errOut := runCLI(t, "", "parse", "--year", "2026", "--tz", "UTC", log)
	if code != 0 {
		t.Fatalf("parse: exit %d: %s", code, errOut)
	}
	raw, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	outLines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	inLines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(outLines) != len(inLines) {
		t.Fatalf("parse printed %d lines for %d input lines", len(outLines), len(inLines))
	}
	for i, l := range outLines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Errorf("parse line %d is not JSON: %v", i+1, err)
		}
		if what, bad := unsafeForTerminal(l); bad {
			t.Errorf("parse line %d: raw %s", i+1, what)
		}
	}
	// The unparsed line's text is kept exactly.
	var unparsed struct{ Text string }
	if err := json.Unmarshal([]byte(outLines[5]), &unparsed); err != nil {
		t.Fatal(err)
	}
	if want := inLines[5][strings.Index(inLines[5], ": ")+2:]; unparsed.Text != want {
		t.Errorf("parse kept the text %q, want %q", unparsed.Text, want)
	}

	outs := renderAll(t, hostileDB(t, "terminal-escapes.log"))
	if !json.Valid([]byte(outs["json"])) {
		t.Fatal("report --format json is not JSON")
	}
	if what, bad := unsafeForTerminal(outs["json"]); bad {
		t.Errorf("report --format json: raw %s", what)
	}
}

// TestReportAllShowsLinesAfterTheLastDelivery: "report --all" covers
// everything stored. Its window is the span of the stored facts, which
// must include the unparsed lines and TLS failures, not only messages,
// attempts, sessions, rejects and warnings.
func TestReportAllShowsLinesAfterTheLastDelivery(t *testing.T) {
	dir := t.TempDir()
	text := strings.Join(corpusText(t, 50), "") +
		"Nov 23 00:30:00 mail postfix/smtpd[20001]: something pftls has never seen\n" +
		"Nov 23 00:31:00 mail postfix/smtpd[20001]: something else pftls has never seen\n"
	log := writeTemp(t, dir, "mail.log", []byte(text))
	db := filepath.Join(dir, "pftls.db")
	if code, _, errOut := runCLI(t, "", ingestArgs(db, "-q", log)...); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	m := reportModel(t, db)
	if len(m.Unparsed) != 2 || m.Lines.Unparsed != 2 {
		t.Errorf("report --all shows %d unparsed lines and counts %d, want 2 and 2 (window %s - %s; "+
			"aggregate/read.go Span leaves the unparsed and tls_failures tables out)",
			len(m.Unparsed), m.Lines.Unparsed, m.Window.From.Format(time.RFC3339), m.Window.To.Format(time.RFC3339))
	}
}

// corpusDB ingests the first n corpus lines into a new database and
// closes it (so the WAL is checkpointed into the file).
func corpusDB(t *testing.T, n int) (db, log string) {
	t.Helper()
	dir := t.TempDir()
	log = writeTemp(t, dir, "mail.log", []byte(strings.Join(corpusText(t, n), "")))
	db = filepath.Join(dir, "pftls.db")
	if code, _, errOut := runCLI(t, "", ingestArgs(db, "-q", log)...); code != 0 {
		t.Fatalf("ingest: exit %d: %s", code, errOut)
	}
	return db, log
}

// TestDatabaseFaults: a database that cannot be used gives exit code 2
// and a message that says what to do, and is left as it was.
func TestDatabaseFaults(t *testing.T) {
	log := writeTemp(t, t.TempDir(), "mail.log", []byte(strings.Join(corpusText(t, 100), "")))
	type fault struct {
		name string
		db   func(t *testing.T) string
		want []string // in stderr, besides the database path
		// inFile: the path is inside a regular file, which the error
		// names instead of the database.
		inFile bool
	}
	faults := []fault{
		{"database path is a directory", func(t *testing.T) string { return t.TempDir() }, []string{"is a directory"}, false},
		{"database path inside a file", func(t *testing.T) string {
			return filepath.Join(writeTemp(t, t.TempDir(), "file", []byte("x")), "pftls.db")
		}, []string{"not a directory"}, true},
		{"database cut in half", func(t *testing.T) string {
			db, _ := corpusDB(t, 2000)
			fi, err := os.Stat(db)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(db, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
			return db
		}, []string{"damaged", "rebuild", "pftls ingest"}, false},
		{"not a database", func(t *testing.T) string {
			// A log is not provably pftls's: no advice to rebuild (that
			// would move it aside; issue 23), see TestRebuild_refuses_mail_log.
			return writeTemp(t, t.TempDir(), "pftls.db", []byte(strings.Join(corpusText(t, 100), "")))
		}, []string{"not a pftls database"}, false},
		{"schema newer than the binary", func(t *testing.T) string {
			db, _ := corpusDB(t, 100)
			// PRAGMA user_version is the big-endian integer at offset 60
			// of the file header.
			f, err := os.OpenFile(db, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var v [4]byte
			binary.BigEndian.PutUint32(v[:], uint32(aggregate.SchemaVersion+1))
			if _, err := f.WriteAt(v[:], 60); err != nil {
				t.Fatal(err)
			}
			return db
		}, []string{"newer", "upgrade pftls"}, false},
	}
	for _, fl := range faults {
		t.Run(fl.name, func(t *testing.T) {
			db := fl.db(t)
			before := snapshot(t, db)
			for _, args := range [][]string{
				ingestArgs(db, log),
				{"report", "--db", db, "--all", "--tz", "UTC"},
				{"prune", "--db", db, "--older-than", "90d"},
			} {
				code, out, errOut := runCLI(t, "", args...)
				if code != exitUsage {
					t.Errorf("%s: exit %d, want %d (stdout %q)", args[0], code, exitUsage, out)
				}
				named := db
				if fl.inFile {
					named = filepath.Dir(db)
				}
				for _, w := range append([]string{named}, fl.want...) {
					if !strings.Contains(errOut, w) {
						t.Errorf("%s: stderr %q lacks %q", args[0], errOut, w)
					}
				}
				if after := snapshot(t, db); after != before {
					t.Errorf("%s changed the database: %s, was %s", args[0], after, before)
				}
			}
		})
	}
}

// snapshot describes a path: a file's size and content hash, or a directory.
func snapshot(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return err.Error()
	case fi.IsDir():
		return "a directory"
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%d bytes, %x", len(b), hashBytes(b))
}

func hashBytes(b []byte) uint64 {
	var h uint64 = 14695981039346656037
	for _, c := range b {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return h
}

// TestProcesses runs the tests that need real pftls processes: a file size
// limit, two processes on one database, reports while an ingest writes, the
// memory a huge line takes. They share one build of the binary, and are
// skipped with -short.
func TestProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin := buildBinary(t)
	t.Run("disk full during ingest", func(t *testing.T) { diskFullDuringIngest(t, bin) })
	t.Run("two ingests at once", func(t *testing.T) { concurrentIngests(t, bin) })
	t.Run("reports during ingest", func(t *testing.T) { reportsDuringIngest(t, bin) })
	t.Run("huge line memory", func(t *testing.T) { hugeLineMemory(t, bin) })
}

// runBin runs the binary and returns its exit code and output.
func runBin(t *testing.T, bin string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errOut.String()
	case errors.As(err, &exit):
		return exit.ExitCode(), out.String(), errOut.String()
	}
	t.Fatalf("%s %v: %v", bin, args, err)
	return 0, "", ""
}

// diskFullDuringIngest: when the database cannot grow (disk full,
// quota, file size limit), ingest stops with exit code 2 and an error
// naming the database; what it committed before is intact and consistent
// (the stored offset matches the facts), and a later run completes it to
// exactly what one clean run stores. The limit is set with "ulimit -f" in
// a shell, with SIGXFSZ ignored so that writes fail with EFBIG as on a
// full disk.
func diskFullDuringIngest(t *testing.T, bin string) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to set a file size limit with")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	multiHostLog(t, log, 3)
	clean := filepath.Join(dir, "clean", "pftls.db")
	full := filepath.Join(dir, "full", "pftls.db")
	args := func(db string) []string {
		return []string{"ingest", "--db", db, "--year", "2026", "--tz", "UTC", "--commit-every", "500", log}
	}
	if code, _, errOut := runBin(t, bin, nil, args(clean)...); code != 0 {
		t.Fatalf("clean ingest: exit %d: %s", code, errOut)
	}

	// 2048 blocks is 1 MiB (dash) or 2 MiB (bash): less than the ~3 MiB
	// the clean run stores.
	limited := append([]string{"-c", `ulimit -f 2048 && trap '' XFSZ && exec "$@"`, "sh", bin}, args(full)...)
	cmd := exec.Command(sh, limited...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitUsage {
		t.Fatalf("ingest with the database limited to 2048 blocks: %v, want exit %d\nstdout: %s\nstderr: %s",
			err, exitUsage, stdout.String(), stderr.String())
	}
	if msg := stderr.String(); !strings.Contains(msg, full) || strings.Contains(msg, "panic") {
		t.Errorf("stderr %q: want one error naming %s", msg, full)
	}
	t.Logf("with the file size limit: %s", strings.TrimSpace(stderr.String()))

	got := summarize(t, full, log)
	if got.Counts["sources lines"] != got.Counts["line_counts SUM(count)"] {
		t.Errorf("after the failed commit the source is at line %d but %d lines are counted: offset and facts disagree",
			got.Counts["sources lines"], got.Counts["line_counts SUM(count)"])
	}
	// The summary says how many lines were stored, not only how many were
	// read (issue 23: it showed the lines read).
	if want := fmt.Sprintf(": %d of the ", got.Counts["sources lines"]); !strings.Contains(stdout.String(), want) || !strings.Contains(stdout.String(), "will be read again") {
		t.Errorf("stdout %q: want the lines stored (%q...)", stdout.String(), want)
	}
	if code, _, errOut := runBin(t, bin, nil, args(full)...); code != 0 {
		t.Fatalf("ingest again without the limit: exit %d: %s", code, errOut)
	}
	if d := diffSummaries(summarize(t, full, log), summarize(t, clean, log)); d != "" {
		t.Errorf("after a full disk and a second run the database differs from one clean run:\n%s", d)
	}
}

// concurrentIngests: two "pftls ingest" of the same logs into the
// same database at the same time. With the default --lock-wait the second
// waits for the first and then finds everything read; with --lock-wait 0
// it refuses with exit code 2. Either way nothing is counted twice.
func concurrentIngests(t *testing.T, bin string) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	lines := multiHostLog(t, log, 5)
	clean := filepath.Join(dir, "clean", "pftls.db")
	args := func(db string, extra ...string) []string {
		return append([]string{"ingest", "--db", db, "--year", "2026", "--tz", "UTC"}, append(extra, log)...)
	}
	if code, _, errOut := runBin(t, bin, nil, args(clean)...); code != 0 {
		t.Fatalf("clean ingest: exit %d: %s", code, errOut)
	}
	want := summarize(t, clean, log)

	for _, tc := range []struct {
		name  string
		extra []string
	}{
		{"second waits", nil},
		{"second refuses", []string{"--lock-wait", "0s"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "pftls.db")
			type result struct {
				code        int
				out, errOut string
			}
			results := make([]result, 2)
			var wg sync.WaitGroup
			for i := range results {
				wg.Add(1)
				go func() {
					defer wg.Done()
					code, out, errOut := runBin(t, bin, nil, args(db, tc.extra...)...)
					results[i] = result{code, out, errOut}
				}()
			}
			wg.Wait()
			full := 0
			for i, r := range results {
				switch {
				case r.code == 0 && strings.Contains(r.out, fmt.Sprintf("%s: %d lines,", log, lines)):
					full++
				case r.code == 0 && strings.Contains(r.out, "already ingested"):
				case r.code == exitUsage && tc.extra != nil && strings.Contains(r.errOut, "being written by another pftls"):
				default:
					t.Errorf("ingest %d: exit %d\nstdout: %s\nstderr: %s", i+1, r.code, r.out, r.errOut)
				}
			}
			if full != 1 {
				t.Errorf("%d of the two runs read the whole log, want exactly 1:\n%+v", full, results)
			}
			if d := diffSummaries(summarize(t, db, log), want); d != "" {
				t.Errorf("two ingests at once stored other facts than one clean run:\n%s", d)
			}
		})
	}
}

// reportsDuringIngest: reports read while an ingest commits every 200
// lines. None fails, none says "database is locked", and each sees at
// least what the one before it saw.
func reportsDuringIngest(t *testing.T, bin string) {
	dir := t.TempDir()
	log := filepath.Join(dir, "mail.log")
	multiHostLog(t, log, 4)
	db := filepath.Join(dir, "pftls.db")
	// A first small ingest, so that the database exists when the reports
	// start.
	first := writeTemp(t, dir, "first.log", []byte(strings.Join(corpusText(t, 100), "")))
	if code, _, errOut := runBin(t, bin, nil, "ingest", "--db", db, "--year", "2026", "--tz", "UTC", "-q", first); code != 0 {
		t.Fatalf("first ingest: exit %d: %s", code, errOut)
	}

	ingest := exec.Command(bin, "ingest", "--db", db, "--year", "2026", "--tz", "UTC", "-q", "--commit-every", "200", log)
	var ingestErr bytes.Buffer
	ingest.Stderr = &ingestErr
	if err := ingest.Start(); err != nil {
		t.Fatal(err)
	}
	finished := make(chan struct{})
	var waitErr error
	go func() { waitErr = ingest.Wait(); close(finished) }()

	const readers = 2
	var wg sync.WaitGroup
	var mu sync.Mutex
	reports := 0
	for r := 0; r < readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last int64
			for {
				code, out, errOut := runBin(t, bin, nil, "report", "--db", db, "--all", "--format", "json", "--tz", "UTC")
				if code != 0 || strings.Contains(errOut, "locked") || strings.Contains(errOut, "busy") {
					t.Errorf("report during ingest: exit %d: %s", code, errOut)
					return
				}
				var m report.Model
				if err := json.Unmarshal([]byte(out), &m); err != nil {
					t.Errorf("report during ingest: %v", err)
					return
				}
				if m.Lines.Read < last {
					t.Errorf("a report counts %d lines, the one before it %d", m.Lines.Read, last)
				}
				last = m.Lines.Read
				mu.Lock()
				reports++
				mu.Unlock()
				select {
				case <-finished:
					return
				default:
				}
			}
		}()
	}
	wg.Wait()
	<-finished
	if waitErr != nil {
		t.Fatalf("ingest: %v: %s", waitErr, ingestErr.String())
	}
	if reports < 2*readers {
		t.Errorf("only %d reports ran during the ingest; want a few per reader", reports)
	}
	t.Logf("%d reports during the ingest", reports)
}

// hugeLineMemory: a line of 128 MiB is cut at the line limit without
// being held in memory. The line comes through standard input, so that the
// process is still running, blocked on its input, when its peak resident
// size (VmHWM) is read after the line has gone through.
func hugeLineMemory(t *testing.T, bin string) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc to read a process's peak memory from")
	}
	dir := t.TempDir()
	cmd := exec.Command(bin, "ingest", "--db", filepath.Join(dir, "pftls.db"), "--year", "2026", "--tz", "UTC", "-")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	corpus := corpusText(t, 0)
	w := bufio.NewWriterSize(stdin, 1<<20)
	w.WriteString(strings.Join(corpus[:50], ""))
	w.WriteString("Nov 23 00:20:00 mail postfix/smtpd[13453]: warning: ")
	chunk := bytes.Repeat([]byte("A"), 1<<20)
	for i := 0; i < 128; i++ {
		w.Write(chunk)
	}
	w.WriteString("\n")
	// Far more than a pipe and the reader's buffer hold: once this is
	// written, the reader is past the long line.
	w.WriteString(strings.Join(corpus[50:], ""))
	if err := w.Flush(); err != nil {
		t.Fatalf("write to pftls ingest -: %v (%s)", err, out.String())
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ingest -: %v\n%s", err, out.String())
	}
	if want := fmt.Sprintf("-: %d lines,", len(corpus)+1); !strings.Contains(out.String(), want) ||
		!strings.Contains(out.String(), "1 lines longer than the limit were cut") {
		t.Errorf("ingest output: %s\nwant %q and 1 line cut", out.String(), want)
	}
	m := regexp.MustCompile(`(?m)^VmHWM:\s+(\d+) kB`).FindSubmatch(status)
	if m == nil {
		t.Skipf("no VmHWM in /proc/PID/status:\n%s", status)
	}
	kb, _ := strconv.Atoi(string(m[1]))
	if kb > 64<<10 {
		t.Errorf("peak resident size %d MiB while reading a 128 MiB line, want under 64 MiB", kb>>10)
	} else {
		t.Logf("peak resident size %d MiB while reading a 128 MiB line", kb>>10)
	}
}

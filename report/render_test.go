package report

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Hostile strings as they could reach a report from a HELO name, an
// address, a server reply or a certificate subject.
const (
	evilScript  = "<script>alert(1)</script>"
	evilAttr    = `"><img src=x onerror=alert(1)>`
	evilANSI    = "\x1b[31mRED\x1b[0m"
	evilFormula = `=HYPERLINK("http://x")`
	evilPipe    = "a|b"
)

// hostileModel is a small model whose log-derived strings all try to
// break out of their output format.
func hostileModel() *Model {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	return &Model{
		Generated: at,
		Hosts:     []string{"mx" + evilANSI, evilScript},
		Lines:     Lines{Read: 10, Unparsed: 1},
		Totals:    Totals{Received: 1, Delivered: 1, TLSFailures: 1, TLSFailedDomains: 1},
		TLSFailures: []TLSFailureRow{{
			Domain: evilScript + ".example", Direction: "to", Kind: "untrusted-issuer", RFC8460: "validation-failure",
			Count: 1, Messages: 1, Recipients: 1, Hosts: []string{evilAttr, "mx" + evilPipe},
			Detail: "/CN=" + evilANSI + "\nsecond line", FirstSeen: at, LastSeen: at, Deferring: true,
		}},
		Domains: []DomainRow{
			{Domain: evilFormula, Delivered: 1},
			{Domain: "+cmd|' /C calc'!A0", Delivered: 1},
			{Domain: "@SUM(1+1)", Delivered: 1},
			{Domain: "-2+3", Delivered: 1},
			{Domain: evilPipe + "`x`*y*_z_[l](u)#", Delivered: 1},
		},
		Rejects: []RejectRow{{Action: "reject", Stage: "RCPT", Reason: "554 " + evilAttr, Count: 1,
			Clients: []Count{{Reason: evilScript, Count: 1}}}},
		Warnings: []WarningRow{{Severity: "warning", Program: "smtpd", Message: "bad HELO " + evilScript + evilANSI,
			Count: 1, FirstSeen: at, LastSeen: at}},
		Unparsed: []UnparsedRow{{Time: at, Host: "mail", Program: "smtpd", Text: "\x1b]0;title\x07 \u202egnp.exe " + evilPipe}},
	}
}

func render(t *testing.T, m *Model, format string, o RenderOptions) string {
	t.Helper()
	if o.Zone == nil {
		o.Zone = time.UTC
	}
	var buf bytes.Buffer
	if err := Render(&buf, m, format, o); err != nil {
		t.Fatalf("render %s: %v", format, err)
	}
	return buf.String()
}

func TestHostileHTML(t *testing.T) {
	out := render(t, hostileModel(), "html", RenderOptions{})
	lower := strings.ToLower(out)
	for _, bad := range []string{"<script", "<img", "\x1b", "\u202e", "\x07"} {
		if strings.Contains(lower, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"} {
		if !strings.Contains(out, want) {
			t.Errorf("HTML lacks the escaped text %q", want)
		}
	}
	checkHTMLStructure(t, out)
}

func TestHostileText(t *testing.T) {
	out := render(t, hostileModel(), "text", RenderOptions{})
	for _, bad := range []string{"\x1b", "\x07", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("text contains %q", bad)
		}
	}
}

func TestHostileMarkdown(t *testing.T) {
	out := render(t, hostileModel(), "markdown", RenderOptions{})
	for _, bad := range []string{"\x1b", "\x07", "\u202e", "[l](u)"} {
		if strings.Contains(out, bad) {
			t.Errorf("markdown contains %q", bad)
		}
	}
	if m := rawMarkup.FindString(out); m != "" {
		t.Errorf("markdown contains unescaped markup %q", m)
	}
	// Every table line has as many unescaped pipes as its table's header:
	// no cell broke out of its column.
	var want int
	for i, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			want = 0
			continue
		}
		got := unescapedPipes(line)
		if want == 0 {
			want = got
			continue
		}
		if got != want {
			t.Errorf("line %d has %d cell separators, its header %d: %q", i+1, got, want, line)
		}
	}
}

// unescapedPipes counts the | of a markdown line that are not preceded by
// an odd number of backslashes.
func unescapedPipes(line string) int {
	n, bs := 0, 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			bs++
			continue
		case '|':
			if bs%2 == 0 {
				n++
			}
		}
		bs = 0
	}
	return n
}

func TestHostileCSV(t *testing.T) {
	m := hostileModel()
	for _, id := range []string{"domains", "tls-failures", "rejects", "warnings", "unparsed"} {
		out := render(t, m, "csv", RenderOptions{Section: id})
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("%s: output is not CSV: %v\n%s", id, err, out)
		}
		if len(recs) < 2 {
			t.Fatalf("%s: want a header and rows, got %q", id, recs)
		}
		for _, rec := range recs {
			for _, c := range rec {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) && !plainNegative(c) {
					t.Errorf("%s: cell %q starts a formula", id, c)
				}
				if strings.ContainsAny(c, "\x1b\x07\n\u202e") {
					t.Errorf("%s: cell %q has control characters", id, c)
				}
			}
		}
	}
	out := render(t, m, "csv", RenderOptions{Section: "domains"})
	for _, want := range []string{`'=HYPERLINK(""http://x"")`, "'+cmd|", "'@SUM", "'-2+3"} {
		if !strings.Contains(out, want) {
			t.Errorf("domains CSV lacks %q:\n%s", want, out)
		}
	}
}

func TestMarkdownEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text 1.2.3", "plain text 1.2.3"},
		{"a|b", `a\|b`},
		{`back\slash`, `back\\slash`},
		{"`code` *b* _i_", "\\`code\\` \\*b\\* \\_i\\_"},
		{"<b>[x](y)</b>", `\<b\>\[x\](y)\</b\>`},
		{"# heading #2", `\# heading #2`},
		{"&lt; ~~s~~", `\&lt; \~\~s\~\~`},
		{"one\ntwo\r\nthree\rfour", "one two three four"},
		{"\x1b[31mRED\x1b[0m", `?\[31mRED?\[0m`},
		{"caf\xe9", "caf\ufffd"},
	} {
		if got := MarkdownEscape(tc.in); got != tc.want {
			t.Errorf("MarkdownEscape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCSVSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"example.com", "example.com"},
		{"12", "12"},
		{"-1", "-1"},
		{"-0.25", "-0.25"},
		{"-12.5%", "-12.5%"},
		{"-", "'-"},
		{"-1+2", "'-1+2"},
		{"-1.", "'-1."},
		{"-cmd", "'-cmd"},
		{"=1+1", "'=1+1"},
		{"+1", "'+1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "' =1"},
		{"\r=1", "' =1"},
		{"  =1", "'  =1"},
		{" -1", "' -1"},
		{"a\nb\x1b[0m\u202e", "a b?[0m?"},
		{"＝1+1", "'＝1+1"},
		{"a=b", "a=b"},
	} {
		if got := CSVSafe(tc.in); got != tc.want {
			t.Errorf("CSVSafe(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCSVSections(t *testing.T) {
	empty := &Model{}
	t.Run("default is domains", func(t *testing.T) {
		got := render(t, empty, "csv", RenderOptions{})
		want := "domain,delivered,deferred,deferrals,bounced,expired,TLS failures\n"
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	})
	t.Run("unknown section", func(t *testing.T) {
		var buf bytes.Buffer
		err := Render(&buf, empty, "csv", RenderOptions{Section: "nope"})
		if err == nil {
			t.Fatal("no error for an unknown section")
		}
		for _, id := range SectionIDs {
			if !strings.Contains(err.Error(), id) {
				t.Errorf("error %q does not list %q", err, id)
			}
		}
		if buf.Len() != 0 {
			t.Errorf("wrote %q before failing", buf.String())
		}
	})
	// Every section, empty, is its header row alone, with every column
	// named and no name twice.
	for _, id := range SectionIDs {
		t.Run(id, func(t *testing.T) {
			out := render(t, empty, "csv", RenderOptions{Section: id})
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 1 || len(recs[0]) == 0 {
				t.Fatalf("want one header row, got %q", recs)
			}
			seen := map[string]bool{}
			for _, c := range recs[0] {
				if c == "" || seen[c] {
					t.Errorf("header %q: empty or repeated column %q", recs[0], c)
				}
				seen[c] = true
			}
		})
	}
}

// TestAllSectionsFollowSectionIDs keeps the CSV renderer's list of section
// constructors in step with SectionIDs and Model.Tables.
func TestAllSectionsFollowSectionIDs(t *testing.T) {
	var ids []string
	for _, tb := range allSections(&Model{}, time.UTC) {
		ids = append(ids, tb.ID)
	}
	if !slices.Equal(ids, SectionIDs) {
		t.Errorf("allSections ids %v, SectionIDs %v", ids, SectionIDs)
	}
	m := hostileModel()
	var full, filtered []string
	for _, tb := range allSections(m, time.UTC) {
		if len(tb.Rows) > 0 {
			full = append(full, tb.ID)
		}
	}
	for _, tb := range m.Tables(time.UTC) {
		filtered = append(filtered, tb.ID)
	}
	if !slices.Equal(full, filtered) {
		t.Errorf("allSections with rows %v, Model.Tables %v", full, filtered)
	}
}

func TestEmptyModel(t *testing.T) {
	for _, f := range []string{"text", "markdown", "html"} {
		out := render(t, &Model{}, f, RenderOptions{})
		if !strings.Contains(out, "No mail activity in this window.") {
			t.Errorf("%s of an empty model does not say so:\n%s", f, out)
		}
		if f == "html" {
			checkHTMLStructure(t, out)
		}
	}
}

func TestHTMLCorpusStructure(t *testing.T) {
	m := corpusModel(t, corpusLog)
	out := render(t, m, "html", RenderOptions{Title: "mail.example <weekly>"})
	checkHTMLStructure(t, out)
	if !strings.Contains(out, "<title>mail.example &lt;weekly&gt;</title>") {
		t.Error("title not escaped or missing")
	}
	for _, tb := range m.Tables(time.UTC) {
		if !strings.Contains(out, `<h2 id="`+tb.ID+`"`) {
			t.Errorf("no heading with id %q", tb.ID)
		}
	}
	for _, id := range []string{"tls-failures", "deferrals"} {
		i := strings.Index(out, `<h2 id="`+id+`"`)
		if i < 0 {
			continue
		}
		head := out[:i]
		head = head[strings.LastIndex(head, "<td"):]
		if strings.Contains(head, accentNone) {
			t.Errorf("problem section %s is not highlighted: %s", id, head)
		}
	}
}

var (
	// rawMarkup is an HTML tag or a link that Markdown would render.
	rawMarkup = regexp.MustCompile(`(^|[^\\])(<[a-zA-Z/]|\]\()`)

	htmlComment = regexp.MustCompile(`(?s)<!--.*?-->`)
	htmlTag     = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*>`)
	// activeMarkup is what makes a tag load something or run something.
	// Inline SVG (the charts) is inert without these: no script, no
	// foreignObject, no use, no link.
	activeMarkup = regexp.MustCompile(`(?i)^<(script|img|link|iframe|object|embed|base|form|input|math|video|audio|foreignObject|use|image|animate|set)\b|\s(src|href|xlink:href|srcset|background|action|on[a-z]+)\s*=|javascript:`)
)

// checkHTMLStructure is a rough well-formedness check without an HTML
// parser: the page is a self-contained HTML5 document, and the elements it
// uses are closed in order.
func checkHTMLStructure(t *testing.T, page string) {
	t.Helper()
	for _, want := range []string{"<!DOCTYPE html>\n", `<meta charset="utf-8">`, "<title>", "</title>", "<html", "</html>\n", "<style>", "</style>"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	body := htmlComment.ReplaceAllString(page, "")
	if _, style, ok := strings.Cut(body, "<style>"); ok {
		style, _, _ = strings.Cut(style, "</style>")
		for _, bad := range []string{"url(", "@import", "expression("} {
			if strings.Contains(strings.ToLower(style), bad) {
				t.Errorf("<style> contains %q: not self-contained", bad)
			}
		}
	}
	for _, tag := range htmlTag.FindAllString(body, -1) {
		if m := activeMarkup.FindString(tag); m != "" {
			t.Errorf("tag %s has %q: not self-contained or not inert", tag, m)
		}
	}
	void := map[string]bool{"meta": true, "br": true, "hr": true, "img": true, "col": true}
	var stack []string
	for _, m := range htmlTag.FindAllStringSubmatch(body, -1) {
		closing, name := m[1] == "/", strings.ToLower(m[2])
		switch {
		case void[name], strings.HasSuffix(m[0], "/>"): // SVG's self-closing elements
		case !closing:
			stack = append(stack, name)
		case len(stack) == 0 || stack[len(stack)-1] != name:
			t.Fatalf("</%s> closes %v", name, stack)
		default:
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) != 0 {
		t.Errorf("unclosed elements: %v", stack)
	}
	if o, c := strings.Count(body, "<table"), strings.Count(body, "</table>"); o != c {
		t.Errorf("%d <table> and %d </table>", o, c)
	}
}

// TestLongLinesClippedInTables: a line not understood (or a warning) may
// be 64 KiB; the tables show its start and how much more there is, not a
// table 65,000 columns wide. The JSON keeps it whole.
func TestLongLinesClippedInTables(t *testing.T) {
	long := "weird " + strings.Repeat("é", 30000)
	m := &Model{Lines: Lines{Read: 1, Unparsed: 1, Postfix: 1, NotUnderstood: 1},
		Unparsed: []UnparsedRow{{Host: "mx1", Program: "postfix/smtp", Text: long}},
		Warnings: []WarningRow{{Severity: "warning", Program: "postfix/smtpd", Count: 1, Message: long}}}
	for _, tab := range []Table{m.unparsedTable(time.UTC), m.warningsTable(time.UTC), m.inputTable()} {
		for _, row := range tab.Rows {
			for _, cell := range row {
				if len(cell) > 2*shownLineBytes || !utf8.ValidString(cell) {
					t.Errorf("%s: a cell of %d bytes (valid UTF-8: %v)", tab.ID, len(cell), utf8.ValidString(cell))
				}
			}
		}
	}
	// "weird " and two-byte runes: byte 400 starts a rune.
	if got, want := clipLine(long), long[:shownLineBytes]+fmt.Sprintf(" … (%d more bytes)", len(long)-shownLineBytes); got != want {
		t.Errorf("clipped to %d bytes, want %d", len(got), len(want))
	}
	if got := clipLine(long[1:]); !utf8.ValidString(got) {
		t.Errorf("clipped inside a rune: %q", got[390:])
	}
}

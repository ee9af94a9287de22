package report

// Hardening tests of the renderers (issue #10): every string of a Model,
// not only the ones a test thought of, is escaped by every format; the
// escape functions keep their promises on any input; and a mailed report's
// headers stay well-formed whatever the log's host names are. Every test
// here is fast; FuzzEscapes runs its seeds in every go test and can be
// fuzzed with: go test -run '^$' -fuzz FuzzEscapes ./report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/mail"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// hostileStrings try to break out of every output format. The first group
// is valid UTF-8 (JSON can keep it exactly); the last is not.
var hostileStrings = []string{
	"\x1b[31mred\x1b[0m \x1b[2J",
	"\x1b]0;title\x07 \x1b]8;;http://evil.example\x07link\x1b]8;;\x07",
	"<script>alert(1)</script>",
	`"><img src=x onerror=alert(1)>`,
	`=HYPERLINK("http://x.example","click")`,
	"+cmd|' /C calc'!A0",
	"-2+3",
	"@SUM(1+1)",
	"  =1+1",
	"a|b\nc\rd\r\ne",
	"\u202egnp.exe \u2066x\u2069 \u200f",
	"\u009b2J \u0085 c1",
	"nul \x00 del \x7f bs \x08\x08",
	"`code` *em* _u_ [l](http://x.example) ~~s~~ &amp; \\",
	"# heading",
	"\t\v\f tabs \u2028 \u2029",
	"＝1+1",
	"\xff\xfe invalid \xc3",
}

// validHostile are the hostile strings that are valid UTF-8.
func validHostile() []string {
	var out []string
	for _, s := range hostileStrings {
		if utf8.ValidString(s) {
			out = append(out, s)
		}
	}
	return out
}

// hostileFill sets every string in v (fields, slice elements, map keys and
// values) to the next of strs, every number to 1 or 1.5, every bool to true
// and every time to a fixed instant; slices get two elements, maps two
// keys. Every field of a Model is log text, a count or a time: this makes
// each one hostile, including fields added later.
func hostileFill(v reflect.Value, strs []string, next *int) {
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	pick := func() string {
		s := strs[*next%len(strs)]
		*next++
		return s
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(pick())
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(1)
	case reflect.Float64, reflect.Float32:
		v.SetFloat(1.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(at))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				hostileFill(v.Field(i), strs, next)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < 2; i++ {
			hostileFill(s.Index(i), strs, next)
		}
		v.Set(s)
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			hostileFill(v.Index(i), strs, next)
		}
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := 0; i < 2; i++ {
			k := reflect.New(v.Type().Key()).Elem()
			e := reflect.New(v.Type().Elem()).Elem()
			hostileFill(k, strs, next)
			hostileFill(e, strs, next)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		hostileFill(p.Elem(), strs, next)
		v.Set(p)
	}
}

// everyStringHostile returns a Model whose every string is one of strs.
func everyStringHostile(strs []string) *Model {
	var m Model
	n := 0
	hostileFill(reflect.ValueOf(&m).Elem(), strs, &n)
	return &m
}

// terminalUnsafe returns the first thing in s a terminal could act on, or "".
func terminalUnsafe(s string) string {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return fmt.Sprintf("invalid UTF-8 at byte %d", i)
		case r == '\n':
		case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, unicode.Is(unicode.Bidi_Control, r), r == '\u2028', r == '\u2029':
			return fmt.Sprintf("%U at byte %d: %q", r, i, s[max(0, i-20):min(len(s), i+20)])
		}
	}
	return ""
}

// goldenTags are the HTML elements the page template makes, read from its
// golden output on the corpus.
func goldenTags(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../testdata/golden/corpus-a.html")
	if err != nil {
		t.Fatal(err)
	}
	var tags []string
	for _, m := range tagRE.FindAllStringSubmatch(string(b), -1) {
		if name := strings.ToLower(m[1]); !slices.Contains(tags, name) {
			tags = append(tags, name)
		}
	}
	return tags
}

var tagRE = regexp.MustCompile(`</?([a-zA-Z][a-zA-Z0-9]*)`)

// TestEveryModelStringEscaped renders a Model whose every string is
// hostile, in every format and (for text) both table layouts, and checks
// what each format promises: nothing a terminal acts on in text, markdown
// and CSV; no markup from the model in markdown and HTML; no formula in a
// CSV cell; and JSON that is valid and gives back exactly what it was given.
func TestEveryModelStringEscaped(t *testing.T) {
	m := everyStringHostile(hostileStrings)
	o := RenderOptions{Zone: time.UTC}

	for _, width := range []int{60, 100, 100000} {
		o := o
		o.Width = width
		out := render(t, m, "text", o)
		if bad := terminalUnsafe(out); bad != "" {
			t.Errorf("text (width %d): %s", width, bad)
		}
	}

	md := render(t, m, "markdown", o)
	if bad := terminalUnsafe(md); bad != "" {
		t.Errorf("markdown: %s", bad)
	}
	for i := 0; i < len(md); i++ {
		if strings.IndexByte("<>[]`*_|~&", md[i]) < 0 {
			continue
		}
		// Pipes, asterisks and brackets of the table and heading syntax
		// are the renderer's own: a markdown line starts with "|", "#",
		// "- **" or "*"; check only inside cells and values.
		lineStart := strings.LastIndexByte(md[:i], '\n') + 1
		line := md[lineStart:]
		if end := strings.IndexByte(line, '\n'); end >= 0 {
			line = line[:end]
		}
		if !strings.HasPrefix(line, "| ") || md[i] == '|' {
			continue
		}
		bs := 0
		for j := i - 1; j >= 0 && md[j] == '\\'; j-- {
			bs++
		}
		if bs%2 == 0 {
			t.Errorf("markdown: unescaped %q in %q", md[i], line)
			break
		}
	}
	// No cell broke out of its column: every line of a table has as many
	// cell separators as its header.
	want := 0
	for i, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			want = 0
			continue
		}
		if got := unescapedPipes(line); want == 0 {
			want = got
		} else if got != want {
			t.Errorf("markdown line %d has %d cell separators, its header %d: %q", i+1, got, want, line)
		}
	}

	page := render(t, m, "html", o)
	if bad := terminalUnsafe(page); bad != "" {
		t.Errorf("html: %s", bad)
	}
	allowed := goldenTags(t)
	for _, tm := range tagRE.FindAllStringSubmatch(page, -1) {
		if !slices.Contains(allowed, strings.ToLower(tm[1])) {
			t.Errorf("html: a <%s> the template does not make", tm[1])
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("html lacks the escaped hostile text")
	}

	for _, id := range SectionIDs {
		out := render(t, m, "csv", RenderOptions{Zone: time.UTC, Section: id})
		if bad := terminalUnsafe(out); bad != "" {
			t.Errorf("csv %s: %s", id, bad)
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("csv %s: %v", id, err)
		}
		for _, rec := range recs[1:] {
			for _, c := range rec {
				if startsFormula(c) {
					t.Errorf("csv %s: cell %q starts a formula", id, c)
				}
			}
		}
	}

	// JSON keeps log text exactly (for text that is UTF-8).
	exact := everyStringHostile(validHostile())
	var buf bytes.Buffer
	if err := Render(&buf, exact, "json", o); err != nil {
		t.Fatal(err)
	}
	var back Model
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil {
		t.Fatalf("json: %v", err)
	}
	if !reflect.DeepEqual(&back, exact) {
		g, _ := json.Marshal(&back)
		w, _ := json.Marshal(exact)
		t.Errorf("json did not give back the model it was given:\ngot  %.600s\nwant %.600s", g, w)
	}
}

// startsFormula reports whether a spreadsheet would evaluate cell c.
func startsFormula(c string) bool {
	t := strings.TrimLeft(c, " \t\r\n")
	if t == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t)
	if !strings.ContainsRune("=+-@＝＋－＠", r) {
		return false
	}
	return !(t == c && r == '-' && plainNegative(c))
}

// FuzzEscapes: the escape functions keep their promises on any input.
// TerminalSafe leaves nothing a terminal acts on and is idempotent;
// MarkdownEscape leaves no markup character unescaped and no line break;
// CSVSafe never starts a formula.
func FuzzEscapes(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts := TerminalSafe(s)
		if bad := terminalUnsafe(strings.ReplaceAll(ts, "\n", "?")); bad != "" {
			t.Errorf("TerminalSafe(%q) = %q: %s", s, ts, bad)
		}
		if again := TerminalSafe(ts); again != ts {
			t.Errorf("TerminalSafe is not idempotent on %q: %q then %q", s, ts, again)
		}
		md := MarkdownEscape(s)
		if strings.ContainsAny(md, "\n\r") {
			t.Errorf("MarkdownEscape(%q) = %q keeps a line break", s, md)
		}
		if bad := terminalUnsafe(md); bad != "" {
			t.Errorf("MarkdownEscape(%q) = %q: %s", s, md, bad)
		}
		for i := 0; i < len(md); i++ {
			if strings.IndexByte("\\|`*_<>[]&~", md[i]) < 0 {
				continue
			}
			if md[i] == '\\' && i+1 < len(md) && strings.IndexByte("\\|`*_<>[]&~#", md[i+1]) >= 0 {
				i++ // an escape and what it escapes
				continue
			}
			t.Errorf("MarkdownEscape(%q) = %q: %q at %d unescaped", s, md, md[i], i)
			break
		}
		c := CSVSafe(s)
		if startsFormula(c) {
			t.Errorf("CSVSafe(%q) = %q starts a formula", s, c)
		}
		if bad := terminalUnsafe(c); bad != "" {
			t.Errorf("CSVSafe(%q) = %q: %s", s, c, bad)
		}
	})
}

// TestEmailHeadersFromHostileHost: the subject of a mailed report names the
// log's host when there is one (cmd/pftls/mail.go), and a host name is
// whatever the syslog line says. Whatever it is, the message's header
// lines stay within RFC 5322's 998 octets and no header is added.
func TestEmailHeadersFromHostileHost(t *testing.T) {
	m := &Model{Generated: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC), Totals: Totals{Deferred: 3}}
	hosts := map[string]string{
		"long":       strings.Repeat("h", 2000),
		"long UTF-8": strings.Repeat("ä", 700),
		"injection":  "mail\r\nBcc: victim@example.com\r\nX-Evil: 1",
		"controls":   "mail\x1b]0;pwned\x07\x00",
	}
	for name, host := range hosts {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			eo := EmailOptions{From: "pftls <root@mail.example.com>", To: []string{"postmaster@example.com"},
				Subject: Subject(m, host, "24h"), Date: m.Generated, Host: "mail.example.com"}
			if err := WriteEmail(&buf, m, eo, RenderOptions{Zone: time.UTC}); err != nil {
				t.Fatal(err)
			}
			raw := buf.Bytes()
			head := raw[:bytes.Index(raw, []byte("\r\n\r\n"))]
			for i, line := range bytes.Split(head, []byte("\r\n")) {
				if len(line) > 998 {
					t.Errorf("header line %d is %d octets, over RFC 5322's 998 (%.60q...)", i+1, len(line), line)
				}
				if bytes.ContainsAny(line, "\r\n\x00\x1b\x07") {
					t.Errorf("header line %d has a control character: %q", i+1, line)
				}
			}
			msg, err := mail.ReadMessage(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("net/mail: %v", err)
			}
			for k := range msg.Header {
				if !slices.Contains([]string{"From", "To", "Subject", "Date", "Message-Id", "Mime-Version", "Content-Type", "Auto-Submitted", "X-Mailer"}, k) {
					t.Errorf("the message has a header %q", k)
				}
			}
		})
	}
}

package report

import (
	"fmt"
	"io"
	"strings"
)

// renderMarkdown writes the report as GitHub-flavoured Markdown, for
// pasting into tickets (GitHub, GitLab, and Markdown-aware Jira editors):
// a "# title" heading, the header lines as a bullet list, then for each
// section a "## Title" heading, its note in italics and a pipe table whose
// alignment row follows Table.Align.
//
// Every string that reaches the output goes through MarkdownEscape, so
// log text can neither break a table nor add markup, links or HTML.
func renderMarkdown(w io.Writer, m *Model, o RenderOptions) error {
	zone := o.zone()
	bw := &errWriter{w: w}
	fmt.Fprintf(bw, "# %s\n\n", MarkdownEscape(o.title()))
	for _, h := range m.reportHeaderLines(zone) {
		fmt.Fprintf(bw, "- **%s:** %s\n", MarkdownEscape(h[0]), MarkdownEscape(h[1]))
	}
	if alerts := m.Alerts(); len(alerts) > 0 {
		fmt.Fprintf(bw, "\n> [!WARNING]\n> **%s**\n", MarkdownEscape(alerts[0]))
		for _, a := range alerts[1:] {
			fmt.Fprintf(bw, ">\n> %s\n", MarkdownEscape(a))
		}
	}
	tables := m.Tables(zone)
	if len(tables) == 0 {
		fmt.Fprint(bw, "\nNo mail activity in this window.\n")
	}
	for _, t := range tables {
		fmt.Fprintf(bw, "\n## %s\n\n", MarkdownEscape(t.Title))
		if t.Note != "" {
			fmt.Fprintf(bw, "*%s*\n\n", MarkdownEscape(t.Note))
		}
		markdownTable(bw, t)
		if t.ID == "totals" {
			markdownCharts(bw, m.textCharts(zone, o.ASCII))
		}
	}
	return bw.err
}

// markdownCharts writes the text report's charts: a chart whose lines
// hold no log text (the hourly one) in a code block, one with domain names
// as a table whose cells go through MarkdownEscape; its sparklines are
// plain text (block characters have no Markdown meaning), a zero a '·' so
// that the cell keeps its width where spaces would collapse.
func markdownCharts(w io.Writer, blocks []chartBlock) {
	for _, c := range blocks {
		fmt.Fprintf(w, "\n## %s\n\n*%s*\n\n", MarkdownEscape(c.Title), MarkdownEscape(c.Note))
		if c.Rows != nil {
			io.WriteString(w, "| domain | problems | total |\n| --- | --- | --- |\n")
			for _, r := range c.Rows {
				fmt.Fprintf(w, "| %s | %s | %s |\n", MarkdownEscape(r[0]), MarkdownEscape(strings.ReplaceAll(r[1], " ", "·")), MarkdownEscape(r[2]))
			}
			continue
		}
		fence := markdownFence(c.Lines)
		fmt.Fprintf(w, "%stext\n%s\n%s\n", fence, strings.Join(c.Lines, "\n"), fence)
	}
}

// markdownTable writes one GFM pipe table: header, alignment row, rows.
// Rows shorter than the header are padded so that every line has the same
// number of cells.
func markdownTable(w io.Writer, t Table) {
	cols := len(t.Header)
	line := func(cells []string) {
		var b strings.Builder
		b.WriteByte('|')
		for i := 0; i < cols; i++ {
			c := ""
			if i < len(cells) {
				c = MarkdownEscape(cells[i])
			}
			b.WriteByte(' ')
			b.WriteString(c)
			b.WriteString(" |")
		}
		b.WriteByte('\n')
		io.WriteString(w, b.String())
	}
	line(t.Header)
	var b strings.Builder
	b.WriteByte('|')
	for i := 0; i < cols; i++ {
		if i < len(t.Align) && t.Align[i] == Right {
			b.WriteString(" ---: |")
		} else {
			b.WriteString(" --- |")
		}
	}
	b.WriteByte('\n')
	io.WriteString(w, b.String())
	for _, r := range t.Rows {
		line(r)
	}
}

// MarkdownEscape makes log-derived text safe inside Markdown: it is the one
// place Markdown output escapes. Line breaks become spaces, other control
// characters are neutralised by TerminalSafe, and the characters that
// Markdown (or the HTML it may contain) gives a meaning are backslash
// escaped: \ | ` * _ < > [ ] & ~ and a leading #. The backslashes are
// invisible once rendered; & is escaped so that an entity such as &lt; in
// a log line shows as written, ~ so that ~~text~~ is not struck through.
//
// Bare URLs may still be auto-linked by GFM renderers; they link only to
// what the log line says.
func MarkdownEscape(s string) string {
	s = oneLine(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '|', '`', '*', '_', '<', '>', '[', ']', '&', '~':
			b.WriteByte('\\')
		case '#':
			if i == 0 {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// renderText writes the report as plain-text tables (ASCII borders, so it
// reads the same in a terminal, a ticket and a monospace mail). This is the
// only file that imports tablewriter.
func renderText(w io.Writer, m *Model, o RenderOptions) error {
	width := o.Width
	if width <= 0 {
		width = 100
	}
	zone := o.zone()
	bw := &errWriter{w: w}
	fmt.Fprintf(bw, "%s\n%s\n", o.title(), strings.Repeat("=", len(o.title())))
	for _, h := range m.reportHeaderLines(zone) {
		fmt.Fprintf(bw, "%-7s %s\n", h[0]+":", TerminalSafe(h[1]))
	}
	if alerts := m.Alerts(); len(alerts) > 0 {
		fmt.Fprintln(bw)
		for i, a := range alerts {
			lead := "!! WARNING: "
			if i > 0 {
				lead = "!! "
			}
			for j, line := range tokenWrap(lead+TerminalSafe(a), width) {
				if j > 0 {
					line = "!!   " + line
				}
				fmt.Fprintln(bw, line)
			}
		}
	}
	tables := m.Tables(zone)
	if len(tables) == 0 {
		fmt.Fprintln(bw, "\nNo mail activity in this window.")
	}
	for _, t := range tables {
		fmt.Fprintf(bw, "\n%s\n", t.Title)
		if t.Note != "" {
			for _, line := range tokenWrap("("+t.Note+")", width) {
				fmt.Fprintln(bw, line)
			}
		}
		if err := textTable(bw, t, width); err != nil {
			return err
		}
		if t.ID == "totals" {
			for _, c := range m.textCharts(zone, o.ASCII) {
				fmt.Fprintf(bw, "\n%s\n", c.Title)
				for _, line := range tokenWrap("("+c.Note+")", width) {
					fmt.Fprintln(bw, TerminalSafe(line))
				}
				for _, line := range c.Lines {
					fmt.Fprintln(bw, TerminalSafe(line))
				}
			}
		}
	}
	return bw.err
}

// textTable draws a grid when the table fits the width, and otherwise a
// stacked two-column form: the first column, then the other columns as
// "header value" pairs packed into lines. The cells are wrapped here, at
// spaces and after commas only (tokenWrap), never by tablewriter, which
// would cut a host name, an address or an IP in the middle: a token longer
// than its column widens the table instead.
func textTable(w io.Writer, t Table, width int) error {
	switch {
	case naturalWidth(t) <= width:
	case len(t.Header) > 2:
		t = stacked(t, width)
	default:
		t = wrapped(t, width)
	}
	aligns := make([]tw.Align, len(t.Header))
	for i := range aligns {
		aligns[i] = tw.AlignLeft
		if i < len(t.Align) && t.Align[i] == Right {
			aligns[i] = tw.AlignRight
		}
	}
	table := tablewriter.NewTable(w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithRowAlignmentConfig(tw.CellAlignment{PerColumn: aligns}),
		tablewriter.WithTrimSpace(tw.Off),
	)
	table.Header(t.Header)
	for _, row := range t.Rows {
		cells := make([]string, len(row))
		for i, c := range row {
			cells[i] = safeLines(c)
		}
		if err := table.Append(cells); err != nil {
			return fmt.Errorf("report: text table %s: %w", t.ID, err)
		}
	}
	if err := table.Render(); err != nil {
		return fmt.Errorf("report: text table %s: %w", t.ID, err)
	}
	return nil
}

// errWriter remembers the first write error so that a sequence of writes
// can be checked once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// naturalWidth is the width of the grid with no cell wrapped.
func naturalWidth(t Table) int {
	widths := make([]int, len(t.Header))
	for i, h := range t.Header {
		widths[i] = utf8.RuneCountInString(h)
	}
	for _, row := range t.Rows {
		for i, c := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], utf8.RuneCountInString(c))
			}
		}
	}
	total := 1
	for _, w := range widths {
		total += w + 3
	}
	return total
}

// stacked turns a wide table into two columns: the key column and the
// rest as "header: value" pairs, packed into lines that fit.
func stacked(t Table, width int) Table {
	keyWidth := keyColumnWidth(t, width)
	room := max(width-keyWidth-7, 20)
	out := Table{ID: t.ID, Title: t.Title, Note: t.Note, Header: []string{t.Header[0], "details"}}
	for _, row := range t.Rows {
		var lines []string
		line := ""
		for i := 1; i < len(row) && i < len(t.Header); i++ {
			if row[i] == "" {
				continue
			}
			pair := t.Header[i] + ": " + row[i]
			switch {
			case line == "":
				line = pair
			case utf8.RuneCountInString(line)+3+utf8.RuneCountInString(pair) <= room:
				line += " · " + pair
			default:
				lines = append(lines, tokenWrap(line, room)...)
				line = pair
			}
		}
		if line != "" {
			lines = append(lines, tokenWrap(line, room)...)
		}
		key := strings.Join(tokenWrap(row[0], keyWidth), "\n")
		out.Rows = append(out.Rows, []string{key, strings.Join(lines, "\n")})
	}
	return out
}

// wrapped fits a two-column table to the width by wrapping its cells.
func wrapped(t Table, width int) Table {
	keyWidth := keyColumnWidth(t, width)
	room := max(width-keyWidth-7, 20)
	out := t
	out.Rows = make([][]string, len(t.Rows))
	for i, row := range t.Rows {
		r := slices.Clone(row)
		if len(r) > 0 {
			r[0] = strings.Join(tokenWrap(r[0], keyWidth), "\n")
		}
		if len(r) > 1 {
			r[1] = strings.Join(tokenWrap(r[1], room), "\n")
		}
		out.Rows[i] = r
	}
	return out
}

// keyColumnWidth is the width of a narrowed table's first column: its
// widest cell, at most a third of the width, but never less than its
// longest token (a host name is not cut).
func keyColumnWidth(t Table, width int) int {
	w := utf8.RuneCountInString(t.Header[0])
	for _, row := range t.Rows {
		if len(row) > 0 {
			w = max(w, utf8.RuneCountInString(row[0]))
		}
	}
	w = min(w, width/3)
	for _, row := range t.Rows {
		if len(row) > 0 {
			for _, line := range tokenWrap(row[0], w) {
				w = max(w, utf8.RuneCountInString(line))
			}
		}
	}
	return w
}

// safeLines applies TerminalSafe to each line of a cell: the line breaks
// are the renderer's own (stacked cells), the rest is log text.
func safeLines(c string) string {
	if !strings.Contains(c, "\n") {
		return TerminalSafe(c)
	}
	parts := strings.Split(c, "\n")
	for i, p := range parts {
		parts[i] = TerminalSafe(p)
	}
	return strings.Join(parts, "\n")
}

// tokenWrap breaks s into lines of at most width runes, only at a space or
// after a comma: a host name, an address or an IP address (IPv6 included)
// is never cut. A token longer than width stays whole, on a line of its
// own that is longer than width.
func tokenWrap(s string, width int) []string {
	if utf8.RuneCountInString(s) <= width {
		return []string{s}
	}
	var lines []string
	line, lineLen := "", 0
	flush := func() {
		if l := strings.TrimRight(line, " "); l != "" || len(lines) == 0 {
			lines = append(lines, l)
		}
		line, lineLen = "", 0
	}
	for _, tok := range wrapTokens(s) {
		if lineLen > 0 && lineLen+utf8.RuneCountInString(strings.TrimRight(tok, " ")) > width {
			flush()
		}
		line += tok
		lineLen += utf8.RuneCountInString(tok)
	}
	if line != "" {
		flush()
	}
	return lines
}

// wrapTokens splits s into the pieces a line may break after: each ends
// with its spaces, or with a comma.
func wrapTokens(s string) []string {
	var toks []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == ' ' && (i+1 == len(s) || s[i+1] != ' '):
			toks = append(toks, s[start:i+1])
			start = i + 1
		case s[i] == ',' && i+1 < len(s) && s[i+1] != ' ':
			toks = append(toks, s[start:i+1])
			start = i + 1
		}
	}
	if start < len(s) {
		toks = append(toks, s[start:])
	}
	return toks
}

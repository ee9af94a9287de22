package report

import (
	"fmt"
	"io"
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
			for j, line := range wordWrap(lead+TerminalSafe(a), width) {
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
			for _, line := range wordWrap("("+t.Note+")", width) {
				fmt.Fprintln(bw, line)
			}
		}
		if err := textTable(bw, t, width); err != nil {
			return err
		}
	}
	return bw.err
}

// textTable draws a grid when the table fits the width, and otherwise a
// stacked two-column form: the first column, then the other columns as
// "header value" pairs packed into lines.
func textTable(w io.Writer, t Table, width int) error {
	wrap := tw.WrapNormal
	if naturalWidth(t) > width && len(t.Header) > 2 {
		t = stacked(t, width)
		wrap = tw.WrapNone // stacked lines are already packed to fit
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
		tablewriter.WithMaxWidth(width),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(wrap),
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
	keyWidth := utf8.RuneCountInString(t.Header[0])
	for _, row := range t.Rows {
		keyWidth = max(keyWidth, utf8.RuneCountInString(row[0]))
	}
	keyWidth = min(keyWidth, width/3)
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
				lines = append(lines, wordWrap(line, room)...)
				line = pair
			}
		}
		if line != "" {
			lines = append(lines, wordWrap(line, room)...)
		}
		key := strings.Join(wordWrap(row[0], keyWidth), "\n")
		out.Rows = append(out.Rows, []string{key, strings.Join(lines, "\n")})
	}
	return out
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

// wordWrap breaks s at spaces into lines of at most width runes; a word
// longer than width is cut.
func wordWrap(s string, width int) []string {
	var lines []string
	for utf8.RuneCountInString(s) > width {
		runes := []rune(s)
		cut := width
		for i := width; i > width/2; i-- {
			if runes[i] == ' ' {
				cut = i
				break
			}
		}
		lines = append(lines, strings.TrimRight(string(runes[:cut]), " "))
		s = strings.TrimLeft(string(runes[cut:]), " ")
	}
	return append(lines, s)
}

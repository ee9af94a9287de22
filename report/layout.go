package report

import (
	"cmp"
	"slices"
	"strings"

	"github.com/mattn/go-runewidth"
)

// This file is the table layout of the live view: display cells measured
// the same way in every locale, clipping with "…", and columns that
// narrow, then drop (least telling first), to fit a terminal's width.

// liveCond measures display cells the same way whatever the locale, so
// that golden files do not depend on the environment.
var liveCond = &runewidth.Condition{EastAsianWidth: false, StrictEmojiNeutral: true}

// cells is how many cells r takes. Zero-width runes (combining marks,
// joiners) count as one: that can leave a cell unused, never overflow the
// line, and keeps every line within width runes as well as width cells.
func cells(r rune) int { return max(liveCond.RuneWidth(r), 1) }

func textCells(s string) int {
	n := 0
	for _, r := range s {
		n += cells(r)
	}
	return n
}

// clip cuts s to at most w cells, ending it with "…" when it is cut.
func clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if len(s) <= w && isASCII(s) {
		return s
	}
	if textCells(s) <= w {
		return s
	}
	used := 0
	for i, r := range s {
		if used+cells(r) > w-1 {
			return s[:i] + "…"
		}
		used += cells(r)
	}
	return s
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// pad clips s to w cells and fills it with spaces to w cells, on the left
// when right is set.
func pad(s string, w int, right bool) string {
	s = clip(s, w)
	fill := strings.Repeat(" ", max(w-textCells(s), 0))
	if right {
		return fill + s
	}
	return s + fill
}

// liveCol is a column of a live table. Cells are already TerminalSafe.
type liveCol struct {
	head   string
	cells  []string
	right  bool // right-aligned (numbers)
	keep   int  // when the width is short, lower keep is dropped first
	shrink int  // > 0: may shrink to this many cells; 0: fixed at its natural width
	soft   int  // a shrinkable column gets up to this many cells before the rest column grows
	max    int  // > 0: natural width capped at this
	rest   bool // the last column: takes what is left, at least shrink cells
}

// fitColumns decides each column's width (0: dropped) for a line of at
// most width cells with gap spaces between columns.
func fitColumns(cols []liveCol, width, gap int) []int {
	nat := make([]int, len(cols))
	low := make([]int, len(cols))
	for i, c := range cols {
		nat[i] = textCells(c.head)
		for _, s := range c.cells {
			nat[i] = max(nat[i], textCells(s))
		}
		if c.max > 0 && !c.rest {
			nat[i] = min(nat[i], max(c.max, textCells(c.head)))
		}
		low[i] = nat[i]
		if c.shrink > 0 {
			low[i] = min(c.shrink, nat[i])
		}
	}
	shown := make([]bool, len(cols))
	count := len(cols)
	for i := range shown {
		shown[i] = true
	}
	need := func() int {
		n := gap * (count - 1)
		for i := range cols {
			if shown[i] {
				n += low[i]
			}
		}
		return n
	}
	for count > 1 && need() > width {
		drop := -1
		for i, c := range cols {
			if shown[i] && (drop < 0 || c.keep < cols[drop].keep) {
				drop = i
			}
		}
		shown[drop] = false
		count--
	}
	widths := make([]int, len(cols))
	for i := range cols {
		if shown[i] {
			widths[i] = low[i]
		}
	}
	if count == 1 {
		for i := range cols {
			if shown[i] {
				widths[i] = min(nat[i], width)
			}
		}
		return widths
	}
	// The spare cells go to shrunk columns up to their soft width (the
	// ones kept longest first), then to the rest column, then to the
	// shrunk columns again up to their natural width.
	extra := width - need()
	order := make([]int, 0, len(cols))
	for i, c := range cols {
		if shown[i] && !c.rest && widths[i] < nat[i] {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(cols[b].keep, cols[a].keep) })
	grow := func(i, to int) {
		add := max(min(extra, to-widths[i]), 0)
		widths[i] += add
		extra -= add
	}
	for _, i := range order {
		grow(i, min(nat[i], cols[i].soft))
	}
	for i, c := range cols {
		if shown[i] && c.rest {
			grow(i, nat[i])
		}
	}
	for _, i := range order {
		grow(i, nat[i])
	}
	return widths
}

// tableLines lays out rows (and the header line first when header is
// set) with the widths from fitColumns.
func tableLines(cols []liveCol, widths []int, gap int, header bool, rows int) []string {
	var lines []string
	line := func(cell func(c liveCol) string) string {
		var b strings.Builder
		first := true
		for i, c := range cols {
			if widths[i] == 0 {
				continue
			}
			if !first {
				b.WriteString(strings.Repeat(" ", gap))
			}
			first = false
			b.WriteString(pad(cell(c), widths[i], c.right))
		}
		return strings.TrimRight(b.String(), " ")
	}
	if header {
		lines = append(lines, line(func(c liveCol) string { return c.head }))
	}
	for r := 0; r < rows; r++ {
		lines = append(lines, line(func(c liveCol) string { return c.cells[r] }))
	}
	return lines
}

// roomy reports whether no column was dropped and the shrinkable ones got
// their soft width (the rest column 30 cells), or all they need.
func roomy(cols []liveCol, widths []int) bool {
	for i, c := range cols {
		if widths[i] == 0 {
			return false
		}
		if c.shrink > 0 {
			nat := 0
			for _, s := range c.cells {
				nat = max(nat, textCells(s))
			}
			enough := c.soft
			if c.rest {
				enough = 30
			}
			if widths[i] < min(nat, enough) {
				return false
			}
		}
	}
	return true
}

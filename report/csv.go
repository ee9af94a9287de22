package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// DefaultCSVSection is the section renderCSV writes when none is named.
const DefaultCSVSection = "domains"

// renderCSV writes one section of the report, the one named by o.Section
// (default "domains"), as CSV for spreadsheets and scripts: a header row,
// then one record per row. An empty section yields the header row alone,
// so a consumer always sees the columns. An unknown section is an error
// that lists SectionIDs.
//
// Header cells a section leaves empty get a name ("item" for the first
// column, "detail" after that), so that every column can be addressed.
// Every cell goes through CSVSafe.
func renderCSV(w io.Writer, m *Model, o RenderOptions) error {
	id := o.Section
	if id == "" {
		id = DefaultCSVSection
	}
	if !slices.Contains(SectionIDs, id) {
		return fmt.Errorf("report: unknown section %q (want one of %s)", id, strings.Join(SectionIDs, ", "))
	}
	t, ok := m.Table(id, o.zone())
	if !ok {
		t = emptySection(m, id, o.zone())
	}
	cw := csv.NewWriter(w)
	header := csvHeader(t.Header)
	for i, c := range header {
		header[i] = CSVSafe(c)
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("report: csv %s: %w", id, err)
	}
	rec := make([]string, len(header))
	for _, r := range t.Rows {
		for i := range rec {
			rec[i] = ""
			if i < len(r) {
				rec[i] = CSVSafe(r[i])
			}
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("report: csv %s: %w", id, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report: csv %s: %w", id, err)
	}
	return nil
}

// csvHeader names the columns a Table leaves unnamed and makes the names
// unique, so that a CSV header can be used as field names.
func csvHeader(h []string) []string {
	out := make([]string, len(h))
	seen := make(map[string]int, len(h))
	for i, c := range h {
		if c == "" {
			c = "detail"
			if i == 0 {
				c = "item"
			}
		}
		if k := seen[c]; k > 0 {
			seen[c] = k + 1
			c = fmt.Sprintf("%s %d", c, k+1)
		} else {
			seen[c] = 1
		}
		out[i] = c
	}
	return out
}

// emptySection returns the section id with its header but without rows:
// Model.Tables leaves empty sections out, and the CSV of an empty section
// still needs its header row. The list must follow SectionIDs (a test
// checks it).
func emptySection(m *Model, id string, zone *time.Location) Table {
	for _, t := range allSections(m, zone) {
		if t.ID == id {
			return t
		}
	}
	return Table{ID: id}
}

// CSVSafe makes a cell safe to open in a spreadsheet and to print on a
// terminal: it is the one place CSV output escapes.
//
// Line breaks become spaces and other control characters are neutralised
// by TerminalSafe: "pftls report --format csv" is often read on a terminal
// before it reaches a file, and Postfix itself logs control characters as
// '?', so nothing meaningful is lost (the JSON output is the one that keeps
// log text exactly as written).
//
// Then formula injection ("CSV injection"): a cell whose first non-blank
// character is = + - or @, or the full-width forms of those that some
// spreadsheets also accept, gets a leading single quote, which spreadsheets
// take as "this is text". (A leading tab or carriage return, also used to
// smuggle formulas, is a blank by then, and blanks are looked through.)
//
// A plain negative number ("-1", "-0.5", "-12.5%") is left as it is: no
// spreadsheet evaluates it as anything but the number, and quoting it would
// turn it into text; anything else after a minus sign ("-1+2",
// "-cmd|...") is quoted. Quotes and separators inside a cell are
// encoding/csv's business.
func CSVSafe(s string) string {
	s = oneLine(s)
	t := strings.TrimLeft(s, " ")
	if t == "" {
		return s
	}
	switch t[0] {
	case '=', '+', '@':
		return "'" + s
	case '-':
		if t == s && plainNegative(s) {
			return s
		}
		return "'" + s
	}
	for _, p := range []string{"＝", "＋", "－", "＠"} {
		if strings.HasPrefix(t, p) {
			return "'" + s
		}
	}
	return s
}

// plainNegative reports whether s is a minus sign, decimal digits, an
// optional fraction and an optional trailing %: "-1", "-0.25", "-3%".
func plainNegative(s string) bool {
	s = strings.TrimSuffix(s[1:], "%")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	return allDigits(intPart) && (!hasFrac || allDigits(frac))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

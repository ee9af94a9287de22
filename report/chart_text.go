package report

import (
	"fmt"
	"strings"
	"time"
)

// chartBlock is a chart of the text formats: a title, a note and lines of
// sparklines. Labels are log text (domain names): the text renderer makes
// them TerminalSafe, the Markdown one puts the lines in a code block.
type chartBlock struct {
	Title, Note string
	Lines       []string
	// Rows are the same chart as cells (label, sparkline, words), when its
	// labels are log text: Markdown writes them as a table.
	Rows [][3]string
}

// maxChartLabel is the widest label beside a sparkline; a longer domain
// name gets a line of its own (never cut).
const maxChartLabel = 28

// textCharts are the charts of the text report and the Markdown one:
// traffic and problems by hour of day, and the failing domains' problems
// over the window, as sparklines of Unicode blocks (▁▂▃▄▅▆▇█) or, when
// ascii is set, of ".:-=+*#@". Each row is scaled to its own peak and says
// its total, so a reader never has to judge a bar's height.
func (m *Model) textCharts(zone *time.Location, ascii bool) []chartBlock {
	var blocks []chartBlock
	if volume, problems, ok := m.hourlyCharts(); ok {
		all := append(volume, problems...)
		w := 0
		for _, s := range all {
			w = max(w, runes(s.Name))
		}
		axis := "00    06    12    18    "
		b := chartBlock{Title: "Traffic and problems by hour of day (chart)",
			Note: "one column an hour from 00 to 23, each row scaled to its own peak; the numbers are in the per-hour table"}
		b.Lines = append(b.Lines, fmt.Sprintf("%-*s |%s|", w, "", axis))
		for _, s := range all {
			b.Lines = append(b.Lines, fmt.Sprintf("%-*s |%s| %s", w, s.Name, sparkline(s.Values, ascii), hourTotal(s)))
		}
		blocks = append(blocks, b)
	}
	if t := m.Trends; t != nil && len(t.Domains) > 0 {
		b := chartBlock{Title: "Problems of the most troubled destination domains (chart)",
			Note: t.caption(zone) + "; TLS failures, deferrals and bounces together, each row scaled to its own peak"}
		w := 0
		for _, d := range t.Domains {
			if n := runes(d.Domain); n <= maxChartLabel {
				w = max(w, n)
			}
		}
		for _, d := range t.Domains {
			spark, counts := sparkline(trendSum(d), ascii), trendBreakdown(d)
			b.Rows = append(b.Rows, [3]string{d.Domain, spark, counts})
			line := "|" + spark + "| " + counts
			if runes(d.Domain) > w {
				b.Lines = append(b.Lines, d.Domain, strings.Repeat(" ", w+1)+line)
				continue
			}
			b.Lines = append(b.Lines, d.Domain+strings.Repeat(" ", w-runes(d.Domain)+1)+line)
		}
		blocks = append(blocks, b)
	}
	return blocks
}

// hourTotal says a series' total and, when it has one, its peak hour.
func hourTotal(s chartSeries) string {
	t := s.total()
	if t == 0 {
		return "0"
	}
	p, at := s.peak()
	return fmt.Sprintf("%d, peak %d at %02d:00", t, p, at)
}

// markdownFence is a code fence longer than any run of backticks in the
// lines (CommonMark 4.5), so that no line can close the block.
func markdownFence(lines []string) string {
	longest := 0
	for _, l := range lines {
		run := 0
		for i := 0; i < len(l); i++ {
			if l[i] == '`' {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

package report

import (
	"fmt"
	"strings"
	"time"
)

// This file draws the e-mail's charts, in the HTML part, as HTML tables:
// a bar is a row of cells whose width is a percentage and whose colour is
// a bgcolor attribute (and the same inline background-color). Inline SVG
// would be lighter, but Gmail and Outlook strip it, and a PNG attached and
// referenced by cid: would need an image encoder, grow the mail and be
// blocked by clients that hold back images; tables with widths and
// bgcolor render in every client admins use, scale with the mail's width,
// and need no image. Colour is not needed to read them: each bar has its
// numbers in words beside it, and the failing domains' trends are drawn
// with Unicode block characters (a sparkline), which every client shows.

// mailCharts are the e-mail's charts.
type mailCharts struct {
	Hours     []mailHour
	HoursNote string
	Mix       []mailMix
	Trend     []mailTrend
	TrendNote string
}

// mailHour is one hour of day: a volume bar, a problems bar, the numbers.
type mailHour struct {
	Label    string
	Volume   []mailSeg
	Problems []mailSeg
	Text     string
}

// mailSeg is one coloured part of a bar, Pct percent of its width.
type mailSeg struct {
	Pct   int
	Color string // a constant of mailColors
}

// mailMix is one 100% bar of the TLS mix with its legend.
type mailMix struct {
	Title string
	Segs  []mailSeg
	Parts []mailLegend
}

type mailLegend struct {
	Color, Text string
}

// mailTrend is a failing domain's sparkline.
type mailTrend struct {
	Domain, Spark, Text string
}

// mailColors are the bars' colours, constants (never log text).
var mailColors = []string{"#57606a", "#0969da", "#bc4c00", "#cf222e", "#8250df", "#1a7f37", "#9a6700", "#d0d7de"}

// pctOf is v of top as a whole percentage, at least 1 for any v > 0.
func pctOf(v, top int64) int {
	if v <= 0 || top <= 0 {
		return 0
	}
	return max(int(100*v/top), 1)
}

// mailChartsOf makes the e-mail's charts: the hours with traffic (the
// others are left out: the mail stays short), the TLS mix, the failing
// domains' sparklines.
func (m *Model) mailChartsOf(zone *time.Location) *mailCharts {
	c := &mailCharts{}
	if volume, problems, ok := m.hourlyCharts(); ok {
		var topV, topP int64
		for h := 0; h < 24; h++ {
			for _, s := range volume {
				topV = max(topV, s.Values[h])
			}
			var p int64
			for _, s := range problems {
				p += s.Values[h]
			}
			topP = max(topP, p)
		}
		c.HoursNote = "the upper bar is volume (grey received, blue delivered), the lower one problems (orange deferral lines, red bounced, purple TLS failures)"
		for h := 0; h < 24; h++ {
			var row mailHour
			var words []string
			for i, s := range volume {
				if v := s.Values[h]; v > 0 {
					row.Volume = append(row.Volume, mailSeg{pctOf(v, topV) / len(volume), mailColors[i]})
					words = append(words, fmt.Sprintf("%d %s", v, s.Name))
				}
			}
			for i, s := range problems {
				if v := s.Values[h]; v > 0 {
					row.Problems = append(row.Problems, mailSeg{pctOf(v, topP), mailColors[2+i]})
					words = append(words, fmt.Sprintf("%d %s", v, s.Name))
				}
			}
			if len(words) == 0 {
				continue
			}
			row.Label = fmt.Sprintf("%02d:00", h)
			row.Text = strings.Join(words, " · ")
			c.Hours = append(c.Hours, row)
		}
	}
	for _, b := range m.tlsMixBars() {
		mix := mailMix{Title: b.Title + " (" + n(b.Total) + ")"}
		for _, p := range b.Parts {
			color := mailColors[p.Style]
			mix.Segs = append(mix.Segs, mailSeg{pctOf(p.Count, b.Total), color})
			mix.Parts = append(mix.Parts, mailLegend{color, oneLine(p.Name) + " " + n(p.Count) + " (" + share(p.Count, b.Total) + ")"})
		}
		c.Mix = append(c.Mix, mix)
	}
	if t := m.Trends; t != nil {
		c.TrendNote = oneLine(t.caption(zone)) + "; TLS failures, deferrals and bounces together, each row scaled to its own peak"
		for _, d := range t.Domains {
			c.Trend = append(c.Trend, mailTrend{Domain: oneLine(d.Domain), Spark: sparkline(trendSum(d), false), Text: trendBreakdown(d)})
		}
	}
	if len(c.Hours) == 0 && len(c.Mix) == 0 && len(c.Trend) == 0 {
		return nil
	}
	return c
}

// mailChartsTemplate draws mailCharts; defined in the page's template. It
// uses only the elements the rest of the page does (table, p, span, div).
//
// A bar is kept small (a daily mail has 24 hours of two bars each, and
// the whole mail must stay under 200 KB): the cell's size and colour are
// attributes, the font size that keeps an empty cell 8 px high is said
// once on the row, and the attributes that are defaults (border="0") or
// only repeat what a table without headers is (role="presentation") are
// left out.
const mailChartsTemplate = `{{define "mailbar"}}<table width="100%" cellpadding="0" cellspacing="0"><tr style="font-size:1px;line-height:1px">
{{- range .}}<td width="{{.Pct}}%" bgcolor="{{.Color}}" height="8">&nbsp;</td>{{end}}<td>&nbsp;</td></tr></table>{{end}}
{{- define "mailcharts"}}
{{- if .Hours}}
<p style="font-size:15px;margin:8px 0 2px 0;font-weight:bold">Traffic and problems by hour of day</p>
<p style="margin:0 0 6px 0;color:#57606a;font-style:italic;font-size:13px">{{.HoursNote}}</p>
<table role="presentation" width="100%" cellpadding="2" cellspacing="0" border="0" style="width:100%;font-size:12px">
{{- range .Hours}}
<tr valign="top"><td width="44">{{.Label}}</td><td>{{template "mailbar" .Volume}}{{template "mailbar" .Problems}}<span style="color:#57606a">{{.Text}}</span></td></tr>
{{- end}}
</table>
{{- end}}
{{- if .Mix}}
<p style="font-size:15px;margin:12px 0 2px 0;font-weight:bold">TLS mix</p>
{{- range .Mix}}
<p style="margin:6px 0 2px 0;font-weight:bold;font-size:13px">{{.Title}}</p>
{{template "mailbar" .Segs}}
<p style="margin:2px 0 0 0;font-size:12px">{{range $i, $p := .Parts}}{{if $i}} · {{end}}<span style="color:{{$p.Color}}">&#9632;</span>&nbsp;{{$p.Text}}{{end}}</p>
{{- end}}
{{- end}}
{{- if .Trend}}
<p style="font-size:15px;margin:12px 0 2px 0;font-weight:bold">Problems of the most troubled destination domains</p>
<p style="margin:0 0 6px 0;color:#57606a;font-style:italic;font-size:13px">{{.TrendNote}}</p>
<table role="presentation" width="100%" cellpadding="2" cellspacing="0" border="0" style="width:100%;font-size:12px">
{{- range .Trend}}
<tr valign="top"><td><span style="font-weight:bold;overflow-wrap:anywhere">{{.Domain}}</span> <span style="color:#57606a">{{.Text}}</span><div style="font-family:Menlo,Consolas,'DejaVu Sans Mono',monospace;white-space:pre;font-size:13px">|{{.Spark}}|</div></td></tr>
{{- end}}
</table>
{{- end}}
{{- end}}`

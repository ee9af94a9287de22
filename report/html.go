package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"
)

// renderHTML writes the report as one self-contained HTML5 page, made to
// be read in a browser and in mail clients (Gmail, Outlook, Thunderbird):
// a table-based layout at most 1200px wide (1000px in Outlook) that narrows to a phone's 400px
// (the layout tables are table-layout:fixed, so a wide data table scrolls
// inside its own overflow-x wrapper instead of widening the page; times
// never wrap), the system font stack, inline CSS only (a <style> block for
// the clients that keep it, and the essential look repeated as inline
// styles and plain attributes — cellpadding, bgcolor, align — for the ones
// that strip it), and no scripts, images or other external resources. Its
// charts are inline SVG (chart_svg.go).
//
// The page is an html/template, so every string it shows is escaped by the
// template engine; log text is never marked as template.HTML. Before that,
// oneLine takes control characters out of it.
func renderHTML(w io.Writer, m *Model, o RenderOptions) error {
	return writeHTMLPage(w, m, o, false)
}

// renderMailHTML is the HTML part of the e-mail: the same page, with the
// charts drawn as HTML tables instead of SVG (see chart_mail.go).
func renderMailHTML(w io.Writer, m *Model, o RenderOptions) error {
	return writeHTMLPage(w, m, o, true)
}

func writeHTMLPage(w io.Writer, m *Model, o RenderOptions, mail bool) error {
	p := newHTMLPage(m, o)
	if mail {
		p.Mail = m.mailChartsOf(o.zone())
	} else {
		for _, c := range []*svgChart{m.hourlySVG(), m.trendSVG(o.zone()), m.mixSVG()} {
			if c != nil {
				p.SVG = append(p.SVG, c.clean())
			}
		}
	}
	if err := htmlPageTemplate.Execute(w, p); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return nil
}

// htmlPage is what the HTML template shows: the Model's tables with every
// string already cleaned by htmlText.
type htmlPage struct {
	Title    string
	Meta     [][2]string
	Alerts   []string // what was not understood, shown first (Model.Alerts)
	Sections []htmlSection
	// MSOOpen and MSOClose are Outlook-only conditional comments that give
	// the page a fixed 1000px width there (Outlook ignores max-width).
	// They are constants, never log text.
	MSOOpen, MSOClose template.HTML
	// The charts, shown after the totals: SVG in the page, tables in the
	// e-mail.
	SVG  []*svgChart
	Mail *mailCharts
}

type htmlSection struct {
	ID, Title, Note string
	Accent          string // left border colour: problems stand out
	Header          []htmlCell
	Rows            []htmlRow
}

type htmlRow struct {
	Zebra bool
	Cells []htmlCell
}

type htmlCell struct {
	Text  string
	Right bool
	// Parts, for a time or a span of times, are the pieces that must not
	// wrap inside ("2026-11-23 00:20:18 -", "00:25:54"): a browser would
	// break a narrow column at every space and hyphen of the dates.
	Parts []string
}

// timeColumns are the headers of columns whose cells hold times.
var timeColumns = map[string]bool{"seen": true, "first seen": true, "last seen": true, "time": true}

// timeParts cuts a time span after its dash: "2026-11-23 00:20:18 -
// 00:25:54" takes two lines at most in a narrow column, never one a word.
func timeParts(s string) []string {
	if a, b, ok := strings.Cut(s, " - "); ok {
		return []string{a + " -", b}
	}
	return []string{s}
}

// Accent colours of a section's left border.
const (
	accentNone    = "#ffffff"
	accentError   = "#cf222e" // TLS failures
	accentWarning = "#bf8700" // deferrals
)

// sectionAccent marks the sections that show problems.
var sectionAccent = map[string]string{
	"tls-failures": accentError,
	"deferrals":    accentWarning,
	"input":        accentError,
}

func newHTMLPage(m *Model, o RenderOptions) htmlPage {
	zone := o.zone()
	p := htmlPage{
		Title:    oneLine(o.title()),
		MSOOpen:  `<!--[if mso]><table role="presentation" width="1000" align="center" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->`,
		MSOClose: `<!--[if mso]></td></tr></table><![endif]-->`,
	}
	for _, h := range m.reportHeaderLines(zone) {
		p.Meta = append(p.Meta, [2]string{oneLine(h[0]), oneLine(h[1])})
	}
	for _, a := range m.Alerts() {
		p.Alerts = append(p.Alerts, oneLine(a))
	}
	for _, t := range m.Tables(zone) {
		s := htmlSection{ID: t.ID, Title: oneLine(t.Title), Note: oneLine(t.Note), Accent: accentNone}
		if a, ok := sectionAccent[t.ID]; ok {
			s.Accent = a
		}
		right := func(i int) bool { return i < len(t.Align) && t.Align[i] == Right }
		for i, h := range t.Header {
			s.Header = append(s.Header, htmlCell{Text: oneLine(h), Right: right(i)})
		}
		for ri, r := range t.Rows {
			row := htmlRow{Zebra: ri%2 == 1, Cells: make([]htmlCell, len(t.Header))}
			for i := range row.Cells {
				row.Cells[i].Right = right(i)
				if i < len(r) {
					row.Cells[i].Text = oneLine(r[i])
					if timeColumns[t.Header[i]] {
						row.Cells[i].Parts = timeParts(row.Cells[i].Text)
					}
				}
			}
			s.Rows = append(s.Rows, row)
		}
		p.Sections = append(p.Sections, s)
	}
	return p
}

// htmlPageTemplate is the page. Styles that matter are inline (and as
// attributes) because some mail clients drop <style>; the <style> block
// adds what inline styles cannot say (the narrow-screen paddings) or what
// would bloat every cell.
var htmlPageTemplate = template.Must(template.Must(template.Must(template.New("page").Parse(htmlPageText)).Parse(svgTemplate)).Parse(mailChartsTemplate))

const htmlPageText = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>{{.Title}}</title>
<style>
body { margin: 0; padding: 0; background-color: #f3f4f6; color: #1f2328; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 14px; line-height: 1.4; }
table { border-collapse: collapse; }
h1 { font-size: 22px; margin: 0 0 12px 0; }
h2 { font-size: 17px; margin: 0 0 4px 0; }
.note { margin: 0 0 8px 0; color: #57606a; font-style: italic; font-size: 13px; }
.meta th { text-align: left; vertical-align: top; padding: 2px 12px 2px 0; color: #57606a; font-weight: normal; }
.meta td { padding: 2px 0; overflow-wrap: anywhere; }
.scroll { overflow-x: auto; width: 100%; }
.data { width: 100%; font-size: 13px; }
.data th { background-color: #eaeef2; border-bottom: 1px solid #d0d7de; padding: 4px 8px; vertical-align: bottom; }
.data td { border-bottom: 1px solid #eaeef2; padding: 4px 8px; vertical-align: top; overflow-wrap: break-word; }
.data .num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.data td:first-child { white-space: nowrap; }
@media (max-width: 600px) {
  .outer { padding: 8px 0 !important; }
  .card { padding: 10px 8px !important; }
  h1 { font-size: 19px !important; }
  .data td, .data th { padding: 3px 5px !important; }
}
</style>
</head>
<body style="margin:0;padding:0;background-color:#f3f4f6">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f3f4f6" style="background-color:#f3f4f6;table-layout:fixed">
<tr><td class="outer" align="center" style="padding:16px 8px">
{{.MSOOpen}}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#ffffff" style="max-width:1200px;width:100%;table-layout:fixed;background-color:#ffffff;color:#1f2328;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;font-size:14px;line-height:1.4;text-align:left">
<tr><td class="card" style="padding:20px 20px 8px 20px">
<h1 style="font-size:22px;margin:0 0 12px 0;overflow-wrap:anywhere">{{.Title}}</h1>
<table role="presentation" class="meta" cellpadding="2" cellspacing="0" border="0" style="font-size:13px">
{{- range .Meta}}
<tr><th align="left" valign="top" style="color:#57606a;font-weight:normal;padding-right:12px">{{index . 0}}</th><td style="overflow-wrap:anywhere">{{index . 1}}</td></tr>
{{- end}}
</table>
</td></tr>
{{- if .Alerts}}
<tr><td class="card" style="padding:12px 20px">
<table role="presentation" width="100%" cellpadding="8" cellspacing="0" border="0" bgcolor="#ffebe9" style="background-color:#ffebe9;border:2px solid #cf222e;table-layout:fixed"><tr><td style="overflow-wrap:anywhere">
{{- range $i, $a := .Alerts}}
<p style="margin:0 0 4px 0;color:#82071e{{if eq $i 0}};font-weight:bold{{end}}">{{if eq $i 0}}Warning: {{end}}{{$a}}</p>
{{- end}}
</td></tr></table>
</td></tr>
{{- end}}
{{- if not .Sections}}
<tr><td class="card" style="padding:12px 20px 20px 20px"><p style="margin:0">No mail activity in this window.</p></td></tr>
{{- end}}
{{- range .Sections}}
<tr><td class="card" style="padding:12px 20px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="table-layout:fixed"><tr><td style="border-left:4px solid {{.Accent}};padding-left:10px">
<h2 id="{{.ID}}" style="font-size:17px;margin:0 0 4px 0">{{.Title}}</h2>
{{- if .Note}}
<p class="note" style="margin:0 0 8px 0;color:#57606a;font-style:italic;font-size:13px">{{.Note}}</p>
{{- end}}
<div class="scroll" style="overflow-x:auto;width:100%">
<table class="data" width="100%" cellpadding="4" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;font-size:13px">
<thead>
<tr valign="bottom" bgcolor="#eaeef2">
{{- range .Header}}<th{{if .Right}} class="num" align="right"{{else}} align="left"{{end}}>{{.Text}}</th>{{end -}}
</tr>
</thead>
<tbody>
{{- range .Rows}}
<tr valign="top"{{if .Zebra}} bgcolor="#f6f8fa"{{end}}>
{{- range .Cells}}<td{{if .Right}} class="num" align="right" nowrap{{end}}>{{if .Parts}}{{range $i, $p := .Parts}}{{if $i}} {{end}}<span style="white-space:nowrap">{{$p}}</span>{{end}}{{else}}{{.Text}}{{end}}</td>{{end -}}
</tr>
{{- end}}
</tbody>
</table>
</div>
</td></tr></table>
</td></tr>
{{- if and (eq .ID "totals") (or $.SVG $.Mail)}}
<tr><td class="card" style="padding:12px 20px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="table-layout:fixed"><tr><td style="border-left:4px solid #ffffff;padding-left:10px">
<h2 id="charts" style="font-size:17px;margin:0 0 8px 0">Charts</h2>
{{- range $.SVG}}
{{template "svg" .}}
{{- end}}
{{- with $.Mail}}{{template "mailcharts" .}}{{end}}
</td></tr></table>
</td></tr>
{{- end}}
{{- end}}
<tr><td style="padding:0 0 8px 0">&nbsp;</td></tr>
</table>
{{.MSOClose}}
</td></tr>
</table>
</body>
</html>
`

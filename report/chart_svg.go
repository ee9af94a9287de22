package report

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"
)

// This file draws the HTML report's charts as inline SVG: no script, no
// external resource, and readable without colour. Every series has a fill
// pattern or a line style of its own besides its colour, a legend that
// shows the pattern with its name, and every bar a <title> with its
// number; the tables below say every number again.
//
// The SVG is written by html/template (svgTemplate, part of the page's
// template), which escapes every string in it like the rest of the page:
// domain names are log text. Only the pattern definitions (constants) are
// marked as template.HTML.

// svgChart is one chart, its geometry computed in Go.
type svgChart struct {
	ID          string // element id prefix, unique in the page
	Title, Desc string // accessible name and description
	W, H        int    // viewBox
	Defs        template.HTML
	Rects       []svgRect
	Lines       []svgLine
	Texts       []svgText
}

type svgRect struct {
	X, Y, W, H string
	Fill       string // a colour or url(#pattern): a constant
	Stroke     string
	Title      string // tooltip and accessible text
}

type svgLine struct {
	Points string // polyline points "x,y x,y"
	Stroke string
	Dash   string
	Width  string
}

type svgText struct {
	X, Y   string
	Anchor string // start, middle, end
	Size   string
	Bold   bool
	Text   string
}

// Chart geometry, in viewBox units: the charts are drawn 400 wide and
// scale with the page (at most 540 px wide, see svgTemplate): text of 12
// units is 10-11 px on a 400 px phone and 16 px at most on a desktop.
const (
	svgW     = 400
	svgLeft  = 40 // room for the axis numbers
	svgRight = 8
	svgPlotW = svgW - svgLeft - svgRight
)

// svgNum writes a coordinate with one decimal at most.
func svgNum(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// svgPatterns are the fills of the series, each a colour and a pattern
// (solid, hatched, dotted, ...), so that no two are told apart by colour
// alone. %[1]s is the chart's id prefix.
var svgPatterns = []struct{ name, def string }{
	{"solid-grey", `<pattern id="%[1]s-p0" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#57606a"/></pattern>`},
	{"hatch-blue", `<pattern id="%[1]s-p1" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="4" height="4" fill="#ddf4ff"/><rect width="2" height="4" fill="#0969da"/></pattern>`},
	{"cross-orange", `<pattern id="%[1]s-p2" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="#fff1e5"/><path d="M0 0L5 5M5 0L0 5" stroke="#bc4c00" stroke-width="1.2"/></pattern>`},
	{"solid-red", `<pattern id="%[1]s-p3" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#cf222e"/></pattern>`},
	{"dots-purple", `<pattern id="%[1]s-p4" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" fill="#fbefff"/><circle cx="2" cy="2" r="1.3" fill="#8250df"/></pattern>`},
	{"horizontal-green", `<pattern id="%[1]s-p5" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" fill="#dafbe1"/><rect width="4" height="2" fill="#1a7f37"/></pattern>`},
	{"vertical-brown", `<pattern id="%[1]s-p6" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" fill="#fff8c5"/><rect width="2" height="4" fill="#9a6700"/></pattern>`},
	{"solid-light", `<pattern id="%[1]s-p7" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#d0d7de"/></pattern>`},
}

// svgDefs are the pattern definitions of a chart with the given id.
func svgDefs(id string) template.HTML {
	var b strings.Builder
	for _, p := range svgPatterns {
		fmt.Fprintf(&b, p.def, id)
	}
	return template.HTML(b.String()) // constants and an id made of [a-z-]: no log text
}

func fill(id string, i int) string {
	return "url(#" + id + "-p" + strconv.Itoa(i%len(svgPatterns)) + ")"
}

// legend adds swatches with names from x0 at y, wrapping to a new row
// when the width is used up; it returns the y below it.
func (c *svgChart) legend(x0, y float64, names []string, fills []string) float64 {
	x := x0
	for i, nm := range names {
		w := 16 + 6.8*float64(runes(nm)) + 12
		if x+w > svgW && x > x0 {
			x, y = x0, y+16
		}
		c.Rects = append(c.Rects, svgRect{X: svgNum(x), Y: svgNum(y - 9), W: "11", H: "11", Fill: fills[i], Stroke: "#1f2328"})
		c.Texts = append(c.Texts, svgText{X: svgNum(x + 15), Y: svgNum(y), Size: "12", Text: nm})
		x += w
	}
	return y + 18
}

// clean makes the chart's log-derived text one line without control
// characters (oneLine), as the page's other text; html/template escapes it.
func (c *svgChart) clean() *svgChart {
	if c == nil {
		return nil
	}
	c.Title, c.Desc = oneLine(c.Title), oneLine(c.Desc)
	for i := range c.Texts {
		c.Texts[i].Text = oneLine(c.Texts[i].Text)
	}
	for i := range c.Rects {
		c.Rects[i].Title = oneLine(c.Rects[i].Title)
	}
	return c
}

// hourlySVG is the hourly chart: a panel of volume (received, delivered)
// above one of problems (deferral lines, bounced, TLS failures), a bar
// per series and hour, each panel scaled to its own peak.
func (m *Model) hourlySVG() *svgChart {
	volume, problems, ok := m.hourlyCharts()
	if !ok {
		return nil
	}
	const id = "chart-hourly"
	c := &svgChart{ID: id, Title: "Traffic and problems by hour of day",
		Desc: "Bars per hour of day, 00 to 23: received messages and delivered recipients above; deferral lines, bounced recipients and failed TLS sessions below. The per-hour table has the numbers.",
		Defs: svgDefs(id)}
	y := 14.0
	panel := func(title string, series []chartSeries, firstFill int) {
		names := make([]string, len(series))
		fills := make([]string, len(series))
		var top int64
		for i, s := range series {
			names[i], fills[i] = s.Name, fill(id, firstFill+i)
			p, _ := s.peak()
			top = max(top, p)
		}
		c.Texts = append(c.Texts, svgText{X: "0", Y: svgNum(y), Size: "13", Bold: true, Text: title})
		y = c.legend(svgLeft, y+16, names, fills)
		const h = 80.0
		base := y + h
		c.Lines = append(c.Lines, svgLine{Points: svgNum(svgLeft) + "," + svgNum(base) + " " + svgNum(svgW-svgRight) + "," + svgNum(base), Stroke: "#57606a", Width: "1"})
		c.Texts = append(c.Texts, svgText{X: svgNum(svgLeft - 4), Y: svgNum(y + 8), Anchor: "end", Size: "11", Text: n(top)},
			svgText{X: svgNum(svgLeft - 4), Y: svgNum(base), Anchor: "end", Size: "11", Text: "0"})
		slot := float64(svgPlotW) / 24
		bw := (slot - 2) / float64(len(series))
		for hr := 0; hr < 24; hr++ {
			for i, s := range series {
				v := s.Values[hr]
				if v <= 0 || top <= 0 {
					continue
				}
				bh := max(h*float64(v)/float64(top), 1.5)
				c.Rects = append(c.Rects, svgRect{X: svgNum(svgLeft + float64(hr)*slot + 1 + float64(i)*bw), Y: svgNum(base - bh), W: svgNum(bw), H: svgNum(bh),
					Fill: fills[i], Stroke: "#1f2328", Title: fmt.Sprintf("%02d:00 %s: %d", hr, s.Name, v)})
			}
		}
		y = base + 14
		for hr := 0; hr < 24; hr += 3 {
			c.Texts = append(c.Texts, svgText{X: svgNum(svgLeft + (float64(hr)+0.5)*slot), Y: svgNum(y), Anchor: "middle", Size: "11", Text: fmt.Sprintf("%02d", hr)})
		}
		y += 22
	}
	panel("Volume", volume, 0)
	panel("Problems", problems, 2)
	c.W, c.H = svgW, int(y-8)
	return c
}

// trendSVG is the per-domain trend chart: small multiples, one row per
// failing domain with its name and totals, and a line per kind of problem
// (TLS failures solid, deferrals dashed, bounces dotted) over the window,
// each row scaled to its own peak.
func (m *Model) trendSVG(zone *time.Location) *svgChart {
	t := m.Trends
	if t == nil || len(t.Domains) == 0 {
		return nil
	}
	const id = "chart-trend"
	c := &svgChart{ID: id, Title: "Problems of the most troubled destination domains",
		Desc: "One row per destination domain: failed TLS sessions (solid line), deferral lines (dashed) and bounced recipients (dotted) over " + t.caption(zone) + ".",
		Defs: svgDefs(id)}
	styles := []struct{ stroke, dash string }{{"#8250df", ""}, {"#bc4c00", "6 3"}, {"#cf222e", "1.5 2.5"}}
	y := 14.0
	x := float64(svgLeft)
	for i, name := range []string{"TLS failures", "deferrals", "bounced"} {
		c.Lines = append(c.Lines, svgLine{Points: svgNum(x) + "," + svgNum(y-4) + " " + svgNum(x+22) + "," + svgNum(y-4), Stroke: styles[i].stroke, Dash: styles[i].dash, Width: "2.5"})
		c.Texts = append(c.Texts, svgText{X: svgNum(x + 26), Y: svgNum(y), Size: "12", Text: name})
		x += 26 + 6.8*float64(runes(name)) + 16
	}
	y += 12
	const rowH, lineH = 44.0, 22.0
	step := float64(svgPlotW) / float64(t.Buckets)
	for _, d := range t.Domains {
		c.Texts = append(c.Texts, svgText{X: "0", Y: svgNum(y + 11), Size: "13", Bold: true, Text: d.Domain},
			svgText{X: svgNum(svgW - svgRight), Y: svgNum(y + 11), Anchor: "end", Size: "11", Text: trendBreakdown(d)})
		base := y + 16 + lineH
		c.Lines = append(c.Lines, svgLine{Points: svgNum(svgLeft) + "," + svgNum(base) + " " + svgNum(svgW-svgRight) + "," + svgNum(base), Stroke: "#d0d7de", Width: "1"})
		var top int64
		for _, s := range trendSeries(d) {
			p, _ := s.peak()
			top = max(top, p)
		}
		c.Texts = append(c.Texts, svgText{X: svgNum(svgLeft - 4), Y: svgNum(base - lineH + 8), Anchor: "end", Size: "11", Text: n(top)})
		for i, s := range trendSeries(d) {
			if s.total() == 0 {
				continue
			}
			var pts []string
			for b, v := range s.Values {
				px := svgLeft + (float64(b)+0.5)*step
				py := base - lineH*float64(v)/float64(top)
				pts = append(pts, svgNum(px)+","+svgNum(py))
				if v > 0 {
					c.Rects = append(c.Rects, svgRect{X: svgNum(px - 1.5), Y: svgNum(py - 1.5), W: "3", H: "3", Fill: styles[i].stroke,
						Title: fmt.Sprintf("%s %s: %d", d.Domain, s.Name, v)})
				}
			}
			c.Lines = append(c.Lines, svgLine{Points: strings.Join(pts, " "), Stroke: styles[i].stroke, Dash: styles[i].dash, Width: "1.8"})
		}
		y += rowH
	}
	end := t.From.Add(time.Duration(t.StepSeconds) * time.Second * time.Duration(t.Buckets))
	c.Texts = append(c.Texts, svgText{X: svgNum(svgLeft), Y: svgNum(y + 4), Size: "11", Text: t.From.In(zone).Format("2006-01-02 15:04")},
		svgText{X: svgNum(svgW - svgRight), Y: svgNum(y + 4), Anchor: "end", Size: "11", Text: end.In(zone).Format("2006-01-02 15:04")})
	c.W, c.H = svgW, int(y+12)
	return c
}

// mixSVG is the TLS mix chart: a 100% bar per view (trust, protocol,
// post-quantum share), its parts patterned, and a legend with each part's
// count and share under it.
func (m *Model) mixSVG() *svgChart {
	bars := m.tlsMixBars()
	if len(bars) == 0 {
		return nil
	}
	const id = "chart-mix"
	c := &svgChart{ID: id, Title: "TLS mix", Desc: "Outbound delivery attempts by TLS trust, TLS sessions by protocol, and the share of TLS sessions with a post-quantum hybrid key exchange.",
		Defs: svgDefs(id)}
	y := 14.0
	for _, b := range bars {
		c.Texts = append(c.Texts, svgText{X: "0", Y: svgNum(y), Size: "13", Bold: true, Text: b.Title + " (" + n(b.Total) + ")"})
		y += 6
		x := 0.0
		names := make([]string, len(b.Parts))
		fills := make([]string, len(b.Parts))
		for i, p := range b.Parts {
			w := float64(svgW) * float64(p.Count) / float64(b.Total)
			names[i] = p.Name + " " + n(p.Count) + " (" + share(p.Count, b.Total) + ")"
			fills[i] = fill(id, int(p.Style))
			c.Rects = append(c.Rects, svgRect{X: svgNum(x), Y: svgNum(y), W: svgNum(w), H: "18", Fill: fills[i], Stroke: "#1f2328", Title: names[i]})
			x += w
		}
		y += 18 + 18
		y = c.legend(0, y, names, fills)
	}
	c.W, c.H = svgW, int(y-6)
	return c
}

// svgTemplate draws an svgChart; it is defined in the page's template so
// that html/template escapes its text like the rest of the page.
const svgTemplate = `{{define "svg"}}<figure style="margin:0 0 18px 0">
<figcaption style="font-size:15px;font-weight:bold;margin:0 0 4px 0">{{.Title}}</figcaption>
<svg id="{{.ID}}" viewBox="0 0 {{.W}} {{.H}}" width="100%" role="img" aria-labelledby="{{.ID}}-title {{.ID}}-desc" xmlns="http://www.w3.org/2000/svg" style="display:block;max-width:540px;width:100%;height:auto;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif">
<title id="{{.ID}}-title">{{.Title}}</title>
<desc id="{{.ID}}-desc">{{.Desc}}</desc>
<defs>{{.Defs}}</defs>
{{- range .Rects}}
<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="{{.Fill}}"{{if .Stroke}} stroke="{{.Stroke}}" stroke-width="0.5"{{end}}>{{if .Title}}<title>{{.Title}}</title>{{end}}</rect>
{{- end}}
{{- range .Lines}}
<polyline points="{{.Points}}" fill="none" stroke="{{.Stroke}}" stroke-width="{{.Width}}"{{if .Dash}} stroke-dasharray="{{.Dash}}"{{end}}/>
{{- end}}
{{- range .Texts}}
<text x="{{.X}}" y="{{.Y}}" font-size="{{.Size}}" fill="#1f2328"{{if .Anchor}} text-anchor="{{.Anchor}}"{{end}}{{if .Bold}} font-weight="bold"{{end}}>{{.Text}}</text>
{{- end}}
</svg>
</figure>{{end}}`

package report

import (
	"fmt"
	"io"
	"time"
)

// Formats are the output formats Render knows.
var Formats = []string{"text", "markdown", "json", "csv", "html", "prometheus"} // prometheus: see prometheus.go, not Render

// RenderOptions adjust a rendering.
type RenderOptions struct {
	Zone    *time.Location // time zone for times shown to people (default local)
	Section string         // csv: the one section to write (default "domains")
	Width   int            // text: terminal width to fit (default 100)
	Title   string         // heading; default "pftls report"
	// ASCII draws the text and Markdown charts with ASCII characters
	// instead of Unicode blocks (see ASCIICharts).
	ASCII bool
}

func (o RenderOptions) zone() *time.Location {
	if o.Zone == nil {
		return time.Local
	}
	return o.Zone
}

func (o RenderOptions) title() string {
	if o.Title == "" {
		return "pftls report"
	}
	return o.Title
}

// Render writes the model in the named format.
func Render(w io.Writer, m *Model, format string, o RenderOptions) error {
	if format != "json" {
		m = m.forPeople()
	}
	switch format {
	case "text", "":
		return renderText(w, m, o)
	case "markdown", "md":
		return renderMarkdown(w, m, o)
	case "json":
		return renderJSON(w, m)
	case "csv":
		return renderCSV(w, m, o)
	case "html":
		return renderHTML(w, m, o)
	}
	return fmt.Errorf("report: unknown format %q (want one of %v)", format, Formats)
}

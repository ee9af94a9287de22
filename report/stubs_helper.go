package report

import "io"

func renderMarkdown(w io.Writer, m *Model, o RenderOptions) error { return nil }
func renderCSV(w io.Writer, m *Model, o RenderOptions) error      { return nil }
func renderHTML(w io.Writer, m *Model, o RenderOptions) error     { return nil }

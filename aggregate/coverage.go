package aggregate

import (
	"bytes"
	"cmp"
	"slices"
	"strings"

	"github.com/pftls/pftls/logparse"
)

// Coverage says how much of one source pftls understood: the counts every
// report needs to never be silently wrong about its input. A Run keeps one
// per source (FileResult.Coverage).
type Coverage struct {
	Lines     int64 // every line read
	Postfix   int64 // lines of Postfix programs (understood or not)
	Foreign   int64 // lines of other programs, skipped
	Malformed int64 // lines with no envelope pftls knows
	Bare      int64 // of Malformed, Postfix messages without any envelope (journalctl -o cat)
	Unparsed  int64 // Postfix lines pftls did not understand
	// Formats counts the envelope formats of the lines that had one.
	Formats []FormatCount
	// Examples are the first lines not understood (malformed or
	// unparsed), as read, at most MaxCoverageExamples of them.
	Examples []string
	// First is the first line read (cut short), Head its first bytes:
	// enough to recognise a compressed or binary file by its magic bytes.
	First string
	Head  []byte
}

// FormatCount is how many lines came in one envelope format.
type FormatCount struct {
	Format logparse.Format
	Lines  int64
}

// MaxCoverageExamples bounds Coverage.Examples.
const MaxCoverageExamples = 3

// maxExample bounds the length of one kept example line.
const maxExample = 200

// add counts one parsed line. It is on the hot path of every reading:
// no allocation but for the few examples kept.
func (c *Coverage) add(l *logparse.Line) {
	if c.Lines == 0 {
		c.First = strings.Clone(l.Raw[:min(len(l.Raw), maxExample)])
		c.Head = []byte(l.Raw[:min(len(l.Raw), 16)])
	}
	c.Lines++
	notUnderstood := false
	kind := l.Event.Kind()
	switch kind {
	case logparse.KindForeign:
		c.Foreign++
	case logparse.KindMalformed:
		c.Malformed++
		notUnderstood = true
		if l.Format == logparse.FormatBare {
			c.Bare++
		}
	case logparse.KindUnparsed:
		c.Unparsed++
		c.Postfix++
		notUnderstood = true
	default:
		c.Postfix++
	}
	if notUnderstood && len(c.Examples) < MaxCoverageExamples {
		c.Examples = append(c.Examples, strings.Clone(l.Raw[:min(len(l.Raw), maxExample)]))
	}
	if l.Format != "" && (kind != logparse.KindMalformed || l.Format == logparse.FormatBare) {
		c.countFormat(l.Format)
	}
}

// countFormat adds a line to its format's count: a short list, usually of
// one format, so a scan beats a map.
func (c *Coverage) countFormat(f logparse.Format) {
	for i := range c.Formats {
		if c.Formats[i].Format == f {
			c.Formats[i].Lines++
			return
		}
	}
	c.Formats = append(c.Formats, FormatCount{f, 1})
}

// Clone returns a copy that shares nothing with c.
func (c Coverage) Clone() Coverage {
	c.Formats = slices.Clone(c.Formats)
	c.Examples = slices.Clone(c.Examples)
	c.Head = bytes.Clone(c.Head)
	return c
}

// NotUnderstood is the lines pftls could not read: malformed and unparsed.
func (c *Coverage) NotUnderstood() int64 { return c.Malformed + c.Unparsed }

// Guess is the format most lines came in; "" when none had a known one.
func (c *Coverage) Guess() logparse.Format {
	if len(c.Formats) == 0 {
		return ""
	}
	best := slices.MaxFunc(c.Formats, func(a, b FormatCount) int { return cmp.Compare(a.Lines, b.Lines) })
	return best.Format
}

// Compression names the compression or binary format the first bytes show
// ("xz-compressed", "a PNG image"), or "" for text.
func (c *Coverage) Compression() string {
	for _, m := range magics {
		if bytes.HasPrefix(c.Head, []byte(m.magic)) {
			return m.name
		}
	}
	return ""
}

var magics = []struct{ magic, name string }{
	{"\xfd7zXZ\x00", "xz-compressed"},
	{"\x1f\x8b", "gzip-compressed"},
	{"BZh", "bzip2-compressed"},
	{"\x28\xb5\x2f\xfd", "zstd-compressed"},
	{"\x04\x22\x4d\x18", "lz4-compressed"},
	{"\x89PNG", "a PNG image"},
	{"PK\x03\x04", "a zip archive"},
	{"7z\xbc\xaf\x27\x1c", "a 7z archive"},
	{"\x7fELF", "an ELF executable"},
	{"%PDF", "a PDF document"},
	{"SQLite format 3", "an SQLite database"},
}

// Unreadable reports whether the source is not a Postfix log pftls can
// read: it has lines, but none of Postfix, or more than half of them not
// understood. An empty source is readable (a quiet log).
func (c *Coverage) Unreadable() bool {
	return c.Lines > 0 && (c.Postfix == 0 || c.NotUnderstood()*2 > c.Lines)
}

// Example is a line to show for what was not understood: the first line
// not understood, else the first line read.
func (c *Coverage) Example() string {
	if len(c.Examples) > 0 {
		return c.Examples[0]
	}
	return c.First
}

// LooksBare reports whether most lines pftls could not place are Postfix
// messages without any envelope, as "journalctl -o cat" writes them.
func (c *Coverage) LooksBare() bool {
	return c.Bare > 0 && c.Bare*2 >= c.Malformed
}

package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// TerminalSafe makes log-derived text safe to print on a terminal: control
// characters (ESC sequences, CR, BEL, C1 controls, bidi overrides) become
// '?' and invalid UTF-8 becomes U+FFFD. It is the one place text output
// escapes.
func TerminalSafe(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), r == '\u2028', r == '\u2029':
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// JSONSafe rewrites DEL, the C1 controls (U+0080..U+009F) and the bidi
// controls in encoded JSON as \u escapes. encoding/json escapes only C0
// controls, and a raw U+009B (CSI) acts on terminals like ESC [ does; the
// JSON decodes to the same text. It is the one place JSON output escapes
// beyond encoding/json.
func JSONSafe(b []byte) []byte {
	clean := true
	for _, c := range b {
		if c == 0x7f || c >= 0x80 {
			clean = false
			break
		}
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) || unicode.Is(unicode.Bidi_Control, r) {
			out = append(out, fmt.Sprintf(`\u%04x`, r)...)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}

// lineBreaks turns line breaks into spaces: a cell, a heading or a list
// item must stay on one line.
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// oneLine is s made safe for a terminal and put on one line: what every
// cell, heading and event of every text format starts from.
func oneLine(s string) string { return TerminalSafe(lineBreaks.Replace(s)) }

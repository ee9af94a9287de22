package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestTailStreamSaysLinesNotUnderstood: the event stream (not a terminal)
// said nothing of the lines pftls did not understand, which the view and
// the report count: 20 unknown postfix/smtp lines left 4 events and no
// word of them. Each batch with such lines now has an event per host
// with their count and the first of them, in text and in JSON.
func TestTailStreamSaysLinesNotUnderstood(t *testing.T) {
	log := filepath.Join(t.TempDir(), "mail.log")
	lines := corpusLines(t)[:300]
	for i := 1; i <= 20; i++ {
		lines = append(lines, fmt.Sprintf("Nov 23 00:25:%02d mail postfix/smtp[4242]: 4D8D6BC3A%02d: frobnicated the \x1b[1mwidget\x1b[0m %d times\n", i, i, i))
	}
	appendTo(t, log, lines)
	first := `postfix/smtp: frobnicated the ?[1mwidget?[0m 1 times`

	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			stdout, stderr, stop := startTail(t, "tail", "--no-db", "--from-start", "--format", format, "--year", "2026", "--tz", "UTC", log)
			textRe := regexp.MustCompile(`^\S+ not-understood - - (\d+) lines? not understood from mail; first: "(.*)"$`)
			var n int64
			var examples []string
			waitFor(t, "the 20 lines not understood in the stream", func() bool {
				n, examples = 0, nil
				// Only whole lines: tail may be half way through writing the last.
				out := stdout.String()
				out = out[:strings.LastIndexByte(out, '\n')+1]
				sc := bufio.NewScanner(strings.NewReader(out))
				for sc.Scan() {
					if format == "json" {
						var ev struct {
							Kind, Host, Detail string
							Lines              *int64
						}
						if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
							t.Fatalf("not JSON: %q: %v", sc.Text(), err)
						}
						if ev.Kind == "not-understood" && ev.Lines != nil && ev.Host == "mail" {
							n += *ev.Lines
							examples = append(examples, ev.Detail)
						}
					} else if m := textRe.FindStringSubmatch(sc.Text()); m != nil {
						c, _ := strconv.ParseInt(m[1], 10, 64)
						n += c
						examples = append(examples, m[2])
					}
				}
				return n >= 20
			})
			if n != 20 || examples[0] != first {
				t.Errorf("stream: %d lines not understood, first %q; want 20, %q\n%s", n, examples[0], first, stdout.String())
			}
			if code := stop(); code != 0 {
				t.Errorf("tail ended with %d: %s", code, stderr.String())
			}
		})
	}
}

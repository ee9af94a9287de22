package aggregate

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// feedAll reads every chunk of feed, in the order it hands them on.
func feedAll(t *testing.T, feed lineFeed) (lines []parsedLine, partial bool) {
	t.Helper()
	defer feed.stop()
	for {
		c, ok := feed.next()
		if !ok {
			return lines, partial
		}
		if c.err != nil {
			t.Fatalf("feed: %v", c.err)
		}
		lines = append(lines, c.lines...)
		partial = partial || c.partial
		feed.recycle(c)
	}
}

// TestParseAhead_parallel_parsers_keep_reading_order: whatever the number
// of parsers and however the chunks race, the correlator sees every line
// once, in the order of the file, parsed as one line at a time would be,
// and a partial last line ends the reading as it does inline.
func TestParseAhead_parallel_parsers_keep_reading_order(t *testing.T) {
	corpus := readCorpus(t)
	for _, tail := range []string{"", "Mar  1 06:00:00 mail postfix/smtp[1]: cut"} {
		path := filepath.Join(t.TempDir(), "mail.log")
		if err := os.WriteFile(path, append(corpus, tail...), 0o600); err != nil {
			t.Fatal(err)
		}
		open := func() *source.Reader {
			rd, err := source.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { rd.Close() })
			return rd
		}
		want, wantPartial := feedAll(t, &parseInline{rd: open(), mayGrow: true})
		if len(want) < 3*chunkLines {
			t.Fatalf("the corpus has %d lines: too few to fill several chunks", len(want))
		}
		for _, parsers := range []int{1, 2, 7} {
			t.Run(fmt.Sprintf("parsers=%d/partial=%v", parsers, tail != ""), func(t *testing.T) {
				got, gotPartial := feedAll(t, startParsing(open(), true, logparse.FormatAuto, parsers))
				if gotPartial != wantPartial || (tail != "") != gotPartial {
					t.Errorf("partial end = %v, inline %v", gotPartial, wantPartial)
				}
				if len(got) != len(want) {
					t.Fatalf("%d lines, inline %d", len(got), len(want))
				}
				for i := range want {
					if !reflect.DeepEqual(got[i], want[i]) {
						t.Fatalf("line %d differs:\n got %+v\nwant %+v", i+1, got[i], want[i])
					}
				}
			})
		}
	}
}

// TestParseAhead_stop_midway_returns: a correlator that stops after the
// first chunk (an error, a cancelled run) stops the reader and every
// parser; stop returns and nothing is left running.
func TestParseAhead_stop_midway_returns(t *testing.T) {
	rd, err := source.Open(corpusLogPath)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	feed := startParsing(rd, false, logparse.FormatAuto, 3)
	c, ok := feed.next()
	if !ok || len(c.lines) != chunkLines || c.lines[0].number != 1 {
		t.Fatalf("first chunk: ok=%v, %d lines", ok, len(c.lines))
	}
	feed.recycle(c)
	feed.stop()
}

// TestParseAhead_kept_text_survives_reused_buffers: the reader writes each
// chunk's lines into a buffer its job keeps and uses again once recycled;
// the text a correlator keeps of a line (its raw text, its fields) must
// still read as the file wrote it after the buffer has been written over
// by later chunks. Long lines end a chunk early (chunkBytes).
func TestParseAhead_kept_text_survives_reused_buffers(t *testing.T) {
	long := strings.Repeat("x", 60<<10)
	var longLog []byte
	for i := range 40 {
		longLog = fmt.Appendf(longLog, "Mar  1 06:00:%02d mail postfix/smtp[%d]: %s\n", i, i, long)
	}
	for name, data := range map[string][]byte{"corpus": readCorpus(t), "long lines": longLog} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "mail.log")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			rd, err := source.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			feed := startParsing(rd, false, logparse.FormatAuto, 1)
			defer feed.stop()
			var kept, hosts []string
			jobs := map[*parseJob]int{}
			for {
				c, ok := feed.next()
				if !ok {
					break
				}
				for i := range c.lines {
					kept = append(kept, c.lines[i].line.Raw)
					hosts = append(hosts, c.lines[i].line.Host)
				}
				jobs[c.job]++
				feed.recycle(c)
			}
			reused := false
			for _, n := range jobs {
				reused = reused || n > 1
			}
			if !reused {
				t.Fatalf("%d chunks in %d jobs: no job was used twice, so this test shows nothing", len(kept)/chunkLines, len(jobs))
			}
			want := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			if len(kept) != len(want) {
				t.Fatalf("%d lines read, the file has %d", len(kept), len(want))
			}
			for i := range want {
				if kept[i] != want[i] || hosts[i] != "mail" {
					t.Fatalf("line %d reads %.80q (host %q) once later chunks are read, the file has %.80q", i+1, kept[i], hosts[i], want[i])
				}
			}
		})
	}
}

package source

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// criParts is one Kubernetes CRI log: a line split in three parts, a
// whole line, a line split in two, and a last line whose end is not
// written yet.
var criParts = []string{
	"2026-03-07T15:05:12.49Z stdout P Mar  7 15:05:12 mx1 postfix/smtp[4242]: 3F1C2A1B2C: to=<u@x.example>, rel",
	"2026-03-07T15:05:12.49Z stdout P ay=mx.x.example[192.0.2.8]:25, delay=1, delays=0/0/0.5/0.5, ",
	"2026-03-07T15:05:12.50Z stdout F dsn=2.0.0, status=sent (250 OK)",
	"2026-03-07T15:05:13.00Z stdout F Mar  7 15:05:13 mx1 postfix/qmgr[4243]: 3F1C2A1B2C: removed",
	"2026-03-07T15:05:14.00Z stderr P Mar  7 15:05:14 mx1 postfix/qmgr[4243]: 3F1C2A1B2D: rem",
	"2026-03-07T15:05:14.00Z stderr F oved",
	"2026-03-07T15:05:15.00Z stdout P Mar  7 15:05:15 mx1 postfix/qmgr[4243]: 3F1C2A1B2E: rem",
}

// TestCRIPartialLinesJoined: the Reader joins a CRI log's partial lines;
// a joined line starts at its first part and ends after its last, and a
// line whose last part is not written yet is partial.
func TestCRIPartialLinesJoined(t *testing.T) {
	path := filepath.Join(t.TempDir(), "postfix.log")
	if err := os.WriteFile(path, []byte(strings.Join(criParts, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rd, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var got []Line
	var texts []string
	for {
		l, err := rd.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, l)
		texts = append(texts, string(l.Bytes))
	}
	want := []string{
		"2026-03-07T15:05:12.49Z stdout F Mar  7 15:05:12 mx1 postfix/smtp[4242]: 3F1C2A1B2C: to=<u@x.example>, relay=mx.x.example[192.0.2.8]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 OK)",
		criParts[3],
		"2026-03-07T15:05:14.00Z stderr F Mar  7 15:05:14 mx1 postfix/qmgr[4243]: 3F1C2A1B2D: removed",
		"2026-03-07T15:05:15.00Z stdout F Mar  7 15:05:15 mx1 postfix/qmgr[4243]: 3F1C2A1B2E: rem",
	}
	if strings.Join(texts, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines:\n%s\nwant:\n%s", strings.Join(texts, "\n"), strings.Join(want, "\n"))
	}
	ends := []int64{}
	offset := int64(0)
	for _, p := range criParts {
		offset += int64(len(p)) + 1
		ends = append(ends, offset)
	}
	if got[0].Offset != 0 || got[0].End != ends[2] || got[1].Offset != ends[2] || got[1].End != ends[3] ||
		got[2].End != ends[5] || got[3].Offset != ends[5] || !got[3].Partial || got[2].Partial {
		t.Errorf("offsets: %+v\nwant ends %v, the last partial", got, ends)
	}

	// Resuming at a joined line's End reads the next line whole.
	again, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if err := again.SkipTo(got[1].End); err != nil {
		t.Fatal(err)
	}
	l, err := again.Next(context.Background())
	if err != nil || string(l.Bytes) != want[2] {
		t.Errorf("after SkipTo(%d): %q, %v; want %q", got[1].End, l.Bytes, err, want[2])
	}
}

// TestCRIPartsEndedByAnotherLine: a line that is no CRI part ends the
// joined line, and is returned after it.
func TestCRIPartsEndedByAnotherLine(t *testing.T) {
	in := criParts[0] + "\nMar  7 15:05:16 mx1 postfix/qmgr[4243]: 3F1C2A1B2F: removed\n"
	rd, err := NewReader("-", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	a, err := rd.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	first := string(a.Bytes)
	b, err := rd.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if first != strings.Replace(criParts[0], " stdout P ", " stdout F ", 1) || a.End != int64(len(criParts[0])+1) ||
		string(b.Bytes) != "Mar  7 15:05:16 mx1 postfix/qmgr[4243]: 3F1C2A1B2F: removed" || b.Offset != a.End {
		t.Errorf("got %q (end %d), %q (offset %d)", first, a.End, b.Bytes, b.Offset)
	}
	if _, err := rd.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Errorf("third Next: %v, want EOF", err)
	}
}

// TestCRIPartBeingWritten: while the part that ends a line is still being
// written (no newline yet), the joined line is partial, so that it is read
// again whole once it has ended: never cut in two.
func TestCRIPartBeingWritten(t *testing.T) {
	in := criParts[0] + "\n" + criParts[1] + "\n2026-03-07T15:05:12.50Z stdout F dsn=2.0.0, sta"
	rd, err := NewReader("-", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	l, err := rd.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !l.Partial || l.Offset != 0 || l.End != int64(len(in)) {
		t.Errorf("got %q partial=%v offset=%d end=%d; want the whole input as one partial line", l.Bytes, l.Partial, l.Offset, l.End)
	}
}

// TestCRIStreamsNotMixed: a part of stdout is never joined with a line of
// stderr, which Kubernetes writes into the same file.
func TestCRIStreamsNotMixed(t *testing.T) {
	in := criParts[0] + "\n2026-03-07T15:05:12.49Z stderr F some other program's complaint\n" +
		"2026-03-07T15:05:12.50Z stdout F ay=mx.x.example[192.0.2.8]:25, status=sent\n"
	rd, err := NewReader("-", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		l, err := rd.Next(context.Background())
		if err != nil {
			break
		}
		got = append(got, string(l.Bytes))
	}
	for _, g := range got {
		if strings.Contains(g, "rel") && strings.Contains(g, "complaint") {
			t.Errorf("stdout part joined with a stderr line: %q", g)
		}
	}
	if len(got) != 3 {
		t.Errorf("got %d lines, want 3: %q", len(got), got)
	}
}

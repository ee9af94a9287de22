package source

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestJournalArgs: journalctl is run with an argument list (never a
// shell): JSON, every Postfix unit by default (Debian's postfix@-.service
// through the template's glob), after the stored cursor, following when
// asked.
func TestJournalArgs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		o      JournalOptions
		cursor string
		want   []string
	}{
		{"default", JournalOptions{}, "",
			[]string{"-o", "json", "--no-pager", "-u", "postfix.service", "-u", "postfix@*.service"}},
		{"after-cursor", JournalOptions{Units: []string{"postfix@-.service"}}, "s=5a1e;i=2;b=1c0d",
			[]string{"-o", "json", "--no-pager", "-u", "postfix@-.service", "--after-cursor", "s=5a1e;i=2;b=1c0d"}},
		{"follow-from-start", JournalOptions{Follow: true}, "",
			[]string{"-o", "json", "--no-pager", "-u", "postfix.service", "-u", "postfix@*.service", "--no-tail", "-f"}},
		{"follow-at-end", JournalOptions{Follow: true, AtEnd: true}, "",
			[]string{"-o", "json", "--no-pager", "-u", "postfix.service", "-u", "postfix@*.service", "-n", "0", "-f"}},
		{"follow-after-cursor", JournalOptions{Follow: true, AtEnd: true}, "s=1",
			[]string{"-o", "json", "--no-pager", "-u", "postfix.service", "-u", "postfix@*.service", "--after-cursor", "s=1", "-f"}},
	} {
		if got := NewJournal(tc.o).Args(tc.cursor); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: Args = %q, want %q", tc.name, got, tc.want)
		}
	}
	a := NewJournal(JournalOptions{Units: []string{"postfix@-.service", "postfix.service", "postfix@-.service"}}).Key()
	b := NewJournal(JournalOptions{Units: []string{"postfix.service", "postfix@-.service"}}).Key()
	if a != b || a != "journal:postfix.service,postfix@-.service" {
		t.Errorf("Key: %q and %q, want one key for one set of units", a, b)
	}
}

// TestJournalReader: each entry comes with its cursor; journalctl's
// notices on standard output are not entries; a failing journalctl is an
// error matching ErrJournal, with its message.
func TestJournalReader(t *testing.T) {
	fake := filepath.Join("..", "..", "testdata", "journal", "fake-journalctl")
	j := NewJournal(JournalOptions{Command: fake})
	rd, err := j.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var first, last Line
	for {
		l, err := rd.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 1 {
			first = l
		}
		last = l
		if l.Cursor == "" {
			t.Errorf("line %d has no cursor: %s", l.Number, l.Bytes)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if n != 472 || first.Cursor != "s=5a1e;i=1;b=1c0d;m=3e8;t=660e68e375740;x=9f" || last.File.Path != j.Key() {
		t.Errorf("read %d entries, first cursor %q, path %q", n, first.Cursor, last.File.Path)
	}

	rd, err = j.Open(context.Background(), last.Cursor)
	if err != nil {
		t.Fatal(err)
	}
	if l, err := rd.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Errorf("after the last cursor: %q, %v; want io.EOF", l.Bytes, err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	rd, err = j.Open(context.Background(), "s=no-such-cursor")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, readerOf(rd))
	if err := j.Close(); !errors.Is(err, ErrJournal) || !strings.Contains(err.Error(), "Failed to seek to cursor") {
		t.Errorf("unknown cursor: Close = %v, want ErrJournal with journalctl's message", err)
	}

	for _, line := range []struct{ in, want string }{
		{`{"MESSAGE":"x","__CURSOR":"s=5a1e;i=1;b=1c0d","__REALTIME_TIMESTAMP":"1"}`, "s=5a1e;i=1;b=1c0d"},
		{`{"MESSAGE":"x"}`, ""},
		{`{"__CURSOR":"s=cut`, ""},
	} {
		if got := journalCursor([]byte(line.in)); got != line.want {
			t.Errorf("journalCursor(%s) = %q, want %q", line.in, got, line.want)
		}
	}
}

// readerOf drains a Reader as an io.Reader (its lines, joined).
type lineDrain struct{ rd *Reader }

func readerOf(rd *Reader) io.Reader { return lineDrain{rd} }

func (d lineDrain) Read(p []byte) (int, error) {
	l, err := d.rd.Next(context.Background())
	if err != nil {
		return 0, err
	}
	return copy(p, l.Bytes), nil
}

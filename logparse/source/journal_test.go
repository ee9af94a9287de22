package source

import (
	"context"
	"errors"
	"io"
	"os"
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

// TestJournal_killed_mid_entry: a journalctl killed by someone else (the
// OOM killer, an admin) while writing an entry is a failure, and the cut
// entry is never returned with its cursor: the next run must read it again.
func TestJournal_killed_mid_entry(t *testing.T) {
	dir := t.TempDir()
	entries := filepath.Join("..", "..", "testdata", "journal", "journal.json")
	abs, err := filepath.Abs(entries)
	if err != nil {
		t.Fatal(err)
	}
	fake := filepath.Join(dir, "killed-journalctl")
	script := "#!/bin/sh\nhead -2 '" + abs + "'\nsed -n 3p '" + abs + "' | head -c 200\nkill -9 $$\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	j := NewJournal(JournalOptions{Command: fake})
	rd, err := j.Open(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var cursors []string
	var readErr error
	for {
		l, err := rd.Next(context.Background())
		if err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = err
			}
			break
		}
		cursors = append(cursors, l.Cursor)
	}
	closeErr := j.Close()
	if len(cursors) != 2 {
		t.Errorf("read %d entries with cursors %q, want the 2 whole ones", len(cursors), cursors)
	}
	if readErr == nil || !errors.Is(readErr, io.ErrUnexpectedEOF) {
		t.Errorf("reading the cut entry: %v, want an error", readErr)
	}
	if !errors.Is(closeErr, ErrJournal) {
		t.Errorf("Close of a journalctl killed by a signal it was not sent by us: %v, want ErrJournal", closeErr)
	}
}

package source

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// got is a Line with its bytes copied, for comparing and printing.
type got struct {
	Text      string
	Number    int64
	Offset    int64
	End       int64
	Truncated bool
	Partial   bool
}

func (g got) String() string {
	return fmt.Sprintf("%d@%d-%d %q trunc=%v partial=%v", g.Number, g.Offset, g.End, g.Text, g.Truncated, g.Partial)
}

func toGot(l Line) got {
	return got{string(l.Bytes), l.Number, l.Offset, l.End, l.Truncated, l.Partial}
}

// readAll reads r to its end and returns the lines and the error that
// stopped it (nil at io.EOF).
func readAll(t testing.TB, r *Reader) ([]got, error) {
	t.Helper()
	var lines []got
	for {
		l, err := r.Next(context.Background())
		if err == io.EOF {
			return lines, nil
		}
		if err != nil {
			return lines, err
		}
		lines = append(lines, toGot(l))
	}
}

func diffLines(t *testing.T, gotLines, want []got) {
	t.Helper()
	if reflect.DeepEqual(gotLines, want) {
		return
	}
	for i := 0; i < max(len(gotLines), len(want)); i++ {
		var g, w string
		if i < len(gotLines) {
			g = gotLines[i].String()
		}
		if i < len(want) {
			w = want[i].String()
		}
		if g != w {
			t.Errorf("line %d:\n got %s\nwant %s", i+1, g, w)
		}
	}
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zstded(t testing.TB, data []byte) []byte {
	t.Helper()
	w, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	return w.EncodeAll(data, nil)
}

// bzipped compresses with the bzip2 command, which the standard library
// lacks; testdata/three-lines.log.bz2 covers bzip2 where it is missing.
func bzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	path, err := exec.LookPath("bzip2")
	if err != nil {
		t.Skip("no bzip2 command to make test data; TestBzip2Fixture still covers bzip2")
	}
	cmd := exec.Command(path, "-c")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bzip2: %v", err)
	}
	return out
}

var compressions = []struct {
	name     string
	compress func(testing.TB, []byte) []byte
}{
	{"", func(_ testing.TB, b []byte) []byte { return b }},
	{"gzip", gzipped},
	{"bzip2", bzipped},
	{"zstd", zstded},
}

func TestNext(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []got
	}{
		{
			name:  "plain",
			input: "one\ntwo\n\nfour\n",
			want: []got{
				{Text: "one", Number: 1, Offset: 0, End: 4},
				{Text: "two", Number: 2, Offset: 4, End: 8},
				{Text: "", Number: 3, Offset: 8, End: 9},
				{Text: "four", Number: 4, Offset: 9, End: 14},
			},
		},
		{
			name:  "crlf",
			input: "one\r\ntwo\r\n\r\nbare\rcr\n",
			want: []got{
				{Text: "one", Number: 1, Offset: 0, End: 5},
				{Text: "two", Number: 2, Offset: 5, End: 10},
				{Text: "", Number: 3, Offset: 10, End: 12},
				{Text: "bare\rcr", Number: 4, Offset: 12, End: 20},
			},
		},
		{
			name:  "only one cr stripped",
			input: "x\r\r\n",
			want:  []got{{Text: "x\r", Number: 1, Offset: 0, End: 4}},
		},
		{
			name:  "partial last line",
			input: "one\ntwo",
			want: []got{
				{Text: "one", Number: 1, Offset: 0, End: 4},
				{Text: "two", Number: 2, Offset: 4, End: 7, Partial: true},
			},
		},
		{
			name:  "partial line keeps its cr",
			input: "one\r",
			want:  []got{{Text: "one\r", Number: 1, Offset: 0, End: 4, Partial: true}},
		},
		{
			name:  "empty",
			input: "",
			want:  nil,
		},
		{
			name:  "lone newline",
			input: "\n",
			want:  []got{{Text: "", Number: 1, Offset: 0, End: 1}},
		},
		{
			name:  "nul and invalid utf-8 pass through",
			input: "a\x00b\xff\xfe\n\xc3\x28\n",
			want: []got{
				{Text: "a\x00b\xff\xfe", Number: 1, Offset: 0, End: 6},
				{Text: "\xc3\x28", Number: 2, Offset: 6, End: 9},
			},
		},
	}
	for _, c := range compressions {
		for _, tt := range tests {
			t.Run(cmpName(c.name)+"/"+tt.name, func(t *testing.T) {
				data := c.compress(t, []byte(tt.input))
				path := writeFile(t, t.TempDir(), "mail.log", data)
				r, err := Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				if got := r.Identity().Compression; got != c.name {
					t.Errorf("Compression = %q, want %q", got, c.name)
				}
				lines, err := readAll(t, r)
				if err != nil {
					t.Fatal(err)
				}
				diffLines(t, lines, tt.want)
				if _, err := r.Next(context.Background()); err != io.EOF {
					t.Errorf("Next after the end = %v, want io.EOF", err)
				}
			})
		}
	}
}

func cmpName(c string) string {
	if c == "" {
		return "plain"
	}
	return c
}

func TestBzip2Fixture(t *testing.T) {
	r, err := Open("testdata/three-lines.log.bz2")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got := r.Identity().Compression; got != "bzip2" {
		t.Errorf("Compression = %q, want bzip2", got)
	}
	lines, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3: %v", len(lines), lines)
	}
	if want := "Mar  1 10:00:03 mx postfix/smtpd[101]: disconnect from a.example[192.0.2.1]"; lines[2].Text != want {
		t.Errorf("line 3 = %q, want %q", lines[2].Text, want)
	}
	if lines[2].Partial || lines[2].Number != 3 {
		t.Errorf("line 3 = %v", lines[2])
	}
}

// TestCompressionFromContent checks that names do not decide: a plain file
// named .gz reads as text, and gzip data named .log is decompressed.
func TestCompressionFromContent(t *testing.T) {
	dir := t.TempDir()
	text := []byte("hello\n")
	for _, f := range []struct {
		name, comp string
		data       []byte
	}{
		{"mail.log.2.gz", "", text},
		{"mail.log", "gzip", gzipped(t, text)},
		{"mail.log.1.bz2", "zstd", zstded(t, text)},
	} {
		r, err := Open(writeFile(t, dir, f.name, f.data))
		if err != nil {
			t.Fatal(err)
		}
		lines, err := readAll(t, r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if r.Identity().Compression != f.comp || len(lines) != 1 || lines[0].Text != "hello" {
			t.Errorf("%s: Compression %q (want %q), lines %v", f.name, r.Identity().Compression, f.comp, lines)
		}
	}
}

func TestLongLineTruncated(t *testing.T) {
	long := bytes.Repeat([]byte("0123456789abcdef"), 2<<20/16) // 2 MiB
	var in bytes.Buffer
	in.WriteString("before\n")
	in.Write(long)
	in.WriteString("\r\nafter\n")
	in.Write(long) // and a long partial last line
	want := []got{
		{Text: "before", Number: 1, Offset: 0, End: 7},
		{Text: string(long[:MaxLineBytes]), Number: 2, Offset: 7, End: 7 + 2<<20 + 2, Truncated: true},
		{Text: "after", Number: 3, Offset: 7 + 2<<20 + 2, End: 7 + 2<<20 + 8},
		{Text: string(long[:MaxLineBytes]), Number: 4, Offset: 7 + 2<<20 + 8, End: 7 + 2<<21 + 8, Truncated: true, Partial: true},
	}
	for _, c := range compressions {
		t.Run(cmpName(c.name), func(t *testing.T) {
			t.Parallel()
			r, err := Open(writeFile(t, t.TempDir(), "mail.log", c.compress(t, in.Bytes())))
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			lines, err := readAll(t, r)
			if err != nil {
				t.Fatal(err)
			}
			diffLines(t, lines, want)
			if cap(r.long) > MaxLineBytes {
				t.Errorf("kept %d bytes of a long line, want at most %d", cap(r.long), MaxLineBytes)
			}
		})
	}
}

func TestSetMaxLine(t *testing.T) {
	tests := []struct {
		name  string
		max   int
		input string
		want  []got
	}{
		{
			name:  "exactly max is kept whole",
			max:   3,
			input: "abc\nabcd\n",
			want: []got{
				{Text: "abc", Number: 1, Offset: 0, End: 4},
				{Text: "abc", Number: 2, Offset: 4, End: 9, Truncated: true},
			},
		},
		{
			name:  "cr does not count",
			max:   3,
			input: "abc\r\n",
			want:  []got{{Text: "abc", Number: 1, Offset: 0, End: 5}},
		},
		{
			name:  "zero restores the default",
			max:   0,
			input: "abcd\n",
			want:  []got{{Text: "abcd", Number: 1, Offset: 0, End: 5}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader("test", strings.NewReader(tt.input))
			if err != nil {
				t.Fatal(err)
			}
			r.SetMaxLine(tt.max)
			lines, err := readAll(t, r)
			if err != nil {
				t.Fatal(err)
			}
			diffLines(t, lines, tt.want)
		})
	}
}

// logLines returns n lines "line 1\n" ... "line n\n".
func logLines(n int) []byte {
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "Mar  1 10:00:00 mx postfix/smtpd[%d]: line %d\n", i, i)
	}
	return b.Bytes()
}

func TestGzipCutShort(t *testing.T) {
	big := gzipped(t, logLines(20000))
	small := gzipped(t, logLines(3))
	tests := []struct {
		name      string
		data      []byte
		wantLines int // -1: some, but not all
	}{
		// The cut falls after many buffers of good lines.
		{"cut in the middle", big[:len(big)/2], -1},
		// All text is there but the checksum trailer is not; the error
		// comes while Open reads ahead for the fingerprint, and still
		// waits for the lines.
		{"trailer missing", small[:len(small)-4], 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "mail.log.2.gz", tt.data)
			r, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			lines, err := readAll(t, r)
			if err == nil {
				t.Fatal("read a cut gzip file to its end without an error")
			}
			if tt.wantLines >= 0 && len(lines) != tt.wantLines || len(lines) == 0 || len(lines) >= 20000 {
				t.Fatalf("got %d lines before the error, want %d", len(lines), tt.wantLines)
			}
			for i, l := range lines {
				if want := fmt.Sprintf("Mar  1 10:00:00 mx postfix/smtpd[%d]: line %d", i+1, i+1); l.Text != want || l.Partial {
					t.Fatalf("line %d = %v, want %q", i+1, l, want)
				}
			}
			wantMsg := fmt.Sprintf("%s: line %d: ", path, len(lines)+1)
			if !strings.HasPrefix(err.Error(), wantMsg) || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("error = %q, want it to start %q and match io.ErrUnexpectedEOF", err, wantMsg)
			}
			if _, again := r.Next(context.Background()); again == nil || again.Error() != err.Error() {
				t.Errorf("Next after the error = %v, want %v again", again, err)
			}
		})
	}
}

func TestOpenEmptyFile(t *testing.T) {
	path := writeFile(t, t.TempDir(), "mail.log", nil)
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.Next(context.Background()); err != io.EOF {
		t.Errorf("Next = %v, want io.EOF", err)
	}
	id := r.Identity()
	if id.FingerprintLen != 0 || id.Fingerprint != hashHex(nil) || id.Size != 0 || id.Compression != "" {
		t.Errorf("Identity = %+v", id)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "mail.log")
	tests := []struct {
		name   string
		path   string
		msg    string
		target error
	}{
		{"directory", dir, "open " + dir + ": is a directory", syscall.EISDIR},
		{"missing", missing, "open " + missing + ": no such file or directory", fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(tt.path)
			if err == nil {
				r.Close()
				t.Fatal("Open succeeded")
			}
			if err.Error() != tt.msg || !errors.Is(err, tt.target) {
				t.Errorf("error = %q, want %q matching %v", err, tt.msg, tt.target)
			}
			if _, err := Fingerprint(tt.path, 1); err == nil || err.Error() != tt.msg {
				t.Errorf("Fingerprint error = %v, want %q", err, tt.msg)
			}
		})
	}
}

func TestOpenStdin(t *testing.T) {
	path := writeFile(t, t.TempDir(), "in", gzipped(t, []byte("a\nb\n")))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved := os.Stdin
	os.Stdin = f
	defer func() { os.Stdin = saved }()

	r, err := Open("-")
	if err != nil {
		t.Fatal(err)
	}
	lines, err := readAll(t, r)
	if err != nil || len(lines) != 2 {
		t.Fatalf("read %v, %v; want 2 lines", lines, err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	want := Identity{Path: "-", Compression: "gzip"}
	if id := r.Identity(); id != want {
		t.Errorf("Identity = %+v, want %+v", id, want)
	}
	if _, err := f.Stat(); err != nil {
		t.Errorf("Close closed standard input: %v", err)
	}
}

func TestSkipToResumes(t *testing.T) {
	text := logLines(20000) // about 900 kB: the skip crosses many buffers
	for _, c := range compressions {
		t.Run(cmpName(c.name), func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, t.TempDir(), "mail.log", c.compress(t, text))
			first, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			all, err := readAll(t, first)
			first.Close()
			if err != nil || len(all) != 20000 {
				t.Fatalf("read %d lines, %v", len(all), err)
			}
			for _, k := range []int{0, 1, 1234, 19999, 20000} {
				r, err := Open(path)
				if err != nil {
					t.Fatal(err)
				}
				var at int64
				if k > 0 {
					at = all[k-1].End
				}
				if err := r.SkipTo(at); err != nil {
					t.Fatalf("SkipTo(%d): %v", at, err)
				}
				rest, err := readAll(t, r)
				r.Close()
				if err != nil {
					t.Fatal(err)
				}
				if len(rest) != len(all)-k || (len(rest) > 0 && rest[0] != all[k]) {
					t.Errorf("after SkipTo(end of line %d): %d lines, first %v; want %d, first %v",
						k, len(rest), rest[:min(1, len(rest))], len(all)-k, all[k:min(k+1, len(all))])
				}
			}
		})
	}
}

func TestSkipToErrors(t *testing.T) {
	r, err := NewReader("mail.log", strings.NewReader("one\ntwo\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.SkipTo(4); err != nil {
		t.Fatal(err)
	}
	if err := r.SkipTo(2); err == nil {
		t.Error("SkipTo backwards succeeded")
	}
	err = r.SkipTo(100)
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.HasPrefix(err.Error(), "mail.log: ") {
		t.Errorf("SkipTo past the end = %v, want an io.ErrUnexpectedEOF naming mail.log", err)
	}
}

func TestIdentity(t *testing.T) {
	dir := t.TempDir()
	text := logLines(200) // longer than the fingerprint
	live := writeFile(t, dir, "mail.log", text)
	rotated := writeFile(t, dir, "mail.log.1.gz", gzipped(t, text))
	short := writeFile(t, dir, "short.log", text[:100])

	ids := map[string]Identity{}
	for _, p := range []string{live, rotated, short} {
		r, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		// Reading ahead for the fingerprint must not lose lines.
		lines, err := readAll(t, r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if p != short && len(lines) != 200 {
			t.Errorf("%s: read %d lines, want 200", p, len(lines))
		}
		ids[p] = r.Identity()
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		id := ids[p]
		if id.Path != p || id.Size != fi.Size() || !id.ModTime.Equal(fi.ModTime()) || id.Inode == 0 {
			t.Errorf("%s: Identity = %+v; file size %d, mtime %v", p, id, fi.Size(), fi.ModTime())
		}
	}

	a, b := ids[live], ids[rotated]
	if a.Fingerprint != b.Fingerprint || a.FingerprintLen != 4096 || b.FingerprintLen != 4096 {
		t.Errorf("live and gzipped copy differ:\n%+v\n%+v", a, b)
	}
	if a.Fingerprint != hashHex(text[:4096]) {
		t.Errorf("Fingerprint is not the sha256 of the first 4096 bytes")
	}
	if a.Inode == b.Inode || a.Compression != "" || b.Compression != "gzip" {
		t.Errorf("live %+v, rotated %+v", a, b)
	}
	if s := ids[short]; s.FingerprintLen != 100 || s.Fingerprint != hashHex(text[:100]) {
		t.Errorf("short file: %+v", s)
	}

	// Fingerprint recomputes a stored one, over the stored length.
	for _, p := range []string{live, rotated, short} {
		fp, err := Fingerprint(p, 100)
		if err != nil || fp != ids[short].Fingerprint {
			t.Errorf("Fingerprint(%s, 100) = %s, %v; want %s", p, fp, err, ids[short].Fingerprint)
		}
	}
	if fp, err := Fingerprint(rotated, 4096); err != nil || fp != a.Fingerprint {
		t.Errorf("Fingerprint(%s, 4096) = %s, %v; want %s", rotated, fp, err, a.Fingerprint)
	}
	if _, err := Fingerprint(short, 101); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("Fingerprint past the end = %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestCloseThenNext(t *testing.T) {
	r, err := Open(writeFile(t, t.TempDir(), "mail.log", []byte("a\n")))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := r.Next(context.Background()); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Next after Close = %v, want os.ErrClosed", err)
	}
}

// reference splits data the slow, obvious way.
func reference(data []byte, maxLine int) []got {
	var lines []got
	var off int64
	for i := int64(1); len(data) > 0; i++ {
		raw, rest, found := bytes.Cut(data, []byte("\n"))
		g := got{Number: i, Offset: off, Partial: !found}
		text := raw
		off += int64(len(raw))
		if found {
			off++
			text = bytes.TrimSuffix(raw, []byte("\r"))
		}
		if len(text) > maxLine {
			text, g.Truncated = text[:maxLine], true
		}
		g.Text, g.End = string(text), off
		lines = append(lines, g)
		data = rest
	}
	return lines
}

// FuzzNext checks Next and SkipTo against reference with small buffers, so
// that lines often span the buffer and the cut-off.
func FuzzNext(f *testing.F) {
	f.Add([]byte("one\ntwo\r\n\nlonger line here\npartial"), uint8(3), uint8(0))
	f.Add([]byte("\r\n\r\r\n\n\x00\xff\n"), uint8(1), uint8(1))
	f.Add(bytes.Repeat([]byte("abcdefghijklmnopqrstuvwxyz\r"), 10), uint8(30), uint8(2))
	f.Add([]byte("0123456789abcdef\r\n0123456789abcde\r\n"), uint8(16), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, maxLine, bufExtra uint8) {
		if maxLine == 0 || detect(data) != "" {
			return // compressed streams are not what this checks
		}
		want := reference(data, int(maxLine))
		r, err := newReader("fuzz", bytes.NewReader(data), 16+int(bufExtra%32))
		if err != nil {
			t.Fatal(err)
		}
		r.SetMaxLine(int(maxLine))
		lines, err := readAll(t, r)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(lines, want) {
			t.Fatalf("input %q max %d:\n got %v\nwant %v", data, maxLine, lines, want)
		}
		for k := range want {
			r, _ := newReader("fuzz", bytes.NewReader(data), 16+int(bufExtra%32))
			r.SetMaxLine(int(maxLine))
			if err := r.SkipTo(want[k].Offset); err != nil {
				t.Fatalf("SkipTo(%d): %v", want[k].Offset, err)
			}
			rest, err := readAll(t, r)
			if err != nil || !reflect.DeepEqual(rest, want[k:]) {
				t.Fatalf("after SkipTo(%d): got %v, %v; want %v", want[k].Offset, rest, err, want[k:])
			}
		}
	})
}

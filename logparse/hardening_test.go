package logparse_test

// Hardening tests of the parser and of the reader in front of it (issue
// #10): hostile bytes are kept as written and never make a line of another
// kind; no line, however built, takes more than linear time; and a file
// mixing every kind of damage is read in bounded memory with every line
// counted. Every test here is fast; none needs a flag.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// Real corpus lines, to be damaged.
const (
	realDelivery = "Nov 23 00:19:58 mail postfix/smtp[13448]: 0CDA6BC393: to=<ines.mueller@purge.example.org>, relay=none, delay=0.04, delays=0.02/0.03/0/0, dsn=4.4.1, status=deferred (connect to mx.purge.example.org[127.0.0.19]:25: Connection refused)"
	realReject   = "Nov 23 00:20:05 mail postfix/smtpd[13453]: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.1.1 <jobs@sender.test>: Recipient address rejected: User unknown in local recipient table; from=<fatima.mueller@gmx.example> to=<jobs@sender.test> proto=ESMTP helo=<workstation.sender.test>"
	realConnect  = "Nov 23 00:19:58 mail postfix/smtpd[13443]: connect from localhost[127.0.0.1]"
)

// TestParseHostileBytes: control characters, NUL bytes and invalid UTF-8
// in the parts of a line a remote party controls are kept byte for byte in
// the fields they belong to; escaping them is each output's business. In
// the envelope they make the line one pftls does not read as Postfix's, and
// never panic.
func TestParseHostileBytes(t *testing.T) {
	tests := []struct {
		name string
		line string
		kind logparse.Kind
		// field returns the field the hostile bytes should be in.
		field func(logparse.Line) string
		want  string
	}{
		{"invalid UTF-8 in a reason", strings.Replace(realDelivery, "Connection refused", "Connection \xff\xfe\xc3 refused", 1),
			logparse.KindDelivery, reason, "connect to mx.purge.example.org[127.0.0.19]:25: Connection \xff\xfe\xc3 refused"},
		{"NUL in a recipient", strings.Replace(realDelivery, "ines.mueller", "ines\x00mueller", 1),
			logparse.KindDelivery, recipient, "ines\x00mueller@purge.example.org"},
		{"escape sequences in a reason", strings.Replace(realDelivery, "Connection refused", "\x1b[2J\x1b]0;pwned\x07", 1),
			logparse.KindDelivery, reason, "connect to mx.purge.example.org[127.0.0.19]:25: \x1b[2J\x1b]0;pwned\x07"},
		{"C1 control and bidi override in a HELO name", strings.Replace(realReject, "workstation.sender.test", "\xc2\x9b6n\u202eexe.txt", 1),
			logparse.KindReject, helo, "\xc2\x9b6n\u202eexe.txt"},
		{"markup in a HELO name", strings.Replace(realReject, "helo=<workstation.sender.test>", "helo=<<script>alert(1)</script>>", 1),
			logparse.KindReject, helo, "<script>alert(1)</script>"},
		{"CR inside a line", strings.Replace(realDelivery, "Connection refused", "Connection\rrefused", 1),
			logparse.KindDelivery, reason, "connect to mx.purge.example.org[127.0.0.19]:25: Connection\rrefused"},
		{"NUL in the program name", strings.Replace(realConnect, "postfix/smtpd", "post\x00fix/smtpd", 1),
			logparse.KindConnect, func(l logparse.Line) string { return l.Program }, "post\x00fix/smtpd"},
		{"NUL in the stamp", strings.Replace(realConnect, "Nov 23", "Nov\x0023", 1),
			logparse.KindMalformed, nil, ""},
		{"escape in the host name", strings.Replace(realConnect, " mail ", " mail\x1b[2J ", 1),
			logparse.KindConnect, func(l logparse.Line) string { return l.Host }, "mail\x1b[2J"},
		{"NUL bytes only", strings.Repeat("\x00", 200), logparse.KindMalformed, nil, ""},
		{"invalid UTF-8 only", strings.Repeat("\xff\xfe\xfd", 100), logparse.KindMalformed, nil, ""},
		{"a line cut in its queue ID", realDelivery[:50], logparse.KindUnparsed, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := logparse.ParseString(tt.line)
			if l.Raw != tt.line {
				t.Errorf("Raw = %q, want the input", l.Raw)
			}
			if got := l.Event.Kind(); got != tt.kind {
				t.Fatalf("kind %s, want %s (%+v)", got, tt.kind, l.Event)
			}
			if tt.field != nil {
				if got := tt.field(l); got != tt.want {
					t.Errorf("field = %q, want %q", got, tt.want)
				}
			}
		})
	}
}

func reason(l logparse.Line) string    { return l.Event.(logparse.Delivery).Reason }
func recipient(l logparse.Line) string { return l.Event.(logparse.Delivery).To }
func helo(l logparse.Line) string      { return l.Event.(logparse.Reject).Helo }

// TestParseLinearTime: the longest line the reader passes on (64 KiB) is
// parsed in time linear in its length, whatever it repeats: a parser that
// rescans would take seconds on one such line, and a hostile client can
// put 64 KiB of whatever it likes in a HELO name or an address.
func TestParseLinearTime(t *testing.T) {
	prefixes := []string{
		realDelivery[:strings.Index(realDelivery, "to=<")+4],
		realDelivery[:strings.Index(realDelivery, "relay=")+6],
		realDelivery[:strings.Index(realDelivery, "(connect")+1],
		realReject[:strings.Index(realReject, "from=<")+6],
		realReject[:strings.Index(realReject, "RCPT from ")+10],
		"Nov 23 00:20:17 mail postfix/smtp[13462]: server certificate verification failed for ",
		"Nov 23 00:20:05 mail postfix/smtp[13448]: Untrusted TLS connection established to ",
		"Nov 23 00:19:58 mail postfix/smtpd[13443]: disconnect from localhost[127.0.0.1] ",
		"Nov 23 00:19:58 mail postfix/smtpd[13443]: warning: ",
		"Mar 27 16:05:12 mx1 postfix/smtp[6752]: message repeated 3 times: [ ",
		"Nov 23 00:19:58 mail postfix/",
		"2026-03-27T16:05:12.",
	}
	fills := []string{"<", "[", "(", "a=", "a=b, ", ", ", " ", "to=<", "@", "]:", "\\\"", "\"", ".", ":", "[1.2.3.4]:25 ", "ehlo=1 ", "\x00", "\xff"}
	const size = source.MaxLineBytes
	const budget = 50 * time.Millisecond // linear: well under a millisecond
	var slowest time.Duration
	for _, p := range prefixes {
		for _, f := range fills {
			line := p + strings.Repeat(f, (size-len(p))/len(f))
			d := minParseTime(line, 3)
			slowest = max(slowest, d)
			if d > budget {
				t.Errorf("%q followed by %q x %d: %v to parse, want under %v", p, f, (size-len(p))/len(f), d, budget)
			}
		}
	}
	t.Logf("slowest 64 KiB line: %v", slowest)
}

func minParseTime(line string, runs int) time.Duration {
	best := time.Duration(1 << 62)
	for i := 0; i < runs; i++ {
		start := time.Now()
		logparse.ParseString(line)
		best = min(best, time.Since(start))
	}
	return best
}

// TestReadHostileFile reads a file that has every kind of damage at once
// (CRLF line ends, NUL bytes, invalid UTF-8, escape sequences, a 32 MiB
// line, binary garbage, and a last line without its newline) through the
// reader and the parser, as ingest does: every line is returned and
// counted once, in order, none longer than the limit, only the long one
// marked cut, and memory stays far below the file's size.
func TestReadHostileFile(t *testing.T) {
	corpus, err := os.ReadFile("../testdata/corpus/corpus-a.log")
	if err != nil {
		t.Fatal(err)
	}
	real := strings.SplitAfter(string(corpus[:bytes.LastIndexByte(corpus[:64<<10], '\n')+1]), "\n")
	real = real[:len(real)-1]

	var b bytes.Buffer
	want := 0 // lines
	for i, l := range real {
		switch i % 4 {
		case 0:
			l = strings.TrimSuffix(l, "\n") + "\r\n"
		case 1:
			l = strings.Replace(l, " ", " \x00", 1)
		case 2:
			l = strings.TrimSuffix(l, "\n") + " \xff\xfe \x1b[2J\n"
		}
		b.WriteString(l)
		want++
	}
	b.WriteString(realConnect[:44])
	b.Write(bytes.Repeat([]byte("y"), 32<<20))
	b.WriteString("\n")
	want++
	rng := rand.New(rand.NewPCG(1, 2))
	garbage := make([]byte, 64<<10)
	for i := range garbage {
		garbage[i] = byte(rng.Uint32())
	}
	b.Write(garbage)
	b.WriteString("\n")
	want += bytes.Count(garbage, []byte("\n")) + 1
	b.WriteString(realConnect[:30]) // cut short, no newline
	want++
	path := filepath.Join(t.TempDir(), "mail.log")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	size := int64(b.Len())
	b = bytes.Buffer{}
	garbage = nil

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	r, err := source.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var n, cut int64
	var end int64
	kinds := map[logparse.Kind]int{}
	for {
		line, err := r.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("line %d: %v", n+1, err)
		}
		n++
		if line.Number != n {
			t.Fatalf("line %d numbered %d", n, line.Number)
		}
		if line.Offset != end {
			t.Fatalf("line %d starts at %d, the line before ended at %d", n, line.Offset, end)
		}
		end = line.End
		if len(line.Bytes) > source.MaxLineBytes {
			t.Fatalf("line %d is %d bytes, over the limit %d", n, len(line.Bytes), source.MaxLineBytes)
		}
		if line.Truncated {
			cut++
		}
		if bytes.HasSuffix(line.Bytes, []byte("\r")) {
			t.Errorf("line %d keeps the \\r of its CRLF", n)
		}
		l := logparse.Parse(line.Bytes)
		kinds[l.Event.Kind()]++
		if line.Partial && n != int64(want) {
			t.Errorf("line %d of %d is marked partial", n, want)
		}
	}
	runtime.ReadMemStats(&after)

	if n != int64(want) {
		t.Errorf("read %d lines, want %d", n, want)
	}
	if cut != 1 {
		t.Errorf("%d lines marked cut, want 1 (the 32 MiB one)", cut)
	}
	if end != size {
		t.Errorf("the last line ends at %d, the file at %d", end, size)
	}
	if kinds[logparse.KindMalformed] == 0 || kinds[logparse.KindDelivery] == 0 {
		t.Errorf("kinds read: %v; want deliveries and malformed lines", kinds)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(size)/4 {
		t.Errorf("reading and parsing %d MiB allocated %d MiB: long lines are buffered", size>>20, alloc>>20)
	} else {
		t.Logf("%d lines, %d MiB read, %s allocated; kinds %v", n, size>>20, fmtBytes(alloc), kinds)
	}
}

func fmtBytes(n uint64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

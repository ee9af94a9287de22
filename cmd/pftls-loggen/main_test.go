package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
)

// testConfig is a small log that still shows every scenario: six hours,
// so that deferred mail expires (the queue lifetime is a fifth of the span).
func testConfig(seed uint64, lines int64, hosts int) Config {
	end := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	return Config{Lines: lines, Seed: seed, Hosts: hosts, Start: end.Add(-6 * time.Hour), End: end, Location: time.UTC}
}

func generate(t *testing.T, cfg Config) ([]byte, Stats) {
	t.Helper()
	var buf bytes.Buffer
	st, err := Generate(&buf, cfg)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	return buf.Bytes(), st
}

// TestEveryLineParses is the generator's contract with the parser: every
// line it writes is a Postfix line pftls understands, and the log holds
// every scenario the benchmarks are meant to exercise.
func TestEveryLineParses(t *testing.T) {
	out, st := generate(t, testConfig(7, 20000, 2))
	if st.Lines != 20000 {
		t.Fatalf("wrote %d lines, want 20000", st.Lines)
	}
	kinds := map[logparse.Kind]int{}
	tlsKinds := map[logparse.TLSFailureKind]int{}
	hosts := map[string]bool{}
	statuses := map[logparse.Status]int{}
	var last time.Time
	res := logparse.Resolver{Year: 2026, Location: time.UTC}
	sc := bufio.NewScanner(bytes.NewReader(out))
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		l := logparse.ParseString(line)
		k := l.Event.Kind()
		kinds[k]++
		switch k {
		case logparse.KindUnparsed, logparse.KindMalformed, logparse.KindForeign:
			t.Errorf("line %d is %s: %s", n, k, line)
			continue
		}
		hosts[l.Host] = true
		if ts := res.Time(l.Stamp); ts.Before(last) {
			t.Errorf("line %d goes back in time (%s after %s): %s", n, ts, last, line)
		} else {
			last = ts
		}
		switch ev := l.Event.(type) {
		case logparse.TLSCertFailure:
			tlsKinds[ev.TLSFailure]++
		case logparse.Delivery:
			statuses[ev.Status]++
			if ev.TLSFailure != "" {
				tlsKinds[ev.TLSFailure]++
			}
		}
	}
	if n != 20000 {
		t.Fatalf("read %d lines, want 20000", n)
	}
	if len(hosts) != 2 {
		t.Errorf("hosts %v, want 2", hosts)
	}
	for _, k := range []logparse.Kind{
		logparse.KindConnect, logparse.KindDisconnect, logparse.KindClient, logparse.KindMessageID,
		logparse.KindQueueEntry, logparse.KindRemoved, logparse.KindExpired, logparse.KindPickup,
		logparse.KindDelivery, logparse.KindReject, logparse.KindNotification, logparse.KindConnectFailure,
		logparse.KindDeliverySkip, logparse.KindTLSEstablished, logparse.KindTLSCertFailure,
		logparse.KindTLSHandshakeError, logparse.KindTLSLibraryProblem, logparse.KindStartTLSOffered,
		logparse.KindAbnormalEnd, logparse.KindWarning, logparse.KindNotice,
	} {
		if kinds[k] == 0 {
			t.Errorf("no %s line", k)
		}
	}
	for _, k := range []logparse.TLSFailureKind{
		logparse.TLSUntrustedIssuer, logparse.TLSExpired, logparse.TLSSelfSigned, logparse.TLSNameMismatch,
		logparse.TLSHandshake, logparse.TLSStartTLSNotOffered,
	} {
		if tlsKinds[k] == 0 {
			t.Errorf("no %s TLS failure (have %v)", k, tlsKinds)
		}
	}
	for _, s := range []logparse.Status{logparse.StatusSent, logparse.StatusDeferred, logparse.StatusBounced} {
		if statuses[s] == 0 {
			t.Errorf("no status=%s delivery", s)
		}
	}
	for _, want := range []string{"delivery temporarily suspended: ", "postfix/postsuper[", "orig_to=<", "Connection timed out"} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("no line with %q", want)
		}
	}
	if end := testConfig(7, 1, 1).End; last.After(end) || last.Before(end.Add(-30*time.Minute)) {
		t.Errorf("last line at %s, want shortly before %s", last, end)
	}
}

// TestSameSeedSameBytes: the log is a function of the flags.
func TestSameSeedSameBytes(t *testing.T) {
	a, _ := generate(t, testConfig(42, 20000, 3))
	b, _ := generate(t, testConfig(42, 20000, 3))
	if !bytes.Equal(a, b) {
		t.Fatalf("two runs with seed 42 differ: %x vs %x", sha256.Sum256(a), sha256.Sum256(b))
	}
	c, _ := generate(t, testConfig(43, 20000, 3))
	if bytes.Equal(a, c) {
		t.Fatal("seeds 42 and 43 give the same log")
	}
}

// TestQueueIDsUniqueWhileOpen: a queue ID names one message on a host
// until its "removed" line; only then may it come back.
func TestQueueIDsUniqueWhileOpen(t *testing.T) {
	out, _ := generate(t, testConfig(3, 20000, 2))
	open := map[string]string{} // host+qid -> sender of the open message
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		l := logparse.ParseString(sc.Text())
		key := l.Host + " " + l.QueueID
		switch ev := l.Event.(type) {
		case logparse.Client, logparse.Pickup:
			if _, ok := open[key]; ok {
				t.Errorf("%s reused while open: %s", key, sc.Text())
			}
			open[key] = ""
		case logparse.MessageID:
			if _, ok := open[key]; !ok {
				open[key] = "" // a bounce notification starts at cleanup
			}
		case logparse.QueueEntry:
			if from, ok := open[key]; ok && from != "" && from != ev.From {
				t.Errorf("%s: sender changed from %q to %q", key, from, ev.From)
			}
			open[key] = ev.From
		case logparse.Removed:
			delete(open, key)
		}
	}
}

// TestCommandWritesFile runs the command as a user would, with -o.
func TestCommandWritesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mail.log")
	var stderr bytes.Buffer
	code := run([]string{"-lines", "5000", "-seed", "9", "-end", "2026-03-02T06:00:00Z", "-span", "2h", "-o", path}, &bytes.Buffer{}, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(b, []byte("\n")); n != 5000 {
		t.Errorf("%d lines, want 5000", n)
	}
	if !strings.HasPrefix(string(b), "Mar  2 04:") {
		t.Errorf("first line %q, want a stamp two hours before the end", b[:40])
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if end := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC); fi.ModTime().After(end) || fi.ModTime().Before(end.Add(-time.Hour)) {
		t.Errorf("mtime %s, want the last line's stamp, shortly before %s", fi.ModTime().UTC(), end)
	}
	if code := run([]string{"-lines", "10", "-stamp", "iso"}, &bytes.Buffer{}, &bytes.Buffer{}); code != 2 {
		t.Errorf("bad -stamp: exit %d, want 2", code)
	}
}

// TestRFC3339Stamps: rsyslog's high-precision stamps carry the zone and
// the microseconds, and still parse.
func TestRFC3339Stamps(t *testing.T) {
	cfg := testConfig(5, 3000, 1)
	cfg.Stamp = "rfc3339"
	cfg.Location = time.FixedZone("", 3600)
	out, _ := generate(t, cfg)
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		l := logparse.ParseString(sc.Text())
		if k := l.Event.Kind(); k == logparse.KindUnparsed || k == logparse.KindMalformed || k == logparse.KindForeign {
			t.Fatalf("%s: %s", k, sc.Text())
		}
		if !l.Stamp.Zoned || l.Stamp.OffsetSeconds != 3600 {
			t.Fatalf("stamp %+v, want zoned +01:00: %s", l.Stamp, sc.Text())
		}
	}
	if !bytes.HasPrefix(out, []byte("2026-03-02T01:00:00.")) {
		t.Errorf("first line %q, want the start in +01:00", out[:40])
	}
}

func TestAppendSecs(t *testing.T) {
	for _, c := range []struct {
		us   int64
		want string
	}{{0, "0"}, {4 * ms, "0"}, {80 * ms, "0.08"}, {100 * ms, "0.1"}, {180 * ms, "0.18"}, {996 * ms, "1"},
		{1200 * ms, "1.2"}, {3 * sec, "3"}, {33 * sec, "33"}, {133*sec + 600*ms, "134"}} {
		if got := string(appendSecs(nil, c.us)); got != c.want {
			t.Errorf("appendSecs(%d) = %q, want %q", c.us, got, c.want)
		}
	}
}

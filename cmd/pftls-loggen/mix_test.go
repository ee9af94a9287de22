package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
)

// heavyConfig is a day of the tls-heavy mix: long enough for mail to be
// retried up to the maximal backoff and to expire (the queue lifetime is
// a fifth of the span).
func heavyConfig(seed uint64, lines int64) Config {
	end := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	return Config{Lines: lines, Seed: seed, Hosts: 1, Start: end.Add(-24 * time.Hour), End: end, Location: time.UTC, Mix: MixTLSHeavy}
}

// heavyCounts is what TestTLSHeavyMix learns of a log.
type heavyCounts struct {
	lines, smtpLines   int
	remote             int // to= lines of smtp and error: attempts to deliver to a remote domain
	tlsDeferred        int // ... deferred for TLS
	relayMX2           int // ... through a domain's second MX host
	skips, tlsSkips    int // "QID: reason" lines of smtp: another MX host is tried
	refused4, refused5 int // remote 4xx and 5xx replies in to= lines ("host ... said: 4..")
	expired            int
	tlsKinds           map[logparse.TLSFailureKind]int
	longestDelay       float64
	minGap, maxGap     time.Duration // between two "(queue active)" lines of a message
}

func countHeavy(t *testing.T, out []byte) heavyCounts {
	t.Helper()
	c := heavyCounts{tlsKinds: map[logparse.TLSFailureKind]int{}, minGap: time.Duration(1 << 62)}
	res := logparse.Resolver{Year: 2026, Location: time.UTC}
	active := map[string]time.Time{} // queue ID -> its last (queue active)
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		c.lines++
		line := sc.Text()
		l := logparse.ParseString(line)
		switch l.Event.Kind() {
		case logparse.KindUnparsed, logparse.KindMalformed, logparse.KindForeign:
			t.Errorf("line %d is %s: %s", c.lines, l.Event.Kind(), line)
			continue
		}
		if l.Service == "smtp" {
			c.smtpLines++
		}
		switch ev := l.Event.(type) {
		case logparse.Delivery:
			if ev.TLSFailure != "" {
				c.tlsKinds[ev.TLSFailure]++
			}
			c.longestDelay = max(c.longestDelay, ev.Delay)
			if l.Service != "smtp" && l.Service != "error" {
				continue
			}
			c.remote++
			if ev.TLSFailure != "" && ev.Status == logparse.StatusDeferred {
				c.tlsDeferred++
			}
			if strings.HasPrefix(ev.Relay, "mx2.") {
				c.relayMX2++
			}
			if _, reply, ok := strings.Cut(ev.Reason, " said: "); ok {
				switch reply[0] {
				case '4':
					c.refused4++
				case '5':
					c.refused5++
				}
			}
		case logparse.DeliverySkip:
			c.skips++
			if ev.TLSFailure != "" {
				c.tlsSkips++
				c.tlsKinds[ev.TLSFailure]++
			}
		case logparse.TLSCertFailure:
			c.tlsKinds[ev.TLSFailure]++
		case logparse.Expired:
			c.expired++
		case logparse.QueueEntry:
			at := res.Time(l.Stamp)
			if last, ok := active[l.QueueID]; ok {
				gap := at.Sub(last)
				c.minGap, c.maxGap = min(c.minGap, gap), max(c.maxGap, gap)
			}
			active[l.QueueID] = at
		case logparse.Removed:
			delete(active, l.QueueID)
		}
	}
	return c
}

// TestTLSHeavyMix: the tls-heavy mix is what -mix promises, in lines
// pftls understands, every one: a third of the lines from smtp, about
// TLSFailureShare of the remote deliveries deferred for TLS, every TLS
// failure kind of the corpus, MX hosts skipped to the next one, remote
// 4xx and 5xx replies, retries spaced by the queue manager's backoff and
// mail that expires.
func TestTLSHeavyMix(t *testing.T) {
	out, st := generate(t, heavyConfig(5, 60000))
	if st.Lines != 60000 {
		t.Fatalf("wrote %d lines, want 60000", st.Lines)
	}
	c := countHeavy(t, out)
	smtpShare := float64(c.smtpLines) / float64(c.lines)
	tlsShare := float64(c.tlsDeferred) / float64(c.remote)
	t.Logf("smtp lines %.1f%%, remote deliveries %d, deferred for TLS %.1f%%, skips %d (TLS %d), 4xx %d, 5xx %d, expired %d, relay mx2 %d, longest delay %.0fs, retry gaps %s..%s, TLS kinds %v",
		100*smtpShare, c.remote, 100*tlsShare, c.skips, c.tlsSkips, c.refused4, c.refused5, c.expired, c.relayMX2, c.longestDelay, c.minGap, c.maxGap, c.tlsKinds)
	if smtpShare < 0.28 || smtpShare > 0.40 {
		t.Errorf("%.1f%% of the lines from smtp, want about a third", 100*smtpShare)
	}
	if tlsShare < TLSFailureShare-0.03 || tlsShare > TLSFailureShare+0.03 {
		t.Errorf("%.1f%% of the remote deliveries deferred for TLS, want %.0f%% ± 3", 100*tlsShare, 100*TLSFailureShare)
	}
	for _, k := range []logparse.TLSFailureKind{
		logparse.TLSUntrustedIssuer, logparse.TLSExpired, logparse.TLSSelfSigned, logparse.TLSNameMismatch,
		logparse.TLSNotVerified, logparse.TLSHandshake, logparse.TLSStartTLSNotOffered, logparse.TLSStartTLSRefused,
	} {
		if c.tlsKinds[k] == 0 {
			t.Errorf("no %s TLS failure (have %v)", k, c.tlsKinds)
		}
	}
	if c.skips == 0 || c.tlsSkips == 0 || c.tlsSkips == c.skips {
		t.Errorf("skip lines: %d, %d of them for TLS; want both kinds", c.skips, c.tlsSkips)
	}
	if c.relayMX2 == 0 {
		t.Error("no delivery through a second MX host")
	}
	if c.refused4 == 0 || c.refused5 == 0 {
		t.Errorf("remote replies: %d 4xx, %d 5xx; want both", c.refused4, c.refused5)
	}
	if c.expired == 0 {
		t.Error("no message expired")
	}
	// qmgr's backoff: at least minimal_backoff_time (300s) between two
	// attempts, at most maximal_backoff_time (4000s) and a queue run
	// (300s) more, and the attempt's own time (connection timeouts).
	if c.minGap < 300*time.Second || c.maxGap > (4000+300+120)*time.Second || c.maxGap < 4000*time.Second {
		t.Errorf("retries %s to %s apart, want from 300s up to 4000s (+ a queue run)", c.minGap, c.maxGap)
	}
	if c.longestDelay < 4*3600 {
		t.Errorf("longest delay %.0fs, want hours (retries until the queue lifetime)", c.longestDelay)
	}
}

// TestMixFlag: -mix takes the two mixes and nothing else, and the
// tls-heavy log differs from the default one of the same seed.
func TestMixFlag(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"-lines", "10", "-mix", "outbound"}, &bytes.Buffer{}, &stderr); code != 2 || !strings.Contains(stderr.String(), "-mix") {
		t.Errorf("-mix outbound: exit %d, %q; want 2 and a word on -mix", code, stderr.String())
	}
	var def, heavy bytes.Buffer
	if code := run([]string{"-lines", "3000", "-end", "2026-03-02T06:00:00Z", "-mix", "default"}, &def, &bytes.Buffer{}); code != 0 {
		t.Fatalf("-mix default: exit %d", code)
	}
	if code := run([]string{"-lines", "3000", "-end", "2026-03-02T06:00:00Z", "-mix", "tls-heavy"}, &heavy, &bytes.Buffer{}); code != 0 {
		t.Fatalf("-mix tls-heavy: exit %d", code)
	}
	if bytes.Equal(def.Bytes(), heavy.Bytes()) {
		t.Error("the two mixes wrote the same log")
	}
}

// TestDefaultMixUnchanged pins the default mix's bytes: logs generated
// before -mix existed (and the benchmarks measured on them) stay the
// same. The sum is that of the generator at f72abe7.
func TestDefaultMixUnchanged(t *testing.T) {
	out, _ := generate(t, testConfig(7, 20000, 2))
	const want = "38b57de8c88178be0f3f46f18d16b56d4108f0c24868241018db8de65c3cb134"
	if got := fmt.Sprintf("%x", sha256.Sum256(out)); got != want {
		t.Errorf("the default mix changed: sha256 %s, want %s", got, want)
	}
}

// TestReplay: replay appends SRC's lines after -skip to DST, at most
// -rate × -for of them, and says how many it wrote.
func TestReplay(t *testing.T) {
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src.log"), filepath.Join(dir, "dst.log")
	var lines []byte
	for i := range 500 {
		lines = fmt.Appendf(lines, "line %d\n", i)
	}
	if err := os.WriteFile(src, lines, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, []byte("line 0\nline 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, stderr bytes.Buffer
	// 10000 lines/s for 30 ms: 3 slices of 100 lines.
	if code := run([]string{"replay", "-rate", "10000", "-for", "30ms", "-skip", "2", src, dst}, &out, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.HasPrefix(out.String(), "lines=300 start_ns=") {
		t.Errorf("output %q, want lines=300 first", out.String())
	}
	got, err := os.ReadFile(dst)
	if err != nil {
		t.Fatal(err)
	}
	if want := lines[:bytes.Index(lines, []byte("line 302\n"))]; !bytes.Equal(got, want) {
		t.Errorf("dst has %d bytes, want the first 302 lines (%d bytes)", len(got), len(want))
	}
	// To the end of SRC when it ends first.
	if code := run([]string{"replay", "-rate", "100000", "-for", "1s", src, filepath.Join(dir, "all.log")}, &out, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if all, _ := os.ReadFile(filepath.Join(dir, "all.log")); !bytes.Equal(all, lines) {
		t.Errorf("all.log has %d bytes, want all of src (%d)", len(all), len(lines))
	}
	if code := run([]string{"replay", src}, &out, &stderr); code != 2 {
		t.Errorf("no DST: exit %d, want 2", code)
	}
}

package logparse_test

import (
	"bufio"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
)

// readLines returns the lines of a file, without their newlines.
func readLines(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return lines
}

// grepCount is one independent, grep-like count: the lines for which match
// is true. The numbers in the tests below were checked with grep -c on the
// real files (see testdata/corpus/expected-a.json for some of them).
type grepCount struct {
	kind  logparse.Kind
	match func(line string) bool
	want  int
}

func has(subs ...string) func(string) bool {
	return func(l string) bool {
		for _, s := range subs {
			if !strings.Contains(l, s) {
				return false
			}
		}
		return true
	}
}

func anyOf(fs ...func(string) bool) func(string) bool {
	return func(l string) bool {
		for _, f := range fs {
			if f(l) {
				return true
			}
		}
		return false
	}
}

func not(f func(string) bool) func(string) bool { return func(l string) bool { return !f(l) } }

func and(fs ...func(string) bool) func(string) bool {
	return func(l string) bool {
		for _, f := range fs {
			if !f(l) {
				return false
			}
		}
		return true
	}
}

func suffix(s string) func(string) bool {
	return func(l string) bool { return strings.HasSuffix(l, s) }
}

// The grep-like predicates, one per kind. They look at raw text only.
var (
	grepDelivery       = has(" to=<", "status=")
	grepQueueEntry     = and(has(", nrcpt="), suffix("(queue active)"))
	grepExpired        = has("status=expired, returned to sender")
	grepRemoved        = suffix(": removed")
	grepMessageID      = has(": message-id=<")
	grepPickup         = has("postfix/pickup[", ": uid=")
	grepClient         = has(": client=")
	grepConnect        = has("]: connect from ")
	grepDisconnect     = has("]: disconnect from ")
	grepAbnormalEnd    = anyOf(has("]: lost connection after "), has("]: NOQUEUE: lost connection after "), has("]: timeout after "), has("]: too many errors after "))
	grepReject         = has(": reject: ")
	grepNotification   = has(" notification: ")
	grepConnectFailure = has("]: connect to ")
	grepSkip           = and(has(": Cannot start TLS: "), not(has("status=")))
	grepEstablished    = has("TLS connection established")
	grepCertFailure    = has("certificate verification failed for")
	grepHandshake      = anyOf(has("SSL_connect error to "), has("SSL_accept error from "))
	grepLibrary        = has("]: warning: TLS library problem: ")
	grepOffered        = has("Host offered STARTTLS")
	grepWarning        = and(anyOf(has("]: warning: "), has("]: error: ")), not(grepLibrary))
	grepNotice         = anyOf(has("/postfix-script["), has("/master["), has("/anvil["), has("]: Deleted: "))
)

// TestCorpus parses every line of the real Postfix 3.7 logs and checks that
// each kind is found exactly as often as an independent grep finds it.
func TestCorpus(t *testing.T) {
	tests := []struct {
		file   string
		lines  int
		counts []grepCount
	}{
		{
			file:  "../testdata/corpus/corpus-a.log",
			lines: 5331,
			counts: []grepCount{
				{logparse.KindDelivery, grepDelivery, 1037},
				{logparse.KindQueueEntry, grepQueueEntry, 797},
				{logparse.KindExpired, grepExpired, 79},
				{logparse.KindRemoved, grepRemoved, 463}, // 461 qmgr + 2 postsuper
				{logparse.KindMessageID, grepMessageID, 463},
				{logparse.KindPickup, grepPickup, 78},
				{logparse.KindClient, grepClient, 206},
				{logparse.KindConnect, grepConnect, 224},
				{logparse.KindDisconnect, grepDisconnect, 224},
				{logparse.KindAbnormalEnd, grepAbnormalEnd, 0},
				{logparse.KindReject, grepReject, 17},
				{logparse.KindNotification, grepNotification, 175}, // 94 non-delivery + 81 delay
				{logparse.KindConnectFailure, grepConnectFailure, 62},
				{logparse.KindDeliverySkip, grepSkip, 5},
				{logparse.KindTLSEstablished, grepEstablished, 652},
				{logparse.KindTLSCertFailure, grepCertFailure, 245},
				{logparse.KindTLSHandshakeError, grepHandshake, 44},
				{logparse.KindTLSLibraryProblem, grepLibrary, 44},
				{logparse.KindStartTLSOffered, grepOffered, 21},
				{logparse.KindWarning, grepWarning, 486},
				{logparse.KindNotice, grepNotice, 9},
			},
		},
		{
			file:  "../testdata/corpus/receivers-a.log",
			lines: 3349,
			counts: []grepCount{
				{logparse.KindDelivery, grepDelivery, 268},
				{logparse.KindQueueEntry, grepQueueEntry, 261},
				{logparse.KindExpired, grepExpired, 0},
				{logparse.KindRemoved, grepRemoved, 261},
				{logparse.KindMessageID, grepMessageID, 261},
				{logparse.KindPickup, grepPickup, 0},
				{logparse.KindClient, grepClient, 261},
				{logparse.KindConnect, grepConnect, 636},
				{logparse.KindDisconnect, grepDisconnect, 636},
				{logparse.KindAbnormalEnd, grepAbnormalEnd, 44},
				{logparse.KindReject, grepReject, 44},
				{logparse.KindNotification, grepNotification, 0},
				{logparse.KindConnectFailure, grepConnectFailure, 0},
				{logparse.KindDeliverySkip, grepSkip, 0},
				{logparse.KindTLSEstablished, grepEstablished, 512},
				{logparse.KindTLSCertFailure, grepCertFailure, 0},
				{logparse.KindTLSHandshakeError, grepHandshake, 44},
				{logparse.KindTLSLibraryProblem, grepLibrary, 44},
				{logparse.KindStartTLSOffered, grepOffered, 0},
				{logparse.KindWarning, grepWarning, 74},
				{logparse.KindNotice, grepNotice, 3},
			},
		},
	}
	for _, tt := range tests {
		t.Run(strings.TrimPrefix(tt.file, "../testdata/corpus/"), func(t *testing.T) {
			lines := readLines(t, tt.file)
			if len(lines) != tt.lines {
				t.Fatalf("%d lines, want %d", len(lines), tt.lines)
			}
			got := map[logparse.Kind]int{}
			for i, line := range lines {
				l := parseNoPanic(t, line)
				k := l.Event.Kind()
				got[k]++
				switch k {
				case logparse.KindUnparsed, logparse.KindMalformed, logparse.KindForeign:
					t.Errorf("line %d is %s: %s", i+1, k, line)
				}
			}
			sum := 0
			for _, c := range tt.counts {
				grep := 0
				for _, line := range lines {
					if c.match(line) {
						grep++
					}
				}
				if grep != c.want {
					t.Errorf("grep count for %s = %d, want %d (the corpus changed?)", c.kind, grep, c.want)
				}
				if got[c.kind] != c.want {
					t.Errorf("parsed %d %s lines, grep finds %d", got[c.kind], c.kind, c.want)
				}
				sum += c.want
			}
			if sum != len(lines) {
				t.Errorf("the grep counts add up to %d, the file has %d lines", sum, len(lines))
			}
		})
	}
}

// parseNoPanic parses a line and turns a panic into a test failure that
// names the line.
func parseNoPanic(t testing.TB, line string) (l logparse.Line) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Parse panicked on %q: %v", line, r)
		}
	}()
	return logparse.Parse([]byte(line))
}

// TestCorpusDetails checks finer counts in corpus-a.log: trust words, TLS
// failure kinds, statuses and envelopes, each against a grep -c number.
func TestCorpusDetails(t *testing.T) {
	lines := readLines(t, "../testdata/corpus/corpus-a.log")
	trust := map[string]int{}
	certKinds := map[logparse.TLSFailureKind]int{}
	certRFC := map[logparse.RFC8460]int{}
	status := map[logparse.Status]int{}
	deliveryTLS := map[logparse.TLSFailureKind]int{}
	var relayNone, origTo, localRelay, submission, clientSig int
	for _, line := range lines {
		l := logparse.ParseString(line)
		if l.Host != "mail" {
			t.Errorf("host %q in %s", l.Host, line)
		}
		if l.Program == "postfix/submission/smtpd" {
			submission++
			if l.Service != "smtpd" || l.Instance() != "postfix/submission" {
				t.Errorf("service %q instance %q: %s", l.Service, l.Instance(), line)
			}
		}
		switch ev := l.Event.(type) {
		case logparse.TLSEstablished:
			trust[string(ev.Trust)+" "+string(ev.Direction)]++
			if ev.ClientSignature != "" {
				clientSig++
			}
		case logparse.TLSCertFailure:
			certKinds[ev.TLSFailure]++
			certRFC[ev.RFC8460]++
		case logparse.Delivery:
			status[ev.Status]++
			deliveryTLS[ev.TLSFailure]++
			if ev.Relay == "none" {
				relayNone++
			}
			if ev.Relay == "local" {
				localRelay++
			}
			if ev.OrigTo != "" {
				origTo++
			}
			if !strings.Contains(line, "to=<"+ev.To+">") {
				t.Errorf("To %q not in %s", ev.To, line)
			}
		}
	}
	check := func(what string, got, want int) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %d, want %d", what, got, want)
		}
	}
	// grep -c 'Verified TLS connection established to' etc.
	check("Verified to", trust["verified to"], 89)
	check("Trusted to", trust["trusted to"], 122)
	check("Untrusted to", trust["untrusted to"], 294)
	check("Anonymous to", trust["anonymous to"], 7)
	check("Untrusted from", trust["untrusted from"], 18)
	check("Anonymous from", trust["anonymous from"], 122)
	check("client-signature", clientSig, 18)
	// grep -c 'untrusted issuer' / 'certificate has expired' / ...
	check("untrusted-issuer", certKinds[logparse.TLSUntrustedIssuer], 53)
	check("expired", certKinds[logparse.TLSExpired], 52)
	check("self-signed", certKinds[logparse.TLSSelfSigned], 30)
	check("name-mismatch", certKinds[logparse.TLSNameMismatch], 110)
	check("rfc validation-failure", certRFC[logparse.RFCValidationFailure], 53+30)
	check("rfc certificate-expired", certRFC[logparse.RFCCertificateExpired], 52)
	check("rfc certificate-host-mismatch", certRFC[logparse.RFCCertificateHostMatch], 110)
	// expected-a.json observed_line_counts
	check("status=sent", status[logparse.StatusSent], 537)
	check("status=deferred", status[logparse.StatusDeferred], 485)
	check("status=bounced", status[logparse.StatusBounced], 15)
	check("Server certificate not verified", deliveryTLS[logparse.TLSNotVerified], 289)
	check("TLS is required, but was not offered", deliveryTLS[logparse.TLSStartTLSNotOffered], 46)
	check("Cannot start TLS in status lines", deliveryTLS[logparse.TLSHandshake], 40)
	check("relay=none", relayNone, 112)
	check("relay=local", localRelay, 275)
	check("orig_to", origTo, 45)
	check("postfix/submission/smtpd", submission, 90)
}

// TestDelayValuesAsParseFloat: a delay of any whole part and up to nine
// decimals (delay_logging_resolution_limit may be up to 6) is the
// float64 strconv.ParseFloat reads, bit for bit: "1.57" is the double
// nearest 1.57, not 1 plus the double nearest 0.57, which can be one ulp
// below it.
func TestDelayValuesAsParseFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	texts := []string{"1.57", "0.15", "310", "0.01", "4.5", "86400.07", "9007199.254740993", "123456789012.123456789", ".5", "5."}
	for range 20000 {
		whole := r.IntN(1_000_000)
		if r.IntN(4) == 0 {
			whole = r.IntN(100)
		}
		digits := 1 + r.IntN(6)
		texts = append(texts, fmt.Sprintf("%d.%0*d", whole, digits, r.IntN(int(math.Pow10(digits)))))
	}
	bad := 0
	for _, text := range texts {
		line := "Nov 23 00:20:05 mail postfix/smtp[13448]: 4D8D6BC3A0: to=<a@example.org>, relay=mx.example.org[192.0.2.1]:25, delay=" +
			text + ", delays=0/0/0/" + text + ", dsn=2.0.0, status=sent (250 2.0.0 Ok)"
		d, ok := logparse.ParseString(line).Event.(logparse.Delivery)
		if !ok {
			t.Fatalf("not a delivery: %s", line)
		}
		want, err := strconv.ParseFloat(strings.TrimSuffix(text, "."), 64)
		if err != nil {
			t.Fatal(err)
		}
		if math.Float64bits(d.Delay) != math.Float64bits(want) || math.Float64bits(d.Delays[3]) != math.Float64bits(want) {
			bad++
			if bad <= 5 {
				t.Errorf("delay=%s parsed as %v (delays: %v), want %v", text, d.Delay, d.Delays[3], want)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d delays differ from strconv.ParseFloat", bad, len(texts))
	}
}

// TestDelayValuesMalformed: a delay that is no decimal number, or not a
// finite one, is 0 (a report could not say +Inf or NaN in JSON); ten
// decimals or more are read to the ninth.
func TestDelayValuesMalformed(t *testing.T) {
	for text, want := range map[string]float64{
		"inf": 0, "-Inf": 0, "nan": 0, "1e999": 0, "1.x": 0, "1.5e3": 0, "x": 0, ".": 0,
		"5.": 5, ".5": 0.5, "00.10": 0.1, "1.1234567891": 1.123456789, "1.5": 1.5,
	} {
		line := "Nov 23 00:20:05 mail postfix/smtp[13448]: 4D8D6BC3A0: to=<a@example.org>, relay=mx.example.org[192.0.2.1]:25, delay=" +
			text + ", delays=0/0/0/" + text + ", dsn=2.0.0, status=sent (250 2.0.0 Ok)"
		d, ok := logparse.ParseString(line).Event.(logparse.Delivery)
		if !ok {
			t.Fatalf("not a delivery: %s", line)
		}
		if d.Delay != want || d.Delays[3] != want {
			t.Errorf("delay=%s parsed as %v (delays: %v), want %v", text, d.Delay, d.Delays[3], want)
		}
	}
}

// TestCorpusDelayValues compares every delay= and delays= number with
// strconv.ParseFloat of the same text: "0.15" must be the float64 0.15.
func TestCorpusDelayValues(t *testing.T) {
	bad := 0
	for _, file := range []string{"../testdata/corpus/corpus-a.log", "../testdata/corpus/receivers-a.log"} {
		for _, line := range readLines(t, file) {
			d, ok := logparse.ParseString(line).Event.(logparse.Delivery)
			if !ok {
				continue
			}
			fields := map[string]string{}
			for _, f := range strings.Split(line, ", ") {
				if k, v, ok := strings.Cut(f, "="); ok {
					fields[k] = v
				}
			}
			want, err := strconv.ParseFloat(fields["delay"], 64)
			if err != nil {
				t.Fatalf("delay in %s: %v", line, err)
			}
			if d.Delay != want {
				bad++
				if bad <= 5 {
					t.Errorf("delay=%s parsed as %v: %s", fields["delay"], d.Delay, line)
				}
			}
			for i, part := range strings.Split(fields["delays"], "/") {
				want, err := strconv.ParseFloat(part, 64)
				if err != nil {
					t.Fatalf("delays in %s: %v", line, err)
				}
				if d.Delays[i] != want {
					bad++
					if bad <= 5 {
						t.Errorf("delays[%d]=%s parsed as %v: %s", i, part, d.Delays[i], line)
					}
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d delay numbers differ from strconv.ParseFloat", bad)
	}
}

// TestCorpusTimeOrder resolves corpus-a.log with its plausible mtime: the
// file is written in order, so the times never go back and all fall on
// 2026-11-23.
func TestCorpusTimeOrder(t *testing.T) {
	r := logparse.Resolver{Location: time.UTC, Reference: time.Date(2026, 11, 23, 0, 26, 23, 0, time.UTC)}
	var prev time.Time
	for i, line := range readLines(t, "../testdata/corpus/corpus-a.log") {
		tm := r.Time(logparse.ParseString(line).Stamp)
		if tm.Before(prev) {
			t.Fatalf("line %d goes back in time", i+1)
		}
		if y, m, d := tm.Date(); y != 2026 || m != time.November || d != 23 {
			t.Fatalf("line %d resolves to %s", i+1, tm)
		}
		prev = tm
	}
}

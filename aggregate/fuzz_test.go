package aggregate_test

// FuzzCorrelator feeds the correlator random sequences of real event shapes:
// lines of testdata/corpus/corpus-a.log, chosen and ordered by the fuzzer,
// with their queue IDs, pids and hosts swapped for others (so that unrelated
// messages and processes collide), sometimes cut short, with time moving on
// in steps from none to days, and sometimes backwards.
//
// The seed corpus in testdata/fuzz/FuzzCorrelator runs in every go test.
// To fuzz:
//
//	go test -run '^$' -fuzz FuzzCorrelator -fuzztime 60s ./aggregate
//
// and keep what it finds: go test writes a failing input to
// testdata/fuzz/FuzzCorrelator, where it becomes a seed.

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
)

// fuzzOp is one fuzzer step: which corpus line, how to change it, and how
// far time moves before it. Each step takes opSize bytes of the input.
//
//	byte 0-1  line index (big endian, modulo the corpus length)
//	byte 2    bits 0-1 queue ID: keep, or one of fuzzQIDs
//	          bits 2-3 pid: keep, or one of fuzzPIDs
//	          bits 4-5 host: keep, or one of fuzzHosts
//	          bit  6   cut the line short (at byte 3's share of its length)
//	          bit  7   drain the correlator after this line
//	byte 3    time step: fuzzSteps[b % len]
const opSize = 4

// The pools are real values of the corpus, so that swapped lines collide
// with unchanged ones.
var (
	fuzzQIDs  = []string{"0CDA6BC393", "4D8D6BC3A0", "94C5DBC404"}
	fuzzPIDs  = []string{"13448", "13453", "13394"}
	fuzzHosts = []string{"mail", "mx2", "relay.example.net"}
	fuzzSteps = []time.Duration{
		0, 0, time.Second, time.Second, 2 * time.Second, 30 * time.Second,
		time.Minute + time.Second, 16 * time.Minute, 3 * time.Hour, 8 * 24 * time.Hour,
		-10 * time.Minute, -time.Second,
	}
)

// fuzzMaxOps bounds one input's length: long enough for whole scenarios,
// short enough to keep the fuzzer fast.
const fuzzMaxOps = 1500

// fuzzStart is the time of the first fed line.
var fuzzStart = time.Date(2026, 11, 23, 0, 19, 54, 0, time.UTC)

// farFutureLine opens nothing (anvil statistics): fed long after everything
// else, it makes the correlator close all it holds.
const farFutureLine = "Nov 23 00:24:36 mail postfix/anvil[13472]: statistics: max cache size 2 at Nov 23 00:20:12"

var (
	fuzzLinesOnce sync.Once
	fuzzLines     []string
)

func corpusLines(t testing.TB) []string {
	fuzzLinesOnce.Do(func() { fuzzLines = readLines(t, corpusLog) })
	if len(fuzzLines) == 0 {
		t.Fatal("no corpus lines")
	}
	return fuzzLines
}

// fedLine is one line as the fuzzer made it, with the time it stands for.
type fedLine struct {
	text  string
	at    time.Time
	drain bool
}

// decodeOps turns fuzz input into lines. The first byte chooses where the
// state round trip cuts the sequence.
func decodeOps(lines []string, data []byte) (fed []fedLine, cut int) {
	if len(data) == 0 {
		return nil, 0
	}
	cutByte := int(data[0])
	data = data[1:]
	at := fuzzStart
	for len(data) >= opSize && len(fed) < fuzzMaxOps {
		op := data[:opSize]
		data = data[opSize:]
		s := lines[int(binary.BigEndian.Uint16(op[0:2]))%len(lines)]
		mut := op[2]
		l := logparse.ParseString(s)
		if n := int(mut & 3); n > 0 && l.QueueID != "" && logparse.IsQueueID(l.QueueID) {
			s = strings.ReplaceAll(s, l.QueueID, fuzzQIDs[n-1])
		}
		if n := int(mut >> 2 & 3); n > 0 && l.PID > 0 {
			s = strings.Replace(s, "["+strconv.Itoa(l.PID)+"]:", "["+fuzzPIDs[n-1]+"]:", 1)
		}
		if n := int(mut >> 4 & 3); n > 0 && l.Host != "" {
			s = strings.Replace(s, " "+l.Host+" ", " "+fuzzHosts[n-1]+" ", 1)
		}
		if mut&0x40 != 0 {
			s = s[:len(s)*int(op[3])/256]
		}
		at = at.Add(fuzzSteps[int(op[3])%len(fuzzSteps)])
		if at.Before(fuzzStart) {
			at = fuzzStart
		}
		fed = append(fed, fedLine{text: s, at: at, drain: mut&0x80 != 0})
	}
	return fed, cutByte % (len(fed) + 1)
}

// fuzzRun is one pass over the fed lines.
type fuzzRun struct {
	t      *testing.T
	c      *aggregate.Correlator
	facts  *facts
	latest time.Time
}

func (r *fuzzRun) add(s string, at time.Time) {
	l := logparse.ParseString(s)
	r.c.Add(&l, at)
	if at.After(r.latest) {
		r.latest = at
	}
}

// drain collects the correlator's facts and checks each one names its host.
func (r *fuzzRun) drain(fed []fedLine) {
	r.t.Helper()
	b := r.c.Drain()
	checkHosts(r.t, b, fed)
	r.facts.add(b)
}

// checkHosts fails when a fact has no host. Line counts of malformed lines
// (no syslog envelope, so no host) are let through here: that they are
// counted at a made-up hour is TestMalformedLineCountedAtItsNeighboursTime.
func checkHosts(t *testing.T, b aggregate.Batch, fed []fedLine) {
	t.Helper()
	bad := func(kind string, v any) {
		t.Helper()
		t.Fatalf("Drain returned a %s with an empty Host: %+v\n(input of %d lines: %s)", kind, v, len(fed), showFed(fed))
	}
	for _, x := range b.Messages {
		if x.Host == "" {
			bad("message", x)
		}
	}
	for _, x := range b.Attempts {
		if x.Host == "" {
			bad("attempt", x)
		}
	}
	for _, x := range b.TLS {
		if x.Host == "" {
			bad("TLS failure", x)
		}
	}
	for _, x := range b.Sessions {
		if x.Host == "" {
			bad("session", x)
		}
	}
	for _, x := range b.Rejects {
		if x.Host == "" {
			bad("reject", x)
		}
	}
	for _, x := range b.Warnings {
		if x.Host == "" {
			bad("warning", x)
		}
	}
	for _, x := range b.Unparsed {
		if x.Host == "" {
			bad("unparsed line", x)
		}
	}
	for _, x := range b.LineCounts {
		if x.Host == "" && x.Kind != logparse.KindMalformed {
			bad("line count", x)
		}
	}
}

func showFed(fed []fedLine) string {
	var b strings.Builder
	for i, f := range fed {
		if i == 12 {
			fmt.Fprintf(&b, "\n  ... %d more", len(fed)-i)
			break
		}
		fmt.Fprintf(&b, "\n  %s %q", f.at.Format(time.RFC3339), f.text)
	}
	return b.String()
}

func FuzzCorrelator(f *testing.F) {
	lines := corpusLines(f)
	// In-code seeds: the corpus's first lines in order, untouched; and the
	// same with every swap and a drain now and then. The files in
	// testdata/fuzz/FuzzCorrelator add whole scenarios and odd orders.
	inOrder := []byte{40}
	swapped := []byte{200}
	for i := 0; i < 300; i++ {
		inOrder = append(inOrder, byte(i>>8), byte(i), 0, 2)
		swapped = append(swapped, byte(i>>8), byte(i), byte(i*37), byte(i*11))
	}
	f.Add(inOrder)
	f.Add(swapped)
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) { checkCorrelator(t, lines, data) })
}

// checkCorrelator runs one fuzz input.
func checkCorrelator(t *testing.T, lines []string, data []byte) {
	fed, cut := decodeOps(lines, data)

	// One uninterrupted run, draining where the input says.
	whole := &fuzzRun{t: t, c: aggregate.NewCorrelator(aggregate.DefaultOptions), facts: newFacts()}
	for _, l := range fed {
		whole.add(l.text, l.at)
		if l.drain {
			whole.drain(fed)
		}
	}
	whole.drain(fed)

	if got := whole.c.Stats().Lines; got != int64(len(fed)) {
		t.Fatalf("Stats().Lines = %d after %d lines", got, len(fed))
	}
	if got := whole.facts.lines(); got != int64(len(fed)) {
		t.Fatalf("line counts add up to %d after %d lines", got, len(fed))
	}

	// Long after the last line, nothing may stay open.
	far := whole.latest.Add(aggregate.DefaultOptions.MessageMaxAge + 24*time.Hour)
	if far.Before(fuzzStart) {
		far = fuzzStart.Add(aggregate.DefaultOptions.MessageMaxAge + 24*time.Hour)
	}
	whole.add(farFutureLine, far)
	whole.drain(fed)
	if m, p, s := whole.c.Open(); m+p+s != 0 {
		t.Fatalf("Open() = %d messages, %d processes, %d sessions after a line %s after the last one; want none\n(input: %s)",
			m, p, s, aggregate.DefaultOptions.MessageMaxAge+24*time.Hour, showFed(fed))
	}
	if got, want := whole.facts.lines(), int64(len(fed)+1); got != want {
		t.Fatalf("line counts add up to %d, want %d", got, want)
	}

	// The same lines with the state saved and restored into a new
	// correlator at the cut: "stop at any commit and go on as if it
	// had not" (state.go).
	split := &fuzzRun{t: t, c: aggregate.NewCorrelator(aggregate.DefaultOptions), facts: newFacts()}
	for i, l := range fed {
		if i == cut {
			split.drain(fed)
			split.c = restored(t, split.c)
		}
		split.add(l.text, l.at)
		if l.drain {
			split.drain(fed)
		}
	}
	split.drain(fed)
	split.add(farFutureLine, far)
	split.drain(fed)
	if d := diffCanonical(split.facts.canonical(t), whole.facts.canonical(t)); d != "" {
		t.Fatalf("state saved and restored after line %d of %d: facts differ from one run:\n%s\n(input: %s)",
			cut, len(fed), d, showFed(fed))
	}
}

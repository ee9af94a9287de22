package aggregate

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
)

// TestStateReadsEarlierJSON: a state stored by an earlier pftls (JSON, before
// the gob encoding) restores the same open state as the current encoding.
func TestStateReadsEarlierJSON(t *testing.T) {
	data, err := os.ReadFile("../testdata/corpus/corpus-a.log")
	if err != nil {
		t.Fatal(err)
	}
	res := logparse.Resolver{Year: 2026, Location: time.UTC}
	c := NewCorrelator(DefaultOptions)
	for _, line := range strings.SplitAfter(string(data), "\n")[:2718] {
		l := logparse.ParseString(strings.TrimSuffix(line, "\n"))
		c.Add(&l, res.Time(l.Stamp))
	}
	c.Drain()
	cur, err := c.MarshalState()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(cur, gobState) {
		t.Fatalf("MarshalState does not start with %q", gobState)
	}
	// The encoding pftls used before: json.Marshal of the same State.
	st := c.snapshot(false)
	st.Unwritten = nil // as earlier versions stored it
	old, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}

	fromJSON, fromGob := NewCorrelator(DefaultOptions), NewCorrelator(DefaultOptions)
	if err := fromJSON.UnmarshalState(old); err != nil {
		t.Fatalf("UnmarshalState(JSON): %v", err)
	}
	if err := fromGob.UnmarshalState(cur); err != nil {
		t.Fatalf("UnmarshalState(gob): %v", err)
	}
	m1, p1, s1 := fromJSON.Open()
	m2, p2, s2 := fromGob.Open()
	m0, p0, s0 := c.Open()
	if m1 != m0 || p1 != p0 || s1 != s0 || m2 != m0 || p2 != p0 || s2 != s0 || m0 == 0 {
		t.Errorf("open messages/processes/sessions: original %d/%d/%d, from JSON %d/%d/%d, from gob %d/%d/%d",
			m0, p0, s0, m1, p1, s1, m2, p2, s2)
	}
	// Both restore the same state, part by part.
	ja, _ := json.Marshal(canonicalState(t, old))
	jb, _ := json.Marshal(canonicalState(t, cur))
	if !bytes.Equal(ja, jb) {
		t.Errorf("the state restored from JSON differs from the one restored from gob")
	}
}

// canonicalState decodes an encoded state with sorted parts.
func canonicalState(t *testing.T, b []byte) map[string]int {
	t.Helper()
	c := NewCorrelator(DefaultOptions)
	if err := c.UnmarshalState(b); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for k, m := range c.messages {
		j, _ := json.Marshal(m)
		out[k.host+" "+k.qid+" "+string(j)]++
	}
	for k, p := range c.procs {
		j, _ := json.Marshal(p)
		out[k.host+" "+k.program+" "+string(j)]++
	}
	for k, s := range c.sessions {
		j, _ := json.Marshal(s)
		out[k.host+" "+k.program+" "+string(j)]++
	}
	for k, v := range c.mxDomain {
		out["mx "+k+" "+v.Domain]++
	}
	return out
}

// TestSnapshotIsACopy: ingest encodes a snapshot of the state on another
// goroutine while the correlator goes on, so nothing the correlator
// changes later may show in it.
func TestSnapshotIsACopy(t *testing.T) {
	data, err := os.ReadFile("../testdata/corpus/corpus-a.log")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(data), "\n")
	res := logparse.Resolver{Year: 2026, Location: time.UTC}
	c := NewCorrelator(DefaultOptions)
	add := func(from, to int) {
		for _, line := range lines[from:to] {
			l := logparse.ParseString(strings.TrimSuffix(line, "\n"))
			c.Add(&l, res.Time(l.Stamp))
		}
	}
	// Cut where there is some of everything: open messages, processes
	// with TLS state, smtpd sessions and MX hosts.
	full := func() bool {
		withTLS := 0
		for _, p := range c.procs {
			if p.Cur != nil || len(p.Pending) > 0 {
				withTLS++
			}
		}
		return len(c.messages) > 0 && withTLS > 0 && len(c.sessions) > 0 && len(c.mxDomain) > 0
	}
	cut := 1000
	add(0, cut)
	for ; cut < len(lines)/2 && !full(); cut++ {
		add(cut, cut+1)
	}
	if !full() {
		t.Fatalf("no line in the first half of the corpus leaves open messages, processes with TLS state, sessions and MX hosts")
	}
	c.DrainEnded()
	snap := c.snapshot(false)
	before, err := snap.encode()
	if err != nil {
		t.Fatal(err)
	}
	add(cut, len(lines)) // changes, ends and prunes what the snapshot holds
	c.FlushPending()
	after, err := snap.encode()
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(canonicalState(t, before))
	jb, _ := json.Marshal(canonicalState(t, after))
	if !bytes.Equal(ja, jb) {
		t.Errorf("the snapshot changed with the correlator:\nbefore %s\nafter  %s", ja, jb)
	}
}

// TestCorrelator_mx_map_bounded: the MX-host map is cut back when it
// outgrows maxMXHosts (it grew without bound: a million MX hosts made each
// tail commit encode them all), dropping the hosts used least recently
// (it dropped any, in Go's map order).
func TestCorrelator_mx_map_bounded(t *testing.T) {
	c := NewCorrelator(DefaultOptions)
	start := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	key := func(i int) string { return "mail mx" + strings.Repeat("x", i%7) + strconv.Itoa(i) + ".example" }
	n := maxMXHosts + 5000
	for i := range n {
		c.usedMX(key(i), "example.org", start.Add(time.Duration(i)*time.Second))
	}
	c.prune(start.Add(time.Duration(n) * time.Second))
	if got := len(c.mxDomain); got > maxMXHosts || got < maxMXHosts/2 {
		t.Errorf("after pruning the MX-host map has %d entries, want at most %d (and most kept)", got, maxMXHosts)
	}
	for _, i := range []int{n - 1, n - maxMXHosts/2} {
		if _, ok := c.mxDomain[key(i)]; !ok {
			t.Errorf("MX host %d of %d (used recently) was dropped", i, n)
		}
	}
	if _, ok := c.mxDomain[key(0)]; ok {
		t.Errorf("the MX host used least recently was kept")
	}
}

package aggregate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
)

// TestStateReadsEarlierJSON: a state stored by an earlier pftls (JSON, before
// the gob encoding) restores the same open state as the current encoding.
func TestStateReadsEarlierJSON(t *testing.T) {
	data := readCorpus(t)
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
	data := readCorpus(t)
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

// TestTail_commits_do_not_rewrite_the_mx_map: a commit writes the MX
// hosts that changed since the one before, not the map (with a million MX
// hosts tail used 186% CPU re-encoding it every 250 ms), and a restart
// reads them back from their rows.
func TestTail_commits_do_not_rewrite_the_mx_map(t *testing.T) {
	opts := DefaultOptions
	opts.TrackChanges = true
	c := NewCorrelator(opts)
	res := logparse.Resolver{Year: 2026, Location: time.UTC}
	deliver := func(i int, at string) {
		line := fmt.Sprintf("Nov 23 %s mail postfix/smtp[4000]: %010X: to=<rcpt@d%d.example>, relay=mx%d.d%d.example[198.51.100.7]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
			at, 0x1000000+i, i, i, i)
		l := logparse.ParseString(line)
		c.Add(&l, res.Time(l.Stamp))
	}
	const hosts = 2000
	for i := range hosts {
		deliver(i, "02:00:00")
	}
	c.Drain()
	first := c.snapshot(true)
	if len(first.mxRows) != hosts || len(first.MXDomain) != 0 {
		t.Fatalf("first commit: %d MX rows, %d MX hosts encoded; want %d rows, none encoded", len(first.mxRows), len(first.MXDomain), hosts)
	}
	deliver(7, "02:10:00")     // a known host, used again soon: nothing to write
	deliver(hosts, "02:10:00") // a new one
	c.Drain()
	next := c.snapshot(true)
	if len(next.mxRows) != 1 || next.mxRows[0].Domain != fmt.Sprintf("d%d.example", hosts) || len(next.MXDomain) != 0 {
		t.Errorf("next commit writes %d MX rows, encodes %d MX hosts; want only the new one", len(next.mxRows), len(next.MXDomain))
	}
	b, err := next.encode()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > 2048 { // gob's type descriptions are most of it; the map was 40 bytes a host
		t.Errorf("the encoded state is %d bytes with %d MX hosts known", len(b), hosts+1)
	}

	// Stored and restored.
	st, err := Open(t.Context(), filepath.Join(t.TempDir(), "pftls.db"), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, snap := range []*State{&first, &next} {
		p, err := st.Pack(&Batch{}, snap)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CommitPacked(t.Context(), p, b, nil, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	p := &Pump{Store: st, Corr: NewCorrelator(DefaultOptions)}
	if err := p.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := len(p.Corr.mxDomain); got != hosts+1 {
		t.Errorf("restored %d MX hosts, want %d", got, hosts+1)
	}
	if e := p.Corr.mxDomain["mail mx7.d7.example"]; e.Domain != "d7.example" || e.Used.IsZero() {
		t.Errorf("restored MX host mx7.d7.example: %+v", e)
	}
}

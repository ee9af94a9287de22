package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse/source"
)

// multiHostLog writes the corpus copies times into one file, copy i with
// the host field "mail01", "mail02", ... so that queue IDs and pids of the
// copies do not collide. Each copy keeps its lines in order.
func multiHostLog(t *testing.T, path string, copies int) int {
	t.Helper()
	raw, err := os.ReadFile(corpusLog)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(raw), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var b bytes.Buffer
	n := 0
	for i := 1; i <= copies; i++ {
		host := fmt.Sprintf(" mail%02d ", i)
		for _, l := range lines {
			// "Nov 23 00:19:54 mail postfix/...": the host follows the
			// 15-byte stamp.
			if len(l) < 21 || l[15:21] != " mail " {
				t.Fatalf("unexpected corpus line (host is not \"mail\"): %q", l)
			}
			b.WriteString(l[:15])
			b.WriteString(host)
			b.WriteString(l[21:])
			n++
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return n
}

// dbSummary is what a database holds, read through the store's own API:
// row counts of every table, a few aggregates, and every fact table's rows
// as a sorted multiset of hashes (JSON is only made for rows that differ:
// encoding every fact is slow under the race detector).
type dbSummary struct {
	Counts map[string]int64
	Rows   map[string][]uint64
	byHash map[uint64]any
}

// hashSeed is shared by every summary, so that equal rows hash equal.
var hashSeed = maphash.MakeSeed()

type summarySink struct{ s *dbSummary }

func put[T comparable](k *summarySink, table string, v T) {
	h := maphash.Comparable(hashSeed, v)
	k.s.Counts[table]++
	k.s.Rows[table] = append(k.s.Rows[table], h)
	k.s.byHash[h] = v
}

func (k *summarySink) Message(m *aggregate.Message) {
	put(k, "messages", *m)
	if m.Expired {
		k.s.Counts["messages expired"]++
	}
	if m.Received() {
		k.s.Counts["messages received"]++
	}
}

func (k *summarySink) Attempt(a *aggregate.Attempt) {
	put(k, "attempts", *a)
	k.s.Counts["attempts status="+string(a.Status)]++
	if a.TLSFailure != "" {
		k.s.Counts["attempts tls_failure="+string(a.TLSFailure)]++
	}
}

func (k *summarySink) TLSFailure(f *aggregate.TLSFailure) {
	put(k, "tls_failures", *f)
	k.s.Counts["tls_failures kind="+string(f.Kind)]++
}

func (k *summarySink) Session(s *aggregate.Session) { put(k, "sessions", *s) }
func (k *summarySink) SessionCount(c *aggregate.SessionCount) {
	put(k, "session_counts", *c)
	k.s.Counts["session_counts SUM(sessions)"] += c.Sessions
}
func (k *summarySink) Reject(r *aggregate.Reject)     { put(k, "rejects", *r) }
func (k *summarySink) Warning(w *aggregate.Warning)   { put(k, "warnings", *w) }
func (k *summarySink) Unparsed(u *aggregate.Unparsed) { put(k, "unparsed", *u) }
func (k *summarySink) LineCount(c *aggregate.LineCount) {
	put(k, "line_counts", *c)
	k.s.Counts["line_counts SUM(count)"] += c.Count
}

// summarize reads everything stored in the database at dbPath, and the
// stored record of the source logPath.
func summarize(t *testing.T, dbPath, logPath string) *dbSummary {
	t.Helper()
	ctx := context.Background()
	st, err := aggregate.Open(ctx, dbPath, aggregate.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatalf("open %s: %v", dbPath, err)
	}
	defer st.Close()
	s := &dbSummary{Counts: map[string]int64{}, Rows: map[string][]uint64{}, byHash: map[uint64]any{}}
	if err := st.Scan(ctx, aggregate.Query{}, &summarySink{s: s}); err != nil {
		t.Fatalf("scan %s: %v", dbPath, err)
	}
	for _, rows := range s.Rows {
		slices.Sort(rows)
	}

	// sources: the log's stored record, found the way ingest finds it.
	r, err := source.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	id := r.Identity()
	r.Close()
	src, found, err := st.FindSource(ctx, id, func(n int) (string, error) { return source.Fingerprint(logPath, n) })
	if err != nil {
		t.Fatalf("find source in %s: %v", dbPath, err)
	}
	if found {
		s.Counts["sources"] = 1
		s.Counts["sources offset"] = src.Offset
		s.Counts["sources lines"] = src.Lines
	}
	// correlator_state: one row, holding the open state.
	state, err := st.LoadState(ctx)
	if err != nil {
		t.Fatalf("load state of %s: %v", dbPath, err)
	}
	if state != nil {
		s.Counts["correlator_state"] = 1
	}
	return s
}

// diffSummaries lists the counts that differ, and for each fact table
// whose rows differ a few rows found in only one of the two databases.
func diffSummaries(got, want *dbSummary) string {
	var b strings.Builder
	var names []string
	for k := range got.Counts {
		names = append(names, k)
	}
	for k := range want.Counts {
		if _, ok := got.Counts[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		if got.Counts[k] != want.Counts[k] {
			fmt.Fprintf(&b, "  %s: got %d, want %d\n", k, got.Counts[k], want.Counts[k])
		}
	}
	show := func(label string, s *dbSummary, hs []uint64) {
		for i := 0; i < min(3, len(hs)); i++ {
			j, _ := json.Marshal(s.byHash[hs[i]])
			fmt.Fprintf(&b, "    %s %s\n", label, j)
		}
	}
	for table, w := range want.Rows {
		g := got.Rows[table]
		if slices.Equal(g, w) {
			continue
		}
		onlyG, onlyW := sortedDiff(g, w)
		fmt.Fprintf(&b, "  %s: %d rows only in the resumed database, %d only in the clean one\n", table, len(onlyG), len(onlyW))
		show("resumed only:", got, onlyG)
		show("clean only:  ", want, onlyW)
	}
	return b.String()
}

// sortedDiff returns what is only in a and only in b, both sorted.
func sortedDiff(a, b []uint64) (onlyA, onlyB []uint64) {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			i++
			j++
		case a[i] < b[j]:
			onlyA = append(onlyA, a[i])
			i++
		default:
			onlyB = append(onlyB, b[j])
			j++
		}
	}
	return append(onlyA, a[i:]...), append(onlyB, b[j:]...)
}

// reportWithoutGenerated runs "pftls report --all --format json" on a
// database and returns the report with its "generated" stamp removed.
func reportWithoutGenerated(t *testing.T, bin, dbPath string) map[string]any {
	t.Helper()
	cmd := exec.Command(bin, "report", "--db", dbPath, "--all", "--format", "json", "--tz", "UTC")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pftls report --db %s: %v\n%s", dbPath, err, stderr.String())
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("decode report of %s: %v", dbPath, err)
	}
	delete(m, "generated")
	return m
}

// jsonLineDiff shows the first lines where two JSON values differ.
func jsonLineDiff(got, want any) string {
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	gl, wl := strings.Split(string(g), "\n"), strings.Split(string(w), "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(gl), len(wl)) && shown < 10; i++ {
		var x, y string
		if i < len(gl) {
			x = gl[i]
		}
		if i < len(wl) {
			y = wl[i]
		}
		if x != y {
			fmt.Fprintf(&b, "  line %d:\n    got:  %s\n    want: %s\n", i+1, x, y)
			shown++
		}
	}
	return b.String()
}

// TestIngestKilledAndResumed is the README's promise: "killing pftls ingest
// at any moment and running it again gives the counts of one clean run".
// The real binary ingests a 20-host log into database B and is SIGKILLed at
// random moments, 20 times, before a run that completes; B must then hold
// exactly what one clean run put into database A.
func TestIngestKilledAndResumed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it 20 times; skipped with -short")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "mail.log")
	lines := multiHostLog(t, logPath, 20)
	dbA := filepath.Join(dir, "a", "pftls.db")
	dbB := filepath.Join(dir, "b", "pftls.db")
	ingestArgs := func(db string, extra ...string) []string {
		return append([]string{"ingest", "--db", db, "--year", "2026", "--tz", "UTC", "-q"}, append(extra, logPath)...)
	}

	// The clean run, timed: kills are spread over its duration.
	start := time.Now()
	if out, err := exec.Command(bin, ingestArgs(dbA)...).CombinedOutput(); err != nil {
		t.Fatalf("clean ingest: %v\n%s", err, out)
	}
	clean := time.Since(start)
	t.Logf("clean run: %d lines in %s", lines, clean.Round(time.Millisecond))

	// Each kill comes after a random delay in [0, clean/killSpread). With
	// delays up to the whole clean run (killSpread 1), every killed run
	// gets through half a clean run's work on average, so B is complete
	// after two or three kills and the other runs only re-read a finished
	// file. A quarter of it spreads the kills over the whole log instead.
	const seed, killSpread = 20261123, 4
	rng := rand.New(rand.NewPCG(seed, 1))
	killed := 0
	var runs []string
	for i := 0; i < 20; i++ {
		delay := time.Duration(rng.Int64N(int64(clean / killSpread)))
		cmd := exec.Command(bin, ingestArgs(dbB, "--commit-every", "500")...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var err error
		select {
		case err = <-done: // finished before its time was up
		case <-time.After(delay):
			if kerr := cmd.Process.Signal(syscall.SIGKILL); kerr != nil && !errors.Is(kerr, os.ErrProcessDone) {
				t.Fatalf("kill: %v", kerr)
			}
			err = <-done
		}
		var exit *exec.ExitError
		switch {
		case err == nil:
			runs = append(runs, "done")
		case errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signaled():
			killed++
			runs = append(runs, "killed@"+delay.Round(time.Millisecond).String())
		default:
			t.Fatalf("run %d (seed %d, killed after %s): %v\n%s", i, seed, delay, err, out.String())
		}
	}
	t.Logf("seed %d: %d of 20 runs were killed before they finished: %s", seed, killed, strings.Join(runs, " "))
	if killed == 0 {
		t.Errorf("no run was killed before it finished: the test did not test resuming")
	}
	if out, err := exec.Command(bin, ingestArgs(dbB, "--commit-every", "500")...).CombinedOutput(); err != nil {
		t.Fatalf("final ingest into B: %v\n%s", err, out)
	}

	a, b := summarize(t, dbA, logPath), summarize(t, dbB, logPath)
	if a.Counts["line_counts SUM(count)"] != int64(lines) || a.Counts["sources lines"] != int64(lines) {
		t.Errorf("clean run counted %d lines, source at %d lines; want %d",
			a.Counts["line_counts SUM(count)"], a.Counts["sources lines"], lines)
	}
	if want := int64(20 * 1037); a.Counts["attempts"] != want {
		t.Errorf("clean run stored %d attempts, want %d (20 copies of the corpus's 1037)", a.Counts["attempts"], want)
	}
	if d := diffSummaries(b, a); d != "" {
		t.Errorf("after 20 kills and a resume (seed %d), database B differs from one clean run:\n%s", seed, d)
	}

	if ra, rb := reportWithoutGenerated(t, bin, dbA), reportWithoutGenerated(t, bin, dbB); !reflect.DeepEqual(rb, ra) {
		t.Errorf("pftls report --all --format json differs between the resumed (got) and the clean (want) database:\n%s", jsonLineDiff(rb, ra))
	}
}

// TestIngestMultiHostLog: hosts are kept apart. Three copies of the corpus
// under three host names hold three times the facts of one copy.
func TestIngestMultiHostLog(t *testing.T) {
	dir := t.TempDir()
	one, three := filepath.Join(dir, "one.log"), filepath.Join(dir, "three.log")
	multiHostLog(t, one, 1)
	multiHostLog(t, three, 3)
	var sums []*dbSummary
	for _, log := range []string{one, three} {
		db := filepath.Join(dir, filepath.Base(log)+".db")
		code, _, errOut := runCLI(t, "", "ingest", "--db", db, "--year", "2026", "--tz", "UTC", "-q", log)
		if code != 0 {
			t.Fatalf("ingest %s: exit %d: %s", log, code, errOut)
		}
		sums = append(sums, summarize(t, db, log))
	}
	for k, n := range sums[0].Counts {
		if strings.HasPrefix(k, "sources") || k == "correlator_state" {
			continue
		}
		if got := sums[1].Counts[k]; got != 3*n {
			t.Errorf("%s: three hosts have %d, want 3 x %d", k, got, n)
		}
	}
	// Every host's lines are counted under its own name.
	hosts := map[string]bool{}
	for _, h := range sums[1].Rows["line_counts"] {
		hosts[sums[1].byHash[h].(aggregate.LineCount).Host] = true
	}
	if len(hosts) != 3 || !hosts["mail01"] || !hosts["mail02"] || !hosts["mail03"] {
		t.Errorf("line counts name hosts %v, want mail01, mail02, mail03", hosts)
	}
}

// TestIngestSaysAnOlderLog: a log older than what the database holds of
// its host (mail.log.1 forgotten, ingested after mail.log) is read, and
// standard error says that the messages that crossed the rotation count
// twice (84 deferred messages read as 147). Given in one run, the two are
// read oldest first and count as the whole, without a word.
func TestIngestSaysAnOlderLog(t *testing.T) {
	corpus := corpusText(t, 0)
	dir := t.TempDir()
	older := writeTemp(t, dir, "part.log.1", []byte(strings.Join(corpus[:2700], "")))
	newer := writeTemp(t, dir, "part.log", []byte(strings.Join(corpus[2700:], "")))
	db := filepath.Join(dir, "apart.db")
	if code, _, errOut := runCLI(t, "", ingestArgs(db, newer)...); code != exitOK || errOut != "" {
		t.Fatalf("ingest %s: exit %d: %s", newer, code, errOut)
	}
	code, _, errOut := runCLI(t, "", ingestArgs(db, older)...)
	want := "pftls: warning: " + older + " begins at 2026-11-23T00:19:54Z, before the lines of host mail already stored (up to 2026-11-23T00:26:59Z): " +
		"a message that crossed from it into those is counted twice."
	if code != exitOK || !strings.Contains(errOut, want) {
		t.Errorf("ingest of the older log after the newer: exit %d, standard error %q, want %q", code, errOut, want)
	}
	whole := filepath.Join(dir, "whole.db")
	code, _, errOut = runCLI(t, "", ingestArgs(whole, newer, older)...)
	if code != exitOK || errOut != "" {
		t.Fatalf("ingest of both in one run: exit %d: %s", code, errOut)
	}
	if got := reportModel(t, whole).Totals.Deferred; got != 84 {
		t.Errorf("both in one run: %d deferred, want the corpus's 84", got)
	}
}

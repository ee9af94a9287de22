package aggregate_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

const (
	corpusLog    = "../testdata/corpus/corpus-a.log"
	receiversLog = "../testdata/corpus/receivers-a.log"
	fixtureDir   = "testdata/logs"
)

// resolver reads the corpus's year-less stamps as 2026, UTC: no test
// depends on today's date or the machine's zone.
var resolver = logparse.Resolver{Year: 2026, Location: time.UTC}

// readLines returns the lines of a log file, without their newlines.
func readLines(t testing.TB, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open fixture: %v", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return lines
}

// fixture returns the lines of testdata/logs/NAME: excerpts of the real
// corpus, named after the scenario they show.
func fixture(t testing.TB, name string) []string {
	t.Helper()
	return readLines(t, filepath.Join(fixtureDir, name))
}

// feed parses each line, resolves its stamp and adds it to c.
func feed(c *aggregate.Correlator, lines ...string) {
	for _, s := range lines {
		l := logparse.ParseString(s)
		c.Add(&l, resolver.Time(l.Stamp))
	}
}

// facts collects drained batches the way the store keeps them: messages
// are upserted by (host, queue ID, start), line counts are summed by
// (host, hour, kind), everything else is appended.
type facts struct {
	messages   map[string]aggregate.Message
	msgOrder   []string
	Attempts   []aggregate.Attempt
	TLS        []aggregate.TLSFailure
	Sessions   []aggregate.Session
	Rejects    []aggregate.Reject
	Warnings   []aggregate.Warning
	Unparsed   []aggregate.Unparsed
	lineCounts map[string]int64
}

// restored is a new correlator with c's state, saved and restored as a
// commit and the next run do.
func restored(t testing.TB, c *aggregate.Correlator) *aggregate.Correlator {
	t.Helper()
	state, err := c.MarshalState()
	if err != nil {
		t.Fatalf("MarshalState: %v", err)
	}
	next := aggregate.NewCorrelator(aggregate.DefaultOptions)
	if err := next.UnmarshalState(state); err != nil {
		t.Fatalf("UnmarshalState of its own state: %v", err)
	}
	return next
}

func newFacts() *facts {
	return &facts{messages: map[string]aggregate.Message{}, lineCounts: map[string]int64{}}
}

func msgKey(m aggregate.Message) string {
	return m.Host + " " + m.QueueID + " " + m.Start.UTC().Format(time.RFC3339Nano)
}

func (f *facts) add(b aggregate.Batch) {
	for _, m := range b.Messages {
		k := msgKey(m)
		if _, ok := f.messages[k]; !ok {
			f.msgOrder = append(f.msgOrder, k)
		}
		f.messages[k] = m
	}
	f.Attempts = append(f.Attempts, b.Attempts...)
	f.TLS = append(f.TLS, b.TLS...)
	f.Sessions = append(f.Sessions, b.Sessions...)
	f.Rejects = append(f.Rejects, b.Rejects...)
	f.Warnings = append(f.Warnings, b.Warnings...)
	f.Unparsed = append(f.Unparsed, b.Unparsed...)
	for _, lc := range b.LineCounts {
		f.lineCounts[fmt.Sprintf("%s %d %s", lc.Host, lc.Minute.Unix()/60, lc.Kind)] += lc.Count
	}
}

// Messages returns the messages in the order they were first seen.
func (f *facts) Messages() []aggregate.Message {
	out := make([]aggregate.Message, 0, len(f.msgOrder))
	for _, k := range f.msgOrder {
		out = append(out, f.messages[k])
	}
	return out
}

// lines is the number of lines the line counts add up to.
func (f *facts) lines() int64 {
	var n int64
	for _, c := range f.lineCounts {
		n += c
	}
	return n
}

// canonical renders every fact as one sorted JSON line per fact and kind,
// so that two runs can be compared regardless of the order maps gave.
func (f *facts) canonical(t testing.TB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	put := func(kind string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("encode %s: %v", kind, err)
		}
		out[kind] = append(out[kind], string(b))
	}
	for _, m := range f.Messages() {
		put("messages", m)
	}
	for _, x := range f.Attempts {
		put("attempts", x)
	}
	for _, x := range f.TLS {
		put("tls_failures", x)
	}
	for _, x := range f.Sessions {
		put("sessions", x)
	}
	for _, x := range f.Rejects {
		put("rejects", x)
	}
	for _, x := range f.Warnings {
		put("warnings", x)
	}
	for _, x := range f.Unparsed {
		put("unparsed", x)
	}
	for k, n := range f.lineCounts {
		put("line_counts", fmt.Sprintf("%s=%d", k, n))
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

// correlate runs lines through a new correlator, flushes the failed TLS
// sessions still waiting for a delivery line (as at the very end of all
// input: a complete scenario must leave none) and returns all facts.
func correlate(opts aggregate.Options, lines []string) (*aggregate.Correlator, *facts) {
	c := aggregate.NewCorrelator(opts)
	feed(c, lines...)
	c.FlushPending()
	f := newFacts()
	f.add(c.Drain())
	return c, f
}

// diffCanonical reports the first differences between two canonical fact
// sets, at most a few per kind.
func diffCanonical(got, want map[string][]string) string {
	var b strings.Builder
	kinds := map[string]bool{}
	for k := range got {
		kinds[k] = true
	}
	for k := range want {
		kinds[k] = true
	}
	var names []string
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		g, w := got[k], want[k]
		if reflect.DeepEqual(g, w) {
			continue
		}
		fmt.Fprintf(&b, "%s: got %d facts, want %d\n", k, len(g), len(w))
		onlyG, onlyW := multisetDiff(g, w)
		for i, s := range onlyG {
			if i == 3 {
				fmt.Fprintf(&b, "  ... %d more only in got\n", len(onlyG)-3)
				break
			}
			fmt.Fprintf(&b, "  only in got:  %s\n", s)
		}
		for i, s := range onlyW {
			if i == 3 {
				fmt.Fprintf(&b, "  ... %d more only in want\n", len(onlyW)-3)
				break
			}
			fmt.Fprintf(&b, "  only in want: %s\n", s)
		}
	}
	return b.String()
}

// multisetDiff returns the elements of a not in b and of b not in a (both sorted).
func multisetDiff(a, b []string) (onlyA, onlyB []string) {
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

// fieldDiff lists the fields of two structs of the same type that differ.
func fieldDiff(got, want any) string {
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	if gv.Type() != wv.Type() || gv.Kind() != reflect.Struct {
		if reflect.DeepEqual(got, want) {
			return ""
		}
		return fmt.Sprintf("got  %+v\nwant %+v", got, want)
	}
	var b strings.Builder
	for i := 0; i < gv.NumField(); i++ {
		g, w := gv.Field(i).Interface(), wv.Field(i).Interface()
		if !reflect.DeepEqual(g, w) {
			fmt.Fprintf(&b, "  %s: got %q, want %q\n", gv.Type().Field(i).Name, fmt.Sprint(g), fmt.Sprint(w))
		}
	}
	return b.String()
}

// Store helpers.

// tables are the store's tables, in schema order.
var tables = []string{
	"sources", "correlator_state", "messages", "attempts", "tls_failures",
	"sessions", "session_counts", "rejects", "warnings", "unparsed", "line_counts",
}

// openSQL opens a database file directly, read-only, for checks the Store
// API does not offer.
func openSQL(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queryInt runs a query that returns one integer.
func queryInt(t testing.TB, db *sql.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// dbCounts is COUNT(*) of every table, plus SUM(count) of line_counts
// (line_counts rows are upserted, so their count alone says little).
type dbCounts map[string]int64

func countRows(t testing.TB, path string) dbCounts {
	t.Helper()
	db := openSQL(t, path)
	c := dbCounts{}
	for _, tab := range tables {
		c[tab] = queryInt(t, db, "SELECT COUNT(*) FROM "+tab)
	}
	c["line_counts.sum"] = queryInt(t, db, "SELECT COALESCE(SUM(count), 0) FROM line_counts")
	c["sources.lines"] = queryInt(t, db, "SELECT COALESCE(SUM(lines), 0) FROM sources")
	return c
}

func (c dbCounts) String() string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%d ", k, c[k])
	}
	return strings.TrimSpace(b.String())
}

// diffCounts names the tables whose counts differ.
func diffCounts(got, want dbCounts, skip ...string) string {
	var b strings.Builder
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
outer:
	for _, k := range keys {
		for _, s := range skip {
			if s == k {
				continue outer
			}
		}
		if got[k] != want[k] {
			fmt.Fprintf(&b, "  %s: got %d, want %d\n", k, got[k], want[k])
		}
	}
	return b.String()
}

// dumpTable returns a table's rows as sorted text, for content comparison,
// with the compact encoding (aggregate/dict.go) undone: two databases
// that hold the same facts may number their dictionaries differently.
func dumpTable(t testing.TB, path, table string) []string {
	t.Helper()
	db := openSQL(t, path)
	decode := compactDecoder(t, db, table)
	rows, err := db.Query("SELECT * FROM " + table)
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		var b strings.Builder
		for i, v := range vals {
			if i > 0 {
				b.WriteString(" | ")
			}
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(&b, "%s=%v", cols[i], decode(cols[i], v))
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("dump %s: %v", table, err)
	}
	sort.Strings(out)
	return out
}

// compactDecoder undoes the compact encoding of a table's values: in a
// column declared without a type, an integer is a delay in hundredths of
// a second (delay*) or a dictionary id (any other).
func compactDecoder(t testing.TB, db *sql.DB, table string) func(col string, v any) any {
	t.Helper()
	untyped := map[string]bool{}
	rows, err := db.Query("SELECT name, type FROM pragma_table_info(?)", table)
	if err != nil {
		t.Fatalf("columns of %s: %v", table, err)
	}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatalf("columns of %s: %v", table, err)
		}
		untyped[name] = typ == ""
	}
	rows.Close()
	dict := map[int64]string{}
	if queryInt(t, db, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'dictionary'") > 0 {
		rows, err := db.Query("SELECT id, text FROM dictionary")
		if err != nil {
			t.Fatalf("read the dictionary: %v", err)
		}
		for rows.Next() {
			var id int64
			var text string
			if err := rows.Scan(&id, &text); err != nil {
				t.Fatalf("read the dictionary: %v", err)
			}
			dict[id] = text
		}
		rows.Close()
	}
	return func(col string, v any) any {
		n, ok := v.(int64)
		switch {
		case !ok || !untyped[col]:
			return v
		case strings.HasPrefix(col, "delay"):
			return float64(n) / 100
		default:
			text, ok := dict[n]
			if !ok {
				t.Fatalf("%s.%s: id %d is not in the dictionary", table, col, n)
			}
			return text
		}
	}
}

// fixedNow is the wall clock the pump records in the sources table.
func fixedNow() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }

// openStore opens (creating) the store at path, closed when the test ends.
func openStore(t testing.TB, path string) *aggregate.Store {
	t.Helper()
	st, err := aggregate.Open(context.Background(), path, aggregate.OpenOptions{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newPump returns the pump "pftls ingest" builds, with the test's clocks.
func newPump(st *aggregate.Store) *aggregate.Pump {
	return &aggregate.Pump{
		Store:       st,
		Corr:        aggregate.NewCorrelator(aggregate.DefaultOptions),
		CommitLines: 1000,
		Resolver:    func(source.Identity) logparse.Resolver { return resolver },
		Now:         fixedNow,
	}
}

// ingest runs one "pftls ingest" the way the command does: it opens the
// store, restores the correlator's state, reads each path to its end with
// a pump and closes the store again.
func ingest(t testing.TB, dbPath string, commitEvery int, paths ...string) []aggregate.FileResult {
	t.Helper()
	ctx := context.Background()
	st, err := aggregate.Open(ctx, dbPath, aggregate.OpenOptions{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	defer st.Close()
	p := newPump(st)
	p.CommitLines = commitEvery
	return ingestPaths(t, p, paths...)
}

// ingestPaths has pump p, its state restored, read each path to its end,
// as pftls ingest PATH... does.
func ingestPaths(t testing.TB, p *aggregate.Pump, paths ...string) []aggregate.FileResult {
	t.Helper()
	ctx := context.Background()
	if err := p.Restore(ctx); err != nil {
		t.Fatalf("restore: %v", err)
	}
	var results []aggregate.FileResult
	for _, path := range paths {
		r, err := source.Open(path)
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		res, err := p.IngestReader(ctx, r)
		r.Close()
		if err != nil {
			t.Fatalf("ingest %s: %v", path, err)
		}
		results = append(results, res)
	}
	return results
}

// cleanups run after all tests, for what is shared between tests.
var cleanups []func()

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range cleanups {
		f()
	}
	os.Exit(code)
}

// writeFile writes content to path, failing the test on error.
func writeFile(t testing.TB, path string, content []byte) {
	t.Helper()
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

// appendFile appends content to path.
func appendFile(t testing.TB, path string, content []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(content); err != nil {
		f.Close()
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// joinLines joins lines with a newline after each.
func joinLines(lines []string) []byte {
	if len(lines) == 0 {
		return nil
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// TestFixturesAreRealLines: every line of testdata/logs is a line of the
// real corpus (corpus-a.log, or receivers-a.log for the receiving side), so
// that the scenarios test what Postfix writes, not what we think it writes.
// Lines built by hand live in the tests themselves, marked as such.
func TestFixturesAreRealLines(t *testing.T) {
	corpus := map[string]bool{}
	for _, p := range []string{corpusLog, receiversLog} {
		for _, l := range readLines(t, p) {
			corpus[l] = true
		}
	}
	paths, err := filepath.Glob(filepath.Join(fixtureDir, "*.log"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures in %s (%v)", fixtureDir, err)
	}
	for _, p := range paths {
		for i, l := range readLines(t, p) {
			if !corpus[l] {
				t.Errorf("%s:%d is not a line of the corpus: %q", p, i+1, l)
			}
		}
	}
}

// ingestWithOptions ingests the log at path into st with a correlator of
// opts, restored from st first, committing every commitEvery lines; it
// returns the pump, its correlator holding what is still open.
func ingestWithOptions(t *testing.T, st *aggregate.Store, path string, opts aggregate.Options, commitEvery int) *aggregate.Pump {
	t.Helper()
	p := newPump(st)
	p.Corr = aggregate.NewCorrelator(opts)
	p.CommitLines = commitEvery
	if err := p.Restore(t.Context()); err != nil {
		t.Fatal(err)
	}
	r, err := source.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := p.IngestReader(t.Context(), r); err != nil {
		t.Fatal(err)
	}
	return p
}

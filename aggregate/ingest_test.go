package aggregate_test

import (
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse/source"
)

// factTables are the tables whose rows are facts read from the log.
var factTables = []string{"messages", "attempts", "tls_failures", "sessions", "session_counts", "rejects", "warnings", "unparsed", "line_counts"}

// corpusCopy writes the corpus (or some of its lines) to dir/name.
func corpusCopy(t testing.TB, dir, name string, lines []string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	writeFile(t, path, joinLines(lines))
	return path
}

var (
	wholeOnce sync.Once
	wholeDB   string
	wholeErr  string
)

// wholeCorpusDB returns a database holding one uninterrupted ingest of the
// whole corpus (from a file named mail.log), built once per test binary.
func wholeCorpusDB(t *testing.T) string {
	t.Helper()
	wholeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pftls-aggregate-test-")
		if err != nil {
			wholeErr = err.Error()
			return
		}
		cleanups = append(cleanups, func() { os.RemoveAll(dir) })
		path := corpusCopy(t, dir, "mail.log", readLines(t, corpusLog))
		wholeDB = filepath.Join(dir, "whole.db")
		ingest(t, wholeDB, 1000, path)
	})
	if wholeErr != "" {
		t.Fatal(wholeErr)
	}
	return wholeDB
}

// sameFacts checks that two databases hold the same facts: the same row
// count in every table and the same rows in every fact table.
func sameFacts(t *testing.T, got, want string) {
	t.Helper()
	if d := diffCounts(countRows(t, got), countRows(t, want)); d != "" {
		t.Errorf("row counts differ from one uninterrupted ingest:\n%s", d)
	}
	for _, tab := range factTables {
		g, w := dumpTable(t, got, tab), dumpTable(t, want, tab)
		onlyG, onlyW := multisetDiff(g, w)
		if len(onlyG)+len(onlyW) == 0 {
			continue
		}
		var b strings.Builder
		for i, s := range onlyG {
			if i == 3 {
				break
			}
			b.WriteString("  only in this database:     " + s + "\n")
		}
		for i, s := range onlyW {
			if i == 3 {
				break
			}
			b.WriteString("  only in the one-run one:  " + s + "\n")
		}
		t.Errorf("%s: %d rows differ from one uninterrupted ingest:\n%s", tab, len(onlyG)+len(onlyW), b.String())
	}
}

func TestIngestTwiceAddsNothing(t *testing.T) {
	dir := t.TempDir()
	lines := readLines(t, corpusLog)
	log := corpusCopy(t, dir, "mail.log", lines)
	db := filepath.Join(dir, "pftls.db")

	first := ingest(t, db, 1000, log)
	if first[0].Lines != int64(len(lines)) || first[0].Resumed != 0 {
		t.Errorf("first ingest: %d lines read, %d resumed; want %d, 0", first[0].Lines, first[0].Resumed, len(lines))
	}
	before := countRows(t, db)
	if before["line_counts.sum"] != int64(len(lines)) || before["attempts"] != 1037 {
		t.Errorf("after one ingest: %v; want line_counts.sum=%d attempts=1037", before, len(lines))
	}

	second := ingest(t, db, 1000, log)
	if second[0].Lines != 0 || second[0].Resumed != int64(len(lines)) {
		t.Errorf("second ingest: %d lines read, %d resumed; want 0, %d", second[0].Lines, second[0].Resumed, len(lines))
	}
	if d := diffCounts(countRows(t, db), before); d != "" {
		t.Errorf("a second ingest of the same file changed the row counts:\n%s", d)
	}
	sameFacts(t, db, wholeCorpusDB(t))
}

// TestIngestRotatedAndCompressedCopies: logrotate renames mail.log to
// mail.log.1 and compresses older copies. They are the same source, known
// by the fingerprint of their first bytes, and add nothing.
func TestIngestRotatedAndCompressedCopies(t *testing.T) {
	dir := t.TempDir()
	lines := readLines(t, corpusLog)
	log := corpusCopy(t, dir, "mail.log", lines)
	db := filepath.Join(dir, "pftls.db")
	ingest(t, db, 1000, log)
	before := countRows(t, db)

	rotated := filepath.Join(dir, "mail.log.1")
	if err := os.Rename(log, rotated); err != nil {
		t.Fatal(err)
	}
	gz := filepath.Join(dir, "mail.log.2.gz")
	f, err := os.Create(gz)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	if _, err := zw.Write(joinLines(lines)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	paths, err := source.Order([]string{rotated, gz})
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range ingest(t, db, 1000, paths...) {
		if res.Lines != 0 {
			t.Errorf("%s: read %d lines, want 0 (already ingested as mail.log)", res.Path, res.Lines)
		}
	}
	if d := diffCounts(countRows(t, db), before); d != "" {
		t.Errorf("ingesting rotated and compressed copies changed the row counts:\n%s", d)
	}
	sameFacts(t, db, wholeCorpusDB(t))
}

// TestIngestAppendedLines: a log that grew between two runs. The second run
// reads only the new lines, and the two runs together store exactly what
// one run over the whole file stores, wherever the first run stopped.
func TestIngestAppendedLines(t *testing.T) {
	lines := readLines(t, corpusLog)
	cases := []struct {
		name  string
		split int // lines in the first run
	}{
		// Corpus line 462 is oldpartner's "D55CFBC41C: Cannot start TLS";
		// its plaintext "status=sent" is line 465.
		{"inside the plaintext fallback", 462},
		// After line 852, 13534 has met bank.example.net's untrusted
		// certificate and 13598 has failed its handshake with
		// mx.modern.example.net; their delivery lines are 857 and 863.
		{"inside two TLS sessions", 852},
		{"line 3000", 3000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			log := corpusCopy(t, dir, "mail.log", lines[:tc.split])
			db := filepath.Join(dir, "pftls.db")
			ingest(t, db, 1000, log)
			if got := countRows(t, db)["line_counts.sum"]; got != int64(tc.split) {
				t.Errorf("after the first run the line counts add up to %d, want %d", got, tc.split)
			}
			appendFile(t, log, joinLines(lines[tc.split:]))
			res := ingest(t, db, 1000, log)
			if res[0].Lines != int64(len(lines)-tc.split) || res[0].Resumed != int64(tc.split) {
				t.Errorf("second run read %d lines after %d; want %d after %d", res[0].Lines, res[0].Resumed, len(lines)-tc.split, tc.split)
			}
			sameFacts(t, db, wholeCorpusDB(t))
		})
	}
}

// TestIngestPartialLastLine: a log is read while syslog is still writing
// its last line. That line is left for the next run, and counted once.
func TestIngestPartialLastLine(t *testing.T) {
	lines := readLines(t, corpusLog)
	// 10 lines is a file shorter than the 4096-byte fingerprint: the
	// source must still be recognised once it has grown.
	for _, split := range []int{10, 2000} {
		t.Run(strconv.Itoa(split), func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "pftls.db")
			cut := lines[split]
			half := len(cut) / 2
			log := corpusCopy(t, dir, "mail.log", lines[:split])
			appendFile(t, log, []byte(cut[:half])) // no newline yet

			res := ingest(t, db, 1000, log)
			if !res[0].Partial || res[0].Lines != int64(split) {
				t.Errorf("first run: Partial=%v, %d lines; want true, %d", res[0].Partial, res[0].Lines, split)
			}
			c := countRows(t, db)
			if c["line_counts.sum"] != int64(split) || c["sources.lines"] != int64(split) {
				t.Errorf("first run stored %d counted lines, source at %d lines; want %d", c["line_counts.sum"], c["sources.lines"], split)
			}

			// The rest of the line arrives, with nothing after it.
			appendFile(t, log, []byte(cut[half:]+"\n"))
			res = ingest(t, db, 1000, log)
			if res[0].Partial || res[0].Lines != 1 {
				t.Errorf("second run: Partial=%v, %d lines; want false, 1", res[0].Partial, res[0].Lines)
			}
			if got := countRows(t, db)["line_counts.sum"]; got != int64(split+1) {
				t.Errorf("after the line was completed the line counts add up to %d, want %d", got, split+1)
			}

			// And the rest of the log.
			appendFile(t, log, joinLines(lines[split+1:]))
			ingest(t, db, 1000, log)
			sameFacts(t, db, wholeCorpusDB(t))
		})
	}
}

// TestIngestShorterCopyOfIngestedFile: a copy of the log made before its
// last lines were written (logrotate's copytruncate copies, then lines are
// written, then it truncates; or an older backup) has the same fingerprint
// but ends before the stored offset. Everything in it has been read: it
// must be skipped as read, not fail the run (which would also stop every newer file
// on the same command line from being read).
func TestIngestShorterCopyOfIngestedFile(t *testing.T) {
	lines := readLines(t, corpusLog)
	dir := t.TempDir()
	db := filepath.Join(dir, "pftls.db")
	log := corpusCopy(t, dir, "mail.log", lines)
	ingest(t, db, 1000, log)
	before := countRows(t, db)

	short := corpusCopy(t, dir, "mail.log.1", lines[:4000])
	ctx := t.Context()
	st := openStore(t, db)
	p := newPump(st)
	if err := p.Restore(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := source.Open(short)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := p.IngestReader(ctx, r)
	if err != nil {
		t.Errorf("IngestReader(shorter copy of an ingested file) = %v, want no error: it has nothing new", err)
	} else if res.Lines != 0 {
		t.Errorf("IngestReader(shorter copy) read %d lines, want 0", res.Lines)
	}
	st.Close()
	if d := diffCounts(countRows(t, db), before); d != "" {
		t.Errorf("the shorter copy changed the row counts:\n%s", d)
	}
}

// TestIngestEmptyLogThenRotation: logrotate leaves an empty mail.log, and
// cron may run pftls before Postfix writes to it. An empty file has an
// empty fingerprint, which is a prefix of every file: it must not become a
// source that later, unrelated logs are taken for.
func TestIngestEmptyLogThenRotation(t *testing.T) {
	lines := readLines(t, corpusLog)
	const day1 = 2000 // lines in the log before the rotation
	dir := t.TempDir()
	db := filepath.Join(dir, "pftls.db")
	log := filepath.Join(dir, "mail.log")

	writeFile(t, log, nil) // after a rotation: empty
	ingest(t, db, 1000, log)

	writeFile(t, log, joinLines(lines[:day1])) // Postfix writes
	if res := ingest(t, db, 1000, log); res[0].Lines != day1 {
		t.Errorf("day 1: read %d lines, want %d", res[0].Lines, day1)
	}

	// The next rotation: mail.log becomes mail.log.1, a new empty
	// mail.log is read, and then grows with the next day's lines.
	if err := os.Rename(log, log+".1"); err != nil {
		t.Fatal(err)
	}
	writeFile(t, log, nil)
	ingest(t, db, 1000, log)
	writeFile(t, log, joinLines(lines[day1:]))
	if res := ingest(t, db, 1000, log); res[0].Lines != int64(len(lines)-day1) || res[0].Resumed != 0 {
		t.Errorf("day 2: read %d lines after %d already read; want %d after 0 (a new file)",
			res[0].Lines, res[0].Resumed, len(lines)-day1)
	}
	if got := countRows(t, db)["line_counts.sum"]; got != int64(len(lines)) {
		t.Errorf("line counts add up to %d, want %d", got, len(lines))
	}
	// mail.log.1 was read completely before it was rotated.
	if res := ingest(t, db, 1000, log+".1"); res[0].Lines != 0 {
		t.Errorf("mail.log.1: read %d lines again, want 0", res[0].Lines)
	}
	if got := countRows(t, db)["line_counts.sum"]; got != int64(len(lines)) {
		t.Errorf("after mail.log.1 again: line counts add up to %d, want %d", got, len(lines))
	}
}

// TestIngestCancelledThenResumed: an ingest cancelled while its lines are
// parsed ahead (as Ctrl-C does) keeps what it committed, stops reading the
// file before returning, and the next run gives the facts of one clean run.
func TestIngestCancelledThenResumed(t *testing.T) {
	dir := t.TempDir()
	lines := readLines(t, corpusLog)
	log := corpusCopy(t, dir, "mail.log", lines)
	db := filepath.Join(dir, "pftls.db")

	ctx, cancel := context.WithCancel(context.Background())
	st := openStore(t, db)
	p := newPump(st)
	p.CommitLines = 1000
	commits, committed := 0, int64(0)
	p.OnCommit = func(res aggregate.FileResult) {
		if commits++; commits == 2 {
			committed = res.Lines
			cancel()
		}
	}
	r, err := source.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.IngestReader(ctx, r)
	r.Close() // the parsing goroutine must be done with it
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ingest: err = %v, want context.Canceled", err)
	}
	if res.Lines <= committed || res.Lines >= int64(len(lines)) {
		t.Errorf("cancelled ingest read %d lines, want more than the %d of two commits and fewer than all %d", res.Lines, committed, len(lines))
	}
	st.Close()

	again := ingest(t, db, 1000, log)
	if got := again[0].Resumed + again[0].Lines; got != int64(len(lines)) {
		t.Errorf("resumed %d + read %d lines, want %d", again[0].Resumed, again[0].Lines, len(lines))
	}
	sameFacts(t, db, wholeCorpusDB(t))
}

// TestIngestStopsAtFailedCommit: when one commit fails, none after it is
// written, though the next one was already packed and waiting: its
// offset would skip the lines whose facts were lost. A second run then
// gives exactly the facts of one clean run.
func TestIngestStopsAtFailedCommit(t *testing.T) {
	dir := t.TempDir()
	lines := readLines(t, corpusLog)
	log := corpusCopy(t, dir, "mail.log", lines)
	db := filepath.Join(dir, "pftls.db")

	// The one commit that moves the source into lines 1500-2499 fails;
	// the ones after it would succeed.
	openStore(t, db).Close()
	execSQL(t, db, `CREATE TRIGGER fail_once BEFORE UPDATE ON sources WHEN NEW.lines >= 1500 AND NEW.lines < 2500
		BEGIN SELECT RAISE(ABORT, 'injected failure'); END`)

	st := openStore(t, db)
	p := newPump(st)
	p.CommitLines = 1000
	var committed int64
	p.OnCommit = func(res aggregate.FileResult) { committed = res.Lines }
	r, err := source.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.IngestReader(t.Context(), r)
	r.Close()
	if err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("ingest: err = %v, want the injected failure", err)
	}
	st.Close()

	ro := openSQL(t, db)
	stored := queryInt(t, ro, "SELECT lines FROM sources")
	ro.Close()
	if stored != committed || stored >= 1500 {
		t.Errorf("stored source at %d lines, want %d (the last commit before the failure, under 1500)", stored, committed)
	}
	execSQL(t, db, "DROP TRIGGER fail_once")

	again := ingest(t, db, 1000, log)
	if again[0].Resumed != stored || again[0].Resumed+again[0].Lines != int64(len(lines)) {
		t.Errorf("second run resumed after %d lines and read %d, want %d and the other %d", again[0].Resumed, again[0].Lines, stored, int64(len(lines))-stored)
	}
	sameFacts(t, db, wholeCorpusDB(t))
}

// execSQL runs statements on the database file at path, beside the store.
func execSQL(t testing.TB, path, query string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		t.Fatal(err)
	}
}

// TestFollowFromEmptyFile: tail started on a log just emptied by rotation
// (too short to be recognised) reads it as it grows; a later ingest of
// the same content must know how far that went and add nothing. The
// source is recognised by the bytes tail read, so CRLF lines and a
// copytruncate before the first commit do not change it.
func TestFollowFromEmptyFile(t *testing.T) {
	lines := readLines(t, corpusLog)
	for _, tc := range []struct {
		name         string
		eol          string
		copyTruncate bool // the file is copied to mail.log.1 and truncated before the first commit
	}{
		{"lf", "\n", false},
		{"crlf", "\r\n", false},
		{"copytruncate before the first commit", "\n", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			log := corpusCopy(t, dir, "mail.log", nil)
			db := filepath.Join(dir, "pftls.db")
			r, err := source.Open(log)
			if err != nil {
				t.Fatal(err)
			}
			id := r.Identity()
			r.Close()
			if id.FingerprintLen >= aggregate.MinFingerprint {
				t.Fatalf("the empty log has a %d-byte fingerprint", id.FingerprintLen)
			}

			st := openStore(t, db)
			p := newPump(st)
			run, err := p.Begin(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			var end int64
			read := lines[:500]
			for _, line := range read { // as tail does: the line is in the file, then read
				appendFile(t, log, []byte(line+tc.eol))
				end += int64(len(line) + len(tc.eol))
				run.Line(&source.Line{Bytes: []byte(line), End: end})
			}
			ingested := log
			if tc.copyTruncate {
				data, err := os.ReadFile(log)
				if err != nil {
					t.Fatal(err)
				}
				ingested = log + ".1"
				writeFile(t, ingested, data)
				writeFile(t, log, joinLines(lines[3000:])) // same inode, other lines, longer
			}
			if err := run.Finish(t.Context()); err != nil {
				t.Fatal(err)
			}
			st.Close()

			res := ingest(t, db, 1000, ingested)
			if res[0].Lines != 0 || res[0].Resumed != int64(len(read)) {
				t.Errorf("ingest of %s after tail read %d lines, resumed after %d; want 0 after %d",
					filepath.Base(ingested), res[0].Lines, res[0].Resumed, len(read))
			}
		})
	}
}

// TestStateByChanges: every run with a store (tail's options or ingest's)
// stores open messages as rows, by changes, and takes over from a state an
// earlier pftls stored whole (open messages encoded in correlator_state)
// at any commit: facts equal one run, the rows are the open messages, and
// a run stopped between commits loses nothing.
func TestStateByChanges(t *testing.T) {
	lines := readLines(t, corpusLog)
	dir := t.TempDir()
	log := corpusCopy(t, dir, "mail.log", nil)
	db := filepath.Join(dir, "pftls.db")
	byChanges := aggregate.DefaultOptions
	byChanges.TrackChanges = true

	run := func(opts aggregate.Options, commitEvery int) (open int) {
		t.Helper()
		st := openStore(t, db)
		defer st.Close()
		open, _, _ = ingestWithOptions(t, st, log, opts, commitEvery).Corr.Open()
		return open
	}
	// storeWhole rewrites the stored state the way an earlier pftls's
	// ingest left it: whole, no rows.
	storeWhole := func() {
		t.Helper()
		st := openStore(t, db)
		defer st.Close()
		p := newPump(st)
		if err := p.Restore(t.Context()); err != nil {
			t.Fatal(err)
		}
		state, err := p.Corr.MarshalState()
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Commit(t.Context(), &aggregate.Batch{}, state, nil, fixedNow()); err != nil {
			t.Fatal(err)
		}
	}
	rowsOfOpen := func() int64 {
		ro := openSQL(t, db)
		defer ro.Close()
		return queryInt(t, ro, "SELECT count(*) FROM open_messages")
	}

	cuts := []int{1500, 2300, 3000, 4100, len(lines)}
	from := 0
	for i, cut := range cuts {
		appendFile(t, log, joinLines(lines[from:cut]))
		from = cut
		opts, every := byChanges, 100
		if i%2 == 1 {
			opts, every = aggregate.DefaultOptions, 1000
		}
		open := run(opts, every)
		if got := rowsOfOpen(); got != int64(open) || open == 0 && cut < len(lines) {
			t.Errorf("after line %d: %d rows for %d open messages", cut, got, open)
		}
		if i == 1 || i == 2 {
			storeWhole()
			if got := rowsOfOpen(); got != 0 {
				t.Errorf("after line %d stored whole: %d rows of open messages left", cut, got)
			}
		}
	}
	sameFacts(t, db, wholeCorpusDB(t))
}

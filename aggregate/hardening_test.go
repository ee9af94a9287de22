package aggregate_test

// Hardening tests of the store and the pump (issue #10): SQL is built only
// from literals and parameters, the database file is the one named, a
// damaged database says how to rebuild it, what a broken input gave is
// kept and counted right, and hostile bytes survive storage unchanged.
// Every test here is fast; none needs a flag.

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// sqlWords are the words that make a string literal SQL. The store writes
// its SQL in upper case; prose and log text rarely do.
var sqlWords = regexp.MustCompile(`\b(SELECT|INSERT|UPDATE|DELETE|REPLACE INTO|CREATE|ALTER|DROP|PRAGMA|WHERE|VALUES|ORDER BY|GROUP BY|JOIN)\b`)

// dbMethods take a query as their first argument after the context (or as
// their first argument).
var dbMethods = map[string]bool{
	"Exec": true, "ExecContext": true, "Query": true, "QueryContext": true,
	"QueryRow": true, "QueryRowContext": true, "Prepare": true, "PrepareContext": true,
}

// allowedSprintf is the one query built with fmt: PRAGMA takes no
// parameters, and the value is the binary's own schema version, an integer.
const allowedSprintf = "PRAGMA user_version = %d"

// sqlBuilding lists the places in one Go file where SQL is built from
// pieces rather than written as a literal with ? parameters: fmt calls
// whose format is SQL, + and += with an SQL literal, strings functions
// and builders given SQL, and database calls whose query is computed.
func sqlBuilding(fset *token.FileSet, f *ast.File) []string {
	var found []string
	isSQL := func(e ast.Expr) bool {
		lit, ok := e.(*ast.BasicLit)
		if !ok || lit.Kind != token.STRING {
			return false
		}
		s, err := strconv.Unquote(lit.Value)
		return err == nil && sqlWords.MatchString(s)
	}
	anySQL := func(es ...ast.Expr) bool { return slices.ContainsFunc(es, isSQL) }
	report := func(n ast.Node, what string) {
		found = append(found, fmt.Sprintf("%s: %s", fset.Position(n.Pos()), what))
	}
	// allowed reports whether e is fmt.Sprintf(allowedSprintf, SchemaVersion).
	allowed := func(e ast.Expr) bool {
		call, ok := e.(*ast.CallExpr)
		if !ok || len(call.Args) != 2 {
			return false
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Sprintf" {
			return false
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok {
			return false
		}
		s, _ := strconv.Unquote(lit.Value)
		id, ok := call.Args[1].(*ast.Ident)
		return s == allowedSprintf && ok && id.Name == "SchemaVersion"
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if n.Op == token.ADD && anySQL(n.X, n.Y) {
				report(n, "SQL joined with +")
			}
		case *ast.AssignStmt:
			if n.Tok == token.ADD_ASSIGN && anySQL(n.Rhs...) {
				report(n, "SQL appended with +=")
			}
		case *ast.CallExpr:
			sel, ok := n.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			name := sel.Sel.Name
			pkg, _ := sel.X.(*ast.Ident)
			switch {
			case pkg != nil && pkg.Name == "fmt" && (strings.HasPrefix(name, "Sprint") || strings.HasPrefix(name, "Fprint") || strings.HasPrefix(name, "Append")):
				if anySQL(n.Args...) && !allowed(n) {
					report(n, "SQL built with fmt."+name)
				}
			case pkg != nil && pkg.Name == "strings" && name != "Contains" && name != "HasPrefix" && name != "EqualFold":
				if anySQL(n.Args...) {
					report(n, "SQL built with strings."+name)
				}
			case name == "WriteString" || name == "Write" || name == "Fprint" || name == "Fprintf":
				if anySQL(n.Args...) {
					report(n, "SQL written piecewise with "+name)
				}
			case dbMethods[name]:
				q := 0
				if strings.HasSuffix(name, "Context") {
					q = 1
				}
				if len(n.Args) <= q || n.Ellipsis.IsValid() && q == len(n.Args)-1 {
					// No query, or a prepared statement's args...
					return true
				}
				switch arg := n.Args[q].(type) {
				case *ast.BasicLit, *ast.Ident, *ast.IndexExpr, *ast.SelectorExpr:
					// A literal, or a name for one: checked where it is written.
				default:
					if !allowed(arg) {
						report(n, "query computed in the call to "+name)
					}
				}
			}
		}
		return true
	})
	return found
}

// TestSQLOnlyWithParameters: no SQL in the store is built from pieces, so
// that nothing read from a log can become SQL. Values go in as ? parameters;
// the one exception is the PRAGMA that sets the schema version, which takes
// no parameters and gets the binary's own integer.
func TestSQLOnlyWithParameters(t *testing.T) {
	paths, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, where := range sqlBuilding(fset, f) {
			t.Errorf("%s (use a literal query with ? parameters)", where)
		}
	}
	if checked < 5 {
		t.Fatalf("checked %d files of package aggregate; is the test running in its directory?", checked)
	}

	// The check finds what it is meant to find.
	const sample = `package x
func f() {
	db.ExecContext(ctx, "DELETE FROM attempts WHERE host = '" + host + "'")
	db.QueryContext(ctx, fmt.Sprintf("SELECT * FROM messages WHERE queue_id = '%s'", qid))
	q := "SELECT time FROM warnings"
	q += " WHERE host = '" + host + "'"
	db.QueryRow(strings.Join([]string{"SELECT", col, "FROM rejects"}, " "))
	db.Exec(build(host))
	var b strings.Builder
	b.WriteString("UPDATE sources SET offset = ")
	tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion))
	tx.ExecContext(ctx, "INSERT INTO unparsed (time, host) VALUES (?, ?)", t, host)
	fmt.Errorf("prune: %s: %w", q, err)
}`
	f, err := parser.ParseFile(fset, "sample.go", sample, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := sqlBuilding(fset, f)
	wantLines := []int{3, 4, 6, 7, 8, 10}
	var gotLines []int
	for _, g := range got {
		// "sample.go:LINE:COL: what"
		parts := strings.SplitN(g, ":", 3)
		n, _ := strconv.Atoi(parts[1])
		if !slices.Contains(gotLines, n) {
			gotLines = append(gotLines, n)
		}
	}
	if !slices.Equal(gotLines, wantLines) {
		t.Errorf("self-check: flagged lines %v of the sample, want %v:\n%s", gotLines, wantLines, strings.Join(got, "\n"))
	}
}

// TestStorePathWithURICharacters: the database is the file at the path
// given, whatever characters the path has. SQLite reads "file:" names as
// URIs, where '#' starts a fragment, '?' the parameters and '%' an escape:
// unescaped, "/srv/mail#1/pftls.db" opens "/srv/mail" instead, made with
// the default umask (0644: readable by every user) and outside the private
// 0700 directory.
func TestStorePathWithURICharacters(t *testing.T) {
	for _, tc := range []struct{ name, dirName string }{
		{"fragment", "mail#1"},
		{"query", "what?now"},
		{"escape", "100%41"},
	} {
		dirName := tc.dirName
		// The subtest's name has none of the characters: t.TempDir uses it.
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			path := filepath.Join(parent, dirName, "pftls.db")
			st, err := aggregate.Open(t.Context(), path, aggregate.OpenOptions{})
			if err != nil {
				t.Fatalf("Open(%q): %v", path, err)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("SQLite format 3\x00")) {
				t.Errorf("%s is not the database: %d bytes, starting %.16q", path, len(b), b)
			}
			if fi, err := os.Stat(path); err == nil && fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: mode %#o, want 0600", path, fi.Mode().Perm())
			}
			var stray []string
			entries, _ := os.ReadDir(parent)
			for _, e := range entries {
				if e.Name() != dirName {
					fi, _ := e.Info()
					stray = append(stray, fmt.Sprintf("%s (%v)", e.Name(), fi.Mode()))
				}
			}
			if len(stray) > 0 {
				t.Errorf("Open(%q) also made %v next to the database's directory", path, stray)
			}
		})
	}
}

// TestStoreDamagedPagesSayRebuild: a database whose header and schema are
// fine but whose table pages are damaged (a bad disk, a copy cut short and
// padded) fails when a report reads it. The error must name the file and
// say how to recover, as it does when the damage is found on opening.
func TestStoreDamagedPagesSayRebuild(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pftls.db")
	log := corpusCopy(t, dir, "mail.log", readLines(t, corpusLog))
	ingest(t, path, 1000, log)

	db := openSQL(t, path)
	root := queryInt(t, db, "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'attempts'")
	pageSize := queryInt(t, db, "PRAGMA page_size")
	db.Close()
	if root < 2 {
		t.Fatalf("attempts has root page %d", root)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(bytes.Repeat([]byte{0xde, 0xad}, int(pageSize)/2), (root-1)*pageSize); err != nil {
		t.Fatal(err)
	}
	f.Close()

	st, err := aggregate.Open(t.Context(), path, aggregate.OpenOptions{ReadOnly: true})
	if err != nil {
		// Found on opening: that error is tested by TestStoreCorruptFile.
		t.Skipf("the damage was found on opening: %v", err)
	}
	defer st.Close()
	err = st.Scan(t.Context(), aggregate.Query{}, &countSink{})
	if err == nil {
		t.Fatal("Scan of a database with a damaged table succeeded")
	}
	if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, "rebuild") {
		t.Errorf("Scan of a damaged database: %q\nwant the path and what to do, as on opening: "+
			"\"the database is damaged (...); move it away and rebuild it with 'pftls ingest' from the logs\"", msg)
	}
}

// TestIngestCutGzipKeepsWhatWasRead: a gzip file cut short (a copy that
// did not finish, a full disk during rotation) gives an error naming the
// file; the lines before the cut are stored, and the result says how many
// facts were stored for them.
func TestIngestCutGzipKeepsWhatWasRead(t *testing.T) {
	dir := t.TempDir()
	lines := readLines(t, corpusLog)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(joinLines(lines))
	zw.Close()
	cutPath := filepath.Join(dir, "mail.log.2.gz")
	writeFile(t, cutPath, gz.Bytes()[:gz.Len()/2])

	cutDB := filepath.Join(dir, "cut.db")
	st := openStore(t, cutDB)
	p := newPump(st)
	p.CommitLines = 1 << 30 // one commit: the one after the error
	r, err := source.Open(cutPath)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.IngestReader(t.Context(), r)
	r.Close()
	if err == nil {
		t.Fatal("ingest of a cut gzip file succeeded")
	}
	if !strings.Contains(err.Error(), cutPath) || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("error %q: want the file's name and io.ErrUnexpectedEOF", err)
	}
	if res.Lines == 0 || res.Lines >= int64(len(lines)) {
		t.Fatalf("read %d lines of the cut file, want some but not all %d", res.Lines, len(lines))
	}
	c := countRows(t, cutDB)
	if c["line_counts.sum"] != res.Lines || c["sources.lines"] != res.Lines {
		t.Errorf("stored %d counted lines, source at %d lines; want the %d lines read", c["line_counts.sum"], c["sources.lines"], res.Lines)
	}

	// The same lines from a whole file store the same facts.
	plainDB := filepath.Join(dir, "plain.db")
	plain := corpusCopy(t, dir, "first.log", lines[:res.Lines])
	want := ingest(t, plainDB, 1<<30, plain)[0]
	if d := diffCounts(c, countRows(t, plainDB), "sources"); d != "" {
		t.Errorf("the cut file stored other facts than its %d lines in a whole file:\n%s", res.Lines, d)
	}
	if res.Facts != want.Facts {
		t.Errorf("FileResult.Facts = %d for the cut file, want %d (the facts its last commit stored; "+
			"IngestReader returns run.Result() before that commit runs)", res.Facts, want.Facts)
	}
}

// TestMalformedLineCountedAtItsNeighboursTime: a line without a syslog
// envelope (binary garbage, a line cut at its start) has no stamp and no
// host; nor has a blank line, which is foreign (nothing to understand).
// Each is counted, but at the time and host of the line before it:
// counted at a made-up hour with no host it falls outside every report
// window, so "lines without a syslog envelope" is never shown.
func TestMalformedLineCountedAtItsNeighboursTime(t *testing.T) {
	lines := readLines(t, corpusLog)[:20]
	c := aggregate.NewCorrelator(aggregate.DefaultOptions)
	feed(c, lines[:10]...)
	feed(c, "\x00\x01\x02 binary garbage \xff\xfe", "    garbage after a crash", "")
	feed(c, lines[10:]...)
	b := c.Drain()
	want := resolver.Time(logparse.ParseString(lines[9]).Stamp).Truncate(time.Minute)
	n := 0
	for _, lc := range b.LineCounts {
		if lc.Host == "" {
			t.Errorf("%d %s lines counted for no host (a blank line is foreign, but where the log was)", lc.Count, lc.Kind)
		}
		if lc.Kind != logparse.KindMalformed {
			continue
		}
		n += int(lc.Count)
		if lc.Host != "mail" || !lc.Minute.Equal(want) {
			t.Errorf("malformed lines counted for host %q at %s, want host %q at %s (the line before them)",
				lc.Host, lc.Minute.Format(time.RFC3339), "mail", want.Format(time.RFC3339))
		}
	}
	if n != 2 {
		t.Errorf("counted %d malformed lines, want 2", n)
	}
}

// TestHostileBytesStoredUnchanged: NUL bytes, invalid UTF-8, escape
// sequences and CR inside a line are stored and read back byte for byte
// (escaping is each output format's business, not the store's).
func TestHostileBytesStoredUnchanged(t *testing.T) {
	texts := []string{
		"bad \xff\xfe\xc3 utf-8",
		"nul \x00 inside \x00",
		"escape \x1b[31mred\x1b[0m \x1b]0;title\x07",
		"carriage\rreturn and \u202e bidi and \xc2\x9b c1",
	}
	path := filepath.Join(t.TempDir(), "pftls.db")
	st := openStore(t, path)
	p := newPump(st)
	var log bytes.Buffer
	for i, s := range texts {
		fmt.Fprintf(&log, "Nov 23 00:2%d:00 mail postfix/smtpd[100%d]: warning: %s\n", i, i, s)
		fmt.Fprintf(&log, "Nov 23 00:2%d:01 mail postfix/smtpd[100%d]: %s\n", i, i, s) // unparsed
	}
	r, err := source.NewReader("hostile.log", &log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.IngestReader(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	var got hostileSink
	if err := st.Scan(t.Context(), aggregate.Query{}, &got); err != nil {
		t.Fatal(err)
	}
	for i, s := range texts {
		if i >= len(got.warnings) || got.warnings[i] != s {
			t.Errorf("warning %d read back as %q, want %q", i, at(got.warnings, i), s)
		}
		if i >= len(got.unparsed) || got.unparsed[i] != s {
			t.Errorf("unparsed line %d read back as %q, want %q", i, at(got.unparsed, i), s)
		}
	}
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}

// hostileSink keeps the texts of warnings and unparsed lines.
type hostileSink struct {
	countSink
	warnings, unparsed []string
}

func (h *hostileSink) Warning(w *aggregate.Warning)   { h.warnings = append(h.warnings, w.Text) }
func (h *hostileSink) Unparsed(u *aggregate.Unparsed) { h.unparsed = append(h.unparsed, u.Text) }

package aggregate

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"
)

// TestRowsRoundTrip stores packed rows through pftls_rows and reads back
// exactly the values and SQLite types that were packed.
func TestRowsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := memoryStore(t)
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE t (a, b, c)`); err != nil {
		t.Fatal(err)
	}
	var r rowBuffer
	r.int(math.MinInt64)
	r.text("")
	r.float(-0.25)
	r.int(1 << 40)
	r.text("nul\x00inside, ünïcode, 'quotes'")
	r.float(math.MaxFloat64)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO t SELECT c0, c1, c2 FROM pftls_rows(?, ?)`, r.b, 3); err != nil {
		t.Fatal(err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT typeof(a), a, typeof(b), b, typeof(c), c FROM t ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	type row struct {
		ta    string
		a     int64
		tb, b string
		tc    string
		c     float64
	}
	var got []row
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.ta, &x.a, &x.tb, &x.b, &x.tc, &x.c); err != nil {
			t.Fatal(err)
		}
		got = append(got, x)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []row{
		{"integer", math.MinInt64, "text", "", "real", -0.25},
		{"integer", 1 << 40, "text", "nul\x00inside, ünïcode, 'quotes'", "real", math.MaxFloat64},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i+1, got[i], want[i])
		}
	}
}

// TestRowsMalformed: a blob that does not hold whole rows is an error that
// names the row, and stores nothing.
func TestRowsMalformed(t *testing.T) {
	ctx := context.Background()
	s := memoryStore(t)
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE t (a, b)`); err != nil {
		t.Fatal(err)
	}
	var whole rowBuffer
	whole.int(1)
	whole.text("x")
	tests := []struct {
		name string
		blob []byte
		ncol int
		want string
	}{
		{"missing value", append(append([]byte{}, whole.b...), 'i', 1, 0, 0, 0, 0, 0, 0, 0), 2, "row 2: fewer values than columns"},
		{"integer cut short", []byte{'i', 1, 2}, 2, "row 1: number cut short"},
		{"text longer than blob", []byte{'t', 200, 0, 0, 0, 'a'}, 1, "row 1: text cut short"},
		{"unknown tag", []byte{'x'}, 1, "row 1: unknown value tag"},
		{"too many columns", whole.b, 41, "number of columns out of range"},
		{"no columns", whole.b, 0, "number of columns out of range"},
		{"column count past 32 bits", whole.b, 1<<32 + 2, "number of columns out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.db.ExecContext(ctx, `INSERT INTO t SELECT c0, c1 FROM pftls_rows(?, ?)`, tt.blob, tt.ncol)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
			var n int
			if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Fatalf("%d rows stored from a malformed blob", n)
			}
		})
	}
	if _, err := s.db.ExecContext(ctx, `SELECT * FROM pftls_rows`); err == nil || !strings.Contains(err.Error(), "needs two arguments") {
		t.Fatalf("pftls_rows without arguments: got %v", err)
	}
}

// TestRowsEmpty: an empty blob is no rows.
func TestRowsEmpty(t *testing.T) {
	ctx := context.Background()
	s := memoryStore(t)
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM pftls_rows(?, 3)`, []byte{}).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("got %d rows from an empty blob", n)
	}
}

// TestCommitInChunks: a table whose rows outgrow one buffer is stored in
// several statements, every row once.
func TestCommitInChunks(t *testing.T) {
	ctx := context.Background()
	s := memoryStore(t)
	long := strings.Repeat("w", 1000)
	var b Batch
	n := 3*rowBufferLimit/len(long) + 7
	for i := range n {
		b.Warnings = append(b.Warnings, Warning{Host: "mx", Program: "postfix/smtpd", Severity: "warning", Text: long, Class: string(rune('a' + i%26))})
	}
	if err := s.Commit(ctx, &b, nil, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	var got, classes int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT class) FROM warnings
		LEFT JOIN dictionary AS d ON d.id = warnings.text WHERE length(coalesce(d.text, warnings.text)) = 1000`).Scan(&got, &classes); err != nil {
		t.Fatal(err)
	}
	if got != n || classes != 26 {
		t.Fatalf("stored %d warnings in %d classes, want %d in 26", got, classes, n)
	}
}

// TestEachCountsValues: a row with the wrong number of values is an error,
// not a shifted table.
func TestEachCountsValues(t *testing.T) {
	var p PackedBatch
	p.each(`INSERT INTO unparsed (time, host, program, text) SELECT c0, c1, c2, c3 FROM pftls_rows(?, ?)`, 4, 2,
		func(i int, r *rowBuffer) {
			r.int(1)
			r.text("mx")
			r.text("postfix/smtp")
			if i == 0 {
				r.text("first")
			}
		})
	if err := p.err; err == nil || !strings.Contains(err.Error(), "row 2: 3 values for 4 columns") {
		t.Fatalf("got %v, want a value count error for row 2", err)
	}
}

// BenchmarkRowBuffer packs a row shaped like an attempt (30 values, 22 of
// them text) per iteration.
func BenchmarkRowBuffer(b *testing.B) {
	texts := []string{"mail", "4D8D6BC3A0", "smtp", "alice@example.org", "bob@example.net", "example.net", "",
		"mx.example.net[192.0.2.1]:25", "mx.example.net", "192.0.2.1", "sent", "2.0.0",
		"250 2.0.0 Ok: queued as 787ACBC402", "", "verified", "TLSv1.3", "TLS_AES_256_GCM_SHA384", "", "", "", "", ""}
	var r rowBuffer
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if r.full() {
			r.b, r.values = r.b[:0], 0
		}
		for _, t := range texts {
			r.text(t)
		}
		for j := range 8 {
			r.int(int64(j) << 40)
		}
	}
}

// TestRowsTwoCursors: two pftls_rows scans open at once (a join) each read
// their own rows.
func TestRowsTwoCursors(t *testing.T) {
	s := memoryStore(t)
	var a, b rowBuffer
	a.text("a1")
	a.text("a2")
	b.int(1)
	b.int(2)
	b.int(3)
	got := queryStrings(t, s, `SELECT x.c0 || '-' || y.c0 FROM pftls_rows(?, 1) x, pftls_rows(?, 1) y ORDER BY 1`, a.b, b.b)
	want := "a1-1 a1-2 a1-3 a2-1 a2-2 a2-3"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %q, want %q", strings.Join(got, " "), want)
	}
}

// memoryStore is a new in-memory store, closed when the test ends.
func memoryStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), Memory, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// queryStrings runs a query of one text column and returns its values.
func queryStrings(t *testing.T, s *Store, query string, args ...any) []string {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

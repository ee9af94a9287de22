package aggregate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"
)

// readPacked reads query's rows through pftls_chunks, as text, one line
// per row.
func readPacked(t *testing.T, s *Store, query string, ncol int, args ...any) ([]string, error) {
	t.Helper()
	var got []string
	err := eachPacked(context.Background(), s.db, query, args, ncol, func(vals []value) error {
		var b strings.Builder
		for _, v := range vals {
			switch v.tag {
			case 'n':
				b.WriteString("NULL|")
			case 'i':
				fmt.Fprintf(&b, "i%d|", int64(v.bits))
			case 'f':
				fmt.Fprintf(&b, "f%g|", math.Float64frombits(v.bits))
			default:
				fmt.Fprintf(&b, "%c%q|", v.tag, v.bytes)
			}
		}
		got = append(got, b.String())
		return nil
	})
	return got, err
}

// TestChunksReadEveryRowInOrder reads more rows than fit one chunk, of
// every SQLite type, and compares them with what database/sql reads.
func TestChunksReadEveryRowInOrder(t *testing.T) {
	ctx := context.Background()
	s := memoryStore(t)
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE t (n INTEGER, v)`); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("ü", 40_000) // one value past a chunk's 64 KiB
	values := []any{nil, int64(math.MinInt64), int64(math.MaxInt64), -0.25, math.MaxFloat64, "", "nul\x00inside 'quotes'", long, []byte{0, 1, 2, 255}, []byte{}}
	const rows = 5000 // about 3 chunks
	for i := 0; i < rows; i++ {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO t VALUES (?, ?)`, rows-i, values[i%len(values)]); err != nil {
			t.Fatal(err)
		}
	}
	got, err := readPacked(t, s, `SELECT n, v FROM t ORDER BY n`, 2)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	dbRows, err := s.db.QueryContext(ctx, `SELECT n, v FROM t ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	defer dbRows.Close()
	for dbRows.Next() {
		var n int64
		var v any
		if err := dbRows.Scan(&n, &v); err != nil {
			t.Fatal(err)
		}
		line := fmt.Sprintf("i%d|", n)
		switch x := v.(type) {
		case nil:
			line += "NULL|"
		case int64:
			line += fmt.Sprintf("i%d|", x)
		case float64:
			line += fmt.Sprintf("f%g|", x)
		case string:
			line += fmt.Sprintf("t%q|", x)
		case []byte:
			line += fmt.Sprintf("b%q|", x)
		}
		want = append(want, line)
	}
	if len(got) != len(want) || len(got) != rows {
		t.Fatalf("got %d rows, want %d (database/sql read %d)", len(got), rows, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("row %d: got %.80s, want %.80s", i+1, got[i], want[i])
		}
	}
}

// TestChunksParameters binds every kind of parameter, and refuses a count
// that does not match the query's.
func TestChunksParameters(t *testing.T) {
	s := memoryStore(t)
	got, err := readPacked(t, s, `SELECT ?, ?, ?, typeof(?)`, 4, int64(-7), 7, "a'b", []byte("x\x00y"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `i-7|i7|t"a'b"|t"blob"|`; len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want [%q]", got, want)
	}
	for _, tc := range []struct {
		args []any
		want string
	}{
		{[]any{int64(1)}, "fewer parameters than the query has"},
		{[]any{int64(1), int64(2), int64(3)}, "more parameters than the query has"},
		{[]any{struct{}{}, int64(2)}, "cannot pack struct {}"},
	} {
		_, err := readPacked(t, s, `SELECT ?, ?`, 2, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got error %v, want %q", tc.args, err, tc.want)
		}
	}
}

// TestChunksRefuseWhatIsNotARead: a statement that would write is refused
// before it runs, and a statement SQLite cannot prepare says why.
func TestChunksRefuseWhatIsNotARead(t *testing.T) {
	ctx := context.Background()
	s := memoryStore(t)
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE t (a); INSERT INTO t VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ query, want string }{
		{`DELETE FROM t`, "not a query that only reads"},
		{`BEGIN`, "not a query that only reads"},
		{`PRAGMA query_only = 1`, "not a query that only reads"},
		{`SELECT a FROM t; DELETE FROM t`, "more than one statement"},
		{`WITH x AS (SELECT 1) DELETE FROM t`, "not a query that only reads"},
		{`  select a from t; `, ""},
		{`SELECT a, a FROM t`, "the query returns 2 columns, not 1"},
		{`SELECT missing FROM t`, "prepare: no such column: missing"},
		{``, "not a query that only reads"},
	} {
		_, err := readPacked(t, s, tc.query, 1)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%q: got error %v, want %q", tc.query, err, tc.want)
		}
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 1 {
		t.Errorf("t has %d rows after the refused DELETE (%v), want 1", n, err)
	}
	// Neither BEGIN nor the PRAGMA ran: the connection can still write.
	if _, err := s.db.ExecContext(ctx, `BEGIN; INSERT INTO t VALUES (2); COMMIT`); err != nil {
		t.Errorf("write after the refused statements: %v", err)
	}
	got, err := readPacked(t, s, `SELECT a FROM t WHERE a > 5`, 1)
	if err != nil || len(got) != 0 {
		t.Errorf("no rows: got %q, %v", got, err)
	}
}

// TestUnpackRowMalformed: a chunk cut short or holding an unknown tag is
// an error, never a read out of bounds.
func TestUnpackRowMalformed(t *testing.T) {
	var r rowBuffer
	r.int(1)
	r.text("abc")
	full := r.b
	vals := make([]value, 2)
	if rest, err := unpackRow(full, vals); err != nil || len(rest) != 0 || string(vals[1].bytes) != "abc" {
		t.Fatalf("whole row: rest %q, err %v, values %+v", rest, err, vals)
	}
	for n := 0; n < len(full); n++ {
		if _, err := unpackRow(full[:n], vals); err == nil {
			t.Errorf("row cut to %d of %d bytes: no error", n, len(full))
		}
	}
	if _, err := unpackRow([]byte{'x'}, vals); err == nil || !strings.Contains(err.Error(), "unknown tag") {
		t.Errorf("unknown tag: got %v", err)
	}
}

// FuzzUnpackRow: any bytes unpack to values or an error, never a panic,
// and what is left is a suffix of the input.
func FuzzUnpackRow(f *testing.F) {
	var r rowBuffer
	r.int(-1)
	r.float(0.5)
	r.text("text")
	r.blob([]byte{0})
	f.Add(r.b, 4)
	f.Add([]byte{'t', 255, 255, 255, 255}, 1)
	f.Add([]byte{'n', 'n'}, 3)
	f.Fuzz(func(t *testing.T, data []byte, ncol int) {
		if ncol < 1 || ncol > 40 {
			return
		}
		rest, err := unpackRow(data, make([]value, ncol))
		if err == nil && !bytes.HasSuffix(data, rest) {
			t.Errorf("rest %q is not a suffix of %q", rest, data)
		}
	})
}

// TestChunksStopEarly: an error from the consumer, or a cancelled
// context, ends the read, the reading goroutine with it.
func TestChunksStopEarly(t *testing.T) {
	ctx := context.Background()
	s := memoryStore(t)
	// Rows without end: a read that does not stop never returns.
	const query = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT i, 'some text to fill the chunks' FROM n`
	before := runtime.NumGoroutine()
	read := func(ctx context.Context, each func([]value) error) error {
		done := make(chan error, 1)
		go func() { done <- eachPacked(ctx, s.db, query, nil, 2, each) }()
		select {
		case err := <-done:
			return err
		case <-time.After(time.Minute): // not a speed target: a read that never ends
			t.Fatal("the read went on after it should have stopped")
			return nil
		}
	}
	stop := errors.New("enough")
	rows := 0
	err := read(ctx, func([]value) error {
		if rows++; rows == 5000 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || rows != 5000 {
		t.Errorf("got %v after %d rows, want %v after 5000", err, rows, stop)
	}
	cancelled, cancel := context.WithCancel(ctx)
	rows = 0
	err = read(cancelled, func([]value) error {
		if rows++; rows == 5000 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled after 5000 rows: got %v after %d rows, want %v", err, rows, context.Canceled)
	}
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after the reads, %d before", n, before)
	}
}

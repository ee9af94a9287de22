package aggregate_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// TestTail_new_year: tail started on 31 December stores every line
// written after midnight in the new year (2027-01-01, not 2026-01-01):
// the reference for year-less stamps moves with the clock while a file is
// followed, instead of staying at its modification time when tail
// started. PFTLS_LONG_TESTS=1 writes 5,000 lines on each side of midnight.
func TestTail_new_year(t *testing.T) {
	n := 5
	if os.Getenv("PFTLS_LONG_TESTS") == "1" {
		n = 5000
	}
	dir := t.TempDir()
	log, db := filepath.Join(dir, "mail.log"), filepath.Join(dir, "pftls.db")
	lineAt := func(at time.Time, i int) string {
		return fmt.Sprintf("%s mail postfix/smtpd[%d]: warning: test line %d\n", at.Format(time.Stamp), 100+i%50, i)
	}
	eve := time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC)
	var before strings.Builder
	for i := range n {
		before.WriteString(lineAt(eve.Add(time.Duration(i)*50*time.Second/time.Duration(n)), i))
	}
	writeFile(t, log, []byte(before.String()))
	if err := os.Chtimes(log, eve.Add(time.Minute-time.Second), eve.Add(time.Minute-time.Second)); err != nil {
		t.Fatal(err)
	}
	var clock atomic.Int64
	clock.Store(eve.Add(time.Minute - time.Second).UnixNano())
	st := openStore(t, db)
	p := &aggregate.Pump{
		Store: st,
		Corr:  aggregate.NewCorrelator(aggregate.DefaultOptions),
		// As pftls tail resolves a followed file's stamps (cmd/pftls
		// inputs.go): the file's modification time when tail starts.
		Resolver: func(id source.Identity) logparse.Resolver {
			return logparse.Resolver{Location: time.UTC, Reference: id.ModTime}
		},
		Now: func() time.Time { return time.Unix(0, clock.Load()).UTC() },
	}
	tl := startTail(t, p, aggregate.TailOptions{Path: log, Show: aggregate.ShowFromStart})
	tl.waitLines(t, int64(n))

	midnight := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	clock.Store(midnight.Add(time.Minute).UnixNano())
	var after strings.Builder
	for i := range n {
		after.WriteString(lineAt(midnight.Add(time.Duration(i)*50*time.Second/time.Duration(n)), n+i))
	}
	appendFile(t, log, []byte(after.String()))
	tl.waitLines(t, int64(2*n))
	tl.stop(t)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	sdb := openSQL(t, db)
	in2027 := queryInt(t, sdb, "SELECT count(*) FROM (SELECT time FROM warnings UNION ALL SELECT time FROM unparsed) WHERE time >= ?", midnight.UnixNano())
	in2026 := queryInt(t, sdb, "SELECT count(*) FROM (SELECT time FROM warnings UNION ALL SELECT time FROM unparsed) WHERE time >= ? AND time < ?", eve.UnixNano(), midnight.UnixNano())
	if in2027 != int64(n) || in2026 != int64(n) {
		early := queryInt(t, sdb, "SELECT count(*) FROM (SELECT time FROM warnings UNION ALL SELECT time FROM unparsed) WHERE time < ?", eve.UnixNano())
		t.Errorf("stored %d lines on 2026-12-31, %d on 2027-01-01 and %d a year early; want %d, %d and 0", in2026, in2027, early, n, n)
	}
}

package aggregate

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse/source"
)

// TestLogRotation_copy_partial_last_line_is_read: a rotated copy whose
// last line has no newline (its writer was killed mid-line) used to keep
// that line "for the next run" for ever: no writer completes it, and the
// copy is read again only from its stored offset. A copy untouched for a
// while is final and its last line is read; the live log, and a copy
// just rotated (its writer may not have reopened yet), still leave it.
func TestLogRotation_copy_partial_last_line_is_read(t *testing.T) {
	data := readCorpus(t)
	const cut = "Mar  1 06:00:00 mail postfix/qmgr[1]: 4ABCDEF: removed"
	for _, tc := range []struct {
		name     string
		age      time.Duration
		wantRead bool
	}{
		{"mail.log.1", time.Hour, true},
		{"mail.log-20260301", time.Hour, true},
		{"mail.log.1", time.Second, false},
		{"mail.log", time.Hour, false},
	} {
		t.Run(tc.name+"/"+tc.age.String(), func(t *testing.T) {
			ctx := t.Context()
			dir := t.TempDir()
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, append(append([]byte{}, data...), cut...), 0o644); err != nil {
				t.Fatal(err)
			}
			mtime := time.Now().Add(-tc.age)
			if err := os.Chtimes(path, mtime, mtime); err != nil {
				t.Fatal(err)
			}
			store, err := Open(ctx, filepath.Join(dir, "pftls.db"), OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			pump := &Pump{Store: store, Corr: NewCorrelator(DefaultOptions),
				Resolver: resolve2026}
			rd, err := source.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			res, err := pump.IngestReader(ctx, rd)
			if err != nil {
				t.Fatal(err)
			}
			whole := int64(len(splitLines(data)))
			switch {
			case tc.wantRead && (res.Lines != whole+1 || res.Partial):
				t.Errorf("read %d lines (partial left: %v), want %d with the cut last line", res.Lines, res.Partial, whole+1)
			case !tc.wantRead && (res.Lines != whole || !res.Partial):
				t.Errorf("read %d lines (partial left: %v), want %d and the cut line left for the next run", res.Lines, res.Partial, whole)
			}
		})
	}
}

// splitLines are the newline-ended lines of b.
func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		if i == len(b) {
			break
		}
		out = append(out, b[:i])
		b = b[i+1:]
	}
	return out
}

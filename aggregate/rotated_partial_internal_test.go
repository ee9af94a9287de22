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
			res := ingestPath(t, pump, path)
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

// TestLogRotation_copy_read_before_it_settled_is_read_again: a cron ingest
// that reads a log's rotated copy seconds after the rotation leaves its
// cut last line for the next run, as a writer may still complete it; but
// the source then bears the copy's name, and no later run looked at it:
// the line was lost for good, and no report said so. Once the copy has
// settled, the next run of the live log reads it (RotatedBefore), and then
// no more.
func TestLogRotation_copy_read_before_it_settled_is_read_again(t *testing.T) {
	ctx := t.Context()
	data := readCorpus(t)
	lines := splitLines(data)
	const cut = "Mar  1 06:00:00 mail postfix/qmgr[1]: 4ABCDEF: removed"
	dir := t.TempDir()
	live := filepath.Join(dir, "mail.log")
	if err := os.WriteFile(live, append(append([]byte{}, data...), cut...), 0o644); err != nil {
		t.Fatal(err)
	}
	store, err := Open(ctx, filepath.Join(dir, "pftls.db"), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	pump := &Pump{Store: store, Corr: NewCorrelator(DefaultOptions), Resolver: resolve2026}
	ingest := func(path string) FileResult { return ingestPath(t, pump, path) }
	// The cron run of the live log, the line after it still being written.
	if res := ingest(live); !res.Partial {
		t.Fatalf("the live log's cut last line was read: %+v", res)
	}
	// logrotate: the log becomes mail.log.1, a new mail.log begins.
	if err := os.Rename(live, live+".1"); err != nil {
		t.Fatal(err)
	}
	var next []byte
	for _, l := range lines[len(lines)/2:] {
		next = append(append(next, l...), '\n')
	}
	if err := os.WriteFile(live, next, 0o644); err != nil {
		t.Fatal(err)
	}
	run := func() (read int64) {
		t.Helper()
		before, err := pump.RotatedBefore(ctx, live)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range before {
			read += ingest(p).Lines
		}
		return read + ingest(live).Lines
	}
	run() // seconds after the rotation: the copy has not settled
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(live+".1", old, old); err != nil {
		t.Fatal(err)
	}
	if read := run(); read != 1 {
		t.Errorf("the run after the copy settled read %d lines, want its cut last line", read)
	}
	if read := run(); read != 0 {
		t.Errorf("a run after that read %d lines, want none", read)
	}
}

// ingestPath reads the file at path through pump.
func ingestPath(t *testing.T, pump *Pump, path string) FileResult {
	t.Helper()
	rd, err := source.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	res, err := pump.IngestReader(t.Context(), rd)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

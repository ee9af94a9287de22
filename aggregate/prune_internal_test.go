package aggregate

import (
	"path/filepath"
	"testing"
	"time"
)

// TestPruneTempStore: withTempFiles, which prune runs under, puts
// temporary tables in files (a prune's rows took 250 MB of memory for a
// day of a busy database; the bench's prune row measures it) and sets
// temp_store back to what it was: after prune the writer has its
// temporary tables in memory again, which ingest is tuned for.
func TestPruneTempStore(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "pftls.db"), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tempStore := func() int64 {
		var v int64
		if err := s.db.QueryRowContext(ctx, "PRAGMA temp_store").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	const deflt, file, memory = 0, 1, 2 // PRAGMA temp_store's values
	if _, err := s.db.ExecContext(ctx, "PRAGMA temp_store = DEFAULT"); err != nil {
		t.Fatal(err)
	}
	var during int64
	if err := s.withTempFiles(ctx, func() error { during = tempStore(); return nil }); err != nil {
		t.Fatal(err)
	}
	if during != file {
		t.Errorf("temp_store inside withTempFiles = %d, want %d (FILE)", during, file)
	}
	if got := tempStore(); got != deflt {
		t.Errorf("temp_store after withTempFiles = %d, want %d (DEFAULT, as before)", got, deflt)
	}
	if _, err := s.db.ExecContext(ctx, "PRAGMA temp_store = MEMORY"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PruneFacts(ctx, time.Now(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := tempStore(); got != memory {
		t.Errorf("temp_store after prune = %d, want %d (MEMORY)", got, memory)
	}
}

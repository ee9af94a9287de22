package aggregate

import (
	"path/filepath"
	"testing"
	"time"
)

// TestPruneTempStore: prune builds its temporary rows in files (in memory
// they took 250 MB for a day of a busy database), and gives the writer
// back its temporary tables in memory, which ingest is tuned for.
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
	const file, memory = 1, 2 // PRAGMA temp_store's values
	var during int64
	if err := s.withTempFiles(ctx, func() error { during = tempStore(); return nil }); err != nil {
		t.Fatal(err)
	}
	if during != file {
		t.Errorf("temp_store inside withTempFiles = %d, want %d (FILE)", during, file)
	}
	if _, err := s.PruneFacts(ctx, time.Now(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	if got := tempStore(); got != memory {
		t.Errorf("temp_store after prune = %d, want %d (MEMORY)", got, memory)
	}
}

package aggregate_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// TestReopenReadOnly: a writer reopened read-only has let go of the
// database (another writer can take it at once), reads what was written,
// and writes nothing, not even through SQLite; a store in memory is not
// reopened, which would lose it.
func TestReopenReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "pftls.db")
	ingestFile(t, path, corpusLog)
	w, err := aggregate.Open(ctx, path, aggregate.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantFirst, wantLast, _, err := w.Span(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.ReopenReadOnly(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	first, last, _, err := r.Span(ctx, "")
	if err != nil || !first.Equal(wantFirst) || !last.Equal(wantLast) {
		t.Errorf("reopened: span %v to %v (%v), want %v to %v", first, last, err, wantFirst, wantLast)
	}
	if _, err := r.Prune(ctx, time.Now()); err == nil {
		t.Error("the reopened store pruned: it is not read-only")
	}
	// Read-only in SQLite itself (mode=ro), not only by the flag the
	// store's own write methods check.
	if err := aggregate.ExecForTest(ctx, r, "CREATE TABLE written (x INTEGER)"); err == nil {
		t.Error("a table was created through the reopened store")
	}
	other, err := aggregate.Open(ctx, path, aggregate.OpenOptions{}) // LockWait 0: fails if the lock is held
	if err != nil {
		t.Fatalf("a writer after ReopenReadOnly: %v", err)
	}
	if err := other.Close(); err != nil {
		t.Fatal(err)
	}

	mem, err := aggregate.Open(ctx, aggregate.Memory, aggregate.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if _, err := mem.ReopenReadOnly(ctx); err == nil {
		t.Error("a store in memory was reopened")
	}
}

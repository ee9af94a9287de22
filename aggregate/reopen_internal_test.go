package aggregate

import (
	"path/filepath"
	"testing"
)

// TestReopenReadOnlyAtSQLite: the reopened store is read-only in SQLite
// itself (mode=ro), not only by the flag its own write methods check.
func TestReopenReadOnlyAtSQLite(t *testing.T) {
	ctx := t.Context()
	w, err := Open(ctx, filepath.Join(t.TempDir(), "pftls.db"), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.ReopenReadOnly(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := r.db.ExecContext(ctx, "CREATE TABLE written (x INTEGER)"); err == nil {
		t.Error("a table was created through the reopened store")
	}
}

package aggregate

import (
	"context"
	"database/sql"
	"fmt"
)

// SQLiteVersion is the version of the SQLite library compiled into this
// binary (go-sqlite3 embeds it), for "pftls version" and bug reports. It
// asks an in-memory database, so it touches no file.
func SQLiteVersion(ctx context.Context) (string, error) {
	db, err := sql.Open("sqlite3", "file::memory:")
	if err != nil {
		return "", fmt.Errorf("sqlite version: %w", err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRowContext(ctx, "select sqlite_version()").Scan(&v); err != nil {
		return "", fmt.Errorf("sqlite version: %w", err)
	}
	return v, nil
}

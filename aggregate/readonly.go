package aggregate

import (
	"errors"
	"fmt"
	"path/filepath"

	sqlite3 "github.com/mattn/go-sqlite3"
)

// errReadonlyDirectory is SQLITE_READONLY_DIRECTORY: SQLite had to create
// a file next to the database (the WAL's shared-memory index, which a
// reader needs too when no writer has the database open) and the
// directory did not let it. go-sqlite3 does not name it.
var errReadonlyDirectory = sqlite3.ErrReadonly.Extend(6)

// readOnlyHint says what to do when a store could not be read because
// this user may not write where the database is: a user who may read the
// database but not write its directory (a monitoring account reading
// root's database) otherwise only sees "attempt to write a readonly
// database" from a command that writes nothing. It returns "" for any
// other error.
func readOnlyHint(path string, err error) string {
	var se sqlite3.Error
	if !errors.As(err, &se) || se.Code != sqlite3.ErrReadonly {
		return ""
	}
	dir := filepath.Dir(path)
	if se.ExtendedCode == errReadonlyDirectory {
		return fmt.Sprintf("SQLite must create %s-shm in %s to read a database in WAL mode, and this user may not write there; "+
			"run pftls as the database's owner, or let this user write to %s (a group both share)", filepath.Base(path), dir, dir)
	}
	return fmt.Sprintf("this user may not write %s or its -wal and -shm files in %s, which SQLite needs even to read it; "+
		"run pftls as the database's owner", filepath.Base(path), dir)
}

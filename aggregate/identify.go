package aggregate

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// ApplicationID is PRAGMA application_id of a database pftls created
// ("pftl"): the mark that tells pftls's own database from a mail log or
// another program's SQLite file given to --db by mistake, read from the
// file's header before anything is written, moved or replaced.
const ApplicationID = 0x7066746c

// setApplicationID marks a database as pftls's (the literal is ApplicationID).
const setApplicationID = "PRAGMA application_id = 1885762668"

// ErrNotDatabase means the file at --db is not a pftls database: pftls
// neither writes into it nor moves it aside.
var ErrNotDatabase = errors.New("not a pftls database")

// sqliteMagic begins every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// identifyDatabase checks that the file at path, if there is one, is a pftls
// database. It returns exists=false (and no error) when there is no file,
// and an error wrapping ErrNotDatabase for anything else that is not
// pftls's: an empty file, a log, another program's SQLite database, a
// directory, a symbolic link to nothing.
func identifyDatabase(ctx context.Context, path string) (exists bool, err error) {
	lfi, lerr := os.Lstat(path)
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			if lerr == nil && lfi.Mode()&os.ModeSymlink != 0 {
				target, _ := os.Readlink(path)
				return false, fmt.Errorf("%s: a symbolic link to %s, which does not exist: create the database there with a path that exists, or remove the link", path, target)
			}
			return false, nil
		}
		return false, fmt.Errorf("%s: %w", path, err)
	}
	if fi.IsDir() {
		return true, fmt.Errorf("%s: %w: it is a directory: give --db a file name, such as %s", path, ErrNotDatabase, filepath.Join(path, "pftls.db"))
	}
	if !fi.Mode().IsRegular() {
		return true, fmt.Errorf("%s: %w: not a regular file (%s)", path, ErrNotDatabase, fi.Mode().Type())
	}
	if fi.Size() == 0 {
		return true, fmt.Errorf("%s: %w: the file is empty (a database 'pftls ingest' makes never is); pftls leaves it alone: remove it and run 'pftls ingest', or give --db another path", path, ErrNotDatabase)
	}
	f, err := os.Open(path)
	if err != nil {
		return true, fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	var hdr [100]byte
	n, err := io.ReadFull(f, hdr[:])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return true, fmt.Errorf("%s: read header: %w", path, err)
	}
	if n < len(hdr) || string(hdr[:len(sqliteMagic)]) != sqliteMagic {
		head := string(hdr[:min(n, 40)])
		return true, fmt.Errorf("%s: %w: not an SQLite file (it begins %q): is --db pointing at a log? pftls leaves it alone", path, ErrNotDatabase, head)
	}
	appID := binary.BigEndian.Uint32(hdr[68:72])
	version := binary.BigEndian.Uint32(hdr[60:64])
	switch {
	case appID == ApplicationID:
		return true, nil
	case appID != 0:
		return true, fmt.Errorf("%s: %w: an SQLite database of another program (application_id %#x); pftls leaves it alone", path, ErrNotDatabase, appID)
	case int(version) > SchemaVersion:
		return true, nil // Open says a newer pftls wrote it
	}
	// No mark: a database of a pftls from before the mark, or another
	// program's. Ask SQLite (which also reads the WAL) for the schema.
	return true, identifyUnmarked(ctx, path)
}

// identifyUnmarked accepts a database without pftls's application_id when
// its schema is pftls's: a version and the sources and correlator_state
// tables.
func identifyUnmarked(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", "file:"+escapeDSNPath(path)+"?mode=ro&_busy_timeout=10000")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer db.Close()
	var appID, version, tables int
	err = db.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID)
	if err == nil {
		err = db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version)
	}
	if err == nil {
		err = db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('sources', 'correlator_state')").Scan(&tables)
	}
	if err != nil {
		return fmt.Errorf("%s: %w: cannot read it as an SQLite database (%v); pftls leaves it alone: if it is a damaged pftls database, move it away by hand and run 'pftls ingest' on the logs", path, ErrNotDatabase, err)
	}
	if appID == ApplicationID || version > 0 && tables == 2 {
		return nil
	}
	what := "an SQLite database without pftls's tables"
	if version == 0 && tables == 0 && !hasTables(ctx, db) {
		what = "an empty SQLite database not made by pftls"
	}
	return fmt.Errorf("%s: %w: %s; pftls leaves it alone: give --db another path", path, ErrNotDatabase, what)
}

func hasTables(ctx context.Context, db *sql.DB) bool {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		return true
	}
	return n > 0
}

package aggregate

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// UndoRollupsStep makes the database at path what pftls wrote before
// its rollups step (appended as step 11, after the smtpd time and open
// state steps it was written beside): the step only adds tables and
// indexes, so dropping them and setting the version back gives a database
// of the pftls before rollups, with the facts it stored.
func UndoRollupsStep(ctx context.Context, path string) error {
	if err := UndoCompactStep(ctx, path); err != nil {
		return err
	}
	return execSQL(ctx, path,
		"DROP TABLE rollup_delivered", "DROP TABLE rollup_recipients", "DROP TABLE rollup_last_good", "DROP TABLE facts_pruned",
		"DROP INDEX attempts_problems", "DROP INDEX attempts_delivered_message", "DROP INDEX attempts_delivered_foldable", "DROP INDEX messages_last_seen",
		"PRAGMA user_version = "+strconv.Itoa(slices.Index(migrations, schemaRollups)),
	)
}

// UndoCompactStep makes the database at path what pftls wrote before the
// compact encoding (schema step 12, dict.go): the four tables it rebuilt
// get the declarations and indexes of the steps before it back, with
// every dictionary id replaced by its text and every delay in hundredths
// by its seconds, the dictionary goes and the version is set back.
func UndoCompactStep(ctx context.Context, path string) error {
	if err := UndoMessagesEndedStep(ctx, path); err != nil {
		return err
	}
	step := slices.Index(migrations, schemaCompact)
	// The tables and indexes as the steps before made them.
	scratch, err := sql.Open("sqlite3", "file::memory:")
	if err != nil {
		return err
	}
	defer scratch.Close()
	scratch.SetMaxOpenConns(1)
	for i, q := range migrations[:step] {
		if _, err := scratch.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
	}
	db, err := sql.Open("sqlite3", "file:"+escapeDSNPath(path))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, table := range []string{"attempts", "tls_failures", "rejects", "warnings", "session_counts"} {
		var create string
		if err := scratch.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", table).Scan(&create); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		var indexes []string
		rows, err := scratch.QueryContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", table)
		if err != nil {
			return err
		}
		for rows.Next() {
			var q string
			if err := rows.Scan(&q); err != nil {
				return err
			}
			indexes = append(indexes, q)
		}
		rows.Close()
		var cols []string
		rows, err = db.QueryContext(ctx, "SELECT name, type FROM pragma_table_info(?)", table)
		if err != nil {
			return err
		}
		for rows.Next() {
			var name, typ string
			if err := rows.Scan(&name, &typ); err != nil {
				return err
			}
			switch {
			case typ != "":
				cols = append(cols, name)
			case strings.HasPrefix(name, "delay"):
				cols = append(cols, fmt.Sprintf("CASE WHEN typeof(%[1]s) = 'integer' THEN %[1]s / 100.0 ELSE %[1]s END", name))
			default:
				cols = append(cols, fmt.Sprintf("CASE WHEN typeof(c.%[1]s) = 'integer' THEN (SELECT d.text FROM dictionary AS d WHERE d.id = c.%[1]s) ELSE c.%[1]s END", name))
			}
		}
		rows.Close()
		qs := []string{"ALTER TABLE " + table + " RENAME TO compact_" + table, create,
			"INSERT INTO " + table + " SELECT " + strings.Join(cols, ", ") + " FROM compact_" + table + " AS c",
			"DROP TABLE compact_" + table}
		for _, q := range append(qs, indexes...) {
			if _, err := db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
	}
	for _, q := range []string{"DROP TABLE dictionary", "PRAGMA user_version = " + strconv.Itoa(step)} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// UndoMessagesEndedStep makes the database at path what pftls wrote before
// schema step 13 (store.go): the index of every message's last_seen back
// in place of the one of the messages that ended.
func UndoMessagesEndedStep(ctx context.Context, path string) error {
	if err := UndoLineMinutesStep(ctx, path); err != nil {
		return err
	}
	return execSQL(ctx, path,
		"DROP INDEX messages_ended", "CREATE INDEX messages_last_seen ON messages(last_seen)",
		"PRAGMA user_version = "+strconv.Itoa(slices.Index(migrations, schemaMessagesEnded)),
	)
}

// UndoLineMinutesStep makes the database at path what pftls wrote before
// schema step 14 (store.go): the lines counted by the hour, as the sums of
// the minutes counted.
func UndoLineMinutesStep(ctx context.Context, path string) error {
	if err := UndoGapsStep(ctx, path); err != nil {
		return err
	}
	return execSQL(ctx, path,
		`CREATE TABLE line_counts_by_hour (
			host  TEXT    NOT NULL,
			hour  INTEGER NOT NULL,
			kind  TEXT    NOT NULL,
			count INTEGER NOT NULL,
			PRIMARY KEY (host, hour, kind)
		) WITHOUT ROWID`,
		"INSERT INTO line_counts_by_hour SELECT host, minute / 60, kind, SUM(count) FROM line_counts GROUP BY host, minute / 60, kind",
		"DROP TABLE line_counts", "ALTER TABLE line_counts_by_hour RENAME TO line_counts",
		"PRAGMA user_version = "+strconv.Itoa(slices.Index(migrations, schemaLineMinutes)),
	)
}

// UndoGapsStep makes the database at path what pftls wrote before schema
// step 15 (gaps.go): no gaps, and the sources without the stamp of their
// newest line read.
func UndoGapsStep(ctx context.Context, path string) error {
	return execSQL(ctx, path,
		"DROP TABLE log_gaps", "ALTER TABLE sources DROP COLUMN last_line",
		"PRAGMA user_version = "+strconv.Itoa(slices.Index(migrations, schemaGaps)),
	)
}

// execSQL runs the statements on the database at path, in order, stopping
// at the first that fails: the steps of an Undo function.
func execSQL(ctx context.Context, path string, statements ...string) error {
	db, err := sql.Open("sqlite3", "file:"+escapeDSNPath(path))
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range statements {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

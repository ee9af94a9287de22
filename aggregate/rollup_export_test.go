package aggregate

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
)

// UndoRollupsStep makes the database at path what pftls wrote before
// its rollups step (appended as step 11, after the smtpd time and open
// state steps it was written beside): the step only adds tables and
// indexes, so dropping them and setting the version back gives a database
// of the pftls before rollups, with the facts it stored.
func UndoRollupsStep(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", "file:"+escapeDSNPath(path))
	if err != nil {
		return err
	}
	defer db.Close()
	for _, q := range []string{
		"DROP TABLE rollup_delivered", "DROP TABLE rollup_recipients", "DROP TABLE rollup_last_good", "DROP TABLE facts_pruned",
		"DROP INDEX attempts_problems", "DROP INDEX attempts_delivered_message", "DROP INDEX attempts_delivered_foldable", "DROP INDEX messages_last_seen",
		"PRAGMA user_version = " + strconv.Itoa(slices.Index(migrations, schemaRollups)),
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

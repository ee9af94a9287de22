package aggregate_test

import (
	"path/filepath"
	"testing"

	"github.com/pftls/pftls/aggregate"
)

// TestMessagesEndedStepUpgradesOldDatabase: a database of schema 12, with
// the index of every message's last_seen, gets the index of the messages
// that ended in its place when a writer opens it, and its reports are
// those of a database made at the current schema.
func TestMessagesEndedStepUpgradesOldDatabase(t *testing.T) {
	fresh, old := upgradedBeside(t, "../report/testdata/multi-hour-2hosts.log.gz", aggregate.UndoMessagesEndedStep)
	const indexes = `SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema
		WHERE type = 'index' AND tbl_name = 'messages' AND sql IS NOT NULL ORDER BY name)`
	for _, path := range []string{fresh, old} {
		var got string
		if err := openSQL(t, path).QueryRow(indexes).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if want := "messages_ended"; got != want {
			t.Errorf("%s: the indexes of messages are %q, want %q", filepath.Base(path), got, want)
		}
	}
	sameReports(t, fresh, old)
}

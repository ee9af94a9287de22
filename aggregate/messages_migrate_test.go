package aggregate_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// TestMessagesEndedStepUpgradesOldDatabase: a database of schema 12, with
// the index of every message's last_seen, gets the index of the messages
// that ended in its place when a writer opens it, and its reports are
// those of a database made at the current schema.
func TestMessagesEndedStepUpgradesOldDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	const log = "../report/testdata/multi-hour-2hosts.log.gz"
	fresh, old := filepath.Join(dir, "fresh.db"), filepath.Join(dir, "old.db")
	ingestFile(t, fresh, log)
	ingestFile(t, old, log)
	if err := aggregate.UndoMessagesEndedStep(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := aggregate.Open(ctx, old, aggregate.OpenOptions{ReadOnly: true}); err == nil {
		t.Fatal("a reader opened the schema-12 database: the test did not make an old database")
	}
	st, err := aggregate.Open(ctx, old, aggregate.OpenOptions{}) // migrates
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
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
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for _, w := range [][2]time.Time{
		{start, start.Add(6 * time.Hour)},
		{start.Add(time.Hour), start.Add(3 * time.Hour)},
		{start.Add(75 * time.Minute), start.Add(5*time.Hour + 10*time.Minute)},
	} {
		want, got := reportJSON(t, fresh, w[0], w[1]), reportJSON(t, old, w[0], w[1])
		if !bytes.Equal(want, got) {
			t.Errorf("[%v, %v): the upgraded database's report differs from the fresh one's", w[0], w[1])
		}
	}
}

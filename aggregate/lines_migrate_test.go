package aggregate_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
)

// TestLineMinutesStepUpgradesOldDatabase: a database of schema 13, which
// counted lines by the hour, keeps its counts when a writer opens it, as
// rows of an hour each: a window of whole hours counts the same lines as
// a database made at the current schema, and a window with ragged edges
// counts the whole hours of its edges, as it did before the step.
func TestLineMinutesStepUpgradesOldDatabase(t *testing.T) {
	fresh, old := upgradedBeside(t, "../report/testdata/multi-hour-2hosts.log.gz", aggregate.UndoLineMinutesStep)
	sameReports(t, fresh, old)
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	lines := func(path string, from, to time.Time) int64 {
		var r struct {
			Lines struct {
				Read int64 `json:"read"`
			} `json:"lines"`
		}
		if err := json.Unmarshal(reportJSON(t, path, from, to), &r); err != nil {
			t.Fatal(err)
		}
		return r.Lines.Read
	}
	hour := [2]time.Time{start.Add(time.Hour), start.Add(2 * time.Hour)}
	part := [2]time.Time{start.Add(time.Hour + 20*time.Minute), start.Add(time.Hour + 40*time.Minute)}
	whole, freshPart, oldPart := lines(fresh, hour[0], hour[1]), lines(fresh, part[0], part[1]), lines(old, part[0], part[1])
	if whole == 0 || freshPart == 0 || freshPart >= whole {
		t.Fatalf("the log's second hour has %d lines, %d of them in its middle third: the test needs a busier log", whole, freshPart)
	}
	if oldPart != whole {
		t.Errorf("the upgraded database counts %d lines in the middle of an hour counted whole, want the hour's %d", oldPart, whole)
	}
}

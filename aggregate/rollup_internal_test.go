package aggregate

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
)

// TestRolledUpRuleInSQL: the attempts the problems index holds are
// exactly those Attempt.RolledUp leaves out of the rollups, and the
// rollups sum exactly the others (per hour, host and domain).
func TestRolledUpRuleInSQL(t *testing.T) {
	s := memoryStore(t)
	var batch Batch
	var problems []string
	i := 0
	for _, status := range []logparse.Status{logparse.StatusSent, logparse.StatusDeferred, logparse.StatusBounced, "softbounce"} {
		for _, fwd := range []bool{false, true} {
			for _, failure := range []logparse.TLSFailureKind{"", logparse.TLSNotVerified} {
				i++
				a := Attempt{Time: time.Unix(int64(i)*1000, 0), Host: "mx", QueueID: fmt.Sprint("Q", i), Status: status,
					Forwarded: fwd, TLSFailure: failure, Domain: "example.org", Recipient: "a@example.org", Size: 100, Delay: 1.25}
				batch.Attempts = append(batch.Attempts, a)
				if !a.RolledUp() {
					problems = append(problems, a.QueueID)
				}
			}
		}
	}
	if err := s.Commit(context.Background(), &batch, nil, nil, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	got := queryStrings(t, s, `SELECT queue_id FROM attempts INDEXED BY attempts_problems
		WHERE (status != 'sent' OR forwarded != 0 OR tls_failure != '') ORDER BY time`)
	if !slices.Equal(got, problems) || len(problems) == 0 {
		t.Errorf("the problems index holds %v, RolledUp leaves out %v", got, problems)
	}
	plain := len(batch.Attempts) - len(problems)
	total := queryStrings(t, s, `SELECT SUM(n) || ' ' || SUM(bytes) || ' ' || SUM(delay_us) FROM rollup_delivered`)
	if w := fmt.Sprintf("%d %d %d", plain, 100*plain, 1250000*plain); len(total) != 1 || total[0] != w {
		t.Errorf("rollup_delivered sums %v, want %s", total, w)
	}
	recips := queryStrings(t, s, `SELECT SUM(n) || ' ' || SUM(bytes) FROM rollup_recipients`)
	if w := fmt.Sprintf("%d %d", plain, 100*plain); len(recips) != 1 || recips[0] != w {
		t.Errorf("rollup_recipients sums %v, want %s", recips, w)
	}
}

// TestSegments: a window is cut into whole hours the rollups may serve
// and the rest, which the facts serve.
func TestSegments(t *testing.T) {
	h := int64(time.Hour)
	all := func(time.Time) bool { return true }
	notSecond := func(t time.Time) bool { return t.Unix() != 3600*11 }
	for _, tc := range []struct {
		name     string
		from, to int64
		rollup   func(time.Time) bool
		want     []segment
	}{
		{"whole hours", 10 * h, 13 * h, all, []segment{{10 * h, 13 * h, true}}},
		{"ragged edges", 10*h + 5, 13*h + 7, all, []segment{{10*h + 5, 11 * h, false}, {11 * h, 13 * h, true}, {13 * h, 13*h + 7, false}}},
		{"inside one hour", 10*h + 5, 10*h + 9, all, []segment{{10*h + 5, 10*h + 9, false}}},
		{"across one boundary", 10*h + 5, 11*h + 9, all, []segment{{10*h + 5, 11*h + 9, false}}},
		{"an hour the zone splits", 10 * h, 13 * h, notSecond, []segment{{10 * h, 11 * h, true}, {11 * h, 12 * h, false}, {12 * h, 13 * h, true}}},
		{"none may", 10 * h, 12*h + 1, func(time.Time) bool { return false }, []segment{{10 * h, 12*h + 1, false}}},
	} {
		if got := segments(tc.from, tc.to, tc.rollup); fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: segments = %v, want %v", tc.name, got, tc.want)
		}
	}
}

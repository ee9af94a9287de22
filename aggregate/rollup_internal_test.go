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

// resolutionSink keeps the recipients of the resolutions ScanRollups
// reads.
type resolutionSink struct {
	nopSink
	got []string
}

func (r *resolutionSink) Resolution(a *Attempt)      { r.got = append(r.got, a.Recipient) }
func (r *resolutionSink) Delivered(*DeliveredGroup)  {}
func (r *resolutionSink) Recipients(*RecipientGroup) {}

// TestResolutionsCaseFolding: the deliveries that end a deferral are found
// whatever the case of the address, as the report's Go lower case matches
// them: ASCII case, non-ASCII addresses, and the two non-ASCII letters Go
// lower-cases to ASCII.
func TestResolutionsCaseFolding(t *testing.T) {
	s := memoryStore(t)
	hour := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var batch Batch
	for i, p := range [][2]string{
		{"Ann@example.org", "ann@example.org"},
		{"Ärger@example.org", "ärger@example.org"},
		{"kim@example.org", "\u212aim@example.org"},
		{"ida@example.org", "\u0130da@example.org"},
		{"bob@example.org", "carl@example.org"}, // another recipient: no resolution needed
	} {
		start := hour.Add(time.Duration(i) * time.Minute)
		qid := fmt.Sprint("Q", i)
		batch.Attempts = append(batch.Attempts,
			Attempt{Time: start.Add(time.Second), Host: "mx", QueueID: qid, MessageStart: start, Status: logparse.StatusDeferred,
				Recipient: p[0], Domain: "example.org"},
			Attempt{Time: start.Add(2 * time.Hour), Host: "mx", QueueID: qid, MessageStart: start, Status: logparse.StatusSent,
				Recipient: p[1], Domain: "example.org"})
	}
	if err := s.Commit(context.Background(), &batch, nil, nil, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	var sink resolutionSink
	all := func(time.Time) bool { return true }
	if err := s.ScanRollups(context.Background(), Query{From: hour, To: hour.Add(4 * time.Hour)}, all, &sink); err != nil {
		t.Fatal(err)
	}
	slices.Sort(sink.got)
	want := []string{"ann@example.org", "ärger@example.org", "\u0130da@example.org", "\u212aim@example.org"}
	slices.Sort(want)
	if !slices.Equal(sink.got, want) {
		t.Errorf("resolutions %q, want %q", sink.got, want)
	}
}

// TestResolutionsInBatches: the deliveries that end deferrals are the
// same whether the deferred recipients are probed for all at once or a
// few at a time (blobs of a limited size), in a window with ragged edges (segments the facts serve,
// which need no probe) and whole hours.
func TestResolutionsInBatches(t *testing.T) {
	s := memoryStore(t)
	hour := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	var batch Batch
	var keys []deferredRecipient
	var want []string
	for i := range 7 {
		start := hour.Add(time.Duration(i) * time.Minute)
		qid := fmt.Sprint("Q", i)
		rcpt := fmt.Sprintf("r%d@example.org", i)
		batch.Attempts = append(batch.Attempts,
			Attempt{Time: start.Add(time.Second), Host: "mx", QueueID: qid, MessageStart: start, Status: logparse.StatusDeferred,
				Recipient: rcpt, Domain: "example.org"},
			Attempt{Time: start.Add(time.Duration(1+i%3) * time.Hour), Host: "mx", QueueID: qid, MessageStart: start,
				Status: logparse.StatusSent, Recipient: rcpt, Domain: "example.org"})
		keys = append(keys, deferredRecipient{start.UnixNano(), rcpt})
		if i%3 < 2 { // delivered within the whole hours below
			want = append(want, rcpt)
		}
	}
	if err := s.Commit(context.Background(), &batch, nil, nil, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	h := int64(time.Hour)
	from := hour.UnixNano()
	segs := []segment{{from, from + h, false}, {from + h, from + 3*h, true}}
	// 1 byte: a recipient a query; 40: two; 64 KiB: all at once.
	for _, limit := range []int{1, 40, rowBufferLimit} {
		var got []string
		err := s.scanResolutions(context.Background(), slices.Clone(keys), limit, segs, "", func(a *Attempt) { got = append(got, a.Recipient) })
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("blobs of %d bytes: resolutions %q, want %q", limit, got, want)
		}
	}
}

// nopSink ignores every fact.
type nopSink struct{}

func (nopSink) Message(*Message)           {}
func (nopSink) Attempt(*Attempt)           {}
func (nopSink) TLSFailure(*TLSFailure)     {}
func (nopSink) Session(*Session)           {}
func (nopSink) SessionCount(*SessionCount) {}
func (nopSink) Reject(*Reject)             {}
func (nopSink) Warning(*Warning)           {}
func (nopSink) Unparsed(*Unparsed)         {}
func (nopSink) LineCount(*LineCount)       {}

package report

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// TestTimelineKeepsWhatAllEventsWouldShow: the timeline made from what the
// keepers kept is the one made by sorting every event and cutting out the
// middle, for streams of every length around the cut, with equal times
// within and across the two kinds.
func TestTimelineKeepsWhatAllEventsWouldShow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	stream := func(what string, n int) []TimelineEvent {
		out := make([]TimelineEvent, n)
		at := base
		for i := range out {
			at = at.Add(time.Duration(rng.IntN(3)) * time.Second) // ties within a kind
			out[i] = TimelineEvent{Time: at, What: what, Detail: what + strconv.Itoa(i)}
		}
		return out
	}
	lengths := []int{0, 1, 19, 20, 21, 39, 40, 41, 59, 60, 61, 200}
	for _, na := range lengths {
		for _, nf := range lengths {
			attempts, failures := stream("deferred", na), stream(timelineTLSFailure, nf)
			var ka, kf timelineKeeper
			for _, e := range attempts {
				ka.add(e)
			}
			for _, e := range failures {
				kf.add(e)
			}
			got, omitted := timeline(&ka, &kf)

			var all []TimelineEvent // nil when there are none, as before the keepers
			all = append(append(all, attempts...), failures...)
			sortTimeline(all)
			want, wantOmitted := all, 0
			if len(all) > maxTimeline {
				half := maxTimeline / 2
				wantOmitted = len(all) - maxTimeline
				want = append(all[:half:half], all[len(all)-half:]...)
			}
			if omitted != wantOmitted || !reflect.DeepEqual(got, want) {
				t.Errorf("%d attempts, %d failures: timeline of %d events (%d omitted), want %d (%d omitted)",
					na, nf, len(got), omitted, len(want), wantOmitted)
			}
		}
	}
}

package report

import (
	"fmt"
	"testing"
)

// TestDistinctCountsEachOnce: the count of distinct strings is exact
// across merges of the recent run into the sorted hashes, with repeats
// within a run, across runs, and a count asked for between adds.
func TestDistinctCountsEachOnce(t *testing.T) {
	cases := []struct {
		name  string
		adds  int // strings added, cycling over distinct names
		names int
	}{
		{"none", 0, 1},
		{"one repeated", 3, 1},
		{"below a run", distinctRun - 1, 1000},
		{"exactly a run", distinctRun, distinctRun},
		{"repeats across runs", 5 * distinctRun, distinctRun + 7},
		{"all distinct over runs", 3*distinctRun + 5, 3*distinctRun + 5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := newDistinct()
			seen := map[string]bool{}
			for i := range tc.adds {
				s := fmt.Sprintf("user%d@example.org", (i*7919)%tc.names)
				d.add(s)
				seen[s] = true
				if i == tc.adds/2 {
					if got, want := d.len(), int64(len(seen)); got != want {
						t.Fatalf("halfway: %d distinct, want %d", got, want)
					}
				}
			}
			if got, want := d.len(), int64(len(seen)); got != want {
				t.Errorf("%d distinct, want %d", got, want)
			}
		})
	}
}

func BenchmarkDistinctAdd(b *testing.B) {
	names := make([]string, 300_000)
	for i := range names {
		names[i] = fmt.Sprintf("sender%d@example%d.org", i, i%400)
	}
	b.ReportAllocs()
	d := newDistinct()
	for i := 0; b.Loop(); i++ {
		d.add(names[(i*31)%len(names)])
	}
	_ = d.len()
}

package report

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// referenceMaxMedian is the largest of the delays and their median, from
// a sorted copy of the float64s: what the report computed before delays
// were kept as hundredths.
func referenceMaxMedian(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	s := slices.Sorted(slices.Values(xs))
	mid := len(s) / 2
	if len(s)%2 == 0 {
		return s[len(s)-1], (s[mid-1] + s[mid]) / 2
	}
	return s[len(s)-1], s[mid]
}

// parsed reads delays as the parser does (strconv.ParseFloat of the log's
// text).
func parsed(t *testing.T, texts ...string) []float64 {
	t.Helper()
	var out []float64
	for _, s := range texts {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// TestDelaysMaxMedian: the maximum and median of delays kept as
// hundredths are those of the float64s, bit for bit, and a delay that is
// no whole number of hundredths (or too long for a uint32 of them) keeps
// the rest exact too.
func TestDelaysMaxMedian(t *testing.T) {
	for _, tc := range []struct {
		name   string
		delays []string
		mixed  bool
	}{
		{"none", nil, false},
		{"one", []string{"0.18"}, false},
		{"odd count", []string{"310", "0.01", "4.5", "86400.07", "0.1"}, false},
		{"even count: the mean of the middle two", []string{"0.07", "0.3", "0.1", "1.15"}, false},
		{"even count of whole seconds", []string{"3", "4"}, false},
		{"three decimals (delay_logging_resolution_limit=3)", []string{"0.5", "0.125", "7", "0.333"}, true},
		{"longer than a uint32 of hundredths", []string{"1.5", "50000000"}, true},
		{"the largest uint32 of hundredths", []string{"42949672.95", "0"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			xs := parsed(t, tc.delays...)
			var d delays
			for _, x := range xs {
				d.add(x)
			}
			if mixed := d.floats != nil; mixed != tc.mixed {
				t.Errorf("kept as floats: %v, want %v", mixed, tc.mixed)
			}
			gotMax, gotMed := d.maxMedian()
			wantMax, wantMed := referenceMaxMedian(xs)
			if math.Float64bits(gotMax) != math.Float64bits(wantMax) || math.Float64bits(gotMed) != math.Float64bits(wantMed) {
				t.Errorf("max, median = %v, %v; want %v, %v", gotMax, gotMed, wantMax, wantMed)
			}
		})
	}
}

// TestDelaysMaxMedianRandom compares many random two-decimal delays, as
// the parser reads them, with the float64 computation.
func TestDelaysMaxMedianRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 200 {
		var texts []string
		for range n {
			// Up to five days, as a deferred message's delays grow.
			texts = append(texts, strconv.FormatFloat(float64(r.IntN(432000*100))/100, 'f', 2, 64))
		}
		xs := parsed(t, texts...)
		var d delays
		for _, x := range xs {
			d.add(x)
		}
		if d.floats != nil {
			t.Fatalf("two-decimal delays kept as floats: %v", texts)
		}
		gotMax, gotMed := d.maxMedian()
		wantMax, wantMed := referenceMaxMedian(xs)
		if math.Float64bits(gotMax) != math.Float64bits(wantMax) || math.Float64bits(gotMed) != math.Float64bits(wantMed) {
			t.Fatalf("%d delays: max, median = %v, %v; want %v, %v", n, gotMax, gotMed, wantMax, wantMed)
		}
	}
}

package report

import (
	"math"
	"slices"

	"github.com/pftls/pftls/aggregate"
)

// delays keeps every deferral delay of a domain, for the exact median and
// maximum of its deferral row. A week of a busy server has millions of
// deferrals: as float64s they were the largest part of such a report's live
// heap (62 MB of 202 at 10M lines a day), and the median's sorted copy
// doubled it at the end.
//
// Postfix logs delays in hundredths of a second (unless
// delay_logging_resolution_limit says otherwise), so they are kept as
// uint32 hundredths, 4 bytes each and exact up to 497 days, as long as every
// delay is one (aggregate.Hundredths). The first that is not turns the
// domain's delays into float64s for good.
type delays struct {
	hundredths []uint32
	floats     []float64 // every delay, once one was not a uint32 of hundredths
	mixed      bool      // floats holds them
}

// add keeps delay v.
func (d *delays) add(v float64) {
	if !d.mixed {
		if c, ok := aggregate.Hundredths(v); ok && c >= 0 && c <= math.MaxUint32 {
			d.hundredths = append(d.hundredths, uint32(c))
			return
		}
		d.mixed = true
		d.floats = make([]float64, 0, len(d.hundredths)+1)
		for _, c := range d.hundredths {
			d.floats = append(d.floats, float64(c)/100)
		}
		d.hundredths = nil
	}
	d.floats = append(d.floats, v)
}

// maxMedian is the largest delay and the median (of an even count, the
// mean of the middle two); zero for none. It sorts the delays in place.
func (d *delays) maxMedian() (maxDelay, median float64) {
	if d.mixed {
		return maxMedian(d.floats)
	}
	h := d.hundredths
	if len(h) == 0 {
		return 0, 0
	}
	slices.Sort(h)
	mid := len(h) / 2
	median = float64(h[mid]) / 100
	if len(h)%2 == 0 {
		median = (float64(h[mid-1])/100 + median) / 2
	}
	return float64(h[len(h)-1]) / 100, median
}

// maxMedian is the largest of xs and their median (of an even count, the
// mean of the middle two); zero for none. It sorts xs in place.
func maxMedian(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	slices.Sort(xs)
	mid := len(xs) / 2
	med := xs[mid]
	if len(xs)%2 == 0 {
		med = (xs[mid-1] + xs[mid]) / 2
	}
	return xs[len(xs)-1], med
}

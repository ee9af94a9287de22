package report

import (
	"cmp"
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
// Postfix logs delays with two significant digits and at most two
// decimals (delay_logging_resolution_limit = 2, its default), so they are
// kept as uint32 hundredths of a second, 4 bytes each and exact up to 497
// days, as long as every delay is one (aggregate.Hundredths). The first
// that is not turns the domain's delays into float64s for good.
type delays struct {
	hundredths []uint32
	floats     []float64 // every delay, once one was not a uint32 of hundredths (then hundredths is nil)
}

// add keeps delay v.
func (d *delays) add(v float64) {
	if d.floats == nil {
		if c, ok := aggregate.Hundredths(v); ok && c >= 0 && c <= math.MaxUint32 {
			d.hundredths = append(d.hundredths, uint32(c))
			return
		}
		d.floats = make([]float64, 0, len(d.hundredths)+1)
		for _, c := range d.hundredths {
			d.floats = append(d.floats, fromHundredths(c))
		}
		d.hundredths = nil
	}
	d.floats = append(d.floats, v)
}

// fromHundredths is the delay of c hundredths of a second.
func fromHundredths(c uint32) float64 { return float64(c) / 100 }

// maxMedian is the largest delay and the median (of an even count, the
// mean of the middle two); zero for none. It sorts the delays in place.
func (d *delays) maxMedian() (maxDelay, median float64) {
	if d.floats != nil {
		return maxMedian(d.floats, func(v float64) float64 { return v })
	}
	return maxMedian(d.hundredths, fromHundredths)
}

// maxMedian is the largest of xs and their median (of an even count, the
// mean of the middle two) as the delays value gives them; zero for none.
// It sorts xs in place; value must keep their order.
func maxMedian[T cmp.Ordered](xs []T, value func(T) float64) (maxDelay, median float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	slices.Sort(xs)
	mid := len(xs) / 2
	median = value(xs[mid])
	if len(xs)%2 == 0 {
		median = (value(xs[mid-1]) + median) / 2
	}
	return value(xs[len(xs)-1]), median
}

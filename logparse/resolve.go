package logparse

import "time"

// Resolver turns a [Stamp] into a time.Time. Stamps with a UTC offset are
// exact. For the others the zone is Location (time.Local when nil), and the
// year, when the stamp has none, is Year if set, or else the year that puts
// the stamp at or before Reference (the file's modification time): a
// "Dec 31" line in a file last written on Jan 1 belongs to the year before.
type Resolver struct {
	Year      int
	Location  *time.Location
	Reference time.Time
}

// slack allows lines stamped a little after the reference time (clock skew
// between syslog writers, a file still being written).
const slack = 24 * time.Hour

// Time returns the instant the stamp stands for; in the hour that happens
// twice when clocks go back, the one time.Date picks (see Times).
func (r Resolver) Time(s Stamp) time.Time {
	if s.Zoned {
		loc := time.FixedZone("", s.OffsetSeconds)
		if s.OffsetSeconds == 0 {
			loc = time.UTC
		}
		return time.Date(s.Year, time.Month(s.Month), s.Day, s.Hour, s.Minute, s.Second, s.Nanos, loc)
	}
	loc := r.Location
	if loc == nil {
		loc = time.Local
	}
	year := s.Year
	if year == 0 {
		year = r.inferYear(s, loc)
	}
	return time.Date(year, time.Month(s.Month), s.Day, s.Hour, s.Minute, s.Second, s.Nanos, loc)
}

// Times returns the instants the stamp may stand for: two, an hour apart
// (or whatever the zone's change is), for a stamp without a UTC offset in
// the hour that happens twice when clocks go back; first == second for
// every other stamp. Which of the two a line is only the lines around it
// can tell (StampCache).
func (r Resolver) Times(s Stamp) (first, second time.Time) {
	t := r.Time(s)
	if s.Zoned {
		return t, t
	}
	return repeated(t)
}

func (r Resolver) inferYear(s Stamp, loc *time.Location) int {
	if r.Year != 0 {
		return r.Year
	}
	ref := r.Reference
	if ref.IsZero() {
		// No reference: the caller chose not to guess. Use a fixed year
		// so that output is reproducible rather than clock-dependent.
		return 1970
	}
	// From the year of the slack's end: a "Jan 1 00:00" line in a file
	// last written at "Dec 31 23:59" (clock skew, a writer's zone east of
	// the reader's) is of the next year.
	limit := ref.Add(slack)
	year := limit.In(loc).Year()
	for i := 0; i < 8; i++ {
		if s.Month == 2 && s.Day == 29 && !isLeap(year) {
			year--
			continue
		}
		t := time.Date(year, time.Month(s.Month), s.Day, s.Hour, s.Minute, s.Second, s.Nanos, loc)
		if !t.After(limit) {
			return year
		}
		year--
	}
	return year
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// StampCache resolves the stamps of one log's lines, in the order they
// were written, with a Resolver. It remembers the last one: consecutive log
// lines mostly share their stamp, and building the time again for each was
// a tenth of ingest's parsing cost.
//
// It also reads the hour that happens twice when clocks go back at the end
// of summer time: a stamp without a UTC offset (classic syslog) in that
// hour could be either, and time.Date picks one of them for all (in
// Europe the second), which left the hour of the other without a line ("is
// logging working?") and gave the next one two. A log is written in order,
// so such a stamp is the first pass of the hour until the lines before it
// have gone past it by more than repeatSlack, and the second from then on.
// Only timed lines (Line.Timed) are to be resolved: a line without a stamp
// of its own would stand for the wrong pass.
type StampCache struct {
	Resolver Resolver
	last     Stamp
	t        time.Time // the instant of the line before: last's, or Continue's
	ok       bool      // last and t are a stamp and its instant
}

// repeatSlack is how far a log's lines may run out of order (syslog
// writers' clocks, queued forwarding) in the hour that happens twice
// without being taken for its second pass.
const repeatSlack = 10 * time.Minute

// Continue says that the log's lines before the next one (read by an
// earlier run, or stored of the same host) end at t. It is for a cache
// that has resolved nothing yet (Resolved).
func (c *StampCache) Continue(t time.Time) { c.t = t }

// Resolved says whether the cache has resolved a stamp.
func (c *StampCache) Resolved() bool { return c.ok }

// Time returns the instant the stamp stands for.
func (c *StampCache) Time(s Stamp) time.Time {
	if c.ok && s == c.last {
		return c.t
	}
	t, second := c.Resolver.Times(s)
	if !second.Equal(t) && !c.t.IsZero() && c.t.After(t.Add(repeatSlack)) {
		t = second
	}
	c.last, c.t, c.ok = s, t, true
	return t
}

// repeated returns the instants t's wall clock stands for in t's location:
// two when clocks go back within a few hours of it and that reading
// happens twice, earlier first; t twice otherwise.
func repeated(t time.Time) (first, second time.Time) {
	_, before := t.Add(-6 * time.Hour).Zone()
	_, after := t.Add(6 * time.Hour).Zone()
	if before <= after {
		return t, t // no change, or clocks go forward: no hour twice
	}
	d := time.Duration(before-after) * time.Second
	for _, other := range []time.Time{t.Add(-d), t.Add(d)} {
		if sameWallClock(t, other) {
			if other.Before(t) {
				return other, t
			}
			return t, other
		}
	}
	return t, t
}

// sameWallClock says whether a and b read the same on a clock of their
// location (to the second: a zone changes by whole seconds).
func sameWallClock(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	ah, amin, as := a.Clock()
	bh, bmin, bs := b.Clock()
	return ay == by && am == bm && ad == bd && ah == bh && amin == bmin && as == bs
}

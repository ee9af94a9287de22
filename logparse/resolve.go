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

// Time returns the instant the stamp stands for.
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

// StampCache resolves stamps with a Resolver, remembering the last one:
// consecutive log lines mostly share their stamp, and building the time
// again for each was a tenth of ingest's parsing cost.
type StampCache struct {
	Resolver Resolver
	last     Stamp
	t        time.Time
	ok       bool
}

// Time is c.Resolver.Time(s).
func (c *StampCache) Time(s Stamp) time.Time {
	if !c.ok || s != c.last {
		c.last, c.t, c.ok = s, c.Resolver.Time(s), true
	}
	return c.t
}

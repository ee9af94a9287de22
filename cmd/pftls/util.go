package main

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// splitList turns "a,b, c" into a set.
func splitList(s string) map[string]bool {
	set := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			set[part] = true
		}
	}
	return set
}

// parseAge reads a duration that may use days ("90d", "1d12h") as well as
// Go's units ("36h").
func parseAge(s string) (time.Duration, error) {
	var days int
	rest := s
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, fmt.Errorf("bad duration %q", s)
		}
		days, rest = n, s[i+1:]
	}
	d := time.Duration(days) * 24 * time.Hour
	if rest != "" {
		more, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("bad duration %q (use e.g. 24h, 7d, 90m)", s)
		}
		d += more
	}
	if d <= 0 {
		return 0, fmt.Errorf("duration %q must be positive", s)
	}
	return d, nil
}

// flagSet reports whether the command line set the flag name.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

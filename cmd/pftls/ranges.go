package main

import (
	"flag"
	"fmt"
	"time"
)

// flagRange is the values a numeric flag accepts; every command that
// registers the flag checks it (parseFlags), so a value out of range is a
// usage error instead of a panic, a hang or a silent nonsense result
// (--top -3, --year 99999).
type flagRange struct {
	min, max int64 // for a duration: nanoseconds
	zeroOK   bool  // 0 means "the default" (--year: from the file's time)
	example  string
}

var flagRanges = map[string]flagRange{
	"year":            {min: 1970, max: 9999, zeroOK: true, example: "--year 2026"},
	"top":             {min: 0, max: 1_000_000, example: "--top 10"},
	"detail":          {min: 0, max: 1_000_000, example: "--detail 10"},
	"width":           {min: 20, max: 10_000, example: "--width 100"},
	"commit-every":    {min: 1, max: 100_000_000, example: "--commit-every 20000"},
	"alert-threshold": {min: 1, max: 1_000_000_000, example: "--alert-threshold 5"},
	"recent":          {min: 1, max: 1_000_000, example: "--recent 200"},
	"interval":        {min: int64(10 * time.Millisecond), max: int64(24 * time.Hour), example: "--interval 2s"},
	"window":          {min: int64(time.Second), max: int64(366 * 24 * time.Hour), example: "--window 15m"},
	"lock-wait":       {min: 0, max: int64(24 * time.Hour), example: "--lock-wait 30s"},
	// 0: no domain series (metricsDomains); more than a few thousand
	// series per family is more than a Prometheus should be asked to keep.
	"metrics-domains": {min: 0, max: 10_000, example: "--listen 127.0.0.1 --metrics-domains 20"},
	"queue-interval":  {min: int64(time.Second), max: int64(24 * time.Hour), example: "--listen 127.0.0.1 --queue auto --queue-interval 1m"},
}

// checkRanges checks the numeric flags fs has against flagRanges.
func checkRanges(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		r, ok := flagRanges[f.Name]
		if !ok || err != nil {
			return
		}
		g, ok := f.Value.(flag.Getter)
		if !ok {
			return
		}
		var v int64
		var show func(int64) string
		switch x := g.Get().(type) {
		case int:
			v, show = int64(x), func(n int64) string { return fmt.Sprint(n) }
		case time.Duration:
			v, show = int64(x), func(n int64) string { return time.Duration(n).String() }
		default:
			return
		}
		if r.zeroOK && v == 0 || v >= r.min && v <= r.max {
			return
		}
		err = usagef("pftls "+fs.Name()+" "+r.example, "--%s %s: out of range (%s to %s)", f.Name, f.Value.String(), show(r.min), show(r.max))
	})
	return err
}

package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
)

// defaultLogs are tried in order when no FILE is given.
var defaultLogs = []string{"/var/log/maillog", "/var/log/mail.log"}

// timeFlags are the flags that decide how year-less stamps are read.
type timeFlags struct {
	year int
	tz   string
}

func (t *timeFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&t.year, "year", 0, "year of year-less timestamps (default: inferred from each file's modification time)")
	fs.StringVar(&t.tz, "tz", "", "time zone of timestamps that carry none, e.g. Europe/Berlin or UTC (default: local)")
}

// location returns the zone for stamps without an offset.
func (t *timeFlags) location() (*time.Location, error) {
	if t.tz == "" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(t.tz)
	if err != nil {
		return nil, usagef("pftls help report", "--tz %q: %v", t.tz, err)
	}
	return loc, nil
}

// resolver returns the stamp resolver for one input whose last change was ref.
func (t *timeFlags) resolver(ref time.Time) (logparse.Resolver, error) {
	loc, err := t.location()
	if err != nil {
		return logparse.Resolver{}, err
	}
	return logparse.Resolver{Year: t.year, Location: loc, Reference: ref}, nil
}

// inputPaths returns the files to read, oldest first: the given ones, or the
// system's mail log when none is given.
func inputPaths(files []string) ([]string, error) {
	if len(files) == 0 {
		path, err := source.DefaultLog(defaultLogs)
		if err != nil {
			return nil, err
		}
		return []string{path}, nil
	}
	ordered, err := source.Order(files)
	if err != nil {
		return nil, fmt.Errorf("order inputs: %w", err)
	}
	return ordered, nil
}

// referenceTime is the time year-less stamps are placed before: the file's
// modification time, or now for standard input.
func referenceTime(id source.Identity, now func() time.Time) time.Time {
	if id.Path == "-" || id.ModTime.IsZero() {
		return now()
	}
	return id.ModTime
}

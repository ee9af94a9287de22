package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/logparse/source"
	"github.com/pftls/pftls/report"
)

// defaultLogs are tried in order when no FILE is given.
var defaultLogs = []string{"/var/log/maillog", "/var/log/mail.log"}

// timeFlags are the flags that decide how year-less stamps are read.
type timeFlags struct {
	year int
	tz   string
	loc  *time.Location // --tz loaded, by the first call of location
}

func (t *timeFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&t.year, "year", 0, "year of year-less timestamps (default: inferred from each file's modification time)")
	fs.StringVar(&t.tz, "tz", "", "time zone of timestamps that carry none, e.g. Europe/Berlin or UTC (default: local)")
}

// location returns the zone for stamps without an offset. The zone file
// is read once, however many inputs and steps ask.
func (t *timeFlags) location() (*time.Location, error) {
	if t.loc != nil {
		return t.loc, nil
	}
	if t.tz == "" {
		return time.Local, nil
	}
	loc, err := time.LoadLocation(t.tz)
	if err != nil {
		return nil, usagef("pftls help report", "--tz %q: %v", t.tz, err)
	}
	t.loc = loc
	return loc, nil
}

// resolvers returns what the pump needs to read each input's stamps: the
// --year and --tz flags, and the input's modification time (now, from
// clock, for standard input) as the reference for year-less stamps.
func (t *timeFlags) resolvers(clock func() time.Time) (func(source.Identity) logparse.Resolver, error) {
	loc, err := t.location()
	if err != nil {
		return nil, err
	}
	return func(id source.Identity) logparse.Resolver {
		return logparse.Resolver{Year: t.year, Location: loc, Reference: referenceTime(id, clock)}
	}, nil
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

// inputFormat is --input-format: the envelope every line is read as, or
// "auto" (the default) to find it per line. An unknown name is a usage
// error when the flag is parsed.
type inputFormat struct{ f logparse.Format }

// registerInputFormat adds --input-format to a command that reads FILEs.
func registerInputFormat(fs *flag.FlagSet, f *inputFormat) {
	fs.Var(f, "input-format", "read every line as this envelope: auto (find it per line), "+formatNames())
}

func (f *inputFormat) String() string {
	if f == nil || f.f == logparse.FormatAuto {
		return "auto"
	}
	return string(f.f)
}

func (f *inputFormat) Set(s string) error {
	if s == "auto" {
		f.f = logparse.FormatAuto
		return nil
	}
	for _, known := range logparse.Formats {
		if s == string(known) {
			f.f = known
			return nil
		}
	}
	return fmt.Errorf("unknown input format %q (want auto, %s)", s, formatNames())
}

// Format is the format chosen (logparse.FormatAuto by default).
func (f *inputFormat) Format() logparse.Format { return f.f }

// formatNames lists the names --input-format takes besides auto.
func formatNames() string {
	names := make([]string, len(logparse.Formats))
	for i, f := range logparse.Formats {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// journalFlags are --journal, --unit and --journalctl (and for tail
// --follow): reading the systemd journal through journalctl.
type journalFlags struct {
	on         bool
	units      unitList
	journalctl string
	follow     bool
}

// unitList is the repeatable --unit flag.
type unitList []string

func (u *unitList) String() string     { return strings.Join(*u, ",") }
func (u *unitList) Set(s string) error { *u = append(*u, s); return nil }

func (j *journalFlags) register(fs *flag.FlagSet, follow bool) {
	fs.BoolVar(&j.on, "journal", false, "read Postfix's entries from the systemd journal (journalctl -o json), continuing after the last entry stored")
	fs.Var(&j.units, "unit", "with --journal: a unit (glob) to read, repeatable (default: "+strings.Join(source.DefaultJournalUnits, " and ")+")")
	fs.StringVar(&j.journalctl, "journalctl", "journalctl", "with --journal: the journalctl program")
	if follow {
		fs.BoolVar(&j.follow, "follow", false, "with --journal: wait for new entries (journalctl -f)")
		fs.BoolVar(&j.follow, "f", false, "short for --follow")
	}
}

// check refuses the journal flags without --journal: a flag accepted and
// ignored would be a lie.
func (j *journalFlags) check(cmd string) error {
	if j.on {
		return nil
	}
	if len(j.units) > 0 || j.journalctl != "journalctl" || j.follow {
		return usagef("pftls "+cmd+" --journal --unit postfix.service", "--unit, --journalctl and --follow read the journal: add --journal")
	}
	return nil
}

// source is the journal source the flags describe, nil without --journal;
// atEnd starts it at the journal's end (tail --no-db: nothing is stored,
// so there is no cursor to start after).
func (j *journalFlags) source(atEnd bool) *source.Journal {
	if j == nil || !j.on {
		return nil
	}
	return source.NewJournal(source.JournalOptions{Command: j.journalctl, Units: j.units, Follow: j.follow, AtEnd: atEnd})
}

// rotatedCopies is pump.RotatedBefore for a command: the rotated copies of
// path to finish first. When the log read last time from path was rotated
// away (none of the copies is it), the gap it leaves is recorded in the
// database, so that every report over its time says that lines are
// missing, and returned: ingest fails with it (gapError), report and
// tail say it and go on with what there is.
func rotatedCopies(ctx context.Context, pump *aggregate.Pump, path string) ([]string, *aggregate.Gap, error) {
	rotated, err := pump.RotatedBefore(ctx, path)
	var away *aggregate.RotatedAwayError
	if !errors.As(err, &away) {
		return rotated, nil, err
	}
	if err := pump.Store.RecordGap(ctx, away.Gap); err != nil {
		return nil, nil, err
	}
	return nil, &away.Gap, nil
}

// gapWords say which lines of a log rotated away are missing, in the
// words of the report's alert (report.GapRow.Words), times in zone, fit
// for a terminal.
func gapWords(g *aggregate.Gap, zone *time.Location) string {
	row := report.GapRowOf(*g)
	return report.TerminalSafe(row.Words(zone))
}

// warnGap says on w (standard error) that command cmd found a log rotated
// away, for the commands that go on with what there is.
func warnGap(w io.Writer, cmd string, g *aggregate.Gap, zone *time.Location) {
	fmt.Fprintf(w, "pftls %s: warning: %s\n", cmd, gapWords(g, zone))
}

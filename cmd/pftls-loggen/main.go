// Command pftls-loggen writes a synthetic Postfix 3.7 log for benchmarks:
// interleaved smtpd, submission, pickup, cleanup, qmgr, smtp, local, error
// and bounce processes of one or several hosts, with TLS successes and every
// failure kind pftls reports, retries of deferred mail, bounces, expiries,
// delay and non-delivery notifications, NOQUEUE rejects and warnings.
//
// Every line has the shape of a real Postfix 3.7.11 line (see
// testdata/corpus/corpus-a.log); only the names, addresses and numbers are
// made up. The output depends only on the flags: the same -seed, -lines,
// -hosts and window give the same bytes.
//
//	go run ./cmd/pftls-loggen -lines 1000000 -end 2026-03-02T06:00:00Z -o /tmp/mail.log
//
// With -o, the file's modification time is set to the last line's stamp, as
// a real log's would be, so year-less stamps resolve to the right year.
//
// -mix tls-heavy writes an outbound relay's log instead (mix.go).
// "pftls-loggen replay" appends a log's lines to another at a steady rate
// (replay.go), for the tail burst of scripts/bench.sh.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command; it returns the exit status (0 ok, 2 usage or
// output error).
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "replay" {
		return runReplay(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("pftls-loggen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: pftls-loggen [-lines N] [-seed S] [-hosts H] [-mix default|tls-heavy] [-span 24h] [-start T | -end T] [-o FILE]")
		fmt.Fprintln(stderr, "       pftls-loggen replay [-rate 100000] [-for 10s] [-skip N] SRC DST   (append SRC's lines to DST at a rate)")
		fs.PrintDefaults()
	}
	var cfg Config
	fs.Int64Var(&cfg.Lines, "lines", 100000, "number of lines to write")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "random seed: the same seed and flags give the same bytes")
	fs.IntVar(&cfg.Hosts, "hosts", 1, "number of Postfix hosts interleaved in one file (central log server)")
	fs.IntVar(&cfg.Domains, "domains", 400, "number of remote recipient domains")
	span := fs.Duration("span", 24*time.Hour, "time covered by the log")
	start := fs.String("start", "", "time of the first line (RFC 3339 or 2006-01-02[T15:04]); default -end minus -span")
	end := fs.String("end", "", "time of the last line (RFC 3339 or 2006-01-02[T15:04]); default now, truncated to the hour")
	fs.DurationVar(&cfg.QueueLifetime, "queue-lifetime", 0, "maximal_queue_lifetime of the simulated hosts (default span/5, at most 5 days)")
	tz := fs.String("tz", "UTC", "zone the stamps are written in (UTC, Local, Europe/Berlin, ...)")
	fs.StringVar(&cfg.Stamp, "stamp", "syslog", "stamp format: syslog (Mar  7 16:05:12) or rfc3339 (rsyslog high precision)")
	fs.StringVar(&cfg.Mix, "mix", MixDefault, "what the hosts do: "+MixDefault+" (inbound, submission and outbound mail) or "+MixTLSHeavy+
		" (an outbound relay: a third of the lines from smtp, about 10% of its deliveries failing TLS, retried until they expire, several MX hosts per domain)")
	out := fs.String("o", "-", "output file (- for standard output)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "pftls-loggen: unexpected argument %q\nTry: pftls-loggen -lines 1000 -o /tmp/mail.log\n", fs.Arg(0))
		return 2
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		fmt.Fprintf(stderr, "pftls-loggen: -tz %q: %v\n", *tz, err)
		return 2
	}
	cfg.Location = loc
	if err := cfg.window(*start, *end, *span, time.Now()); err != nil {
		fmt.Fprintf(stderr, "pftls-loggen: %v\nTry: pftls-loggen -end 2026-03-02T06:00:00Z -span 24h\n", err)
		return 2
	}
	if err := cfg.check(); err != nil {
		fmt.Fprintf(stderr, "pftls-loggen: %v\n", err)
		return 2
	}

	w := stdout
	var f *os.File
	if *out != "-" {
		f, err = os.Create(*out)
		if err != nil {
			fmt.Fprintf(stderr, "pftls-loggen: %v\n", err)
			return 2
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	st, err := Generate(bw, cfg)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil && f != nil {
		err = f.Close()
		if err == nil {
			err = os.Chtimes(*out, st.Last, st.Last)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "pftls-loggen: write %s: %v\n", *out, err)
		return 2
	}
	fmt.Fprintf(stderr, "pftls-loggen: %d lines, %d messages, %s .. %s\n",
		st.Lines, st.Messages, st.First.UTC().Format(time.RFC3339), st.Last.UTC().Format(time.RFC3339))
	return 0
}

// window sets Start and End from the flags.
func (c *Config) window(start, end string, span time.Duration, now time.Time) error {
	if span <= 0 {
		return fmt.Errorf("-span %s: must be positive", span)
	}
	var err error
	switch {
	case start != "" && end != "":
		if c.Start, err = parseWhen(start, c.Location); err != nil {
			return fmt.Errorf("-start: %w", err)
		}
		if c.End, err = parseWhen(end, c.Location); err != nil {
			return fmt.Errorf("-end: %w", err)
		}
	case start != "":
		if c.Start, err = parseWhen(start, c.Location); err != nil {
			return fmt.Errorf("-start: %w", err)
		}
		c.End = c.Start.Add(span)
	default:
		c.End = now.Truncate(time.Hour)
		if end != "" {
			if c.End, err = parseWhen(end, c.Location); err != nil {
				return fmt.Errorf("-end: %w", err)
			}
		}
		c.Start = c.End.Add(-span)
	}
	if !c.End.After(c.Start) {
		return fmt.Errorf("the end (%s) must be after the start (%s)", c.End.Format(time.RFC3339), c.Start.Format(time.RFC3339))
	}
	return nil
}

func parseWhen(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time (use RFC 3339 or 2006-01-02T15:04)", s)
}

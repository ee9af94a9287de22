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

// runReplay is "pftls-loggen replay": it appends the lines of a log to
// another at a steady rate, as a syslog daemon writes a busy server's
// mail log, for scripts/bench.sh's tail burst. It writes once per 10 ms
// slice. At the end it prints, on standard output, one line a script can
// read:
//
//	lines=N start_ns=T0 stop_ns=T1 behind_ms=B
//
// T0 and T1 are the Unix times (ns) of the first and last write; B is how
// far the writer itself fell behind its schedule (a busy machine).
func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("pftls-loggen replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: pftls-loggen replay [-rate 100000] [-for 10s] [-skip N] SRC DST")
		fs.PrintDefaults()
	}
	rate := fs.Int("rate", 100000, "lines per second")
	dur := fs.Duration("for", 10*time.Second, "how long to write (SRC may end sooner)")
	skip := fs.Int64("skip", 0, "lines of SRC to leave out first (already in DST)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 2 || *rate <= 0 || *dur <= 0 || *skip < 0 {
		fmt.Fprintln(stderr, "pftls-loggen replay: want SRC and DST, a positive -rate and -for\nTry: pftls-loggen replay -rate 100000 -for 10s burst.log /tmp/mail.log")
		return 2
	}
	st, err := replay(fs.Arg(0), fs.Arg(1), *rate, *dur, *skip)
	if err != nil {
		fmt.Fprintf(stderr, "pftls-loggen replay: %v\n", err)
		return 2
	}
	fmt.Fprintf(stdout, "lines=%d start_ns=%d stop_ns=%d behind_ms=%d\n", st.lines, st.start.UnixNano(), st.stop.UnixNano(), st.behind.Milliseconds())
	return 0
}

type replayStats struct {
	lines       int64
	start, stop time.Time
	behind      time.Duration
}

// replaySlice is how often the writer writes.
const replaySlice = 10 * time.Millisecond

func replay(src, dst string, rate int, dur time.Duration, skip int64) (replayStats, error) {
	var st replayStats
	in, err := os.Open(src)
	if err != nil {
		return st, err
	}
	defer in.Close()
	rd := bufio.NewReaderSize(in, 1<<20)
	for i := int64(0); i < skip; i++ {
		if _, err := rd.ReadSlice('\n'); err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return st, fmt.Errorf("skip %d lines of %s: %w", skip, src, err)
		}
	}
	out, err := os.OpenFile(dst, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return st, err
	}
	per := max(rate*int(replaySlice)/int(time.Second), 1)
	slices := int(dur / replaySlice)
	buf := make([]byte, 0, 1<<20)
	st.start = time.Now()
	for k := 0; k < slices; k++ {
		due := st.start.Add(time.Duration(k) * replaySlice)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		} else {
			st.behind = max(st.behind, -wait)
		}
		buf = buf[:0]
		n, end := 0, false
		for ; n < per; n++ {
			l, err := rd.ReadSlice('\n')
			if err != nil {
				if errors.Is(err, io.EOF) {
					end = true
					break
				}
				out.Close()
				return st, fmt.Errorf("read %s: %w", src, err)
			}
			buf = append(buf, l...)
		}
		if _, err := out.Write(buf); err != nil {
			out.Close()
			return st, fmt.Errorf("write %s: %w", dst, err)
		}
		st.lines += int64(n)
		st.stop = time.Now()
		if end {
			break
		}
	}
	return st, out.Close()
}

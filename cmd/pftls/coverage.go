package main

import (
	"fmt"
	"strings"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/report"
)

// checkCoverage returns an input error for the first file read that is
// not a Postfix log pftls can read (no Postfix lines at all, or most lines
// not understood): a report over it would be silently wrong. An empty
// file is no error: a quiet log. Ingest stores what it read first, then
// says, as an input error, which file it could not read: a cron job must
// not take it for a quiet day.
func checkCoverage(results []aggregate.FileResult) error {
	for i := range results {
		if err := coverageError(results[i].Path, &results[i].Coverage); err != nil {
			return err
		}
	}
	return nil
}

// coverageError says why the file at path cannot be read as a Postfix log,
// or returns nil when it can:
//
//	/etc/services: 0 of 365 lines are Postfix log lines (no syslog envelope; first: "tcpmux 1/tcp ...")
func coverageError(path string, c *aggregate.Coverage) error {
	if !c.Unreadable() {
		return nil
	}
	path = report.TerminalSafe(path)
	if comp := c.Compression(); comp != "" {
		if strings.HasSuffix(comp, "-compressed") {
			return fmt.Errorf("%s: %s: decompress it first (pftls reads gzip, bzip2 and zstd itself)", path, comp)
		}
		return fmt.Errorf("%s: %s, not a log", path, comp)
	}
	var b strings.Builder
	var why []string
	switch {
	case c.LooksBare():
		fmt.Fprintf(&b, "%s: %d of %d lines are Postfix messages without time or host, as `journalctl -o cat` writes them: "+
			"they cannot be placed in time; use `journalctl -o json` or `journalctl -o short-iso`", path, c.Bare, c.Lines)
	case c.Postfix == 0:
		fmt.Fprintf(&b, "%s: 0 of %d lines are Postfix log lines", path, c.Lines)
	default:
		fmt.Fprintf(&b, "%s: %d of %d lines are not understood", path, c.NotUnderstood(), c.Lines)
	}
	switch {
	case c.LooksBare():
	case c.Foreign > 0 && c.Malformed == 0 && c.Unparsed == 0:
		why = append(why, fmt.Sprintf("all %d from other programs; format guessed: %s", c.Foreign, c.Guess()))
	case c.Guess() != "":
		why = append(why, "format guessed: "+string(c.Guess()))
	default:
		why = append(why, "no syslog envelope")
	}
	if ex := c.Example(); ex != "" {
		why = append(why, `first: "`+exampleLine(ex)+`"`)
	}
	fmt.Fprintf(&b, " (%s)", strings.Join(why, "; "))
	return inputError{b.String()}
}

// inputError is input pftls cannot read: exit status 2.
type inputError struct{ msg string }

func (e inputError) Error() string { return e.msg }

// exampleLine is a log line made fit for a one-line message on a
// terminal: blanks collapsed, controls replaced, cut at 60 characters.
func exampleLine(s string) string {
	s = report.TerminalSafe(strings.Join(strings.Fields(s), " "))
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "..."
	}
	return s
}

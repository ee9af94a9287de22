package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

// Exit codes, documented in the README.
const (
	exitOK       = 0 // success
	exitProblems = 1 // problems found, when asked with --fail-on
	exitUsage    = 2 // usage error, unreadable input, broken database
)

// env is what every command gets from the process: its streams and a way to
// know whether a stream is a terminal.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	now            func() time.Time
}

// command is one sub-command: a name, a one-line summary and a runner.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"report", "summarise deferrals, bounces and TLS per domain", runReport},
		{"ingest", "read logs into the database (idempotent, resumable)", runIngest},
		{"tail", "follow a log live: failures per domain as they happen", runTail},
		{"explain", "explain one destination domain: TLS sessions, failures, diagnosis, timeline", runExplain},
		{"parse", "print how pftls reads each log line, as JSON lines", runParse},
		{"tlsrpt", "write (and send) RFC 8460 TLS reports of a day, per policy domain", runTLSRPT},
		{"prune", "delete stored data older than a given age", runPrune},
		{"completion", "print a shell completion script: bash, zsh or fish", runCompletion},
		{"version", "print the version", runVersion},
		{"help", "show help for a command", nil},
		// Hidden (no summary): for packaging and the completion scripts.
		{"man", "", runMan},
		{"complete-domains", "", runCompleteDomains},
	}
}

// usageError is a mistake in the command line; it carries a hint.
type usageError struct {
	msg  string
	hint string
}

func (u *usageError) Error() string { return u.msg }

func usagef(hint, format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...), hint: hint}
}

// run is the whole program: it returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	now, err := clock(os.Getenv("PFTLS_NOW"))
	if err != nil {
		fmt.Fprintf(stderr, "pftls: %v\n", err)
		return exitUsage
	}
	e := env{stdin: stdin, stdout: stdout, stderr: stderr, now: now}
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "-h", "--help", "-help":
		printUsage(stdout)
		return exitOK
	case "help":
		if len(args) > 1 {
			return helpFor(e, args[1])
		}
		printUsage(stdout)
		return exitOK
	case "-v", "--version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name != name || c.run == nil {
			continue
		}
		err := c.run(ctx, e, args[1:])
		return exitCode(e, name, err)
	}
	fmt.Fprintf(stderr, "pftls: unknown command %q\nTry: pftls --help\n", name)
	return exitUsage
}

// clock returns the current time, or the fixed time in $PFTLS_NOW (RFC 3339),
// which makes "--since 24h" and "--day yesterday" reproducible: re-create
// a past day's report, or test a cron line against an old log.
func clock(fixed string) (func() time.Time, error) {
	if fixed == "" {
		return time.Now, nil
	}
	t, err := time.Parse(time.RFC3339, fixed)
	if err != nil {
		return nil, fmt.Errorf("PFTLS_NOW=%q: want an RFC 3339 time such as 2026-03-01T06:00:00Z", fixed)
	}
	return func() time.Time { return t }, nil
}

// errProblems is returned by a command that ran fine but found problems the
// user asked to be told about with an exit status.
var errProblems = errors.New("problems found")

func exitCode(e env, name string, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if errors.Is(err, errProblems) {
		return exitProblems
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "pftls %s: %s\n", name, ue.msg)
		if ue.hint != "" {
			fmt.Fprintf(e.stderr, "Try: %s\n", ue.hint)
		}
		return exitUsage
	}
	fmt.Fprintf(e.stderr, "pftls %s: %v\n", name, err)
	return exitUsage
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "pftls - Postfix TLS and delivery reports\n\nUsage:\n  pftls <command> [flags] [FILE...]\n\nCommands:\n")
	for _, c := range visibleCommands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'pftls help <command>' for the flags of one command.\n"+
		"Exit codes: 0 ok, 1 problems found (with --fail-on), 2 usage or input error.\n")
}

func helpFor(e env, name string) int {
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			return exitCode(e, name, c.run(context.Background(), env{stdin: e.stdin, stdout: e.stdout, stderr: e.stdout, now: e.now}, []string{"--help"}))
		}
	}
	fmt.Fprintf(e.stderr, "pftls help: unknown command %q\nTry: pftls --help\n", name)
	return exitUsage
}

// newFlagSet makes a command's flag set that prints its usage to e.stderr
// and returns errors instead of exiting.
func newFlagSet(e env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() { commandUsage(fs, name, synopsis) } // help.go
	return fs
}

// parseFlags parses args, allowing flags after the file arguments too
// ("pftls report mail.log --since 24h").
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{msg: err.Error(), hint: "pftls help " + fs.Name()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return files, checkRanges(fs)
		}
		files = append(files, args[0])
		args = args[1:]
		if files[len(files)-1] == "--" {
			files = append(files[:len(files)-1], args...)
			return files, checkRanges(fs)
		}
	}
}

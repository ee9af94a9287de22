package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// Help text is data, declared once per command and used by three readers:
// "pftls CMD --help", the man page (man.go) and the completion scripts
// (completion.go). Flags are not repeated here: every reader walks the
// command's own FlagSet (commandFlags), so a new flag shows up everywhere.

// example is one real command line and what it does.
type example struct {
	cmd  string
	what string
}

// commandDoc is what --help and the man page say beyond the flags.
type commandDoc struct {
	about    string // a paragraph: what the command does
	examples []example
}

var commandDocs = map[string]commandDoc{
	"report": {
		about: "Ingests the FILEs given (idempotent: a line is never counted twice) and reports, per destination domain, " +
			"TLS failures with their diagnosis, deferrals, bounces, the TLS posture outbound and inbound, rejects, warnings " +
			"and the lines pftls did not understand. Totals are counted the way pflogsumm counts them. " +
			"With --mail-to it mails the report (text and HTML) through sendmail -t -i.",
		examples: []example{
			{"pftls report --since 24h /var/log/mail.log", "ingest the log, report the last 24 hours"},
			{"pftls report --day yesterday --only-problems --mail-to postmaster@example.com", "mail yesterday's report from the database, only if something failed"},
			{"pftls report --db :memory: --format json /var/log/mail.log.2.gz", "analyse one log without keeping a database, as JSON"},
		},
	},
	"ingest": {
		about: "Reads logs (plain, gzip, bzip2, zstd; - for standard input) into the database, oldest first. " +
			"Ingest is idempotent and resumable: each source is recognised by its first 4 KiB, and the offset " +
			"reached is committed with the facts read up to it.",
		examples: []example{
			{"pftls ingest /var/log/mail.log.2.gz /var/log/mail.log.1 /var/log/mail.log", "read a rotated log set into the database"},
			{"journalctl -u postfix -o short-iso | pftls ingest -", "read the journal on a system without a mail log"},
			{"pftls ingest --rebuild --db /var/lib/pftls/pftls.db /var/log/mail.log*", "rebuild a damaged database from the logs on disk"},
		},
	},
	"tail": {
		about: "Follows a log across rotation and shows, on a terminal, a live per-domain view of the rolling window; " +
			"elsewhere it prints one line per notable event (TLS failure, deferral, bounce, error, lines not understood, a log it cannot read). " +
			"What it reads is stored like ingest does, unless --no-db. SIGINT or SIGTERM store the last lines and exit 0 " +
			"(also while the log cannot be read: its last line on standard error says so).",
		examples: []example{
			{"pftls tail /var/log/mail.log", "live view during an incident"},
			{"pftls tail --no-db --format json /var/log/mail.log", "one JSON line per event, storing nothing"},
			{"pftls tail --alert-cmd 'mail -s \"TLS failing\" ops@example.com' --alert-threshold 5 /var/log/mail.log", "alert when a domain reaches 5 TLS failures within the window"},
		},
	},
	"explain": {
		about: "Explains one destination domain in depth: outcome, MX hosts, TLS sessions, failures, certificate names, " +
			"the policy level the log implies, the diagnosis with the log lines that prove it, and a timeline.",
		examples: []example{
			{"pftls explain --since 7d bank.example.net", "one domain over the last week, from the database"},
			{"pftls explain --postconf auto gmx.net", "confirm the diagnosis against postconf -n"},
			{"pftls explain --db :memory: --format json gmx.net /var/log/mail.log", "one domain of one log, as JSON"},
		},
	},
	"parse": {
		about: "Prints how pftls reads each log line, one JSON object per line: its envelope and the event it became.",
		examples: []example{
			{"pftls parse --only unparsed /var/log/mail.log", "the lines pftls did not understand"},
			{"tail -n 100 /var/log/mail.log | pftls parse -", "the last lines, from standard input"},
		},
	},
	"tlsrpt": {
		about: "Writes RFC 8460 SMTP TLS reports of one UTC day from the database, one per policy domain with TLS " +
			"activity, for Postfix servers built without libtlsrpt. Successful sessions are TLS deliveries without a TLS " +
			"failure, failed ones the TLS failures pftls report shows (with their RFC 8460 result type); plaintext " +
			"deliveries and this host's own TLS faults are not reported. Where the log holds Postfix 3.10's TLSRPT lines " +
			"their counts are used, and a disagreement with pftls's classification is printed on standard error and in " +
			"the summary. The log does not carry the sending address: give it with --sending-ip. " +
			"Nothing is sent unless --send: it looks up each domain's _smtp._tls TXT record (or takes --rua), mails " +
			"mailto: destinations through sendmail -t -i as RFC 8460 section 5.3 asks (the MTA should DKIM-sign them) " +
			"and POSTs to https: ones, and records each delivery in the database so that it never happens twice.",
		examples: []example{
			{"pftls tlsrpt --sending-ip 192.0.2.25 --day 2026-11-23 --out /var/lib/pftls/tlsrpt", "write one day's reports as RFC 8460 names them"},
			{"pftls tlsrpt --sending-ip 192.0.2.25 --send --dry-run", "show whom yesterday's reports would go to"},
			{"pftls tlsrpt --sending-ip 192.0.2.25 --submitter example.com --contact mailto:tlsrpt@example.com --send", "send yesterday's reports, once (a daily timer)"},
		},
	},
	"prune": {
		about: "Deletes stored facts older than the given age, waiting up to --lock-wait for a writer.",
		examples: []example{
			{"pftls prune --older-than 90d", "keep three months"},
			{"pftls prune --older-than 720h --db /var/lib/pftls/pftls.db", "the same with an explicit database"},
		},
	},
	"version": {
		about: "Prints the version (stamped by release builds, else the module's build information), the commit, " +
			"the build date, the Go toolchain and the SQLite version compiled in.",
		examples: []example{
			{"pftls version", "what to quote in a bug report"},
			{"pftls --version | head -n 1", "the version alone, for scripts"},
		},
	},
	"completion": {
		about: "Prints a completion script for bash, zsh or fish: commands, flags, formats, section IDs and " +
			"the domains in the database.",
		examples: []example{
			{"source <(pftls completion bash)", "complete in the running bash"},
			{"pftls completion zsh > \"${fpath[1]}/_pftls\"", "install for zsh"},
			{"pftls completion fish > ~/.config/fish/completions/pftls.fish", "install for fish"},
		},
	},
}

// visibleCommands are the commands the usage, the man page and the
// completion scripts show: hidden ones (man, complete-domains) have no
// summary, and help has no flags of its own.
func visibleCommands() []command {
	var out []command
	for _, c := range commands() {
		if c.summary != "" {
			out = append(out, c)
		}
	}
	return out
}

// flagCapture is a command's flag output while commandFlags asks for its
// flags: commandUsage records the FlagSet into it instead of printing.
type flagCapture struct {
	fs       *flag.FlagSet
	synopsis string
}

func (*flagCapture) Write(p []byte) (int, error) { return len(p), nil }

// commandFlags returns a command's synopsis and FlagSet, by running it with
// --help: the command registers exactly the flags it honours, and the
// Usage func of newFlagSet hands them here. ok is false for a command that
// has no FlagSet (help).
func commandFlags(c command) (synopsis string, fs *flag.FlagSet, ok bool) {
	if c.run == nil {
		return "", nil, false
	}
	var capture flagCapture
	e := env{stdin: strings.NewReader(""), stdout: &capture, stderr: &capture, now: time.Now}
	_ = c.run(context.Background(), e, []string{"--help"})
	if capture.fs == nil {
		return "", nil, false
	}
	return capture.synopsis, capture.fs, true
}

// commandUsage is the Usage func of every command's FlagSet.
func commandUsage(fs *flag.FlagSet, name, synopsis string) {
	if c, ok := fs.Output().(*flagCapture); ok {
		c.fs, c.synopsis = fs, synopsis
		return
	}
	writeCommandHelp(fs.Output(), name, synopsis, fs)
}

// writeCommandHelp is "pftls CMD --help": the summary, the synopsis, what
// the command does, its flags with two dashes, and examples.
func writeCommandHelp(w io.Writer, name, synopsis string, fs *flag.FlagSet) {
	summary := ""
	for _, c := range commands() {
		if c.name == name {
			summary = c.summary
		}
	}
	if summary != "" {
		fmt.Fprintf(w, "pftls %s - %s\n\n", name, summary)
	}
	fmt.Fprintf(w, "Usage: %s\n", strings.TrimSpace("pftls "+name+" "+synopsis))
	doc := commandDocs[name]
	if doc.about != "" {
		fmt.Fprintf(w, "\n%s\n", wrap(doc.about, 2, 80))
	}
	if hasFlags(fs) {
		fmt.Fprintf(w, "\nFlags:\n")
		writeFlags(w, fs)
	}
	if len(doc.examples) > 0 {
		fmt.Fprintf(w, "\nExamples:\n")
		for _, ex := range doc.examples {
			fmt.Fprintf(w, "  %s\n%s\n", ex.cmd, wrap(ex.what, 6, 80))
		}
	}
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// flagArgNames name the value of a flag in help and the man page
// ("--since DUR"); a flag not named here gets one from its type.
var flagArgNames = map[string]string{
	"since": "DUR", "from": "T", "to": "T", "day": "D", "host": "HOST", "domain": "DOMAIN",
	"top": "N", "format": "FORMAT", "section": "ID", "width": "N", "db": "PATH", "year": "N",
	"tz": "ZONE", "lock-wait": "DUR", "commit-every": "N", "mail-to": "ADDR,...", "mail-from": "ADDR",
	"subject": "TEXT", "sendmail": "PATH", "fail-on": "KIND,...", "postconf": "auto|FILE",
	"policy-file": "FILE", "only": "KIND,...", "older-than": "AGE", "interval": "DUR", "window": "DUR",
	"alert-cmd": "CMD", "alert-threshold": "N", "recent": "N",
	"out": "DIR", "org": "NAME", "contact": "URI", "submitter": "DOMAIN", "sending-ip": "IP", "rua": "URI,...",
	"resolver": "ADDR",
}

// isBoolFlag is true for a flag that takes no value.
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// flagSpelling is how a flag is written: "--since", or "-q" for a
// one-letter flag.
func flagSpelling(f *flag.Flag) string {
	if len(f.Name) == 1 {
		return "-" + f.Name
	}
	return "--" + f.Name
}

// flagArg names a flag's value: "DUR", "N"; "" for a boolean flag.
func flagArg(f *flag.Flag) (arg, usage string) {
	name, usage := flag.UnquoteUsage(f)
	if isBoolFlag(f) {
		return "", usage
	}
	if a, ok := flagArgNames[f.Name]; ok {
		return a, usage
	}
	switch name {
	case "", "value", "string":
		return "VALUE", usage
	case "int", "uint", "float":
		return "N", usage
	case "duration":
		return "DUR", usage
	}
	return strings.ToUpper(name), usage
}

// flagDefault is " (default X)" unless the default is the zero value or
// the usage text already says it.
func flagDefault(f *flag.Flag, usage string) string {
	switch f.DefValue {
	case "", "0", "false", "0s":
		return ""
	}
	if strings.Contains(usage, "(default") {
		return ""
	}
	def := f.DefValue
	if g, ok := f.Value.(flag.Getter); ok && isDuration(g.Get()) {
		// 15m, not Go's 15m0s: as a user would type it.
		if s, ok := strings.CutSuffix(def, "m0s"); ok {
			def = s + "m"
		}
		if s, ok := strings.CutSuffix(def, "h0m"); ok {
			def = s + "h"
		}
	}
	return " (default " + def + ")"
}

func isDuration(v any) bool {
	_, ok := v.(time.Duration)
	return ok
}

// writeFlags is flag.PrintDefaults with the double dashes the README and
// the man page use, and the value named after what it is.
func writeFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flagArg(f)
		head := "  " + strings.TrimSpace(flagSpelling(f)+" "+arg)
		text := usage + flagDefault(f, usage)
		const col = 26
		if strings.TrimSpace(text) == "" {
			fmt.Fprintln(w, head)
			return
		}
		if len(head) < col-1 {
			body := wrap(text, col, 80)
			fmt.Fprintf(w, "%-*s%s\n", col, head, body[col:])
			return
		}
		fmt.Fprintf(w, "%s\n%s\n", head, wrap(text, col, 80))
	})
}

// wrap fills text into lines of at most width columns, each indented.
func wrap(text string, indent, width int) string {
	var b strings.Builder
	pad := strings.Repeat(" ", indent)
	n := 0
	for _, word := range strings.Fields(text) {
		switch {
		case n == 0:
			b.WriteString(pad)
			n = indent
		case n+1+len(word) > width:
			b.WriteString("\n" + pad)
			n = indent
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}

package main

import (
	"cmp"
	"flag"
	"slices"
	"strings"

	"github.com/pftls/pftls/report"
)

// Flag groups. Each command registers only the groups it honours, so that
// a flag a command would ignore is "flag provided but not defined" there
// (exit 2 with a Try: hint) instead of a silent no-op.
//
//	group        flags                                        report  explain
//	ingestFlags  --db --year --tz --lock-wait --commit-every  yes     yes
//	windowFlags  --since --from --to --day --all              yes     yes
//	scopeFlags   --host                                       yes     yes
//	             --domain --top --detail                      yes     -
//	outputFlags  --format --section --width                   yes     -
//	explain's    --format text|json (registerExplainFormat)   -       yes
//	mailFlags    --mail-to --mail-from --subject --sendmail
//	             --only-problems --fail-on                    yes     -
//	configFlags  --postconf --policy-file                     yes     yes
//	--redact     (registerRedact)                             yes     yes
//
// ingest, tail, parse and prune register their own flags (ingestFlags,
// tailFlags, timeFlags, dbFlag, registerLockWait).

// windowFlags choose the time window of a report-like command.
type windowFlags struct {
	since string
	from  string
	to    string
	day   string
	all   bool
	// cmd and args make the Try: hints of window errors: "pftls CMD
	// FLAGS ARGS" (register sets cmd; explain sets args to a domain).
	cmd  string
	args string
}

// hint is a command line that uses flags correctly, for a usage error.
func (f *windowFlags) hint(flags string) string {
	return strings.TrimSpace("pftls " + cmp.Or(f.cmd, "report") + " " + flags + " " + f.args)
}

func (f *windowFlags) register(fs *flag.FlagSet) {
	f.cmd = fs.Name()
	fs.StringVar(&f.since, "since", "", "report the last DUR, e.g. 24h, 7d (default 24h, or --all when FILEs are given)")
	fs.StringVar(&f.from, "from", "", "window start: 2006-01-02, '2006-01-02 15:04' or RFC 3339")
	fs.StringVar(&f.to, "to", "", "window end (exclusive), same forms as --from (default now)")
	fs.StringVar(&f.day, "day", "", "one calendar day: today, yesterday or YYYY-MM-DD")
	fs.BoolVar(&f.all, "all", false, "everything stored")
}

// scopeFlags narrow what a report covers.
type scopeFlags struct {
	host   string
	domain string
	top    int
}

// registerHost adds --host alone, for commands that take the domain as an
// argument and show no ranked lists (explain).
func (f *scopeFlags) registerHost(fs *flag.FlagSet) {
	fs.StringVar(&f.host, "host", "", "only this Postfix host (central log servers)")
}

func (f *scopeFlags) register(fs *flag.FlagSet) {
	f.registerHost(fs)
	fs.StringVar(&f.domain, "domain", "", "only this destination domain")
	fs.IntVar(&f.top, "top", 10, "rows in ranked lists and per-domain tables; 0: totals only")
	fs.IntVar(&f.top, "detail", 10, "the same as --top (pflogsumm's name)")
}

// outputFlags choose how the report model is written.
type outputFlags struct {
	format  string
	section string
	width   int
}

func (f *outputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.format, "format", "text", "output format: "+strings.Join(report.Formats, ", ")+", email")
	fs.StringVar(&f.section, "section", "domains", "csv: the section to write: "+strings.Join(report.SectionIDs, ", "))
	fs.IntVar(&f.width, "width", 100, "text: the width to fit tables in")
}

// validate rejects a format pftls does not write, and --section with a
// format that would ignore it.
func (f *outputFlags) validate(fs *flag.FlagSet) error {
	if !slices.Contains(report.Formats, f.format) && f.format != "email" {
		return usagef("pftls report --format text", "unknown --format %q (want one of %s, email)", f.format, strings.Join(report.Formats, ", "))
	}
	if f.format != "csv" && flagSet(fs, "section") {
		return usagef("pftls report --format csv --section "+f.section, "--section chooses the one section a CSV file holds; --format %s shows every section", f.format)
	}
	return nil
}

// explainFormats are the formats pftls explain writes.
var explainFormats = []string{"text", "json"}

// tailFormats are the formats of tail's event stream (not on a terminal).
var tailFormats = []string{"text", "json"}

// registerExplainFormat adds explain's --format.
func registerExplainFormat(fs *flag.FlagSet, format *string) {
	fs.StringVar(format, "format", "text", "output format: "+strings.Join(explainFormats, ", "))
}

// configFlags let diagnoses read the Postfix configuration.
type configFlags struct {
	postconf   string
	policyFile string
}

func (f *configFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.postconf, "postconf", "", "read the Postfix configuration to confirm diagnoses: 'auto' runs postconf -n, or give a main.cf path (never modified)")
	fs.StringVar(&f.policyFile, "policy-file", "", "the smtp_tls_policy_maps source file (default: the files smtp_tls_policy_maps names)")
}

// registerRedact adds --redact, for every command that prints addresses
// from the model.
func registerRedact(fs *flag.FlagSet, redact *bool) {
	fs.BoolVar(redact, "redact", false, "replace the local part of e-mail addresses with a short stable hash")
}

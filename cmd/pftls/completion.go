package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/report"
)

// The completion scripts are generated from the commands' own FlagSets
// (commandFlags in help.go), so a new flag completes without touching
// this file. What a flag's value completes to is decided here, once for
// the three shells.

var completionShells = []string{"bash", "zsh", "fish"}

func runCompletion(_ context.Context, e env, args []string) error {
	fs := newFlagSet(e, "completion", "bash|zsh|fish")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 || !slices.Contains(completionShells, rest[0]) {
		return usagef("pftls completion bash", "want one shell: bash, zsh or fish")
	}
	w := bufio.NewWriter(e.stdout)
	cmds := completionModel()
	switch rest[0] {
	case "bash":
		writeBashCompletion(w, cmds)
	case "zsh":
		writeZshCompletion(w, cmds)
	case "fish":
		writeFishCompletion(w, cmds)
	}
	return w.Flush()
}

// runCompleteDomains is the hidden "pftls complete-domains [--db PATH]"
// the scripts call: the domains in the database, one a line. It must be
// quick and quiet: any problem (no database yet, locked, damaged, slow)
// prints nothing and exits 0, because a completion must never print an
// error into the user's command line.
func runCompleteDomains(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "complete-domains", "[--db PATH]")
	fs.SetOutput(io.Discard)
	var db dbFlag
	db.register(fs)
	if _, err := parseFlags(fs, args); err != nil {
		return nil
	}
	path, err := db.resolve()
	if err != nil || path == aggregate.Memory {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	store, err := aggregate.Open(ctx, path, aggregate.OpenOptions{ReadOnly: true, BusyTimeout: 200 * time.Millisecond})
	if err != nil {
		return nil
	}
	defer store.Close()
	domains, err := store.Domains(ctx, e.now().AddDate(0, 0, -30), 2000)
	if err != nil {
		return nil
	}
	w := bufio.NewWriter(e.stdout)
	for _, d := range domains {
		if isShellWord(d) {
			fmt.Fprintln(w, d)
		}
	}
	_ = w.Flush()
	return nil
}

// isShellWord: a domain from a log goes into the user's command line only
// if it is plainly a domain (no quotes, spaces or control characters).
func isShellWord(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return s != ""
}

// compValues is what a flag's value or a positional argument completes to.
type compValues struct {
	words   []string
	files   bool
	domains bool
}

type compFlag struct {
	spelling string // --since, -q
	arg      string // DUR; "" for a boolean flag
	usage    string
	values   compValues
}

type compCommand struct {
	name, summary string
	flags         []compFlag
	first, rest   compValues // the first positional argument, the others
}

// flagValues: what the value of a command's flag completes to.
func flagValues(cmd, name string) compValues {
	switch name {
	case "format":
		switch cmd {
		case "report":
			return compValues{words: append(slices.Clone(report.Formats), "email")}
		case "explain":
			return compValues{words: explainFormats}
		case "tail":
			return compValues{words: tailFormats}
		case "tlsrpt":
			return compValues{words: tlsrptFormats}
		}
	case "section":
		return compValues{words: report.SectionIDs}
	case "fail-on":
		return compValues{words: problemNames()}
	case "day":
		return compValues{words: []string{"today", "yesterday"}}
	case "domain":
		return compValues{domains: true}
	case "postconf":
		return compValues{words: []string{"auto"}, files: true}
	case "db", "cpuprofile", "memprofile", "policy-file", "sendmail":
		return compValues{files: true}
	case "out":
		return compValues{files: true}
	}
	return compValues{}
}

// positionals: what a command's arguments complete to.
func positionals(cmd string) (first, rest compValues) {
	switch cmd {
	case "explain":
		return compValues{domains: true}, compValues{files: true}
	case "completion":
		return compValues{words: completionShells}, compValues{}
	case "help":
		var names []string
		for _, c := range visibleCommands() {
			names = append(names, c.name)
		}
		return compValues{words: names}, compValues{}
	case "report", "ingest", "tail", "parse":
		return compValues{files: true}, compValues{files: true}
	}
	return compValues{}, compValues{}
}

func completionModel() []compCommand {
	var out []compCommand
	for _, c := range visibleCommands() {
		cc := compCommand{name: c.name, summary: c.summary}
		cc.first, cc.rest = positionals(c.name)
		if _, fs, ok := commandFlags(c); ok {
			fs.VisitAll(func(f *flag.Flag) {
				arg, usage := flagArg(f)
				cc.flags = append(cc.flags, compFlag{spelling: flagSpelling(f), arg: arg, usage: usage, values: flagValues(c.name, f.Name)})
			})
		}
		out = append(out, cc)
	}
	return out
}

func commandNames(cmds []compCommand) string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.name)
	}
	return strings.Join(names, " ")
}

// bashValues is the bash statement that completes $cur from v.
func bashValues(v compValues) string {
	var parts []string
	if v.domains {
		parts = append(parts, `_pftls_domains`)
	}
	if len(v.words) > 0 {
		parts = append(parts, fmt.Sprintf(`COMPREPLY+=($(compgen -W "%s" -- "$cur"))`, strings.Join(v.words, " ")))
	}
	if v.files {
		parts = append(parts, `_pftls_files`)
	}
	return strings.Join(parts, "; ")
}

func writeBashCompletion(w io.Writer, cmds []compCommand) {
	fmt.Fprintf(w, `# bash completion for pftls. Generated by "pftls completion bash": do not edit.
# Install as /usr/share/bash-completion/completions/pftls, or: source <(pftls completion bash)

# _pftls_domains completes $cur from the domains in the database (the one
# given with --db on the command line, else the default).
_pftls_domains() {
    local IFS=$'\n'
    COMPREPLY+=($(compgen -W "$("${COMP_WORDS[0]}" complete-domains ${db:+--db "$db"} 2>/dev/null)" -- "$cur"))
}

_pftls_files() {
    compopt -o filenames 2>/dev/null
    local IFS=$'\n'
    COMPREPLY+=($(compgen -f -- "$cur"))
}

_pftls() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local cmd=${COMP_WORDS[1]} db= npos=0 i w flags= valueflags=
    COMPREPLY=()
    if ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W "%s" -- "$cur"))
        return 0
    fi
    case $cmd in
`, commandNames(cmds))
	for _, c := range cmds {
		var all, withValue []string
		for _, f := range c.flags {
			all = append(all, f.spelling)
			if f.arg != "" {
				withValue = append(withValue, f.spelling)
			}
		}
		fmt.Fprintf(w, "    %s)\n        flags=\"%s\"\n        valueflags=\" %s \" ;;\n", c.name, strings.Join(all, " "), strings.Join(withValue, " "))
	}
	fmt.Fprintf(w, `    *) return 0 ;;
    esac
    # Count the arguments before the cursor, skipping flags and their values.
    for ((i = 2; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $valueflags == *" $w "* ]]; then
            [[ $w == --db ]] && db=${COMP_WORDS[i+1]}
            ((i++))
        elif [[ $w != -* || $w == - ]]; then
            ((npos++))
        fi
    done
    if [[ $valueflags == *" $prev "* ]]; then
        case "$cmd $prev" in
`)
	for _, c := range cmds {
		for _, f := range c.flags {
			if f.arg == "" {
				continue
			}
			if s := bashValues(f.values); s != "" {
				fmt.Fprintf(w, "        %q) %s ;;\n", c.name+" "+f.spelling, s)
			}
		}
	}
	fmt.Fprintf(w, `        esac
        return 0
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$flags" -- "$cur"))
        return 0
    fi
    case $cmd in
`)
	for _, c := range cmds {
		first, rest := bashValues(c.first), bashValues(c.rest)
		switch {
		case first == "" && rest == "":
			continue
		case first == rest:
			fmt.Fprintf(w, "    %s) %s ;;\n", c.name, first)
		default:
			fmt.Fprintf(w, "    %s) if ((npos == 0)); then %s; else %s; fi ;;\n", c.name, orColon(first), orColon(rest))
		}
	}
	fmt.Fprintf(w, `    esac
    return 0
}

complete -F _pftls pftls
`)
}

func orColon(s string) string {
	if s == "" {
		return ":"
	}
	return s
}

// zshDesc makes a usage text safe inside a single-quoted _arguments spec
// and its [description].
func zshDesc(s string) string {
	s = strings.NewReplacer(`'`, `'\''`, `[`, `(`, `]`, `)`, `:`, `,`, `\`, `/`).Replace(s)
	return s
}

func zshAction(v compValues) string {
	var parts []string
	if v.domains {
		parts = append(parts, "_pftls_domains")
	}
	if len(v.words) > 0 {
		parts = append(parts, "_values -w value "+strings.Join(v.words, " "))
	}
	if v.files {
		parts = append(parts, "_files")
	}
	switch len(parts) {
	case 0:
		return " "
	case 1:
		if len(v.words) > 0 && !v.files && !v.domains {
			return "(" + strings.Join(v.words, " ") + ")"
		}
		return parts[0]
	}
	// Several alternatives: offer all of them.
	return "{" + strings.Join(parts, "; ") + "}"
}

func writeZshCompletion(w io.Writer, cmds []compCommand) {
	fmt.Fprintf(w, `#compdef pftls
# zsh completion for pftls. Generated by "pftls completion zsh": do not edit.
# Install as _pftls in a directory of $fpath (Debian: /usr/share/zsh/vendor-completions).

# The domains in the database named by --db on the command line, else the default.
_pftls_domains() {
    local -a domains
    domains=(${(f)"$(_call_program domains ${service:-pftls} complete-domains ${opt_args[--db]:+--db ${opt_args[--db]}} 2>/dev/null)"})
    compadd -a domains
}

_pftls() {
    local curcontext=$curcontext state line
    typeset -A opt_args
    local -a commands
    commands=(
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "        '%s:%s'\n", c.name, zshDesc(c.summary))
	}
	fmt.Fprintf(w, `    )
    _arguments -C '1:command:->command' '*::argument:->argument'
    case $state in
    command)
        _describe -t commands 'pftls command' commands
        ;;
    argument)
        case $words[1] in
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "        %s)\n            _arguments -s", c.name)
		for _, f := range c.flags {
			if f.arg == "" {
				fmt.Fprintf(w, " \\\n                '%s[%s]'", f.spelling, zshDesc(f.usage))
				continue
			}
			fmt.Fprintf(w, " \\\n                '%s[%s]:%s:%s'", f.spelling, zshDesc(f.usage), zshDesc(strings.ToLower(f.arg)), zshAction(f.values))
		}
		if a := zshAction(c.first); a != " " {
			fmt.Fprintf(w, " \\\n                '1:argument:%s'", a)
		}
		if a := zshAction(c.rest); a != " " {
			fmt.Fprintf(w, " \\\n                '*:file:%s'", a)
		}
		fmt.Fprintf(w, "\n            ;;\n")
	}
	fmt.Fprintf(w, `        esac
        ;;
    esac
}

_pftls "$@"
`)
}

// fishQuote single-quotes s for fish.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func fishArgs(v compValues) string {
	var parts []string
	if len(v.words) > 0 {
		parts = append(parts, "-a "+fishQuote(strings.Join(v.words, " ")))
	}
	if v.domains {
		parts = append(parts, "-a '(__pftls_domains)'")
	}
	if v.files {
		parts = append(parts, "-F")
	}
	return strings.Join(parts, " ")
}

func writeFishCompletion(w io.Writer, cmds []compCommand) {
	fmt.Fprintf(w, `# fish completion for pftls. Generated by "pftls completion fish": do not edit.
# Install as pftls.fish in ~/.config/fish/completions or /usr/share/fish/vendor_completions.d.

# The domains in the database named by --db on the command line, else the default.
function __pftls_domains
    set -l words (commandline -opc)
    set -l db
    for i in (seq (count $words))
        if test "$words[$i]" = --db; and test $i -lt (count $words)
            set db --db $words[(math $i + 1)]
        end
    end
    $words[1] complete-domains $db 2>/dev/null
end

complete -c pftls -f
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c pftls -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
	}
	for _, c := range cmds {
		cond := fishQuote("__fish_seen_subcommand_from " + c.name)
		for _, f := range c.flags {
			opt := "-l " + strings.TrimPrefix(f.spelling, "--")
			if len(f.spelling) == 2 {
				opt = "-s " + f.spelling[1:]
			}
			extra := ""
			if f.arg != "" {
				// -x: a value and no file names, unless the value is a file (-r -F).
				extra = " -x"
				if f.values.files {
					extra = " -r"
				}
				if a := fishArgs(f.values); a != "" {
					extra += " " + a
				}
			}
			fmt.Fprintf(w, "complete -c pftls -n %s %s%s -d %s\n", cond, opt, extra, fishQuote(f.usage))
		}
		// fish does not tell the first positional from the others: offer both.
		var args []string
		for _, v := range []compValues{c.first, c.rest} {
			if a := fishArgs(v); a != "" && !slices.Contains(args, a) {
				args = append(args, a)
			}
		}
		for _, a := range args {
			fmt.Fprintf(w, "complete -c pftls -n %s %s\n", cond, a)
		}
	}
}

package main

import (
	"bufio"
	"context"
	"slices"
	"strings"

	"github.com/pftls/pftls/report"
)

// runExplain explains one destination domain in depth: outcome, MX hosts,
// TLS sessions and failures, certificate names, the inferred policy level,
// the diagnosis with the log lines behind it, and a timeline.
func runExplain(ctx context.Context, e env, args []string) (err error) {
	fs := newFlagSet(e, "explain", "[--since DUR | --from T --to T | --day D | --all] [--format text|json] [--db PATH] [--postconf auto|FILE] DOMAIN [FILE...]")
	// The report's flag struct, because explain opens the store and the
	// window the way report does; but only the groups explain honours are
	// registered (no --domain, --top, --section, --width, mail flags).
	var f reportFlags
	f.ingest.register(fs)
	f.windowFlags.register(fs)
	f.args = "gmx.net"
	f.scopeFlags.registerHost(fs)
	registerExplainFormat(fs, &f.format)
	f.configFlags.register(fs)
	registerRedact(fs, &f.redact)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if !slices.Contains(explainFormats, f.format) {
		return usagef("pftls explain --format json gmx.net", "unknown --format %q (want one of %s)", f.format, strings.Join(explainFormats, ", "))
	}
	if len(rest) == 0 {
		return usagef("pftls explain --since 7d gmx.net", "name the destination domain to explain")
	}
	domain, files := rest[0], rest[1:]
	cfg, err := readPostfixConfig(ctx, f.postconf, f.policyFile, e.stderr)
	if err != nil {
		return err
	}
	store, zone, from, to, _, err := openStoreAndWindow(ctx, e, &f, files)
	if store != nil {
		defer closeStore(store, &err) // FILE arguments were ingested into it
	}
	if err != nil {
		return err
	}
	ex, err := report.Explain(ctx, store, domain, report.Options{From: from, To: to, Zone: zone, Host: f.host,
		Top: f.top, Generated: e.now(), Config: cfg})
	if err != nil {
		return err
	}
	if f.redact {
		ex.Redact()
	}
	render := report.RenderExplain
	if f.format == "json" {
		render = report.RenderExplainJSON
	}
	out := bufio.NewWriter(e.stdout)
	if err := render(out, ex, zone); err != nil {
		return err
	}
	return out.Flush()
}

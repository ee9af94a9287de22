package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/report"
)

// reportFlags are the flags of pftls report, by group (see flags.go).
// explain fills the same struct but registers only the groups it honours.
type reportFlags struct {
	ingest ingestFlags
	windowFlags
	scopeFlags
	outputFlags
	mail mailFlags
	configFlags
	redact bool
}

// register adds every group report honours.
func (f *reportFlags) register(fs *flag.FlagSet) {
	f.ingest.register(fs)
	f.windowFlags.register(fs)
	f.scopeFlags.register(fs)
	f.outputFlags.register(fs)
	f.mail.register(fs)
	f.configFlags.register(fs)
	registerRedact(fs, &f.redact)
}

// windowLabel names the window for a mail subject: "24h", "2026-03-01", "all".
func (f *windowFlags) windowLabel(haveFiles bool) string {
	switch {
	case haveFiles && f.day == "" && f.from == "" && f.since == "":
		return "all"
	case f.day != "":
		return f.day
	case f.from != "":
		return f.from + ".." + f.to
	case f.since != "":
		return f.since
	case f.all:
		return "all"
	}
	return "24h"
}

func runReport(ctx context.Context, e env, args []string) (err error) {
	fs := newFlagSet(e, "report", "[--since DUR | --from T --to T | --day D | --all] [--format F] [--db PATH] [FILE...]")
	var f reportFlags
	f.register(fs)
	profiles := registerProfiles(fs)
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := f.outputFlags.validate(fs); err != nil {
		return err
	}
	if err := f.mail.validate(fs, f.format); err != nil {
		return err
	}
	stopProfile, err := profiles.start()
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, stopProfile()) }()
	if f.format == "prometheus" {
		return writePrometheusReport(ctx, e, &f, files) // metrics_report.go
	}
	model, zone, err := buildReport(ctx, e, &f, files)
	if err != nil {
		return err
	}
	if f.redact {
		model.Redact()
	}
	failOn := f.mail.failOnResult(model)
	if f.mail.onlyProblems && model.State() == report.StateClear {
		return failOn
	}
	ro := report.RenderOptions{Zone: zone, Section: f.section, Width: f.width, ASCII: report.ASCIICharts(os.Getenv)}
	if f.mail.to != "" || f.format == "email" {
		eo := f.mail.emailOptions(model, f.windowLabel(len(files) > 0), e.now())
		if f.format == "email" {
			_, err := writeEmail(e.stdout, model, eo, ro)
			return errors.Join(err, failOn)
		}
		msg, err := writeEmail(nil, model, eo, ro)
		if err != nil {
			return err
		}
		if err := sendMail(ctx, f.mail.sendmail, msg); err != nil {
			return err
		}
		return failOn
	}
	if f.format == "csv" {
		// Its rows have no place to say what the other formats' headers do.
		for _, w := range model.InputWarnings(zone) {
			fmt.Fprintf(e.stderr, "pftls report: warning: %s\n", report.TerminalSafe(w))
		}
	}
	out := bufio.NewWriter(e.stdout)
	if err := report.Render(out, model, f.format, ro); err != nil {
		return err
	}
	return errors.Join(out.Flush(), failOn)
}

// buildReport ingests FILE arguments (if any) and builds the model for the
// window the flags choose.
func buildReport(ctx context.Context, e env, f *reportFlags, files []string) (_ *report.Model, _ *time.Location, err error) {
	cfg, err := readPostfixConfig(ctx, f.postconf, f.policyFile, e.stderr)
	if err != nil {
		return nil, nil, err
	}
	if isDirect(f, files) {
		return analyseDirect(ctx, e, f, files, cfg)
	}
	if len(files) > 0 {
		limitIngestMemory() // the ingest of FILE arguments is an ingest: about 8 % less CPU than under the report's limit
	}
	store, zone, from, to, read, err := openStoreAndWindow(ctx, e, f, files)
	if store != nil {
		defer closeStore(store, &err) // FILE arguments were ingested into it
	}
	if err != nil {
		return nil, nil, err
	}
	defer limitReportMemory(databaseReportMemory, 100, databaseLargeGCPercent)()
	model, err := report.Build(ctx, store, f.reportOptions(from, to, zone, e.now(), cfg))
	if err != nil {
		return nil, nil, err
	}
	addInputs(model, read)
	return model, zone, nil
}

// reportOptions are the report's options for the window [from, to) in
// zone, made at now, as the flags choose them (--top 0: totals only).
func (f *reportFlags) reportOptions(from, to time.Time, zone *time.Location, now time.Time, cfg *report.PostfixConfig) report.Options {
	return report.Options{From: from, To: to, Zone: zone, Host: f.host, Domain: f.domain,
		Top: f.top, TotalsOnly: f.top == 0, Generated: now, Config: cfg}
}

// addInputs tells the model what pftls understood of each FILE read.
func addInputs(m *report.Model, read []aggregate.FileResult) {
	for i := range read {
		m.AddInput(read[i].Path, &read[i].Coverage)
	}
}

// analyseDirect is "report --db :memory: FILE...": the correlator's facts go
// straight into the report builder, with no database in between (the same
// counting code the store's scans feed, at several times the speed and a
// fraction of the memory).
func analyseDirect(ctx context.Context, e env, f *reportFlags, files []string, cfg *report.PostfixConfig) (*report.Model, *time.Location, error) {
	defer limitReportMemory(reportMemory, reportGCPercent, 0)()
	var b *report.Builder
	read, zone, err := readDirect(ctx, e, f, files, func(from, to time.Time, zone *time.Location) aggregate.FactConsumer {
		b = report.NewBuilder(f.reportOptions(from, to, zone, e.now(), cfg))
		return aggregate.FactsFunc(b.Feed)
	})
	if err != nil {
		return nil, nil, err
	}
	m := b.Finish()
	addInputs(m, read)
	return m, zone, nil
}

// isDirect reports whether FILEs are read with no database (--db
// :memory:): their facts go straight to the consumer (readDirect).
func isDirect(f *reportFlags, files []string) bool {
	dbPath, err := f.ingest.db.resolve()
	return err == nil && dbPath == aggregate.Memory && len(files) > 0
}

// readDirect reads FILEs with no database, each file an input error when
// pftls cannot read it, into the consumer that consumer makes for the
// window the flags choose (unbounded by default: everything read); the
// messages still in the queue reach it once, at the end.
func readDirect(ctx context.Context, e env, f *reportFlags, files []string,
	consumer func(from, to time.Time, zone *time.Location) aggregate.FactConsumer) ([]aggregate.FileResult, *time.Location, error) {
	zone, err := f.ingest.times.location()
	if err != nil {
		return nil, nil, err
	}
	paths, err := inputPaths(files)
	if err != nil {
		return nil, nil, err
	}
	from, to, err := f.window(ctx, nil, e.now(), zone, true)
	if err != nil {
		return nil, nil, err
	}
	resolvers, err := f.ingest.times.resolvers(e.now)
	if err != nil {
		return nil, nil, err
	}
	hosts := hostsRead{}
	pump := &aggregate.Pump{
		Corr:      aggregate.NewCorrelator(aggregate.DefaultOptions),
		KeepOpen:  true,
		Overlap:   true, // the consumers are read only once the pump is flushed
		Consumers: []aggregate.FactConsumer{consumer(from, to, zone), hosts},
		Resolver:  resolvers,
		Now:       e.now,
		Format:    f.ingest.format.Format(),
	}
	var read []aggregate.FileResult
	for _, path := range paths {
		fr, err := readInput(ctx, e, pump, path)
		if err != nil {
			return nil, nil, err
		}
		if err := coverageError(fr.Path, &fr.Coverage); err != nil {
			return nil, nil, err
		}
		read = append(read, *fr)
	}
	pump.Flush() // the messages still in the queue, once
	if f.host != "" {
		// Known only now: a misspelt --host would otherwise read as a
		// window without a line ("is logging working?").
		if _, err := aggregate.MatchHost(hosts.names(), f.host); err != nil {
			return nil, nil, unknownHostUsage(err)
		}
	}
	return read, zone, nil
}

// hostsRead is a FactConsumer that keeps the names of the hosts whose
// lines were read (those before any host, of no syslog envelope, aside).
type hostsRead map[string]bool

// Facts notes the hosts of b's lines.
func (h hostsRead) Facts(b *aggregate.Batch) {
	for i := range b.LineCounts {
		if host := b.LineCounts[i].Host; host != "" {
			h[host] = true
		}
	}
}

// names are the hosts read, sorted.
func (h hostsRead) names() []string { return slices.Sorted(maps.Keys(h)) }

// openStoreAndWindow opens the store for a report-like command, ingesting
// FILE arguments first (then opened again read-only, but for :memory:), and resolves the
// window the flags choose. It returns what reading each FILE did; a FILE
// that is not a Postfix log pftls can read is an input error. The caller
// closes the store.
func openStoreAndWindow(ctx context.Context, e env, f *reportFlags, files []string) (*aggregate.Store, *time.Location, time.Time, time.Time, []aggregate.FileResult, error) {
	var zero time.Time
	zone, err := f.ingest.times.location()
	if err != nil {
		return nil, nil, zero, zero, nil, err
	}
	dbPath, err := f.ingest.db.resolve()
	if err != nil {
		return nil, nil, zero, zero, nil, err
	}
	if dbPath == aggregate.Memory && len(files) == 0 {
		return nil, nil, zero, zero, nil, usagef("pftls report --db :memory: /var/log/mail.log", "--db :memory: needs FILE arguments to analyse")
	}
	var store *aggregate.Store
	var read ingestResult
	if w, ok := followedByTail(dbPath, files); ok {
		fmt.Fprintf(e.stderr, "pftls report: %s is stored by pftls tail (pid %d) as it is written: reporting from %s\n", w.Follows, w.PID, dbPath)
		store, err = aggregate.Open(ctx, dbPath, aggregate.OpenOptions{ReadOnly: true})
	} else if len(files) > 0 {
		store, read, err = ingestFiles(ctx, e, &f.ingest, dbPath, files, false)
		for i := range read.gaps {
			// Recorded: the report over its time says it too (Model.Gaps).
			warnGap(e.stderr, "report", &read.gaps[i], zone)
		}
		if err == nil {
			err = checkCoverage(read.files)
		}
		if err == nil && dbPath != aggregate.Memory {
			// Read as a report from the database reads, not through the
			// writer and its caches: report --since 24h of a TLS-heavy
			// 10M-line log peaked at 160 MB so, 141 MB read-only (ingest
			// alone 123 MB, the report alone 138 MB).
			if err = store.Close(); err == nil {
				store, err = aggregate.Open(ctx, dbPath, aggregate.OpenOptions{ReadOnly: true})
			} else {
				store = nil
			}
		}
	} else {
		store, err = aggregate.Open(ctx, dbPath, aggregate.OpenOptions{ReadOnly: true})
	}
	if err != nil {
		return store, nil, zero, zero, nil, err
	}
	if f.host, err = knownHost(ctx, store, f.host); err != nil {
		return store, nil, zero, zero, nil, err
	}
	from, to, err := f.window(ctx, store, e.now(), zone, len(files) > 0)
	return store, zone, from, to, read.files, err
}

// knownHost is --host as the store spells it (any case), "" for none, and
// a usage error for a host it holds no line of: a misspelt --host would
// otherwise read as a window without a line ("is logging working?").
func knownHost(ctx context.Context, store *aggregate.Store, host string) (string, error) {
	if host == "" {
		return "", nil
	}
	h, err := store.Host(ctx, host)
	return h, unknownHostUsage(err)
}

// unknownHostUsage makes an aggregate.UnknownHostError a usage error that
// names the hosts there are; any other error is returned as it is.
func unknownHostUsage(err error) error {
	if unknown := (*aggregate.UnknownHostError)(nil); errors.As(err, &unknown) {
		hint := "omit --host: every host"
		if len(unknown.Hosts) > 0 {
			hint = "--host " + unknown.Hosts[0]
		}
		return usagef(hint, "--host %v", err)
	}
	return err
}

// window turns the window flags into [from, to). With FILE arguments and no
// window flag, the report covers everything (as pflogsumm does).
func (f *reportFlags) window(ctx context.Context, store *aggregate.Store, now time.Time, zone *time.Location, haveFiles bool) (time.Time, time.Time, error) {
	set := 0
	for _, s := range []string{f.since, f.from, f.day} {
		if s != "" {
			set++
		}
	}
	if f.all {
		set++
	}
	if set > 1 {
		return time.Time{}, time.Time{}, usagef(f.hint("--since 24h"), "use one of --since, --from/--to, --day, --all")
	}
	if f.to != "" && f.from == "" {
		return time.Time{}, time.Time{}, usagef(f.hint("--from 2026-03-01 --to 2026-03-02"), "--to needs --from")
	}
	switch {
	case f.all || (set == 0 && haveFiles):
		if store == nil {
			return time.Time{}, time.Time{}, nil // unbounded: whatever is read
		}
		first, last, err := store.Span(ctx, f.host)
		return first, last, err
	case f.day != "":
		return dayWindow(f.day, now, zone, f.hint("--day yesterday"))
	case f.from != "":
		from, err := parseWhen(f.from, zone)
		if err != nil {
			return from, from, usagef(f.hint("--from 2026-03-01"), "--from: %v", err)
		}
		to := now
		if f.to != "" {
			if to, err = parseWhen(f.to, zone); err != nil {
				return from, to, usagef(f.hint("--from 2026-03-01 --to 2026-03-02"), "--to: %v", err)
			}
		}
		if !to.After(from) {
			return from, to, usagef(f.hint("--from 2026-03-01 --to 2026-03-02"), "--to must be after --from")
		}
		return from, to, nil
	}
	since := f.since
	if since == "" {
		since = "24h"
	}
	d, err := parseAge(since)
	if err != nil {
		return time.Time{}, time.Time{}, usagef(f.hint("--since 24h"), "--since: %v", err)
	}
	return now.Add(-d), now, nil
}

func dayWindow(day string, now time.Time, zone *time.Location, hint string) (time.Time, time.Time, error) {
	var start time.Time
	switch day {
	case "today":
		y, m, d := now.In(zone).Date()
		start = time.Date(y, m, d, 0, 0, 0, 0, zone)
	case "yesterday":
		y, m, d := now.In(zone).Date()
		start = time.Date(y, m, d-1, 0, 0, 0, 0, zone)
	default:
		t, err := time.ParseInLocation("2006-01-02", day, zone)
		if err != nil {
			return t, t, usagef(hint, "--day %q: want today, yesterday or YYYY-MM-DD", day)
		}
		start = t
	}
	return start, start.AddDate(0, 0, 1), nil
}

// parseWhen reads a date, a date and time, or an RFC 3339 stamp.
func parseWhen(s string, zone *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, zone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot read %q as a time (use 2006-01-02, '2006-01-02 15:04' or RFC 3339)", s)
}

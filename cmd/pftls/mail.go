package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/mail"
	"os"
	"os/exec"
	"os/user"
	"slices"
	"strings"
	"time"

	"github.com/pftls/pftls/report"
)

// mailFlags are report's flags for cron-mailed summaries.
type mailFlags struct {
	to           string
	from         string
	subject      string
	sendmail     string
	onlyProblems bool
	failOn       string

	toAddrs []string // to, parsed by validate
}

func (f *mailFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.to, "mail-to", "", "mail the report to these addresses (comma-separated) with sendmail -t -i")
	fs.StringVar(&f.from, "mail-from", "", "From: address of the mailed report (default pftls@HOSTNAME)")
	fs.StringVar(&f.subject, "subject", "", "subject of the mailed report (default: a summary of the problems)")
	fs.StringVar(&f.sendmail, "sendmail", "/usr/sbin/sendmail", "the sendmail program to hand the message to")
	fs.BoolVar(&f.onlyProblems, "only-problems", false, "print or send nothing when all is clear: no TLS failures, deferrals, bounces, fatal errors, lines not understood, and Postfix lines were read")
	fs.StringVar(&f.failOn, "fail-on", "", "exit 1 when any of these problems is present: "+problemList())
}

// validate checks --fail-on, and that the flags of the message are not
// given where no message is written: --sendmail without --mail-to, or
// --mail-from and --subject without --mail-to or --format email.
func (f *mailFlags) validate(fs *flag.FlagSet, format string) error {
	if f.to == "" && flagSet(fs, "sendmail") {
		return usagef("pftls report --mail-to postmaster@example.com --sendmail "+f.sendmail, "--sendmail hands a message to sendmail, and only --mail-to sends one")
	}
	if f.to == "" && format != "email" {
		for _, h := range [][2]string{{"mail-from", "pftls@example.com"}, {"subject", "'pftls daily'"}} {
			if flagSet(fs, h[0]) {
				return usagef("pftls report --mail-to postmaster@example.com --"+h[0]+" "+h[1], "--%s sets a header of the mailed report: add --mail-to (or --format email)", h[0])
			}
		}
	}
	if f.to != "" {
		var err error
		if f.toAddrs, err = mailTo(f.to); err != nil {
			return usagef("pftls report --mail-to 'postmaster@example.com, Jörg Muster <joerg@example.com>'", "--mail-to %q: %v", f.to, err)
		}
	}
	if f.from != "" {
		if strings.ContainsAny(f.from, "\r\n") {
			return usagef("pftls report --mail-to postmaster@example.com --mail-from 'pftls <pftls@example.com>'", "--mail-from %q: contains a line break", f.from)
		}
		if _, err := mail.ParseAddress(f.from); err != nil {
			return usagef("pftls report --mail-to postmaster@example.com --mail-from 'pftls <pftls@example.com>'", "--mail-from %q: %v", f.from, err)
		}
	}
	for c := range splitList(f.failOn) {
		if !slices.Contains(report.Problems, report.Problem(c)) {
			return usagef("pftls report --fail-on tls,deferred,bounced,fatal,unreadable,empty", "--fail-on %q: want some of %s", c, problemList())
		}
	}
	return nil
}

// problemList is the --fail-on categories, comma-separated.
func problemList() string { return strings.Join(problemNames(), ",") }

// problemNames are the names --fail-on takes (and completion offers).
func problemNames() []string {
	var names []string
	for _, p := range report.Problems {
		names = append(names, string(p))
	}
	return names
}

// failOnResult returns errProblems when a --fail-on category is present.
func (f *mailFlags) failOnResult(m *report.Model) error {
	for c := range splitList(f.failOn) {
		if m.Has(report.Problem(c)) {
			return errProblems
		}
	}
	return nil
}

// emailOptions fills the message headers.
func (f *mailFlags) emailOptions(m *report.Model, windowLabel string, now time.Time) report.EmailOptions {
	host := hostname()
	label := host
	if len(m.Hosts) == 1 {
		label = report.TerminalSafe(m.Hosts[0]) // log text: no controls in a header
		if r := []rune(label); len(r) > 64 {
			label = string(r[:63]) + "…"
		}
	} else if len(m.Hosts) > 1 {
		label = fmt.Sprintf("%d hosts", len(m.Hosts))
	}
	from := f.from
	if from == "" {
		from = "pftls <" + currentUser() + "@" + host + ">"
		if _, err := mail.ParseAddress(from); err != nil {
			from = "pftls <root@localhost>" // a user or host name no address can carry
		}
	}
	subject := f.subject
	if subject == "" {
		subject = report.Subject(m, label, windowLabel)
	}
	return report.EmailOptions{From: from, To: f.toAddrs, Subject: subject, Date: now, Host: host}
}

// sendMail hands the message to sendmail -t -i and reports its failure
// with what it printed.
func sendMail(ctx context.Context, sendmail string, msg []byte) error {
	return sendMailWithin(ctx, sendmail, msg, sendmailTimeout)
}

// sendmailTimeout is how long sendmail may take before it is killed: a
// hanging sendmail held the cron job forever.
const sendmailTimeout = 60 * time.Second

func sendMailWithin(ctx context.Context, sendmail string, msg []byte, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, sendmail, "-t", "-i")
	cmd.WaitDelay = time.Second // a child holding the output open does not hold us
	cmd.Stdin = bytes.NewReader(msg)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			return fmt.Errorf("%s -t -i: no answer within %s: killed; the report was not sent", sendmail, limit)
		}
		return fmt.Errorf("%s -t -i: %w: %s", sendmail, err, strings.TrimSpace(out.String()))
	}
	return nil
}

func writeEmail(w io.Writer, m *report.Model, eo report.EmailOptions, ro report.RenderOptions) ([]byte, error) {
	var buf bytes.Buffer
	if err := report.WriteEmail(&buf, m, eo, ro); err != nil {
		return nil, err
	}
	if w != nil {
		_, err := w.Write(buf.Bytes())
		return buf.Bytes(), err
	}
	return buf.Bytes(), nil
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return h
}

func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "root"
}

// mailTo parses --mail-to (RFC 5322 addresses, comma-separated, display
// names allowed: "Jörg Muster <joerg@example.com>") into the addresses of
// the To: header, each once, sorted. A line break is never part of one.
func mailTo(list string) ([]string, error) {
	if strings.ContainsAny(list, "\r\n") {
		return nil, errors.New("contains a line break")
	}
	addrs, err := mail.ParseAddressList(list)
	if err != nil {
		return nil, err
	}
	seen := map[string]string{}
	for _, a := range addrs {
		if _, ok := seen[strings.ToLower(a.Address)]; !ok {
			seen[strings.ToLower(a.Address)] = a.String()
		}
	}
	var to []string
	for _, k := range slices.Sorted(maps.Keys(seen)) {
		to = append(to, seen[k])
	}
	return to, nil
}

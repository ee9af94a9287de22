package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
	"github.com/pftls/pftls/report"
)

var updateShapes = flag.Bool("update-shapes", false, "rewrite testdata/inputs from testdata/logs")

// shapeSources are the scenario logs (cuts of the real corpus, host mail,
// Nov 23 2026) merged into testdata/inputs/classic.log: TLS failures of
// several kinds, deferrals, a bounce, local deliveries and every trust
// level.
var shapeSources = []string{
	"tls-untrusted-issuer.log", "tls-name-mismatch.log", "tls-trust-levels.log", "remote-reject.log",
	"connection-refused.log", "tls-handshake.log", "local-delivery.log", "tls-not-offered.log",
}

// inputShape writes one classic syslog line in another input shape.
type inputShape struct {
	file  string
	write func(w *bufio.Writer, l *logparse.Line, at time.Time, n int)
}

const shapesDir = "../../testdata/inputs"

// inputShapes are the shapes of issue 17, each as the program that writes
// it would. n is the line's number, for cursors and sequence IDs.
var inputShapes = []inputShape{
	{"syslog-pri.log", func(w *bufio.Writer, l *logparse.Line, at time.Time, n int) {
		fmt.Fprintf(w, "<22>%s\n", l.Raw)
	}},
	{"rfc5424.log", func(w *bufio.Writer, l *logparse.Line, at time.Time, n int) {
		fmt.Fprintf(w, "<22>1 %s %s %s %d - [meta sequenceId=\"%d\"] %s\n", at.Format("2006-01-02T15:04:05.000000Z07:00"), l.Host, l.Program, l.PID, n, message(l))
	}},
	{"rfc5424-rsyslog-appname.log", func(w *bufio.Writer, l *logparse.Line, at time.Time, n int) {
		app, _, _ := strings.Cut(l.Program, "/")
		fmt.Fprintf(w, "<22>1 %s %s %s %d - - \ufeff%s\n", at.Format("2006-01-02T15:04:05.000000+00:00"), l.Host, app, l.PID, message(l))
	}},
	{"journal.json", func(w *bufio.Writer, l *logparse.Line, at time.Time, n int) {
		b, _ := json.Marshal(map[string]string{
			"__CURSOR": fmt.Sprintf("s=5a1e;i=%x;b=1c0d;m=%x;t=%x;x=9f", n, n*1000, at.UnixMicro()), "__REALTIME_TIMESTAMP": fmt.Sprint(at.UnixMicro()),
			"_HOSTNAME": l.Host, "SYSLOG_IDENTIFIER": l.Program, "_PID": fmt.Sprint(l.PID), "PRIORITY": "6",
			"_SYSTEMD_UNIT": "postfix@-.service", "MESSAGE": message(l),
		})
		fmt.Fprintf(w, "%s\n", b)
	}},
	{"journal-short-unix.log", func(w *bufio.Writer, l *logparse.Line, at time.Time, n int) {
		fmt.Fprintf(w, "%d.%06d %s %s[%d]: %s\n", at.Unix(), at.Nanosecond()/1000, l.Host, l.Program, l.PID, message(l))
	}},
	{"journal-short-full.log", func(w *bufio.Writer, l *logparse.Line, at time.Time, n int) {
		fmt.Fprintf(w, "%s %s %s[%d]: %s\n", at.Format("Mon 2006-01-02 15:04:05 MST"), l.Host, l.Program, l.PID, message(l))
	}},
	{"docker-timestamps.log", func(w *bufio.Writer, l *logparse.Line, at time.Time, n int) {
		fmt.Fprintf(w, "%s %s\n", at.Add(time.Millisecond).Format(time.RFC3339Nano), l.Raw)
	}},
	{"kubernetes-cri.log", func(w *bufio.Writer, l *logparse.Line, at time.Time, n int) {
		stamp := at.Add(time.Millisecond).Format(time.RFC3339Nano)
		line := l.Raw
		for len(line) > 120 { // the runtime splits long lines
			fmt.Fprintf(w, "%s stdout P %s\n", stamp, line[:120])
			line = line[120:]
		}
		fmt.Fprintf(w, "%s stdout F %s\n", stamp, line)
	}},
	{"docker-compose.log", func(w *bufio.Writer, l *logparse.Line, at time.Time, n int) {
		fmt.Fprintf(w, "postfix-1  | %s\n", l.Raw)
	}},
	{"container-no-host.log", func(w *bufio.Writer, l *logparse.Line, at time.Time, n int) {
		level := "INFO   "
		if l.Severity != logparse.SevInfo {
			level = "WARNING"
		}
		fmt.Fprintf(w, "%s %s %s[%d]: %s\n", at.Format("2006-01-02T15:04:05.000000+00:00"), level, l.Program, l.PID, message(l))
	}},
	{"filebeat.json", func(w *bufio.Writer, l *logparse.Line, at time.Time, n int) {
		b, _ := json.Marshal(map[string]any{"@timestamp": at.Add(2 * time.Second).Format(time.RFC3339Nano), "message": l.Raw,
			"host": map[string]string{"name": "collector"}, "log": map[string]any{"offset": n}})
		fmt.Fprintf(w, "%s\n", b)
	}},
}

// message is what follows the tag: the severity, the queue ID and the
// text, as Postfix wrote them.
func message(l *logparse.Line) string {
	_, msg, _ := strings.Cut(l.Raw, "]: ")
	return msg
}

// writeShapes makes testdata/inputs: classic.log from shapeSources, and
// each shape of it.
func writeShapes(t *testing.T) {
	type stamped struct {
		at   time.Time
		line string
	}
	var all []stamped
	r := logparse.Resolver{Year: 2026, Location: time.UTC}
	for _, name := range shapeSources {
		b, err := os.ReadFile(filepath.Join("../../testdata/logs", name))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			all = append(all, stamped{r.Time(logparse.ParseString(line).Stamp), line})
		}
	}
	slices.SortStableFunc(all, func(a, b stamped) int { return a.at.Compare(b.at) })
	if err := os.MkdirAll(shapesDir, 0o755); err != nil {
		t.Fatal(err)
	}
	var classic strings.Builder
	for _, s := range all {
		classic.WriteString(s.line + "\n")
	}
	if err := os.WriteFile(filepath.Join(shapesDir, "classic.log"), []byte(classic.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, shape := range inputShapes {
		f, err := os.Create(filepath.Join(shapesDir, shape.file))
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriter(f)
		for i, s := range all {
			l := logparse.ParseString(s.line)
			// The scenario stamps have whole seconds: give each line a
			// microsecond of its own so that order survives every shape.
			shape.write(w, &l, s.at.Add(time.Duration(i)*time.Microsecond), i+1)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}

// shapeSummary is what must be the same whatever the input shape: the
// totals, the TLS failures and the deferrals.
type shapeSummary struct {
	Totals      report.Totals
	TLSFailures []string
	Deferrals   []string
	Unparsed    int64
	Malformed   int64
}

func summarizeShape(m *report.Model) shapeSummary {
	s := shapeSummary{Totals: m.Totals, Unparsed: m.Lines.Unparsed, Malformed: m.Lines.Malformed}
	for _, f := range m.TLSFailures {
		s.TLSFailures = append(s.TLSFailures, fmt.Sprintf("%s %s %s x%d msgs=%d rcpts=%d %q", f.Domain, f.Kind, f.RFC8460, f.Count, f.Messages, f.Recipients, f.Detail))
	}
	for _, d := range m.Deferrals {
		s.Deferrals = append(s.Deferrals, fmt.Sprintf("%s deferrals=%d msgs=%d later=%d/%d expired=%d", d.Domain, d.Deferrals, d.Messages, d.LaterDelivered, d.LaterBounced, d.Expired))
	}
	return s
}

// TestInputShapesGiveTheSameReport: the same mail session, written as
// each input shape an admin may have (journald, containers, RFC 5424,
// JSON), gives the report of the classic syslog file, with every line
// understood.
func TestInputShapesGiveTheSameReport(t *testing.T) {
	if *updateShapes {
		writeShapes(t)
	}
	classic := reportJSON(t, filepath.Join(shapesDir, "classic.log"))
	want := summarizeShape(classic)
	if want.Totals.Delivered == 0 || len(want.TLSFailures) < 4 || len(want.Deferrals) < 4 || want.Totals.Bounced == 0 {
		t.Fatalf("classic.log is not the mixed session it should be: %+v", want)
	}
	for _, shape := range inputShapes {
		t.Run(shape.file, func(t *testing.T) {
			m := reportJSON(t, filepath.Join(shapesDir, shape.file))
			got := summarizeShape(m)
			if d := jsonLineDiff(got, want); d != "" {
				t.Errorf("%s differs from classic.log:\n%s", shape.file, d)
			}
			if m.Lines.Read == 0 {
				t.Errorf("%s: no lines read", shape.file)
			}
		})
	}
}

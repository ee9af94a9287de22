package logparse_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pftls/pftls/logparse"
)

// Severities, short for the tables.
const (
	info  = logparse.SevInfo
	warn  = logparse.SevWarning
	erro  = logparse.SevError
	fatal = logparse.SevFatal
	panc  = logparse.SevPanic
)

// env is the envelope a table case expects. Text is checked only when set.
type env struct {
	Host     string
	Program  string
	Service  string
	PID      int
	Severity logparse.Severity
	QueueID  string
	Text     string
}

// e builds an env: host, whole tag, daemon, pid, severity, queue ID.
func e(host, program, service string, pid int, sev logparse.Severity, qid string) env {
	return env{Host: host, Program: program, Service: service, PID: pid, Severity: sev, QueueID: qid}
}

// lineCase is one real (or reference) log line and what Parse must make of it.
type lineCase struct {
	name  string
	line  string
	env   env
	event logparse.Event
}

// runCases parses each line and compares the envelope and the event field
// by field. A failure lists only the fields that differ, then both values.
func runCases(t *testing.T, cases []lineCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			checkLine(t, tc)
		})
	}
}

func checkLine(t *testing.T, tc lineCase) {
	t.Helper()
	got := logparse.ParseString(tc.line)
	if got.Raw != tc.line {
		t.Errorf("Raw = %q, want the input line", got.Raw)
	}
	if b := logparse.Parse([]byte(tc.line)); !reflect.DeepEqual(b, got) {
		t.Errorf("Parse([]byte) and ParseString disagree:\n%s", diff(b, got))
	}
	gotEnv := env{
		Host: got.Host, Program: got.Program, Service: got.Service, PID: got.PID,
		Severity: got.Severity, QueueID: got.QueueID,
	}
	wantEnv := tc.env
	if wantEnv.Text != "" {
		gotEnv.Text = got.Text
	}
	if d := diff(gotEnv, wantEnv); d != "" {
		t.Errorf("envelope of\n  %s\n%s", tc.line, d)
	}
	if tc.event == nil {
		t.Fatal("test case has no event")
	}
	if got.Event == nil {
		t.Fatalf("Event is nil for\n  %s", tc.line)
	}
	if g, w := got.Event.Kind(), tc.event.Kind(); g != w {
		t.Errorf("kind = %s, want %s for\n  %s\ngot:  %+v\nwant: %+v", g, w, tc.line, got.Event, tc.event)
		return
	}
	if d := diff(got.Event, tc.event); d != "" {
		t.Errorf("%s event of\n  %s\n%s\ngot:  %+v\nwant: %+v", tc.event.Kind(), tc.line, d, got.Event, tc.event)
	}
}

// diff returns one line per differing field ("Event.Peer.Port: got 0, want
// 25"), or "" when got and want are deeply equal.
func diff(got, want any) string {
	var b strings.Builder
	diffValue(&b, "", reflect.ValueOf(got), reflect.ValueOf(want))
	return b.String()
}

func diffValue(b *strings.Builder, path string, g, w reflect.Value) {
	label := path
	if label == "" {
		label = "value"
	}
	if !g.IsValid() || !w.IsValid() {
		if g.IsValid() != w.IsValid() {
			fmt.Fprintf(b, "  %s: got %s, want %s\n", label, show(g), show(w))
		}
		return
	}
	if g.Type() != w.Type() {
		fmt.Fprintf(b, "  %s: got %s %s, want %s %s\n", label, g.Type(), show(g), w.Type(), show(w))
		return
	}
	switch g.Kind() {
	case reflect.Interface, reflect.Pointer:
		if g.IsNil() || w.IsNil() {
			if g.IsNil() != w.IsNil() {
				fmt.Fprintf(b, "  %s: got %s, want %s\n", label, show(g), show(w))
			}
			return
		}
		diffValue(b, path, g.Elem(), w.Elem())
	case reflect.Struct:
		for i := 0; i < g.NumField(); i++ {
			name := g.Type().Field(i).Name
			if path != "" {
				name = path + "." + name
			}
			diffValue(b, name, g.Field(i), w.Field(i))
		}
	case reflect.Array, reflect.Slice:
		if g.Len() != w.Len() {
			fmt.Fprintf(b, "  %s: got %s, want %s\n", label, show(g), show(w))
			return
		}
		for i := 0; i < g.Len(); i++ {
			diffValue(b, fmt.Sprintf("%s[%d]", path, i), g.Index(i), w.Index(i))
		}
	default:
		if !g.CanInterface() || !w.CanInterface() {
			if fmt.Sprint(g) != fmt.Sprint(w) {
				fmt.Fprintf(b, "  %s: got %v, want %v\n", label, g, w)
			}
			return
		}
		if !reflect.DeepEqual(g.Interface(), w.Interface()) {
			fmt.Fprintf(b, "  %s: got %s, want %s\n", label, show(g), show(w))
		}
	}
}

func show(v reflect.Value) string {
	if !v.IsValid() {
		return "<nil>"
	}
	if v.Kind() == reflect.String {
		return fmt.Sprintf("%q", v.String())
	}
	if v.CanInterface() {
		return fmt.Sprintf("%#v", v.Interface())
	}
	return fmt.Sprint(v)
}

func TestDiffHelper(t *testing.T) {
	type inner struct{ A, B int }
	type outer struct {
		S  string
		In inner
		Ev logparse.Event
	}
	if d := diff(outer{S: "x", In: inner{1, 2}}, outer{S: "x", In: inner{1, 2}}); d != "" {
		t.Errorf("equal values: diff = %q", d)
	}
	d := diff(
		outer{S: "x", In: inner{1, 2}, Ev: logparse.Removed{}},
		outer{S: "y", In: inner{1, 3}, Ev: logparse.Removed{ByAdmin: true}},
	)
	for _, want := range []string{`S: got "x", want "y"`, "In.B: got 2, want 3", "Ev.ByAdmin: got false, want true"} {
		if !strings.Contains(d, want) {
			t.Errorf("diff does not mention %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "In.A") {
		t.Errorf("diff mentions an equal field:\n%s", d)
	}
	d = diff(outer{Ev: logparse.Removed{}}, outer{Ev: logparse.Notice{}})
	if !strings.Contains(d, "logparse.Removed") || !strings.Contains(d, "logparse.Notice") {
		t.Errorf("type mismatch not shown:\n%s", d)
	}
}

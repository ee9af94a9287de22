package main

import (
	"testing"
	"time"

	"github.com/pftls/pftls/aggregate"
	"github.com/pftls/pftls/report"
)

func TestKeys(t *testing.T) {
	tests := []struct {
		name  string
		start report.LiveView
		in    []string // one read each
		want  report.LiveView
		act   keyAction // of the last read
	}{
		{"q quits", report.LiveView{}, []string{"q"}, report.LiveView{}, keyQuit},
		{"Ctrl-C quits", report.LiveView{}, []string{"\x03"}, report.LiveView{}, keyQuit},
		{"Ctrl-D quits while typing", report.LiveView{Typing: true}, []string{"\x04"}, report.LiveView{Typing: true}, keyQuit},
		{"q while typing is a letter", report.LiveView{}, []string{"/", "q"}, report.LiveView{Typing: true, Input: "q"}, keyRedraw},
		{"Ctrl-Z suspends", report.LiveView{}, []string{"\x1a"}, report.LiveView{}, keySuspend},
		{"s cycles the sort", report.LiveView{}, []string{"s", "s"}, report.LiveView{Sort: report.SortName}, keyRedraw},
		{"s four times is back to problems", report.LiveView{}, []string{"ssss"}, report.LiveView{}, keyRedraw},
		{"filter typed and applied", report.LiveView{}, []string{"/", "ex", "am", "\r"}, report.LiveView{Filter: "exam"}, keyRedraw},
		{"backspace", report.LiveView{}, []string{"/", "abc", "\x7f", "\r"}, report.LiveView{Filter: "ab"}, keyRedraw},
		{"backspace a multibyte rune", report.LiveView{}, []string{"/", "bü", "\x7f", "\r"}, report.LiveView{Filter: "b"}, keyRedraw},
		{"Esc while typing clears", report.LiveView{Filter: "old"}, []string{"/", "x", "\x1b"}, report.LiveView{}, keyRedraw},
		{"Esc clears the filter", report.LiveView{Filter: "old"}, []string{"\x1b"}, report.LiveView{}, keyRedraw},
		{"/ edits the filter", report.LiveView{Filter: "old"}, []string{"/"}, report.LiveView{Filter: "old", Typing: true, Input: "old"}, keyRedraw},
		{"arrow keys are passed over", report.LiveView{}, []string{"\x1b[A", "\x1bOB"}, report.LiveView{}, keyNone},
		{"arrow keys while typing", report.LiveView{}, []string{"/", "a\x1b[Db"}, report.LiveView{Typing: true, Input: "ab"}, keyRedraw},
		{"p pauses and resumes", report.LiveView{}, []string{"p"}, report.LiveView{Paused: true}, keyRedraw},
		{"p again", report.LiveView{Paused: true}, []string{"p"}, report.LiveView{}, keyRedraw},
		{"? shows the keys, any key closes them", report.LiveView{}, []string{"?", "s"}, report.LiveView{}, keyRedraw},
		{"q in the help quits", report.LiveView{Help: true}, []string{"q"}, report.LiveView{Help: true}, keyQuit},
		{"other keys do nothing", report.LiveView{}, []string{"x"}, report.LiveView{}, keyNone},
		{"quit wins over a redraw in one read", report.LiveView{}, []string{"sq"}, report.LiveView{Sort: report.SortAttempts}, keyQuit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.start
			var act keyAction
			for _, in := range tt.in {
				act = press(&v, []byte(in))
			}
			if v != tt.want || act != tt.act {
				t.Errorf("after %q: %+v, action %d; want %+v, action %d", tt.in, v, act, tt.want, tt.act)
			}
		})
	}
}

func TestUseColor(t *testing.T) {
	tests := []struct {
		mode, noColor, term string
		want                bool
	}{
		{"auto", "", "xterm-256color", true},
		{"auto", "1", "xterm-256color", false},
		{"auto", "", "dumb", false},
		{"auto", "", "", false},
		{"never", "", "xterm", false},
		{"always", "1", "dumb", true},
	}
	for _, tt := range tests {
		env := map[string]string{"NO_COLOR": tt.noColor, "TERM": tt.term}
		if got := useColor(tt.mode, func(k string) string { return env[k] }); got != tt.want {
			t.Errorf("useColor(%s, NO_COLOR=%q TERM=%q) = %v, want %v", tt.mode, tt.noColor, tt.term, got, tt.want)
		}
	}
}

// TestTailShow: only the live view on a file is primed with the last
// window, and its replay reaches the view and its counter, not the
// alerter.
func TestTailShow(t *testing.T) {
	tests := []struct {
		name       string
		f          tailFlags
		path       string
		onTerminal bool
		want       aggregate.TailShow
	}{
		{"live view", tailFlags{window: time.Minute}, "mail.log", true, aggregate.ShowWindow},
		{"event stream", tailFlags{window: time.Minute}, "mail.log", false, aggregate.ShowNew},
		{"stdin", tailFlags{window: time.Minute}, "-", true, aggregate.ShowNew},
		{"--resume", tailFlags{resume: true}, "mail.log", true, aggregate.ShowResumed},
		{"--from-start", tailFlags{fromStart: true}, "mail.log", true, aggregate.ShowFromStart},
	}
	for _, tt := range tests {
		tl := &tailer{f: &tt.f, live: report.NewLive(time.Minute, 10)}
		opts := aggregate.TailOptions{Path: tt.path}
		tl.show(&opts, tt.onTerminal)
		if opts.Show != tt.want {
			t.Errorf("%s: show %d, want %d", tt.name, opts.Show, tt.want)
		}
		if opts.Show == aggregate.ShowWindow && (opts.Window != time.Minute || len(opts.Prime) != 2) {
			t.Errorf("%s: window %v, %d consumers of the replay; want 1m and 2 (count, view)", tt.name, opts.Window, len(opts.Prime))
		}
	}
}

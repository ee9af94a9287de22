package report

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// TestLiveColorGolden: with colour the frame is the plain frame with
// codes around its lines; the codes are in a golden file of their own.
func TestLiveColorGolden(t *testing.T) {
	m := liveGoldenModel()
	var plain, color bytes.Buffer
	if err := RenderLive(&plain, m, 100, 30); err != nil {
		t.Fatal(err)
	}
	if err := RenderLiveStyled(&color, m, 100, 30, LiveStyle{Color: true}); err != nil {
		t.Fatal(err)
	}
	if got := ansi.ReplaceAllString(color.String(), ""); got != plain.String() {
		t.Errorf("the coloured frame without its codes is not the plain frame:\n%s", lineDiff(plain.Bytes(), []byte(got)))
	}
	if !strings.Contains(color.String(), "\x1b[31m") || !strings.Contains(color.String(), "\x1b[1mpftls tail") {
		t.Errorf("no red or no bold title in:\n%q", color.String())
	}
	path := filepath.Join(goldenDir, "live-color-100x30.txt")
	if *update {
		if err := os.WriteFile(path, color.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run: go test ./report -run TestLiveColorGolden -update)", err)
	}
	if d := lineDiff(want, color.Bytes()); d != "" {
		t.Errorf("%s differs (-update rewrites it):\n%s", path, d)
	}
}

// TestLiveColorTones: a domain with problems is red, a quiet one is not,
// an error line yellow, a fatal line red.
func TestLiveColorTones(t *testing.T) {
	m := liveGoldenModel()
	var out bytes.Buffer
	if err := RenderLiveStyled(&out, m, 200, 50, LiveStyle{Color: true}); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(out.String(), "\n") {
		plain := ansi.ReplaceAllString(l, "")
		for _, d := range m.Domains {
			if !strings.HasPrefix(plain, d.Domain+" ") {
				continue
			}
			red := strings.HasPrefix(l, "\x1b[31m")
			if want := d.TLSFailures+d.Deferrals+d.Bounced > 0; red != want {
				t.Errorf("%s: red %v, want %v: %q", d.Domain, red, want, l)
			}
		}
		if strings.Contains(plain, " fatal ") && !strings.HasPrefix(l, "\x1b[31m") {
			t.Errorf("fatal line not red: %q", l)
		}
	}
}

// TestLiveUnreadable: while the log cannot be read, the stats line starts
// with why, in red, and a narrow screen still shows it.
func TestLiveUnreadable(t *testing.T) {
	m := liveGoldenModel()
	m.View.Filter = "bank"
	m.Unreadable = "open /var/log/mail.log: permission denied"
	const want = "CANNOT READ THE LOG: open /var/log/mail.log: permission denied"
	for _, width := range []int{200, 100, 60} {
		var out bytes.Buffer
		if err := RenderLiveStyled(&out, m, width, 30, LiveStyle{Color: true}); err != nil {
			t.Fatal(err)
		}
		stats := strings.Split(out.String(), "\n")[1]
		// Whole on a wide screen, cut at the width on a narrow one.
		if plain := ansi.ReplaceAllString(stats, ""); !strings.HasPrefix(plain, want) && (width >= len(want) || !strings.HasPrefix(want, strings.TrimSuffix(plain, "…"))) {
			t.Errorf("%d columns: stats line %q, want it to start with %q", width, plain, want)
		}
		if !strings.HasPrefix(stats, "\x1b[31m") {
			t.Errorf("%d columns: stats line not red: %q", width, stats)
		}
	}
	m.Unreadable = ""
	var out bytes.Buffer
	if err := RenderLiveStyled(&out, m, 100, 30, LiveStyle{Color: true}); err != nil {
		t.Fatal(err)
	}
	if stats := strings.Split(out.String(), "\n")[1]; strings.Contains(stats, "CANNOT READ") || strings.HasPrefix(stats, "\x1b[31m") {
		t.Errorf("stats line of a readable log: %q", stats)
	}
}

func TestLiveViewSortAndFilter(t *testing.T) {
	m := liveGoldenModel()
	names := func(m LiveModel) []string {
		var s []string
		for _, d := range m.arranged().Domains {
			s = append(s, d.Domain)
		}
		return s
	}
	m.View.Sort = SortName
	got := names(m)
	for i := 1; i < len(got); i++ {
		if got[i-1] > got[i] {
			t.Fatalf("sort by name: %v", got)
		}
	}
	m.View.Sort = SortAttempts
	ds := m.arranged().Domains
	for i := 1; i < len(ds); i++ {
		if ds[i-1].Attempts < ds[i].Attempts {
			t.Fatalf("sort by attempts: %v before %v", ds[i-1], ds[i])
		}
	}
	m.View.Sort = SortLastSeen
	ds = m.arranged().Domains
	for i := 1; i < len(ds); i++ {
		if ds[i-1].LastSeen.Before(ds[i].LastSeen) {
			t.Fatalf("sort by last seen: %v before %v", ds[i-1], ds[i])
		}
	}
	if SortLastSeen.Next() != SortProblems {
		t.Error("the sorts do not cycle")
	}
	want := m.Domains[0].Domain
	m.View = LiveView{Filter: strings.ToUpper(want[1:4])}
	a := m.arranged()
	if len(a.Domains) == 0 || len(a.Domains) == len(m.Domains) {
		t.Fatalf("filter %q kept %d of %d domains", m.View.Filter, len(a.Domains), len(m.Domains))
	}
	for _, e := range a.Recent {
		if !strings.Contains(strings.ToLower(e.Domain), strings.ToLower(m.View.Filter)) {
			t.Errorf("filter %q kept a problem of %q", m.View.Filter, e.Domain)
		}
	}
	var out bytes.Buffer
	if err := RenderLive(&out, m, 100, 30); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "filter: "+m.View.Filter) {
		t.Errorf("the filter is not shown:\n%s", out.String())
	}
}

func TestLiveViewPausedAndHelp(t *testing.T) {
	m := liveGoldenModel()
	m.View = LiveView{Paused: true, Help: true}
	var out bytes.Buffer
	if err := RenderLive(&out, m, 100, 30); err != nil {
		t.Fatal(err)
	}
	checkFits(t, out.String(), 100, 30)
	s := out.String()
	if !strings.Contains(strings.SplitN(s, "\n", 2)[0], "PAUSED") {
		t.Errorf("no PAUSED in the title:\n%s", s)
	}
	if !strings.Contains(s, "sort the domains") || strings.Contains(s, "DOMAIN") {
		t.Errorf("help does not replace the tables:\n%s", s)
	}
}

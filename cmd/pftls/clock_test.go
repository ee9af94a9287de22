package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestNowDecidesTheYear: every command takes "now" from the one clock,
// $PFTLS_NOW. Standard input has no modification time, so the year of its
// year-less stamps ("Nov 23 00:19:54") is the one that puts them just before
// now: 2031 here, whatever year the machine's clock says.
func TestNowDecidesTheYear(t *testing.T) {
	t.Setenv("PFTLS_NOW", "2031-12-01T00:00:00Z")
	in := strings.Join(corpusLines(t)[:300], "")
	const year = "2031-11-23T"

	t.Run("parse", func(t *testing.T) {
		code, out, errOut := runCLI(t, in, "parse", "--tz", "UTC", "-")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		first, _, _ := strings.Cut(out, "\n")
		var l struct{ Time string }
		if err := json.Unmarshal([]byte(first), &l); err != nil {
			t.Fatalf("parse output: %v: %q", err, first)
		}
		if !strings.HasPrefix(l.Time, year) {
			t.Errorf("parse: time %q, want it in %s (from PFTLS_NOW)", l.Time, year)
		}
	})

	window := func(t *testing.T, out string) {
		t.Helper()
		var m struct {
			Window struct{ From, To string }
		}
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("report JSON: %v", err)
		}
		if !strings.HasPrefix(m.Window.From, year) || !strings.HasPrefix(m.Window.To, year) {
			t.Errorf("report window %s..%s, want it in %s (from PFTLS_NOW)", m.Window.From, m.Window.To, year)
		}
	}
	t.Run("report", func(t *testing.T) {
		code, out, errOut := runCLI(t, in, "report", "--db", ":memory:", "--format", "json", "--tz", "UTC", "-")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		window(t, out)
	})

	t.Run("ingest", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "pftls.db")
		if code, _, errOut := runCLI(t, in, "ingest", "-q", "--db", db, "--tz", "UTC", "-"); code != exitOK {
			t.Fatalf("ingest: exit %d: %s", code, errOut)
		}
		code, out, errOut := runCLI(t, "", "report", "--db", db, "--all", "--format", "json", "--tz", "UTC")
		if code != exitOK {
			t.Fatalf("report: exit %d: %s", code, errOut)
		}
		window(t, out)
	})
}

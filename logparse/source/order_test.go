package source

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// touch creates name in dir with the given modification time.
func touch(t *testing.T, dir, name string, mtime time.Time) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOrder(t *testing.T) {
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	type file struct {
		name  string
		mtime int // hours after base
	}
	tests := []struct {
		name  string
		files []file // listed in the order they must come out
	}{
		{
			name: "rotation numbers",
			// The same mtime for all: the names alone decide.
			files: []file{{"mail.log.10.gz", 0}, {"mail.log.2.gz", 0}, {"mail.log.1", 0}, {"mail.log", 0}},
		},
		{
			name: "numbers beat misleading mtimes",
			files: []file{{"mail.log.3.bz2", 9}, {"mail.log.2.zst", 5}, {"mail.log.1", 1},
				{"mail.log", 0}},
		},
		{
			name: "dated suffixes",
			files: []file{{"maillog-20260222.gz", 9}, {"maillog-20260301.gz", 0}, {"maillog-20260308", 0},
				{"maillog", 0}},
		},
		{
			name:  "dated with dashes and hours",
			files: []file{{"mail.log-2026-02-28.gz", 0}, {"mail.log-2026-03-01", 0}, {"mail.log", 0}},
		},
		{
			name: "families by modification time",
			files: []file{
				{"b/mail.log.1", 1}, {"b/mail.log", 30},
				{"a/mail.log.2.gz", 2}, {"a/mail.log.1", 20}, {"a/mail.log", 40},
				{"mail.err", 3},
				{"other.txt", 50},
			},
		},
		{
			name:  "numbers before dates in a mixed family",
			files: []file{{"mail.log.2.gz", 0}, {"mail.log.1", 0}, {"mail.log-20260301", 0}, {"mail.log", 0}},
		},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			var want []string
			for _, f := range tt.files {
				want = append(want, touch(t, dir, f.name, base.Add(time.Duration(f.mtime)*time.Hour)))
			}
			want = append(want, "-")
			for range 20 {
				in := append([]string(nil), want...)
				rng.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
				got, err := Order(in)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("Order(%s)\n got %s\nwant %s", rel(dir, in), rel(dir, got), rel(dir, want))
				}
			}
		})
	}
}

func rel(dir string, paths []string) string {
	var names []string
	for _, p := range paths {
		names = append(names, strings.TrimPrefix(p, dir+string(filepath.Separator)))
	}
	return strings.Join(names, " ")
}

func TestOrderMissingFile(t *testing.T) {
	dir := t.TempDir()
	live := touch(t, dir, "mail.log", time.Now())
	missing := filepath.Join(dir, "mail.log.1")
	_, err := Order([]string{live, missing})
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("Order with a missing file = %v, want an error naming %s", err, missing)
	}
}

func TestParseRotated(t *testing.T) {
	tests := []struct {
		path   string
		family string
		kind   rotation
		number int64
		date   string
	}{
		{"/var/log/mail.log", "/var/log/mail.log", live, 0, ""},
		{"/var/log/mail.log.1", "/var/log/mail.log", numbered, 1, ""},
		{"/var/log/mail.log.10.gz", "/var/log/mail.log", numbered, 10, ""},
		{"maillog-20260301", "maillog", dated, 0, "20260301"},
		{"maillog-20260301.gz", "maillog", dated, 0, "20260301"},
		{"maillog.20260301.xz", "maillog", dated, 0, "20260301"},
		{"maillog-2026030114", "maillog", dated, 0, "2026030114"},
		{"mail.log-2026-03-01.zst", "mail.log", dated, 0, "20260301"},
		{"mail.log.gz", "mail.log", live, 0, ""},
		{"mail-2", "mail-2", live, 0, ""},
		{".gz", ".gz", live, 0, ""},
		{"1", "1", live, 0, ""},
		{"mail.log.1234567", "mail.log.1234567", live, 0, ""},
	}
	for _, tt := range tests {
		f := parseRotated(tt.path)
		if f.family != tt.family || f.kind != tt.kind || f.number != tt.number || f.date != tt.date {
			t.Errorf("parseRotated(%q) = family %q kind %d number %d date %q; want %q %d %d %q",
				tt.path, f.family, f.kind, f.number, f.date, tt.family, tt.kind, tt.number, tt.date)
		}
	}
}

func TestDefaultLog(t *testing.T) {
	dir := t.TempDir()
	maillog := filepath.Join(dir, "maillog")
	mailLog := touch(t, dir, "mail.log", time.Now())
	if err := os.Mkdir(filepath.Join(dir, "isdir"), 0o755); err != nil {
		t.Fatal(err)
	}

	got, err := DefaultLog([]string{filepath.Join(dir, "isdir"), maillog, mailLog})
	if err != nil || got != mailLog {
		t.Errorf("DefaultLog = %q, %v; want %q", got, err, mailLog)
	}

	_, err = DefaultLog([]string{maillog})
	if err == nil {
		t.Fatal("DefaultLog found a log that does not exist")
	}
	for _, want := range []string{maillog, "journalctl -u postfix -o short-iso | pftls parse -"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

// TestSiblings: the rotated copies of a log, by logrotate's names, oldest
// first; other logs in the directory are not among them.
func TestSiblings(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"mail.log", "mail.log.1", "mail.log.2.gz", "mail.log-20261205", "mail.log-20261128.gz",
		"mail.err", "mail.err.1", "maillog", "maillog-20261205", "maillog.1", "mail.log.bak"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		live string
		want []string
	}{
		{"mail.log", []string{"mail.log.2.gz", "mail.log.1", "mail.log-20261128.gz", "mail.log-20261205"}},
		{"maillog", []string{"maillog.1", "maillog-20261205"}},
		{"mail.err", []string{"mail.err.1"}},
	} {
		got, err := Siblings(filepath.Join(dir, tc.live))
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			got[i] = filepath.Base(got[i])
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Siblings(%s) = %v, want %v", tc.live, got, tc.want)
		}
	}
}

func TestInRotation(t *testing.T) {
	const live = "/var/log/mail.log"
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"/var/log/mail.log", true},
		{"/var/log/mail.log.1", true},
		{"/var/log/mail.log.2.gz", true},
		{"/var/log/mail.log-20261205", true},
		{"/var/log/mail.log-20261205.gz", true},
		{"/var/log/mail.log-2026-12-05.zst", true},
		{"/var/log/mail.log.bak", false}, // starts like it, another log
		{"/var/log/mail.log.old.1", false},
		{"/var/log/mail.log.gz", false}, // the live log compressed is not a rotated copy
		{"/var/log/mail.err.1", false},
		{"/var/log/maillog.1", false},
		{"/tmp/mail.log.1", false}, // another directory
	} {
		if got := InRotation(live, tc.path); got != tc.want {
			t.Errorf("InRotation(%q, %q) = %v, want %v", live, tc.path, got, tc.want)
		}
	}
	if InRotation("/var/log/mail.log.1", "/var/log/mail.log.2") {
		t.Error("a rotated copy was taken for a live log")
	}
}

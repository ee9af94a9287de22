package source

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Order sorts paths oldest first: files of one rotation family (mail.log,
// mail.log.1, mail.log.2.gz, also dated suffixes like mail.log-20260301 /
// mail.log-20260301.gz) by rotation number descending (higher number =
// older; dated suffix = older than the live file, ordered by date),
// different families by modification time; "-" stays last. Returns an error
// for a missing file naming it.
//
// Order reads only names and modification times, never content. A family is
// a directory and a base name; its members are the base name followed by
// ".N" (a rotation number), by "-YYYYMMDD", "-YYYYMMDDHH" or
// "-YYYY-MM-DD" (a date; "." works too), or by nothing (the live file), each
// optionally followed by ".gz", ".bz2", ".zst" or ".xz". In a family that
// mixes numbers and dates, the numbered files come first. Families are
// ordered by the modification time of their oldest member.
func Order(paths []string) ([]string, error) {
	var files []rotated
	var stdin []string
	for _, p := range paths {
		if p == "-" {
			stdin = append(stdin, p)
			continue
		}
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err // *fs.PathError: "stat PATH: no such file or directory"
		}
		f := parseRotated(p)
		f.mtime = fi.ModTime()
		files = append(files, f)
	}

	// Each family is ordered by its oldest member's modification time.
	since := map[string]time.Time{}
	for _, f := range files {
		if t, ok := since[f.family]; !ok || f.mtime.Before(t) {
			since[f.family] = f.mtime
		}
	}
	slices.SortStableFunc(files, func(a, b rotated) int {
		if a.family != b.family {
			if c := since[a.family].Compare(since[b.family]); c != 0 {
				return c
			}
			return strings.Compare(a.family, b.family)
		}
		return cmp.Or(
			cmp.Compare(a.kind, b.kind),
			cmp.Compare(b.number, a.number), // higher number is older
			cmp.Compare(len(a.date), len(b.date)),
			strings.Compare(a.date, b.date),
			a.mtime.Compare(b.mtime),
			strings.Compare(a.path, b.path),
		)
	})

	out := make([]string, 0, len(paths))
	for _, f := range files {
		out = append(out, f.path)
	}
	return append(out, stdin...), nil
}

// rotated is one path as Order sees it.
type rotated struct {
	path   string
	family string   // directory and base name of the live file
	kind   rotation // older kinds sort first
	number int64    // for numbered
	date   string   // digits only, for dated
	mtime  time.Time
}

type rotation int

const (
	numbered rotation = iota
	dated
	live
)

// parseRotated works out which family path belongs to and where in it.
func parseRotated(path string) rotated {
	dir, base := filepath.Split(path)
	f := rotated{path: path, kind: live}
	stem := base
	for _, ext := range []string{".gz", ".bz2", ".zst", ".xz"} {
		if s, ok := strings.CutSuffix(stem, ext); ok && s != "" {
			stem = s
			break
		}
	}
	if s, date, ok := cutDate(stem); ok {
		stem, f.kind, f.date = s, dated, date
	} else if s, n, ok := cutNumber(stem); ok {
		stem, f.kind, f.number = s, numbered, n
	}
	f.family = dir + stem
	return f
}

// cutDate splits "mail.log-20260301" (or "-2026030112", "-2026-03-01",
// with "." in place of the first "-") into "mail.log" and "20260301".
func cutDate(s string) (stem, date string, ok bool) {
	if i := len(s) - 11; i > 0 && isSep(s[i]) && s[i+5] == '-' && s[i+8] == '-' {
		d := s[i+1:i+5] + s[i+6:i+8] + s[i+9:]
		if allDigits(d) {
			return s[:i], d, true
		}
	}
	for _, width := range []int{8, 10} {
		if i := len(s) - width - 1; i > 0 && isSep(s[i]) && allDigits(s[i+1:]) {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// cutNumber splits "mail.log.2" into "mail.log" and 2. Rotation numbers
// have at most six digits, so a date is never taken for one.
func cutNumber(s string) (stem string, n int64, ok bool) {
	i := strings.LastIndexByte(s, '.')
	if i <= 0 || len(s)-i-1 > 6 || !allDigits(s[i+1:]) {
		return s, 0, false
	}
	n, err := strconv.ParseInt(s[i+1:], 10, 64)
	if err != nil {
		return s, 0, false
	}
	return s[:i], n, true
}

func isSep(c byte) bool { return c == '.' || c == '-' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// DefaultLogPaths are where syslog daemons usually write Postfix's log:
// Red Hat style first, then Debian style.
var DefaultLogPaths = []string{"/var/log/maillog", "/var/log/mail.log"}

// DefaultLog returns the first of candidates that exists as a file, or an
// error that says none exists and hints at reading the systemd journal
// instead. A nil candidates means DefaultLogPaths.
func DefaultLog(candidates []string) (string, error) {
	if candidates == nil {
		candidates = DefaultLogPaths
	}
	for _, p := range candidates {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", fmt.Errorf("source: no mail log found (none of %s exists); if Postfix logs to the journal, try: journalctl -u postfix -o short-iso | pftls parse -",
		strings.Join(candidates, ", "))
}

// Siblings returns the rotated copies of the log at path that are in its
// directory, oldest first (as [Order] sorts them): for /var/log/mail.log,
// mail.log.1, mail.log.2.gz, mail.log-20261205 and mail.log-20261205.gz;
// for /var/log/maillog, maillog-20261205 and maillog.1. The path itself is
// not among them. It reads only names and modification times.
func Siblings(path string) ([]string, error) {
	dir, _ := filepath.Split(path)
	family := parseRotated(path).family
	look := dir
	if look == "" {
		look = "."
	}
	entries, err := os.ReadDir(look)
	if err != nil {
		return nil, fmt.Errorf("rotated copies of %s: %w", path, err)
	}
	var sibs []string
	for _, e := range entries {
		p := dir + e.Name()
		if !e.Type().IsRegular() || p == path {
			continue
		}
		if f := parseRotated(p); f.rotatedCopyOf(family) {
			sibs = append(sibs, p)
		}
	}
	if len(sibs) == 0 {
		return nil, nil
	}
	return Order(sibs)
}

// IsLive reports whether path is named as a live log (mail.log, maillog),
// not as one of its rotated copies (mail.log.1, mail.log-20261205.gz).
func IsLive(path string) bool { return parseRotated(path).kind == live }

// InRotation reports whether path is the live log liveLog itself or one of
// its rotated copies (mail.log.1, mail.log.2.gz, mail.log-20261205.gz):
// the files that hold what a follower of live read. A name that only
// starts like it (mail.log.bak, mail.log.old) is another log.
func InRotation(liveLog, path string) bool {
	if path == liveLog {
		return true
	}
	l := parseRotated(liveLog)
	return l.kind == live && parseRotated(path).rotatedCopyOf(l.family)
}

// rotatedCopyOf reports whether f is a rotated copy in family.
func (f rotated) rotatedCopyOf(family string) bool { return f.kind != live && f.family == family }

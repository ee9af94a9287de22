package logparse_test

import (
	"testing"
	"time"

	"github.com/pftls/pftls/logparse"
)

// TestEnvelopeFormats checks the timestamp, host and tag of every envelope
// format the reference lists (section 1.3).
func TestEnvelopeFormats(t *testing.T) {
	const text = "connect to mx.example.net[192.0.2.25]:25: Connection refused"
	tests := []struct {
		name    string
		line    string
		stamp   logparse.Stamp
		host    string
		program string
		pid     int
		text    string // default: text
	}{
		{
			name:  "RFC 3164, space-padded day",
			line:  "Mar  7 16:05:12 mx1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Month: 3, Day: 7, Hour: 16, Minute: 5, Second: 12},
			host:  "mx1", program: "postfix/smtp", pid: 6752,
		},
		{
			name:  "maillog_file, zero-padded day",
			line:  "Mar 07 16:05:12 mx1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Month: 3, Day: 7, Hour: 16, Minute: 5, Second: 12},
			host:  "mx1", program: "postfix/smtp", pid: 6752,
		},
		{
			name:  "unpadded day",
			line:  "Mar 7 16:05:12 mx1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Month: 3, Day: 7, Hour: 16, Minute: 5, Second: 12},
			host:  "mx1", program: "postfix/smtp", pid: 6752,
		},
		{
			name:  "two-digit day (corpus, postlogd)",
			line:  "Nov 23 00:19:58 mail postfix/smtp[13448]: connect to mx.purge.example.org[127.0.0.19]:25: Connection refused",
			stamp: logparse.Stamp{Month: 11, Day: 23, Hour: 0, Minute: 19, Second: 58},
			host:  "mail", program: "postfix/smtp", pid: 13448,
			text: "connect to mx.purge.example.org[127.0.0.19]:25: Connection refused",
		},
		{
			name:  "every month name",
			line:  "Dec 31 23:59:59 mx1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Month: 12, Day: 31, Hour: 23, Minute: 59, Second: 59},
			host:  "mx1", program: "postfix/smtp", pid: 6752,
		},
		{
			name:  "journalctl short-precise",
			line:  "Mar 27 16:05:12.345678 mx1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Month: 3, Day: 27, Hour: 16, Minute: 5, Second: 12, Nanos: 345678000},
			host:  "mx1", program: "postfix/smtp", pid: 6752,
		},
		{
			name: "RFC 3339 with microseconds and +01:00",
			line: "2026-03-27T16:05:12.345678+01:00 mx1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Year: 2026, Month: 3, Day: 27, Hour: 16, Minute: 5, Second: 12, Nanos: 345678000,
				Zoned: true, OffsetSeconds: 3600},
			host: "mx1", program: "postfix/smtp", pid: 6752,
		},
		{
			name: "RSYSLOG_FileFormat +00:00",
			line: "2026-11-23T00:26:34.715600+00:00 mail postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Year: 2026, Month: 11, Day: 23, Hour: 0, Minute: 26, Second: 34, Nanos: 715600000,
				Zoned: true},
			host: "mail", program: "postfix/smtp", pid: 6752,
		},
		{
			name:  "syslog-ng ISO without fraction",
			line:  "2026-03-27T16:05:12+01:00 mx1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Year: 2026, Month: 3, Day: 27, Hour: 16, Minute: 5, Second: 12, Zoned: true, OffsetSeconds: 3600},
			host:  "mx1", program: "postfix/smtp", pid: 6752,
		},
		{
			name:  "journalctl short-iso +0100",
			line:  "2026-03-27T16:05:12+0100 mx1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Year: 2026, Month: 3, Day: 27, Hour: 16, Minute: 5, Second: 12, Zoned: true, OffsetSeconds: 3600},
			host:  "mx1", program: "postfix/smtp", pid: 6752,
		},
		{
			name:  "Z zone",
			line:  "2026-03-27T15:05:12Z mx1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Year: 2026, Month: 3, Day: 27, Hour: 15, Minute: 5, Second: 12, Zoned: true},
			host:  "mx1", program: "postfix/smtp", pid: 6752,
		},
		{
			name:  "negative offset",
			line:  "2026-03-27T10:05:12.5-05:00 mx1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Year: 2026, Month: 3, Day: 27, Hour: 10, Minute: 5, Second: 12, Nanos: 500000000, Zoned: true, OffsetSeconds: -5 * 3600},
			host:  "mx1", program: "postfix/smtp", pid: 6752,
		},
		{
			name:  "half-hour offset",
			line:  "2026-03-27T20:35:12+05:30 mx1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Year: 2026, Month: 3, Day: 27, Hour: 20, Minute: 35, Second: 12, Zoned: true, OffsetSeconds: 5*3600 + 30*60},
			host:  "mx1", program: "postfix/smtp", pid: 6752,
		},
		{
			name:  "nanoseconds",
			line:  "2026-03-27T15:05:12.123456789Z mx1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Year: 2026, Month: 3, Day: 27, Hour: 15, Minute: 5, Second: 12, Nanos: 123456789, Zoned: true},
			host:  "mx1", program: "postfix/smtp", pid: 6752,
		},
		{
			name:  "ISO without zone",
			line:  "2026-03-27T16:05:12 mx1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Year: 2026, Month: 3, Day: 27, Hour: 16, Minute: 5, Second: 12},
			host:  "mx1", program: "postfix/smtp", pid: 6752,
		},
		{
			name:  "fully qualified host",
			line:  "Mar 27 16:05:12 mx1.example.com postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Month: 3, Day: 27, Hour: 16, Minute: 5, Second: 12},
			host:  "mx1.example.com", program: "postfix/smtp", pid: 6752,
		},
		{
			name:  "IP address as host",
			line:  "Mar 27 16:05:12 192.0.2.1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Month: 3, Day: 27, Hour: 16, Minute: 5, Second: 12},
			host:  "192.0.2.1", program: "postfix/smtp", pid: 6752,
		},
		{
			name:  "tag without pid",
			line:  "Mar 27 16:05:12 mx1 postfix/smtp: " + text,
			stamp: logparse.Stamp{Month: 3, Day: 27, Hour: 16, Minute: 5, Second: 12},
			host:  "mx1", program: "postfix/smtp", pid: 0,
		},
		{
			name:  "run of spaces before the host",
			line:  "Mar 27 16:05:12  mx1 postfix/smtp[6752]: " + text,
			stamp: logparse.Stamp{Month: 3, Day: 27, Hour: 16, Minute: 5, Second: 12},
			host:  "mx1", program: "postfix/smtp", pid: 6752,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := logparse.ParseString(tt.line)
			if k := kindOf(got.Event); k != logparse.KindConnectFailure {
				t.Fatalf("kind = %s, want connect-failure", k)
			}
			if d := diff(got.Stamp, tt.stamp); d != "" {
				t.Errorf("stamp of %q:\n%s", tt.line, d)
			}
			if got.Host != tt.host || got.Program != tt.program || got.Service != "smtp" || got.PID != tt.pid {
				t.Errorf("host/program/service/pid = %q/%q/%q/%d, want %q/%q/smtp/%d",
					got.Host, got.Program, got.Service, got.PID, tt.host, tt.program, tt.pid)
			}
			wantText := tt.text
			if wantText == "" {
				wantText = text
			}
			if got.Text != wantText {
				t.Errorf("Text = %q, want %q", got.Text, wantText)
			}
			if got.Severity != logparse.SevInfo {
				t.Errorf("Severity = %q, want info", got.Severity)
			}
		})
	}
}

func TestRecordInstance(t *testing.T) {
	tests := []struct{ line, service, instance string }{
		{"Nov 23 00:20:08 mail postfix/submission/smtpd[13475]: connect from localhost[127.0.0.1]", "smtpd", "postfix/submission"},
		{"Nov 23 00:20:05 mx postfix-rx/selfsigned/smtpd[13455]: connect from localhost[127.0.0.1]", "smtpd", "postfix-rx/selfsigned"},
		{"Mar 27 16:05:12 mx1 postfix-out/smtp[7001]: connect to mx.example.net[192.0.2.25]:25: Connection refused", "smtp", "postfix-out"},
		{"Mar 27 16:05:12 mx1 postfix/relay/smtp[7002]: connect to mx.example.net[192.0.2.25]:25: Connection refused", "smtp", "postfix/relay"},
		{"Nov 23 00:20:05 mail postfix/smtpd[13443]: connect from localhost[127.0.0.1]", "smtpd", "postfix"},
		{"Nov 23 00:21:04 mail CRON[14001]: (root) CMD (true)", "CRON", ""},
	}
	for _, tt := range tests {
		l := logparse.ParseString(tt.line)
		if l.Service != tt.service || l.Instance() != tt.instance {
			t.Errorf("%q: service %q instance %q, want %q %q", tt.line, l.Service, l.Instance(), tt.service, tt.instance)
		}
	}
}

func TestIsQueueID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"0CDA6BC393", true},  // corpus, 10 hex digits
		{"3F1A22C0B1F", true}, // reference, 11
		{"ABCDEF", true},      // shortest short ID: 5 µs digits + 1 inode digit
		{"3Pt2mN2VXxznjll", true},
		{"4dzM3k2VXxznjll", true}, // 'z' inside the base-52 seconds part
		{"NOQUEUE", false},
		{"ABCDE", false},
		{"abcdef", false},
		{"3Pt2mA2VXxznjll", false}, // vowel
		{"3Pt2mN2VXx-njll", false},
		{"statistics", false},
		{"", false},
		// mail_queue.h: short IDs are 5 hex µs digits then the inode in hex
		// (%lX), so 6 to 21 characters on a 64-bit system.
		{"A1B2C3", true},                  // 6: one inode digit
		{"4D8D6BC3A0F1", true},            // 12: a large inode
		{"1F3A2FFFFFFFFFFFFFFFF", true},   // 21: 5 + 16, the widest inode
		{"1F3A2FFFFFFFFFFFFFFFF0", false}, // 22: wider than any inode
		// long IDs: >= 6 seconds chars, exactly 4 µs chars, 'z', inode.
		{"4Qb7Lw1mQxz9sC5", true},   // enable_long_queue_ids, 15 chars
		{"4Qb7Lw1mQxzB", true},      // shortest: 6 + 4 + 'z' + 1
		{"4Qb7LwzmQxzB", true},      // 'z' inside the seconds
		{"4Qb7Lw1mQxz", false},      // no inode after the separator
		{"4Qb7Lw1mQxzz", false},     // the last 'z' ends the ID: no inode
		{"4Qb7Lw1mQz9sC5", false},   // separator after 9 chars: too few
		{"4Qb7Lw1mQx_9sC5", false},  // not in the alphabet
		{"Bzzzzzzzzzzzzz", false},   // the last 'z' ends the ID
		{"BCDFGHJKLMzN", true},      // upper and lower case without vowels
		{"4qb7lw1mqxz9sc5", true},   // all lower case is still the alphabet
		{"4Qb7Lw1mQxz9sC5A", false}, // vowel in the inode
	}
	for _, tt := range tests {
		if got := logparse.IsQueueID(tt.id); got != tt.want {
			t.Errorf("IsQueueID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestIsPostfixProgram(t *testing.T) {
	tests := []struct {
		tag  string
		want bool
	}{
		{"postfix/smtp", true},
		{"postfix/submission/smtpd", true},
		{"postfix-out/smtp", true},
		{"postfix-rx/gmx/smtpd", true},
		{"postfix/relay/smtp", true},
		{"mail/smtpd", true}, // a custom syslog_name with a Postfix daemon
		{"CRON", false},
		{"dovecot", false},
		{"opendkim", false},
		{"systemd", false},
		{"postfix", false},
		{"kernel/oops", false},
	}
	for _, tt := range tests {
		if got := logparse.IsPostfixProgram(tt.tag); got != tt.want {
			t.Errorf("IsPostfixProgram(%q) = %v, want %v", tt.tag, got, tt.want)
		}
	}
}

// stampOf parses a line and returns its stamp, failing on a bad envelope.
func stampOf(t *testing.T, line string) logparse.Stamp {
	t.Helper()
	l := logparse.ParseString(line)
	if l.Event.Kind() == logparse.KindMalformed {
		t.Fatalf("malformed: %q", line)
	}
	return l.Stamp
}

func TestResolver(t *testing.T) {
	berlin := time.FixedZone("CET", 3600)
	utc := time.UTC
	date := func(y int, mo time.Month, d, h, mi, s int, loc *time.Location) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, loc)
	}
	tests := []struct {
		name string
		line string
		res  logparse.Resolver
		want time.Time
	}{
		{
			name: "year from the reference (corpus: file written Nov 23 2026)",
			line: "Nov 23 00:19:58 mail postfix/smtp[13448]: connect to mx.purge.example.org[127.0.0.19]:25: Connection refused",
			res:  logparse.Resolver{Location: utc, Reference: date(2026, 11, 23, 0, 26, 23, utc)},
			want: date(2026, 11, 23, 0, 19, 58, utc),
		},
		{
			name: "rollover: Dec 31 line, file written on Jan 1",
			line: "Dec 31 23:59:59 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Location: utc, Reference: date(2027, 1, 1, 0, 0, 30, utc)},
			want: date(2026, 12, 31, 23, 59, 59, utc),
		},
		{
			name: "rollover: Jan 1 line, same file",
			line: "Jan  1 00:00:10 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Location: utc, Reference: date(2027, 1, 1, 0, 0, 30, utc)},
			want: date(2027, 1, 1, 0, 0, 10, utc),
		},
		{
			name: "a line a little after the reference stays in its year",
			line: "Mar 27 18:00:00 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Location: utc, Reference: date(2026, 3, 27, 16, 0, 0, utc)},
			want: date(2026, 3, 27, 18, 0, 0, utc),
		},
		{
			name: "a line months after the reference belongs to the year before",
			line: "Jun  1 12:00:00 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Location: utc, Reference: date(2026, 3, 27, 16, 0, 0, utc)},
			want: date(2025, 6, 1, 12, 0, 0, utc),
		},
		{
			name: "reference year is taken in Location, not in the reference's zone",
			line: "Jan  1 03:00:00 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Location: time.FixedZone("+05", 5*3600), Reference: date(2025, 12, 31, 23, 0, 0, utc)},
			want: date(2026, 1, 1, 3, 0, 0, time.FixedZone("+05", 5*3600)),
		},
		{
			// Clock skew, or a zone east of the reader's: the year of
			// the slack's end, not of the reference.
			name: "Jan 1 line a little after a reference of Dec 31",
			line: "Jan  1 00:00:43 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Location: utc, Reference: date(2026, 12, 31, 23, 59, 0, utc)},
			want: date(2027, 1, 1, 0, 0, 43, utc),
		},
		{
			name: "Dec 31 line a little before a reference of Dec 31",
			line: "Dec 31 23:58:00 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Location: utc, Reference: date(2026, 12, 31, 23, 59, 0, utc)},
			want: date(2026, 12, 31, 23, 58, 0, utc),
		},
		{
			name: "forced year wins over the reference",
			line: "Dec 31 23:59:59 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Year: 2019, Location: utc, Reference: date(2027, 1, 1, 0, 0, 30, utc)},
			want: date(2019, 12, 31, 23, 59, 59, utc),
		},
		{
			name: "Location applies to year-less stamps",
			line: "Mar 27 16:05:12 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Year: 2026, Location: berlin},
			want: date(2026, 3, 27, 15, 5, 12, utc),
		},
		{
			name: "Feb 29 in a leap year",
			line: "Feb 29 12:00:00 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Location: utc, Reference: date(2024, 3, 1, 0, 0, 0, utc)},
			want: date(2024, 2, 29, 12, 0, 0, utc),
		},
		{
			name: "Feb 29 with a reference in a common year goes back to the leap year",
			line: "Feb 29 12:00:00 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Location: utc, Reference: date(2025, 3, 1, 0, 0, 0, utc)},
			want: date(2024, 2, 29, 12, 0, 0, utc),
		},
		{
			name: "Feb 29 with a reference early in a leap year",
			line: "Feb 29 12:00:00 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Location: utc, Reference: date(2028, 1, 15, 0, 0, 0, utc)},
			want: date(2024, 2, 29, 12, 0, 0, utc),
		},
		{
			name: "zoned stamp ignores Location, Year and Reference",
			line: "2026-03-27T16:05:12.345678+01:00 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Year: 2019, Location: time.FixedZone("+05", 5*3600), Reference: date(2030, 1, 1, 0, 0, 0, utc)},
			want: time.Date(2026, 3, 27, 15, 5, 12, 345678000, utc),
		},
		{
			name: "short-iso +0100",
			line: "2026-03-27T16:05:12+0100 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Location: berlin},
			want: date(2026, 3, 27, 15, 5, 12, utc),
		},
		{
			name: "Z stamp",
			line: "2026-03-27T15:05:12Z mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Location: berlin},
			want: date(2026, 3, 27, 15, 5, 12, utc),
		},
		{
			name: "ISO stamp without zone keeps its year and uses Location",
			line: "2026-03-27T16:05:12 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Year: 2019, Location: berlin, Reference: date(2030, 1, 1, 0, 0, 0, utc)},
			want: date(2026, 3, 27, 15, 5, 12, utc),
		},
		{
			name: "short-precise keeps the fraction",
			line: "Mar 27 16:05:12.345678 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Year: 2026, Location: utc},
			want: time.Date(2026, 3, 27, 16, 5, 12, 345678000, utc),
		},
		{
			name: "no year and no reference: a fixed year, never the clock",
			line: "Mar 27 16:05:12 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
			res:  logparse.Resolver{Location: utc},
			want: date(1970, 3, 27, 16, 5, 12, utc),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.res.Time(stampOf(t, tt.line))
			if !got.Equal(tt.want) {
				t.Errorf("Time = %s, want %s", got.Format(time.RFC3339Nano), tt.want.Format(time.RFC3339Nano))
			}
		})
	}
}

// TestResolverZoneNames checks a real zone with DST when the system has the
// tz database; zoned stamps must ignore it.
func TestResolverZoneNames(t *testing.T) {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no tz database: %v", err)
	}
	r := logparse.Resolver{Year: 2026, Location: loc}
	summer := r.Time(stampOf(t, "Jul  1 12:00:00 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed"))
	if want := time.Date(2026, 7, 1, 10, 0, 0, 0, time.UTC); !summer.Equal(want) {
		t.Errorf("summer: %s, want %s", summer, want)
	}
	winter := r.Time(stampOf(t, "Jan  1 12:00:00 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed"))
	if want := time.Date(2026, 1, 1, 11, 0, 0, 0, time.UTC); !winter.Equal(want) {
		t.Errorf("winter: %s, want %s", winter, want)
	}
	zoned := r.Time(stampOf(t, "2026-07-01T12:00:00+00:00 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed"))
	if want := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC); !zoned.Equal(want) {
		t.Errorf("zoned: %s, want %s", zoned, want)
	}
}

// TestResolverYearRolloverFixture resolves testdata/logs/year-rollover.log
// with the file's plausible mtime: stamps must not go backwards.
func TestResolverYearRolloverFixture(t *testing.T) {
	lines := readLines(t, "../testdata/logs/year-rollover.log")
	r := logparse.Resolver{Location: time.UTC, Reference: time.Date(2027, 1, 1, 0, 5, 0, 0, time.UTC)}
	var prev time.Time
	var dec, jan int
	for i, line := range lines {
		l := logparse.ParseString(line)
		tm := r.Time(l.Stamp)
		if tm.Before(prev) {
			t.Fatalf("line %d goes back in time: %s < %s", i+1, tm, prev)
		}
		prev = tm
		switch tm.Year() {
		case 2026:
			dec++
		case 2027:
			jan++
		default:
			t.Errorf("line %d: year %d", i+1, tm.Year())
		}
	}
	if dec == 0 || jan == 0 {
		t.Errorf("want lines on both sides of midnight, got %d in 2026 and %d in 2027", dec, jan)
	}
}

// TestStampCache: the cache gives the resolver's answer for every line,
// including a repeated stamp after a different one, and zoned stamps that
// differ only in their offset.
func TestStampCache(t *testing.T) {
	res := logparse.Resolver{Location: time.UTC, Reference: time.Date(2027, 1, 1, 0, 0, 30, 0, time.UTC)}
	lines := []string{
		"Dec 31 23:59:59 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
		"Dec 31 23:59:59 mx1 postfix/qmgr[880]: 3F1A22C0B2F: removed",
		"Jan  1 00:00:10 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
		"Dec 31 23:59:59 mx1 postfix/qmgr[880]: 3F1A22C0B1F: removed",
		"2026-11-23T00:19:58.123456+01:00 mail postfix/qmgr[880]: 3F1A22C0B1F: removed",
		"2026-11-23T00:19:58.123456+02:00 mail postfix/qmgr[880]: 3F1A22C0B1F: removed",
		"2026-11-23T00:19:58.123457+02:00 mail postfix/qmgr[880]: 3F1A22C0B1F: removed",
	}
	cache := logparse.StampCache{Resolver: res}
	for i, line := range lines {
		st := logparse.ParseString(line).Stamp
		if got, want := cache.Time(st), res.Time(st); !got.Equal(want) {
			t.Errorf("line %d: StampCache.Time = %v, Resolver.Time = %v", i+1, got, want)
		}
	}
}

package logparse

import (
	"strings"
)

// Severity is the level prefix Postfix puts before a message.
type Severity string

// Severities as Postfix writes them (info has no prefix).
const (
	SevInfo    Severity = "info"
	SevWarning Severity = "warning"
	SevError   Severity = "error"
	SevFatal   Severity = "fatal"
	SevPanic   Severity = "panic"
)

// Stamp is a timestamp exactly as the line wrote it. Year is 0 when the
// format has none (classic syslog, maillog_file); Zoned reports whether the
// stamp carried a UTC offset. A [Resolver] turns it into a time.Time.
type Stamp struct {
	Year, Month, Day            int
	Hour, Minute, Second, Nanos int
	Zoned                       bool
	OffsetSeconds               int
}

// Record is the envelope of one log line. All strings are slices of Raw.
type Record struct {
	Stamp    Stamp
	Host     string
	Program  string // the whole syslog tag: "postfix/submission/smtpd"
	Service  string // the daemon: the tag's last part, "smtpd"
	PID      int
	Severity Severity
	QueueID  string // "" when the line has none; "NOQUEUE" as written
	Text     string // the message after the severity prefix and the queue ID
	Raw      string // the whole line (for JSON formats, the syslog line made of its fields)
	Format   Format // the envelope the line came in
}

// Instance is the syslog tag without the daemon: "postfix/submission" for
// "postfix/submission/smtpd", "postfix-out" for "postfix-out/smtp".
func (r *Record) Instance() string {
	if i := strings.LastIndexByte(r.Program, '/'); i >= 0 {
		return r.Program[:i]
	}
	return ""
}

// splitEnvelope parses the timestamp, host and tag of a syslog line. It
// reports false when the line has no recognisable envelope.
func splitEnvelope(line string, rec *Record) bool {
	host, rest, ok := cutStampAndHost(line, &rec.Stamp)
	if !ok {
		return false
	}
	rec.Host = host
	return splitTag(rest, rec)
}

// cutStampAndHost reads the timestamp and the host field and returns the
// host and what follows it.
func cutStampAndHost(line string, st *Stamp) (host, rest string, ok bool) {
	rest, ok = parseStamp(line, st)
	if !ok {
		return "", "", false
	}
	rest = trimSpaces(rest)
	sp := strings.IndexByte(rest, ' ')
	if sp <= 0 {
		return "", "", false
	}
	return rest[:sp], trimSpaces(rest[sp+1:]), true
}

// splitMessage takes the severity prefix and the queue ID off rec.Text.
// The prefix comes first ("warning: QID: ..."); cleanup's "QID: warning:
// header ..." is the header_checks WARN action, logged at info level.
func splitMessage(rec *Record) {
	rec.Severity = SevInfo
	text := cutSeverity(rec, rec.Text)
	if id, rest, ok := cutQueueID(text); ok {
		rec.QueueID, text = id, rest
	}
	rec.Text = text
}

// cutQueueID takes a leading queue ID (or NOQUEUE) and ": " off text. A
// queue ID is letters and digits followed by ": ". Most lines have none,
// so look no further than the first other byte, rather than for the
// first ": " in the text.
func cutQueueID(text string) (id, rest string, ok bool) {
	c := 0
	for c < len(text) && c < 64 && isAlnum(text[c]) {
		c++
	}
	if c > 0 && strings.HasPrefix(text[c:], ": ") {
		if id := text[:c]; id == "NOQUEUE" || IsQueueID(id) {
			return id, text[c+2:], true
		}
	}
	return "", text, false
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

var severityPrefixes = [...]struct {
	prefix string
	sev    Severity
}{{"warning: ", SevWarning}, {"error: ", SevError}, {"fatal: ", SevFatal}, {"panic: ", SevPanic}}

// cutSeverity removes a severity prefix from text and records it.
func cutSeverity(rec *Record, text string) string {
	for _, p := range severityPrefixes {
		if strings.HasPrefix(text, p.prefix) {
			rec.Severity = p.sev
			return text[len(p.prefix):]
		}
	}
	return text
}

// IsQueueID reports whether s has the form of a Postfix queue ID
// (global/mail_queue.h): short, upper-case hex of exactly 5 microsecond
// digits and 1 to 16 inode digits; or long (enable_long_queue_ids = yes),
// the vowel-free base-52 alphabet: 6 or more seconds characters, exactly 4
// microsecond characters, the 'z' separator, and at least one inode
// character (base 51, so no 'z').
func IsQueueID(s string) bool {
	if len(s) < 6 {
		return false
	}
	hex := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			hex = false
			break
		}
	}
	if hex {
		return len(s) <= 5+16
	}
	// seconds (>= 6 chars, may contain 'z') + 4 chars of microseconds + 'z' + inode
	if z := strings.LastIndexByte(s, 'z'); len(s) < 12 || z < 10 || z == len(s)-1 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
			switch c {
			case 'A', 'E', 'I', 'O', 'U', 'a', 'e', 'i', 'o', 'u':
				return false
			}
		default:
			return false
		}
	}
	return true
}

// monthNumber is 1..12 for a month's English abbreviation ("Jan".."Dec"),
// 0 otherwise. A switch, not a map: it runs for every line, and hashing
// the name cost more than the rest of the stamp.
func monthNumber(name string) int {
	switch name {
	case "Jan":
		return 1
	case "Feb":
		return 2
	case "Mar":
		return 3
	case "Apr":
		return 4
	case "May":
		return 5
	case "Jun":
		return 6
	case "Jul":
		return 7
	case "Aug":
		return 8
	case "Sep":
		return 9
	case "Oct":
		return 10
	case "Nov":
		return 11
	case "Dec":
		return 12
	}
	return 0
}

// parseStamp reads a classic ("Mar  7 16:05:12[.123456]") or ISO
// ("2026-03-27T16:05:12[.123456](Z|+01:00|+0100)") timestamp and returns
// the rest of the line.
func parseStamp(line string, st *Stamp) (string, bool) {
	if len(line) < 15 {
		return "", false
	}
	if isDigit(line[0]) {
		return parseISOStamp(line, st)
	}
	mon := monthNumber(line[:3])
	if mon == 0 || line[3] != ' ' {
		return "", false
	}
	rest := line[4:]
	if rest != "" && rest[0] == ' ' {
		rest = rest[1:]
	}
	i := 0
	for i < len(rest) && i < 2 && isDigit(rest[i]) {
		i++
	}
	day, ok := atoi(rest[:i])
	if !ok || day < 1 || day > 31 || i >= len(rest) || rest[i] != ' ' {
		return "", false
	}
	st.Month, st.Day = mon, day
	return parseClock(rest[i+1:], st)
}

// parseClock reads "hh:mm:ss[.frac]" and returns what follows it.
func parseClock(s string, st *Stamp) (string, bool) {
	if len(s) < 8 || s[2] != ':' || s[5] != ':' {
		return "", false
	}
	h, ok1 := atoi(s[0:2])
	m, ok2 := atoi(s[3:5])
	sec, ok3 := atoi(s[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || sec > 60 {
		return "", false
	}
	st.Hour, st.Minute, st.Second = h, m, sec
	s = s[8:]
	if s != "" && (s[0] == '.' || s[0] == ',') {
		j := 1
		nanos, scale := 0, 100000000
		for j < len(s) && isDigit(s[j]) {
			nanos += int(s[j]-'0') * scale
			scale /= 10
			j++
		}
		st.Nanos = nanos
		s = s[j:]
	}
	return s, true
}

func parseISOStamp(line string, st *Stamp) (string, bool) {
	if len(line) < 19 || line[4] != '-' || line[7] != '-' || (line[10] != 'T' && line[10] != ' ') {
		return "", false
	}
	y, ok1 := atoi(line[0:4])
	mo, ok2 := atoi(line[5:7])
	d, ok3 := atoi(line[8:10])
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > 31 {
		return "", false
	}
	st.Year, st.Month, st.Day = y, mo, d
	rest, ok := parseClock(line[11:], st)
	if !ok {
		return "", false
	}
	switch {
	case rest == "":
		return "", false
	case rest[0] == 'Z':
		st.Zoned = true
		return rest[1:], true
	case rest[0] == '+' || rest[0] == '-':
		sign := 1
		if rest[0] == '-' {
			sign = -1
		}
		// +hh:mm or +hhmm
		var hh, mm string
		if len(rest) >= 6 && rest[3] == ':' {
			hh, mm, rest = rest[1:3], rest[4:6], rest[6:]
		} else if len(rest) >= 5 {
			hh, mm, rest = rest[1:3], rest[3:5], rest[5:]
		} else {
			return "", false
		}
		h, ok1 := atoi(hh)
		m, ok2 := atoi(mm)
		if !ok1 || !ok2 {
			return "", false
		}
		st.Zoned = true
		st.OffsetSeconds = sign * (h*3600 + m*60)
		return rest, true
	}
	return rest, true
}

func trimSpaces(s string) string {
	for s != "" && s[0] == ' ' {
		s = s[1:]
	}
	return s
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// atoi parses a small non-negative decimal number.
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

package logparse

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Format is the envelope a line came in: how its time, host and program
// were written. Parse finds it per line; ParseAs takes it as given.
type Format string

// Envelope formats.
const (
	// FormatAuto asks ParseAs to find the format, as Parse does.
	FormatAuto Format = ""
	// FormatSyslog is the classic syslog line, RFC 3164 ("Mar  7
	// 16:05:12 mx1 postfix/smtp[4242]: ..."), also with an ISO 8601 stamp
	// (rsyslog's high-precision format, journalctl -o short-iso) and with
	// a "<PRI>" prefix.
	FormatSyslog Format = "syslog"
	// FormatRFC5424 is "<22>1 2026-03-07T16:05:12.278515+01:00 mx1
	// postfix/smtp 4242 - [meta sequenceId="17"] ...".
	FormatRFC5424 Format = "rfc5424"
	// FormatJournalJSON is one object of "journalctl -o json".
	FormatJournalJSON Format = "journal-json"
	// FormatJournalUnix is "journalctl -o short-unix": "1709823912.278515
	// mx1 postfix/smtp[4242]: ...".
	FormatJournalUnix Format = "journal-short-unix"
	// FormatJournalFull is "journalctl -o short-full": "Thu 2024-03-07
	// 16:05:12 CET mx1 postfix/smtp[4242]: ...".
	FormatJournalFull Format = "journal-short-full"
	// FormatDocker is "docker logs --timestamps": an RFC 3339 stamp before
	// the line the container wrote.
	FormatDocker Format = "docker"
	// FormatCRI is a Kubernetes CRI log line: "2026-03-07T15:05:12.49Z
	// stdout F ...". The source joins a line split into "P" (partial)
	// parts before it is parsed (logparse/source's cri.go).
	FormatCRI Format = "cri"
	// FormatCompose is a "docker compose logs" line: "postfix_1  | ...".
	FormatCompose Format = "compose"
	// FormatNoHost is the line of a Postfix container image that writes a
	// severity word where syslog writes the host: "2021-01-24T14:43:33.
	// 171226+00:00 INFO    postfix/smtp[138]: ...". Its host is NoHost.
	FormatNoHost Format = "container"
	// FormatJSON is a JSON object with the syslog line, or its parts, in
	// fields (Logstash, Filebeat, rsyslog JSON templates).
	FormatJSON Format = "json"
	// FormatBare is a Postfix message without any envelope (no time, no
	// host, no program), as "journalctl -o cat" writes it: pftls cannot
	// place it in time, and counts it as malformed.
	FormatBare Format = "bare"
)

// Formats lists the formats ParseAs can be told to use.
var Formats = []Format{FormatSyslog, FormatRFC5424, FormatJournalJSON, FormatJournalUnix, FormatJournalFull,
	FormatDocker, FormatCRI, FormatCompose, FormatNoHost, FormatJSON}

// NoHost is the host of lines whose format has none (a container's
// standard output, an RFC 5424 NILVALUE).
const NoHost = "-"

// decodeEnvelope fills rec's envelope from line in format f (FormatAuto:
// whichever fits). It returns the line the record's strings are slices of
// (line itself, or for JSON the syslog line made from its fields), and
// false when no envelope fits.
func decodeEnvelope(line string, rec *Record, f Format) (string, bool) {
	if f == FormatAuto {
		return detectEnvelope(line, rec)
	}
	ok := false
	switch f {
	case FormatSyslog:
		ok = decodeSyslog(line, rec)
	case FormatRFC5424:
		ok = decodeRFC5424(line, rec)
	case FormatJournalJSON, FormatJSON:
		return decodeJSON(line, rec)
	case FormatJournalUnix:
		ok = decodeShortUnix(line, rec)
	case FormatJournalFull:
		ok = decodeShortFull(line, rec)
	case FormatDocker, FormatCRI, FormatNoHost:
		ok = decodeStamped(line, rec)
	case FormatCompose:
		return decodeCompose(line, rec)
	}
	return line, ok
}

// detectEnvelope tries the formats a line's first bytes allow, the
// classic syslog line first.
func detectEnvelope(line string, rec *Record) (string, bool) {
	if line == "" {
		return line, false
	}
	switch c := line[0]; {
	case c == '<':
		return line, decodePRI(line, rec)
	case c == '{':
		return decodeJSON(line, rec)
	case isDigit(c):
		if decodeStamped(line, rec) || decodeShortUnix(line, rec) {
			return line, true
		}
	default:
		if splitEnvelope(line, rec) {
			rec.Format = FormatSyslog
			return line, true
		}
		if decodeShortFull(line, rec) {
			return line, true
		}
	}
	return decodeCompose(line, rec)
}

// decodeSyslog reads a classic or ISO-stamped syslog line, with or
// without a <PRI> prefix.
func decodeSyslog(line string, rec *Record) bool {
	if strings.HasPrefix(line, "<") {
		return decodePRI(line, rec) && rec.Format == FormatSyslog
	}
	if splitEnvelope(line, rec) {
		rec.Format = FormatSyslog
		return true
	}
	return false
}

// cutPRI takes a "<PRI>" prefix (one to three digits) off line.
func cutPRI(line string) (string, bool) {
	end := strings.IndexByte(line, '>')
	if end < 2 || end > 4 {
		return "", false
	}
	if _, ok := atoi(line[1:end]); !ok {
		return "", false
	}
	return line[end+1:], true
}

// decodePRI reads an RFC 3164 line with a <PRI> prefix, or an RFC 5424
// line.
func decodePRI(line string, rec *Record) bool {
	rest, ok := cutPRI(line)
	if !ok {
		return false
	}
	if strings.HasPrefix(rest, "1 ") {
		return decodeRFC5424(line, rec)
	}
	if splitEnvelope(rest, rec) {
		rec.Format = FormatSyslog
		return true
	}
	return false
}

// decodeRFC5424 reads "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
// STRUCTURED-DATA [BOM]MSG". An APP-NAME of "postfix" alone (rsyslog cuts
// it at the first "/") leaves the service to be inferred from the message
// (see inferService).
func decodeRFC5424(line string, rec *Record) bool {
	rest, ok := cutPRI(line)
	if !ok || !strings.HasPrefix(rest, "1 ") {
		return false
	}
	rest = rest[2:]
	rest, ok = parseISOStamp(rest, &rec.Stamp)
	if !ok || !strings.HasPrefix(rest, " ") {
		return false
	}
	fields := [4]string{} // HOSTNAME APP-NAME PROCID MSGID
	rest = rest[1:]
	for i := range fields {
		sp := strings.IndexByte(rest, ' ')
		if sp <= 0 {
			return false
		}
		fields[i], rest = rest[:sp], rest[sp+1:]
	}
	host, app, procid := fields[0], fields[1], fields[2]
	rest, ok = skipStructuredData(rest)
	if !ok {
		return false
	}
	rest = strings.TrimPrefix(rest, " ")
	rest = strings.TrimPrefix(rest, "\ufeff")
	if app == "-" {
		return false
	}
	rec.Host = host
	if host == "-" {
		rec.Host = NoHost
	}
	if procid != "-" {
		if pid, ok := atoi(procid); ok {
			rec.PID = pid
		}
	}
	setProgram(rec, app)
	rec.Text = rest
	rec.Format = FormatRFC5424
	return true
}

// skipStructuredData skips RFC 5424 STRUCTURED-DATA: "-" or one or more
// "[id param="value" ...]" elements, where a value may hold an escaped
// "\]" or "\"".
func skipStructuredData(s string) (string, bool) {
	if strings.HasPrefix(s, "-") {
		return s[1:], true
	}
	if !strings.HasPrefix(s, "[") {
		return "", false
	}
	for strings.HasPrefix(s, "[") {
		i, quoted := 1, false
		for ; i < len(s); i++ {
			switch c := s[i]; {
			case c == '\\' && quoted:
				i++
			case c == '"':
				quoted = !quoted
			case c == ']' && !quoted:
				goto closed
			}
		}
		return "", false
	closed:
		s = s[i+1:]
	}
	return s, true
}

// setProgram sets the program and the service from a syslog tag.
func setProgram(rec *Record, tag string) {
	rec.Program = tag
	rec.Service = tag
	if i := strings.LastIndexByte(tag, '/'); i >= 0 {
		rec.Service = tag[i+1:]
	}
}

// severityHosts are the words container images write where syslog
// writes the host.
var severityHosts = map[string]bool{
	"DEBUG": true, "INFO": true, "NOTICE": true, "WARN": true, "WARNING": true, "ERR": true,
	"ERROR": true, "CRIT": true, "CRITICAL": true, "ALERT": true, "EMERG": true, "FATAL": true,
}

// decodeStamped reads a line that starts with an ISO 8601 stamp: a syslog
// line with an ISO stamp, a CRI log line, a "docker logs --timestamps"
// line, or a container line with a severity word instead of the host.
func decodeStamped(line string, rec *Record) bool {
	var st Stamp
	rest, ok := parseISOStamp(line, &st)
	if !ok || !strings.HasPrefix(rest, " ") {
		return false
	}
	inner := rest[1:]
	if body, ok := cutCRI(inner); ok {
		return decodeInner(body, st, rec, FormatCRI)
	}
	if inner != "" && (inner[0] == '<' || isDigit(inner[0]) || monthNumber(prefix3(inner)) != 0) {
		var in Record
		if _, ok := detectEnvelope(inner, &in); ok {
			*rec = in
			rec.Format = FormatDocker
			return true
		}
	}
	if word, _, _ := strings.Cut(inner, " "); strings.HasSuffix(word, ":") {
		// docker logs --timestamps of a line with no envelope of its own
		// ("postfix/smtp[138]: ..."): the first word is a tag, not a host.
		return decodeInner(inner, st, rec, FormatDocker)
	}
	// An ISO-stamped syslog line: the stamp is read already.
	rec.Stamp = st
	if !splitHostTag(inner, rec) {
		return false
	}
	rec.Format = FormatSyslog
	if severityHosts[rec.Host] {
		rec.Host = NoHost
		rec.Format = FormatNoHost
	}
	return true
}

func prefix3(s string) string {
	if len(s) < 3 {
		return s
	}
	return s[:3]
}

// cutCRI takes "stdout F " or "stderr P " (after the stamp) off a CRI log
// line.
func cutCRI(s string) (string, bool) {
	if !strings.HasPrefix(s, "stdout ") && !strings.HasPrefix(s, "stderr ") {
		return "", false
	}
	s = s[len("stdout "):]
	if len(s) < 2 || (s[0] != 'F' && s[0] != 'P') || s[1] != ' ' {
		return "", false
	}
	return s[2:], true
}

// decodeInner reads the line a container runtime wrapped (CRI, docker):
// a whole syslog line, or "tag[pid]: text" alone, which takes the
// runtime's stamp and NoHost.
func decodeInner(body string, st Stamp, rec *Record, f Format) bool {
	var in Record
	if _, ok := detectEnvelope(body, &in); ok {
		*rec = in
		rec.Format = f
		return true
	}
	if !splitTag(body, rec) {
		return false
	}
	rec.Stamp, rec.Host, rec.Format = st, NoHost, f
	return true
}

// decodeShortUnix reads "journalctl -o short-unix": "1709823912.278515
// mx1 postfix/smtp[4242]: ...".
func decodeShortUnix(line string, rec *Record) bool {
	i := 0
	for i < len(line) && isDigit(line[i]) {
		i++
	}
	if i < 9 || i > 11 || i >= len(line) || line[i] != '.' {
		return false
	}
	secs, _ := atoi(line[:i])
	j := i + 1
	micros, scale := 0, 100000
	for j < len(line) && isDigit(line[j]) {
		if scale > 0 {
			micros += int(line[j]-'0') * scale
			scale /= 10
		}
		j++
	}
	if j == i+1 || j >= len(line) || line[j] != ' ' {
		return false
	}
	rec.Stamp = unixStamp(int64(secs), micros*1000)
	if !splitHostTag(line[j+1:], rec) {
		return false
	}
	rec.Format = FormatJournalUnix
	return true
}

// unixStamp is the UTC stamp of a Unix time.
func unixStamp(secs int64, nanos int) Stamp {
	t := time.Unix(secs, int64(nanos)).UTC()
	return Stamp{Year: t.Year(), Month: int(t.Month()), Day: t.Day(), Hour: t.Hour(), Minute: t.Minute(),
		Second: t.Second(), Nanos: t.Nanosecond(), Zoned: true}
}

// decodeShortFull reads "journalctl -o short-full": "Thu 2024-03-07
// 16:05:12 CET mx1 postfix/smtp[4242]: ...". The zone is an abbreviation:
// UTC and GMT are read as such, any other is taken as --tz (the local
// zone by default).
func decodeShortFull(line string, rec *Record) bool {
	if len(line) < 24 || line[3] != ' ' || !isWeekday(line[:3]) {
		return false
	}
	rest, ok := parseISOStamp(line[4:], &rec.Stamp)
	if !ok || !strings.HasPrefix(rest, " ") {
		return false
	}
	rest = rest[1:]
	sp := strings.IndexByte(rest, ' ')
	if sp <= 0 {
		return false
	}
	if zone := rest[:sp]; zone == "UTC" || zone == "GMT" {
		rec.Stamp.Zoned, rec.Stamp.OffsetSeconds = true, 0
	}
	if !splitHostTag(rest[sp+1:], rec) {
		return false
	}
	rec.Format = FormatJournalFull
	return true
}

func isWeekday(s string) bool {
	switch s {
	case "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun":
		return true
	}
	return false
}

// decodeCompose reads a "docker compose logs" line: "postfix_1  | LINE"
// or "postfix-1  | LINE", where LINE is any other format.
func decodeCompose(line string, rec *Record) (string, bool) {
	bar := strings.Index(line, " | ")
	if bar <= 0 || bar > 128 {
		return line, false
	}
	name := strings.TrimRight(line[:bar], " ")
	if name == "" || strings.ContainsAny(name, " []:<>{}") {
		return line, false
	}
	inner := line[bar+3:]
	if strings.HasPrefix(inner, "{") {
		return line, false // a JSON logger behind compose: not a shape Postfix images write
	}
	if _, ok := detectEnvelope(inner, rec); !ok {
		return line, false
	}
	rec.Format = FormatCompose
	return line, true
}

// journalEntry is the part of a "journalctl -o json" object, or of a JSON
// log record (Logstash, Filebeat, rsyslog templates), that pftls reads.
type journalEntry struct {
	Message    json.RawMessage `json:"MESSAGE"` // a string, or an array of bytes when not UTF-8
	Identifier string          `json:"SYSLOG_IDENTIFIER"`
	PID        string          `json:"_PID"`
	SyslogPID  string          `json:"SYSLOG_PID"`
	Hostname   string          `json:"_HOSTNAME"`
	Realtime   string          `json:"__REALTIME_TIMESTAMP"` // microseconds since the epoch

	Msg        json.RawMessage `json:"message"`
	Timestamp  string          `json:"@timestamp"`
	Timestamp2 string          `json:"timestamp"`
	Host       json.RawMessage `json:"host"` // a name, or {"name": ...} / {"hostname": ...}
	HostName2  string          `json:"hostname"`
	Program    string          `json:"programname"`
	Tag        string          `json:"syslogtag"`
	AppName    string          `json:"app"`
	ProcID     json.RawMessage `json:"procid"`
}

// decodeJSON reads a journald JSON object or a JSON log record. The
// record's strings are slices of a syslog line made from its fields
// ("2026-03-07T15:05:12.278515Z mx1 postfix/smtp[4242]: ..."), which is
// what reports show as the line.
func decodeJSON(line string, rec *Record) (string, bool) {
	var e journalEntry
	if err := json.Unmarshal([]byte(line), &e); err != nil {
		return line, false
	}
	if e.Realtime != "" || e.Identifier != "" {
		return decodeJournalJSON(&e, rec)
	}
	msg, ok := jsonText(e.Msg)
	if !ok {
		return line, false
	}
	// The message may hold the whole syslog line.
	var in Record
	if raw, ok := detectEnvelope(msg, &in); ok && in.Format != FormatJSON {
		*rec = in
		rec.Format = FormatJSON
		return raw, true
	}
	// Or its parts are fields of their own.
	stamp := e.Timestamp
	if stamp == "" {
		stamp = e.Timestamp2
	}
	tag := strings.TrimSuffix(strings.TrimSpace(e.Tag), ":")
	if tag == "" {
		tag = e.Program
	}
	if tag == "" {
		tag = e.AppName
	}
	host := e.HostName2
	if h, ok := jsonText(e.Host); ok {
		host = h
	} else if len(e.Host) > 0 && e.Host[0] == '{' {
		var h struct {
			Name     string `json:"name"`
			Hostname string `json:"hostname"`
		}
		if json.Unmarshal(e.Host, &h) == nil {
			host = h.Name
			if host == "" {
				host = h.Hostname
			}
		}
	}
	if stamp == "" || tag == "" {
		return line, false
	}
	if !strings.Contains(tag, "[") {
		if pid, ok := jsonText(e.ProcID); ok && pid != "" && pid != "-" {
			tag += "[" + pid + "]"
		} else if len(e.ProcID) > 0 && isDigit(e.ProcID[0]) {
			tag += "[" + string(e.ProcID) + "]"
		}
	}
	return syntheticLine(stamp, host, tag, strings.TrimLeft(msg, " "), rec, FormatJSON)
}

// decodeJournalJSON reads one object of "journalctl -o json".
func decodeJournalJSON(e *journalEntry, rec *Record) (string, bool) {
	msg, ok := jsonText(e.Message)
	if !ok {
		var bytes []byte // MESSAGE as an array of bytes (not UTF-8)
		if json.Unmarshal(e.Message, &bytes) != nil {
			var ints []int
			if json.Unmarshal(e.Message, &ints) != nil {
				return "", false
			}
			for _, n := range ints {
				bytes = append(bytes, byte(n))
			}
		}
		msg = string(bytes)
	}
	micros, err := strconv.ParseInt(e.Realtime, 10, 64)
	if err != nil || e.Identifier == "" {
		return "", false
	}
	stamp := time.UnixMicro(micros).UTC().Format("2006-01-02T15:04:05.000000Z")
	tag := e.Identifier
	pid := e.PID
	if pid == "" {
		pid = e.SyslogPID
	}
	if pid != "" {
		tag += "[" + pid + "]"
	}
	return syntheticLine(stamp, e.Hostname, tag, msg, rec, FormatJournalJSON)
}

// lineBreaks turns the line breaks of a multi-line journal entry into
// spaces (built once: a Replacer with a two-byte pattern builds a trie).
var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// syntheticLine parses the syslog line made of a stamp, host, tag and
// message, as format f. Line breaks in the message (a multi-line journal
// entry) become spaces: a line is one line.
func syntheticLine(stamp, host, tag, msg string, rec *Record, f Format) (string, bool) {
	if host == "" {
		host = NoHost
	}
	if strings.ContainsAny(msg, "\r\n") {
		msg = lineBreaks.Replace(msg)
	}
	line := stamp + " " + host + " " + tag + ": " + msg
	if !splitEnvelope(line, rec) {
		return line, false
	}
	rec.Format = f
	return line, true
}

// jsonText is a JSON string's value.
func jsonText(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// splitTag reads "tag[pid]: text" or "tag: text" into rec.
func splitTag(s string, rec *Record) bool {
	end := strings.IndexByte(s, ':')
	if end <= 0 {
		return false
	}
	tag := s[:end]
	if lb := strings.IndexByte(tag, '['); lb >= 0 {
		if !strings.HasSuffix(tag, "]") {
			return false
		}
		pid, ok := atoi(tag[lb+1 : len(tag)-1])
		if !ok {
			return false
		}
		rec.PID = pid
		tag = tag[:lb]
	}
	if tag == "" || strings.IndexByte(tag, ' ') >= 0 {
		return false
	}
	setProgram(rec, tag)
	rest := s[end+1:]
	if strings.HasPrefix(rest, " ") {
		rest = rest[1:]
	}
	rec.Text = rest
	return true
}

// splitHostTag reads "host tag[pid]: text" into rec.
func splitHostTag(s string, rec *Record) bool {
	s = trimSpaces(s)
	sp := strings.IndexByte(s, ' ')
	if sp <= 0 {
		return false
	}
	rec.Host = s[:sp]
	return splitTag(trimSpaces(s[sp+1:]), rec)
}

package logparse

import "strings"

// Line is one parsed log line: its envelope and what it says.
type Line struct {
	Record
	Event Event
}

// Timed says whether the line carries a time of its own. A line without
// a syslog envelope (Malformed) does not, nor does one of no host (a blank
// line is Foreign): they are counted where the log was, at the time and
// host of the lines before, and their stamp, if any, is not read.
func (l *Line) Timed() bool {
	switch l.Event.Kind() {
	case KindMalformed:
		return false
	case KindForeign:
		return l.Host != ""
	}
	return true
}

// Parse parses one log line (without its newline), finding its envelope
// format by itself (see Format). It never fails: a line it cannot read
// becomes [Malformed], [Foreign] or [Unparsed].
func Parse(line []byte) Line {
	return ParseString(string(line))
}

// ParseString is [Parse] for a line that is already a string.
func ParseString(line string) Line {
	return ParseAs(line, FormatAuto)
}

// ParseAs parses one line in envelope format f; FormatAuto finds it.
func ParseAs(line string, f Format) Line {
	var l Line
	l.Raw = line
	raw, ok := decodeEnvelope(line, &l.Record, f)
	l.Raw = raw
	if !ok {
		// What the classic envelope reads of it (a stamp and a host,
		// say) is kept, as before there were other formats.
		l.Record = Record{Raw: line}
		splitEnvelope(line, &l.Record)
		l.Event = Malformed{}
		switch {
		case hasStampAndHost(line):
			// syslogd's own lines ("last message repeated 3 times") have
			// a stamp and a host but no program: not Postfix's.
			l.Event = Foreign{}
		case strings.TrimSpace(line) == "":
			// A blank line is no program's, and holds nothing to
			// understand.
			l.Event = Foreign{}
		case looksLikeBareMessage(line):
			l.Format = FormatBare
		}
		return l
	}
	bare := l.Program == "postfix" // rsyslog's RFC 5424 APP-NAME stops at "/"
	if !bare && !IsPostfixProgram(l.Program) {
		l.Event = Foreign{}
		return l
	}
	splitMessage(&l.Record)
	if bare {
		l.Service = inferService(&l.Record)
	}
	l.Event = classify(&l.Record)
	return l
}

// postfixDaemons are the programs of a Postfix installation, by basename.
var postfixDaemons = map[string]bool{
	"smtp": true, "lmtp": true, "smtpd": true, "qmgr": true, "nqmgr": true, "oqmgr": true,
	"cleanup": true, "pickup": true, "bounce": true, "defer": true, "trace": true,
	"local": true, "virtual": true, "pipe": true, "error": true, "retry": true, "discard": true,
	"master": true, "postfix-script": true, "anvil": true, "scache": true, "tlsmgr": true,
	"tlsproxy": true, "postscreen": true, "dnsblog": true, "verify": true, "flush": true,
	"showq": true, "proxymap": true, "proxywrite": true, "spawn": true, "postsuper": true,
	"postqueue": true, "postdrop": true, "sendmail": true, "postlog": true, "postlogd": true,
	"postmap": true, "postalias": true, "postconf": true, "postmulti": true, "postcat": true,
	"postkick": true, "postlock": true, "qmqpd": true, "oqmgr-old": true, "relay": true,
}

// IsPostfixProgram reports whether a syslog tag belongs to Postfix: any
// "<instance>/<daemon>" tag whose instance starts with "postfix" (postfix,
// postfix-out, postfix/submission) or whose daemon is a Postfix program.
func IsPostfixProgram(tag string) bool {
	slash := strings.IndexByte(tag, '/')
	if slash < 0 {
		return false
	}
	if strings.HasPrefix(tag, "postfix") {
		return true
	}
	return postfixDaemons[tag[strings.LastIndexByte(tag, '/')+1:]]
}

// classify picks the event type for a Postfix record.
func classify(rec *Record) Event {
	var ev Event
	switch rec.Service {
	case "smtp", "lmtp":
		ev = classifySMTP(rec)
	case "smtpd":
		ev = classifySMTPD(rec)
	case "qmgr", "nqmgr", "oqmgr":
		ev = classifyQmgr(rec)
	case "cleanup":
		ev = classifyCleanup(rec)
	case "pickup":
		ev = classifyPickup(rec)
	case "bounce", "defer", "trace":
		ev = classifyBounce(rec)
	case "postscreen", "tlsproxy", "dnsblog":
		ev = classifyPostscreen(rec)
	case "tlsmgr":
		return TLSCache{Detail: rec.Text}
	case "postsuper":
		ev = classifyPostsuper(rec)
	case "master", "postfix-script", "anvil", "scache", "postlogd", "postlog":
		ev = classifyNotice(rec)
	}
	if ev != nil {
		return ev
	}
	if ev = classifyCommon(rec); ev != nil {
		return ev
	}
	if rec.Severity != SevInfo {
		return Warning{Detail: rec.Text}
	}
	return Unparsed{}
}

// classifyCommon handles shapes that several daemons log: delivery lines
// (local, virtual, pipe, error, ...) and the TLS library's lines (smtp,
// smtpd, tlsproxy).
func classifyCommon(rec *Record) Event {
	t := rec.Text
	if rec.QueueID != "" && strings.HasPrefix(t, "to=") {
		if d, ok := parseDelivery(t); ok {
			return d
		}
		return nil
	}
	if strings.HasPrefix(t, "message repeated ") || strings.HasPrefix(t, "last message repeated ") {
		return Notice{Detail: t}
	}
	if rec.Severity == SevInfo && isCommonNotice(t) {
		return Notice{Detail: t}
	}
	return classifyTLS(rec)
}

// isCommonNotice reports an informational line that any of several
// daemons log: a lookup table changed under a long-running process
// (cleanup.c, smtpd.c, smtp.c, qmgr.c, local.c, pipe.c, proxymap.c, qmqpd.c:
// "table %s has changed -- restarting"), a dict_cache cleanup run
// (dict_cache.c, for verify and postscreen: "cache %s %s cleanup:
// retained=%d dropped=%d entries"), or the EHLO keywords a client or server
// will not see (smtpd.c, smtp_proto.c: "discarding EHLO keywords: %s").
func isCommonNotice(t string) bool {
	switch {
	case strings.HasPrefix(t, "table "):
		return strings.HasSuffix(t, " has changed -- restarting")
	case strings.HasPrefix(t, "cache "):
		return strings.Contains(t, " cleanup: retained=")
	case strings.HasPrefix(t, "discarding EHLO keywords: "):
		return true
	}
	return false
}

func classifyNotice(rec *Record) Event {
	t := rec.Text
	if rec.Severity != SevInfo {
		return nil
	}
	for _, p := range noticePrefixes {
		if strings.HasPrefix(t, p) {
			return Notice{Detail: t}
		}
	}
	return nil
}

var noticePrefixes = []string{
	"daemon started", "reload ", "terminating on signal", "master exit time",
	"starting the Postfix", "stopping the Postfix", "refreshing the Postfix",
	"waiting for the Postfix", "the Postfix mail system is", "Postfix is running",
	"statistics: ", "connection established", "postlogd: ",
}

func classifyPostsuper(rec *Record) Event {
	t := rec.Text
	if rec.QueueID != "" {
		if t == "removed" {
			return Removed{ByAdmin: true}
		}
		switch t {
		case "requeued", "placed on hold", "released from hold", "expired":
			return Notice{Detail: t}
		}
		return nil
	}
	for _, p := range []string{"Deleted: ", "Requeued: ", "Placed on hold: ", "Released from hold: ", "Force-expired: "} {
		if strings.HasPrefix(t, p) {
			return Notice{Detail: t}
		}
	}
	return nil
}

func classifyQmgr(rec *Record) Event {
	t := rec.Text
	if rec.QueueID == "" {
		return nil
	}
	switch {
	case t == "removed":
		return Removed{}
	case strings.HasPrefix(t, "from=<"):
		return parseQueueEntry(t)
	case strings.HasPrefix(t, "skipped, still being delivered"):
		return Notice{Detail: t}
	}
	return nil
}

// parseQueueEntry reads "from=<a>, size=N, nrcpt=N (queue active)" and
// "from=<a>, status=expired, returned to sender".
func parseQueueEntry(t string) Event {
	rest := t[len("from=<"):]
	if end := strings.Index(rest, ">, status="); end >= 0 {
		status := rest[end+len(">, status="):]
		if c := strings.IndexByte(status, ','); c >= 0 {
			status = status[:c]
		}
		return Expired{From: rest[:end], Status: status}
	}
	end := strings.Index(rest, ">, size=")
	if end < 0 {
		return nil
	}
	q := QueueEntry{From: rest[:end]}
	rest = rest[end+len(">, size="):]
	size, rest := leadingInt(rest)
	q.Size = int64(size)
	if strings.HasPrefix(rest, ", nrcpt=") {
		q.Nrcpt, _ = leadingInt(rest[len(", nrcpt="):])
	}
	return q
}

func classifyCleanup(rec *Record) Event {
	t := rec.Text
	if rec.QueueID == "" {
		return nil
	}
	if strings.HasPrefix(t, "warning: header ") || strings.HasPrefix(t, "warning: body ") {
		// header_checks/body_checks WARN: "QID: warning: header Subject: ..."
		return parseAction("warning", t[len("warning: "):])
	}
	switch {
	case strings.HasPrefix(t, "message-id="):
		return MessageID{MessageID: trimAngle(t[len("message-id="):])}
	case strings.HasPrefix(t, "resent-message-id="):
		return MessageID{MessageID: trimAngle(t[len("resent-message-id="):]), Resent: true}
	case t == "removed":
		return Removed{}
	case strings.HasPrefix(t, "removed ("):
		return Removed{Detail: strings.TrimSuffix(t[len("removed ("):], ")")}
	}
	return parseReject(t)
}

func classifyPickup(rec *Record) Event {
	t := rec.Text
	if rec.QueueID == "" || !strings.HasPrefix(t, "uid=") {
		return nil
	}
	uid, rest := leadingInt(t[len("uid="):])
	p := Pickup{UID: uid}
	if !strings.HasPrefix(rest, " from=<") {
		return nil
	}
	rest = rest[len(" from=<"):]
	if i := strings.LastIndex(rest, "> orig_id="); i >= 0 {
		p.From, p.OrigID = rest[:i], rest[i+len("> orig_id="):]
	} else {
		p.From = strings.TrimSuffix(rest, ">")
	}
	return p
}

var notificationTypes = []string{
	"sender non-delivery notification",
	"postmaster non-delivery notification",
	"sender delay notification",
	"postmaster delay notification",
	"sender delivery status notification",
}

func classifyBounce(rec *Record) Event {
	t := rec.Text
	if rec.QueueID == "" {
		return nil
	}
	for _, typ := range notificationTypes {
		if strings.HasPrefix(t, typ+": ") {
			return Notification{Type: typ, NewQueueID: t[len(typ)+2:]}
		}
	}
	return nil
}

// leadingInt parses the digits at the start of s and returns the rest.
func leadingInt(s string) (int, string) {
	i := 0
	n := 0
	for i < len(s) && isDigit(s[i]) && i < 18 {
		n = n*10 + int(s[i]-'0')
		i++
	}
	return n, s[i:]
}

// trimAngle removes one pair of surrounding angle brackets.
func trimAngle(s string) string {
	if len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>' {
		return s[1 : len(s)-1]
	}
	return s
}

// cutPeer splits "host[addr]:port: rest" or "host[addr] rest" at the end of
// the peer: the first ':' or ' ' after the closing bracket and port.
func cutPeer(s string) (Peer, string, bool) {
	rb := strings.IndexByte(s, ']')
	if rb < 0 {
		return Peer{}, "", false
	}
	end := rb + 1
	if end < len(s) && s[end] == ':' && end+1 < len(s) && isDigit(s[end+1]) {
		end++
		for end < len(s) && isDigit(s[end]) {
			end++
		}
	}
	p, ok := parsePeer(s[:end])
	if !ok {
		return Peer{}, "", false
	}
	return p, s[end:], true
}

// hasStampAndHost reports whether a line starts with a timestamp and a host
// followed by a word that is no program tag.
func hasStampAndHost(line string) bool {
	var st Stamp
	_, rest, ok := cutStampAndHost(line, &st)
	if !ok {
		return false
	}
	word, _, _ := strings.Cut(rest, " ")
	return !strings.ContainsAny(word, "[]:/")
}

package logparse

import "strings"

// classifySMTPD handles smtpd's session and reject lines; TLS lines fall
// through to classifyCommon.
func classifySMTPD(rec *Record) Event {
	t := rec.Text
	switch {
	case strings.HasPrefix(t, "connect from "):
		if p, _, ok := cutPeer(t[len("connect from "):]); ok {
			return Connect{Client: p}
		}
	case strings.HasPrefix(t, "disconnect from "):
		return parseDisconnect(t[len("disconnect from "):])
	case rec.QueueID != "" && strings.HasPrefix(t, "client="):
		return parseClient(t[len("client="):])
	case strings.HasPrefix(t, "lost connection after "):
		return parseAbnormalEnd("lost connection", t[len("lost connection after "):])
	case strings.HasPrefix(t, "timeout after "):
		return parseAbnormalEnd("timeout", t[len("timeout after "):])
	case strings.HasPrefix(t, "too many errors after "):
		return parseAbnormalEnd("too many errors", t[len("too many errors after "):])
	case strings.HasPrefix(t, "abort: TLS from "):
		if p, rest, ok := cutPeer(t[len("abort: TLS from "):]); ok {
			return TLSAbort{Client: p, Reason: strings.TrimPrefix(rest, ": ")}
		}
	case strings.HasPrefix(t, "proxy-reject: "):
		if ev := parseProxyReject(t[len("proxy-reject: "):]); ev != nil {
			return ev
		}
		return Notice{Detail: t}
	case strings.HasPrefix(t, "improper command pipelining after "),
		strings.HasPrefix(t, "discarding EHLO keywords"),
		strings.HasPrefix(t, "proxy-accept: "),
		strings.HasPrefix(t, "disconnect: bare <LF> received from "):
		// The last is 3.9-20231226..20240104 (smtpd.c); later snapshots
		// log a "reject: ...: bare <LF> received;" line instead.
		return Notice{Detail: t}
	}
	if rec.Severity == SevInfo {
		if ev := parseReject(t); ev != nil {
			return ev
		}
	}
	return nil
}

func parseDisconnect(t string) Event {
	p, rest, ok := cutPeer(t)
	if !ok {
		return nil
	}
	d := Disconnect{Client: p, Stats: strings.TrimPrefix(rest, " ")}
	for f := range strings.FieldsSeq(d.Stats) {
		eq := strings.IndexByte(f, '=')
		if eq < 0 {
			continue
		}
		ok, total := parseOKTotal(f[eq+1:])
		switch f[:eq] {
		case "commands":
			d.CommandsOK, d.CommandsTotal = ok, total
		case "starttls":
			d.StartTLSOK, d.StartTLS = ok, total
		}
	}
	return d
}

// parseOKTotal reads smtpd's "n" or "ok/total" command counter.
func parseOKTotal(s string) (int, int) {
	if slash := strings.IndexByte(s, '/'); slash >= 0 {
		ok, _ := atoi(s[:slash])
		total, _ := atoi(s[slash+1:])
		return ok, total
	}
	n, _ := atoi(s)
	return n, n
}

func parseClient(t string) Event {
	p, rest, ok := cutPeer(t)
	if !ok {
		return nil
	}
	c := Client{Client: p}
	for rest != "" {
		rest = strings.TrimPrefix(rest, ", ")
		field := rest
		if i := strings.Index(rest, ", "); i >= 0 {
			field, rest = rest[:i], rest[i:]
		} else {
			rest = ""
		}
		key, val, _ := strings.Cut(field, "=")
		switch key {
		case "sasl_method":
			c.SASLMethod = val
		case "sasl_username":
			c.SASLUsername = val
		case "orig_queue_id":
			c.OrigQueueID = val
		case "orig_client":
			c.OrigClient = val
		}
	}
	return c
}

// parseAbnormalEnd reads "STAGE[ (N bytes)] from client[addr]".
func parseAbnormalEnd(reason, t string) Event {
	i := strings.LastIndex(t, " from ")
	if i < 0 {
		return nil
	}
	p, _, ok := cutPeer(t[i+len(" from "):])
	if !ok {
		return nil
	}
	return AbnormalEnd{Reason: reason, After: t[:i], Client: p}
}

// parseProxyReject reads the body of smtpd's before-queue filter verdict,
// "proxy-reject: %s: %s;%s" (smtpd.c): the stage, the filter's reply and
// the " from=<a> to=<b> proto=P helo=<h>" fields. The line names no client.
func parseProxyReject(body string) Event {
	stage, rest, ok := strings.Cut(body, ": ")
	if !ok || stage == "" || strings.IndexByte(stage, ' ') >= 0 {
		return nil
	}
	r := Reject{Action: ActionProxyReject, Stage: stage, Reply: rest}
	if i := strings.LastIndexByte(rest, ';'); i >= 0 {
		r.Reply, rest = rest[:i], rest[i+1:]
		r.From = angleField(rest, "from=<")
		r.To = angleField(rest, "to=<")
		r.Helo = angleField(rest, "helo=<")
		r.Proto = plainField(rest, "proto=")
	}
	r.Code, r.DSN = replyCode(r.Reply)
	return r
}

// rejectActions are the access-table actions smtpd, cleanup and postscreen
// log in the "ACTION: STAGE from CLIENT: REPLY; from=<> to=<>" layout.
var rejectActions = []string{
	"reject: ", "reject_warning: ", "milter-reject: ", "milter-discard: ", "milter-hold: ",
	"hold: ", "discard: ", "filter: ", "redirect: ", "warn: ", "info: ", "replace: ",
	"prepend: ", "bcc: ", "strip: ", "delay: ",
}

// parseReject reads smtpd ("RCPT from client: 554 5.7.1 text; from=<a>
// to=<b> proto=ESMTP helo=<h>"), postscreen (the same with commas) and
// cleanup ("header Subject: x from client; from=<a> to=<b> ...: 5.7.1 text")
// action lines.
func parseReject(t string) Event {
	action := ""
	for _, a := range rejectActions {
		if strings.HasPrefix(t, a) {
			action = a[:len(a)-2]
			break
		}
	}
	if action == "" {
		// cleanup_milter.c: header/body checks on what a milter added,
		// "milter-header-redirect: header X: v from c[a]; from=<> ...".
		if !strings.HasPrefix(t, "milter-header-") && !strings.HasPrefix(t, "milter-body-") {
			return nil
		}
		c := strings.Index(t, ": ")
		if c < 0 || strings.IndexByte(t[:c], ' ') >= 0 {
			return nil
		}
		action = t[:c]
	}
	return parseAction(action, t[len(action)+2:])
}

// envelopeTails start the "; from=<a> to=<b> proto=P helo=<h>" part of an
// action line; a line may lack from= (an EHLO reject) or helo= (local mail).
var envelopeTails = []string{"; from=<", "; proto=", "; helo=<"}

// parseAction reads the body of an action line after "ACTION: ".
func parseAction(action, body string) Event {
	r := Reject{Action: Action(action)}
	head, tail := body, ""
	for _, k := range envelopeTails {
		if i := strings.LastIndex(body, k); i >= 0 {
			head, tail = body[:i], body[i+2:]
			break
		}
	}
	r.From = angleField(tail, "from=<")
	r.To = angleField(tail, "to=<")
	r.Helo = angleField(tail, "helo=<")
	r.Proto = plainField(tail, "proto=")
	sp := strings.IndexByte(head, ' ')
	if sp < 0 {
		return nil
	}
	r.Stage = head[:sp]
	from := strings.Index(head, " from ")
	if from < 0 {
		return nil
	}
	if r.Stage == "header" || r.Stage == "body" || strings.HasPrefix(r.Stage, "mime-") {
		// cleanup: "header Subject: text from client[addr]; from=<> ...: reply"
		from = strings.LastIndex(head, " from ")
		r.Client, _, _ = cutPeer(head[from+len(" from "):])
		r.Reply = cleanupReply(tail)
		r.Stage = head[:from]
	} else {
		r.Stage = head[:from]
		p, rest, ok := cutPeer(head[from+len(" from "):])
		if !ok {
			return nil
		}
		r.Client = p
		r.Reply = strings.TrimPrefix(rest, ": ")
	}
	r.Code, r.DSN = replyCode(r.Reply)
	return r
}

// cleanupReply finds the reply after cleanup's envelope fields: the text
// after the last "<...>: " (or after "proto=P: ").
func cleanupReply(tail string) string {
	if i := strings.LastIndex(tail, ">: "); i >= 0 {
		return tail[i+3:]
	}
	if i := strings.Index(tail, "proto="); i >= 0 {
		if c := strings.Index(tail[i:], ": "); c >= 0 {
			return tail[i+c+2:]
		}
	}
	return ""
}

// replyCode takes "554 5.7.1 text" apart into 554 and "5.7.1"; cleanup's
// and milter's replies ("5.7.1 text") have a DSN and no code.
func replyCode(reply string) (int, string) {
	if len(reply) < 3 {
		return 0, ""
	}
	if isDSN(reply) {
		return 0, reply[:strings.IndexByte(reply+" ", ' ')]
	}
	code, ok := atoi(reply[:3])
	if !ok {
		return 0, ""
	}
	rest := strings.TrimPrefix(reply[3:], " ")
	sp := strings.IndexByte(rest, ' ')
	if sp < 0 {
		sp = len(rest)
	}
	if dsn := rest[:sp]; isDSN(dsn) {
		return code, dsn
	}
	return code, ""
}

// isDSN reports whether s starts with an enhanced status code ("5.7.1").
func isDSN(s string) bool {
	return len(s) >= 5 && (s[0] == '2' || s[0] == '4' || s[0] == '5') && s[1] == '.' && isDigit(s[2])
}

// angleField finds key<value> in s; the value ends at a '>' followed by the
// end, a space or a comma.
func angleField(s, key string) string {
	i := strings.Index(s, key)
	if i < 0 {
		return ""
	}
	v := s[i+len(key):]
	for j := 0; j < len(v); j++ {
		if v[j] == '>' && (j+1 == len(v) || v[j+1] == ' ' || v[j+1] == ',' || v[j+1] == ':') {
			return v[:j]
		}
	}
	return v
}

// plainField finds key=value in s; the value ends at a space or comma.
func plainField(s, key string) string {
	i := strings.Index(s, key)
	if i < 0 {
		return ""
	}
	v := s[i+len(key):]
	if j := strings.IndexAny(v, " ,"); j >= 0 {
		return v[:j]
	}
	return v
}

// postscreenActions are postscreen's and tlsproxy's session events.
var postscreenActions = []string{
	"CONNECT from ", "CONNECT to ", "PASS NEW ", "PASS OLD ", "PREGREET ", "DNSBL rank ",
	"HANGUP after ", "DISCONNECT ", "COMMAND PIPELINING from ", "NON-SMTP COMMAND from ",
	"BARE NEWLINE from ", "COMMAND TIME LIMIT from ", "COMMAND COUNT LIMIT from ",
	"COMMAND LENGTH LIMIT from ", "WHITELISTED ", "ALLOWLISTED ", "BLACKLISTED ",
	"DENYLISTED ", "WHITELIST VETO ", "ALLOWLIST VETO ", "BDAT from ", "DATA without valid RCPT from ",
}

// classifyPostscreen handles postscreen, dnsblog and tlsproxy lines.
func classifyPostscreen(rec *Record) Event {
	t := rec.Text
	if rec.QueueID == "NOQUEUE" {
		if ev := parseReject(t); ev != nil {
			return ev
		}
	}
	for _, a := range postscreenActions {
		if !strings.HasPrefix(t, a) {
			continue
		}
		ps := Postscreen{Action: strings.TrimSuffix(strings.TrimSuffix(a, " "), " from")}
		if lb := strings.IndexByte(t, '['); lb >= 0 {
			p, rest, ok := cutPeer(t[lb:])
			if ok {
				ps.Client = p
				ps.Detail = strings.TrimPrefix(strings.TrimPrefix(rest, ":"), " ")
			}
		}
		if ps.Action == "PREGREET" || ps.Action == "DNSBL rank" || ps.Action == "HANGUP after" {
			ps.Detail = t
		}
		return ps
	}
	if strings.HasPrefix(t, "cache ") || strings.HasPrefix(t, "addr ") {
		return Notice{Detail: t}
	}
	// postscreen_smtpd.c: "[%s]:%s: discarding EHLO keywords: %s".
	if p, rest, ok := cutPeer(t); ok && strings.HasPrefix(rest, ": discarding EHLO keywords: ") {
		return Postscreen{Action: "discarding EHLO keywords", Client: p, Detail: rest[len(": discarding EHLO keywords: "):]}
	}
	return nil
}

package logparse

import "strings"

// inferService names the daemon of a line whose syslog tag is "postfix"
// alone: rsyslog's RFC 5424 template cuts APP-NAME at the first "/", so
// "postfix/smtp" arrives as "postfix". The message tells the daemon where
// only one daemon writes it; otherwise the service is "" and the line is
// read by the shapes every daemon shares (deliveries, TLS lines), or
// counted as not understood.
func inferService(rec *Record) string {
	t := rec.Text
	if rec.QueueID != "" {
		switch {
		case strings.HasPrefix(t, "to="):
			return relayService(t)
		case strings.HasPrefix(t, "client="):
			return "smtpd"
		case strings.HasPrefix(t, "message-id=") || strings.HasPrefix(t, "resent-message-id=") ||
			strings.HasPrefix(t, "milter-") || strings.HasPrefix(t, "header ") || strings.HasPrefix(t, "body "):
			return "cleanup"
		case strings.HasPrefix(t, "uid=") && strings.Contains(t, " from=<"):
			return "pickup"
		case strings.HasPrefix(t, "from=<") && (strings.Contains(t, ", size=") || strings.Contains(t, ", status=expired")):
			return "qmgr"
		case t == "removed":
			return "qmgr"
		case strings.HasPrefix(t, "sender non-delivery notification") || strings.HasPrefix(t, "sender delivery status notification") ||
			strings.HasPrefix(t, "sender delay notification") || strings.HasPrefix(t, "postmaster non-delivery notification"):
			return "bounce"
		case strings.HasPrefix(t, "Cannot start TLS: ") || strings.HasPrefix(t, "TLS is required, but ") ||
			strings.HasPrefix(t, "lost connection with ") || strings.HasPrefix(t, "conversation with ") ||
			strings.HasPrefix(t, "host ") && strings.Contains(t, " said: "):
			return "smtp"
		}
	}
	for _, p := range inferPrefixes {
		if strings.HasPrefix(t, p.prefix) {
			return p.service
		}
	}
	switch {
	case strings.Contains(t, "TLS connection established to "), strings.HasPrefix(t, "SSL_connect error to "),
		strings.HasPrefix(t, "certificate verification failed for "), strings.HasPrefix(t, "server certificate verification failed for "):
		return "smtp"
	case strings.Contains(t, "TLS connection established from "), strings.HasPrefix(t, "SSL_accept error from "):
		return "smtpd"
	}
	return ""
}

// inferPrefixes are message beginnings only one daemon writes.
var inferPrefixes = []struct{ prefix, service string }{
	{"connect from ", "smtpd"}, {"disconnect from ", "smtpd"}, {"lost connection after ", "smtpd"},
	{"timeout after ", "smtpd"}, {"NOQUEUE: ", "smtpd"}, {"too many errors after ", "smtpd"},
	{"improper command pipelining after ", "smtpd"}, {"CONNECT from [", "postscreen"}, {"PASS NEW [", "postscreen"},
	{"PASS OLD [", "postscreen"}, {"DISCONNECT [", "postscreen"}, {"PREGREET ", "postscreen"},
	{"HANGUP after ", "postscreen"}, {"DNSBL rank ", "postscreen"}, {"WHITELISTED [", "postscreen"},
	{"BLACKLISTED [", "postscreen"}, {"ALLOWLISTED [", "postscreen"}, {"DENYLISTED [", "postscreen"},
	{"daemon started", "master"}, {"reload -- version", "master"}, {"terminating on signal", "master"},
	{"master exit time", "master"}, {"statistics: max ", "anvil"},
	{"connect to ", "smtp"}, {"Host offered STARTTLS: ", "smtp"}, {"TLS is required, but ", "smtp"},
}

// relayService names the delivery agent of a delivery line by its relay=:
// a server address is smtp (lmtp on port 24), relay=local and
// relay=virtual are those agents, any other name a pipe transport.
// relay=none (no server was reached) says nothing: "".
func relayService(t string) string {
	i := strings.Index(t, ", relay=")
	if i < 0 {
		return ""
	}
	relay := t[i+len(", relay="):]
	if j := strings.IndexByte(relay, ','); j >= 0 {
		relay = relay[:j]
	}
	switch {
	case relay == "none" || relay == "":
		return ""
	case relay == "local" || relay == "virtual":
		return relay
	case strings.Contains(relay, "["):
		if strings.HasSuffix(relay, "]:24") || strings.Contains(relay, "lmtp") {
			return "lmtp"
		}
		return "smtp"
	case strings.Contains(relay, "lmtp") || strings.HasPrefix(relay, "private/"):
		return "lmtp"
	}
	return "pipe"
}

// looksLikeBareMessage reports whether a line with no envelope is a
// Postfix message written without one ("journalctl -o cat"): a queue ID
// or NOQUEUE and ": ", or a beginning only Postfix writes.
func looksLikeBareMessage(line string) bool {
	if _, _, ok := cutQueueID(line); ok {
		return true
	}
	for _, p := range inferPrefixes {
		if strings.HasPrefix(line, p.prefix) {
			return true
		}
	}
	return strings.Contains(line, "TLS connection established ")
}

package report

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Redact replaces the local part of every e-mail address in the model's
// log-derived text with a short stable hash ("u3f9a1c2e@example.com"), so
// a report can be mailed around without saying who wrote to whom. The same
// address always gets the same hash, so counts still group.
func (m *Model) Redact() {
	for i := range m.TLSFailures {
		m.TLSFailures[i].Detail = RedactText(m.TLSFailures[i].Detail)
		m.TLSFailures[i].Evidence = redactLines(m.TLSFailures[i].Evidence)
	}
	for i := range m.Diagnoses {
		d := &m.Diagnoses[i]
		d.Finding, d.Evidence, d.Advice = RedactText(d.Finding), RedactText(d.Evidence), RedactText(d.Advice)
		d.Lines = redactLines(d.Lines)
	}
	for i := range m.Domains {
		redactCounts(m.Domains[i].TopReasons)
	}
	for i := range m.Deferrals {
		redactCounts(m.Deferrals[i].Reasons)
	}
	for i := range m.Bounces {
		m.Bounces[i].Reason = RedactText(m.Bounces[i].Reason)
	}
	for i := range m.Rejects {
		m.Rejects[i].Reason = RedactText(m.Rejects[i].Reason)
	}
	for i := range m.Warnings {
		m.Warnings[i].Message = RedactText(m.Warnings[i].Message)
		m.Warnings[i].Example = RedactText(m.Warnings[i].Example)
	}
	for i := range m.Unparsed {
		m.Unparsed[i].Text = RedactText(m.Unparsed[i].Text)
	}
	for _, rows := range [][]VolumeRow{m.Senders, m.SendersBySize, m.Recipients, m.RecipientsBySize} {
		for i := range rows {
			rows[i].Name = RedactText(rows[i].Name)
		}
	}
}

// redactLines returns a redacted copy: a diagnosis's lines may share
// their array with a failure's evidence, and redacting in place would
// hash the hash.
func redactLines(lines []string) []string {
	if lines == nil {
		return nil
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = RedactText(l)
	}
	return out
}

func redactCounts(cs []Count) {
	for i := range cs {
		cs[i].Reason = RedactText(cs[i].Reason)
	}
}

// RedactText hashes the local part of each address in s, and the user
// named in local(8)'s 'unknown user: "name"'.
func RedactText(s string) string {
	if strings.IndexByte(s, '@') < 0 && !strings.Contains(s, `unknown user: "`) {
		return s
	}
	var b strings.Builder
	for {
		at := strings.IndexByte(s, '@')
		uu := strings.Index(s, `unknown user: "`)
		if uu >= 0 && (at < 0 || uu < at) {
			start := uu + len(`unknown user: "`)
			end := strings.IndexByte(s[start:], '"')
			if end < 0 {
				b.WriteString(s)
				return b.String()
			}
			b.WriteString(s[:start])
			b.WriteString(hashLocal(s[start : start+end]))
			s = s[start+end:]
			continue
		}
		if at < 0 {
			b.WriteString(s)
			return b.String()
		}
		start := at
		for start > 0 && isLocalPartChar(s[start-1]) {
			start--
		}
		if start == at || at+1 >= len(s) || !isDomainChar(s[at+1]) {
			b.WriteString(s[:at+1])
			s = s[at+1:]
			continue
		}
		b.WriteString(s[:start])
		b.WriteString(hashLocal(s[start:at]))
		b.WriteByte('@')
		s = s[at+1:]
	}
}

func hashLocal(local string) string {
	if local == "*" {
		return local // already masked
	}
	sum := sha256.Sum256([]byte(strings.ToLower(local)))
	return "u" + hex.EncodeToString(sum[:4])
}

func isLocalPartChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", c) >= 0 || c >= 0x80
}

func isDomainChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '[' || c >= 0x80
}

// Redact redacts the explanation's model and its timeline.
func (e *Explanation) Redact() {
	e.Model.Redact()
	for i := range e.Timeline {
		e.Timeline[i].Recipient = RedactText(e.Timeline[i].Recipient)
		e.Timeline[i].Detail = RedactText(e.Timeline[i].Detail)
	}
}

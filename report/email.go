package report

import (
	"bytes"
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// EmailOptions are the headers of a mailed report.
type EmailOptions struct {
	From    string   // "pftls <root@mail.example.com>"
	To      []string // recipients
	Subject string   // default: Subject(m, ...)
	Date    time.Time
	Host    string // this host's name, for the Message-ID
}

// WriteEmail writes the report as an RFC 5322 message: multipart/alternative
// with the text report and the HTML report, both quoted-printable (so no
// line is longer than 76 octets), ready for "sendmail -t -i".
func WriteEmail(w io.Writer, m *Model, eo EmailOptions, ro RenderOptions) error {
	m = m.forPeople()
	ro.ASCII = false // the parts are UTF-8 whatever the sender's locale: block characters show in every client
	var text, html bytes.Buffer
	if err := renderText(&text, m, ro); err != nil {
		return err
	}
	if err := renderMailHTML(&html, m, ro); err != nil {
		return err
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, part := range []struct {
		ctype string
		data  []byte
	}{{"text/plain; charset=utf-8", text.Bytes()}, {"text/html; charset=utf-8", html.Bytes()}} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return fmt.Errorf("report: email part: %w", err)
		}
		qp := quotedprintable.NewWriter(pw)
		if _, err := qp.Write(part.data); err != nil {
			return fmt.Errorf("report: email part: %w", err)
		}
		if err := qp.Close(); err != nil {
			return fmt.Errorf("report: email part: %w", err)
		}
	}
	if err := mw.Close(); err != nil {
		return fmt.Errorf("report: email: %w", err)
	}
	hdr, err := envelopeHeaders(eo.From, eo.To, headerValue(eo.Subject), eo.Date, eo.Host)
	if err != nil {
		return fmt.Errorf("report: email: %w", err)
	}
	hdr = append(hdr,
		header{"MIME-Version", "1.0"},
		header{"Content-Type", `multipart/alternative; boundary="` + mw.Boundary() + `"`},
		header{"Auto-Submitted", "auto-generated"},
		header{"X-Mailer", "pftls"})
	return writeMessage(w, hdr, body.Bytes())
}

// header is one header field of a message pftls writes.
type header struct{ k, v string }

// envelopeHeaders are the first headers of every message pftls writes:
// From (one address, required) and To (checked addresses; none: left out,
// for --format email without --mail-to), Subject (safe already: see
// headerValue), Date (now when zero) and a Message-ID at host.
func envelopeHeaders(from string, to []string, subject string, date time.Time, host string) ([]header, error) {
	f, err := addressHeader([]string{from})
	if err == nil && f == "" {
		err = fmt.Errorf("no address")
	}
	if err != nil {
		return nil, fmt.Errorf("From: %w", err)
	}
	t, err := addressHeader(to)
	if err != nil {
		return nil, fmt.Errorf("To: %w", err)
	}
	if date.IsZero() {
		date = time.Now()
	}
	return []header{
		{"From", f},
		{"To", t},
		{"Subject", subject},
		{"Date", date.Format(time.RFC1123Z)},
		{"Message-ID", "<" + messageID() + "@" + idHost(cmp.Or(host, "localhost")) + ">"},
	}, nil
}

// writeMessage writes the header fields, each folded (an empty To left
// out), a blank line and body.
func writeMessage(w io.Writer, hdr []header, body []byte) error {
	ew := &errWriter{w: w}
	for _, h := range hdr {
		if h.k == "To" && h.v == "" {
			continue // --format email without --mail-to: no recipient yet
		}
		fmt.Fprintf(ew, "%s\r\n", fold(h.k+": "+h.v))
	}
	fmt.Fprint(ew, "\r\n")
	ew.Write(body)
	return ew.err
}

// headerValue makes an unstructured header value (Subject) safe: no
// line breaks or other controls (header injection), RFC 2047 encoded-words
// for non-ASCII text, and a bounded length; fold then keeps each line of
// the header short.
func headerValue(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 300 {
		s = string(r[:299]) + "…" // a header stays far below 998 octets a line
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			// Encoded words of at most 75 characters, separated by spaces
			// where fold may break the line.
			return mime.QEncoding.Encode("utf-8", s)
		}
	}
	return s
}

// addressHeader formats a list of addresses for From or To: each is
// parsed (net/mail), so that a display name or a line break cannot add a
// header or a recipient, and formatted again, its display name quoted or
// encoded (RFC 2047) as it needs.
func addressHeader(list []string) (string, error) {
	var out []string
	for _, a := range list {
		if strings.ContainsAny(a, "\r\n") {
			return "", fmt.Errorf("address %q contains a line break", a)
		}
		addrs, err := mail.ParseAddressList(a)
		if err != nil {
			return "", fmt.Errorf("address %q: %w", a, err)
		}
		for _, ad := range addrs {
			f := ad.String()
			if ad.Name == "" {
				f = strings.TrimSuffix(strings.TrimPrefix(f, "<"), ">") // a bare addr-spec, as given
			}
			out = append(out, f)
		}
	}
	return strings.Join(out, ", "), nil
}

// fold breaks a header line ("Name: value") at spaces so that its lines
// stay within 78 octets where a space allows it (RFC 5322 2.2.3); a
// continuation line starts with a space.
func fold(line string) string {
	const limit = 78
	if len(line) <= limit {
		return line
	}
	var b strings.Builder
	cur := 0
	for i, word := range strings.Split(line, " ") {
		if i > 0 {
			if cur+1+len(word) > limit && cur > 1 {
				b.WriteString("\r\n")
				cur = 0
			}
			b.WriteByte(' ')
			cur++
		}
		b.WriteString(word)
		cur += len(word)
	}
	return b.String()
}

// idHost is the host part of the Message-ID: the host name if it is made
// of the characters a domain has, else "localhost".
func idHost(host string) string {
	if host == "" || len(host) > 253 || strings.IndexFunc(host, func(r rune) bool {
		return !(r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) >= 0 {
		return "localhost"
	}
	return host
}

func messageID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Sprintf("%d.pftls", time.Now().UnixNano())
	}
	return time.Now().UTC().Format("20060102150405") + "." + hex.EncodeToString(b[:]) + ".pftls"
}

// Subject summarises the report for a mail subject: what matters, before
// the message is opened (Model.Summary says it).
// "[pftls] mail.example.com 24h: 3 domains failing TLS, 41 deferred, 2 bounced",
// "... : all clear" or "... : no Postfix log lines from ... to ...: is logging working?".
func Subject(m *Model, host, window string) string {
	return fmt.Sprintf("[pftls] %s %s: %s", host, window, m.Summary(nil))
}

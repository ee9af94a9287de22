package report

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
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
	var text, html bytes.Buffer
	if err := renderText(&text, m, ro); err != nil {
		return err
	}
	if err := renderHTML(&html, m, ro); err != nil {
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
	host := eo.Host
	if host == "" {
		host = "localhost"
	}
	date := eo.Date
	if date.IsZero() {
		date = time.Now()
	}
	hdr := []struct{ k, v string }{
		{"From", headerValue(eo.From)},
		{"To", headerValue(strings.Join(eo.To, ", "))},
		{"Subject", headerValue(eo.Subject)},
		{"Date", date.Format(time.RFC1123Z)},
		{"Message-ID", "<" + messageID() + "@" + host + ">"},
		{"MIME-Version", "1.0"},
		{"Content-Type", `multipart/alternative; boundary="` + mw.Boundary() + `"`},
		{"Auto-Submitted", "auto-generated"},
		{"X-Mailer", "pftls"},
	}
	ew := &errWriter{w: w}
	for _, h := range hdr {
		fmt.Fprintf(ew, "%s: %s\r\n", h.k, h.v)
	}
	fmt.Fprint(ew, "\r\n")
	ew.Write(body.Bytes())
	return ew.err
}

// headerValue makes a header value safe: no line breaks (header injection),
// and RFC 2047 encoded-words for non-ASCII text.
func headerValue(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r < 0x20 && r != '\t' {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 300 {
		s = string(r[:299]) + "…" // a header line stays far below 998 octets
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			// Encoded words of at most 75 characters, folded onto lines.
			return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", s), "?= =?", "?=\r\n =?")
		}
	}
	return s
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

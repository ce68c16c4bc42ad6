package smtpmail

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	va "github.com/visitarchive/visitarchive"
)

// The message: its addresses, checked for header injection, and its
// rendering as text/plain in UTF-8.

// parseAddress parses one address, refusing CR and LF first: they would
// let a value add headers or SMTP commands of its own.
func parseAddress(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("address %q contains a line break", s)
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not an e-mail address: %v", s, err)
	}
	return a, nil
}

func parseRecipients(to []string) ([]*mail.Address, error) {
	if len(to) == 0 {
		return nil, va.E(mailOp, va.Invalid, nil, "mail has no recipient")
	}
	addrs := make([]*mail.Address, 0, len(to))
	for i, s := range to {
		a, err := parseAddress(s)
		if err != nil {
			return nil, va.E(mailOp, va.Invalid, nil, "recipient %d: %v", i+1, err)
		}
		addrs = append(addrs, a)
	}
	return addrs, nil
}

func addressesOf(as []*mail.Address) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Address
	}
	return out
}

// composeMail renders the message: headers folded at 76 columns, the
// subject RFC 2047 encoded when it is not plain ASCII, and the body with
// CRLF line breaks in base64, which keeps Chinese text compact and safe
// on any relay.
func composeMail(from *mail.Address, to []*mail.Address, m va.Mail, now time.Time) ([]byte, error) {
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, va.E(mailOp, va.Invalid, nil, "subject contains a line break")
	}
	if !utf8.ValidString(m.Subject) || !utf8.ValidString(m.Body) {
		return nil, va.E(mailOp, va.Invalid, nil, "subject or body is not valid UTF-8")
	}
	tos := make([]string, len(to))
	for i, a := range to {
		tos[i] = a.String()
	}
	var b strings.Builder
	writeHeader(&b, "Date", now.Format(time.RFC1123Z))
	writeHeader(&b, "From", from.String())
	writeHeader(&b, "To", strings.Join(tos, ", "))
	writeHeader(&b, "Subject", mime.BEncoding.Encode("UTF-8", m.Subject))
	writeHeader(&b, "Message-ID", messageID(from.Address))
	writeHeader(&b, "MIME-Version", "1.0")
	writeHeader(&b, "Content-Type", "text/plain; charset=UTF-8")
	writeHeader(&b, "Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	body := base64.StdEncoding.EncodeToString([]byte(crlf(m.Body)))
	for len(body) > 76 {
		b.WriteString(body[:76] + "\r\n")
		body = body[76:]
	}
	b.WriteString(body + "\r\n")
	return []byte(b.String()), nil
}

// writeHeader writes "name: value", folding at spaces so that lines stay
// near 76 columns; unfolding gives back the value.
func writeHeader(b *strings.Builder, name, value string) {
	b.WriteString(name + ":")
	n := len(name) + 1
	for i, word := range strings.Split(value, " ") {
		if i > 0 && n+1+len(word) > 76 {
			b.WriteString("\r\n")
			n = 0
		}
		b.WriteString(" " + word)
		n += 1 + len(word)
	}
	b.WriteString("\r\n")
}

// crlf turns every line break of s (LF, CR or CRLF) into CRLF, the
// canonical form of text/plain.
func crlf(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

func messageID(from string) string {
	domain := "localhost"
	if i := strings.LastIndex(from, "@"); i >= 0 && i < len(from)-1 {
		domain = from[i+1:]
	}
	return "<" + strings.ToLower(rand.Text()) + "@" + domain + ">"
}

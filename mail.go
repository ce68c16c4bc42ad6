package visitarchive

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Mailer sends notifications by e-mail.
type Mailer interface {
	// Send delivers m to the mail server. It returns nil once the server
	// has accepted the message for every recipient; an Invalid error when
	// m cannot be sent as it is (no recipient, a bad address, CR or LF in
	// a header); an Unavailable error when the server cannot be reached,
	// refuses the message or ctx ends first (the error then wraps
	// ctx.Err()).
	Send(ctx context.Context, m Mail) error
}

// Mail is one plain-text notification. Subject and Body are UTF-8 and may
// be Chinese.
type Mail struct {
	To      []string // addresses, "a@example.com" or "张三 <a@example.com>"
	Subject string
	Body    string
}

// DefaultMailTimeout bounds a send when SMTPMailer.Timeout is zero.
const DefaultMailTimeout = 30 * time.Second

// SMTPMailer sends mail through one SMTP server (submission, port 587, or
// a relay on port 25) with the standard library's net/smtp. It upgrades
// the connection with STARTTLS whenever the server offers it, verifying
// the certificate against the host of Addr. It is safe for concurrent use:
// each Send opens its own connection.
//
// Implicit TLS (SMTPS, port 465) is not supported; use STARTTLS on 587.
type SMTPMailer struct {
	Addr string // host:port of the server
	From string // the sender, "archive@example.com" or "档案库 <archive@example.com>"

	// Username and Password are sent with AUTH PLAIN when Username is
	// set. Credentials go only over a TLS connection, or in clear to a
	// loopback host (a relay on the same machine).
	Username, Password string

	// Timeout bounds the whole exchange, from dial to the end of DATA;
	// zero means DefaultMailTimeout. A deadline on ctx can shorten it.
	Timeout time.Duration

	// RootCAs, when not nil, replaces the system roots in verifying the
	// server's certificate: for an internal CA, or a test server. The
	// certificate is always verified; there is no option to skip that.
	RootCAs *x509.CertPool
}

const mailOp = "smtp"

var _ Mailer = (*SMTPMailer)(nil)

// Check validates the configuration: Addr has a host and a port, From is
// one address, and a password comes with a user name. It returns an
// Invalid error naming every problem.
func (m *SMTPMailer) Check() error {
	var probs []string
	if _, _, err := splitHostPort(m.Addr); err != nil {
		probs = append(probs, err.Error())
	}
	if _, err := parseAddress(m.From); err != nil {
		probs = append(probs, "from: "+err.Error())
	}
	if m.Password != "" && m.Username == "" {
		probs = append(probs, "a password is set without a username")
	}
	if m.Timeout < 0 {
		probs = append(probs, fmt.Sprintf("timeout %s is negative", m.Timeout))
	}
	if len(probs) > 0 {
		return E(mailOp, Invalid, nil, "bad mailer configuration: %s", strings.Join(probs, "; "))
	}
	return nil
}

// String describes the mailer without its password, so that the
// configuration can be printed or logged as it is.
func (m SMTPMailer) String() string {
	return fmt.Sprintf("smtp://%s (from %s, user %q, timeout %s)", m.Addr, m.From, m.Username, m.timeout())
}

// GoString is String, so that %#v does not print the password either.
func (m SMTPMailer) GoString() string { return m.String() }

// LogValue logs the mailer without its password.
func (m SMTPMailer) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", m.Addr), slog.String("from", m.From),
		slog.String("username", m.Username), slog.Duration("timeout", m.timeout()))
}

func (m *SMTPMailer) timeout() time.Duration {
	if m.Timeout > 0 {
		return m.Timeout
	}
	return DefaultMailTimeout
}

// Send implements Mailer. Once the server has accepted the message, an
// error on QUIT is ignored: reporting it would make the caller send the
// message twice.
func (m *SMTPMailer) Send(ctx context.Context, msg Mail) error {
	if err := m.Check(); err != nil {
		return err
	}
	from, _ := parseAddress(m.From)
	to, err := parseRecipients(msg.To)
	if err != nil {
		return err
	}
	data, err := composeMail(from, to, msg, time.Now())
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return E(mailOp, Unavailable, err, "send to %s: cancelled before connecting", m.Addr)
	}
	ctx, cancel := context.WithTimeout(ctx, m.timeout())
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return m.fail(ctx, "connect to "+m.Addr, err)
	}
	defer conn.Close()
	// net/smtp knows no context: a deadline on the connection bounds
	// every read and write, and cancelling ctx moves it into the past.
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	return m.converse(ctx, conn, from.Address, addressesOf(to), data)
}

// converse runs the SMTP dialogue on conn, from the greeting to DATA.
func (m *SMTPMailer) converse(ctx context.Context, conn net.Conn, from string, to []string, data []byte) error {
	host, _, _ := splitHostPort(m.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return m.fail(ctx, "greeting from "+m.Addr, err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return m.fail(ctx, "EHLO to "+m.Addr, err)
	}
	encrypted := false
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := &tls.Config{ServerName: host, RootCAs: m.RootCAs, MinVersion: tls.VersionTLS12}
		if err := c.StartTLS(cfg); err != nil {
			return m.fail(ctx, "STARTTLS with "+m.Addr, err)
		}
		encrypted = true
	}
	if m.Username != "" {
		if err := m.auth(ctx, c, host, encrypted); err != nil {
			return err
		}
	}
	if err := c.Mail(from); err != nil {
		return m.fail(ctx, fmt.Sprintf("%s refused sender %s", m.Addr, from), err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			return m.fail(ctx, fmt.Sprintf("%s refused recipient %s", m.Addr, rcpt), err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return m.fail(ctx, "DATA to "+m.Addr, err)
	}
	if _, err := w.Write(data); err != nil {
		return m.fail(ctx, "write message to "+m.Addr, err)
	}
	if err := w.Close(); err != nil {
		return m.fail(ctx, m.Addr+" did not accept the message", err)
	}
	_ = c.Quit() // the message is accepted; see Send
	return nil
}

// auth logs in with AUTH PLAIN, refusing to send the password in clear to
// anything but a loopback host.
func (m *SMTPMailer) auth(ctx context.Context, c *smtp.Client, host string, encrypted bool) error {
	if !encrypted && !isLoopback(host) {
		return E(mailOp, Unavailable, nil,
			"refusing to send credentials to %s over an unencrypted connection: the server does not offer STARTTLS", m.Addr)
	}
	ok, mechs := c.Extension("AUTH")
	if !ok {
		return E(mailOp, Unavailable, nil, "%s does not offer AUTH; cannot log in as %s", m.Addr, m.Username)
	}
	if !slices.Contains(strings.Fields(strings.ToUpper(mechs)), "PLAIN") {
		return E(mailOp, Unavailable, nil, "%s does not offer AUTH PLAIN (it offers %s)", m.Addr, mechs)
	}
	if err := c.Auth(plainAuth{m.Username, m.Password}); err != nil {
		// The server's reply, never the credentials.
		return m.fail(ctx, fmt.Sprintf("%s refused login as %s", m.Addr, m.Username), err)
	}
	return nil
}

// fail wraps err from step, saying whether ctx was cancelled or time ran
// out: both cut the connection, and the bare "i/o timeout" of net/smtp
// would not say which.
func (m *SMTPMailer) fail(ctx context.Context, step string, err error) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		// The connection's deadline is ctx's, and may fire a moment
		// before ctx's own timer does.
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	cerr := ctx.Err()
	switch {
	case errors.Is(cerr, context.Canceled):
		return E(mailOp, Unavailable, fmt.Errorf("%w (%v)", cerr, err), "%s: cancelled", step)
	case cerr != nil:
		return E(mailOp, Unavailable, fmt.Errorf("%w (%v)", cerr, err), "%s: timed out", step)
	}
	return E(mailOp, Unavailable, err, "%s", step)
}

// plainAuth is AUTH PLAIN (RFC 4616) without net/smtp's own check, which
// trusts only the names "localhost", "127.0.0.1" and "::1"; the caller
// decides with isLoopback before it is used.
type plainAuth struct{ user, pass string }

func (a plainAuth) Start(*smtp.ServerInfo) (string, []byte, error) {
	return "PLAIN", []byte("\x00" + a.user + "\x00" + a.pass), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected server challenge after AUTH PLAIN")
	}
	return nil, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func splitHostPort(addr string) (host, port string, err error) {
	host, port, err = net.SplitHostPort(addr)
	if err != nil {
		return "", "", fmt.Errorf("addr %q is not host:port", addr)
	}
	if host == "" {
		return "", "", fmt.Errorf("addr %q has no host", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("addr %q has no port between 1 and 65535", addr)
	}
	return host, port, nil
}

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
		return nil, E(mailOp, Invalid, nil, "mail has no recipient")
	}
	addrs := make([]*mail.Address, 0, len(to))
	for i, s := range to {
		a, err := parseAddress(s)
		if err != nil {
			return nil, E(mailOp, Invalid, nil, "recipient %d: %v", i+1, err)
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
func composeMail(from *mail.Address, to []*mail.Address, m Mail, now time.Time) ([]byte, error) {
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, E(mailOp, Invalid, nil, "subject contains a line break")
	}
	if !utf8.ValidString(m.Subject) || !utf8.ValidString(m.Body) {
		return nil, E(mailOp, Invalid, nil, "subject or body is not valid UTF-8")
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

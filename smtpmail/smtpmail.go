// Package smtpmail sends the archive's notifications by e-mail through
// an SMTP server: its Mailer implements visitarchive.Mailer with the
// standard library's net/smtp (STARTTLS whenever offered, AUTH PLAIN only
// over TLS or to a loopback relay). The archive decides what to mail to
// whom; this package only delivers it, and cmd/visitarchive configures it.
package smtpmail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"slices"
	"strconv"
	"strings"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// DefaultTimeout bounds a send when Mailer.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Mailer sends mail through one SMTP server (submission, port 587, or
// a relay on port 25) with the standard library's net/smtp. It upgrades
// the connection with STARTTLS whenever the server offers it, verifying
// the certificate against the host of Addr. It is safe for concurrent use:
// each Send opens its own connection.
//
// Implicit TLS (SMTPS, port 465) is not supported; use STARTTLS on 587.
type Mailer struct {
	Addr string // host:port of the server
	From string // the sender, "archive@example.com" or "档案库 <archive@example.com>"

	// Username and Password are sent with AUTH PLAIN when Username is
	// set. Credentials go only over a TLS connection, or in clear to a
	// loopback host (a relay on the same machine).
	Username, Password string

	// Timeout bounds the whole exchange, from dial to the end of DATA;
	// zero means DefaultTimeout. A deadline on ctx can shorten it.
	Timeout time.Duration

	// RootCAs, when not nil, replaces the system roots in verifying the
	// server's certificate: for an internal CA, or a test server. The
	// certificate is always verified; there is no option to skip that.
	RootCAs *x509.CertPool
}

const mailOp = "smtp"

var _ va.Mailer = (*Mailer)(nil)

// Check validates the configuration: Addr has a host and a port, From is
// one address, and a password comes with a user name. It returns an
// Invalid error naming every problem.
func (m *Mailer) Check() error {
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
		return va.E(mailOp, va.Invalid, nil, "bad mailer configuration: %s", strings.Join(probs, "; "))
	}
	return nil
}

// String describes the mailer without its password, so that the
// configuration can be printed or logged as it is.
func (m Mailer) String() string {
	return fmt.Sprintf("smtp://%s (from %s, user %q, timeout %s)", m.Addr, m.From, m.Username, m.timeout())
}

// GoString is String, so that %#v does not print the password either.
func (m Mailer) GoString() string { return m.String() }

// LogValue logs the mailer without its password.
func (m Mailer) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", m.Addr), slog.String("from", m.From),
		slog.String("username", m.Username), slog.Duration("timeout", m.timeout()))
}

func (m *Mailer) timeout() time.Duration {
	if m.Timeout > 0 {
		return m.Timeout
	}
	return DefaultTimeout
}

// Send implements visitarchive.Mailer. Once the server has accepted the message, an
// error on QUIT is ignored: reporting it would make the caller send the
// message twice.
func (m *Mailer) Send(ctx context.Context, msg va.Mail) error {
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
		return va.E(mailOp, va.Unavailable, err, "send to %s: cancelled before connecting", m.Addr)
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
func (m *Mailer) converse(ctx context.Context, conn net.Conn, from string, to []string, data []byte) error {
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
func (m *Mailer) auth(ctx context.Context, c *smtp.Client, host string, encrypted bool) error {
	if !encrypted && !isLoopback(host) {
		return va.E(mailOp, va.Unavailable, nil,
			"refusing to send credentials to %s over an unencrypted connection: the server does not offer STARTTLS", m.Addr)
	}
	ok, mechs := c.Extension("AUTH")
	if !ok {
		return va.E(mailOp, va.Unavailable, nil, "%s does not offer AUTH; cannot log in as %s", m.Addr, m.Username)
	}
	if !slices.Contains(strings.Fields(strings.ToUpper(mechs)), "PLAIN") {
		return va.E(mailOp, va.Unavailable, nil, "%s does not offer AUTH PLAIN (it offers %s)", m.Addr, mechs)
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
func (m *Mailer) fail(ctx context.Context, step string, err error) error {
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
		return va.E(mailOp, va.Unavailable, fmt.Errorf("%w (%v)", cerr, err), "%s: cancelled", step)
	case cerr != nil:
		return va.E(mailOp, va.Unavailable, fmt.Errorf("%w (%v)", cerr, err), "%s: timed out", step)
	}
	return va.E(mailOp, va.Unavailable, err, "%s", step)
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

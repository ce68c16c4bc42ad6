package visitarchive_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/big"
	"mime"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	va "github.com/visitarchive/visitarchive"
)

// testSMTP is a real SMTP server (go-smtp) on a free loopback port that
// keeps what it receives.
type testSMTP struct {
	addr string
	srv  *smtp.Server

	users map[string]string // when not nil, MAIL needs AUTH PLAIN as one of them
	hold  chan struct{}     // when not nil, EHLO waits until it is closed

	mu    sync.Mutex
	got   []received
	auths int // AUTH attempts, successful or not
}

type received struct {
	from    string
	to      []string
	data    []byte
	tls     bool
	user    string
	session int
}

type smtpOptions struct {
	host  string // listen host; "127.0.0.1" when empty
	users map[string]string
	cert  *tls.Certificate // offers STARTTLS when set
	hold  bool
	// insecureAuth lets clients log in without TLS (go-smtp refuses
	// otherwise, even on loopback).
	insecureAuth bool
}

func startSMTP(t *testing.T, o smtpOptions) *testSMTP {
	t.Helper()
	host := o.host
	if host == "" {
		host = "127.0.0.1"
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	ts := &testSMTP{addr: l.Addr().String(), users: o.users}
	if o.hold {
		ts.hold = make(chan struct{})
	}
	ts.srv = smtp.NewServer(smtp.BackendFunc(ts.newSession))
	ts.srv.Domain = "localhost"
	ts.srv.AllowInsecureAuth = o.insecureAuth
	ts.srv.ReadTimeout = 10 * time.Second
	ts.srv.WriteTimeout = 10 * time.Second
	ts.srv.ErrorLog = log.New(io.Discard, "", 0)
	if o.cert != nil {
		ts.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*o.cert}}
	}
	go ts.srv.Serve(l)
	t.Cleanup(func() {
		if ts.hold != nil {
			close(ts.hold)
		}
		ts.srv.Close()
	})
	return ts
}

func (ts *testSMTP) newSession(c *smtp.Conn) (smtp.Session, error) {
	if ts.hold != nil {
		<-ts.hold
	}
	_, isTLS := c.TLSConnectionState()
	return &testSession{ts: ts, cur: received{tls: isTLS}}, nil
}

func (ts *testSMTP) messages() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return slices.Clone(ts.got)
}

func (ts *testSMTP) authAttempts() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.auths
}

type testSession struct {
	ts  *testSMTP
	cur received
}

func (s *testSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *testSession) Auth(string) (sasl.Server, error) {
	s.ts.mu.Lock()
	s.ts.auths++
	s.ts.mu.Unlock()
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if want, ok := s.ts.users[user]; !ok || pass != want {
			return smtp.ErrAuthFailed
		}
		s.cur.user = user
		return nil
	}), nil
}

func (s *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.ts.users != nil && s.cur.user == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.from = from
	return nil
}

func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.ts.mu.Lock()
	s.ts.got = append(s.ts.got, s.cur)
	s.ts.mu.Unlock()
	return nil
}

func (s *testSession) Reset() {
	s.cur = received{tls: s.cur.tls, user: s.cur.user}
}

func (s *testSession) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// parsed is a received message with its headers and body decoded.
type parsed struct {
	header  mail.Header
	subject string
	body    string
}

func parseMail(t *testing.T, data []byte) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("received message does not parse: %v\n%s", err, data)
	}
	for _, line := range strings.Split(string(data), "\r\n") {
		if len(line) > 998 { // RFC 5322's hard limit; 78 is a SHOULD
			t.Errorf("line of %d characters, over 998: %q", len(line), line)
		}
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("decode subject %q: %v", msg.Header.Get("Subject"), err)
	}
	if got := msg.Header.Get("Content-Transfer-Encoding"); got != "base64" {
		t.Fatalf("Content-Transfer-Encoding = %q, want base64", got)
	}
	raw, err := io.ReadAll(msg.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(raw)))
	if err != nil {
		t.Fatalf("body is not base64: %v\n%s", err, raw)
	}
	return parsed{header: msg.Header, subject: subject, body: string(body)}
}

func TestSMTPMailerSendsChineseMail(t *testing.T) {
	ts := startSMTP(t, smtpOptions{})
	m := &va.SMTPMailer{Addr: ts.addr, From: "档案库 <archive@visit.example>", Timeout: 5 * time.Second}
	subject := "拜访记录待审核：上海华东国际贸易有限公司 2025 年第三季度客户拜访记录（王经理提交），请在 24 小时内处理"
	body := "王主管：\n\n张三提交了拜访记录，请审核。\n.以点开头的一行\r\n客户意见：价格偏高；交期需缩短。\n"
	err := m.Send(t.Context(), va.Mail{
		To:      []string{"张三 <zhang.san@visit.example>", "li.si@visit.example"},
		Subject: subject,
		Body:    body,
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := ts.messages()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.from != "archive@visit.example" {
		t.Errorf("MAIL FROM = %q, want archive@visit.example", got.from)
	}
	if want := []string{"zhang.san@visit.example", "li.si@visit.example"}; !slices.Equal(got.to, want) {
		t.Errorf("RCPT TO = %q, want %q", got.to, want)
	}
	p := parseMail(t, got.data)
	if n := strings.Count(string(got.data), "\r\n =?UTF-8?b?"); n < 2 {
		t.Errorf("long subject folded onto %d continuation lines, want several:\n%s", n, got.data)
	}
	if p.subject != subject {
		t.Errorf("subject = %q, want %q", p.subject, subject)
	}
	if want := strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"); p.body != want {
		t.Errorf("body = %q, want %q", p.body, want)
	}
	from, err := p.header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "档案库" || from[0].Address != "archive@visit.example" {
		t.Errorf("From = %v (%v), want 档案库 <archive@visit.example>", from, err)
	}
	to, err := p.header.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Name != "张三" || to[1].Address != "li.si@visit.example" {
		t.Errorf("To = %v (%v), want both recipients", to, err)
	}
	if d, err := p.header.Date(); err != nil || time.Since(d).Abs() > time.Minute {
		t.Errorf("Date = %v (%v), want now", d, err)
	}
	if id := p.header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@visit.example>") {
		t.Errorf("Message-ID = %q, want <...@visit.example>", id)
	}
	if v := p.header.Get("MIME-Version"); v != "1.0" {
		t.Errorf("MIME-Version = %q, want 1.0", v)
	}
	if mt, params, err := mime.ParseMediaType(p.header.Get("Content-Type")); err != nil || mt != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("Content-Type = %q, want text/plain; charset=UTF-8", p.header.Get("Content-Type"))
	}
}

func TestSMTPMailerAuthPlain(t *testing.T) {
	ts := startSMTP(t, smtpOptions{users: map[string]string{"archive": "s3cret-密码"}, insecureAuth: true})
	tests := []struct {
		name, user, pass string
		wantErr          string // "" for success
	}{
		{"right password", "archive", "s3cret-密码", ""},
		{"wrong password", "archive", "wrong-pass", "refused login as archive"},
		{"no credentials", "", "", "refused sender"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(ts.messages())
			m := &va.SMTPMailer{Addr: ts.addr, From: "archive@visit.example", Username: tt.user, Password: tt.pass, Timeout: 5 * time.Second}
			err := m.Send(t.Context(), va.Mail{To: []string{"a@visit.example"}, Subject: "test", Body: "hello"})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				msgs := ts.messages()
				if len(msgs) != before+1 || msgs[len(msgs)-1].user != tt.user {
					t.Fatalf("server did not receive the message as %q", tt.user)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Send error = %v, want one containing %q", err, tt.wantErr)
			}
			if tt.pass != "" && strings.Contains(err.Error(), tt.pass) {
				t.Errorf("error %q reveals the password", err)
			}
			if len(ts.messages()) != before {
				t.Errorf("server received a message")
			}
		})
	}
}

func TestSMTPMailerSTARTTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	users := map[string]string{"archive": "s3cret"}
	ts := startSMTP(t, smtpOptions{cert: cert, users: users}) // no insecure auth: only over TLS

	m := &va.SMTPMailer{Addr: ts.addr, From: "archive@visit.example", Username: "archive", Password: "s3cret", Timeout: 5 * time.Second, RootCAs: pool}
	if err := m.Send(t.Context(), va.Mail{To: []string{"a@visit.example"}, Subject: "加密", Body: "内容"}); err != nil {
		t.Fatalf("Send with the CA trusted: %v", err)
	}
	msgs := ts.messages()
	if len(msgs) != 1 || !msgs[0].tls || msgs[0].user != "archive" {
		t.Fatalf("received %+v, want one message over TLS as archive", msgs)
	}

	m.RootCAs = nil // the system roots do not know the test CA
	err := m.Send(t.Context(), va.Mail{To: []string{"a@visit.example"}, Subject: "加密", Body: "内容"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Send with an untrusted certificate: error = %v, want a certificate error on STARTTLS", err)
	}
	if n := len(ts.messages()); n != 1 {
		t.Errorf("server received %d messages, want still 1", n)
	}
}

// nonLoopbackIPv4 returns an address of this machine that is not loopback.
func nonLoopbackIPv4(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Skipf("no interface addresses: %v", err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return n.IP.String()
		}
	}
	t.Skip("this machine has no non-loopback IPv4 address to listen on")
	return ""
}

func TestSMTPMailerRefusesCleartextCredentials(t *testing.T) {
	ts := startSMTP(t, smtpOptions{host: nonLoopbackIPv4(t), users: map[string]string{"archive": "s3cret"}, insecureAuth: true})
	m := &va.SMTPMailer{Addr: ts.addr, From: "archive@visit.example", Username: "archive", Password: "s3cret", Timeout: 5 * time.Second}
	err := m.Send(t.Context(), va.Mail{To: []string{"a@visit.example"}, Subject: "x", Body: "y"})
	if err == nil || !strings.Contains(err.Error(), "unencrypted") {
		t.Fatalf("Send error = %v, want a refusal to send credentials unencrypted", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %q reveals the password", err)
	}
	if n := ts.authAttempts(); n != 0 {
		t.Errorf("server saw %d AUTH attempts, want 0", n)
	}
}

func TestSMTPMailerServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	m := &va.SMTPMailer{Addr: addr, From: "archive@visit.example", Timeout: 2 * time.Second}
	start := time.Now()
	err = m.Send(t.Context(), va.Mail{To: []string{"a@visit.example"}, Subject: "x", Body: "y"})
	if took := time.Since(start); took > m.Timeout {
		t.Errorf("Send took %s, over the %s timeout", took, m.Timeout)
	}
	if want := "smtp: connect to " + addr + ": "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("Send error = %v, want one starting %q", err, want)
	}
	if k := va.ErrorKind(err); k != va.Unavailable {
		t.Errorf("kind = %v, want %v", k, va.Unavailable)
	}
}

// A server that accepts the connection and never greets must not hang
// the sender past its timeout.
func TestSMTPMailerSilentServerTimesOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()

	m := &va.SMTPMailer{Addr: l.Addr().String(), From: "archive@visit.example", Timeout: 300 * time.Millisecond}
	start := time.Now()
	err = m.Send(t.Context(), va.Mail{To: []string{"a@visit.example"}, Subject: "x", Body: "y"})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Send took %s with a 300ms timeout", took)
	}
	if err == nil || !strings.Contains(err.Error(), "greeting from "+m.Addr+": timed out") {
		t.Fatalf("Send error = %v, want a timeout waiting for the greeting", err)
	}
}

func TestSMTPMailerRefusesHeaderInjection(t *testing.T) {
	ts := startSMTP(t, smtpOptions{})
	tests := []struct {
		name string
		from string
		mail va.Mail
	}{
		{"CRLF in subject", "archive@visit.example",
			va.Mail{To: []string{"a@visit.example"}, Subject: "hi\r\nBcc: victim@evil.example", Body: "x"}},
		{"LF in subject", "archive@visit.example",
			va.Mail{To: []string{"a@visit.example"}, Subject: "hi\nX-Spam: 1", Body: "x"}},
		{"CR in recipient", "archive@visit.example",
			va.Mail{To: []string{"a@visit.example\rRCPT TO:<victim@evil.example>"}, Subject: "hi", Body: "x"}},
		{"LF in recipient name", "archive@visit.example",
			va.Mail{To: []string{"\"x\nBcc: victim@evil.example\" <a@visit.example>"}, Subject: "hi", Body: "x"}},
		{"CRLF in sender", "archive@visit.example\r\nBcc: victim@evil.example",
			va.Mail{To: []string{"a@visit.example"}, Subject: "hi", Body: "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &va.SMTPMailer{Addr: ts.addr, From: tt.from, Timeout: 5 * time.Second}
			err := m.Send(t.Context(), tt.mail)
			if err == nil || !strings.Contains(err.Error(), "line break") {
				t.Fatalf("Send error = %v, want a refusal naming the line break", err)
			}
			if k := va.ErrorKind(err); k != va.Invalid {
				t.Errorf("kind = %v, want %v", k, va.Invalid)
			}
		})
	}
	if n := len(ts.messages()); n != 0 {
		t.Errorf("server received %d messages, want 0", n)
	}
}

func TestSMTPMailerCancel(t *testing.T) {
	ts := startSMTP(t, smtpOptions{hold: true}) // answers the greeting, then stalls on EHLO
	m := &va.SMTPMailer{Addr: ts.addr, From: "archive@visit.example", Timeout: 30 * time.Second}
	msg := va.Mail{To: []string{"a@visit.example"}, Subject: "x", Body: "y"}

	t.Run("during the exchange", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		err := m.Send(ctx, msg)
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("Send took %s after cancel at 100ms", took)
		}
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "cancelled") {
			t.Fatalf("Send error = %v, want a cancellation wrapping context.Canceled", err)
		}
	})
	t.Run("before it starts", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := m.Send(ctx, msg); !errors.Is(err, context.Canceled) {
			t.Fatalf("Send error = %v, want context.Canceled", err)
		}
	})
	t.Run("caller's deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		err := m.Send(ctx, msg)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out") {
			t.Fatalf("Send error = %v, want a timeout wrapping context.DeadlineExceeded", err)
		}
	})
	if n := len(ts.messages()); n != 0 {
		t.Errorf("server received %d messages, want 0", n)
	}
}

func TestSMTPMailerCheck(t *testing.T) {
	tests := []struct {
		name    string
		m       va.SMTPMailer
		wantErr string // "" when valid
	}{
		{"valid", va.SMTPMailer{Addr: "mail.example:587", From: "archive@visit.example"}, ""},
		{"valid with name and auth", va.SMTPMailer{Addr: "[::1]:25", From: "档案库 <archive@visit.example>", Username: "u", Password: "p"}, ""},
		{"no port", va.SMTPMailer{Addr: "mail.example", From: "archive@visit.example"}, "not host:port"},
		{"no host", va.SMTPMailer{Addr: ":25", From: "archive@visit.example"}, "no host"},
		{"bad port", va.SMTPMailer{Addr: "mail.example:smtp", From: "archive@visit.example"}, "no port"},
		{"port out of range", va.SMTPMailer{Addr: "mail.example:70000", From: "archive@visit.example"}, "no port"},
		{"empty from", va.SMTPMailer{Addr: "mail.example:25"}, "not an e-mail address"},
		{"from not an address", va.SMTPMailer{Addr: "mail.example:25", From: "archive"}, "not an e-mail address"},
		{"password without user", va.SMTPMailer{Addr: "mail.example:25", From: "a@visit.example", Password: "p"}, "without a username"},
		{"negative timeout", va.SMTPMailer{Addr: "mail.example:25", From: "a@visit.example", Timeout: -time.Second}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Check()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Check() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Check() = %v, want an error containing %q", err, tt.wantErr)
			}
			if k := va.ErrorKind(err); k != va.Invalid {
				t.Errorf("kind = %v, want %v", k, va.Invalid)
			}
		})
	}
}

func TestSMTPMailerNeverPrintsPassword(t *testing.T) {
	m := &va.SMTPMailer{Addr: "mail.example:587", From: "a@visit.example", Username: "archive", Password: "hunter2-secret"}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("mailer", "config", m)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("mailer", "config", *m)
	for _, s := range []string{
		fmt.Sprint(m), fmt.Sprintf("%+v", m), fmt.Sprintf("%#v", m),
		fmt.Sprintf("%v", *m), fmt.Sprintf("%+v", *m), fmt.Sprintf("%#v", *m),
		logged.String(),
	} {
		if strings.Contains(s, "hunter2") {
			t.Errorf("printed configuration reveals the password: %s", s)
		}
	}
}

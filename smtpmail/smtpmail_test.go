package smtpmail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/smtpmail"
	"github.com/visitarchive/visitarchive/smtpmail/smtptest"
)

func TestMailerSendsChineseMail(t *testing.T) {
	ts := smtptest.Start(t, smtptest.Options{})
	m := &smtpmail.Mailer{Addr: ts.Addr, From: "档案库 <archive@visit.example>", Timeout: 5 * time.Second}
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
	msgs := ts.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.From != "archive@visit.example" {
		t.Errorf("MAIL FROM = %q, want archive@visit.example", got.From)
	}
	if want := []string{"zhang.san@visit.example", "li.si@visit.example"}; !slices.Equal(got.To, want) {
		t.Errorf("RCPT TO = %q, want %q", got.To, want)
	}
	p := smtptest.Parse(t, got.Data)
	if n := strings.Count(string(got.Data), "\r\n =?UTF-8?b?"); n < 2 {
		t.Errorf("long subject folded onto %d continuation lines, want several:\n%s", n, got.Data)
	}
	if p.Subject != subject {
		t.Errorf("subject = %q, want %q", p.Subject, subject)
	}
	if want := strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n"); p.Body != want {
		t.Errorf("body = %q, want %q", p.Body, want)
	}
	from, err := p.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "档案库" || from[0].Address != "archive@visit.example" {
		t.Errorf("From = %v (%v), want 档案库 <archive@visit.example>", from, err)
	}
	to, err := p.Header.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Name != "张三" || to[1].Address != "li.si@visit.example" {
		t.Errorf("To = %v (%v), want both recipients", to, err)
	}
	if d, err := p.Header.Date(); err != nil || time.Since(d).Abs() > time.Minute {
		t.Errorf("Date = %v (%v), want now", d, err)
	}
	if id := p.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@visit.example>") {
		t.Errorf("Message-ID = %q, want <...@visit.example>", id)
	}
	if v := p.Header.Get("MIME-Version"); v != "1.0" {
		t.Errorf("MIME-Version = %q, want 1.0", v)
	}
	if mt, params, err := mime.ParseMediaType(p.Header.Get("Content-Type")); err != nil || mt != "text/plain" || !strings.EqualFold(params["charset"], "utf-8") {
		t.Errorf("Content-Type = %q, want text/plain; charset=UTF-8", p.Header.Get("Content-Type"))
	}
}

func TestMailerAuthPlain(t *testing.T) {
	ts := smtptest.Start(t, smtptest.Options{Users: map[string]string{"archive": "s3cret-密码"}, InsecureAuth: true})
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
			before := len(ts.Messages())
			m := &smtpmail.Mailer{Addr: ts.Addr, From: "archive@visit.example", Username: tt.user, Password: tt.pass, Timeout: 5 * time.Second}
			err := m.Send(t.Context(), va.Mail{To: []string{"a@visit.example"}, Subject: "test", Body: "hello"})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				msgs := ts.Messages()
				if len(msgs) != before+1 || msgs[len(msgs)-1].User != tt.user {
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
			if len(ts.Messages()) != before {
				t.Errorf("server received a message")
			}
		})
	}
}

func TestMailerSTARTTLS(t *testing.T) {
	cert, pool := smtptest.SelfSigned(t)
	users := map[string]string{"archive": "s3cret"}
	ts := smtptest.Start(t, smtptest.Options{Cert: cert, Users: users}) // no insecure auth: only over TLS

	m := &smtpmail.Mailer{Addr: ts.Addr, From: "archive@visit.example", Username: "archive", Password: "s3cret", Timeout: 5 * time.Second, RootCAs: pool}
	if err := m.Send(t.Context(), va.Mail{To: []string{"a@visit.example"}, Subject: "加密", Body: "内容"}); err != nil {
		t.Fatalf("Send with the CA trusted: %v", err)
	}
	msgs := ts.Messages()
	if len(msgs) != 1 || !msgs[0].TLS || msgs[0].User != "archive" {
		t.Fatalf("received %+v, want one message over TLS as archive", msgs)
	}

	m.RootCAs = nil // the system roots do not know the test CA
	err := m.Send(t.Context(), va.Mail{To: []string{"a@visit.example"}, Subject: "加密", Body: "内容"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Send with an untrusted certificate: error = %v, want a certificate error on STARTTLS", err)
	}
	if n := len(ts.Messages()); n != 1 {
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

func TestMailerRefusesCleartextCredentials(t *testing.T) {
	ts := smtptest.Start(t, smtptest.Options{Host: nonLoopbackIPv4(t), Users: map[string]string{"archive": "s3cret"}, InsecureAuth: true})
	m := &smtpmail.Mailer{Addr: ts.Addr, From: "archive@visit.example", Username: "archive", Password: "s3cret", Timeout: 5 * time.Second}
	err := m.Send(t.Context(), va.Mail{To: []string{"a@visit.example"}, Subject: "x", Body: "y"})
	if err == nil || !strings.Contains(err.Error(), "unencrypted") {
		t.Fatalf("Send error = %v, want a refusal to send credentials unencrypted", err)
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error %q reveals the password", err)
	}
	if n := ts.AuthAttempts(); n != 0 {
		t.Errorf("server saw %d AUTH attempts, want 0", n)
	}
}

func TestMailerServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	m := &smtpmail.Mailer{Addr: addr, From: "archive@visit.example", Timeout: 2 * time.Second}
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
func TestMailerSilentServerTimesOut(t *testing.T) {
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

	m := &smtpmail.Mailer{Addr: l.Addr().String(), From: "archive@visit.example", Timeout: 300 * time.Millisecond}
	start := time.Now()
	err = m.Send(t.Context(), va.Mail{To: []string{"a@visit.example"}, Subject: "x", Body: "y"})
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Send took %s with a 300ms timeout", took)
	}
	if err == nil || !strings.Contains(err.Error(), "greeting from "+m.Addr+": timed out") {
		t.Fatalf("Send error = %v, want a timeout waiting for the greeting", err)
	}
}

func TestMailerRefusesHeaderInjection(t *testing.T) {
	ts := smtptest.Start(t, smtptest.Options{})
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
			m := &smtpmail.Mailer{Addr: ts.Addr, From: tt.from, Timeout: 5 * time.Second}
			err := m.Send(t.Context(), tt.mail)
			if err == nil || !strings.Contains(err.Error(), "line break") {
				t.Fatalf("Send error = %v, want a refusal naming the line break", err)
			}
			if k := va.ErrorKind(err); k != va.Invalid {
				t.Errorf("kind = %v, want %v", k, va.Invalid)
			}
		})
	}
	if n := len(ts.Messages()); n != 0 {
		t.Errorf("server received %d messages, want 0", n)
	}
}

func TestMailerCancel(t *testing.T) {
	ts := smtptest.Start(t, smtptest.Options{Hold: true}) // answers the greeting, then stalls on EHLO
	m := &smtpmail.Mailer{Addr: ts.Addr, From: "archive@visit.example", Timeout: 30 * time.Second}
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
	if n := len(ts.Messages()); n != 0 {
		t.Errorf("server received %d messages, want 0", n)
	}
}

func TestMailerCheck(t *testing.T) {
	tests := []struct {
		name    string
		m       smtpmail.Mailer
		wantErr string // "" when valid
	}{
		{"valid", smtpmail.Mailer{Addr: "mail.example:587", From: "archive@visit.example"}, ""},
		{"valid with name and auth", smtpmail.Mailer{Addr: "[::1]:25", From: "档案库 <archive@visit.example>", Username: "u", Password: "p"}, ""},
		{"no port", smtpmail.Mailer{Addr: "mail.example", From: "archive@visit.example"}, "not host:port"},
		{"no host", smtpmail.Mailer{Addr: ":25", From: "archive@visit.example"}, "no host"},
		{"bad port", smtpmail.Mailer{Addr: "mail.example:smtp", From: "archive@visit.example"}, "no port"},
		{"port out of range", smtpmail.Mailer{Addr: "mail.example:70000", From: "archive@visit.example"}, "no port"},
		{"empty from", smtpmail.Mailer{Addr: "mail.example:25"}, "not an e-mail address"},
		{"from not an address", smtpmail.Mailer{Addr: "mail.example:25", From: "archive"}, "not an e-mail address"},
		{"password without user", smtpmail.Mailer{Addr: "mail.example:25", From: "a@visit.example", Password: "p"}, "without a username"},
		{"negative timeout", smtpmail.Mailer{Addr: "mail.example:25", From: "a@visit.example", Timeout: -time.Second}, "negative"},
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

func TestMailerNeverPrintsPassword(t *testing.T) {
	m := &smtpmail.Mailer{Addr: "mail.example:587", From: "a@visit.example", Username: "archive", Password: "hunter2-secret"}
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

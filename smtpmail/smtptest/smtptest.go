// Package smtptest runs a real SMTP server (go-smtp) on a loopback port
// for tests, keeping every message it receives, and decodes the messages
// that smtpmail sends. It is the one fake mail server of the tests of
// smtpmail, the root package and cmd/visitarchive.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"io"
	"log"
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
)

// Server is a real SMTP server on a free port that keeps what it
// receives.
type Server struct {
	Addr string // host:port it listens on

	srv   *smtp.Server
	users map[string]string // when not nil, MAIL needs AUTH PLAIN as one of them
	hold  chan struct{}     // when not nil, EHLO waits until it is closed

	mu    sync.Mutex
	got   []Message
	auths int // AUTH attempts, successful or not
}

// Message is one message the server accepted.
type Message struct {
	From string   // MAIL FROM
	To   []string // RCPT TO, in order
	Data []byte   // the message as sent after DATA
	TLS  bool     // it came over STARTTLS
	User string   // the user it logged in as, or ""
}

// Options shape the server.
type Options struct {
	Host string // listen host; "127.0.0.1" when empty

	// Users, when not nil, are the user names and passwords that AUTH
	// PLAIN accepts; MAIL then needs a login.
	Users map[string]string

	Cert *tls.Certificate // offers STARTTLS when set
	Hold bool             // answer the greeting, then stall at EHLO until the test ends

	// InsecureAuth lets clients log in without TLS (go-smtp refuses
	// otherwise, even on loopback).
	InsecureAuth bool
}

// Start starts a server that t's cleanup stops.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	host := o.Host
	if host == "" {
		host = "127.0.0.1"
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	ts := &Server{Addr: l.Addr().String(), users: o.Users}
	if o.Hold {
		ts.hold = make(chan struct{})
	}
	ts.srv = smtp.NewServer(smtp.BackendFunc(ts.newSession))
	ts.srv.Domain = "localhost"
	ts.srv.AllowInsecureAuth = o.InsecureAuth
	ts.srv.ReadTimeout = 10 * time.Second
	ts.srv.WriteTimeout = 10 * time.Second
	ts.srv.ErrorLog = log.New(io.Discard, "", 0)
	if o.Cert != nil {
		ts.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*o.Cert}}
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

func (ts *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	if ts.hold != nil {
		<-ts.hold
	}
	_, isTLS := c.TLSConnectionState()
	return &session{ts: ts, cur: Message{TLS: isTLS}}, nil
}

// Messages returns the messages received so far, in order.
func (ts *Server) Messages() []Message {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return slices.Clone(ts.got)
}

// AuthAttempts counts the AUTH commands received, successful or not.
func (ts *Server) AuthAttempts() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.auths
}

type session struct {
	ts  *Server
	cur Message
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	s.ts.mu.Lock()
	s.ts.auths++
	s.ts.mu.Unlock()
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if want, ok := s.ts.users[user]; !ok || pass != want {
			return smtp.ErrAuthFailed
		}
		s.cur.User = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.ts.users != nil && s.cur.User == "" {
		return smtp.ErrAuthRequired
	}
	s.cur.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = b
	s.ts.mu.Lock()
	s.ts.got = append(s.ts.got, s.cur)
	s.ts.mu.Unlock()
	return nil
}

func (s *session) Reset() {
	s.cur = Message{TLS: s.cur.TLS, User: s.cur.User}
}

func (s *session) Logout() error { return nil }

// SelfSigned makes a certificate for 127.0.0.1, for Options.Cert, and a
// pool that trusts it.
func SelfSigned(t testing.TB) (*tls.Certificate, *x509.CertPool) {
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

// Parsed is a received message with its headers and body decoded.
type Parsed struct {
	Header  mail.Header
	Subject string // decoded from RFC 2047
	Body    string // decoded from base64
}

// Parse decodes a message as smtpmail writes it (a base64 text body),
// failing t if it does not parse or has a line over 998 characters.
func Parse(t testing.TB, data []byte) Parsed {
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
	return Parsed{Header: msg.Header, Subject: subject, Body: string(body)}
}

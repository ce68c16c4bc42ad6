package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

// session is what a browser keeps of a sign-in: the session cookie and
// the CSRF token of the answer.
type session struct {
	token, csrf string
}

// signIn posts a sign-in, without any credential.
func (ts *testServer) signIn(user, password string, hdr ...string) *result {
	ts.t.Helper()
	body := mustJSON(ts.t, loginRequest{User: user, Password: password})
	return ts.callAs("", "POST", "/api/v1/auth/login", body, append([]string{"Authorization", "-"}, hdr...)...)
}

// login signs user in and returns the session.
func (ts *testServer) login(user, password string) session {
	ts.t.Helper()
	res := ts.signIn(user, password).want(ts.t, http.StatusOK)
	var lr loginResponse
	res.decode(ts.t, &lr)
	return session{token: cookieOf(ts.t, res, sessionCookie).Value, csrf: lr.CSRFToken}
}

// withCookie sends a request that carries the session cookie and no
// Authorization header; hdr as in call.
func (ts *testServer) withCookie(s session, method, path, body string, hdr ...string) *result {
	ts.t.Helper()
	h := append([]string{"Authorization", "-", "Cookie", sessionCookie + "=" + s.token}, hdr...)
	return ts.callAs("", method, path, body, h...)
}

// withBearer sends a request with token as the API token.
func (ts *testServer) withBearer(token, method, path, body string, hdr ...string) *result {
	ts.t.Helper()
	return ts.callAs("", method, path, body, append([]string{"Authorization", "Bearer " + token}, hdr...)...)
}

// cookieOf returns the cookie name that res sets, or fails.
func cookieOf(t *testing.T, res *result, name string) *http.Cookie {
	t.Helper()
	for _, line := range res.header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			t.Fatalf("Set-Cookie %q: %v", line, err)
		}
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no %s cookie in %q", name, res.header.Values("Set-Cookie"))
	return nil
}

// wantError fails the test unless res is an error answer with status and
// code.
func (r *result) wantError(t *testing.T, status int, code string) *result {
	t.Helper()
	r.want(t, status)
	if got := r.apiError(t).Code; got != code {
		t.Fatalf("code = %q, want %q; body %s", got, code, r.body)
	}
	return r
}

// meIs checks that res is the answer of GET /auth/me for name.
func meIs(t *testing.T, res *result, name string) {
	t.Helper()
	var u visitarchive.User
	res.want(t, http.StatusOK).decode(t, &u)
	if string(u.Name) != name {
		t.Errorf("auth/me = %s, want %s", u.Name, name)
	}
}

// patchUser changes user name as who, at the user's current version.
func (ts *testServer) patchUser(who, name, patch string) *result {
	ts.t.Helper()
	u, err := ts.Archive.Accounts().GetUser(visitarchive.WithActor(ts.t.Context(), "test"), visitarchive.UserName(name))
	if err != nil {
		ts.t.Fatal(err)
	}
	return ts.callAs(who, "PATCH", "/api/v1/users/"+name, patch, "If-Match", strconv.Itoa(u.Version))
}

func TestLogin(t *testing.T) {
	ts := newTestServer(t)
	before := time.Now()
	res := ts.signIn("alice", testPassword).want(t, http.StatusOK)
	var lr loginResponse
	res.decode(t, &lr)
	if lr.User == nil || lr.User.Name != "alice" || lr.User.Department != "sales1" {
		t.Errorf("user = %+v, want alice of sales1", lr.User)
	}
	if len(lr.CSRFToken) < 20 {
		t.Errorf("csrf_token = %q, want a random token", lr.CSRFToken)
	}
	if lo, hi := before.Add(visitarchive.DefaultSessionTTL-time.Minute), time.Now().Add(visitarchive.DefaultSessionTTL); lr.Expires.Before(lo) || lr.Expires.After(hi) {
		t.Errorf("expires = %v, want about %v from now", lr.Expires, visitarchive.DefaultSessionTTL)
	}
	if bytes.Contains(res.body, []byte("password_hash")) || bytes.Contains(res.body, []byte("$argon2")) {
		t.Errorf("the sign-in answer shows the password hash: %s", res.body)
	}

	sc := cookieOf(t, res, sessionCookie)
	if !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Secure || sc.Path != "/" || sc.Value == "" {
		t.Errorf("session cookie = %+v, want HttpOnly, SameSite=Strict, not Secure over HTTP, Path=/", sc)
	}
	if bytes.Contains(res.body, []byte(sc.Value)) {
		t.Error("the session token is in the body; it belongs in the HttpOnly cookie only")
	}
	cc := cookieOf(t, res, csrfCookie)
	if cc.HttpOnly || cc.SameSite != http.SameSiteStrictMode || cc.Secure || cc.Value != lr.CSRFToken {
		t.Errorf("csrf cookie = %+v, want the csrf_token %q, readable by scripts, SameSite=Strict", cc, lr.CSRFToken)
	}
	for _, c := range []*http.Cookie{sc, cc} {
		if !c.Expires.Equal(lr.Expires.Truncate(time.Second)) {
			t.Errorf("cookie %s expires %v, want with the session at %v", c.Name, c.Expires, lr.Expires)
		}
	}
	meIs(t, ts.withCookie(session{token: sc.Value}, "GET", "/api/v1/auth/me", ""), "alice")

	// Every refusal answers alike: nothing tells a user name that exists.
	if r := ts.patchUser("root", "carol", `{"disabled":true}`); r.status != http.StatusOK {
		t.Fatalf("disable carol: %d %s", r.status, r.body)
	}
	wrong := ts.signIn("alice", testPassword+"x").wantError(t, http.StatusUnauthorized, "unauthenticated")
	for _, tt := range []struct{ name, user, password string }{
		{"unknown user", "nobody", testPassword},
		{"disabled user", "carol", testPassword},
		{"name in other case", "Alice", testPassword},
		{"empty-ish password", "bob", " "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.signIn(tt.user, tt.password).want(t, http.StatusUnauthorized)
			if !bytes.Equal(res.body, wrong.body) {
				t.Errorf("body = %s, want the same as for a wrong password: %s", res.body, wrong.body)
			}
			if got := res.header.Values("Set-Cookie"); len(got) != 0 {
				t.Errorf("a refused sign-in sets cookies %q", got)
			}
		})
	}
	ts.signIn("alice", "").wantError(t, http.StatusUnprocessableEntity, "invalid")
}

func TestCookieCSRF(t *testing.T) {
	ts := newTestServer(t)
	s := ts.login("alice", testPassword)
	other := ts.login("bob", testPassword)
	meIs(t, ts.withCookie(s, "GET", "/api/v1/auth/me", ""), "alice")
	// A cookie that is not the session cookie is no credential.
	ts.callAs("", "GET", "/api/v1/auth/me", "", "Authorization", "-", "Cookie", csrfCookie+"="+s.csrf).
		wantError(t, http.StatusUnauthorized, "unauthenticated")

	refused := []struct {
		name string
		hdr  []string
	}{
		{"no token", nil},
		{"wrong token", []string{headerCSRF, s.csrf + "x"}},
		{"token of another session", []string{headerCSRF, other.csrf}},
		{"session token as CSRF token", []string{headerCSRF, s.token}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before := ts.customerCount()
			ts.withCookie(s, "POST", "/api/v1/customers", customerJSON, tt.hdr...).wantError(t, http.StatusForbidden, "forbidden")
			if got := ts.customerCount(); got != before {
				t.Errorf("customers = %d after a refused request, want %d", got, before)
			}
			// Every method that changes something asks for the token.
			ts.withCookie(s, "POST", "/api/v1/auth/tokens", `{"name":"x"}`, tt.hdr...).wantError(t, http.StatusForbidden, "forbidden")
			ts.withCookie(s, "PUT", "/api/v1/auth/password", `{"old_password":"`+testPassword+`","new_password":"another long password"}`, tt.hdr...).
				wantError(t, http.StatusForbidden, "forbidden")
			ts.withCookie(s, "DELETE", "/api/v1/auth/tokens/T1", "", tt.hdr...).wantError(t, http.StatusForbidden, "forbidden")
			ts.withCookie(s, "POST", "/api/v1/auth/logout", "", tt.hdr...).wantError(t, http.StatusForbidden, "forbidden")
			// None of them took effect.
			meIs(t, ts.withCookie(s, "GET", "/api/v1/auth/me", ""), "alice")
			var list tokenList
			ts.call("GET", "/api/v1/auth/tokens", "").want(t, http.StatusOK).decode(t, &list)
			if len(list.Tokens) != 1 {
				t.Errorf("alice has %d tokens, want only the one of the tests", len(list.Tokens))
			}
		})
	}
	ts.withCookie(s, "POST", "/api/v1/customers", customerJSON, headerCSRF, s.csrf).want(t, http.StatusCreated)
	if got := ts.customerCount(); got != 1 {
		t.Errorf("customers = %d, want 1", got)
	}
	// An API token needs no CSRF token.
	ts.call("POST", "/api/v1/customers", `{"id":"beta","name":"Beta","customer_type":"key"}`).want(t, http.StatusCreated)
}

func TestBadCredentials(t *testing.T) {
	ts := newTestServer(t)
	s := ts.login("alice", testPassword)
	var tok newToken
	ts.call("POST", "/api/v1/auth/tokens", `{"name":"script"}`).want(t, http.StatusCreated).decode(t, &tok)
	meIs(t, ts.withBearer(tok.Token, "GET", "/api/v1/auth/me", ""), "alice")
	ts.call("DELETE", "/api/v1/auth/tokens/"+tok.ID, "").want(t, http.StatusNoContent)

	tamper := func(s string) string {
		last := s[len(s)-1]
		if last == 'A' {
			return s[:len(s)-1] + "B"
		}
		return s[:len(s)-1] + "A"
	}
	tests := []struct {
		name string
		hdr  []string
	}{
		{"no credential", []string{"Authorization", "-"}},
		{"tampered session", []string{"Authorization", "-", "Cookie", sessionCookie + "=" + tamper(s.token)}},
		{"session cut short", []string{"Authorization", "-", "Cookie", sessionCookie + "=" + s.token[:len(s.token)-1]}},
		{"made-up session", []string{"Authorization", "-", "Cookie", sessionCookie + "=vs_" + strings.Repeat("A", 43)}},
		{"session without prefix", []string{"Authorization", "-", "Cookie", sessionCookie + "=" + strings.TrimPrefix(s.token, "vs_")}},
		{"session as bearer token", []string{"Authorization", "Bearer " + tamper(s.token)}},
		{"revoked API token", []string{"Authorization", "Bearer " + tok.Token}},
		{"tampered API token", []string{"Authorization", "Bearer " + tamper(ts.tokens["alice"])}},
		{"API token of another id", []string{"Authorization", "Bearer " + strings.Replace(ts.tokens["alice"], tokenID(ts.tokens["alice"]), tokenID(ts.tokens["bob"]), 1)}},
		{"made-up API token", []string{"Authorization", "Bearer vt_T1_" + strings.Repeat("A", 43)}},
		{"empty bearer", []string{"Authorization", "Bearer "}},
		{"basic auth", []string{"Authorization", "Basic YWxpY2U6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5"}},
		// A bad Authorization header is not rescued by a good cookie.
		{"bad bearer and good cookie", []string{"Authorization", "Bearer " + tok.Token, "Cookie", sessionCookie + "=" + s.token}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts.callAs("", "GET", "/api/v1/auth/me", "", tt.hdr...).wantError(t, http.StatusUnauthorized, "unauthenticated")
			ts.callAs("", "POST", "/api/v1/customers", customerJSON, tt.hdr...).wantError(t, http.StatusUnauthorized, "unauthenticated")
		})
	}
	if n := ts.customerCount(); n != 0 {
		t.Errorf("customers = %d, want none", n)
	}
	// The good ones still work.
	meIs(t, ts.withCookie(s, "GET", "/api/v1/auth/me", ""), "alice")
	meIs(t, ts.call("GET", "/api/v1/auth/me", ""), "alice")
}

// tokenID returns the id part of an API token vt_<id>_<secret>.
func tokenID(token string) string {
	id, _, _ := strings.Cut(strings.TrimPrefix(token, "vt_"), "_")
	return id
}

func TestCredentialsExpire(t *testing.T) {
	clock := &testClock{now: time.Now()}
	ts := newTestServerWith(t, func(c *visitarchive.Config) {
		c.SessionTTL = time.Hour
		c.Now = clock.Now
	})
	res := ts.signIn("alice", testPassword).want(t, http.StatusOK)
	var lr loginResponse
	res.decode(t, &lr)
	if d := time.Until(lr.Expires); d < 59*time.Minute || d > time.Hour {
		t.Errorf("the session expires in %v, want the configured hour", d)
	}
	s := session{token: cookieOf(t, res, sessionCookie).Value}
	var day newToken
	ts.call("POST", "/api/v1/auth/tokens", `{"name":"one day","expires_in_days":1}`).want(t, http.StatusCreated).decode(t, &day)

	clock.advance(59 * time.Minute)
	meIs(t, ts.withCookie(s, "GET", "/api/v1/auth/me", ""), "alice")
	clock.advance(2 * time.Minute)
	ts.withCookie(s, "GET", "/api/v1/auth/me", "").wantError(t, http.StatusUnauthorized, "unauthenticated")
	meIs(t, ts.withBearer(day.Token, "GET", "/api/v1/auth/me", ""), "alice")

	clock.advance(23 * time.Hour)
	ts.withBearer(day.Token, "GET", "/api/v1/auth/me", "").wantError(t, http.StatusUnauthorized, "unauthenticated")
	// A token without expiry lives on, and signing in again works.
	meIs(t, ts.call("GET", "/api/v1/auth/me", ""), "alice")
	meIs(t, ts.withCookie(ts.login("alice", testPassword), "GET", "/api/v1/auth/me", ""), "alice")
}

func TestLogout(t *testing.T) {
	ts := newTestServer(t)
	s := ts.login("alice", testPassword)
	other := ts.login("alice", testPassword)
	res := ts.withCookie(s, "POST", "/api/v1/auth/logout", "", headerCSRF, s.csrf).want(t, http.StatusNoContent)
	if c := cookieOf(t, res, sessionCookie); c.Value != "" || !c.Expires.Before(time.Now()) {
		t.Errorf("logout sets the session cookie %+v, want it cleared", c)
	}
	ts.withCookie(s, "GET", "/api/v1/auth/me", "").wantError(t, http.StatusUnauthorized, "unauthenticated")
	ts.withCookie(s, "POST", "/api/v1/auth/logout", "", headerCSRF, s.csrf).wantError(t, http.StatusUnauthorized, "unauthenticated")
	// Only that session ended.
	meIs(t, ts.withCookie(other, "GET", "/api/v1/auth/me", ""), "alice")
	meIs(t, ts.call("GET", "/api/v1/auth/me", ""), "alice")
}

func TestChangePassword(t *testing.T) {
	ts := newTestServer(t)
	const newPassword = "a new and longer password"
	s := ts.login("alice", testPassword)
	other := ts.login("alice", testPassword)
	bob := ts.login("bob", testPassword)
	change := func(old, pw string) string {
		return mustJSON(t, passwordChange{OldPassword: old, NewPassword: pw})
	}

	ts.withCookie(s, "PUT", "/api/v1/auth/password", change("wrong password!", newPassword), headerCSRF, s.csrf).
		wantError(t, http.StatusForbidden, "forbidden")
	res := ts.withCookie(s, "PUT", "/api/v1/auth/password", change(testPassword, "short pw"), headerCSRF, s.csrf).
		wantError(t, http.StatusUnprocessableEntity, "invalid")
	if got := fieldNames(res.apiError(t)); !slices.Equal(got, []string{"new_password"}) {
		t.Errorf("fields = %v, want [new_password], the member of the request", got)
	}
	res = ts.withCookie(s, "PUT", "/api/v1/auth/password", change(testPassword, testPassword), headerCSRF, s.csrf).
		wantError(t, http.StatusUnprocessableEntity, "invalid")
	if got := fieldNames(res.apiError(t)); !slices.Equal(got, []string{"new_password"}) {
		t.Errorf("the same password again: fields = %v, want [new_password]", got)
	}
	meIs(t, ts.withCookie(s, "GET", "/api/v1/auth/me", ""), "alice") // refusals end nothing

	var done passwordSetResult
	ts.withCookie(s, "PUT", "/api/v1/auth/password", change(testPassword, newPassword), headerCSRF, s.csrf).
		want(t, http.StatusOK).decode(t, &done)
	if done != (passwordSetResult{TokensRevoked: 1}) {
		t.Errorf("answer %+v, want alice's one API token revoked", done)
	}
	for _, sess := range []session{s, other} { // this session and another
		ts.withCookie(sess, "GET", "/api/v1/auth/me", "").wantError(t, http.StatusUnauthorized, "unauthenticated")
	}
	// The user's API tokens are revoked; other users' sessions go on.
	ts.call("GET", "/api/v1/auth/me", "").wantError(t, http.StatusUnauthorized, "unauthenticated")
	meIs(t, ts.withCookie(bob, "GET", "/api/v1/auth/me", ""), "bob")
	ts.signIn("alice", testPassword).wantError(t, http.StatusUnauthorized, "unauthenticated")
	ts.login("alice", newPassword)

	// With an API token, and the wrong current password: 403, unchanged.
	ts.callAs("bob", "PUT", "/api/v1/auth/password", change("not my password", newPassword)).wantError(t, http.StatusForbidden, "forbidden")
	ts.login("bob", testPassword)
	ts.signIn("bob", newPassword).wantError(t, http.StatusUnauthorized, "unauthenticated")
}

// TestChangePasswordLimited checks that the current password cannot be
// guessed through PUT /auth/password faster than through sign-in.
func TestChangePasswordLimited(t *testing.T) {
	ts := newTestServer(t)
	body := func(old string) string {
		return mustJSON(t, passwordChange{OldPassword: old, NewPassword: "a new and longer password"})
	}
	for i := range 5 {
		ts.call("PUT", "/api/v1/auth/password", body("guess number "+strconv.Itoa(i))).wantError(t, http.StatusForbidden, "forbidden")
	}
	// The failures count against sign-in…
	ts.signIn("alice", testPassword).wantError(t, http.StatusTooManyRequests, "too_many_requests")
	// …and the change itself must be limited as well: else whoever holds
	// a session or token can try passwords without end.
	ts.call("PUT", "/api/v1/auth/password", body(testPassword)).wantError(t, http.StatusTooManyRequests, "too_many_requests")
}

func TestSetPassword(t *testing.T) {
	ts := newTestServer(t)
	const newPassword = "set by the administrator"
	bob := ts.login("bob", testPassword)
	alice := ts.login("alice", testPassword)
	body := mustJSON(t, passwordSet{Password: newPassword})

	// Who may not read users learns nothing of them (404, as GET answers
	// them); the auditor, who may, may still not set a password (403).
	for _, who := range []string{"alice", "bob", "sam", "max", "ann"} {
		ts.callAs(who, "PUT", "/api/v1/users/bob/password", body).wantError(t, http.StatusNotFound, "not_found")
	}
	ts.callAs("aud", "PUT", "/api/v1/users/bob/password", body).wantError(t, http.StatusForbidden, "forbidden")
	res := ts.callAs("root", "PUT", "/api/v1/users/bob/password", `{"password":"too short"}`).
		wantError(t, http.StatusUnprocessableEntity, "invalid")
	if got := fieldNames(res.apiError(t)); !slices.Equal(got, []string{"password"}) {
		t.Errorf("fields = %v, want [password]", got)
	}
	ts.callAs("root", "PUT", "/api/v1/users/nobody/password", body).wantError(t, http.StatusNotFound, "not_found")
	meIs(t, ts.withCookie(bob, "GET", "/api/v1/auth/me", ""), "bob")
	ts.signIn("bob", newPassword).wantError(t, http.StatusUnauthorized, "unauthenticated")

	ts.callAs("root", "PUT", "/api/v1/users/bob/password", body).want(t, http.StatusOK)
	ts.withCookie(bob, "GET", "/api/v1/auth/me", "").wantError(t, http.StatusUnauthorized, "unauthenticated")
	meIs(t, ts.withCookie(alice, "GET", "/api/v1/auth/me", ""), "alice")
	ts.signIn("bob", testPassword).wantError(t, http.StatusUnauthorized, "unauthenticated")
	ts.login("bob", newPassword)
}

func TestDisableUser(t *testing.T) {
	ts := newTestServer(t)
	s := ts.login("bob", testPassword)
	meIs(t, ts.withCookie(s, "GET", "/api/v1/auth/me", ""), "bob")
	meIs(t, ts.callAs("bob", "GET", "/api/v1/auth/me", ""), "bob")

	// Who may not see users does not learn of them; the auditor sees them
	// and may not change them.
	ts.patchUser("alice", "bob", `{"disabled":true}`).wantError(t, http.StatusNotFound, "not_found")
	ts.patchUser("aud", "bob", `{"disabled":true}`).wantError(t, http.StatusForbidden, "forbidden")
	ts.patchUser("root", "root", `{"disabled":true}`).wantError(t, http.StatusConflict, "conflict")
	var u visitarchive.User
	ts.patchUser("root", "bob", `{"disabled":true}`).want(t, http.StatusOK).decode(t, &u)
	if !u.Disabled {
		t.Fatalf("bob after disabling: %+v", u)
	}
	ts.withCookie(s, "GET", "/api/v1/auth/me", "").wantError(t, http.StatusUnauthorized, "unauthenticated")
	ts.callAs("bob", "GET", "/api/v1/auth/me", "").wantError(t, http.StatusUnauthorized, "unauthenticated")
	ts.callAs("bob", "POST", "/api/v1/customers", customerJSON).wantError(t, http.StatusUnauthorized, "unauthenticated")
	ts.signIn("bob", testPassword).wantError(t, http.StatusUnauthorized, "unauthenticated")
	meIs(t, ts.call("GET", "/api/v1/auth/me", ""), "alice")

	// Enabled again, bob signs in anew; the old session stays ended.
	ts.patchUser("root", "bob", `{"disabled":false}`).want(t, http.StatusOK)
	ts.withCookie(s, "GET", "/api/v1/auth/me", "").wantError(t, http.StatusUnauthorized, "unauthenticated")
	meIs(t, ts.withCookie(ts.login("bob", testPassword), "GET", "/api/v1/auth/me", ""), "bob")
}

// sendFrom makes a real HTTP request to base+path from the local address
// ip, so that the server sees another client address than app.Test's.
func sendFrom(t *testing.T, ip, base, method, path, body string) *result {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}}
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(t.Context(), method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Language", "en")
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s from %s: %v", method, path, ip, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &result{status: res.StatusCode, header: res.Header, body: b}
}

func loginBody(t *testing.T, user, password string) string {
	return mustJSON(t, loginRequest{User: user, Password: password})
}

// checkRetryAfter checks the Retry-After of a 429.
func checkRetryAfter(t *testing.T, res *result) {
	t.Helper()
	n, err := strconv.Atoi(res.header.Get("Retry-After"))
	if err != nil || n < 1 || n > 900 {
		t.Errorf("Retry-After = %q, want seconds up to the 15-minute window", res.header.Get("Retry-After"))
	}
}

func TestLoginRateLimitPerUser(t *testing.T) {
	ts := newTestServer(t)
	base := ts.listen()
	// A success forgets earlier failures of the user.
	for range 2 {
		for range 4 {
			ts.signIn("alice", "wrong password").wantError(t, http.StatusUnauthorized, "unauthenticated")
		}
		ts.login("alice", testPassword)
	}
	for range 5 {
		ts.signIn("alice", "wrong password").wantError(t, http.StatusUnauthorized, "unauthenticated")
	}
	res := ts.signIn("alice", testPassword).wantError(t, http.StatusTooManyRequests, "too_many_requests")
	checkRetryAfter(t, res)
	if len(res.header.Values("Set-Cookie")) != 0 {
		t.Error("a refused sign-in sets cookies")
	}
	// The limit is the user's, from any address; others are not affected.
	sendFrom(t, "127.0.0.2", base, "POST", "/api/v1/auth/login", loginBody(t, "alice", testPassword)).
		wantError(t, http.StatusTooManyRequests, "too_many_requests")
	sendFrom(t, "127.0.0.2", base, "POST", "/api/v1/auth/login", loginBody(t, "bob", testPassword)).want(t, http.StatusOK)
	ts.login("bob", testPassword)
	// Sessions and tokens made before go on.
	meIs(t, ts.call("GET", "/api/v1/auth/me", ""), "alice")
}

func TestLoginRateLimitPerAddress(t *testing.T) {
	ts := newTestServer(t)
	base := ts.listen()
	// 20 failures, none of the users reaching their own limit.
	for _, name := range []string{"alice", "bob", "carol", "sam", "nobody"} {
		for range 4 {
			ts.signIn(name, "wrong password").wantError(t, http.StatusUnauthorized, "unauthenticated")
		}
	}
	res := ts.signIn("mia", testPassword).wantError(t, http.StatusTooManyRequests, "too_many_requests")
	checkRetryAfter(t, res)
	// A client cannot name another address for itself.
	ts.signIn("mia", testPassword, "X-Forwarded-For", "10.9.8.7", "X-Real-Ip", "10.9.8.7", "Forwarded", "for=10.9.8.7").
		wantError(t, http.StatusTooManyRequests, "too_many_requests")
	// Another address signs in, even as a user the first address tried.
	sendFrom(t, "127.0.0.2", base, "POST", "/api/v1/auth/login", loginBody(t, "mia", testPassword)).want(t, http.StatusOK)
	sendFrom(t, "127.0.0.2", base, "POST", "/api/v1/auth/login", loginBody(t, "alice", testPassword)).want(t, http.StatusOK)
}

func TestAPITokens(t *testing.T) {
	ts := newTestServer(t)
	res := ts.call("POST", "/api/v1/auth/tokens", `{"name":"nightly export","expires_in_days":30}`).want(t, http.StatusCreated)
	var tok newToken
	res.decode(t, &tok)
	if !strings.HasPrefix(tok.Token, "vt_") || tok.ID == "" || tok.User != "alice" || tok.Name != "nightly export" ||
		tok.Expires.Sub(tok.Created) != 30*24*time.Hour {
		t.Fatalf("created %+v", tok)
	}
	if bytes.Contains(res.body, []byte(`"hash"`)) {
		t.Errorf("the new token shows its hash: %s", res.body)
	}
	meIs(t, ts.withBearer(tok.Token, "GET", "/api/v1/auth/me", ""), "alice")

	res = ts.call("GET", "/api/v1/auth/tokens", "").want(t, http.StatusOK)
	var raw struct {
		Tokens []map[string]json.RawMessage `json:"tokens"`
	}
	res.decode(t, &raw)
	var listed []string
	for _, m := range raw.Tokens {
		var id string
		json.Unmarshal(m["id"], &id)
		listed = append(listed, id)
		for _, member := range []string{"hash", "token"} {
			if _, ok := m[member]; ok {
				t.Errorf("listed token %s has a %q member", id, member)
			}
		}
	}
	sum := sha256.Sum256([]byte(tok.Token))
	if bytes.Contains(res.body, []byte(tok.Token)) || bytes.Contains(res.body, []byte(hex.EncodeToString(sum[:]))) {
		t.Errorf("the list shows the token or its hash: %s", res.body)
	}
	if !slices.Contains(listed, tok.ID) || len(listed) != 2 {
		t.Errorf("alice's tokens = %v, want the tests' and %s", listed, tok.ID)
	}
	var bobs tokenList
	ts.callAs("bob", "GET", "/api/v1/auth/tokens", "").want(t, http.StatusOK).decode(t, &bobs)
	if len(bobs.Tokens) != 1 || bobs.Tokens[0].User != "bob" {
		t.Errorf("bob's tokens = %+v, want only his own", bobs.Tokens)
	}

	for _, who := range []string{"bob", "sam", "aud"} {
		ts.callAs(who, "DELETE", "/api/v1/auth/tokens/"+tok.ID, "").wantError(t, http.StatusNotFound, "not_found")
	}
	meIs(t, ts.withBearer(tok.Token, "GET", "/api/v1/auth/me", ""), "alice")
	ts.call("DELETE", "/api/v1/auth/tokens/"+tok.ID, "").want(t, http.StatusNoContent)
	ts.withBearer(tok.Token, "GET", "/api/v1/auth/me", "").wantError(t, http.StatusUnauthorized, "unauthenticated")
	ts.call("DELETE", "/api/v1/auth/tokens/"+tok.ID, "").wantError(t, http.StatusNotFound, "not_found")
	ts.call("GET", "/api/v1/auth/tokens", "").want(t, http.StatusOK).decode(t, &bobs)
	if len(bobs.Tokens) != 1 || bobs.Tokens[0].ID == tok.ID {
		t.Errorf("after revoking, alice's tokens = %+v", bobs.Tokens)
	}

	for _, body := range []string{`{"name":""}`, `{"name":"x","expires_in_days":-1}`, `{"name":"x","expires_in_days":3651}`} {
		ts.call("POST", "/api/v1/auth/tokens", body).wantError(t, http.StatusUnprocessableEntity, "invalid")
	}
}

// TestSecretsNotStored checks that the store keeps only hashes of session
// and API tokens and of passwords, and that the logs hold none of them.
func TestSecretsNotStored(t *testing.T) {
	ts := newTestServer(t)
	const newPassword = "yet another long password"
	secrets := map[string]string{"the test password": testPassword, "the new password": newPassword}
	for name, tok := range ts.tokens {
		secrets["API token of "+name] = tok
	}
	var tok newToken
	ts.call("POST", "/api/v1/auth/tokens", `{"name":"extra"}`).want(t, http.StatusCreated).decode(t, &tok)
	secrets["a new API token"] = tok.Token
	var sessions []session
	for _, who := range []string{"alice", "bob", "root"} {
		s := ts.login(who, testPassword)
		secrets["session of "+who] = s.token
		sessions = append(sessions, s)
	}
	ts.callAs("root", "PUT", "/api/v1/users/bob/password", mustJSON(t, passwordSet{Password: newPassword})).want(t, http.StatusOK)
	s := ts.login("bob", newPassword)
	secrets["session after a new password"] = s.token
	ts.withCookie(sessions[0], "POST", "/api/v1/auth/logout", "", headerCSRF, sessions[0].csrf).want(t, http.StatusNoContent)

	files := 0
	err := filepath.WalkDir(filepath.Join(ts.Dir, "store"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for what, secret := range secrets {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s is stored in clear in %s", what, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("read %d files under %s; is that the store?", files, filepath.Join(ts.Dir, "store"))
	}
	for what, secret := range secrets {
		if strings.Contains(ts.Logs.String(), secret) {
			t.Errorf("%s is in the logs", what)
		}
	}

	// What is stored is the hash: the session is found by it.
	ctx := t.Context()
	sum := sha256.Sum256([]byte(s.token))
	if _, err := ts.Store.Stat(ctx, visitarchive.SessionKey(hex.EncodeToString(sum[:]))); err != nil {
		t.Errorf("no session stored under the hash of its token: %v", err)
	}
	users := 0
	for info, err := range ts.Store.List(ctx, visitarchive.UsersPrefix, "") {
		if err != nil {
			t.Fatal(err)
		}
		rc, _, err := ts.Store.Get(ctx, info.Key)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		var u struct {
			Name         string `json:"name"`
			PasswordHash string `json:"password_hash"`
		}
		if err := json.Unmarshal(b, &u); err != nil {
			t.Fatalf("%s: %v", info.Key, err)
		}
		if u.PasswordHash != "" {
			users++
			if !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
				t.Errorf("%s: password_hash %q is not an argon2id hash", info.Key, u.PasswordHash)
			}
		}
	}
	if users < len(people) {
		t.Errorf("%d stored users have a password hash, want at least %d", users, len(people))
	}
}

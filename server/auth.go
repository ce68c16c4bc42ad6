package server

import (
	"cmp"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/server/web"
)

// Authentication at the edge. A browser signs in with POST /auth/login and
// then carries an HttpOnly, SameSite=Strict session cookie; every request
// it makes that changes something must also send the session's CSRF token
// in the X-CSRF-Token header (or a _csrf form field). Scripts send a
// personal API token as "Authorization: Bearer vt_…" and need no CSRF
// token. Every request under /api/v1 except the sign-in and the OpenAPI
// document is refused with 401 without one or the other.

// Cookie and header names; the pages share the cookies.
const (
	sessionCookie = web.SessionCookie
	csrfCookie    = web.CSRFCookie
	headerCSRF    = "X-CSRF-Token"
)

// credentialKey is the c.Locals key of the caller's credential (for
// logout).
const credentialKey = "credential"

// authenticate puts the caller's Principal into the request context.
func (s *Server) authenticate(c *fiber.Ctx) error {
	if isPublic(c) {
		return c.Next()
	}
	cred, fromCookie := credential(c)
	if cred == "" {
		return visitarchive.E("auth", visitarchive.Unauthenticated, nil,
			"sign in first (POST /api/v1/auth/login), or send an API token as Authorization: Bearer <token>")
	}
	p, sess, err := s.archive.Accounts().Authenticate(c.UserContext(), cred)
	if err != nil {
		return err
	}
	if fromCookie && !isSafeMethod(c.Method()) && !csrfMatches(c, sess) {
		return visitarchive.E("auth", visitarchive.Forbidden, nil,
			"the request lacks the CSRF token of your session: send it in the X-CSRF-Token header")
	}
	if p.MustChangePassword && !servesPasswordChange(c) {
		return visitarchive.PasswordChangeRequired("auth")
	}
	p.Addr = c.IP()
	c.Locals(credentialKey, cred)
	c.SetUserContext(visitarchive.WithPrincipal(c.UserContext(), p))
	return c.Next()
}

// isPublic reports whether the request needs no credential.
func isPublic(c *fiber.Ctx) bool {
	switch c.Path() {
	case openAPIPath:
		return isSafeMethod(c.Method())
	case apiPrefix + "/auth/login":
		return true
	}
	return false
}

// servesPasswordChange reports whether the request is one of the three a
// user who must change their password may make: the change, who am I,
// sign out. The Archive refuses them everything else too; answering here
// first gives every other route the same 403, whatever its input.
func servesPasswordChange(c *fiber.Ctx) bool {
	switch c.Method() + " " + c.Path() {
	case "PUT " + apiPrefix + "/auth/password", "GET " + apiPrefix + "/auth/me", "POST " + apiPrefix + "/auth/logout":
		return true
	}
	return false
}

func isSafeMethod(m string) bool {
	return m == fiber.MethodGet || m == fiber.MethodHead || m == fiber.MethodOptions
}

// credential returns the bearer token or the session cookie, and whether
// it came from the cookie.
func credential(c *fiber.Ctx) (string, bool) {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return "", false
		}
		return strings.TrimSpace(token), false
	}
	return c.Cookies(sessionCookie), true
}

// csrfMatches checks the CSRF token of a cookie-authenticated request.
func csrfMatches(c *fiber.Ctx, sess *visitarchive.Session) bool {
	if sess == nil {
		return false
	}
	got := c.Get(headerCSRF)
	if got == "" {
		got = c.FormValue("_csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) == 1
}

// loginRequest is the body of POST /auth/login. The user name may come as
// user, username or name, whichever a client's habit is.
type loginRequest struct {
	User     string `json:"user,omitempty"`
	Username string `json:"username,omitempty"`
	Name     string `json:"name,omitempty"`
	Password string `json:"password"`
}

func (r *loginRequest) name() string { return cmp.Or(r.User, r.Username, r.Name) }

// loginResponse is the answer of a sign-in: the session itself is in the
// HttpOnly cookie; the CSRF token must accompany state-changing requests.
type loginResponse struct {
	User      *visitarchive.User `json:"user"`
	CSRFToken string             `json:"csrf_token"`
	Expires   time.Time          `json:"expires"`
}

// loginBodyLimit caps the body of a sign-in: a user name of at most 64
// characters and a password of at most 1024 bytes, even all \u escapes,
// fit. A larger body is refused before it is parsed.
const loginBodyLimit = 8 << 10

func (s *Server) login(c *fiber.Ctx) error {
	const op = "auth.login"
	if len(c.Body()) > loginBodyLimit {
		return visitarchive.E(op, visitarchive.TooLarge, nil, "a sign-in is at most %d bytes", loginBodyLimit)
	}
	req, _, err := decodeBody[loginRequest](c, op)
	if err != nil {
		return err
	}
	if req.name() == "" || req.Password == "" {
		return invalid(op, "sign-in", visitarchive.FieldError{Field: "user", Message: "user and password are required"})
	}
	token, sess, err := s.archive.Accounts().Login(c.UserContext(), visitarchive.UserName(req.name()), req.Password, c.IP())
	if err != nil {
		return err
	}
	web.SetSessionCookies(c, token, sess)
	p, _, err := s.archive.Accounts().Authenticate(c.UserContext(), token)
	if err != nil {
		return err
	}
	me, err := s.archive.Accounts().Me(visitarchive.WithPrincipal(c.UserContext(), p))
	if err != nil {
		return err
	}
	return c.JSON(loginResponse{User: me, CSRFToken: sess.CSRF, Expires: sess.Expires})
}

func (s *Server) logout(c *fiber.Ctx) error {
	if cred, _ := c.Locals(credentialKey).(string); cred != "" {
		if err := s.archive.Accounts().Logout(c.UserContext(), cred); err != nil {
			return err
		}
	}
	c.ClearCookie(sessionCookie, csrfCookie)
	return c.SendStatus(http.StatusNoContent)
}

func (s *Server) me(c *fiber.Ctx) error {
	if _, err := queryParams(c, "auth.me"); err != nil {
		return err
	}
	u, err := s.archive.Accounts().Me(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(u)
}

// passwordChange is the body of PUT /auth/password.
type passwordChange struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

// passwordSetResult is the answer of a password change or reset: every
// session of the user has ended, and their API tokens are revoked.
type passwordSetResult struct {
	// MustChangePassword is true when someone else set the password.
	MustChangePassword bool `json:"must_change_password"`
	TokensRevoked      int  `json:"tokens_revoked"`
}

func (s *Server) changePassword(c *fiber.Ctx) error {
	const op = "auth.password"
	req, _, err := decodeBody[passwordChange](c, op)
	if err != nil {
		return err
	}
	n, err := s.archive.Accounts().ChangePassword(c.UserContext(), req.OldPassword, req.NewPassword)
	if err != nil {
		return err
	}
	c.ClearCookie(sessionCookie, csrfCookie)
	return c.JSON(passwordSetResult{TokensRevoked: n})
}

// tokenRequest is the body of POST /auth/tokens.
type tokenRequest struct {
	Name          string `json:"name"`
	ExpiresInDays int    `json:"expires_in_days,omitempty"` // 0: until revoked
}

// newToken is the answer of POST /auth/tokens: the only time the token
// itself is shown.
type newToken struct {
	visitarchive.APIToken
	Token string `json:"token"`
}

// tokenList is the answer of GET /auth/tokens.
type tokenList struct {
	Tokens []visitarchive.APIToken `json:"tokens"`
}

func (s *Server) createToken(c *fiber.Ctx) error {
	const op = "token.create"
	req, _, err := decodeBody[tokenRequest](c, op)
	if err != nil {
		return err
	}
	if req.ExpiresInDays < 0 || req.ExpiresInDays > 3650 {
		return invalid(op, "token", visitarchive.FieldError{Field: "expires_in_days", Message: "must be between 0 (never) and 3650"})
	}
	token, t, err := s.archive.Accounts().CreateToken(c.UserContext(), req.Name, time.Duration(req.ExpiresInDays)*24*time.Hour)
	if err != nil {
		return err
	}
	return c.Status(http.StatusCreated).JSON(newToken{APIToken: *t, Token: token})
}

func (s *Server) listTokens(c *fiber.Ctx) error {
	if _, err := queryParams(c, "token.list"); err != nil {
		return err
	}
	list, err := s.archive.Accounts().ListTokens(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(tokenList{Tokens: list})
}

func (s *Server) revokeToken(c *fiber.Ctx) error {
	id := c.Params("id")
	if !visitarchive.ValidID(id) {
		return notFound("token.revoke", "no such token")
	}
	if err := s.archive.Accounts().RevokeToken(c.UserContext(), id); err != nil {
		return err
	}
	return c.SendStatus(http.StatusNoContent)
}

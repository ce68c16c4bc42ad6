package web

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
)

// Request is what a page handler knows of its request besides the Fiber
// context: the language, and the signed-in user with their session's
// CSRF token (nil and "" when nobody is signed in). The request context,
// c.UserContext(), carries the user's Principal for the Archive.
type Request struct {
	Lang i18n.Lang
	User *visitarchive.User
	CSRF string

	principal *visitarchive.Principal
	token     string // the session cookie
	expired   bool   // a session cookie came that is no longer valid
}

// T is key, English text, in the request's language.
func (r *Request) T(key string) string { return i18n.Text(r.Lang, key) }

// Tf formats the translation of format with args.
func (r *Request) Tf(format string, args ...any) string { return i18n.Sprintf(r.Lang, format, args...) }

// handler is a page handler: parse, call the Archive with
// c.UserContext(), render.
type handler func(c *fiber.Ctx, r *Request) error

// requestKey is the c.Locals key of the *Request, which the error
// handler reads to answer in the user's language.
const requestKey = "web.request"

// access says who may reach a page.
type access int

const (
	anyone     access = iota // signed in or not: sign-in, the language switch
	passwordOK               // signed in, even with a password to change: the change, sign-out
	signedIn                 // signed in with a password of their own: every other page
)

// public, account and page wrap a handler in what every page needs:
// the security headers, the language, the caller, and on POST the CSRF
// token of their session.
func (w *Web) public(h handler) fiber.Handler  { return w.wrap(anyone, h) }
func (w *Web) account(h handler) fiber.Handler { return w.wrap(passwordOK, h) }
func (w *Web) page(h handler) fiber.Handler    { return w.wrap(signedIn, h) }

func (w *Web) wrap(need access, h handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		pageHeaders(c)
		r, err := w.identify(c)
		if err != nil {
			return err
		}
		switch {
		case need == anyone:
		case r.User == nil:
			return w.toSignIn(c, r)
		case r.principal.MustChangePassword && need == signedIn:
			return redirect(c, "/password?next="+url.QueryEscape(nextOf(c)))
		case c.Method() == fiber.MethodPost && !sameToken(c.FormValue("_csrf"), r.CSRF):
			return visitarchive.E("web", visitarchive.Forbidden, nil,
				"the form lacks the CSRF token of your session: reload the page and try again")
		}
		return h(c, r)
	}
}

// identify finds the language and the signed-in user of c and puts the
// user's Principal into the request context. A session cookie that no
// longer signs anybody in (expired, ended by a password change) is
// cleared, and the request goes on as nobody's.
func (w *Web) identify(c *fiber.Ctx) (*Request, error) {
	if r, ok := c.Locals(requestKey).(*Request); ok {
		return r, nil
	}
	r := &Request{Lang: i18n.Negotiate(c.Cookies(LangCookie), c.Get(fiber.HeaderAcceptLanguage))}
	c.Locals(requestKey, r)
	token := c.Cookies(SessionCookie)
	if token == "" {
		return r, nil
	}
	p, sess, err := w.archive.Accounts().Authenticate(c.UserContext(), token)
	switch {
	case visitarchive.IsKind(err, visitarchive.Unauthenticated) || err == nil && sess == nil:
		// An API token in the cookie is no session: a form could not
		// carry its CSRF token.
		c.ClearCookie(SessionCookie, CSRFCookie)
		r.expired = true
		return r, nil
	case err != nil:
		return nil, err
	}
	p.Addr = c.IP()
	ctx := visitarchive.WithPrincipal(c.UserContext(), p)
	me, err := w.archive.Accounts().Me(ctx)
	if err != nil {
		return nil, err
	}
	c.SetUserContext(ctx)
	r.User, r.CSRF, r.principal, r.token = me, sess.CSRF, p, token
	return r, nil
}

// toSignIn sends a visitor who is not signed in to the sign-in page, which
// brings them back here afterwards.
func (w *Web) toSignIn(c *fiber.Ctx, r *Request) error {
	if r.expired {
		w.flash(c, flashExpired)
	}
	return redirect(c, "/signin?next="+url.QueryEscape(nextOf(c)))
}

// nextOf is where to come back to after signing in: this page, or for a
// form sent, the page it was sent from.
func nextOf(c *fiber.Ctx) string {
	if c.Method() == fiber.MethodGet {
		return c.OriginalURL()
	}
	if u, err := url.Parse(c.Get(fiber.HeaderReferer)); err == nil && u.Host == c.Hostname() {
		return localPath(u.RequestURI())
	}
	return "/"
}

// localPath returns next when it is a page of this server that a user
// may be sent to (after signing in, after the language switch), else "/":
// never another host (//evil, /\evil, a scheme), never the API, never a
// control character.
func localPath(next string) string {
	if next == "" || next[0] != '/' || len(next) > 2048 || strings.HasPrefix(next, "//") {
		return "/"
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	if strings.HasPrefix(u.Path, "/api/") {
		return "/"
	}
	return next
}

// redirect answers a redirect that a browser follows with a GET (303, so
// that a form sent is not sent again).
func redirect(c *fiber.Ctx, to string) error {
	return c.Redirect(to, http.StatusSeeOther)
}

// contentSecurityPolicy allows a page only this server's own scripts,
// styles, images and forms: no inline script or style, no frame.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// pageHeaders are the security headers of every page. Pages show
// personal data, so no page is cached.
func pageHeaders(c *fiber.Ctx) {
	c.Set(fiber.HeaderContentSecurityPolicy, contentSecurityPolicy)
	c.Set(fiber.HeaderXContentTypeOptions, "nosniff")
	c.Set(fiber.HeaderReferrerPolicy, "same-origin")
	c.Set(fiber.HeaderXFrameOptions, "DENY")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set(fiber.HeaderPermissionsPolicy, "camera=(), microphone=(), geolocation=()")
}

// sameToken compares a CSRF token sent with the expected one in constant
// time; an empty one never matches.
func sameToken(got, want string) bool {
	return got != "" && want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// SetSessionCookies sets the cookies of a new session: the session
// (HttpOnly) and its CSRF token (readable by the page's script). Both are
// SameSite=Strict, Secure over TLS. The API's sign-in sets them alike.
func SetSessionCookies(c *fiber.Ctx, token string, sess *visitarchive.Session) {
	secure := c.Protocol() == "https"
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: token, Path: "/", Expires: sess.Expires,
		HTTPOnly: true, Secure: secure, SameSite: fiber.CookieSameSiteStrictMode})
	c.Cookie(&fiber.Cookie{Name: CSRFCookie, Value: sess.CSRF, Path: "/", Expires: sess.Expires,
		Secure: secure, SameSite: fiber.CookieSameSiteStrictMode})
}

// setCookie sets one of the pages' own cookies: SameSite=Lax (the
// language must survive a link from elsewhere), HttpOnly, Secure over TLS;
// maxAge 0 keeps it for the browser's session.
func setCookie(c *fiber.Ctx, name, value string, maxAge int) {
	c.Cookie(&fiber.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HTTPOnly: true, Secure: c.Protocol() == "https", SameSite: fiber.CookieSameSiteLaxMode})
}

// pageNumber reads the page query parameter: 1 when absent or not a
// positive number, and at most maxPage, the last page the Archive's
// lists serve (a page number from a URL may be anything).
func pageNumber(c *fiber.Ctx) int {
	n, err := strconv.Atoi(c.Query("page"))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, maxPage)
}

// maxPage is the last page of a list (the Archive's checker allows no
// later one).
const maxPage = 10000

func itoa(n int) string { return strconv.Itoa(n) }

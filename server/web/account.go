package web

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
)

// Signing in and out, the password, the language switch and the home
// page.

// home sends a user to the first page of their menu, or to the inbox,
// which everyone has.
func (w *Web) home(c *fiber.Ctx, r *Request) error {
	if nav := w.nav(c, r); len(nav) > 0 {
		return redirect(c, nav[0].Path)
	}
	return redirect(c, "/inbox")
}

// switchLang remembers the language chosen (a year, in a cookie the API
// reads too) and goes back to the page it was chosen on.
func (w *Web) switchLang(c *fiber.Ctx, r *Request) error {
	l, ok := i18n.Parse(c.Query("to"))
	if !ok {
		l = i18n.Chinese
	}
	setCookie(c, LangCookie, string(l), int((365 * 24 * time.Hour).Seconds()))
	return redirect(c, localPath(c.Query("next")))
}

// signinView is the content of the sign-in form.
type signinView struct {
	User  string
	Next  string
	Token string // the form's CSRF token
	Error string
}

func (w *Web) signinForm(c *fiber.Ctx, r *Request) error {
	next := localPath(c.Query("next"))
	if r.User != nil {
		return redirect(c, next)
	}
	return w.renderSignin(c, r, signinView{Next: next})
}

// renderSignin renders the sign-in form with a fresh CSRF token, kept in a
// cookie of its own (double submit): there is no session yet to hold it.
func (w *Web) renderSignin(c *fiber.Ctx, r *Request, v signinView) error {
	v.Token = randomToken()
	setCookie(c, signinCookie, v.Token, 0)
	return w.render(c, r, "signin", msg("Sign in"), v)
}

func (w *Web) signin(c *fiber.Ctx, r *Request) error {
	v := signinView{User: c.FormValue("user"), Next: localPath(c.FormValue("next"))}
	if !sameToken(c.FormValue("_csrf"), c.Cookies(signinCookie)) {
		v.Error = r.T("The form has expired. Sign in again.")
		c.Status(http.StatusForbidden)
		return w.renderSignin(c, r, v)
	}
	token, sess, err := w.archive.Accounts().Login(c.UserContext(), visitarchive.UserName(v.User), c.FormValue("password"), c.IP())
	if err != nil {
		return w.signinFailed(c, r, v, err)
	}
	SetSessionCookies(c, token, sess)
	c.ClearCookie(signinCookie)
	p, _, err := w.archive.Accounts().Authenticate(c.UserContext(), token)
	if err != nil {
		return err
	}
	if p.MustChangePassword {
		return redirect(c, "/password?next="+url.QueryEscape(v.Next))
	}
	return redirect(c, v.Next)
}

// signinFailed shows the form again with what went wrong: the same words
// for an unknown user and a wrong password, as the API.
func (w *Web) signinFailed(c *fiber.Ctx, r *Request, v signinView, err error) error {
	switch {
	case visitarchive.IsKind(err, visitarchive.Unauthenticated):
		v.Error = r.T("Wrong user name or password.")
		c.Status(http.StatusUnauthorized)
	case visitarchive.IsKind(err, visitarchive.TooManyRequests):
		v.Error = r.Tf("Too many failed attempts. Try again in %d minutes.", retryMinutes(err))
		c.Status(http.StatusTooManyRequests)
	default:
		return err
	}
	return w.renderSignin(c, r, v)
}

// retryMinutes is how many minutes an error says to wait, at least one.
func retryMinutes(err error) int {
	return max(1, int((visitarchive.ErrorRetryAfter(err)+time.Minute-1)/time.Minute))
}

func (w *Web) signout(c *fiber.Ctx, r *Request) error {
	if err := w.archive.Accounts().Logout(c.UserContext(), r.token); err != nil {
		return err
	}
	c.ClearCookie(SessionCookie, CSRFCookie)
	w.flash(c, flashSignout)
	return redirect(c, "/signin")
}

// passwordView is the content of the password form.
type passwordView struct {
	Forced bool // someone else set the password: it must be changed first
	Next   string
	Errors map[string]string // by field: old_password, new_password, repeat
	Error  string
}

func (w *Web) passwordForm(c *fiber.Ctx, r *Request) error {
	return w.render(c, r, "password", msg("Change password"),
		passwordView{Forced: r.principal.MustChangePassword, Next: localPath(c.Query("next"))})
}

// changePassword changes the password and signs the user in again with
// it: the change ends every session, this one too.
func (w *Web) changePassword(c *fiber.Ctx, r *Request) error {
	v := passwordView{Forced: r.principal.MustChangePassword, Next: localPath(c.FormValue("next")), Errors: map[string]string{}}
	old, pw := c.FormValue("old_password"), c.FormValue("new_password")
	if pw != c.FormValue("repeat") {
		v.Errors["repeat"] = r.T("The two new passwords differ.")
		return w.passwordFailed(c, r, v)
	}
	_, err := w.archive.Accounts().ChangePassword(c.UserContext(), old, pw)
	switch {
	case visitarchive.IsKind(err, visitarchive.Forbidden):
		v.Errors["old_password"] = r.T("The current password is wrong.")
		return w.passwordFailed(c, r, v)
	case visitarchive.IsKind(err, visitarchive.Invalid):
		v.Errors = fieldErrors(r.Lang, err)
		return w.passwordFailed(c, r, v)
	case visitarchive.IsKind(err, visitarchive.TooManyRequests):
		v.Error = r.Tf("Too many failed attempts. Try again in %d minutes.", retryMinutes(err))
		c.Status(http.StatusTooManyRequests)
		return w.render(c, r, "password", msg("Change password"), v)
	case err != nil:
		return err
	}
	c.ClearCookie(SessionCookie, CSRFCookie)
	token, sess, err := w.archive.Accounts().Login(c.UserContext(), r.User.Name, pw, c.IP())
	if err != nil {
		return redirect(c, "/signin?next="+url.QueryEscape(v.Next))
	}
	SetSessionCookies(c, token, sess)
	w.flash(c, flashPassword)
	return redirect(c, v.Next)
}

func (w *Web) passwordFailed(c *fiber.Ctx, r *Request, v passwordView) error {
	c.Status(http.StatusUnprocessableEntity)
	return w.render(c, r, "password", msg("Change password"), v)
}

// randomToken returns a random token for a form.
func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

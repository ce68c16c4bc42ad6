package web

import (
	"github.com/gofiber/fiber/v2"
)

// A flash is a one-time notice that a page shows after a redirect ("Your
// password has been changed."). The cookie holds only its key, one of
// flashes, so that nobody can make a page say what they like.
var flashes = map[string]string{
	flashExpired:  msg("Your session has ended. Sign in again to continue."),
	flashPassword: msg("Your password has been changed."),
	flashRevoked:  msg("The token has been revoked."),
	flashSignout:  msg("You have signed out."),
}

// The keys of flashes.
const (
	flashExpired  = "expired"
	flashPassword = "password"
	flashRevoked  = "revoked"
	flashSignout  = "signout"
)

// flash shows the notice of key on the next page rendered.
func (w *Web) flash(c *fiber.Ctx, key string) {
	if _, ok := flashes[key]; !ok {
		panic("web: no flash " + key) // a bug
	}
	setCookie(c, flashCookie, key, 60)
}

// takeFlash returns the notice waiting for this page, translated, and
// forgets it.
func (w *Web) takeFlash(c *fiber.Ctx, r *Request) string {
	key := c.Cookies(flashCookie)
	if key == "" {
		return ""
	}
	c.ClearCookie(flashCookie)
	if f, ok := flashes[key]; ok {
		return r.T(f)
	}
	return ""
}

// msg marks s as a key of the catalogue where it is not translated on
// the spot (tables of labels, flashes): the catalogue test finds keys by
// the calls that take them, msg among them.
func msg(s string) string { return s }

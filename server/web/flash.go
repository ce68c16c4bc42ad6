package web

import (
	"time"

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

	// Plans and records: the employee's and the supervisor's moves.
	flashPlanSaved:       msg("The plan has been saved as a draft. Submit it when it is ready."),
	flashPlanSubmitted:   msg("The plan has been submitted for approval."),
	flashPlanChanged:     msg("The change has been submitted for approval. The approved plan stays in force until it is decided."),
	flashPlanCancelled:   msg("The plan has been cancelled; everyone concerned has been told."),
	flashPlanApproved:    msg("The plan has been approved."),
	flashPlanRejected:    msg("The plan has been rejected."),
	flashPlanEscalated:   msg("The plan has been sent to management with your recommendation."),
	flashRecordSaved:     msg("The record has been saved. Submit it when it is complete."),
	flashRecordSubmitted: msg("The record has been submitted for review."),
	flashRecordApproved:  msg("The record has been approved."),
	flashRecordReturned:  msg("The record has been returned to its author with your comments."),
}

// The keys of flashes.
const (
	flashExpired  = "expired"
	flashPassword = "password"
	flashRevoked  = "revoked"
	flashSignout  = "signout"

	flashPlanSaved       = "plan-saved"
	flashPlanSubmitted   = "plan-submitted"
	flashPlanChanged     = "plan-changed"
	flashPlanCancelled   = "plan-cancelled"
	flashPlanApproved    = "plan-approved"
	flashPlanRejected    = "plan-rejected"
	flashPlanEscalated   = "plan-escalated"
	flashRecordSaved     = "record-saved"
	flashRecordSubmitted = "record-submitted"
	flashRecordApproved  = "record-approved"
	flashRecordReturned  = "record-returned"
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
	// Cleared with the path it was set with: without one, a browser
	// clears only a cookie of the page's own path (/plans for
	// /plans/P1), and the notice would come again on the next page.
	c.Cookie(&fiber.Cookie{Name: flashCookie, Path: "/", Expires: time.Unix(1, 0), HTTPOnly: true,
		Secure: c.Protocol() == "https", SameSite: fiber.CookieSameSiteLaxMode})
	if f, ok := flashes[key]; ok {
		return r.T(f)
	}
	return ""
}

// msg marks s as a key of the catalogue where it is not translated on
// the spot (tables of labels, flashes): the catalogue test finds keys by
// the calls that take them, msg among them.
func msg(s string) string { return s }

package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The user's personal API tokens: the list, a new one (shown once, on
// the page that answers its creation) and revoking one.

// tokensView is the content of the tokens page.
type tokensView struct {
	Tokens  []visitarchive.APIToken
	New     string // the token just created, shown this once
	NewName string
	Name    string // the name typed, kept when the form has an error
	Errors  map[string]string
	Expiry  []expiryChoice
}

// expiryChoice is an option of the token's lifetime.
type expiryChoice struct {
	Days     int
	Label    string
	Selected bool
}

// tokenLifetimes are the lifetimes offered, in days (0: until revoked).
var tokenLifetimes = []int{30, 90, 365, 0}

func (w *Web) tokens(c *fiber.Ctx, r *Request) error {
	return w.renderTokens(c, r, tokensView{})
}

func (w *Web) renderTokens(c *fiber.Ctx, r *Request, v tokensView) error {
	list, err := w.archive.Accounts().ListTokens(c.UserContext())
	if err != nil {
		return err
	}
	v.Tokens = list
	days, _ := strconv.Atoi(c.FormValue("expires_in_days", "90"))
	for _, d := range tokenLifetimes {
		label := r.Tf("%d days", d)
		if d == 0 {
			label = r.T("Until revoked")
		}
		v.Expiry = append(v.Expiry, expiryChoice{Days: d, Label: label, Selected: d == days})
	}
	return w.render(c, r, "tokens", msg("API tokens"), v)
}

func (w *Web) createToken(c *fiber.Ctx, r *Request) error {
	name := c.FormValue("name")
	days, err := strconv.Atoi(c.FormValue("expires_in_days"))
	if err != nil || days < 0 || days > 3650 {
		days = 90
	}
	token, t, err := w.archive.Accounts().CreateToken(c.UserContext(), name, time.Duration(days)*24*time.Hour)
	if visitarchive.IsKind(err, visitarchive.Invalid) {
		c.Status(http.StatusUnprocessableEntity)
		return w.renderTokens(c, r, tokensView{Name: name, Errors: fieldErrors(r.Lang, err)})
	}
	if err != nil {
		return err
	}
	c.Status(http.StatusCreated)
	return w.renderTokens(c, r, tokensView{New: token, NewName: t.Name})
}

func (w *Web) revokeToken(c *fiber.Ctx, r *Request) error {
	id := c.Params("id")
	if !visitarchive.ValidID(id) {
		return fiber.ErrNotFound
	}
	if err := w.archive.Accounts().RevokeToken(c.UserContext(), id); err != nil {
		return err
	}
	w.flash(c, flashRevoked)
	return redirect(c, "/tokens")
}

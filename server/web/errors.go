package web

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
)

// Owns reports whether an error of this request is answered with a page
// rather than JSON: that of a page, or of any path but the API's and the
// operational endpoints that a browser asked for (an unknown page). The
// server's one error handler asks it.
func Owns(c *fiber.Ctx) bool {
	p := c.Path()
	if strings.HasPrefix(p, "/api/") || p == "/api" || p == "/healthz" || p == "/readyz" || p == "/metrics" {
		return false
	}
	if _, ok := c.Locals(requestKey).(*Request); ok {
		return true
	}
	return strings.Contains(c.Get(fiber.HeaderAccept), "text/html")
}

// errorView is the content of the error page.
type errorView struct {
	Status  int
	Heading string
	Message string
}

// The headings of the error pages, by status.
var errorHeadings = map[int]string{
	http.StatusBadRequest:            msg("The request is not valid"),
	http.StatusForbidden:             msg("Not allowed"),
	http.StatusNotFound:              msg("Not found"),
	http.StatusConflict:              msg("Changed meanwhile"),
	http.StatusRequestEntityTooLarge: msg("Too large"),
	http.StatusUnprocessableEntity:   msg("The request is not valid"),
	http.StatusTooManyRequests:       msg("Too many attempts"),
	http.StatusServiceUnavailable:    msg("Not available right now"),
}

// HandleError answers the error of a page with status (which the server's
// error handler chose by the error's kind): a page in the user's
// language that says what happened. A request that needs a signed-in
// user goes to the sign-in page and comes back; one whose user must
// change their password goes to that form.
func (w *Web) HandleError(c *fiber.Ctx, status int, err error) error {
	pageHeaders(c)
	r, ierr := w.identify(c)
	if ierr != nil {
		r = &Request{Lang: i18n.Negotiate(c.Cookies(LangCookie), c.Get(fiber.HeaderAcceptLanguage))}
	}
	if status == http.StatusUnauthorized {
		return w.toSignIn(c, r)
	}
	if r.principal != nil && r.principal.MustChangePassword && status == http.StatusForbidden {
		return redirect(c, "/password")
	}
	v := errorView{Status: status, Heading: r.T(errorHeadings[status]), Message: w.errorMessage(r, status, err)}
	if v.Heading == "" {
		v.Heading = r.T("Something went wrong")
	}
	c.Status(status)
	return w.render(c, r, "error", msg("Error"), v)
}

// errorMessage says what went wrong, in the user's language. A refusal
// says the same whatever the reason, as the API does; a server fault
// says nothing of its cause.
func (w *Web) errorMessage(r *Request, status int, err error) string {
	switch {
	case status == http.StatusNotFound:
		return r.T("There is no such page, or you may not see it.")
	case status == http.StatusForbidden:
		return r.T("Your roles do not allow this. If you think they should, ask your administrator.")
	case status >= 500:
		return r.T("The server could not answer. Try again later; if it keeps happening, tell your administrator.")
	}
	return errorText(r.Lang, err)
}

// errorText is the message of an Archive error in l. Every page shows
// an error's message (and its fields' messages, fieldText) through these
// two, so the catalogue of the API's messages serves the pages too.
func errorText(l i18n.Lang, err error) string { return i18n.ErrorText(l, err) }

// fieldErrors are the messages of an Invalid error by field, in l, for a
// form to show beside its fields.
func fieldErrors(l i18n.Lang, err error) map[string]string {
	fs := slices.Clone(visitarchive.ErrorFields(err)) // the error's own stay as they are
	for i, fe := range fs {
		fs[i] = sayValues(l, fe)
	}
	out := map[string]string{}
	for _, fe := range i18n.Fields(l, fs) {
		out[fe.Field] = fe.Message
	}
	return out
}

// typeRequired is the Archive's message of a field that the form of a
// customer type requires. It names the type by its code (key, regular),
// which the API's clients know; a page says it by its label instead.
const typeRequired = "is required on the form for %s customers"

// sayValues returns fe, a message that names a value of a fixed set by
// its code, as one that names it by its label in l.
func sayValues(l i18n.Lang, fe visitarchive.FieldError) visitarchive.FieldError {
	if fe.Format != typeRequired || len(fe.Args) != 1 {
		return fe
	}
	return visitarchive.FieldErrorf(fe.Field, msg("is required when the customer type is “%s”"),
		Value(l, "customer_type", fmt.Sprint(fe.Args[0])))
}

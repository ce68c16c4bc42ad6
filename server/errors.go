package server

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/i18n"
	"github.com/visitarchive/visitarchive/server/web"
)

// kindStatus maps each error kind to its HTTP status.
var kindStatus = map[visitarchive.Kind]int{
	visitarchive.BadRequest:      http.StatusBadRequest,
	visitarchive.Unauthenticated: http.StatusUnauthorized,
	visitarchive.Forbidden:       http.StatusForbidden,
	visitarchive.NotFound:        http.StatusNotFound,
	visitarchive.Conflict:        http.StatusConflict,
	visitarchive.TooLarge:        http.StatusRequestEntityTooLarge,
	visitarchive.Unsupported:     http.StatusUnsupportedMediaType,
	visitarchive.Invalid:         http.StatusUnprocessableEntity,
	visitarchive.Unavailable:     http.StatusServiceUnavailable,
	visitarchive.Internal:        http.StatusInternalServerError,
	visitarchive.Integrity:       http.StatusInternalServerError,
	visitarchive.TooManyRequests: http.StatusTooManyRequests,
	visitarchive.Gone:            http.StatusGone,
	visitarchive.Unsatisfiable:   http.StatusRequestedRangeNotSatisfiable,
}

// statusKind maps the statuses Fiber itself produces (no route, body too
// large, …) back to a kind, so that they get our codes.
var statusKind = map[int]visitarchive.Kind{
	http.StatusBadRequest:            visitarchive.BadRequest,
	http.StatusUnauthorized:          visitarchive.Unauthenticated,
	http.StatusForbidden:             visitarchive.Forbidden,
	http.StatusNotFound:              visitarchive.NotFound,
	http.StatusConflict:              visitarchive.Conflict,
	http.StatusRequestEntityTooLarge: visitarchive.TooLarge,
	http.StatusUnsupportedMediaType:  visitarchive.Unsupported,
	http.StatusUnprocessableEntity:   visitarchive.Invalid,
	http.StatusServiceUnavailable:    visitarchive.Unavailable,
}

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string                    `json:"code"`
	Message string                    `json:"message"`
	Fields  []visitarchive.FieldError `json:"fields,omitempty"`
}

// handleError is the one Fiber ErrorHandler. It answers every error that a
// handler, a middleware or Fiber itself returns, in the language of the
// request (requestLang), and logs server-side failures once, with the
// request id.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, code, e := describe(err)
	if requestID(c) == "" {
		// Fiber rejected the request before the middleware ran (body
		// over the limit, malformed request line): still give it an id.
		s.ensureRequestID(c)
		s.logger(c).Info("request rejected", "method", c.Method(), "status", status)
	}
	if status >= 500 {
		s.logger(c).Error("request failed", "status", status, "err", err)
	}
	if d := visitarchive.ErrorRetryAfter(err); d > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int((d+time.Second-1)/time.Second)))
	}
	if web.Owns(c) { // a page: answered with a page
		return s.web.HandleError(c, status, err)
	}
	return writeError(c, status, code, e)
}

// writeError answers e with status and code, its message and those of
// its fields in the language of the request.
func writeError(c *fiber.Ctx, status int, code string, e *visitarchive.Error) error {
	l := requestLang(c)
	msg := e.Msg // as the log has it
	if l != i18n.English || e.Kind == visitarchive.Internal {
		msg = i18n.Say(l, i18n.MessageOf(e))
	}
	c.Set(fiber.HeaderContentLanguage, string(l))
	c.Vary(fiber.HeaderAcceptLanguage)
	return c.Status(status).JSON(errorBody{errorDetail{Code: code, Message: msg, Fields: i18n.Fields(l, e.Fields)}})
}

// describe turns err into a status, the code of its kind, and the error
// whose message and fields the client sees.
func describe(err error) (int, string, *visitarchive.Error) {
	var fe *fiber.Error
	var ve *visitarchive.Error
	switch {
	case errors.As(err, &ve):
		status, ok := kindStatus[ve.Kind]
		if !ok {
			status = http.StatusInternalServerError
		}
		return status, ve.Kind.String(), ve
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, visitarchive.Unavailable.String(),
			visitarchive.E("http", visitarchive.Unavailable, err, "the request took too long; try again later")
	case errors.As(err, &fe):
		return describeFiber(fe)
	}
	return http.StatusInternalServerError, visitarchive.Internal.String(),
		visitarchive.E("http", visitarchive.Internal, err, "internal error")
}

// describeFiber describes the errors that Fiber raises itself.
func describeFiber(fe *fiber.Error) (int, string, *visitarchive.Error) {
	kind, ok := statusKind[fe.Code]
	code := kind.String()
	if !ok {
		// Such as 405 or 408, which have no kind of their own.
		kind = visitarchive.BadRequest
		code = strings.ReplaceAll(strings.ToLower(http.StatusText(fe.Code)), " ", "_")
	}
	var e *visitarchive.Error
	switch {
	case fe.Code >= 500:
		e = visitarchive.E("http", visitarchive.Internal, fe, "internal error")
	case fe.Code == http.StatusNotFound:
		e = visitarchive.E("http", kind, fe, "no such resource")
	case fe.Code == http.StatusRequestEntityTooLarge:
		e = visitarchive.E("http", kind, fe, "the request body is larger than the limit")
	case fe.Code == http.StatusMethodNotAllowed:
		e = visitarchive.E("http", kind, fe, "this method is not allowed on this resource")
	default:
		// Fiber's own words, which the catalogue may not know.
		e = &visitarchive.Error{Op: "http", Kind: kind, Msg: fe.Message, Err: fe}
	}
	return fe.Code, code, e
}

// badRequest, invalid and friends build the errors handlers return most.
func badRequest(op, msg string, args ...any) error {
	return visitarchive.E(op, visitarchive.BadRequest, nil, msg, args...)
}

// invalid reports fields of what ("body", "query") that break a rule.
func invalid(op string, what visitarchive.Word, fields ...visitarchive.FieldError) error {
	e := visitarchive.E(op, visitarchive.Invalid, nil, "the %s has %d invalid value(s)", what, len(fields))
	e.Fields = fields
	return e
}

func notFound(op, msg string, args ...any) error {
	return visitarchive.E(op, visitarchive.NotFound, nil, msg, args...)
}

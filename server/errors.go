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
// handler, a middleware or Fiber itself returns, and logs server-side
// failures once, with the request id.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, body := s.describe(err)
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
	return c.Status(status).JSON(body)
}

// describe turns err into a status and the body that the client sees.
func (s *Server) describe(err error) (int, errorBody) {
	var fe *fiber.Error
	var ve *visitarchive.Error
	switch {
	case errors.As(err, &ve):
		status, ok := kindStatus[ve.Kind]
		if !ok {
			status = http.StatusInternalServerError
		}
		return status, errorBody{errorDetail{
			Code:    ve.Kind.String(),
			Message: visitarchive.ErrorMessage(err),
			Fields:  visitarchive.ErrorFields(err),
		}}
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, errorBody{errorDetail{
			Code:    visitarchive.Unavailable.String(),
			Message: "the request took too long; try again later",
		}}
	case errors.As(err, &fe):
		return fe.Code, fiberErrorBody(fe)
	}
	return http.StatusInternalServerError, errorBody{errorDetail{
		Code: visitarchive.Internal.String(), Message: "internal error",
	}}
}

// fiberErrorBody describes the errors that Fiber raises itself.
func fiberErrorBody(fe *fiber.Error) errorBody {
	d := errorDetail{Message: fe.Message}
	if k, ok := statusKind[fe.Code]; ok {
		d.Code = k.String()
	} else {
		// Such as 405 or 408, which have no kind of their own.
		d.Code = strings.ReplaceAll(strings.ToLower(http.StatusText(fe.Code)), " ", "_")
	}
	switch fe.Code {
	case http.StatusNotFound:
		d.Message = "no such resource"
	case http.StatusRequestEntityTooLarge:
		d.Message = "the request body is larger than the limit"
	case http.StatusMethodNotAllowed:
		d.Message = "this method is not allowed on this resource"
	}
	if fe.Code >= 500 {
		d.Message = "internal error"
	}
	return errorBody{d}
}

// badRequest, invalid and friends build the errors handlers return most.
func badRequest(op, msg string, args ...any) error {
	return visitarchive.E(op, visitarchive.BadRequest, nil, msg, args...)
}

// invalid reports fields of what ("body", "query") that break a rule.
func invalid(op, what string, fields ...visitarchive.FieldError) error {
	e := visitarchive.E(op, visitarchive.Invalid, nil, "the %s has %d invalid value(s)", what, len(fields))
	e.Fields = fields
	return e
}

func notFound(op, msg string, args ...any) error {
	return visitarchive.E(op, visitarchive.NotFound, nil, msg, args...)
}

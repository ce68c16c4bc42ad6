package visitarchive

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind classifies an error so that every edge (HTTP, CLI) can answer it the
// same way.
type Kind int

// The kinds of error. The server maps each to one HTTP status.
const (
	Internal        Kind = iota // a bug or an unexpected failure: 500
	BadRequest                  // malformed input: bad JSON, unknown field: 400
	Invalid                     // well-formed input that breaks a rule: 422
	NotFound                    // no such object, or not one the caller may know of: 404
	Conflict                    // the object exists, or the version is stale: 409
	Forbidden                   // the caller may not do this: 403
	Unauthenticated             // the caller is unknown: 401
	TooLarge                    // the body is over its limit: 413
	Unsupported                 // wrong content type: 415
	Unavailable                 // a dependency is down; try again: 503
	Integrity                   // stored bytes no longer match their hash
	TooManyRequests             // too many failed attempts; wait: 429
)

var kindCodes = map[Kind]string{
	Internal:        "internal",
	BadRequest:      "bad_request",
	Invalid:         "invalid",
	NotFound:        "not_found",
	Conflict:        "conflict",
	Forbidden:       "forbidden",
	Unauthenticated: "unauthenticated",
	TooLarge:        "too_large",
	Unsupported:     "unsupported_media_type",
	Unavailable:     "unavailable",
	Integrity:       "integrity",
	TooManyRequests: "too_many_requests",
}

// String returns the stable code of the kind used in API errors.
func (k Kind) String() string {
	if s, ok := kindCodes[k]; ok {
		return s
	}
	return "internal"
}

// FieldError names one field that failed validation, by its JSON path.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the one error type of the project. Msg is safe to show a user;
// Err is the cause, for logs only.
type Error struct {
	Op     string       // the operation, such as "record.update"
	Kind   Kind         // how the edges answer it
	Msg    string       // for the user
	Err    error        // the cause, for logs
	Fields []FieldError // for Invalid: which fields and why
	// RetryAfter, for TooManyRequests, is how long to wait before
	// trying again.
	RetryAfter time.Duration
}

// E builds an *Error. Msg may use fmt verbs with args.
func E(op string, kind Kind, err error, msg string, args ...any) *Error {
	if len(args) > 0 {
		msg = fmt.Sprintf(msg, args...)
	}
	return &Error{Op: op, Kind: kind, Msg: msg, Err: err}
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Message)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorKind returns the kind of the first *Error in err's chain, or Internal.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// ErrorMessage returns the user-safe message of err: the Msg of the first
// *Error in its chain, or "internal error".
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Msg
	}
	return "internal error"
}

// ErrorFields returns the field errors of the first *Error in err's chain.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// ErrorRetryAfter returns the RetryAfter of the first *Error in err's
// chain, or 0.
func ErrorRetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// IsKind reports whether err carries kind k.
func IsKind(err error, k Kind) bool { return err != nil && ErrorKind(err) == k }

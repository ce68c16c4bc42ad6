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
	Gone                        // the content was destroyed for good: 410
	Unsatisfiable               // a range outside the content: 416
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
	Gone:            "gone",
	Unsatisfiable:   "range_not_satisfiable",
}

// String returns the stable code of the kind used in API errors.
func (k Kind) String() string {
	if s, ok := kindCodes[k]; ok {
		return s
	}
	return "internal"
}

// FieldError names one field that failed validation, by its JSON path.
// Message is in English; Format and Args are what it was made of
// (FieldErrorf), so that an edge can say it in the user's language (see
// Message). A FieldError without a Format has Message as its key.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Format  string `json:"-"`
	Args    []any  `json:"-"`
}

// FieldErrorf returns the FieldError of field whose message is format
// with args, as fmt formats them.
func FieldErrorf(field, format string, args ...any) FieldError {
	return FieldError{Field: field, Message: sprintf(format, args...), Format: format, Args: args}
}

// Error is the one error type of the project. Msg is safe to show a user;
// Err is the cause, for logs only.
type Error struct {
	Op     string       // the operation, such as "record.update"
	Kind   Kind         // how the edges answer it
	Msg    string       // for the user, in English (logs and the CLI show it)
	Err    error        // the cause, for logs
	Fields []FieldError // for Invalid: which fields and why
	// RetryAfter, for TooManyRequests, is how long to wait before
	// trying again.
	RetryAfter time.Duration
	// Format and Args are what E made Msg of, so that an edge can say it
	// in the user's language (see Message). An Error without a Format
	// has Msg as its key.
	Format string
	Args   []any
}

// E builds an *Error. Msg may use fmt verbs with args; E keeps the format
// and args apart too (Format, Args), for translations.
func E(op string, kind Kind, err error, msg string, args ...any) *Error {
	return &Error{Op: op, Kind: kind, Msg: sprintf(msg, args...), Err: err, Format: msg, Args: args}
}

// Message is a message for a user kept as its fmt format and arguments,
// as Error and FieldError keep theirs: the root speaks English and does
// not translate, and the edges that do (the server, package i18n) look
// the format up in their message catalogue, in which the English format
// is the key, and format the translation with the same arguments. An
// argument that is a Word, a Message or Messages is translated as well:
// a Message is a sentence inside another one, a Word one of the words
// that sentences name ("record", "query"). Every other argument (an id,
// a number, a state such as "draft") is shown as it is. A test of the
// server finds every format and Word literal of the code and checks that
// the catalogue has it.
type Message struct {
	Format string
	Args   []any
}

// Msgf returns the Message of format and args.
func Msgf(format string, args ...any) Message { return Message{Format: format, Args: args} }

// String returns m in English.
func (m Message) String() string { return sprintf(m.Format, m.Args...) }

// Word is a word that messages name, translated with them (see Message).
type Word string

// Messages are messages in a row, such as the problems of one request.
// String joins them with "; "; a translation joins them as its language
// does.
type Messages []Message

func (ms Messages) String() string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = m.String()
	}
	return strings.Join(s, "; ")
}

// sprintf formats format with args, and leaves a format without args as
// it is (as E always has).
func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
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

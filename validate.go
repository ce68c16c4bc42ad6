package visitarchive

import (
	"net/mail"
	"regexp"
	"time"
	"unicode/utf8"
)

// checker collects field errors so that a client sees every problem at once.
type checker struct{ errs []FieldError }

func (c *checker) add(field, format string, args ...any) {
	c.errs = append(c.errs, FieldErrorf(field, format, args...))
}

func (c *checker) required(field, v string) {
	if v == "" {
		c.add(field, "is required")
	}
}

// text checks that v is text (TextProblem) and its length in
// characters, not bytes, so that Chinese and English get the same
// allowance.
func (c *checker) text(field, v string, max int) {
	if m, bad := TextProblem(v); bad {
		c.add(field, m.Format, m.Args...)
		return
	}
	if n := utf8.RuneCountInString(v); n > max {
		c.add(field, "is %d characters long; at most %d are allowed", n, max)
	}
}

// TextProblem says what makes v something other than text, if anything
// does: bytes that are not UTF-8, or a control character other
// than tab, line feed and carriage return. NUL and the escape codes of
// terminals have no place in a form, and they break the tools (logs,
// exports, terminals) that show it later. The server holds query
// parameters to the same rule.
func TextProblem(v string) (problem Message, bad bool) {
	if !utf8.ValidString(v) {
		return Msgf("is not valid UTF-8"), true
	}
	for _, r := range v {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' {
			return Msgf("holds the control character U+%04X; only tab, line feed and carriage return are allowed", r), true
		}
	}
	return Message{}, false
}

// The times people give (visits, plans, the dates of searches and
// listings) lie between EarliestTime and LatestTime, both included. The
// index holds times as nanoseconds from 1970 (years 1678 to 2262), JSON
// holds years 0 to 9999 only, and a deadline is added to a visit's end:
// outside this range a time is lost to date filters or breaks an answer,
// and it is a typing error anyway.
var (
	EarliestTime = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	LatestTime   = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// date reports t when it lies outside the range; the zero time is "not
// given", which the required checks decide.
func (c *checker) date(field string, t time.Time) {
	if !t.IsZero() && (t.Before(EarliestTime) || t.After(LatestTime)) {
		c.add(field, "must lie between %s and %s (UTC)", EarliestTime.Format(time.DateOnly), LatestTime.Format(time.DateOnly))
	}
}

var phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 ()./-]{3,30}$`)

func (c *checker) phone(field, v string) {
	if v != "" && !phonePattern.MatchString(v) {
		c.add(field, "is not a phone number (digits, spaces, + ( ) - . / allowed)")
	}
}

func (c *checker) email(field, v string) {
	if v == "" {
		return
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v {
		c.add(field, "is not an e-mail address")
	}
}

func (c *checker) oneOf(field, v string, allowed []string) {
	if v == "" {
		return
	}
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	c.add(field, "must be one of %v", allowed)
}

// result returns nil or an Invalid error that lists every field.
func (c *checker) result(op string, what Word) error {
	if len(c.errs) == 0 {
		return nil
	}
	e := E(op, Invalid, nil, "the %s has %d invalid field(s)", what, len(c.errs))
	e.Fields = c.errs
	return e
}

// Length limits, in characters.
const (
	shortText = 200
	longText  = 20000
)

// pageSize fills in the default page and size and checks their bounds.
func (c *checker) pageSize(page, size *int) {
	if *page == 0 {
		*page = 1
	}
	if *size == 0 {
		*size = DefaultPageSize
	}
	if *page < 1 || *page > 10000 {
		c.add("page", "must be between 1 and 10000")
	}
	if *size < 1 || *size > MaxPageSize {
		c.add("size", "must be between 1 and %d", MaxPageSize)
	}
}

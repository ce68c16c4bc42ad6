package server

import (
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// params are the query parameters of a request, each given at most once.
// An empty value counts as absent.
type params map[string]string

// queryParams returns the query parameters of c. A parameter that is not
// in allowed, or that is given twice, is BadRequest: a misspelt filter must
// not silently widen a search. A value that is not text is Invalid.
func queryParams(c *fiber.Ctx, op string, allowed ...string) (params, error) {
	p := params{}
	var unknown, repeated []string
	c.Context().QueryArgs().VisitAll(func(k, v []byte) {
		name := string(k)
		_, seen := p[name]
		switch {
		case !slices.Contains(allowed, name):
			unknown = append(unknown, name)
		case seen:
			repeated = append(repeated, name)
		default:
			p[name] = string(v)
		}
	})
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, badRequest(op, "unknown query parameter(s): %s", strings.Join(slices.Compact(unknown), ", "))
	}
	if len(repeated) > 0 {
		sort.Strings(repeated)
		return nil, badRequest(op, "query parameter(s) given more than once: %s", strings.Join(slices.Compact(repeated), ", "))
	}
	return p, p.checkText(op)
}

// checkText holds every value to the rule of free text in a form
// (visitarchive.TextProblem): a value that is not UTF-8 or holds a
// control character is Invalid, naming the parameter.
func (p params) checkText(op string) error {
	var fe []visitarchive.FieldError
	for _, name := range slices.Sorted(maps.Keys(p)) {
		if m, bad := visitarchive.TextProblem(p[name]); bad {
			fe = append(fe, visitarchive.FieldErrorf(name, m.Format, m.Args...))
		}
	}
	if len(fe) > 0 {
		return invalid(op, "query", fe...)
	}
	return nil
}

// Query parameters of searches and listings.
var (
	filterParams = []string{
		"customer", "customer_name", "customer_type", "business_area", "department",
		"visitor", "intent", "status", "country", "from", "to",
		"sort", "page", "size", "phone", "email",
		"late", "overdue", "reviewer", "reference_code", "retention", "plan",
		"due", "retain_until_from", "retain_until_to",
	}
	searchParams = append([]string{"q"}, filterParams...)
)

// searchQuery builds a SearchQuery from p and checks it, reporting every
// bad parameter at once as Invalid.
func (s *Server) searchQuery(op string, p params) (visitarchive.SearchQuery, error) {
	var fe []visitarchive.FieldError
	q := visitarchive.SearchQuery{
		Text:         p["q"],
		CustomerID:   visitarchive.CustomerID(p["customer"]),
		CustomerName: p["customer_name"],
		CustomerType: p["customer_type"],
		BusinessArea: p["business_area"],
		Department:   visitarchive.DepartmentID(p["department"]),
		Visitor:      visitarchive.UserName(p["visitor"]),
		Intent:       p["intent"],
		Status:       p["status"],
		Country:      p["country"],
		ContactPhone: p["phone"],
		ContactEmail: p["email"],
		Sort:         p["sort"],
		Page:         p.pageInt("page", &fe),
		Size:         p.pageInt("size", &fe),
		From:         p.date("from", false, s.archive.Location(), &fe),
		To:           p.date("to", true, s.archive.Location(), &fe),

		Reviewer:      visitarchive.UserName(p["reviewer"]),
		ReferenceCode: p["reference_code"],
		Retention:     p["retention"],
		Late:          p["late"],
		PlanID:        visitarchive.PlanID(p["plan"]),
		Overdue:       p.flag("overdue", &fe),
		Due:           p.flag("due", &fe),
		RetainFrom:    p.date("retain_until_from", false, s.archive.Location(), &fe),
		RetainTo:      p.date("retain_until_to", true, s.archive.Location(), &fe),
	}
	oneOf(&fe, "intent", q.Intent, visitarchive.Intents)
	oneOf(&fe, "status", q.Status, visitarchive.RecordStatuses)
	if q.Overdue || q.Due {
		// Normalize wants the time that deadlines are compared with; the
		// Archive's clock gives the real one when the query runs.
		q.Now = time.Now()
	}
	if err := q.Normalize(); err != nil {
		fe = append(fe, visitarchive.ErrorFields(err)...)
	}
	q.Now = time.Time{}
	if len(fe) > 0 {
		return q, invalid(op, "query", fe...)
	}
	return q, nil
}

// oneOf reports name unless its value v is empty or one of valid.
func oneOf(fe *[]visitarchive.FieldError, name, v string, valid []string) {
	if v != "" && !slices.Contains(valid, v) {
		*fe = append(*fe, visitarchive.FieldErrorf(name, "must be one of %s", strings.Join(valid, ", ")))
	}
}

// flag reads a boolean parameter: true or false, absent is false.
func (p params) flag(name string, fe *[]visitarchive.FieldError) bool {
	switch p[name] {
	case "", "false":
		return false
	case "true":
		return true
	}
	*fe = append(*fe, visitarchive.FieldError{Field: name, Message: "must be true or false"})
	return false
}

// pageInt reads a page number or size. Normalize owns the range rules and
// reads 0 as "use the default", so an explicit 0 is passed on as -1 for it
// to reject.
func (p params) pageInt(name string, fe *[]visitarchive.FieldError) int {
	v := p[name]
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		*fe = append(*fe, visitarchive.FieldError{Field: name, Message: "must be a whole number"})
		return 0
	}
	if n == 0 {
		return -1
	}
	return n
}

// date reads an RFC 3339 time or a date (2006-01-02) in loc. A date as the
// end of a range means the end of that day: the range is [from, to), so it
// becomes the next midnight.
func (p params) date(name string, end bool, loc *time.Location, fe *[]visitarchive.FieldError) time.Time {
	v := p[name]
	if v == "" {
		return time.Time{}
	}
	// An unencoded '+' of a zone offset arrives as a space.
	if t, err := time.Parse(time.RFC3339, strings.Replace(v, " ", "+", 1)); err == nil {
		return t
	}
	d, err := time.ParseInLocation(time.DateOnly, v, loc)
	if err != nil {
		*fe = append(*fe, visitarchive.FieldError{Field: name,
			Message: "must be a date such as 2026-03-01 or an RFC 3339 time such as 2026-03-01T09:30:00+08:00"})
		return time.Time{}
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

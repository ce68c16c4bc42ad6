package retention

import (
	"slices"
	"strconv"
	"strings"

	va "github.com/visitarchive/visitarchive"
)

// Rule gives the classes it matches a retention period. An empty field
// matches any value.
type Rule struct {
	CustomerType string       `json:"customer_type,omitempty"`
	BusinessArea string       `json:"business_area,omitempty"`
	Retention    va.Retention `json:"retention"`
}

// specificity counts the fields the rule pins down.
func (r Rule) specificity() int {
	n := 0
	if r.CustomerType != "" {
		n++
	}
	if r.BusinessArea != "" {
		n++
	}
	return n
}

func (r Rule) matches(c va.Class) bool {
	return (r.CustomerType == "" || r.CustomerType == c.CustomerType) &&
		(r.BusinessArea == "" || r.BusinessArea == c.BusinessArea)
}

// Schedule is the retention schedule: rules, and the period of a class
// that no rule matches. It is read-only once built and safe for
// concurrent use.
type Schedule struct {
	Rules   []Rule       `json:"rules"`
	Default va.Retention `json:"default"`
}

var _ va.Schedule = (*Schedule)(nil)

// DefaultSchedule is the schedule used when none is configured: thirty
// years for key customers and ten for everything else. A key-account
// relationship outlives any one contract (renewals, disputes and the next
// negotiation go back to visits of many years before), so its records are
// kept for thirty years. Other customers get ten, the ordinary period of
// a visit record.
func DefaultSchedule() *Schedule {
	return &Schedule{
		Rules:   []Rule{{CustomerType: "key", Retention: va.RetainD30}},
		Default: va.RetainD10,
	}
}

// Retention returns the period of the most specific rule matching c, the
// first listed among equally specific ones, or the default when none
// matches.
func (s *Schedule) Retention(c va.Class) va.Retention {
	best := -1
	ret := s.Default
	for _, r := range s.Rules {
		if n := r.specificity(); n > best && r.matches(c) {
			best, ret = n, r.Retention
		}
	}
	return ret
}

// Validate returns nil, or one Invalid error that names every problem by
// its JSON path: a missing or unknown retention, a value with spaces
// around it (it would never match), a rule with the same customer type and
// business area as an earlier one (it would never apply).
func (s *Schedule) Validate() error {
	var fields []va.FieldError
	add := func(field, format string, args ...any) {
		fields = append(fields, va.FieldErrorf(field, format, args...))
	}
	checkRetention(add, "default", s.Default)
	first := map[[2]string]int{}
	for i, r := range s.Rules {
		path := "rules[" + strconv.Itoa(i) + "]"
		checkRetention(add, path+".retention", r.Retention)
		for _, f := range []struct{ name, v string }{
			{"customer_type", r.CustomerType}, {"business_area", r.BusinessArea},
		} {
			if f.v != strings.TrimSpace(f.v) {
				add(path+"."+f.name, "%q has spaces around it and would never match", f.v)
			}
		}
		key := [2]string{r.CustomerType, r.BusinessArea}
		if j, ok := first[key]; ok {
			add(path, "duplicates rules[%d] (customer_type %s, business_area %s) and would never apply",
				j, orAny(r.CustomerType), orAny(r.BusinessArea))
			continue
		}
		first[key] = i
	}
	if len(fields) == 0 {
		return nil
	}
	e := va.E("retention.schedule", va.Invalid, nil, "the retention schedule has %d problem(s)", len(fields))
	e.Fields = fields
	return e
}

func checkRetention(add func(field, format string, args ...any), field string, r va.Retention) {
	switch {
	case r == "":
		add(field, "is required (%s)", periods())
	case !slices.Contains(va.Retentions, string(r)):
		add(field, "%q is not a retention period (%s)", r, periods())
	}
}

// periods lists the valid retentions for a message: "D10, D30 or Y".
func periods() string {
	r := va.Retentions
	if len(r) < 2 {
		return strings.Join(r, "")
	}
	return strings.Join(r[:len(r)-1], ", ") + " or " + r[len(r)-1]
}

func orAny(v string) string {
	if v == "" {
		return "any"
	}
	return strconv.Quote(v)
}

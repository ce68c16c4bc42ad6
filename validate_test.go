package visitarchive_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// rangeFields lists the fields that err reports as outside the range of
// times the archive accepts.
func rangeFields(err error) []string {
	var out []string
	for _, f := range va.ErrorFields(err) {
		if strings.Contains(f.Message, "between 1900-01-01 and 2200-01-01") {
			out = append(out, f.Field)
		}
	}
	return out
}

// TestTimeRange holds every time a person gives (visits, plans, search
// ranges) to one range, 1900-01-01 to 2200-01-01: outside it the index
// cannot hold the time and a deadline cannot be written as JSON.
func TestTimeRange(t *testing.T) {
	times := []struct {
		name string
		t    time.Time
		ok   bool
	}{
		{"year 0", time.Date(0, 3, 1, 9, 0, 0, 0, time.UTC), false},
		{"1500", time.Date(1500, 3, 1, 9, 0, 0, 0, time.UTC), false},
		{"just before 1900", time.Date(1899, 12, 31, 23, 59, 59, 0, time.UTC), false},
		{"1900-01-01", time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"2026", time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), true},
		{"2200-01-01", time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC), true},
		{"just after 2200-01-01", time.Date(2200, 1, 1, 0, 0, 1, 0, time.UTC), false},
		{"2300", time.Date(2300, 3, 1, 9, 0, 0, 0, time.UTC), false},
		{"9999-12-31", time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), false},
	}
	surfaces := []struct {
		field string
		check func(tm time.Time) error
	}{
		{"visit_start", func(tm time.Time) error { r := validRecord(); r.VisitStart = tm; return r.Validate() }},
		{"visit_end", func(tm time.Time) error { r := validRecord(); r.VisitEnd = tm; return r.Validate() }},
		{"plan visit_start", func(tm time.Time) error { p := validPlan(); p.VisitStart = tm; return p.Validate() }},
		{"plan visit_end", func(tm time.Time) error { p := validPlan(); p.VisitEnd = tm; return p.Validate() }},
		{"from", func(tm time.Time) error { q := va.SearchQuery{From: tm}; return q.Normalize() }},
		{"to", func(tm time.Time) error { q := va.SearchQuery{To: tm}; return q.Normalize() }},
	}
	for _, s := range surfaces {
		for _, tt := range times {
			t.Run(s.field+" "+tt.name, func(t *testing.T) {
				field := strings.TrimPrefix(s.field, "plan ")
				got := rangeFields(s.check(tt.t))
				var want []string
				if !tt.ok {
					want = []string{field}
				}
				if !slices.Equal(got, want) {
					t.Errorf("out of range: %v, want %v", got, want)
				}
			})
		}
	}
}

func validPlan() va.Plan {
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return va.Plan{CustomerID: "C1", VisitStart: start, VisitEnd: start.Add(time.Hour),
		Location: "Hamburg", Purpose: "offer", Visitors: []va.UserName{"alice"}}
}

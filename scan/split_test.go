package scan

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// TestAssemble cuts sequences of pages into parts, without any tool:
// c1 is a cover sheet of rec1, f a form page, ? a page with a code that
// cannot be read, x a page that could not be read at all.
func TestAssemble(t *testing.T) {
	page := map[string]pageResult{
		"c1": {scan: pageScan{Record: rec1}},
		"c2": {scan: pageScan{Record: rec2}},
		"cu": {scan: pageScan{Record: unknown}},
		"f":  {},
		"?":  {scan: pageScan{Unreadable: true}},
		"x":  {failed: errors.New("pdftoppm: ran longer than 1m0s")},
	}
	type part struct {
		record visitarchive.RecordID
		cover  int
		pages  []int
		reason string
	}
	for _, tc := range []struct {
		name  string
		pages []string
		want  []part
	}{
		{"one record", []string{"c1", "f", "f"}, []part{{rec1, 1, []int{2, 3}, ""}}},
		{"no cover sheet", []string{"f", "f"}, []part{{"", 0, []int{1, 2}, "pages before the first cover sheet"}}},
		{"two records", []string{"c1", "f", "f", "c2", "f"}, []part{{rec1, 1, []int{2, 3}, ""}, {rec2, 4, []int{5}, ""}}},
		{"unknown record", []string{"cu", "f", "c1", "f"}, []part{
			{unknown, 1, []int{2}, "cover sheet names record " + string(unknown) + ", which does not exist"},
			{rec1, 3, []int{4}, ""}}},
		{"cover sheets in a row", []string{"c1", "c2", "f", "c1"}, []part{
			{rec1, 1, nil, "the cover sheet of record " + string(rec1) + " has no pages after it"},
			{rec2, 2, []int{3}, ""},
			{rec1, 4, nil, "the cover sheet of record " + string(rec1) + " has no pages after it"}}},
		{"unreadable code", []string{"c1", "f", "?", "f", "c2", "f"}, []part{
			{rec1, 1, []int{2}, ""},
			{"", 0, []int{3, 4}, "page 3 has a QR code that could not be read; it and the pages after it up to the next cover sheet were not filed"},
			{rec2, 5, []int{6}, ""}}},
		{"page not read", []string{"f", "x", "c1", "x"}, []part{
			{"", 0, []int{1}, "pages before the first cover sheet"},
			{"", 0, []int{2}, "page 2 could not be read; it and the pages after it up to the next cover sheet were not filed"},
			{rec1, 3, nil, "the cover sheet of record " + string(rec1) + " has no pages after it"},
			{"", 0, []int{4}, "page 4 could not be read; it and the pages after it up to the next cover sheet were not filed"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			results := []pageResult{{}}
			for _, p := range tc.pages {
				results = append(results, page[p])
			}
			var ex existing
			parts, err := assemble(t.Context(), results, ex.exists)
			if err != nil {
				t.Fatal(err)
			}
			var got []part
			for _, p := range parts {
				got = append(got, part{p.Record, p.Cover, p.Pages, p.Reason.String()})
			}
			if !slices.EqualFunc(got, tc.want, func(a, b part) bool {
				return a.record == b.record && a.cover == b.cover && slices.Equal(a.pages, b.pages) && a.reason == b.reason
			}) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			seen := map[visitarchive.RecordID]bool{}
			for _, id := range ex.calls {
				if seen[id] {
					t.Errorf("Exists asked twice about %s", id)
				}
				seen[id] = true
			}
		})
	}
}

func TestAssembleExists(t *testing.T) {
	results := []pageResult{{}, {scan: pageScan{Record: unknown}}, {}}
	// Without Exists every record is taken to exist: the caller checks.
	parts, err := assemble(t.Context(), results, nil)
	if err != nil || len(parts) != 1 || parts[0].Inbox() || parts[0].Record != unknown {
		t.Errorf("without Exists: %+v, %v; want a part of %s to file", parts, err, unknown)
	}
	down := errors.New("store unavailable")
	_, err = assemble(t.Context(), results, func(context.Context, visitarchive.RecordID) (bool, error) { return false, down })
	if !errors.Is(err, down) {
		t.Errorf("Exists failing: %v, want its error", err)
	}
}

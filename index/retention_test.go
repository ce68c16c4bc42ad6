package index

import (
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

// retain_until: due (at or before Now), its range, the due facet, and the
// period in force in the retention facet.
func TestSearchRetainUntil(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	jan := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, cst) }
	doc := func(id string, until time.Time, ret visitarchive.Retention) visitarchive.IndexDoc {
		r := &visitarchive.Record{ID: visitarchive.RecordID(id), CustomerID: "K1", Status: archived, Summary: "visit"}
		r.Archival = visitarchive.Archival{ReferenceCode: "C-" + id, Retention: visitarchive.RetainD10}
		return visitarchive.IndexDoc{Record: r, RetainUntil: until, Retention: ret}
	}
	ix := openTest(t, t.TempDir())
	docs := []visitarchive.IndexDoc{
		doc("R1", jan(2025), ""),                             // due on 2025-01-01
		doc("R2", jan(2026), ""),                             // a year later
		doc("R3", time.Time{}, visitarchive.RetainPermanent), // Y: never
		doc("R4", jan(2045), visitarchive.RetainD30),         // kept: D30
	}
	if err := ix.Apply(t.Context(), 1, docs, nil); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		q    visitarchive.SearchQuery
		want string
	}{
		{"due a nanosecond early", visitarchive.SearchQuery{Due: true, Now: jan(2025).Add(-time.Nanosecond)}, ""},
		{"due on the day", visitarchive.SearchQuery{Due: true, Now: jan(2025)}, "R1"},
		{"due in 2026", visitarchive.SearchQuery{Due: true, Now: jan(2026).Add(time.Hour)}, "R1 R2"},
		{"due in 2100", visitarchive.SearchQuery{Due: true, Now: jan(2100)}, "R1 R2 R4"},
		{"range", visitarchive.SearchQuery{RetainFrom: jan(2025), RetainTo: jan(2026)}, "R1"},
		{"range open end", visitarchive.SearchQuery{RetainFrom: jan(2026)}, "R2 R4"},
		{"period in force", visitarchive.SearchQuery{Retention: "D30"}, "R4"},
		{"archived period", visitarchive.SearchQuery{Retention: "D10"}, "R1 R2"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantIDs(t, ix, c.q, c.want) })
	}
	res := find(t, ix, visitarchive.SearchQuery{Now: jan(2026)})
	got := res.Facets[visitarchive.FacetDue]
	if len(got) != 1 || got[0].Count != 2 {
		t.Errorf("due facet at 2026-01-01 = %v, want [{true 2}]", got)
	}
}

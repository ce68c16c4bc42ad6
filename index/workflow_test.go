package index

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/visitarchive/visitarchive"
)

// wfNow is the injected time of the workflow tests.
var wfNow = time.Date(2025, 3, 10, 12, 0, 0, 0, time.FixedZone("CST", 8*3600))

// workflowRecords is a small fixture for the workflow fields, relative
// to wfNow. Overdue at wfNow: W02 and W10 only.
func workflowRecords() []*visitarchive.Record {
	rec := func(n int, st visitarchive.RecordStatus, due time.Duration, plan visitarchive.PlanID) *visitarchive.Record {
		r := &visitarchive.Record{
			ID: visitarchive.RecordID("W" + pad2(n)), CustomerID: "K1", Status: st, PlanID: plan,
			Summary:    "电池 visit " + itoa(n),
			VisitStart: wfNow.Add(-48 * time.Hour),
		}
		if due != 0 {
			r.DueAt = wfNow.Add(due)
		}
		return r
	}
	w := []*visitarchive.Record{
		rec(1, draft, time.Hour, "P1"),         // due later: not overdue yet
		rec(2, draft, -time.Hour, "P1"),        // overdue
		rec(3, draft, 0, ""),                   // no deadline: never overdue
		rec(4, submitted, -5*time.Hour, "P2"),  // past due but submitted (late)
		rec(5, returned, -5*time.Hour, ""),     // past due but submitted once
		rec(6, approved, -30*time.Hour, ""),    // approved, late
		rec(7, archived, -30*time.Hour, "P3"),  // archived: D10
		rec(8, archived, -30*time.Hour, ""),    // archived: Y
		rec(9, draft, 0, ""),                   // due exactly at wfNow (set below)
		rec(10, draft, -time.Nanosecond, "P1"), // overdue by a nanosecond
	}
	w[8].DueAt = wfNow
	for _, r := range w[3:] {
		if r.Status != draft {
			r.SubmittedAt = r.DueAt.Add(time.Minute)
			r.Rounds = 1
		}
	}
	w[3].Late, w[3].DelaySeconds = true, 60
	w[5].Late, w[5].DelaySeconds = true, 60
	w[5].Reviewer = "wangfang"
	w[6].Reviewer = "wangfang"
	w[6].Archival = visitarchive.Archival{ReferenceCode: "VA-2025-D10-0007", Retention: visitarchive.RetainD10, ArchivedBy: "tom"}
	w[7].Reviewer = "lina"
	w[7].Archival = visitarchive.Archival{ReferenceCode: "VA-2025-Y-0008", Retention: visitarchive.RetainPermanent, ArchivedBy: "tom"}
	return w
}

func workflowIndex(t testing.TB) *Index {
	t.Helper()
	recs := workflowRecords()
	docs := make([]visitarchive.IndexDoc, len(recs))
	for i, r := range recs {
		docs[i] = visitarchive.IndexDoc{Record: r}
	}
	ix := openTest(t, t.TempDir())
	if err := ix.Apply(t.Context(), 1, docs, nil); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	return ix
}

const allWorkflow = "W01 W02 W03 W04 W05 W06 W07 W08 W09 W10"

func TestSearchWorkflowFilters(t *testing.T) {
	ix := workflowIndex(t)
	utc := wfNow.UTC()
	cases := []struct {
		name string
		q    visitarchive.SearchQuery
		want string
	}{
		{"reviewer", visitarchive.SearchQuery{Reviewer: "wangfang"}, "W06 W07"},
		{"another reviewer", visitarchive.SearchQuery{Reviewer: "lina"}, "W08"},
		{"reviewer is exact", visitarchive.SearchQuery{Reviewer: "Wangfang"}, ""},
		{"reference code", visitarchive.SearchQuery{ReferenceCode: "VA-2025-D10-0007"}, "W07"},
		{"reference code is not a prefix", visitarchive.SearchQuery{ReferenceCode: "VA-2025"}, ""},
		{"reference code is not in the text", visitarchive.SearchQuery{Text: "VA-2025-D10-0007"}, ""},
		{"retention D10", visitarchive.SearchQuery{Retention: "D10"}, "W07"},
		{"retention Y", visitarchive.SearchQuery{Retention: "Y"}, "W08"},
		{"retention D30", visitarchive.SearchQuery{Retention: "D30"}, ""},
		{"late", visitarchive.SearchQuery{Late: "true"}, "W04 W06"},
		{"on time", visitarchive.SearchQuery{Late: "false"}, "W05 W07 W08"}, // drafts are neither
		{"plan", visitarchive.SearchQuery{PlanID: "P1"}, "W01 W02 W10"},
		{"another plan", visitarchive.SearchQuery{PlanID: "P3"}, "W07"},
		{"unknown plan", visitarchive.SearchQuery{PlanID: "P9"}, ""},
		// Strictly before Now: W09, due at Now, is not overdue yet; W04
		// and W05 are past due but were submitted; W03 has no deadline.
		{"overdue", visitarchive.SearchQuery{Overdue: true, Now: wfNow}, "W02 W10"},
		{"overdue, Now in UTC", visitarchive.SearchQuery{Overdue: true, Now: utc}, "W02 W10"},
		{"overdue a nanosecond later", visitarchive.SearchQuery{Overdue: true, Now: wfNow.Add(time.Nanosecond)},
			"W02 W09 W10"},
		{"overdue two hours later", visitarchive.SearchQuery{Overdue: true, Now: wfNow.Add(2 * time.Hour)},
			"W01 W02 W09 W10"},
		{"overdue a day later", visitarchive.SearchQuery{Overdue: true, Now: wfNow.Add(24 * time.Hour)},
			"W01 W02 W09 W10"},
		{"overdue two hours earlier", visitarchive.SearchQuery{Overdue: true, Now: wfNow.Add(-2 * time.Hour)}, ""},
		{"Now alone does not filter", visitarchive.SearchQuery{Now: wfNow}, allWorkflow},
		{"overdue and plan", visitarchive.SearchQuery{Overdue: true, Now: wfNow, PlanID: "P1"}, "W02 W10"},
		{"overdue and status", visitarchive.SearchQuery{Overdue: true, Now: wfNow, Status: "submitted"}, ""},
		{"overdue and text", visitarchive.SearchQuery{Overdue: true, Now: wfNow, Text: "电池"}, "W02 W10"},
		{"reviewer and late", visitarchive.SearchQuery{Reviewer: "wangfang", Late: "true"}, "W06"},
		{"retention and reviewer", visitarchive.SearchQuery{Retention: "Y", Reviewer: "wangfang"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { wantIDs(t, ix, c.q, c.want) })
	}
}

// Overdue is decided by the indexed status: a draft that is submitted
// stops being overdue once its new version is applied, and a record
// returned for correction does not become overdue again.
func TestOverdueFollowsStatus(t *testing.T) {
	ix := workflowIndex(t)
	w02 := workflowRecords()[1]
	w02.Status, w02.SubmittedAt, w02.Late = submitted, wfNow, true
	if err := ix.Apply(t.Context(), 2, []visitarchive.IndexDoc{{Record: w02}}, nil); err != nil {
		t.Fatal(err)
	}
	q := visitarchive.SearchQuery{Overdue: true, Now: wfNow}
	if got := hitIDs(find(t, ix, q)); !slices.Equal(got, ids("W10")) {
		t.Errorf("after submitting W02: overdue %v, want [W10]", got)
	}
	w02.Status = returned
	if err := ix.Apply(t.Context(), 3, []visitarchive.IndexDoc{{Record: w02}}, nil); err != nil {
		t.Fatal(err)
	}
	if got := hitIDs(find(t, ix, q)); !slices.Equal(got, ids("W10")) {
		t.Errorf("after returning W02: overdue %v, want [W10]", got)
	}
	if got := hitIDs(find(t, ix, visitarchive.SearchQuery{Late: "true", Size: 100})); !slices.Equal(got, ids("W02 W04 W06")) {
		t.Errorf("late after submitting W02 late: %v, want [W02 W04 W06]", got)
	}
}

func TestOverdueNeedsNow(t *testing.T) {
	ix := workflowIndex(t)
	_, err := ix.Search(t.Context(), visitarchive.SearchQuery{Overdue: true})
	if !visitarchive.IsKind(err, visitarchive.Invalid) {
		t.Errorf("Overdue without Now = %v, want Invalid", err)
	}
	// Query does not normalize: there it matches nothing rather than
	// every record with a deadline.
	bq, err := Query(visitarchive.SearchQuery{Overdue: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := ix.bi.Search(bleve.NewSearchRequest(bq))
	if err != nil || res.Total != 0 {
		t.Errorf("Query(Overdue without Now) = %d hits, %v; want none", res.Total, err)
	}
	for _, bad := range []visitarchive.SearchQuery{{Late: "yes"}, {Retention: "D5"}} {
		if _, err := ix.Search(t.Context(), bad); !visitarchive.IsKind(err, visitarchive.Invalid) {
			t.Errorf("Search(%+v) = %v, want Invalid", bad, err)
		}
	}
}

func TestSearchWorkflowFacets(t *testing.T) {
	ix := workflowIndex(t)
	all := find(t, ix, visitarchive.SearchQuery{Now: wfNow, Size: 1})
	checkFacets(t, all, map[string]string{
		"late":      "false:3 true:2",
		"reviewer":  "wangfang:2 lina:1",
		"retention": "D10:1 Y:1",
		"status":    "draft:5 archived:2 approved:1 returned:1 submitted:1",
		"overdue":   "true:2",
	})
	later := find(t, ix, visitarchive.SearchQuery{Now: wfNow.Add(2 * time.Hour), PlanID: "P1"})
	checkFacets(t, later, map[string]string{"overdue": "true:3", "late": "", "reviewer": ""})

	// The facet counts the matches only, and says 0 as an empty list.
	none := find(t, ix, visitarchive.SearchQuery{Now: wfNow, Status: "submitted"})
	if got, ok := none.Facets[visitarchive.FacetOverdue]; !ok || got == nil || len(got) != 0 {
		t.Errorf("no overdue matches: overdue facet = %#v, %v; want present and empty", got, ok)
	}
	// Without Now there is no overdue facet; the others stay.
	noNow := find(t, ix, visitarchive.SearchQuery{})
	if got, ok := noNow.Facets[visitarchive.FacetOverdue]; ok {
		t.Errorf("without Now: overdue facet = %v; want none", got)
	}
	if got := noNow.Facets["retention"]; len(got) != 2 {
		t.Errorf("without Now: retention facet = %v", got)
	}
	if res := find(t, ix, visitarchive.SearchQuery{Now: wfNow, NoFacets: true}); res.Facets != nil {
		t.Errorf("NoFacets: facets = %v", res.Facets)
	}
}

func TestPlansWithRecords(t *testing.T) {
	ix := workflowIndex(t)
	cases := []struct {
		name  string
		plans []visitarchive.PlanID
		want  string
	}{
		{"present and absent", []visitarchive.PlanID{"P1", "P2", "P9"}, "P1 P2"},
		{"duplicates and empty ids", []visitarchive.PlanID{"P3", "P3", "", "p3"}, "P3"},
		{"absent only", []visitarchive.PlanID{"P4", "W01", "K1"}, ""},
		{"empty", nil, ""},
		{"only an empty id", []visitarchive.PlanID{""}, ""},
		{"three batches", batchedPlans(), "P1 P2 P3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ix.PlansWithRecords(t.Context(), c.plans)
			if err != nil {
				t.Fatal(err)
			}
			checkPlans(t, got, c.want)
		})
	}

	// A deleted record no longer counts for its plan.
	if err := ix.Apply(t.Context(), 2, nil, []visitarchive.RecordID{"W07"}); err != nil {
		t.Fatal(err)
	}
	got, err := ix.PlansWithRecords(t.Context(), []visitarchive.PlanID{"P1", "P3"})
	if err != nil {
		t.Fatal(err)
	}
	checkPlans(t, got, "P1")
}

// No plans asks Bleve nothing: even a closed index answers; any plan on
// a closed index is Unavailable.
func TestPlansWithRecordsNoQuery(t *testing.T) {
	ix := workflowIndex(t)
	_ = ix.Close()
	got, err := ix.PlansWithRecords(t.Context(), nil)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("no plans on a closed index = %v, %v; want an empty map", got, err)
	}
	if _, err := ix.PlansWithRecords(t.Context(), []visitarchive.PlanID{"P1"}); !visitarchive.IsKind(err, visitarchive.Unavailable) {
		t.Errorf("a plan on a closed index = %v, want Unavailable", err)
	}
}

// batchedPlans returns P1, P2 and P3 with absent ids between them, so
// many that each of the three falls in another batch of plansBatch
// (PlansWithRecords sorts the ids): P1 is first, P2 is id plansBatch+1
// and P3 id 2*plansBatch+2.
func batchedPlans() []visitarchive.PlanID {
	ps := []visitarchive.PlanID{"P3", "P2", "P1"}
	for i := range plansBatch {
		n := fmt.Sprintf("%04d", i)
		ps = append(ps, visitarchive.PlanID("P1-"+n), visitarchive.PlanID("P2-"+n))
	}
	return ps
}

func checkPlans(t *testing.T, got map[visitarchive.PlanID]bool, want string) {
	t.Helper()
	g := []string{}
	for _, p := range slices.Sorted(maps.Keys(got)) {
		if !got[p] {
			t.Errorf("plan %s is in the map as false", p)
		}
		g = append(g, string(p))
	}
	if w := ids(want); !slices.Equal(g, w) {
		t.Errorf("got %v, want %v", g, w)
	}
}

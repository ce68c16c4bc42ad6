package visitarchive_test

import (
	"slices"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// The plans waiting for a decision are each decider's own: a
// supervisor's ordinary ones, a manager's major ones, and approved plans
// whose change waits.
func TestUndecidedPlans(t *testing.T) {
	e := newEnv(t)
	ctx := people(t, e)
	start := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	e.Clock.Set(start.Add(-72 * time.Hour))
	submit := func(major bool) *va.Plan {
		t.Helper()
		p, err := e.Archive.CreatePlan(ctx["alice"], va.Plan{CustomerID: "C1", VisitStart: start, VisitEnd: start.Add(time.Hour),
			Location: "苏州", Purpose: "报价", Visitors: []va.UserName{"alice"}, Major: major})
		if err == nil {
			p, err = e.Archive.SubmitPlan(ctx["alice"], p.ID, p.Version)
		}
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	ordinary, major, changed := submit(false), submit(true), submit(true)
	changed, err := e.Archive.DecidePlan(ctx["max"], changed.ID, va.PlanVerdict{Version: changed.Version, Approve: true})
	if err == nil {
		ch := *changed
		ch.Location, ch.ChangeReason = "无锡", "客户搬迁"
		changed, err = e.Archive.UpdatePlan(ctx["alice"], ch)
	}
	if err != nil {
		t.Fatal(err)
	}
	undecided := func(who string) []va.PlanID {
		t.Helper()
		page, err := e.Archive.ListPlans(ctx[who], va.PlanQuery{Undecided: true})
		if err != nil {
			t.Fatal(err)
		}
		var ids []va.PlanID
		for _, p := range page.Plans {
			ids = append(ids, p.ID)
		}
		slices.Sort(ids)
		return ids
	}
	sorted := func(ids ...va.PlanID) []va.PlanID { slices.Sort(ids); return ids }
	for who, want := range map[string][]va.PlanID{
		"sam": {ordinary.ID}, "max": sorted(major.ID, changed.ID), "mia": nil, "alice": nil,
	} {
		if got := undecided(who); !slices.Equal(got, want) {
			t.Errorf("%s's plans to decide: %v, want %v", who, got, want)
		}
	}
}

// Before archiving, the archivist sees the class and the retention
// period the record will get; nobody else may ask.
func TestClassification(t *testing.T) {
	e := newEnv(t)
	ctx := people(t, e)
	r := approvedRecords(t, e, ctx, 1)[0]
	arc, err := e.Archive.Classification(ctx["ann"], r.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := va.Class{CustomerType: "key", BusinessArea: "新能源", Year: 2026}
	if arc.Class == nil || *arc.Class != want || arc.Retention != va.RetainD30 || arc.ReferenceCode != "" {
		t.Errorf("the classification: %+v", arc)
	}
	if _, err := e.Archive.Classification(ctx["mia"], r.ID); !va.IsKind(err, va.Forbidden) {
		t.Errorf("marketing asks: %v", err)
	}
	got, err := e.Archive.ArchiveRecord(ctx["ann"], r.ID, va.ArchiveRequest{Version: r.Version})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Class != want || got.Retention != arc.Retention {
		t.Errorf("archived as %+v %s, classified as %+v %s", got.Class, got.Retention, want, arc.Retention)
	}
	if _, err := e.Archive.Classification(ctx["ann"], r.ID); !va.IsKind(err, va.Conflict) {
		t.Errorf("an archived record: %v", err)
	}
}

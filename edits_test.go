package visitarchive_test

import (
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// TestChangesOfNothingWriteNothing: an approved plan "changed" with a
// reason but nothing else stays approved, and a user given the roles
// they hold gets no new version.
func TestChangesOfNothingWriteNothing(t *testing.T) {
	e := newEnv(t)
	ctx := people(t, e)
	start := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	e.Clock.Set(start.Add(-48 * time.Hour))
	p, err := e.Archive.CreatePlan(ctx["alice"], va.Plan{CustomerID: "C1", VisitStart: start, VisitEnd: start.Add(time.Hour),
		Location: "苏州", Purpose: "报价", Visitors: []va.UserName{"alice"}})
	if err == nil {
		p, err = e.Archive.SubmitPlan(ctx["alice"], p.ID, p.Version)
	}
	if err == nil {
		p, err = e.Archive.DecidePlan(ctx["sam"], p.ID, va.PlanVerdict{Version: p.Version, Approve: true})
	}
	if err != nil {
		t.Fatal(err)
	}
	same := *p
	same.ChangeReason = "客户改期"
	got, err := e.Archive.UpdatePlan(ctx["alice"], same)
	if err != nil || got.Version != p.Version || got.Status != va.StatusApproved {
		t.Fatalf("a change of nothing: %+v, %v; want version %d, approved", got, err, p.Version)
	}

	u, err := e.Archive.Accounts().GetUser(as(t, "root"), "alice")
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.Archive.Accounts().UpdateUser(as(t, "root"), *u)
	if err != nil || again.Version != u.Version {
		t.Fatalf("the same user again: %+v, %v; want version %d", again, err, u.Version)
	}
}

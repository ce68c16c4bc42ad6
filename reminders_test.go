package visitarchive_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// approvedPlan has alice plan a visit of C1 from start to end, submit it
// two days ahead and sam approve it.
func approvedPlan(t *testing.T, e *env, ctx map[string]context.Context, start, end time.Time, visitors ...va.UserName) *va.Plan {
	t.Helper()
	e.Clock.Set(start.Add(-48 * time.Hour))
	p, err := e.Archive.CreatePlan(ctx["alice"], va.Plan{CustomerID: "C1", VisitStart: start, VisitEnd: end,
		Location: "上海", Purpose: "报价", Visitors: visitors})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = e.Archive.SubmitPlan(ctx["alice"], p.ID, p.Version); err != nil {
		t.Fatal(err)
	}
	if p, err = e.Archive.DecidePlan(ctx["sam"], p.ID, va.PlanVerdict{Version: p.Version, Approve: true}); err != nil {
		t.Fatal(err)
	}
	return p
}

// remind runs reminders once and checks how many notices it sent.
func remind(t *testing.T, what string, run func(context.Context) (int, error), want int) {
	t.Helper()
	if n, err := run(t.Context()); err != nil || n != want {
		t.Fatalf("%s: %d, %v; want %d", what, n, err, want)
	}
}

// remindsAt checks that run sends nothing a second before at, want
// notices at at, and nothing more when run again.
func remindsAt(t *testing.T, e *env, run func(context.Context) (int, error), at time.Time, want int) {
	t.Helper()
	e.Clock.Set(at.Add(-time.Second))
	remind(t, "a second before "+at.String(), run, 0)
	e.Clock.Set(at)
	remind(t, "at "+at.String(), run, want)
	remind(t, "again at "+at.String(), run, 0)
}

// TestPlanRecordReminders: an approved plan whose visit ended without a
// record reminds its visitors when half the filing period is gone, and
// tells the supervisor once it has passed; each once, restart or not.
// A plan with a record, or a cancelled one, is never chased.
func TestPlanRecordReminders(t *testing.T) {
	e := newEnv(t)
	ctx := people(t, e)
	start := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	end := start.Add(2 * time.Hour)
	p := approvedPlan(t, e, ctx, start, end, "carol")
	filed := approvedPlan(t, e, ctx, start, end, "alice")
	called := approvedPlan(t, e, ctx, start, end, "alice")
	if _, err := e.Archive.CancelPlan(ctx["alice"], called.ID, called.Version, "客户取消"); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(end.Add(time.Hour))
	r := keyForm(2)
	r.PlanID, r.VisitStart, r.VisitEnd = filed.ID, start, end
	mustCreate(t, e.Archive, ctx["alice"], r)
	id := string(p.ID)

	remindsAt(t, e, e.Archive.RemindUnrecordedPlans, end.Add(12*time.Hour), 1) // half the filing period
	for who, want := range map[string][]string{
		"alice": {"plan.decided " + id, "plan.record_due " + id}, // the planner
		"carol": {"plan.decided " + id, "plan.record_due " + id}, // the visitor
		"sam":   {"plan.submitted " + id},
	} {
		if got := onlyAbout(notificationEvents(t, e, ctx[who]), id); !slices.Equal(got, want) {
			t.Errorf("%s at half the period: %v, want %v", who, got, want)
		}
	}

	e.Close(t)
	e.Open(t, true)
	remind(t, "after a restart", e.Archive.RemindUnrecordedPlans, 0)
	e.Clock.Set(end.Add(24 * time.Hour))
	remind(t, "past the filing period", e.Archive.RemindUnrecordedPlans, 1)
	e.Close(t)
	e.Open(t, true)
	remind(t, "past the filing period, after a restart", e.Archive.RemindUnrecordedPlans, 0)
	if got := onlyAbout(notificationEvents(t, e, ctx["sam"]), id); !slices.Equal(got, []string{"plan.record_missing " + id, "plan.submitted " + id}) {
		t.Errorf("sam past the filing period: %v", got)
	}
	for _, other := range []*va.Plan{filed, called} {
		for _, who := range []string{"alice", "sam"} {
			for _, ev := range onlyAbout(notificationEvents(t, e, ctx[who]), string(other.ID)) {
				if ev == "plan.record_due "+string(other.ID) || ev == "plan.record_missing "+string(other.ID) {
					t.Errorf("%s was chased about %s: %s", who, other.ID, ev)
				}
			}
		}
	}
}

// onlyAbout keeps the events of evs about object.
func onlyAbout(evs []string, object string) []string {
	return slices.DeleteFunc(evs, func(ev string) bool { return !strings.HasSuffix(ev, " "+object) })
}

// TestReviewReminders: a record left unreviewed for the review period
// reminds its reviewers, and after as long again tells their own
// supervisor (or, with none, the managers); each once per submission,
// restart or not.
func TestReviewReminders(t *testing.T) {
	e := newEnv(t)
	ctx := people(t, e)
	r := mustCreate(t, e.Archive, ctx["alice"], keyForm(2))
	submitted := r.VisitEnd.Add(time.Hour)
	e.Clock.Set(submitted)
	r, err := e.Archive.SubmitRecord(ctx["alice"], r.ID, r.Version)
	if err != nil {
		t.Fatal(err)
	}
	id := string(r.ID)

	remindsAt(t, e, e.Archive.RemindUnreviewed, submitted.Add(48*time.Hour), 1) // the review period
	if got := onlyAbout(notificationEvents(t, e, ctx["sam"]), id); !slices.Equal(got, []string{"record.review_due " + id, "record.submitted " + id}) {
		t.Errorf("sam after the review period: %v", got)
	}
	e.Close(t)
	e.Open(t, true)
	remind(t, "after a restart", e.Archive.RemindUnreviewed, 0)
	remindsAt(t, e, e.Archive.RemindUnreviewed, submitted.Add(96*time.Hour), 1) // twice the review period
	// sam heads his own department: nobody supervises him but management.
	if got := onlyAbout(notificationEvents(t, e, ctx["max"]), id); !slices.Equal(got, []string{"record.review_overdue " + id}) {
		t.Errorf("max after twice the review period: %v", got)
	}

	// Returned and submitted again, the new round is chased anew.
	if r, err = e.Archive.ReturnRecord(ctx["sam"], r.ID, va.ReturnVerdict{Version: r.Version, Comment: "补充"}); err != nil {
		t.Fatal(err)
	}
	if r, err = e.Archive.SubmitRecord(ctx["alice"], r.ID, r.Version); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(submitted.Add(144 * time.Hour))
	remind(t, "the second round", e.Archive.RemindUnreviewed, 1)
	// Reviewed, nothing is chased.
	if _, err = e.Archive.ApproveRecord(ctx["sam"], r.ID, r.Version, ""); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(submitted.Add(400 * time.Hour))
	remind(t, "once approved", e.Archive.RemindUnreviewed, 0)
}

// TestReviewEscalatesToTheReviewersSupervisor: a reviewer whose own
// department someone else heads has that supervisor told.
func TestReviewEscalatesToTheReviewersSupervisor(t *testing.T) {
	e := unopened(t)
	e.adjust(func(c *va.Config) { c.Workflow.ReviewPeriod = time.Hour })
	e.start(t)
	ctx := people(t, e)
	root := as(t, "root")
	for _, u := range []va.User{
		{Name: "rex", Department: "sales2", Roles: []va.Role{va.RoleSupervisor}, Heads: []va.DepartmentID{"sales1"}},
		{Name: "hal", Department: "sales2", Roles: []va.Role{va.RoleSupervisor}, Heads: []va.DepartmentID{"sales2"}},
	} {
		got, err := e.Archive.Accounts().CreateUser(root, u)
		if err != nil {
			t.Fatal(err)
		}
		ctx[string(u.Name)] = va.WithPrincipal(t.Context(), va.PrincipalOf(got))
	}
	r := mustCreate(t, e.Archive, ctx["alice"], keyForm(2))
	e.Clock.Set(r.VisitEnd.Add(time.Hour))
	r, err := e.Archive.SubmitRecord(ctx["alice"], r.ID, r.Version)
	if err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(r.VisitEnd.Add(3 * time.Hour))
	remind(t, "past twice the review period", e.Archive.RemindUnreviewed, 2)
	id := string(r.ID)
	for who, want := range map[string][]string{
		"sam": {"record.review_due " + id, "record.submitted " + id},
		"rex": {"record.review_due " + id, "record.submitted " + id},
		"hal": {"record.review_overdue " + id},
		"max": nil,
	} {
		if got := onlyAbout(notificationEvents(t, e, ctx[who]), id); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", who, got, want)
		}
	}
}

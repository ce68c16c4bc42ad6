package server

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// TestPlanApproval takes a plan from draft to approved by sam with an
// adjustment, and follows it into the inboxes of marketing and service.
func TestPlanApproval(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-02-20T09:00:00+08:00")
	// Server-managed fields are ignored on create.
	res := ts.call("POST", "/api/v1/plans", planBody(t, "acme", "2026-03-01T09:00:00+08:00", func(m map[string]any) {
		m["status"], m["revision"], m["decisions"] = "approved", 4, []map[string]any{{"decision": "approved", "by": "alice"}}
	})).want(t, http.StatusCreated)
	var p visitarchive.Plan
	res.decode(t, &p)
	if p.Status != visitarchive.StatusDraft || p.Version != 1 || p.Revision != 0 || len(p.Decisions) != 0 ||
		p.Department != "sales1" || p.CustomerName != "Acme 贸易有限公司" || p.CreatedBy != "alice" {
		t.Fatalf("created %+v", p)
	}
	path := "/api/v1/plans/" + string(p.ID)
	if got := res.header.Get("Location"); got != path {
		t.Errorf("Location = %q, want %q", got, path)
	}
	// A draft is its author's (and the department head's).
	ts.callAs("bob", "GET", path, "").wantError(t, http.StatusNotFound, "not_found")
	ts.callAs("mia", "GET", path, "").wantError(t, http.StatusNotFound, "not_found")
	ts.callAs("sam", "GET", path, "").want(t, http.StatusOK)

	// A draft is edited in place.
	var edited visitarchive.Plan
	ts.call("PATCH", path, `{"purpose":"present the LX-3021C"}`, "If-Match", `"1"`).want(t, http.StatusOK).decode(t, &edited)
	if edited.Version != 2 || edited.Status != visitarchive.StatusDraft || edited.Purpose != "present the LX-3021C" {
		t.Fatalf("edited %+v", edited)
	}

	// Submitted with the version in If-Match and no body.
	sub := ts.movePlan("alice", &edited, "submit", "")
	if sub.Status != visitarchive.StatusSubmitted || sub.Version != 3 {
		t.Fatalf("submitted %+v", sub)
	}
	if n := ts.notification("sam", visitarchive.EventPlanSubmitted, string(p.ID)); n == nil || n.Read || n.From != "alice" {
		t.Errorf("sam's notification of the submitted plan: %+v", n)
	}

	// Adjusting needs a comment; the adjusted fields are listed.
	adjust := `{"version":3,"adjust":{"location":"Munich","topics":["offer","training"]}}`
	res = ts.callAs("sam", "POST", path+"/approve", adjust).want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"comment"})
	adjust = `{"version":3,"comment":"meet at their Munich office","adjust":{"location":"Munich","topics":["offer","training"],"status":"rejected","version":9}}`
	var ok visitarchive.Plan
	ts.callAs("sam", "POST", path+"/approve", adjust).want(t, http.StatusOK).decode(t, &ok)
	if ok.Status != visitarchive.StatusApproved || ok.Version != 4 || ok.Location != "Munich" ||
		!slices.Equal(ok.Topics, []string{"offer", "training"}) || ok.Purpose != "present the LX-3021C" {
		t.Fatalf("approved %+v", ok)
	}
	if len(ok.Decisions) != 1 {
		t.Fatalf("decisions %+v", ok.Decisions)
	}
	if d := ok.Decisions[0]; d.Decision != visitarchive.StatusApproved || d.By != "sam" || d.Comment != "meet at their Munich office" ||
		!slices.Equal(d.Adjusted, []string{"location", "topics"}) {
		t.Errorf("decision %+v", d)
	}

	// Marketing and service find it unread in their inbox and mark it read.
	for _, who := range []string{"mia", "sid"} {
		n := ts.notification(who, visitarchive.EventPlanApproved, string(p.ID))
		if n == nil || n.Read || n.Kind != visitarchive.KindPlan || n.From != "sam" {
			t.Fatalf("%s: notification of the approved plan %+v", who, n)
		}
		if page := ts.inboxOf(who, "?unread=true"); page.Unread != 1 || page.Total != 1 {
			t.Errorf("%s: unread inbox %+v", who, page)
		}
		ts.callAs(who, "GET", path, "").want(t, http.StatusOK) // released to them
	}
	var marked markedCount
	ts.callAs("mia", "POST", "/api/v1/inbox/"+ts.notification("mia", visitarchive.EventPlanApproved, string(p.ID)).ID+"/read", "").
		want(t, http.StatusOK).decode(t, &marked)
	if marked.Marked != 1 {
		t.Errorf("mia marked %d", marked.Marked)
	}
	ts.callAs("sid", "POST", "/api/v1/inbox/read", `{}`).want(t, http.StatusOK).decode(t, &marked)
	if marked.Marked != 1 {
		t.Errorf("sid marked %d", marked.Marked)
	}
	for _, who := range []string{"mia", "sid"} {
		if n := ts.notification(who, visitarchive.EventPlanApproved, string(p.ID)); n == nil || !n.Read {
			t.Errorf("%s: after marking, %+v", who, n)
		}
		if page := ts.inboxOf(who, "?unread=true"); page.Unread != 0 || page.Total != 0 || len(page.Notifications) != 0 {
			t.Errorf("%s: unread inbox after marking %+v", who, page)
		}
	}
	// The planner hears of the decision.
	if n := ts.notification("alice", visitarchive.EventPlanDecided, string(p.ID)); n == nil {
		t.Error("alice was not told of the decision")
	}
	ts.callAs("bob", "GET", path, "").wantError(t, http.StatusNotFound, "not_found")
	ts.callAs("bob", "POST", path+"/submit", "", "If-Match", "4").wantError(t, http.StatusNotFound, "not_found")
}

// TestMajorPlan: a manager decides a major plan, not the supervisor.
func TestMajorPlan(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-02-20T09:00:00+08:00")
	p := ts.createPlanAs("alice", planBody(t, "acme", "2026-03-01T09:00:00+08:00", func(m map[string]any) { m["major"] = true }))
	p = ts.movePlan("alice", p, "submit", "")
	if n := ts.notification("max", visitarchive.EventPlanSubmitted, string(p.ID)); n == nil {
		t.Error("max was not asked to decide the major plan")
	}
	path := "/api/v1/plans/" + string(p.ID)
	ts.move("sam", path, "approve", p.Version, `{}`).wantError(t, http.StatusForbidden, "forbidden")
	ts.move("sam", path, "reject", p.Version, `{"comment":"no"}`).wantError(t, http.StatusForbidden, "forbidden")
	ts.move("bob", path, "approve", p.Version, `{}`).wantError(t, http.StatusNotFound, "not_found")
	p = ts.movePlan("max", p, "approve", `{"comment":"go"}`)
	if p.Status != visitarchive.StatusApproved || p.Decisions[0].By != "max" {
		t.Errorf("after max: %+v", p)
	}
}

// TestPlanEscalation: a supervisor deciding a plan marks it major and
// sends it up; the decision is kept as a recommendation, and a manager
// decides.
func TestPlanEscalation(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-02-20T09:00:00+08:00")
	p := ts.movePlan("alice", ts.createPlanAs("alice", planBody(t, "acme", "2026-03-01T09:00:00+08:00")), "submit", "")
	path := "/api/v1/plans/" + string(p.ID)
	res := ts.move("sam", path, "approve", p.Version, `{"adjust":{"major":true}}`).want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"comment"})

	up := ts.movePlan("sam", p, "approve", `{"comment":"a big order: the board decides","adjust":{"major":true,"location":"Munich"}}`)
	if up.Status != visitarchive.StatusSubmitted || !up.Major || up.Location != "Munich" || len(up.Decisions) != 1 {
		t.Fatalf("escalated %+v", up)
	}
	if d := up.Decisions[0]; d.Decision != visitarchive.DecisionEscalated || d.Recommends != visitarchive.StatusApproved ||
		d.By != "sam" || !slices.Equal(d.Adjusted, []string{"location", "major"}) {
		t.Errorf("recommendation %+v", d)
	}
	if !ts.notified("max", visitarchive.EventPlanEscalated, string(p.ID), "a big order") {
		t.Error("max was not asked to decide the escalated plan")
	}
	if n := ts.notification("mia", visitarchive.EventPlanApproved, string(p.ID)); n != nil {
		t.Errorf("marketing told of a plan not yet approved: %+v", n)
	}
	ts.move("sam", path, "approve", up.Version, `{"comment":"ok"}`).wantError(t, http.StatusForbidden, "forbidden")
	// A major plan stays major.
	res = ts.move("max", path, "approve", up.Version, `{"comment":"no","adjust":{"major":false}}`).want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"major"})
	ok := ts.movePlan("max", up, "approve", `{"comment":"go"}`)
	if ok.Status != visitarchive.StatusApproved || len(ok.Decisions) != 2 || ok.Decisions[1].By != "max" {
		t.Fatalf("approved by max %+v", ok)
	}
	if n := ts.notification("mia", visitarchive.EventPlanApproved, string(p.ID)); n == nil || n.From != "max" {
		t.Errorf("marketing's notification %+v", n)
	}

	// A rejection is escalated alike, recommending rejection.
	q := ts.movePlan("alice", ts.createPlanAs("alice", planBody(t, "acme", "2026-03-02T09:00:00+08:00")), "submit", "")
	q = ts.movePlan("sam", q, "reject", `{"comment":"too costly","major":true}`)
	if d := q.Decisions[0]; q.Status != visitarchive.StatusSubmitted || !q.Major || d.Decision != visitarchive.DecisionEscalated ||
		d.Recommends != visitarchive.StatusRejected || d.Comment != "too costly" {
		t.Fatalf("rejection escalated %+v", q)
	}
	if q = ts.movePlan("max", q, "reject", `{"comment":"agreed"}`); q.Status != visitarchive.StatusRejected {
		t.Errorf("rejected by max %+v", q)
	}

	// So is a change of an approved plan: the plan stays in force.
	c := ts.movePlanPatch("alice", ok, `{"location":"Berlin","change_reason":"the customer moved it"}`)
	if c.Pending == nil || !c.Pending.Major {
		t.Fatalf("a change of a major plan is major: %+v", c.Pending)
	}
	r := ts.approvedPlan(planBody(t, "acme", "2026-03-03T09:00:00+08:00"))
	r = ts.movePlanPatch("alice", r, `{"location":"Berlin","change_reason":"the customer moved it"}`)
	r = ts.movePlan("sam", r, "approve", `{"comment":"the board should see this","adjust":{"major":true}}`)
	if r.Status != visitarchive.StatusApproved || r.Major || r.Location != "Hamburg" || r.Pending == nil || !r.Pending.Major {
		t.Fatalf("change escalated %+v", r)
	}
	ts.move("sam", "/api/v1/plans/"+string(r.ID), "approve", r.Version, `{"comment":"ok"}`).wantError(t, http.StatusForbidden, "forbidden")
	if r = ts.movePlan("max", r, "approve", `{"comment":"fine"}`); r.Location != "Berlin" || !r.Major || r.Pending != nil {
		t.Errorf("change approved by max %+v", r)
	}
}

// TestPlanChange: a change of an approved plan waits beside it for a
// decision; the approved plan stays in force and visible meanwhile. A
// rejected change leaves the plan as it was; an approved one replaces it
// and reaches marketing and service.
func TestPlanChange(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-02-20T09:00:00+08:00")
	p := ts.approvedPlan(planBody(t, "acme", "2026-03-01T09:00:00+08:00"))
	path := "/api/v1/plans/" + string(p.ID)

	res := ts.call("PATCH", path, `{"location":"Berlin"}`, "If-Match", "3").want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"change_reason"})
	var changed visitarchive.Plan
	ts.call("PATCH", path, `{"location":"Berlin","change_reason":"the customer moved the meeting"}`, "If-Match", "3").
		want(t, http.StatusOK).decode(t, &changed)
	if changed.Status != visitarchive.StatusApproved || changed.Location != "Hamburg" || changed.Revision != 0 || changed.Version != 4 {
		t.Fatalf("changed: the approved plan must stay in force: %+v", changed)
	}
	if c := changed.Pending; c == nil || c.Location != "Berlin" || c.ChangeReason != "the customer moved the meeting" ||
		c.Revision != 1 || c.UpdatedBy != "alice" || c.Status != visitarchive.StatusSubmitted {
		t.Fatalf("pending change %+v", changed.Pending)
	}
	if len(changed.Decisions) != 1 || changed.Decisions[0].Decision != visitarchive.StatusApproved || changed.Decisions[0].By != "sam" {
		t.Errorf("decisions after the change %+v", changed.Decisions)
	}
	if !ts.notified("sam", visitarchive.EventPlanSubmitted, string(p.ID), "the customer moved the meeting") {
		t.Error("sam was not asked to decide the change")
	}
	// Marketing and service still see the approved plan.
	for _, who := range []string{"mia", "sid"} {
		var seen visitarchive.Plan
		ts.callAs(who, "GET", path, "").want(t, http.StatusOK).decode(t, &seen)
		if seen.Location != "Hamburg" || seen.Status != visitarchive.StatusApproved {
			t.Errorf("%s sees %+v", who, seen)
		}
		if got := ts.planIDs(who, "/api/v1/plans?status=approved"); !slices.Equal(got, []visitarchive.PlanID{p.ID}) {
			t.Errorf("%s lists %v", who, got)
		}
	}

	// While the change waits, nothing else changes the plan.
	res = ts.call("PUT", path, planBody(t, "acme", "2026-03-01T09:00:00+08:00"), "If-Match", "4").want(t, http.StatusConflict)
	checkError(t, res, "conflict", "waiting for a decision", nil)
	checkError(t, res, "conflict", "approve, reject, cancel", nil)
	ts.move("sam", path, "approve", 3, `{}`).wantError(t, http.StatusConflict, "conflict") // stale
	res = ts.move("sam", path, "reject", 4, `{}`).want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"comment"})

	// Rejected: the approved plan stands, the proposer hears of it.
	rejected := ts.movePlan("sam", &changed, "reject", `{"comment":"keep Hamburg"}`)
	if rejected.Status != visitarchive.StatusApproved || rejected.Location != "Hamburg" || rejected.Pending != nil ||
		len(rejected.Decisions) != 2 || rejected.Decisions[1].Decision != visitarchive.StatusRejected || rejected.Decisions[1].Revision != 1 {
		t.Fatalf("after the rejected change %+v", rejected)
	}
	if !ts.notified("alice", visitarchive.EventPlanDecided, string(p.ID), "keep Hamburg") {
		t.Error("alice was not told of the rejected change")
	}
	if n := ts.notification("mia", visitarchive.EventPlanChanged, string(p.ID)); n != nil {
		t.Errorf("marketing told of a rejected change: %+v", n)
	}

	// Changed again and approved: the change replaces the plan, and
	// marketing and service are told.
	again := ts.movePlanPatch("alice", rejected, `{"location":"Munich","change_reason":"their Munich office"}`)
	approved := ts.movePlan("sam", again, "approve", `{"comment":"fine"}`)
	if approved.Status != visitarchive.StatusApproved || approved.Location != "Munich" || approved.Pending != nil ||
		approved.Revision != 2 || approved.ChangeReason != "their Munich office" || len(approved.Decisions) != 3 {
		t.Fatalf("after the approved change %+v", approved)
	}
	for _, who := range []string{"mia", "sid"} {
		if !ts.notified(who, visitarchive.EventPlanChanged, string(p.ID), "Munich") {
			t.Errorf("%s was not told of the change", who)
		}
	}

	var h planHistory
	ts.call("GET", path+"/history", "").want(t, http.StatusOK).decode(t, &h)
	var actors []visitarchive.UserName
	for _, v := range h.Versions {
		actors = append(actors, v.Actor)
	}
	if h.ID != p.ID || !slices.Equal(actors, []visitarchive.UserName{"alice", "alice", "sam", "alice", "sam", "alice", "sam"}) {
		t.Errorf("history %+v", h)
	}
	ts.callAs("bob", "GET", path+"/history", "").wantError(t, http.StatusNotFound, "not_found")
}

// TestPlanCancel: the planner or a supervisor cancels an approved plan
// with a reason; everyone who prepared for it is told, and it needs no
// record.
func TestPlanCancel(t *testing.T) {
	ts, clock := newWorkflowServer(t, "2026-02-20T09:00:00+08:00")
	p := ts.approvedPlan(planBody(t, "acme", "2026-03-01T09:00:00+08:00", func(m map[string]any) { m["visitors"] = []string{"alice", "carol"} }))
	other := ts.approvedPlan(planBody(t, "acme", "2026-03-02T09:00:00+08:00"))
	path := "/api/v1/plans/" + string(p.ID)

	ts.callAs("bob", "POST", path+"/cancel", `{"version":3,"reason":"x"}`).wantError(t, http.StatusNotFound, "not_found")
	ts.callAs("mia", "POST", path+"/cancel", `{"version":3,"reason":"x"}`).wantError(t, http.StatusForbidden, "forbidden")
	ts.callAs("carol", "POST", path+"/cancel", `{"version":3,"reason":"x"}`).wantError(t, http.StatusForbidden, "forbidden") // a visitor, not the planner
	res := ts.callAs("alice", "POST", path+"/cancel", `{"version":3}`).want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"reason"})
	ts.callAs("alice", "POST", path+"/cancel", `{"version":3,"reason":"x","comment":"y"}`).wantError(t, http.StatusBadRequest, "bad_request")

	var cancelled visitarchive.Plan
	ts.callAs("alice", "POST", path+"/cancel", `{"version":3,"reason":"the customer called it off"}`).
		want(t, http.StatusOK).decode(t, &cancelled)
	if cancelled.Status != visitarchive.StatusCancelled || cancelled.Version != 4 {
		t.Fatalf("cancelled %+v", cancelled)
	}
	if d := cancelled.Decisions[len(cancelled.Decisions)-1]; d.Decision != visitarchive.StatusCancelled || d.By != "alice" ||
		d.Comment != "the customer called it off" {
		t.Errorf("cancellation %+v", d)
	}
	for _, who := range []string{"mia", "sid", "sam", "carol"} {
		if !ts.notified(who, visitarchive.EventPlanCancelled, string(p.ID), "the customer called it off") {
			t.Errorf("%s was not told of the cancellation", who)
		}
	}
	ts.callAs("mia", "GET", path, "").want(t, http.StatusOK) // what was released stays readable
	res = ts.callAs("alice", "POST", path+"/cancel", `{"version":4,"reason":"again"}`).want(t, http.StatusConflict)
	checkError(t, res, "conflict", "is cancelled", nil)
	if got := ts.planIDs("alice", "/api/v1/plans?status=cancelled"); !slices.Equal(got, []visitarchive.PlanID{p.ID}) {
		t.Errorf("status=cancelled: %v", got)
	}

	// A supervisor cancels too, even with a change waiting.
	changed := ts.movePlanPatch("alice", other, `{"location":"Kiel","change_reason":"moved"}`)
	gone := ts.movePlan("sam", changed, "cancel", `{"reason":"budget"}`)
	if gone.Status != visitarchive.StatusCancelled || gone.Pending != nil {
		t.Errorf("cancelled by sam %+v", gone)
	}

	// After the visits, neither needs a record.
	clock.set(at(t, "2026-03-04T09:00:00+08:00"))
	if got := ts.planIDs("sam", "/api/v1/plans?missing_record=true"); len(got) != 0 {
		t.Errorf("missing_record lists cancelled plans: %v", got)
	}
}

// TestPlanAfterTheFact: a plan submitted once its visit has started is
// accepted but marked after_the_fact, which its decider sees, the list
// filters and counts.
func TestPlanAfterTheFact(t *testing.T) {
	ts, clock := newWorkflowServer(t, "2026-03-01T10:00:00+08:00")
	late := ts.createPlanAs("alice", planBody(t, "acme", "2026-03-01T09:00:00+08:00", func(m map[string]any) { m["after_the_fact"] = false }))
	late = ts.movePlan("alice", late, "submit", "")
	early := ts.createPlanAs("alice", planBody(t, "acme", "2026-03-05T09:00:00+08:00", func(m map[string]any) { m["after_the_fact"] = true }))
	if early.AfterTheFact {
		t.Error("after_the_fact is the server's")
	}
	early = ts.movePlan("alice", early, "submit", "")
	if !late.AfterTheFact || early.AfterTheFact {
		t.Fatalf("after_the_fact: started %v, in advance %v", late.AfterTheFact, early.AfterTheFact)
	}
	if !ts.notified("sam", visitarchive.EventPlanSubmitted, string(late.ID), "after the fact") ||
		ts.notified("sam", visitarchive.EventPlanSubmitted, string(early.ID), "after the fact") {
		t.Error("the notices to the decider do not tell plans made after the fact")
	}
	for q, want := range map[string][]visitarchive.PlanID{
		"after_the_fact=true": {late.ID}, "after_the_fact=false": {early.ID}, "": sorted(late.ID, early.ID),
	} {
		if got := ts.planIDs("sam", "/api/v1/plans?"+q); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", q, got, want)
		}
	}
	var page visitarchive.PlanPage
	ts.callAs("sam", "GET", "/api/v1/plans?size=1", "").want(t, http.StatusOK).decode(t, &page)
	if page.Total != 2 || page.AfterTheFact != 1 {
		t.Errorf("counts: total %d, after the fact %d", page.Total, page.AfterTheFact)
	}
	res := ts.callAs("sam", "GET", "/api/v1/plans?after_the_fact=yes", "").want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"after_the_fact"})

	// A change that moves the visit to a time already begun is after the
	// fact too; one that leaves the start alone is not.
	early = ts.movePlan("sam", early, "approve", `{"comment":"ok"}`)
	clock.set(at(t, "2026-03-05T12:00:00+08:00"))
	c := ts.movePlanPatch("alice", early, `{"location":"Kiel","change_reason":"moved"}`)
	if c.Pending.AfterTheFact {
		t.Error("a change that keeps the start is after the fact")
	}
	c = ts.movePlan("sam", c, "reject", `{"comment":"no"}`)
	c = ts.movePlanPatch("alice", c, `{"visit_start":"2026-03-05T10:00:00+08:00","change_reason":"we went an hour later"}`)
	if !c.Pending.AfterTheFact || c.AfterTheFact {
		t.Errorf("a change into the past: pending %v, plan %v", c.Pending.AfterTheFact, c.AfterTheFact)
	}
	if c = ts.movePlan("sam", c, "approve", `{"comment":"ok"}`); !c.AfterTheFact {
		t.Error("the approved change into the past is not after the fact")
	}
}

func TestPlanList(t *testing.T) {
	ts, clock := newWorkflowServer(t, "2026-02-20T09:00:00+08:00")
	draft := ts.createPlanAs("alice", planBody(t, "beta", "2026-03-05T09:00:00+08:00"))
	early := ts.approvedPlan(planBody(t, "acme", "2026-03-01T09:00:00+08:00"))
	late := ts.approvedPlan(planBody(t, "acme", "2026-03-03T09:00:00+08:00"))
	bobs := ts.createPlanAs("bob", planBody(t, "acme", "2026-03-02T09:00:00+08:00", func(m map[string]any) { m["visitors"] = []string{"bob"} }))

	var page visitarchive.PlanPage
	ts.call("GET", "/api/v1/plans?size=2", "").want(t, http.StatusOK).decode(t, &page)
	if page.Total != 3 || len(page.Plans) != 2 || page.Plans[0].ID != draft.ID || page.Plans[1].ID != late.ID {
		t.Errorf("alice's first page: %d, %v", page.Total, page.Plans)
	}
	for _, tt := range []struct {
		who, query string
		want       []visitarchive.PlanID
	}{
		{"alice", "status=approved", sorted(early.ID, late.ID)},
		{"alice", "status=draft", sorted(draft.ID)},
		{"alice", "customer=beta", sorted(draft.ID)},
		{"alice", "visitor=bob", nil},
		{"sam", "department=sales1", sorted(draft.ID, early.ID, late.ID)},
		{"sue", "", sorted(bobs.ID)},
		{"bob", "", sorted(bobs.ID)},
		{"mia", "", sorted(early.ID, late.ID)},
		{"alice", "missing_record=true", nil}, // no visit has ended yet
	} {
		if got := ts.planIDs(tt.who, "/api/v1/plans?"+tt.query); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %s = %v, want %v", tt.who, tt.query, got, tt.want)
		}
	}

	// Once the visits have ended, the approved plans without a record
	// are missing one, for their department only.
	clock.set(at(t, "2026-03-04T09:00:00+08:00"))
	for who, want := range map[string][]visitarchive.PlanID{
		"alice": sorted(early.ID, late.ID), "sam": sorted(early.ID, late.ID), "sue": nil, "bob": nil,
	} {
		if got := ts.planIDs(who, "/api/v1/plans?missing_record=true"); !slices.Equal(got, want) {
			t.Errorf("%s: missing_record = %v, want %v", who, got, want)
		}
	}
	ts.createRecordAs("alice", form(t, "acme", "2026-03-01T09:00:00+08:00", func(m map[string]any) { m["plan_id"] = early.ID }))
	if got := ts.planIDs("sam", "/api/v1/plans?missing_record=true"); !slices.Equal(got, sorted(late.ID)) {
		t.Errorf("missing_record after a record names %s: %v", early.ID, got)
	}
	if got := ts.planIDs("sam", "/api/v1/plans?missing_record=false&status=approved"); !slices.Equal(got, sorted(early.ID, late.ID)) {
		t.Errorf("missing_record=false: %v", got)
	}

	for _, tt := range []struct {
		query  string
		status int
		field  string
	}{
		{"bogus=1", 400, ""},
		{"status=draft&status=approved", 400, ""},
		{"overdue=true", 400, ""},
		{"status=returned", 422, "status"},
		{"missing_record=yes", 422, "missing_record"},
		{"status=cancelled&after_the_fact=1", 422, "after_the_fact"},
		{"page=0", 422, "page"},
		{"size=x", 422, "size"},
		{"size=101", 422, "size"},
	} {
		res := ts.call("GET", "/api/v1/plans?"+tt.query, "").want(t, tt.status)
		if tt.field != "" {
			checkError(t, res, "invalid", "", []string{tt.field})
		}
	}
}

// TestPlanInput: what plan writes refuse.
func TestPlanInput(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-02-20T09:00:00+08:00")
	res := ts.call("POST", "/api/v1/plans", `{"customer_id":"acme"}`).want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"visit_start", "visit_end", "location", "purpose", "visitors"})
	res = ts.call("POST", "/api/v1/plans", planBody(t, "acme", "2026-03-01T09:00:00+08:00", func(m map[string]any) {
		m["visitors"] = []string{"alice", "nobody"}
	})).want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"visitors[1]"})
	ts.call("POST", "/api/v1/plans", `{"customer_id":"acme","agenda":"x"}`).wantError(t, http.StatusBadRequest, "bad_request")
	ts.callAs("mia", "POST", "/api/v1/plans", planBody(t, "acme", "2026-03-01T09:00:00+08:00")).wantError(t, http.StatusForbidden, "forbidden")

	p := ts.createPlanAs("alice", planBody(t, "acme", "2026-03-01T09:00:00+08:00"))
	path := "/api/v1/plans/" + string(p.ID)
	ts.call("POST", path+"/submit", "").wantError(t, http.StatusUnprocessableEntity, "invalid") // no version
	ts.call("POST", path+"/submit", `{"version":1}`, "If-Match", "2").wantError(t, http.StatusBadRequest, "bad_request")
	ts.call("POST", path+"/submit?force=1", `{"version":1}`).wantError(t, http.StatusBadRequest, "bad_request")
	ts.call("POST", "/api/v1/plans/P404/submit", `{"version":1}`).wantError(t, http.StatusNotFound, "not_found")
	// A draft is not sam's to approve yet: the state answers before the
	// body is read.
	ts.callAs("sam", "POST", path+"/approve", `{"version":1,"adjust":{"visit_start":"soon"}}`).wantError(t, http.StatusConflict, "conflict")
	// Approving a draft: the state says no, naming what it allows.
	res = ts.callAs("sam", "POST", path+"/approve", `{"version":1}`).want(t, http.StatusConflict)
	if e := res.apiError(t); !strings.Contains(e.Message, "is draft") || !strings.Contains(e.Message, "update, submit") {
		t.Errorf("approve a draft: %s", e.Message)
	}
	// Submitted, it is: then the body is read.
	ts.movePlan("alice", p, "submit", "")
	res = ts.callAs("sam", "POST", path+"/approve", `{"version":2,"adjust":{"visit_start":"soon"}}`).want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"adjust.visit_start"})
}

package server

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

// testClock is the clock tests set and move: deadlines, lateness,
// overdue lists and credential lifetimes follow it, not the wall clock.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// at parses an RFC 3339 time of the fixtures.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// newWorkflowServer is a test server whose Archive runs on a clock set to
// now, with the customers acme (key, machinery) and beta (regular,
// textiles).
func newWorkflowServer(t *testing.T, now string) (*testServer, *testClock) {
	t.Helper()
	clock := &testClock{now: at(t, now)}
	ts := newTestServerWith(t, func(c *visitarchive.Config) { c.Now = clock.Now })
	ts.createCustomer(customerJSON)
	ts.createCustomer(`{"id":"beta","name":"Beta GmbH","customer_type":"regular","business_area":"textiles","country":"FR"}`)
	return ts, clock
}

// draftsServer is newWorkflowServer on 10 March 2026 with a draft record
// and a draft plan of alice's, of a visit to acme on 1 March at 09:00 in
// Shanghai (draftStart), and the paths of the two.
func draftsServer(t *testing.T) (ts *testServer, record, plan string) {
	t.Helper()
	ts, _ = newWorkflowServer(t, "2026-03-10T09:00:00+08:00")
	r := ts.createRecordAs("alice", form(t, "acme", draftStart))
	p := ts.createPlanAs("alice", planBody(t, "acme", draftStart))
	return ts, "/api/v1/records/" + string(r.ID), "/api/v1/plans/" + string(p.ID)
}

// draftStart is when the visit of draftsServer's record and plan starts.
const draftStart = "2026-03-01T09:00:00+08:00"

// form returns a record body for customer with every field the form of a
// key customer needs, for a two-hour visit from start; set changes it.
func form(t *testing.T, customer, start string, set ...func(map[string]any)) string {
	t.Helper()
	s := at(t, start)
	m := map[string]any{
		"customer_id": customer, "visit_start": s, "visit_end": s.Add(2 * time.Hour),
		"location": "Hamburg", "visitors": []string{"alice"}, "department": "sales1",
		"contact_name": "Hans", "topic": "LX-3021B 报价", "summary": "讨论了 LX-3021B 数据中心 方案",
		"cooperation_intent": "high", "follow_up": "send the offer",
		"onsite_notes":   "toured the plant",
		"decision_chain": []visitarchive.DecisionMaker{{Name: "李总", Role: "CEO", Attitude: "support"}},
	}
	for _, f := range set {
		f(m)
	}
	return mustJSON(t, m)
}

// planBody returns a plan body for customer, a two-hour visit from start.
func planBody(t *testing.T, customer, start string, set ...func(map[string]any)) string {
	t.Helper()
	s := at(t, start)
	m := map[string]any{
		"customer_id": customer, "visit_start": s, "visit_end": s.Add(2 * time.Hour),
		"location": "Hamburg", "purpose": "present the LX-3021B", "topics": []string{"offer", "delivery"},
		"visitors": []string{"alice"},
	}
	for _, f := range set {
		f(m)
	}
	return mustJSON(t, m)
}

// move makes workflow move m on the record or plan at path (such as
// /api/v1/records/R1) as who, naming version in If-Match.
func (ts *testServer) move(who, path, m string, version int, body string) *result {
	ts.t.Helper()
	return ts.callAs(who, "POST", path+"/"+m, body, "If-Match", strconv.Itoa(version))
}

// moveRecord makes a move that must succeed and returns the record.
func (ts *testServer) moveRecord(who string, r *visitarchive.Record, m, body string) *visitarchive.Record {
	ts.t.Helper()
	var got visitarchive.Record
	res := ts.move(who, "/api/v1/records/"+string(r.ID), m, r.Version, body).want(ts.t, http.StatusOK)
	res.decode(ts.t, &got)
	if got.Version != r.Version+1 || res.header.Get("ETag") != etag(got.Version) {
		ts.t.Fatalf("%s by %s: version %d (ETag %s) after %d", m, who, got.Version, res.header.Get("ETag"), r.Version)
	}
	return &got
}

// movePlan makes a plan move that must succeed and returns the plan.
func (ts *testServer) movePlan(who string, p *visitarchive.Plan, m, body string) *visitarchive.Plan {
	ts.t.Helper()
	var got visitarchive.Plan
	ts.move(who, "/api/v1/plans/"+string(p.ID), m, p.Version, body).want(ts.t, http.StatusOK).decode(ts.t, &got)
	return &got
}

// createPlanAs creates a plan as who.
func (ts *testServer) createPlanAs(who, body string) *visitarchive.Plan {
	ts.t.Helper()
	var p visitarchive.Plan
	ts.callAs(who, "POST", "/api/v1/plans", body).want(ts.t, http.StatusCreated).decode(ts.t, &p)
	return &p
}

// approvedPlan creates a plan as alice, submits it and has sam approve it.
func (ts *testServer) approvedPlan(body string) *visitarchive.Plan {
	ts.t.Helper()
	p := ts.createPlanAs("alice", body)
	p = ts.movePlan("alice", p, "submit", "")
	return ts.movePlan("sam", p, "approve", `{"comment":"ok"}`)
}

// approvedRecord files a record as alice, submits it and has sam approve
// it.
func (ts *testServer) approvedRecord(body string) *visitarchive.Record {
	ts.t.Helper()
	r := ts.createRecordAs("alice", body)
	r = ts.moveRecord("alice", r, "submit", "")
	return ts.moveRecord("sam", r, "approve", `{"comment":"complete"}`)
}

// recordIDs lists the ids of GET path as who, sorted.
func (ts *testServer) recordIDs(who, path string) []visitarchive.RecordID {
	ts.t.Helper()
	var page visitarchive.RecordPage
	ts.callAs(who, "GET", path, "").want(ts.t, http.StatusOK).decode(ts.t, &page)
	var ids []visitarchive.RecordID
	for _, r := range page.Records {
		ids = append(ids, r.ID)
	}
	if int(page.Total) != len(ids) {
		ts.t.Fatalf("%s as %s: total %d, %d records", path, who, page.Total, len(ids))
	}
	slices.Sort(ids)
	return ids
}

// planIDs lists the ids of GET path as who, sorted.
func (ts *testServer) planIDs(who, path string) []visitarchive.PlanID {
	ts.t.Helper()
	var page visitarchive.PlanPage
	ts.callAs(who, "GET", path, "").want(ts.t, http.StatusOK).decode(ts.t, &page)
	var ids []visitarchive.PlanID
	for _, p := range page.Plans {
		ids = append(ids, p.ID)
	}
	slices.Sort(ids)
	return ids
}

// inboxOf returns the inbox of who, with the query q (such as
// "?unread=true").
func (ts *testServer) inboxOf(who, q string) *visitarchive.InboxPage {
	ts.t.Helper()
	var page visitarchive.InboxPage
	ts.callAs(who, "GET", "/api/v1/inbox"+q, "").want(ts.t, http.StatusOK).decode(ts.t, &page)
	return &page
}

// notification returns the notification of event about object in the
// inbox of who, or nil.
func (ts *testServer) notification(who, event, object string) *visitarchive.Notification {
	ts.t.Helper()
	for _, n := range ts.inboxOf(who, "?size=100").Notifications {
		if n.Event == event && n.Object == object {
			return n
		}
	}
	return nil
}

// notified reports whether who has a notification of event about object
// whose message holds text.
func (ts *testServer) notified(who, event, object, text string) bool {
	ts.t.Helper()
	for _, n := range ts.inboxOf(who, "?size=100").Notifications {
		if n.Event == event && n.Object == object && strings.Contains(n.Message, text) {
			return true
		}
	}
	return false
}

func sorted[T ~string](v ...T) []T {
	slices.Sort(v)
	return v
}

// movePlanPatch changes plan p with a PATCH as who, which must succeed,
// and returns the plan.
func (ts *testServer) movePlanPatch(who string, p *visitarchive.Plan, patch string) *visitarchive.Plan {
	ts.t.Helper()
	var got visitarchive.Plan
	ts.callAs(who, "PATCH", "/api/v1/plans/"+string(p.ID), patch, "If-Match", strconv.Itoa(p.Version)).
		want(ts.t, http.StatusOK).decode(ts.t, &got)
	return &got
}

package server

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
)

// TestRecordWorkflow takes a record of a key customer from draft through
// a return for correction to approval and archiving, over HTTP.
func TestRecordWorkflow(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-03-01T12:00:00+08:00")
	incomplete := form(t, "acme", "2026-03-01T09:00:00+08:00", func(m map[string]any) {
		delete(m, "onsite_notes")
		delete(m, "decision_chain")
	})
	r := ts.createRecordAs("alice", incomplete)
	path := "/api/v1/records/" + string(r.ID)
	if want := at(t, "2026-03-02T11:00:00+08:00"); !r.DueAt.Equal(want) || r.Rounds != 0 || r.Late {
		t.Fatalf("new record: due_at %v (want %v), rounds %d, late %v", r.DueAt, want, r.Rounds, r.Late)
	}

	// The form of a key customer needs the onsite notes and the chain.
	res := ts.move("alice", path, "submit", r.Version, "").want(t, http.StatusUnprocessableEntity)
	if got := fieldNames(res.apiError(t)); !slices.Equal(got, []string{"decision_chain", "onsite_notes"}) {
		t.Errorf("incomplete submit names %v", got)
	}
	var fixed visitarchive.Record
	ts.call("PATCH", path, `{"onsite_notes":"toured the plant","decision_chain":[{"name":"李总","role":"CEO","attitude":"support"}]}`,
		"If-Match", "1").want(t, http.StatusOK).decode(t, &fixed)

	// Moves that the state does not allow name the state and what it does.
	res = ts.move("sam", path, "approve", fixed.Version, "").want(t, http.StatusConflict)
	checkError(t, res, "conflict", "is draft", nil)
	checkError(t, res, "conflict", "Allowed: update, submit", nil)
	ts.move("ann", path, "archive", fixed.Version, "").wantError(t, http.StatusNotFound, "not_found") // a draft is not hers to see
	// A stale version is a conflict.
	ts.move("alice", path, "submit", 1, "").wantError(t, http.StatusConflict, "conflict")

	sub := ts.moveRecord("alice", &fixed, "submit", `{"version":2}`)
	if sub.Status != visitarchive.StatusSubmitted || sub.Rounds != 1 || sub.Late || sub.SubmittedAt.IsZero() {
		t.Fatalf("submitted %+v", sub.Workflow)
	}
	if n := ts.notification("sam", visitarchive.EventRecordSubmitted, string(r.ID)); n == nil {
		t.Error("sam was not asked to review")
	}
	ts.call("PATCH", path, `{"topic":"x"}`, "If-Match", "3").wantError(t, http.StatusConflict, "conflict")
	ts.move("alice", path, "approve", 3, `{}`).wantError(t, http.StatusForbidden, "forbidden")
	ts.move("sue", path, "approve", 3, `{}`).wantError(t, http.StatusNotFound, "not_found")

	// Returned with comments, overall and per field.
	res = ts.move("sam", path, "return", 3, `{"fields":{"summary":"name the models","mood":"?"}}`).want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"comment", "fields.mood"})
	res = ts.move("sam", path, "return", 3, `{"comment":"x","fields":{"summary":5}}`).want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"fields.summary"})
	ret := ts.moveRecord("sam", sub, "return", `{"comment":"incomplete","fields":{"summary":"name the models"}}`)
	if ret.Status != visitarchive.StatusReturned || len(ret.Reviews) != 1 {
		t.Fatalf("returned %+v", ret.Workflow)
	}
	if rv := ret.Reviews[0]; rv.Round != 1 || rv.Decision != visitarchive.StatusReturned || rv.Reviewer != "sam" ||
		rv.Comment != "incomplete" || rv.Fields["summary"] != "name the models" {
		t.Errorf("review %+v", rv)
	}
	if n := ts.notification("alice", visitarchive.EventRecordReturned, string(r.ID)); n == nil || !strings.Contains(n.Message, "incomplete") {
		t.Errorf("alice's notice of the return: %+v", n)
	}

	// Corrected: the workflow fields of the body are the server's, and
	// an edit that sets them is refused, naming each.
	res = ts.call("PATCH", path, `{"summary":"LX-3021B and LX-3021C","rounds":9,"late":true,"reviewer":"alice","reference_code":"X-1","reviews":[],"annotations":[{"id":"A1","reason":"r","text":"t"}]}`,
		"If-Match", "4").want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "/submit", []string{"annotations", "late", "reference_code", "reviewer", "reviews", "rounds"})
	var corrected visitarchive.Record
	ts.call("PATCH", path, `{"summary":"LX-3021B and LX-3021C","rounds":1}`, "If-Match", "4").want(t, http.StatusOK).decode(t, &corrected)
	if corrected.Rounds != 1 || corrected.Late || corrected.Reviewer != "" || corrected.ReferenceCode != "" ||
		len(corrected.Reviews) != 1 || len(corrected.Annotations) != 0 || corrected.Status != visitarchive.StatusReturned {
		t.Fatalf("corrected %+v", corrected)
	}
	again := ts.moveRecord("alice", &corrected, "submit", "")
	if again.Rounds != 2 || again.Status != visitarchive.StatusSubmitted || !again.SubmittedAt.Equal(sub.SubmittedAt) {
		t.Fatalf("resubmitted %+v", again.Workflow)
	}
	ok := ts.moveRecord("sam", again, "approve", `{"comment":"complete now"}`)
	if ok.Status != visitarchive.StatusApproved || ok.Reviewer != "sam" || ok.ApprovedAt.IsZero() || len(ok.Reviews) != 2 || ok.Reviews[1].Round != 2 {
		t.Fatalf("approved %+v", ok.Workflow)
	}
	ts.call("PUT", path, form(t, "acme", "2026-03-01T09:00:00+08:00"), "If-Match", "7").wantError(t, http.StatusConflict, "conflict")
	ts.move("alice", path, "archive", 7, `{}`).wantError(t, http.StatusForbidden, "forbidden")
	res = ts.move("ann", path, "archive", 7, `{"paper_location":{"cabinet":"C1"}}`).want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"paper_location.shelf", "paper_location.box"})

	arc := ts.moveRecord("ann", ok, "archive", `{"paper_location":{"cabinet":"C1","shelf":"S2","box":"B3"}}`)
	if arc.Status != visitarchive.StatusArchived || arc.ArchivedBy != "ann" || arc.Retention != visitarchive.RetainD30 ||
		arc.Class == nil || *arc.Class != (visitarchive.Class{CustomerType: "key", BusinessArea: "machinery", Year: 2026}) ||
		arc.PaperLocation == nil || arc.PaperLocation.Box != "B3" {
		t.Fatalf("archived %+v", arc.Workflow)
	}
	if !regexp.MustCompile(`^F001-KF·\d{4}-(D10|D30|Y)-[A-Z0-9]+-\d{4}$`).MatchString(arc.ReferenceCode) ||
		arc.ReferenceCode != "F001-KF·2026-D30-MACHINERY-0001" {
		t.Errorf("reference code %q", arc.ReferenceCode)
	}

	// Archived: never changed, only annotated.
	res = ts.call("PUT", path, form(t, "acme", "2026-03-01T09:00:00+08:00"), "If-Match", "8").want(t, http.StatusConflict)
	checkError(t, res, "conflict", "is archived", nil)
	checkError(t, res, "conflict", "Allowed: annotate", nil)
	ts.move("ann", path, "archive", 8, `{}`).wantError(t, http.StatusConflict, "conflict")
	var h recordHistory
	ts.call("GET", path+"/history", "").want(t, http.StatusOK).decode(t, &h)
	if len(h.Versions) != 8 {
		t.Errorf("history has %d versions, want 8", len(h.Versions))
	}
}

// TestAnnotations: corrections of an archived record.
func TestAnnotations(t *testing.T) {
	ts, clock := newWorkflowServer(t, "2026-03-01T12:00:00+08:00")
	draft := ts.createRecordAs("alice", form(t, "beta", "2026-03-01T09:00:00+08:00"))
	ts.call("POST", "/api/v1/records/"+string(draft.ID)+"/annotations", `{"reason":"typo","text":"x"}`).
		wantError(t, http.StatusConflict, "conflict")
	var none annotationList
	ts.call("GET", "/api/v1/records/"+string(draft.ID)+"/annotations", "").want(t, http.StatusOK).decode(t, &none)
	if none.Record != draft.ID || none.Annotations == nil || len(none.Annotations) != 0 {
		t.Errorf("annotations of a draft: %+v", none)
	}

	r := ts.approvedRecord(form(t, "beta", "2026-03-01T09:00:00+08:00"))
	r = ts.moveRecord("ann", r, "archive", "")
	if r.PaperLocation != nil || r.ReferenceCode != "F001-KF·2026-D10-TEXTILES-0001" {
		t.Fatalf("archived without paper: %+v", r.Workflow)
	}
	path := "/api/v1/records/" + string(r.ID) + "/annotations"
	res := ts.call("POST", path, `{"field":"mood","reason":""}`).want(t, http.StatusUnprocessableEntity)
	checkError(t, res, "invalid", "", []string{"field", "reason", "text"})
	ts.call("POST", path, `{"reason":"r","text":"t","author":"sam"}`).wantError(t, http.StatusBadRequest, "bad_request")
	ts.callAs("mia", "POST", path, `{"reason":"r","text":"t"}`).wantError(t, http.StatusForbidden, "forbidden")
	ts.callAs("bob", "POST", path, `{"reason":"r","text":"t"}`).wantError(t, http.StatusNotFound, "not_found")

	var n visitarchive.Annotation
	ts.call("POST", path, `{"field":"summary","reason":"the model was misread","text":"LX-3021C, not LX-3021B"}`).
		want(t, http.StatusCreated).decode(t, &n)
	if n.ID == "" || n.Record != r.ID || n.Author != "alice" || n.Field != "summary" || n.Time.IsZero() {
		t.Errorf("annotation %+v", n)
	}
	clock.advance(time.Minute)
	ts.callAs("ann", "POST", path, `{"reason":"paper copy has a second page","text":"see box B3"}`).want(t, http.StatusCreated)

	var list annotationList
	ts.callAs("aud", "GET", path, "").want(t, http.StatusOK).decode(t, &list)
	if len(list.Annotations) != 2 || list.Annotations[0].ID != n.ID || list.Annotations[1].Author != "ann" {
		t.Errorf("annotations %+v", list)
	}
	var got visitarchive.Record
	ts.call("GET", "/api/v1/records/"+string(r.ID), "").want(t, http.StatusOK).decode(t, &got)
	if len(got.Annotations) != 2 || got.Version != r.Version || got.Summary != r.Summary {
		t.Errorf("record with annotations: version %d, %+v", got.Version, got.Annotations)
	}
	ts.callAs("bob", "GET", path, "").wantError(t, http.StatusNotFound, "not_found")
}

// TestReviewOwnRecord: a supervisor who files visits does not review
// their own.
func TestReviewOwnRecord(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-03-01T12:00:00+08:00")
	ts.patchUser("root", "sam", `{"roles":["supervisor","employee"]}`).want(t, http.StatusOK)
	r := ts.createRecordAs("sam", form(t, "acme", "2026-03-01T09:00:00+08:00", func(m map[string]any) { m["visitors"] = []string{"sam"} }))
	r = ts.moveRecord("sam", r, "submit", "")
	path := "/api/v1/records/" + string(r.ID)
	res := ts.move("sam", path, "approve", r.Version, `{}`).want(t, http.StatusForbidden)
	checkError(t, res, "forbidden", "another supervisor", nil)
	ts.move("sam", path, "return", r.Version, `{"comment":"self-doubt"}`).wantError(t, http.StatusForbidden, "forbidden")
}

// TestFilingDeadline is the 24-hour rule on an injected clock: overdue
// drafts are listed for the supervisor of their department, a late
// submission is marked with its delay.
func TestFilingDeadline(t *testing.T) {
	ts, clock := newWorkflowServer(t, "2026-03-01T12:00:00+08:00")
	a := ts.createRecordAs("alice", form(t, "acme", "2026-03-01T09:00:00+08:00"))
	b := ts.createRecordAs("alice", form(t, "beta", "2026-03-01T09:00:00+08:00"))
	c := ts.createRecordAs("alice", form(t, "beta", "2026-03-01T09:00:00+08:00"))
	c = ts.moveRecord("alice", c, "submit", "")
	for _, who := range []string{"sam", "alice"} {
		if got := ts.recordIDs(who, "/api/v1/records?overdue=true"); len(got) != 0 {
			t.Errorf("%s: overdue before the deadline: %v", who, got)
		}
	}

	// Six hours past the deadline (11:00 the next day).
	clock.set(at(t, "2026-03-02T17:00:00+08:00"))
	for who, want := range map[string][]visitarchive.RecordID{
		"sam": sorted(a.ID, b.ID), "alice": sorted(a.ID, b.ID), "aud": sorted(a.ID, b.ID), "sue": nil, "bob": nil,
	} {
		if got := ts.recordIDs(who, "/api/v1/records?overdue=true"); !slices.Equal(got, want) {
			t.Errorf("%s: overdue = %v, want %v", who, got, want)
		}
	}
	if got := ts.recordIDs("sam", "/api/v1/records?overdue=false"); !slices.Equal(got, sorted(a.ID, b.ID, c.ID)) {
		t.Errorf("overdue=false = %v", got)
	}
	late := ts.moveRecord("alice", a, "submit", "")
	if !late.Late || late.DelaySeconds != int64(6*time.Hour/time.Second) || !late.SubmittedAt.Equal(clock.Now()) {
		t.Errorf("late submission: %+v", late.Workflow)
	}
	if got := ts.recordIDs("sam", "/api/v1/records?overdue=true"); !slices.Equal(got, sorted(b.ID)) {
		t.Errorf("overdue after the late submission = %v", got)
	}
	if got := ts.recordIDs("sam", "/api/v1/records?late=true"); !slices.Equal(got, sorted(a.ID)) {
		t.Errorf("late=true = %v", got)
	}
	if got := ts.recordIDs("sam", "/api/v1/records?late=false&status=submitted"); !slices.Equal(got, sorted(c.ID)) {
		t.Errorf("late=false&status=submitted = %v", got)
	}

	// The search counts them in its facets.
	var res visitarchive.SearchResult
	ts.callAs("sam", "GET", "/api/v1/search?q=LX-3021B", "").want(t, http.StatusOK).decode(t, &res)
	if res.Total != 3 {
		t.Fatalf("search total %d", res.Total)
	}
	want := map[string][]visitarchive.FacetCount{
		"overdue": {{Value: "true", Count: 1}},
		"late":    {{Value: "false", Count: 1}, {Value: "true", Count: 1}}, // the draft is neither
		"status":  {{Value: "submitted", Count: 2}, {Value: "draft", Count: 1}},
	}
	for name, counts := range want {
		got := slices.Clone(res.Facets[name])
		slices.SortFunc(got, func(x, y visitarchive.FacetCount) int { return strings.Compare(x.Value, y.Value) })
		slices.SortFunc(counts, func(x, y visitarchive.FacetCount) int { return strings.Compare(x.Value, y.Value) })
		if !slices.Equal(got, counts) {
			t.Errorf("facet %s = %v, want %v", name, res.Facets[name], counts)
		}
	}
	var only visitarchive.SearchResult
	ts.callAs("sam", "GET", "/api/v1/search?overdue=true", "").want(t, http.StatusOK).decode(t, &only)
	if only.Total != 1 || only.Hits[0].ID != b.ID {
		t.Errorf("search overdue=true: %+v", only)
	}
}

// TestDeadlineNeverMovesLater: the 24-hour rule cannot be dodged by
// editing the visit times: due_at only ever moves earlier, and every
// change of the visit times is kept on the record for the reviewer.
func TestDeadlineNeverMovesLater(t *testing.T) {
	ts, clock := newWorkflowServer(t, "2026-03-01T12:00:00+08:00")
	r := ts.createRecordAs("alice", form(t, "acme", "2026-03-01T09:00:00+08:00"))
	due := at(t, "2026-03-02T11:00:00+08:00")
	if !r.DueAt.Equal(due) {
		t.Fatalf("due at %v", r.DueAt)
	}
	path := "/api/v1/records/" + string(r.ID)

	// Past the deadline, the visit is moved a day later: due_at stays.
	clock.set(at(t, "2026-03-02T17:00:00+08:00"))
	var moved visitarchive.Record
	ts.call("PATCH", path, `{"visit_start":"2026-03-02T09:00:00+08:00","visit_end":"2026-03-02T11:00:00+08:00"}`, "If-Match", "1").
		want(t, http.StatusOK).decode(t, &moved)
	if !moved.DueAt.Equal(due) {
		t.Errorf("due at %v after moving the visit later, want %v", moved.DueAt, due)
	}
	if len(moved.VisitChanges) != 1 {
		t.Fatalf("visit changes %+v", moved.VisitChanges)
	}
	if c := moved.VisitChanges[0]; !c.FromStart.Equal(at(t, "2026-03-01T09:00:00+08:00")) || !c.FromEnd.Equal(at(t, "2026-03-01T11:00:00+08:00")) ||
		!c.ToStart.Equal(at(t, "2026-03-02T09:00:00+08:00")) || !c.ToEnd.Equal(at(t, "2026-03-02T11:00:00+08:00")) ||
		c.By != "alice" || !c.Time.Equal(clock.Now()) {
		t.Errorf("visit change %+v", c)
	}
	// An edit that keeps the times adds nothing.
	ts.call("PATCH", path, `{"summary":"更正"}`, "If-Match", "2").want(t, http.StatusOK).decode(t, &moved)
	if len(moved.VisitChanges) != 1 {
		t.Errorf("visit changes after an edit of the summary: %+v", moved.VisitChanges)
	}
	sub := ts.moveRecord("alice", &moved, "submit", "")
	if !sub.Late || sub.DelaySeconds != int64(6*time.Hour/time.Second) || len(sub.VisitChanges) != 1 {
		t.Errorf("submitted: late %v, delay %d, changes %d", sub.Late, sub.DelaySeconds, len(sub.VisitChanges))
	}
	if !ts.notified("sam", visitarchive.EventRecordSubmitted, string(r.ID), "visit times changed 1") {
		t.Error("the reviewer's notice does not say the visit times changed")
	}

	// Moved earlier, the deadline follows; and a record submitted on
	// time, returned, and moved earlier than its deadline allowed turns
	// late.
	clock.set(at(t, "2026-03-05T12:00:00+08:00"))
	e := ts.createRecordAs("alice", form(t, "acme", "2026-03-05T09:00:00+08:00"))
	e = ts.moveRecord("alice", e, "submit", "")
	e = ts.moveRecord("sam", e, "return", `{"comment":"check the date"}`)
	ts.call("PATCH", "/api/v1/records/"+string(e.ID), `{"visit_start":"2026-03-03T09:00:00+08:00","visit_end":"2026-03-03T11:00:00+08:00"}`,
		"If-Match", strconv.Itoa(e.Version)).want(t, http.StatusOK).decode(t, &moved)
	if want := at(t, "2026-03-04T11:00:00+08:00"); !moved.DueAt.Equal(want) || !moved.Late || moved.DelaySeconds != int64(25*time.Hour/time.Second) {
		t.Errorf("moved earlier: due %v late %v delay %d", moved.DueAt, moved.Late, moved.DelaySeconds)
	}
}

// TestRecordWithinItsPlan: a record linked to a plan must lie within the
// plan's window, give or take the tolerance (2 h by default), checked at
// submission.
func TestRecordWithinItsPlan(t *testing.T) {
	ts, clock := newWorkflowServer(t, "2026-02-20T12:00:00+08:00")
	p := ts.approvedPlan(planBody(t, "acme", "2026-03-01T09:00:00+08:00")) // 09:00 to 11:00
	ts.callAs("alice", "PATCH", "/api/v1/plans/"+string(p.ID), `{"visit_start":"2026-03-09T09:00:00+08:00","visit_end":"2026-03-09T11:00:00+08:00","change_reason":"maybe later"}`,
		"If-Match", strconv.Itoa(p.Version)).want(t, http.StatusOK) // pending: the approved window counts
	clock.set(at(t, "2026-03-01T16:00:00+08:00"))
	for _, tc := range []struct {
		start, end string
		fields     []string
	}{
		{"2026-03-01T07:00:00+08:00", "2026-03-01T13:00:00+08:00", nil},
		{"2026-03-01T10:00:00+08:00", "2026-03-01T12:30:00+08:00", nil},
		{"2026-03-01T06:59:00+08:00", "2026-03-01T08:00:00+08:00", []string{"visit_start"}},
		{"2026-03-01T12:00:00+08:00", "2026-03-01T13:01:00+08:00", []string{"visit_end"}},
		{"2026-02-28T09:00:00+08:00", "2026-03-01T15:00:00+08:00", []string{"visit_end", "visit_start"}},
	} {
		r := ts.createRecordAs("alice", form(t, "acme", tc.start, func(m map[string]any) {
			m["plan_id"], m["visit_end"] = p.ID, at(t, tc.end)
		}))
		res := ts.move("alice", "/api/v1/records/"+string(r.ID), "submit", r.Version, "")
		if tc.fields == nil {
			res.want(t, http.StatusOK)
			continue
		}
		res.want(t, http.StatusUnprocessableEntity)
		if got := sorted(fieldNames(res.apiError(t))...); !slices.Equal(got, tc.fields) {
			t.Errorf("%s to %s: fields %v, want %v", tc.start, tc.end, got, tc.fields)
		}
	}
}

// TestWorkflowFilters: listing and search select by status, reviewer,
// reference code, retention and plan, exactly.
func TestWorkflowFilters(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-03-01T12:00:00+08:00")
	plan := ts.approvedPlan(planBody(t, "acme", "2026-03-01T09:00:00+08:00"))
	a := ts.approvedRecord(form(t, "acme", "2026-03-01T09:00:00+08:00", func(m map[string]any) { m["plan_id"] = plan.ID }))
	a = ts.moveRecord("ann", a, "archive", "")
	b := ts.approvedRecord(form(t, "beta", "2026-03-01T09:00:00+08:00"))
	b = ts.moveRecord("ann", b, "archive", "")
	c := ts.approvedRecord(form(t, "beta", "2026-03-01T09:00:00+08:00"))
	d := ts.createRecordAs("alice", form(t, "beta", "2026-03-01T09:00:00+08:00"))
	if a.ReferenceCode != "F001-KF·2026-D30-MACHINERY-0001" || b.ReferenceCode != "F001-KF·2026-D10-TEXTILES-0001" {
		t.Fatalf("reference codes %q, %q", a.ReferenceCode, b.ReferenceCode)
	}

	for _, tt := range []struct {
		query string
		want  []visitarchive.RecordID
	}{
		{"status=archived", sorted(a.ID, b.ID)},
		{"status=approved", sorted(c.ID)},
		{"status=draft", sorted(d.ID)},
		{"reviewer=sam", sorted(a.ID, b.ID, c.ID)},
		{"reviewer=sue", nil},
		{"reference_code=" + a.ReferenceCode, sorted(a.ID)},
		{"retention=D30", sorted(a.ID)},
		{"retention=D10", sorted(b.ID)},
		{"retention=Y", nil},
		{"plan=" + string(plan.ID), sorted(a.ID)},
		{"late=false&status=archived&retention=D10", sorted(b.ID)},
	} {
		q := strings.ReplaceAll(tt.query, "·", "%C2%B7")
		if got := ts.recordIDs("sam", "/api/v1/records?"+q); !slices.Equal(got, tt.want) {
			t.Errorf("records?%s = %v, want %v", tt.query, got, tt.want)
		}
		var res visitarchive.SearchResult
		ts.callAs("aud", "GET", "/api/v1/search?size=100&"+q, "").want(t, http.StatusOK).decode(t, &res)
		var got []visitarchive.RecordID
		for _, h := range res.Hits {
			got = append(got, h.ID)
		}
		if slices.Sort(got); !slices.Equal(got, tt.want) {
			t.Errorf("search?%s = %v, want %v", tt.query, got, tt.want)
		}
	}

	var res visitarchive.SearchResult
	ts.callAs("aud", "GET", "/api/v1/search", "").want(t, http.StatusOK).decode(t, &res)
	for name, want := range map[string]string{
		"reviewer": "sam=3", "retention": "D10=1 D30=1", "late": "false=3", // the draft is neither
	} {
		var got []string
		for _, fc := range res.Facets[name] {
			got = append(got, fmt.Sprintf("%s=%d", fc.Value, fc.Count))
		}
		slices.Sort(got)
		if strings.Join(got, " ") != want {
			t.Errorf("facet %s = %v, want %s", name, got, want)
		}
	}

	for _, path := range []string{"/api/v1/records", "/api/v1/search"} {
		for _, tt := range []struct{ query, field string }{
			{"status=closed", "status"},
			{"late=maybe", "late"},
			{"overdue=1", "overdue"},
			{"retention=D20", "retention"},
		} {
			res := ts.callAs("sam", "GET", path+"?"+tt.query, "").want(t, http.StatusUnprocessableEntity)
			checkError(t, res, "invalid", "", []string{tt.field})
		}
	}
	ts.call("GET", "/api/v1/export/records?overdue=true", "").wantError(t, http.StatusBadRequest, "bad_request")
}

// TestMoveInput: every new POST, made by someone who may make it, refuses
// malformed JSON and unknown fields with 400, and the wrong content type
// with 415, before anything happens. (Someone who may not gets 403 or 404
// whatever they send: TestAuthorizationBeforeBody.)
func TestMoveInput(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-03-01T12:00:00+08:00")
	start := "2026-03-01T09:00:00+08:00"
	r := ts.createRecordAs("alice", form(t, "acme", start))
	submitted := ts.moveRecord("alice", ts.createRecordAs("alice", form(t, "acme", start)), "submit", "")
	approved := ts.approvedRecord(form(t, "acme", start))
	archived := ts.moveRecord("ann", ts.approvedRecord(form(t, "acme", start)), "archive", "")
	p := ts.createPlanAs("alice", planBody(t, "acme", "2026-03-05T09:00:00+08:00"))
	sp := ts.movePlan("alice", ts.createPlanAs("alice", planBody(t, "acme", "2026-03-05T09:00:00+08:00")), "submit", "")
	rec := func(r *visitarchive.Record) string { return "/api/v1/records/" + string(r.ID) }
	rp, pp, spp := rec(r), "/api/v1/plans/"+string(p.ID), "/api/v1/plans/"+string(sp.ID)
	for _, c := range []struct{ who, path string }{
		{"alice", "/api/v1/plans"}, {"alice", pp + "/submit"}, {"sam", spp + "/approve"}, {"sam", spp + "/reject"},
		{"alice", rp + "/submit"}, {"sam", rec(submitted) + "/return"}, {"sam", rec(submitted) + "/approve"},
		{"ann", rec(approved) + "/archive"}, {"alice", rec(archived) + "/annotations"},
		{"alice", "/api/v1/inbox/read"}, {"alice", "/api/v1/inbox/N1/read"},
	} {
		path := c.path
		for _, tt := range []struct {
			body, ctype string
			status      int
			inMsg       string
		}{
			{`{"version":1,`, "", 400, "malformed JSON"},
			{`{"version":1,"bogus":true}`, "", 400, "bogus"},
			{`[1]`, "", 400, "JSON object"},
			{`{"version":1}`, "text/plain", 415, ""},
		} {
			hdr := []string{}
			if tt.ctype != "" {
				hdr = []string{"Content-Type", tt.ctype}
			}
			res := ts.callAs(c.who, "POST", path, tt.body, hdr...)
			if res.status != tt.status {
				t.Errorf("POST %s %s: status %d, want %d (%s)", path, tt.body, res.status, tt.status, res.body)
				continue
			}
			if e := res.apiError(t); !strings.Contains(e.Message, tt.inMsg) {
				t.Errorf("POST %s %s: %q lacks %q", path, tt.body, e.Message, tt.inMsg)
			}
		}
	}
	if got := ts.getRecord(r.ID); got.Version != 1 || got.Status != visitarchive.StatusDraft {
		t.Errorf("the record moved: %+v", got)
	}
	ts.call("POST", rp+"/submit", `{"version":"1"}`).wantError(t, http.StatusUnprocessableEntity, "invalid")
	ts.call("POST", rp+"/submit", `{"version":0}`).wantError(t, http.StatusUnprocessableEntity, "invalid")
	ts.call("POST", "/api/v1/records/R404/submit", `{"version":1}`).wantError(t, http.StatusNotFound, "not_found")
	ts.call("POST", "/api/v1/records/..%2Fx/submit", `{"version":1}`).wantError(t, http.StatusNotFound, "not_found")
}

package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// written returns the keys of the objects journaled after entry seq: the
// writes, not the access events.
func (ts *testServer) written(seq uint64) []string {
	ts.t.Helper()
	var keys []string
	for e, err := range ts.Journal.Since(ts.t.Context(), seq) {
		if err != nil {
			ts.t.Fatal(err)
		}
		for _, c := range e.Changes {
			if c.Wrote() {
				keys = append(keys, c.Key)
			}
		}
	}
	return keys
}

// head returns the journal's last sequence number.
func (ts *testServer) head() uint64 {
	ts.t.Helper()
	seq, err := ts.Journal.Head(ts.t.Context())
	if err != nil {
		ts.t.Fatal(err)
	}
	return seq
}

// TestEditsThatChangeNothing: a PUT or PATCH that changes nothing answers
// the current version and writes nothing, for every kind that is edited.
func TestEditsThatChangeNothing(t *testing.T) {
	ts, record, plan := draftsServer(t)
	approved := "/api/v1/plans/" + string(ts.approvedPlan(planBody(t, "acme", "2026-03-20T09:00:00+08:00")).ID)
	for _, c := range []struct {
		who, path, patch string
	}{
		{"alice", record, `{"topic":"LX-3021B 报价","rounds":0,"late":false}`},
		{"alice", plan, `{"location":"Hamburg","status":"draft"}`},
		// An approved plan "changed" by a reason alone proposes nothing.
		{"alice", approved, `{"change_reason":"a reason, and no change"}`},
		{"alice", "/api/v1/customers/acme", `{"country":"DE"}`},
		{"root", "/api/v1/users/alice", `{"department":"sales1","must_change_password":false}`},
		{"root", "/api/v1/departments/sales1", `{"name":"Dept sales1"}`},
	} {
		t.Run(c.path, func(t *testing.T) {
			got := ts.callAs(c.who, "GET", c.path, "").want(t, http.StatusOK)
			version := got.header.Get("ETag")
			before := ts.head()
			for _, req := range []struct{ method, body string }{
				{"PATCH", `{}`},
				{"PATCH", c.patch},
				{"PUT", string(got.body)}, // the GET sent back: a round trip
			} {
				res := ts.callAs(c.who, req.method, c.path, req.body, "If-Match", version).want(t, http.StatusOK)
				if res.header.Get("ETag") != version || string(res.body) != string(got.body) {
					t.Errorf("%s %s: ETag %s, body\n%s\nwant the current version %s\n%s", req.method, req.body,
						res.header.Get("ETag"), res.body, version, got.body)
				}
			}
			if w := ts.written(before); len(w) > 0 {
				t.Errorf("edits that change nothing wrote %v", w)
			}
		})
	}
}

// TestServerFieldsAreNotEdited: an edit that sets a field the server
// sets is 422 naming it and the move that changes it, and writes
// nothing; sent back unchanged, the same field is fine.
func TestServerFieldsAreNotEdited(t *testing.T) {
	ts, record, plan := draftsServer(t)
	for _, c := range []struct {
		who, method, path, body string
		fields                  []string
		says                    []string
	}{
		{"alice", "PATCH", record, `{"status":"approved"}`, []string{"status"},
			[]string{"status is changed by the workflow: POST " + record + "/submit, /return, /approve and /archive"}},
		{"alice", "PATCH", record, `{"status":"approved","topic":"and a real change"}`, []string{"status"}, nil},
		{"alice", "PATCH", record, `{"reviews":[{"round":1,"decision":"approved","reviewer":"sam"}],"reference_code":"F001-X"}`,
			[]string{"reference_code", "reviews"}, []string{record + "/return and /approve", record + "/archive"}},
		{"alice", "PATCH", record, `{"due_at":"2027-01-01T00:00:00Z"}`, []string{"due_at"}, []string{"change visit_end"}},
		{"alice", "PUT", record, strings.Replace(form(t, "acme", draftStart), `{`, `{"created_by":"mallory",`, 1), []string{"created_by"}, nil},
		{"alice", "PATCH", plan, `{"decisions":[{"decision":"approved","by":"sam"}],"revision":3}`,
			[]string{"decisions", "revision"}, []string{plan + "/approve"}},
		{"alice", "PATCH", "/api/v1/customers/acme", `{"updated_by":"mallory"}`, []string{"updated_by"}, nil},
		{"root", "PATCH", "/api/v1/users/alice", `{"must_change_password":true}`, []string{"must_change_password"},
			[]string{"/api/v1/users/alice/password"}},
		{"root", "PATCH", "/api/v1/departments/sales1", `{"created_at":"2000-01-01T00:00:00Z"}`, []string{"created_at"}, nil},
	} {
		before := ts.head()
		version := ts.callAs(c.who, "GET", c.path, "").want(t, http.StatusOK).header.Get("ETag")
		res := ts.callAs(c.who, c.method, c.path, c.body, "If-Match", version).wantError(t, http.StatusUnprocessableEntity, "invalid")
		e := res.apiError(t)
		if got := strings.Join(fieldNames(e), ","); got != strings.Join(c.fields, ",") {
			t.Errorf("%s %s %s: fields %s, want %v", c.method, c.path, c.body, got, c.fields)
		}
		for _, s := range c.says {
			if !strings.Contains(e.Message, s) {
				t.Errorf("%s %s %s: %q does not say %q", c.method, c.path, c.body, e.Message, s)
			}
		}
		if w := ts.written(before); len(w) > 0 {
			t.Errorf("%s %s %s wrote %v", c.method, c.path, c.body, w)
		}
	}
	// The same fields sent back as they are, with a real change: fine.
	var got visitarchive.Record
	ts.call("PATCH", record, `{"status":"draft","rounds":0,"created_by":"alice","topic":"changed"}`, "If-Match", "1").
		want(t, http.StatusOK).decode(t, &got)
	if got.Version != 2 || got.Topic != "changed" {
		t.Errorf("after a real change: version %d, topic %q", got.Version, got.Topic)
	}
}

package server

import (
	"net/http"
	"path"
	"strings"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// TestCreateRevealsNothingHidden goes through every create route: no
// answer differs by whether an object the caller may not read exists.
// Records and plans get their ids from the server; the ids of customers,
// users and departments are the client's, and whoever may create one may
// read them all (GET answers 200), so a 409 tells them nothing new.
func TestCreateRevealsNothingHidden(t *testing.T) {
	ts, record, plan := draftsServer(t)
	start := draftStart
	// bob, of sales2, may read neither.
	ts.callAs("bob", "GET", record, "").wantError(t, http.StatusNotFound, "not_found")
	ts.callAs("bob", "GET", plan, "").wantError(t, http.StatusNotFound, "not_found")
	rid, pid := path.Base(record), path.Base(plan)

	withID := func(id string) func(map[string]any) { return func(m map[string]any) { m["id"] = id } }
	inSales2 := func(m map[string]any) { m["department"], m["visitors"] = "sales2", []string{"bob"} }
	sameAnswer(t, "a record with an id",
		ts.callAs("bob", "POST", "/api/v1/records", form(t, "acme", start, inSales2, withID(rid))),
		ts.callAs("bob", "POST", "/api/v1/records", form(t, "acme", start, inSales2, withID("R-none"))),
		http.StatusUnprocessableEntity, "id")
	sameAnswer(t, "a plan with an id",
		ts.callAs("bob", "POST", "/api/v1/plans", planBody(t, "acme", start, inSales2, withID(pid))),
		ts.callAs("bob", "POST", "/api/v1/plans", planBody(t, "acme", start, inSales2, withID("P-none"))),
		http.StatusUnprocessableEntity, "id")
	// Even the id of the caller's own record is refused: ids are the
	// server's.
	ts.call("POST", "/api/v1/records", form(t, "acme", start, withID(rid))).
		wantError(t, http.StatusUnprocessableEntity, "invalid")
	sameAnswer(t, "an annotation of a record",
		ts.callAs("bob", "POST", record+"/annotations", `{"reason":"x","text":"y"}`),
		ts.callAs("bob", "POST", "/api/v1/records/R-none/annotations", `{"reason":"x","text":"y"}`),
		http.StatusNotFound, "")
	sameAnswer(t, "a token with an id",
		ts.callAs("bob", "POST", "/api/v1/auth/tokens", `{"id":"`+ts.tokenOf("alice")+`","name":"x"}`),
		ts.callAs("bob", "POST", "/api/v1/auth/tokens", `{"id":"T-none","name":"x"}`),
		http.StatusBadRequest, "")

	// Customers, users and departments: who may create them may read
	// them all; who may not gets 403 whether or not the id is taken.
	const (
		customer = `{"id":"%s","name":"x","customer_type":"key"}`
		user     = `{"name":"%s","roles":["marketing"]}`
		dept     = `{"id":"%s","name":"x"}`
	)
	for _, c := range []struct {
		who, path, body, taken, free string
		mayCreate                    bool
	}{
		{"alice", "/api/v1/customers", customer, "acme", "zeta", true},
		{"sam", "/api/v1/customers", customer, "acme", "zeta", true},
		{"mia", "/api/v1/customers", customer, "acme", "zeta", false},
		{"root", "/api/v1/customers", customer, "acme", "zeta", false},
		{"root", "/api/v1/users", user, "alice", "zoe", true},
		{"aud", "/api/v1/users", user, "alice", "zoe", false},
		{"alice", "/api/v1/users", user, "alice", "zoe", false},
		{"root", "/api/v1/departments", dept, "sales1", "legal", true},
		{"alice", "/api/v1/departments", dept, "sales1", "legal", false},
	} {
		body := func(id string) string { return strings.Replace(c.body, "%s", id, 1) }
		if !c.mayCreate {
			sameAnswer(t, c.who+" creates at "+c.path, ts.callAs(c.who, "POST", c.path, body(c.taken)),
				ts.callAs(c.who, "POST", c.path, body(c.free)), http.StatusForbidden, "")
			continue
		}
		ts.callAs(c.who, "GET", c.path+"/"+c.taken, "").want(t, http.StatusOK)
		ts.callAs(c.who, "POST", c.path, body(c.taken)).wantError(t, http.StatusConflict, "conflict")
	}
}

// sameAnswer checks that a and b have status and the same error, but for
// the ids they name, and, when field is not "", that it names field.
func sameAnswer(t *testing.T, what string, a, b *result, status int, field string) {
	t.Helper()
	a.want(t, status)
	b.want(t, status)
	ea, eb := a.apiError(t), b.apiError(t)
	if ea.Code != eb.Code || len(ea.Fields) != len(eb.Fields) || norm(ea.Message) != norm(eb.Message) {
		t.Errorf("%s: the answers differ:\n%s\n%s", what, a.body, b.body)
	}
	if field != "" && (len(ea.Fields) != 1 || ea.Fields[0].Field != field) {
		t.Errorf("%s: fields %v, want %s", what, fieldNames(ea), field)
	}
}

// norm blanks the ids in a message, so that messages that differ only by
// the id they were asked about compare equal.
func norm(msg string) string {
	var out []string
	for _, w := range strings.Fields(msg) {
		if strings.HasPrefix(w, "R") || strings.HasPrefix(w, "P") || strings.HasPrefix(w, `"`) {
			w = "ID"
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

// tokenOf returns the id of an API token of who.
func (ts *testServer) tokenOf(who string) string {
	ts.t.Helper()
	var list tokenList
	ts.callAs(who, "GET", "/api/v1/auth/tokens", "").want(ts.t, http.StatusOK).decode(ts.t, &list)
	if len(list.Tokens) == 0 {
		ts.t.Fatalf("%s has no token", who)
	}
	return list.Tokens[0].ID
}

// TestAuthorizationBeforeBody goes through every write route of the
// server that someone may be refused: a caller who may not make the
// write is answered 403, or 404 when they may not read its object,
// whatever the request holds — no version, values of the wrong type,
// unknown fields, malformed JSON, the wrong content type, no body.
// Authentication comes first, then authorization, then the request.
// (The routes of one's own account and inbox — password, tokens, the
// inbox's reads — need only a sign-in.)
func TestAuthorizationBeforeBody(t *testing.T) {
	ts, r, p := draftsServer(t)
	bodies := []struct{ body, ctype string }{
		{`{"version":1,"name":"x"}`, ""},
		{`{}`, ""},
		{`{"version":"one","bogus":true,"roles":7}`, ""},
		{`{"version":1,`, ""},
		{`[1]`, ""},
		{`{"version":1}`, "text/plain"},
		{"", ""},
	}
	for _, c := range []struct {
		who, method, path string
		status            int
	}{
		{"aud", "POST", "/api/v1/users", 403},
		{"alice", "POST", "/api/v1/users", 403},
		{"aud", "PATCH", "/api/v1/users/alice", 403},
		{"aud", "PUT", "/api/v1/users/alice", 403},
		{"alice", "PATCH", "/api/v1/users/alice", 404},
		{"aud", "PUT", "/api/v1/users/bob/password", 403},
		{"alice", "PUT", "/api/v1/users/bob/password", 404},
		{"alice", "POST", "/api/v1/departments", 403},
		{"aud", "PATCH", "/api/v1/departments/sales1", 403},
		{"alice", "PUT", "/api/v1/departments/sales1", 403},
		{"mia", "POST", "/api/v1/customers", 403},
		{"root", "POST", "/api/v1/customers", 403},
		{"mia", "PATCH", "/api/v1/customers/acme", 403},
		{"root", "PUT", "/api/v1/customers/acme", 404},
		{"mia", "POST", "/api/v1/records", 403},
		{"root", "POST", "/api/v1/records", 403},
		{"bob", "PATCH", r, 404},
		{"aud", "PUT", r, 403},
		{"sam", "PATCH", r, 403},
		{"bob", "POST", r + "/submit", 404},
		{"aud", "POST", r + "/submit", 403},
		{"aud", "POST", r + "/return", 403},
		{"alice", "POST", r + "/approve", 403},
		{"bob", "POST", r + "/approve", 404},
		{"aud", "POST", r + "/archive", 403},
		{"aud", "POST", r + "/annotations", 403},
		{"bob", "POST", r + "/annotations", 404},
		{"mia", "POST", "/api/v1/plans", 403},
		{"bob", "PATCH", p, 404},
		{"aud", "PUT", p, 403},
		{"aud", "POST", p + "/submit", 403},
		{"aud", "POST", p + "/approve", 403},
		{"alice", "POST", p + "/reject", 403},
		{"mia", "POST", p + "/reject", 404},
		{"aud", "POST", p + "/cancel", 403},
		{"bob", "POST", p + "/cancel", 404},
	} {
		for _, b := range bodies {
			hdr := []string{"If-Match", "-"}
			if b.ctype != "" {
				hdr = append(hdr, "Content-Type", b.ctype)
			}
			res := ts.callAs(c.who, c.method, c.path, b.body, hdr...)
			if res.status != c.status {
				t.Errorf("%s %s as %s with %q (%s): %d, want %d: %s", c.method, c.path, c.who, b.body, b.ctype, res.status, c.status, res.body)
			}
		}
	}
	if got := ts.getRecord(visitarchive.RecordID(path.Base(r))); got.Version != 1 {
		t.Errorf("the record changed: %+v", got)
	}
}

package server

import (
	"net/http"
	"slices"
	"testing"

	"github.com/visitarchive/visitarchive"
)

// TestLoginNameSynonyms: the user name may be sent as user, username or
// name; none is an error.
func TestLoginNameSynonyms(t *testing.T) {
	ts := newTestServer(t)
	for _, body := range []string{
		`{"user":"alice","password":"` + testPassword + `"}`,
		`{"username":"alice","password":"` + testPassword + `"}`,
		`{"name":"alice","password":"` + testPassword + `"}`,
	} {
		ts.callAs("", "POST", "/api/v1/auth/login", body, "Authorization", "-").want(t, http.StatusOK)
	}
	ts.callAs("", "POST", "/api/v1/auth/login", `{"password":"`+testPassword+`"}`, "Authorization", "-").
		want(t, http.StatusUnprocessableEntity)
	ts.callAs("", "POST", "/api/v1/auth/login", `{"login":"alice","password":"x"}`, "Authorization", "-").
		want(t, http.StatusBadRequest)
}

// TestCreateUserWithPassword: a sysadmin may give the first password with
// the user; a password that breaks the rules creates nothing.
func TestCreateUserWithPassword(t *testing.T) {
	ts := newTestServer(t)
	res := ts.callAs("root", "POST", "/api/v1/users",
		`{"name":"ivy","department":"sales1","roles":["employee"],"password":"ivy's first password"}`).
		want(t, http.StatusCreated)
	if got := res.header.Get("Location"); got != "/api/v1/users/ivy" {
		t.Errorf("Location = %q", got)
	}
	var body map[string]any
	res.decode(t, &body)
	if _, ok := body["password"]; ok {
		t.Errorf("the answer shows the password: %v", body)
	}
	ts.login("ivy", "ivy's first password")

	ts.callAs("root", "POST", "/api/v1/users", `{"name":"joe","department":"sales1","roles":["employee"],"password":"short"}`).
		want(t, http.StatusUnprocessableEntity)
	ts.callAs("root", "GET", "/api/v1/users/joe", "").want(t, http.StatusNotFound)
	ts.callAs("alice", "POST", "/api/v1/users", `{"name":"kim","department":"sales1","roles":["sysadmin"],"password":"kim's first password"}`).
		want(t, http.StatusForbidden)
}

// TestDottedUserNames: a first.last login is a user like any other, from
// its creation to its inbox; a name that could be unsafe is refused.
func TestDottedUserNames(t *testing.T) {
	ts, _ := newWorkflowServer(t, "2026-03-10T09:00:00+08:00")
	res := ts.callAs("root", "POST", "/api/v1/users", `{"name":"li.wei","department":"sales1","roles":["employee"],"password":"li wei's first password"}`).
		want(t, http.StatusCreated)
	if got := res.header.Get("Location"); got != "/api/v1/users/li.wei" {
		t.Errorf("Location = %q", got)
	}
	ts.login("li.wei", "li wei's first password")
	ts.callAs("root", "PATCH", "/api/v1/users/li.wei", `{"display_name":"李伟"}`, "If-Match", "2").want(t, http.StatusOK)
	ts.callAs("root", "PUT", "/api/v1/users/li.wei/password", `{"password":"another first password"}`).want(t, http.StatusOK)
	u, err := ts.Archive.Accounts().GetUser(visitarchive.WithActor(t.Context(), "test"), "li.wei")
	if err != nil {
		t.Fatal(err)
	}
	ts.signUp(u)

	// li.wei files a record with alice, and alice plans a visit with them.
	r := ts.createRecordAs("li.wei", form(t, "acme", "2026-03-01T09:00:00+08:00", func(m map[string]any) {
		m["visitors"] = []string{"li.wei", "alice"}
	}))
	ts.callAs("li.wei", "GET", "/api/v1/records/"+string(r.ID), "").want(t, http.StatusOK)
	p := ts.createPlanAs("alice", planBody(t, "acme", "2026-03-20T09:00:00+08:00", func(m map[string]any) {
		m["visitors"] = []string{"alice", "li.wei"}
	}))
	p = ts.movePlan("alice", p, "submit", "")
	ts.movePlan("sam", p, "approve", "")
	var inbox visitarchive.InboxPage
	ts.callAs("li.wei", "GET", "/api/v1/inbox", "").want(t, http.StatusOK).decode(t, &inbox)
	if !slices.ContainsFunc(inbox.Notifications, func(n *visitarchive.Notification) bool {
		return n.Event == visitarchive.EventPlanDecided && n.Object == string(p.ID)
	}) {
		t.Errorf("li.wei's inbox lacks the decision on plan %s: %d notifications", p.ID, len(inbox.Notifications))
	}

	for _, name := range []string{"li..wei", ".li", "li.", "li/wei"} {
		res := ts.callAs("root", "POST", "/api/v1/users", `{"name":"`+name+`","roles":["marketing"]}`).want(t, http.StatusUnprocessableEntity)
		checkError(t, res, "invalid", "", []string{"name"})
	}
	ts.callAs("root", "GET", "/api/v1/users/li..wei", "").wantError(t, http.StatusNotFound, "not_found")
}

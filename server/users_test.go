package server

import (
	"net/http"
	"testing"
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

package server

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// Separation of duties (三员分立) and the events that must end or limit
// what a credential can do: an administrator's reset of a password, a
// password change, disabling a user (issue 13).

// TestSysadminTakesNoContentRole: a sysadmin holds no role that reads
// content and no grant, whoever gives them, and so cannot read the
// records of a department by giving themselves its supervisor's role.
func TestSysadminTakesNoContentRole(t *testing.T) {
	ts := newTestServer(t)
	ts.createCustomer(customerJSON)
	r := ts.createRecord(recordJSON("acme", "pump order", "2026-03-01T09:00:00+08:00"))
	ts.callAs("root", "POST", "/api/v1/users", `{"name":"ops","department":"it","roles":["sysadmin"]}`).want(t, http.StatusCreated)

	tests := []struct {
		name, user, patch string
		fields            []string
	}{
		{"own supervisor role", "root", `{"roles":["sysadmin","supervisor"],"department":"sales1","heads":["sales1"]}`, []string{"roles"}},
		{"own marketing role and grant", "root", `{"roles":["sysadmin","marketing"],"grants":["sensitive"]}`, []string{"roles", "grants"}},
		{"own grant", "root", `{"grants":["sensitive"]}`, []string{"grants"}},
		{"another sysadmin's supervisor role", "ops", `{"roles":["sysadmin","supervisor"],"department":"sales1","heads":["sales1"]}`, []string{"roles"}},
		{"another sysadmin's grant", "ops", `{"grants":["sensitive"]}`, []string{"grants"}},
	}
	for _, r := range []string{"employee", "supervisor", "marketing", "service", "archivist", "auditor", "manager"} {
		tests = append(tests, struct {
			name, user, patch string
			fields            []string
		}{"sysadmin and " + r, "ops", `{"roles":["sysadmin","` + r + `"]}`, []string{"roles"}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ts.patchUser("root", tt.user, tt.patch).wantError(t, http.StatusUnprocessableEntity, "invalid")
			got := fieldNames(res.apiError(t))
			for _, f := range tt.fields {
				if !slices.Contains(got, f) {
					t.Errorf("fields = %v, want %s among them", got, f)
				}
			}
		})
	}
	ts.callAs("root", "POST", "/api/v1/users", `{"name":"eve","roles":["sysadmin","manager"]}`).
		wantError(t, http.StatusUnprocessableEntity, "invalid")

	// Nothing changed: the sysadmin still reads no record.
	var me visitarchive.User
	ts.callAs("root", "GET", "/api/v1/auth/me", "").want(t, http.StatusOK).decode(t, &me)
	if !slices.Equal(me.Roles, []visitarchive.Role{visitarchive.RoleSysadmin}) || len(me.Grants) != 0 || len(me.Heads) != 0 {
		t.Errorf("root after the refusals: %+v", me)
	}
	ts.callAs("root", "GET", "/api/v1/records/"+string(r.ID), "").wantError(t, http.StatusNotFound, "not_found")
}

// TestNoOneChangesOwnRoles: a sysadmin may not change their own roles,
// heads or grants, even to roles that pass the rules; another sysadmin
// may.
func TestNoOneChangesOwnRoles(t *testing.T) {
	ts := newTestServer(t)
	ts.callAs("root", "POST", "/api/v1/users", `{"name":"ops","department":"it","roles":["sysadmin"]}`).want(t, http.StatusCreated)
	ts.patchUser("root", "root", `{"roles":["manager"]}`).wantError(t, http.StatusForbidden, "forbidden")
	ts.patchUser("root", "root", `{"roles":["employee"],"department":"sales1"}`).wantError(t, http.StatusForbidden, "forbidden")
	ts.patchUser("root", "root", `{"disabled":true}`).wantError(t, http.StatusConflict, "conflict")
	// What does not touch their rights, they may change.
	ts.patchUser("root", "root", `{"display_name":"Root","roles":["sysadmin"]}`).want(t, http.StatusOK)
	var u visitarchive.User
	ts.patchUser("root", "ops", `{"roles":["manager"]}`).want(t, http.StatusOK).decode(t, &u)
	if !slices.Equal(u.Roles, []visitarchive.Role{visitarchive.RoleManager}) {
		t.Errorf("ops after root changed their roles: %+v", u)
	}
}

// changeFirst is the start of the message that refuses a user who must
// change their password first.
const changeFirst = "change your password first"

// TestAdminResetForcesChange: a password that a sysadmin set must be
// changed by its user before they do anything else; they are told in
// their inbox, and the journal shows the auditors who reset whose
// password.
func TestAdminResetForcesChange(t *testing.T) {
	ts := newTestServer(t)
	const reset, chosen = "set by the administrator", "bob's very own password"
	var done passwordSetResult
	ts.callAs("root", "PUT", "/api/v1/users/bob/password", mustJSON(t, passwordSet{Password: reset})).
		want(t, http.StatusOK).decode(t, &done)
	if done != (passwordSetResult{MustChangePassword: true, TokensRevoked: 1}) {
		t.Errorf("answer %+v, want must_change_password and bob's API token revoked", done)
	}
	ts.callAs("bob", "GET", "/api/v1/auth/me", "").wantError(t, http.StatusUnauthorized, "unauthenticated")
	var u visitarchive.User
	ts.callAs("aud", "GET", "/api/v1/users/bob", "").want(t, http.StatusOK).decode(t, &u)
	if !u.MustChangePassword {
		t.Errorf("bob after the reset: %+v, want must_change_password", u)
	}

	res := ts.signIn("bob", reset).want(t, http.StatusOK)
	var lr loginResponse
	res.decode(t, &lr)
	if !lr.User.MustChangePassword {
		t.Errorf("the sign-in answer %s does not say that the password must be changed", res.body)
	}
	s := session{token: cookieOf(t, res, sessionCookie).Value, csrf: lr.CSRFToken}
	meIs(t, ts.withCookie(s, "GET", "/api/v1/auth/me", ""), "bob")
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/api/v1/records", ""},
		{"GET", "/api/v1/inbox", ""},
		{"GET", "/api/v1/departments", ""},
		{"POST", "/api/v1/customers", customerJSON},
		{"POST", "/api/v1/auth/tokens", `{"name":"mine"}`},
	} {
		e := ts.withCookie(s, r.method, r.path, r.body, headerCSRF, s.csrf).wantError(t, http.StatusForbidden, "forbidden").apiError(t)
		if !strings.HasPrefix(e.Message, changeFirst) {
			t.Errorf("%s %s: message %q, want it to say %q", r.method, r.path, e.Message, changeFirst)
		}
	}
	change := func(old, pw string) string { return mustJSON(t, passwordChange{OldPassword: old, NewPassword: pw}) }
	ts.withCookie(s, "PUT", "/api/v1/auth/password", change(reset, reset), headerCSRF, s.csrf).
		wantError(t, http.StatusUnprocessableEntity, "invalid")
	ts.withCookie(s, "PUT", "/api/v1/auth/password", change(reset, chosen), headerCSRF, s.csrf).want(t, http.StatusOK)

	s = ts.login("bob", chosen)
	ts.withCookie(s, "GET", "/api/v1/records", "").want(t, http.StatusOK)
	var inbox visitarchive.InboxPage
	ts.withCookie(s, "GET", "/api/v1/inbox", "").want(t, http.StatusOK).decode(t, &inbox)
	if len(inbox.Notifications) != 1 || inbox.Notifications[0].Event != visitarchive.EventPasswordReset ||
		inbox.Notifications[0].From != "root" {
		t.Errorf("bob's inbox: %s", mustJSON(t, inbox))
	}
	ts.checkResetJournaled(t, "root", "bob")
}

// checkResetJournaled checks that an auditor reads in the journal that
// by set the password of whose, and revoked their tokens with it.
func (ts *testServer) checkResetJournaled(t *testing.T, by, whose string) {
	t.Helper()
	var page journalPage
	ts.callAs("aud", "GET", "/api/v1/audit/journal?limit=1000", "").want(t, http.StatusOK).decode(t, &page)
	var reset, revoked bool
	for _, e := range page.Entries {
		for _, c := range e.Changes {
			mine := strings.HasPrefix(c.Key, visitarchive.UsersPrefix+whose+"/") || strings.HasPrefix(c.Key, visitarchive.TokensPrefix+whose+"/")
			switch {
			case !mine || string(c.Actor) != by:
			case c.Action == "user.password" && strings.Contains(c.Detail, "password of "+whose+" set by "+by):
				reset = true
			case c.Action == "token.revoke" && c.Removed && strings.Contains(c.Detail, by):
				revoked = true
			}
		}
	}
	if !reset || !revoked {
		t.Errorf("the journal shows the reset: %v, the revoked token: %v; want both, by %s of %s", reset, revoked, by, whose)
	}
}

// TestPasswordChangeFirstEverywhere: every route but the password change,
// who am I and sign out refuses a user who must change their password,
// whatever the route; a route added later is refused unless it is made
// for them.
func TestPasswordChangeFirstEverywhere(t *testing.T) {
	ts := newTestServer(t)
	ts.callAs("root", "POST", "/api/v1/users", `{"name":"neo","department":"sales1","roles":["employee"],"password":"first password of neo"}`).
		want(t, http.StatusCreated)
	s := ts.login("neo", "first password of neo")
	param := regexp.MustCompile(`:[A-Za-z0-9_]+`)
	for _, r := range ts.srv.App().GetRoutes(true) {
		path := param.ReplaceAllString(r.Path, "X1")
		switch {
		case r.Method == fiber.MethodHead, !strings.HasPrefix(path, apiPrefix), path == openAPIPath, path == apiPrefix+"/auth/login":
			continue
		case servesPasswordChangeRoute(r.Method, path):
			continue
		}
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			ts.withCookie(s, r.Method, path, "", headerCSRF, s.csrf).wantError(t, http.StatusForbidden, "forbidden")
		})
	}
	meIs(t, ts.withCookie(s, "GET", "/api/v1/auth/me", ""), "neo")
	ts.withCookie(s, "POST", "/api/v1/auth/logout", "", headerCSRF, s.csrf).want(t, http.StatusNoContent)
}

// servesPasswordChangeRoute lists the routes open to a user who must
// change their password.
func servesPasswordChangeRoute(method, path string) bool {
	return slices.Contains([]string{"PUT /api/v1/auth/password", "GET /api/v1/auth/me", "POST /api/v1/auth/logout"}, method+" "+path)
}

// TestFirstPasswordMustBeChanged: a user created with a password, by a
// sysadmin, must change it first.
func TestFirstPasswordMustBeChanged(t *testing.T) {
	ts := newTestServer(t)
	var u visitarchive.User
	ts.callAs("root", "POST", "/api/v1/users", `{"name":"neo","department":"sales1","roles":["employee"],"password":"first password of neo"}`).
		want(t, http.StatusCreated).decode(t, &u)
	if !u.MustChangePassword {
		t.Errorf("created %+v, want must_change_password", u)
	}
	s := ts.login("neo", "first password of neo")
	ts.withCookie(s, "GET", "/api/v1/records", "").wantError(t, http.StatusForbidden, "forbidden")
	ts.withCookie(s, "PUT", "/api/v1/auth/password", mustJSON(t, passwordChange{OldPassword: "first password of neo", NewPassword: "neo chose this one"}),
		headerCSRF, s.csrf).want(t, http.StatusOK)
	ts.withCookie(ts.login("neo", "neo chose this one"), "GET", "/api/v1/records", "").want(t, http.StatusOK)
	// A sysadmin resets no password of their own: they change it, as all do.
	ts.callAs("root", "PUT", "/api/v1/users/root/password", mustJSON(t, passwordSet{Password: "root sets its own"})).
		wantError(t, http.StatusForbidden, "forbidden")
}

// TestTokensRevoked: a password change, an administrator's reset and
// disabling a user revoke the user's API tokens; enabling the user again
// brings none back.
func TestTokensRevoked(t *testing.T) {
	ts := newTestServer(t)
	var extra newToken
	ts.call("POST", "/api/v1/auth/tokens", `{"name":"script"}`).want(t, http.StatusCreated).decode(t, &extra)
	var done passwordSetResult
	ts.call("PUT", "/api/v1/auth/password", mustJSON(t, passwordChange{OldPassword: testPassword, NewPassword: "alice's new password"})).
		want(t, http.StatusOK).decode(t, &done)
	if done.TokensRevoked != 2 {
		t.Errorf("alice's change revoked %d tokens, want 2", done.TokensRevoked)
	}
	for _, tok := range []string{ts.tokens["alice"], extra.Token} {
		ts.withBearer(tok, "GET", "/api/v1/auth/me", "").wantError(t, http.StatusUnauthorized, "unauthenticated")
	}

	ts.callAs("root", "PUT", "/api/v1/users/bob/password", mustJSON(t, passwordSet{Password: "set by the administrator"})).want(t, http.StatusOK)
	ts.callAs("bob", "GET", "/api/v1/auth/me", "").wantError(t, http.StatusUnauthorized, "unauthenticated")

	var u visitarchive.User
	ts.patchUser("root", "carol", `{"disabled":true}`).want(t, http.StatusOK).decode(t, &u)
	if u.TokensRevoked != 1 {
		t.Errorf("disabling carol revoked %d tokens, want 1", u.TokensRevoked)
	}
	ts.patchUser("root", "carol", `{"disabled":false}`).want(t, http.StatusOK)
	ts.callAs("carol", "GET", "/api/v1/auth/me", "").wantError(t, http.StatusUnauthorized, "unauthenticated")
	meIs(t, ts.withCookie(ts.login("carol", testPassword), "GET", "/api/v1/auth/me", ""), "carol")
	if r := ts.callAs("root", "GET", "/api/v1/users/carol", ""); strings.Contains(string(r.body), "tokens_revoked") {
		t.Errorf("GET shows tokens_revoked, which only the answer of the change holds: %s", r.body)
	}
}

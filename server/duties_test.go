package server

import (
	"net/http"
	"slices"
	"testing"

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

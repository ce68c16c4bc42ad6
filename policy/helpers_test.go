package policy

import (
	"testing"

	va "github.com/visitarchive/visitarchive"
)

// newEnforcer returns an Enforcer that knows users.
func newEnforcer(t testing.TB, users ...*va.User) *Enforcer {
	t.Helper()
	e, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.SetUsers(users)
	return e
}

// user returns an enabled user with roles.
func user(name, dept string, roles ...va.Role) *va.User {
	return &va.User{Name: va.UserName(name), Department: va.DepartmentID(dept), Roles: roles}
}

// heads makes u a supervisor of depts.
func heads(u *va.User, depts ...va.DepartmentID) *va.User {
	u.Roles = append(u.Roles, va.RoleSupervisor)
	u.Heads = depts
	return u
}

// withGrant gives u the sensitive grant.
func withGrant(u *va.User) *va.User {
	u.Grants = append(u.Grants, va.GrantSensitive)
	return u
}

// allStatuses are the states of records and plans (rejected and
// cancelled are a plan's only, returned a record's only; the tests try
// every state on both).
var allStatuses = []va.RecordStatus{va.StatusDraft, va.StatusSubmitted, va.StatusReturned,
	va.StatusApproved, va.StatusRejected, va.StatusArchived, va.StatusCancelled}

package policy

import (
	"sync"
	"testing"

	va "github.com/visitarchive/visitarchive"
)

// everyResource returns the representative resources of every kind.
func everyResource(me va.UserName) []va.Resource {
	var out []va.Resource
	for _, k := range kinds {
		out = append(out, representative(k, me)...)
	}
	return out
}

// deniedEverything fails if p may do anything at all.
func deniedEverything(t *testing.T, e *Enforcer, p *va.Principal, why string) {
	t.Helper()
	name := va.UserName("")
	if p != nil {
		name = p.Name
	}
	for _, act := range actions {
		for _, res := range everyResource(name) {
			if e.Allowed(p, act, res) {
				t.Errorf("%s: %s may %s %+v", why, name, act, res)
			}
		}
		for _, k := range kinds {
			if s := e.Scope(p, act, k); s.All || len(s.Clauses) > 0 {
				t.Errorf("%s: Scope(%s, %s, %s) = %+v, want nothing", why, name, act, k, s)
			}
		}
	}
}

func TestNobodyBeforeSetUsers(t *testing.T) {
	e, err := New()
	if err != nil {
		t.Fatal(err)
	}
	deniedEverything(t, e, &va.Principal{Name: "aud", Roles: []va.Role{va.RoleAuditor}}, "no users yet")
}

func TestUnknownAndDisabledDenied(t *testing.T) {
	off := user("off", "sales", va.RoleEmployee, va.RoleAuditor)
	off.Disabled = true
	e := newEnforcer(t, off, user("aud", "audit", va.RoleAuditor))
	// The principal's own roles count for nothing: only the user objects do.
	deniedEverything(t, e, &va.Principal{Name: "ghost", Department: "sales",
		Roles: []va.Role{va.RoleAuditor, va.RoleEmployee}, Heads: []va.DepartmentID{"sales"}}, "unknown user")
	deniedEverything(t, e, &va.Principal{Name: "off", Department: "sales",
		Roles: []va.Role{va.RoleAuditor, va.RoleEmployee}}, "disabled user")
	deniedEverything(t, e, nil, "nil principal")
	deniedEverything(t, e, &va.Principal{Roles: []va.Role{va.RoleAuditor}}, "principal without a name")
}

func TestPutUserTakesEffectAtOnce(t *testing.T) {
	u := user("dora", "audit", va.RoleAuditor)
	e := newEnforcer(t, u)
	p := va.PrincipalOf(u) // signed in before the changes below
	journal := va.Resource{Kind: va.KindJournal}
	if !e.Allowed(p, va.PermRead, journal) {
		t.Fatal("auditor may not read the journal")
	}

	e.PutUser(user("dora", "audit", va.RoleManager))
	if e.Allowed(p, va.PermRead, journal) {
		t.Error("revoked auditor still reads the journal")
	}
	if s := e.Scope(p, va.PermRead, va.KindJournal); s.All || len(s.Clauses) > 0 {
		t.Errorf("revoked auditor still has a journal scope: %+v", s)
	}
	if !e.Allowed(p, va.PermRead, va.Resource{Kind: va.KindPlan, Department: "sales"}) {
		t.Error("new manager role does not count")
	}

	off := user("dora", "audit", va.RoleManager)
	off.Disabled = true
	e.PutUser(off)
	deniedEverything(t, e, p, "disabled by PutUser")

	e.PutUser(user("dora", "audit", va.RoleAuditor))
	if !e.Allowed(p, va.PermRead, journal) {
		t.Error("re-enabled auditor may not read the journal")
	}
}

func TestPutUserMovesDepartment(t *testing.T) {
	e := newEnforcer(t, user("ed", "sales", va.RoleEmployee), user("other", "sales", va.RoleEmployee))
	p := &va.Principal{Name: "ed"}
	in := func(dept string) va.Resource {
		return va.Resource{Kind: va.KindRecord, Department: va.DepartmentID(dept), Owner: "ed", Status: va.StatusDraft}
	}
	e.PutUser(user("ed", "export", va.RoleEmployee))
	if !e.Allowed(p, va.PermRead, in("sales")) {
		t.Error("moved employee no longer reads the records they wrote in the old department")
	}
	if e.Allowed(p, va.PermCreate, in("sales")) || !e.Allowed(p, va.PermCreate, in("export")) {
		t.Error("moved employee creates in the old department, or not in the new one")
	}
	if e.Allowed(p, va.PermRead, va.Resource{Kind: va.KindRecord, Department: "sales", Owner: "other"}) {
		t.Error("moved employee reads a colleague's record")
	}
	if !e.Allowed(&va.Principal{Name: "other"}, va.PermRead,
		va.Resource{Kind: va.KindRecord, Department: "sales", Owner: "other"}) {
		t.Error("PutUser of one user changed another")
	}
}

func TestPutUserRevokesGrant(t *testing.T) {
	u := withGrant(user("gil", "marketing", va.RoleMarketing))
	e := newEnforcer(t, u)
	p := va.PrincipalOf(u)
	res := va.Resource{Kind: va.KindRecord, Department: "sales", Status: va.StatusApproved}
	if !e.Allowed(p, va.PermReadSensitive, res) {
		t.Fatal("granted marketing may not read sensitive fields")
	}
	e.PutUser(user("gil", "marketing", va.RoleMarketing))
	if e.Allowed(p, va.PermReadSensitive, res) {
		t.Error("revoked grant still counts for a principal that carries it")
	}
	if s := e.Scope(p, va.PermReadSensitive, va.KindRecord); len(s.Clauses) > 0 || s.All {
		t.Errorf("revoked grant still in scope: %+v", s)
	}
}

func TestSetUsersReplacesAll(t *testing.T) {
	e := newEnforcer(t, user("a", "audit", va.RoleAuditor))
	e.SetUsers([]*va.User{user("b", "audit", va.RoleAuditor)})
	deniedEverything(t, e, &va.Principal{Name: "a"}, "user left out of SetUsers")
	if !e.Allowed(&va.Principal{Name: "b"}, va.PermRead, va.Resource{Kind: va.KindJournal}) {
		t.Error("user given to SetUsers has no rights")
	}
	// The last object of a user named twice wins.
	e.SetUsers([]*va.User{user("b", "audit", va.RoleAuditor), user("b", "it", va.RoleSysadmin), nil})
	if e.Allowed(&va.Principal{Name: "b"}, va.PermRead, va.Resource{Kind: va.KindJournal}) {
		t.Error("first of two objects of one user counted")
	}
}

func TestSysadminSeesNoContent(t *testing.T) {
	u := user("root", "it", va.RoleSysadmin)
	e := newEnforcer(t, u)
	p := va.PrincipalOf(u)
	for _, k := range []va.ResourceKind{va.KindRecord, va.KindPlan, va.KindCustomer, va.KindJournal, va.KindAccessLog} {
		for _, act := range actions {
			for _, res := range representative(k, p.Name) {
				if e.Allowed(p, act, res) {
					t.Errorf("sysadmin may %s %+v", act, res)
				}
			}
		}
	}
}

// The auditor changes nothing; the one thing they write is a legal hold
// (issue 19), which changes nothing but stops destruction.
func TestAuditorChangesNothing(t *testing.T) {
	u := user("aud", "audit", va.RoleAuditor)
	e := newEnforcer(t, u)
	p := va.PrincipalOf(u)
	for _, act := range []va.Permission{va.PermCreate, va.PermUpdate, va.PermReview, va.PermArchive, va.PermManage} {
		for _, res := range everyResource(p.Name) {
			if e.Allowed(p, act, res) && !(res.Kind == va.KindHold && act == va.PermCreate) {
				t.Errorf("auditor may %s %+v", act, res)
			}
		}
	}
}

// TestSeparationOfDuties: a user object holding sysadmin and a role that
// reads content (which User.Validate refuses, but an object stored before
// that rule may) holds neither, so no one reads the content, or the audit
// trail, of the accounts they administer.
func TestSeparationOfDuties(t *testing.T) {
	both := user("both", "it", va.RoleSysadmin, va.RoleAuditor)
	lead := heads(user("lead", "it", va.RoleSysadmin, va.RoleSupervisor), "d1")
	for _, u := range []*va.User{both, lead} {
		if u.Validate() == nil {
			t.Errorf("User.Validate accepts %v together", u.Roles)
		}
	}
	e := newEnforcer(t, both, lead, user("sys", "it", va.RoleSysadmin))
	for _, name := range []va.UserName{"sys", "both", "lead"} {
		if e.Allowed(&va.Principal{Name: name}, va.PermRead, va.Resource{Kind: va.KindJournal}) {
			t.Errorf("%s reads the journal", name)
		}
	}
	for _, name := range []va.UserName{"both", "lead"} {
		if e.Allowed(&va.Principal{Name: name}, va.PermManage, va.Resource{Kind: va.KindUser}) {
			t.Errorf("%s, holding sysadmin and a content role, manages users", name)
		}
	}
	draft := va.Resource{Kind: va.KindRecord, Department: "d1", Owner: "x", Status: va.StatusSubmitted}
	if e.Allowed(&va.Principal{Name: "lead"}, va.PermRead, draft) {
		t.Error("a sysadmin who is also a supervisor reads the records of the department they head")
	}
	if !e.Allowed(&va.Principal{Name: "sys"}, va.PermManage, va.Resource{Kind: va.KindUser}) {
		t.Error("a plain sysadmin lost the right to manage users")
	}
}

// TestUserNamedLikeRole: user names and role names live apart in the role
// graph, so a user called "marketing" does not pass their roles on to
// everyone in marketing.
func TestUserNamedLikeRole(t *testing.T) {
	e := newEnforcer(t,
		user("marketing", "sales", va.RoleEmployee, va.RoleSupervisor),
		user("auditor", "it", va.RoleSysadmin),
		user("mia", "marketing", va.RoleMarketing),
	)
	e.PutUser(heads(user("marketing", "sales", va.RoleEmployee), "sales"))
	mia := &va.Principal{Name: "mia"}
	draft := va.Resource{Kind: va.KindRecord, Department: "sales", Owner: "x", Status: va.StatusDraft}
	if e.Allowed(mia, va.PermReview, draft) || e.Allowed(mia, va.PermRead, draft) {
		t.Error("marketing staff inherit the rights of the user named marketing")
	}
	if e.Allowed(&va.Principal{Name: "auditor"}, va.PermRead, va.Resource{Kind: va.KindJournal}) {
		t.Error("a sysadmin named auditor reads the journal")
	}
}

// TestMalformedUserGainsNothing: department ids that are no ids, unknown
// roles and grants give no rights; "*" above all must not mean "every
// department".
func TestMalformedUserGainsNothing(t *testing.T) {
	e := newEnforcer(t,
		user("star", "*", va.RoleEmployee),
		heads(user("starsup", "sales"), "*", ""),
		user("boss", "sales", va.Role("boss"), va.Role("*")),
		&va.User{Name: "weird", Department: "sales", Roles: []va.Role{va.RoleMarketing}, Grants: []va.Grant{"everything"}},
		user("bad name!", "sales", va.RoleAuditor),
	)
	for _, name := range []va.UserName{"star", "starsup", "boss", "bad name!"} {
		deniedEverything(t, e, &va.Principal{Name: name, Grants: []va.Grant{va.GrantSensitive}}, "malformed user")
	}
	p := &va.Principal{Name: "weird", Grants: []va.Grant{"everything", va.GrantSensitive}}
	if e.Allowed(p, va.PermReadSensitive, va.Resource{Kind: va.KindCustomer}) {
		t.Error("an unknown grant counts as the sensitive grant")
	}
}

// TestFailClosed: once an assignment update has failed, everything is
// denied until a SetUsers succeeds.
func TestFailClosed(t *testing.T) {
	u := user("aud", "audit", va.RoleAuditor)
	e := newEnforcer(t, u)
	e.failed = errFormat // any error: casbin gives no way to make it fail
	deniedEverything(t, e, va.PrincipalOf(u), "after a failed update")
	if e.Err() == nil {
		t.Error("Err() = nil after a failure")
	}
	e.SetUsers([]*va.User{u})
	if e.Err() != nil || !e.Allowed(va.PrincipalOf(u), va.PermRead, va.Resource{Kind: va.KindJournal}) {
		t.Errorf("SetUsers did not recover: Err() = %v", e.Err())
	}
}

// TestTwoEnforcers: each has its own model; two sharing one silently
// denied everything (STACK.md).
func TestTwoEnforcers(t *testing.T) {
	a := newEnforcer(t, user("x", "audit", va.RoleAuditor))
	b := newEnforcer(t, user("x", "it", va.RoleSysadmin))
	p := &va.Principal{Name: "x"}
	journal := va.Resource{Kind: va.KindJournal}
	if !a.Allowed(p, va.PermRead, journal) || b.Allowed(p, va.PermRead, journal) {
		t.Error("two enforcers share their state")
	}
}

// TestConcurrentUse runs decisions while users change, for the race
// detector, and checks that a user never seen as auditor is never allowed
// the journal.
func TestConcurrentUse(t *testing.T) {
	e := newEnforcer(t, user("dora", "audit", va.RoleAuditor), user("sys", "it", va.RoleSysadmin))
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 200 {
			role := va.RoleAuditor
			if i%2 == 1 {
				role = va.RoleManager
			}
			e.PutUser(user("dora", "audit", role))
			if i%50 == 0 {
				e.SetUsers([]*va.User{user("dora", "audit", role), user("sys", "it", va.RoleSysadmin)})
			}
		}
	})
	for range 2 {
		wg.Go(func() {
			for range 200 {
				e.Allowed(&va.Principal{Name: "dora"}, va.PermRead, va.Resource{Kind: va.KindJournal})
				e.Scope(&va.Principal{Name: "dora"}, va.PermRead, va.KindRecord)
				if e.Allowed(&va.Principal{Name: "sys"}, va.PermRead, va.Resource{Kind: va.KindJournal}) {
					t.Error("sysadmin read the journal during updates")
				}
			}
		})
	}
	wg.Wait()
}

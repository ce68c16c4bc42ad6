package policy

import (
	"math/rand/v2"
	"slices"
	"testing"

	va "github.com/visitarchive/visitarchive"
)

// propertyUsers are single roles and the combinations that make Scope
// merge clauses: a supervisor of two departments, an employee who also
// heads another department, marketing with the grant, two roles at once,
// and users whose objects are broken.
func propertyUsers() []*va.User {
	return []*va.User{
		user("emp", "sales", va.RoleEmployee),
		heads(user("sup2", "sales"), "sales", "export"),
		heads(user("empsup", "sales", va.RoleEmployee), "export"),
		heads(user("empsup-same", "sales", va.RoleEmployee), "sales"),
		user("mkt", "marketing", va.RoleMarketing),
		withGrant(user("mkt-g", "marketing", va.RoleMarketing)),
		withGrant(user("svc-g", "service", va.RoleService)),
		user("arc", "admin", va.RoleArchivist),
		user("aud", "audit", va.RoleAuditor),
		user("mgr", "board", va.RoleManager),
		user("sys", "it", va.RoleSysadmin),
		user("mgr-arc", "board", va.RoleManager, va.RoleArchivist),
		withGrant(user("mkt-emp", "sales", va.RoleMarketing, va.RoleEmployee)),
		user("star", "*", va.RoleEmployee),       // a department that is no id: nothing
		user("norole", "sales", va.Role("boss")), // an unknown role: nothing
		{Name: "off", Department: "sales", Roles: []va.Role{va.RoleAuditor}, Disabled: true},
	}
}

// principals returns the callers of the property tests: each user as
// signed in, plus one carrying a grant the user does not hold and one
// that is no user at all.
func principals(users []*va.User) []*va.Principal {
	var ps []*va.Principal
	for _, u := range users {
		ps = append(ps, va.PrincipalOf(u))
	}
	stale := va.PrincipalOf(users[4]) // mkt, claiming the grant
	stale.Grants = []va.Grant{va.GrantSensitive}
	return append(ps, stale, &va.Principal{Name: "ghost", Roles: []va.Role{va.RoleAuditor}})
}

// randomResource returns a resource of kind that may or may not concern p.
func randomResource(r *rand.Rand, kind va.ResourceKind, p *va.Principal) va.Resource {
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	res := va.Resource{
		Kind:       kind,
		Department: pick("sales", "export", "marketing", "", "*", "-"),
		Owner:      va.UserName(pick(string(p.Name), "someone", "")),
		Status:     va.RecordStatus(pick("draft", "submitted", "returned", "approved", "archived", "")),
	}
	for _, who := range []va.UserName{p.Name, "someone", "third"} {
		if r.IntN(2) == 0 {
			res.Participants = append(res.Participants, who)
		}
	}
	return res
}

// samples is how many random resources to try per case: more for records
// and plans, where departments and states vary, than for the rest, where
// only who asks matters. Enough to find every mutation tried by hand,
// few enough for -race.
func samples(kind va.ResourceKind) int {
	if departmental(kind) {
		return 40
	}
	return 8
}

// TestScopeMatchesAllowed checks the promise of visitarchive.Authorizer:
// Allowed(p, act, res) == Scope(p, act, res.Kind).Match(res).
func TestScopeMatchesAllowed(t *testing.T) {
	t.Parallel()
	users := propertyUsers()
	e := newEnforcer(t, users...)
	r := rand.New(rand.NewPCG(1, 2))
	for _, p := range principals(users) {
		for _, kind := range kinds {
			for _, act := range actions {
				scope := e.Scope(p, act, kind)
				checkScopeShape(t, p, act, kind, scope)
				for range samples(kind) {
					res := randomResource(r, kind, p)
					if got, want := scope.Match(res), e.Allowed(p, act, res); got != want {
						t.Errorf("%s %s %+v: Scope %+v matches: %v, Allowed: %v", p.Name, act, res, scope, got, want)
					}
				}
			}
		}
	}
}

// checkScopeShape fails on a scope an index would misread: an empty
// non-nil list (matches nothing), or clauses beside All.
func checkScopeShape(t *testing.T, p *va.Principal, act va.Action, kind va.ResourceKind, s va.Scope) {
	t.Helper()
	if s.All && len(s.Clauses) > 0 {
		t.Errorf("%s %s %s: scope is All and has clauses: %+v", p.Name, act, kind, s)
	}
	for _, c := range s.Clauses {
		if (c.Departments != nil && len(c.Departments) == 0) || (c.Statuses != nil && len(c.Statuses) == 0) {
			t.Errorf("%s %s %s: clause with an empty list: %+v", p.Name, act, kind, c)
		}
		if c.Departments == nil && c.Owner == "" && c.Participant == "" && c.Statuses == nil {
			t.Errorf("%s %s %s: empty clause instead of All: %+v", p.Name, act, kind, s)
		}
	}
}

// TestSensitiveWithinRead: whoever may read the sensitive fields of a
// resource may read the resource.
func TestSensitiveWithinRead(t *testing.T) {
	t.Parallel()
	users := propertyUsers()
	e := newEnforcer(t, users...)
	r := rand.New(rand.NewPCG(3, 4))
	for _, p := range principals(users) {
		for _, kind := range kinds {
			for range 2 * samples(kind) {
				res := randomResource(r, kind, p)
				if e.Allowed(p, va.ActReadSensitive, res) && !e.Allowed(p, va.ActRead, res) {
					t.Errorf("%s may read the sensitive fields of %+v but not read it", p.Name, res)
				}
			}
		}
	}
}

// TestUpdateWithinRead: whoever may change a record or plan may read it.
func TestUpdateWithinRead(t *testing.T) {
	t.Parallel()
	users := propertyUsers()
	e := newEnforcer(t, users...)
	r := rand.New(rand.NewPCG(5, 6))
	for _, p := range principals(users) {
		for _, kind := range []va.ResourceKind{va.KindRecord, va.KindPlan} {
			for range 2 * samples(kind) {
				res := randomResource(r, kind, p)
				for _, act := range []va.Action{va.ActUpdate, va.ActReview, va.ActArchive, va.ActExport} {
					if e.Allowed(p, act, res) && !e.Allowed(p, va.ActRead, res) {
						t.Errorf("%s may %s %+v but not read it", p.Name, act, res)
					}
				}
			}
		}
	}
}

// TestScopeShapes pins a few scopes an index will see, so that a change
// in how clauses merge is noticed.
func TestScopeShapes(t *testing.T) {
	users := propertyUsers()
	e := newEnforcer(t, users...)
	released := []va.RecordStatus{va.StatusApproved, va.StatusArchived}
	tests := []struct {
		who  va.UserName
		act  va.Action
		kind va.ResourceKind
		want va.Scope
	}{
		{"aud", va.ActRead, va.KindRecord, va.Scope{All: true}},
		{"emp", va.ActRead, va.KindCustomer, va.Scope{All: true}},
		{"emp", va.ActRead, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{
			{Owner: "emp"},
			{Participant: "emp"},
		}}},
		{"emp", va.ActUpdate, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{
			{Owner: "emp", Statuses: []va.RecordStatus{va.StatusDraft, va.StatusReturned}},
		}}},
		{"sup2", va.ActReview, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{
			{Departments: []string{"export", "sales"}},
		}}},
		{"mkt", va.ActRead, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{{Statuses: released}}}},
		{"mkt", va.ActReadSensitive, va.KindRecord, va.Scope{}},
		{"mkt-g", va.ActReadSensitive, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{{Statuses: released}}}},
		{"mgr-arc", va.ActExport, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{{Statuses: released}}}},
		{"sys", va.ActRead, va.KindRecord, va.Scope{}},
		{"off", va.ActRead, va.KindJournal, va.Scope{}},
		{"ghost", va.ActRead, va.KindJournal, va.Scope{}},
	}
	for _, tt := range tests {
		p := &va.Principal{Name: tt.who, Grants: []va.Grant{va.GrantSensitive}}
		if got := e.Scope(p, tt.act, tt.kind); !sameScope(got, tt.want) {
			t.Errorf("Scope(%s, %s, %s) = %+v, want %+v", tt.who, tt.act, tt.kind, got, tt.want)
		}
	}
}

func sameScope(a, b va.Scope) bool {
	return a.All == b.All && slices.EqualFunc(a.Clauses, b.Clauses, func(x, y va.ScopeClause) bool {
		return slices.Equal(x.Departments, y.Departments) && x.Owner == y.Owner &&
			x.Participant == y.Participant && slices.Equal(x.Statuses, y.Statuses)
	})
}

package policy

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
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
		heads(user("mgr-sup", "board", va.RoleManager), "sales"),
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
		Department: va.DepartmentID(pick("sales", "export", "marketing", "", "*", "-")),
		Owner:      va.UserName(pick(string(p.Name), "someone", "")),
		Status:     va.RecordStatus(pick("draft", "submitted", "returned", "approved", "rejected", "archived", "")),
		Major:      r.IntN(2) == 0,
	}
	for _, who := range []va.UserName{p.Name, "someone", "third"} {
		if r.IntN(2) == 0 {
			res.Participants = append(res.Participants, who)
		}
	}
	return res
}

// samples is how many random resources to try per case: more for records
// and plans, where departments, states and majorness vary, than for the
// rest, where only who asks matters. Enough to find every mutation tried
// by hand, few enough for -race.
func samples(kind va.ResourceKind) int {
	if departmental(kind) {
		return 60
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
						t.Errorf("%s %s %+v: Scope %s matches: %v, Allowed: %v", p.Name, act, res, showScope(scope), got, want)
					}
				}
			}
		}
	}
}

// checkScopeShape fails on a scope an index would misread: an empty
// non-nil list (matches nothing), or clauses beside All.
func checkScopeShape(t *testing.T, p *va.Principal, act va.Permission, kind va.ResourceKind, s va.Scope) {
	t.Helper()
	if s.All && len(s.Clauses) > 0 {
		t.Errorf("%s %s %s: scope is All and has clauses: %+v", p.Name, act, kind, s)
	}
	for _, c := range s.Clauses {
		if (c.Departments != nil && len(c.Departments) == 0) || (c.Statuses != nil && len(c.Statuses) == 0) {
			t.Errorf("%s %s %s: clause with an empty list: %+v", p.Name, act, kind, c)
		}
		if c.Departments == nil && c.Owner == "" && c.Participant == "" && c.Statuses == nil && c.Major == nil {
			t.Errorf("%s %s %s: empty clause instead of All: %+v", p.Name, act, kind, s)
		}
	}
}

// TestIntersect checks visitarchive.Scope.Intersect on the scopes the
// policy gives: the intersection matches what both scopes match.
func TestIntersect(t *testing.T) {
	t.Parallel()
	users := propertyUsers()
	e := newEnforcer(t, users...)
	ps := principals(users)
	r := rand.New(rand.NewPCG(7, 8))
	for _, kind := range []va.ResourceKind{va.KindRecord, va.KindPlan} {
		var scopes []va.Scope
		for _, p := range ps {
			for _, act := range actions {
				scopes = append(scopes, e.Scope(p, act, kind))
			}
		}
		for range 2000 {
			a, b := scopes[r.IntN(len(scopes))], scopes[r.IntN(len(scopes))]
			both := a.Intersect(b)
			for range 4 {
				res := randomResource(r, kind, ps[r.IntN(len(ps))])
				if got, want := both.Match(res), a.Match(res) && b.Match(res); got != want {
					t.Errorf("%s ∩ %s = %s matches %+v: %v, want %v",
						showScope(a), showScope(b), showScope(both), res, got, want)
				}
			}
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
				if e.Allowed(p, va.PermReadSensitive, res) && !e.Allowed(p, va.PermRead, res) {
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
				for _, act := range []va.Permission{va.PermUpdate, va.PermReview, va.PermArchive, va.PermAnnotate, va.PermExport} {
					if e.Allowed(p, act, res) && !e.Allowed(p, va.PermRead, res) {
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
	released := []va.RecordStatus{va.StatusApproved, va.StatusArchived, va.StatusCancelled}
	archived := []va.RecordStatus{va.StatusArchived}
	approved := []va.RecordStatus{va.StatusApproved}
	yes, no := true, false
	tests := []struct {
		who  va.UserName
		act  va.Permission
		kind va.ResourceKind
		want va.Scope
	}{
		{"aud", va.PermRead, va.KindRecord, va.Scope{All: true}},
		{"emp", va.PermRead, va.KindCustomer, va.Scope{All: true}},
		{"emp", va.PermRead, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{
			{Owner: "emp"},
			{Participant: "emp"},
		}}},
		{"emp", va.PermUpdate, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{
			{Owner: "emp", Statuses: []va.RecordStatus{va.StatusDraft, va.StatusReturned}},
		}}},
		{"emp", va.PermUpdate, va.KindPlan, va.Scope{Clauses: []va.ScopeClause{
			{Owner: "emp", Statuses: []va.RecordStatus{va.StatusDraft, va.StatusApproved}},
			{Participant: "emp", Statuses: approved},
		}}},
		{"emp", va.PermAnnotate, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{
			{Owner: "emp", Statuses: archived},
			{Participant: "emp", Statuses: archived},
		}}},
		{"sup2", va.PermReview, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{
			{Departments: []va.DepartmentID{"export", "sales"}},
		}}},
		{"sup2", va.PermReview, va.KindPlan, va.Scope{Clauses: []va.ScopeClause{
			{Departments: []va.DepartmentID{"export", "sales"}, Major: &no},
		}}},
		{"sup2", va.PermAnnotate, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{
			{Departments: []va.DepartmentID{"export", "sales"}, Statuses: archived},
		}}},
		{"mgr", va.PermReview, va.KindPlan, va.Scope{Clauses: []va.ScopeClause{{Major: &yes}}}},
		{"mgr-sup", va.PermReview, va.KindPlan, va.Scope{Clauses: []va.ScopeClause{
			{Departments: []va.DepartmentID{"sales"}, Major: &no},
			{Major: &yes},
		}}},
		{"arc", va.PermAnnotate, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{{Statuses: archived}}}},
		{"mkt", va.PermRead, va.KindPlan, va.Scope{Clauses: []va.ScopeClause{{Statuses: released}}}},
		{"mkt", va.PermRead, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{{Statuses: released}}}},
		{"mkt", va.PermReadSensitive, va.KindRecord, va.Scope{}},
		{"mkt-g", va.PermReadSensitive, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{{Statuses: released}}}},
		{"mgr-arc", va.PermExport, va.KindRecord, va.Scope{Clauses: []va.ScopeClause{{Statuses: released}}}},
		{"sys", va.PermRead, va.KindRecord, va.Scope{}},
		{"off", va.PermRead, va.KindJournal, va.Scope{}},
		{"ghost", va.PermRead, va.KindJournal, va.Scope{}},
	}
	for _, tt := range tests {
		p := &va.Principal{Name: tt.who, Grants: []va.Grant{va.GrantSensitive}}
		if got := e.Scope(p, tt.act, tt.kind); !sameScope(got, tt.want) {
			t.Errorf("Scope(%s, %s, %s) = %s, want %s", tt.who, tt.act, tt.kind, showScope(got), showScope(tt.want))
		}
	}
}

func sameScope(a, b va.Scope) bool {
	return a.All == b.All && slices.EqualFunc(a.Clauses, b.Clauses, func(x, y va.ScopeClause) bool {
		return slices.Equal(x.Departments, y.Departments) && x.Owner == y.Owner &&
			x.Participant == y.Participant && slices.Equal(x.Statuses, y.Statuses) &&
			sameMajor(x.Major, y.Major)
	})
}

// showScope prints s with Major as a value rather than a pointer.
func showScope(s va.Scope) string {
	if s.All {
		return "all"
	}
	var b strings.Builder
	for _, c := range s.Clauses {
		major := "any"
		if c.Major != nil {
			major = strconv.FormatBool(*c.Major)
		}
		fmt.Fprintf(&b, "{Departments:%q Owner:%q Participant:%q Statuses:%q Major:%s}",
			c.Departments, c.Owner, c.Participant, c.Statuses, major)
	}
	return "[" + b.String() + "]"
}

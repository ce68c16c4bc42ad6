package policy

import (
	_ "embed"
	"fmt"
	"slices"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"github.com/visitarchive/visitarchive"
)

//go:embed model.conf
var modelText string

//go:embed permissions.csv
var permissionsCSV string

// Enforcer decides requests with the embedded model and permission table
// and the role assignments of the users it was given. It is safe for
// concurrent use.
type Enforcer struct {
	// se is the synchronised enforcer: the cached one kept allowing revoked
	// users (STACK.md). Its lock also guards a read of the grants together
	// with the decision that uses them.
	se    *casbin.SyncedEnforcer
	table []rule

	// failed, guarded by se's lock, makes every decision a denial; see Err.
	failed error
}

var _ visitarchive.Authorizer = (*Enforcer)(nil)

// New returns an Enforcer with the embedded model and permission table and
// no users yet: until SetUsers or PutUser, it denies everything.
func New() (*Enforcer, error) {
	table, err := parseTable(permissionsCSV)
	if err != nil {
		return nil, err
	}
	// Each enforcer gets its own model object: two enforcers sharing one
	// silently denied everything (STACK.md).
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("policy: model.conf: %w", err)
	}
	se, err := casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("policy: new enforcer: %w", err)
	}
	e := &Enforcer{se: se, table: table}
	se.AddFunction("cond", cond)
	if _, err := se.AddPolicies(policyRows(table)); err != nil {
		return nil, fmt.Errorf("policy: load permissions.csv: %w", err)
	}
	return e, nil
}

// Table returns the permission table, one row per permission as role,
// kind, action, condition, in the order of permissions.csv.
func (e *Enforcer) Table() [][]string { return policyRows(e.table) }

// Allowed reports whether p may do act on res. The roles and departments
// are those of p.Name as last given to SetUsers or PutUser, never those
// p carries, so a change of roles takes effect at once; an unknown or
// disabled user is denied everything.
func (e *Enforcer) Allowed(p *visitarchive.Principal, act visitarchive.Permission, res visitarchive.Resource) bool {
	if p == nil || p.Name == "" {
		return false
	}
	mu := e.se.GetLock()
	mu.RLock()
	defer mu.RUnlock()
	if e.failed != nil {
		return false
	}
	obj := &attrs{res: res, name: p.Name, granted: e.granted(p)}
	ok, err := e.se.Enforcer.Enforce(subject(p.Name), requestDomain(res), string(res.Kind), string(act), obj)
	// An error means a broken model or table, which the tests catch;
	// deny rather than guess.
	return err == nil && ok
}

// granted reports whether p holds the sensitive grant: p must carry it
// and the user must still hold it, so that revoking it takes effect at
// once even for a principal made before. Callers hold the lock.
func (e *Enforcer) granted(p *visitarchive.Principal) bool {
	if !p.Granted(visitarchive.GrantSensitive) {
		return false
	}
	ok, err := e.se.Enforcer.HasNamedGroupingPolicy("g2", subject(p.Name), grantRole(visitarchive.GrantSensitive))
	return err == nil && ok
}

// subject is the casbin subject of a user. The prefix keeps users apart
// from roles in the role graph: without it a user named "marketing" would
// pass its own roles on to everyone holding the marketing role.
func subject(name visitarchive.UserName) string { return "u:" + string(name) }

// grantRole is how a grant is kept in g2; no permission row names it.
func grantRole(g visitarchive.Grant) string { return "grant:" + string(g) }

// anyDepartment is the domain of a role held for every department.
const anyDepartment = "*"

// noDepartment is the request domain of a record or plan whose department
// is unknown: no department id looks like it (visitarchive.ValidID), so
// only roles held for every department match it.
const noDepartment = "-"

// departmental reports whether resources of kind belong to a department,
// so that a role counts only in the departments where it is held.
func departmental(kind visitarchive.ResourceKind) bool {
	return kind == visitarchive.KindRecord || kind == visitarchive.KindPlan
}

// requestDomain is r.dom of the model: the department of a record or
// plan, "" for a kind that belongs to no department.
func requestDomain(res visitarchive.Resource) string {
	switch {
	case !departmental(res.Kind):
		return ""
	case res.Department == "":
		return noDepartment
	}
	return string(res.Department)
}

// sortedUnique sorts s and drops repeats.
func sortedUnique[T ~string](s []T) []T {
	slices.Sort(s)
	return slices.Compact(s)
}

package policy

import (
	"fmt"
	"slices"

	"github.com/visitarchive/visitarchive"
)

// SetUsers replaces every role assignment with those of users: each
// enabled user holds their roles in their domains (see the package
// documentation) and their grants; a disabled user holds nothing. A user
// named twice counts as the last one. Decisions see either the old
// assignments or the new ones, never a mix.
func (e *Enforcer) SetUsers(users []*visitarchive.User) {
	latest := map[visitarchive.UserName]*visitarchive.User{}
	for _, u := range users {
		if u != nil {
			latest[u.Name] = u
		}
	}
	var g, g2 [][]string
	for _, u := range latest {
		ug, ug2 := assignments(u)
		g, g2 = append(g, ug...), append(g2, ug2...)
	}
	mu := e.se.GetLock()
	mu.Lock()
	defer mu.Unlock()
	e.failed = nil
	e.fail(e.clear("g"))
	e.fail(e.clear("g2"))
	e.fail(e.add(g, g2))
}

// PutUser replaces the role assignments of u.Name with those of u, for a
// user created, changed or disabled at run time. It takes effect for the
// next decision, also for principals made before.
func (e *Enforcer) PutUser(u *visitarchive.User) {
	if u == nil {
		return
	}
	g, g2 := assignments(u)
	mu := e.se.GetLock()
	mu.Lock()
	defer mu.Unlock()
	for _, ptype := range []string{"g", "g2"} {
		if _, err := e.se.Enforcer.RemoveFilteredNamedGroupingPolicy(ptype, 0, subject(u.Name)); err != nil {
			e.fail(fmt.Errorf("policy: revoke %s of %s: %w", ptype, u.Name, err))
		}
	}
	e.fail(e.add(g, g2))
}

// fail records the first error of an assignment update. Callers hold the
// lock.
func (e *Enforcer) fail(err error) {
	if err != nil && e.failed == nil {
		e.failed = err
	}
}

// Err returns the error that made the enforcer deny everything, or nil.
// Casbin fails to change role assignments only on a bug, but if it ever
// does, a revoked role might survive; so from then on every decision is
// a denial, until a SetUsers succeeds.
func (e *Enforcer) Err() error {
	mu := e.se.GetLock()
	mu.RLock()
	defer mu.RUnlock()
	return e.failed
}

// clear removes every rule of ptype. Callers hold the lock.
func (e *Enforcer) clear(ptype string) error {
	rules, err := e.se.Enforcer.GetNamedGroupingPolicy(ptype)
	if err == nil && len(rules) > 0 {
		_, err = e.se.Enforcer.RemoveNamedGroupingPolicies(ptype, rules)
	}
	if err != nil {
		return fmt.Errorf("policy: clear %s: %w", ptype, err)
	}
	return nil
}

// add adds the g and g2 rules. Callers hold the lock.
func (e *Enforcer) add(g, g2 [][]string) error {
	for ptype, rules := range map[string][][]string{"g": g, "g2": g2} {
		if len(rules) == 0 {
			continue
		}
		if _, err := e.se.Enforcer.AddNamedGroupingPoliciesEx(ptype, rules); err != nil {
			return fmt.Errorf("policy: assign %s: %w", ptype, err)
		}
	}
	return nil
}

// assignments returns the g rules (user, role, domain) and g2 rules
// (user, role) and (user, grant) of u. Unknown roles and grants and
// malformed department ids give nothing, so that a bad user object can
// only lose rights, never gain them: a department named "*" would
// otherwise stand for all of them.
func assignments(u *visitarchive.User) (g, g2 [][]string) {
	if u.Disabled || !visitarchive.ValidUserName(string(u.Name)) {
		return nil, nil
	}
	sub := subject(u.Name)
	for _, r := range heldRoles(u) {
		domains := roleDomains(u, r)
		for _, d := range domains {
			g = append(g, []string{sub, string(r), d})
		}
		if len(domains) > 0 {
			g2 = append(g2, []string{sub, string(r)})
		}
	}
	if len(roleDomains(u, visitarchive.RoleEmployee)) > 0 && slices.Contains(heldRoles(u), visitarchive.RoleEmployee) {
		g = append(g, []string{sub, selfRole, anyDepartment})
		g2 = append(g2, []string{sub, selfRole})
	}
	for _, gr := range sortedUnique(slices.Clone(u.Grants)) {
		if slices.Contains(visitarchive.Grants, string(gr)) {
			g2 = append(g2, []string{sub, grantRole(gr)})
		}
	}
	return g, g2
}

// selfRole is held by every employee in every department: the rows of
// their own records and plans and of the visits they took part in, which
// follow the person rather than the department.
const selfRole = "self"

// heldRoles returns the roles of u, sorted, without roles that break
// separation of duties: User.Validate refuses a sysadmin who also holds a
// role that reads content (visitarchive.ContentRoles), and should such a
// user reach the policy anyway (an object stored before the rule), it
// holds neither the sysadmin role nor those roles.
func heldRoles(u *visitarchive.User) []visitarchive.Role {
	roles := sortedUnique(slices.Clone(u.Roles))
	if !slices.Contains(roles, visitarchive.RoleSysadmin) ||
		!slices.ContainsFunc(roles, func(r visitarchive.Role) bool { return slices.Contains(visitarchive.ContentRoles, r) }) {
		return roles
	}
	return slices.DeleteFunc(roles, func(r visitarchive.Role) bool {
		return r == visitarchive.RoleSysadmin || slices.Contains(visitarchive.ContentRoles, r)
	})
}

// roleDomains returns the departments where u holds role r: an employee
// works in their own department; a supervisor acts for the departments
// they head (their own only if they head it: filing their own visits
// needs the employee role too); every other role serves all departments.
func roleDomains(u *visitarchive.User, r visitarchive.Role) []string {
	switch {
	case r == visitarchive.RoleEmployee:
		return validDepartments([]string{string(u.Department)})
	case r == visitarchive.RoleSupervisor:
		return validDepartments(names(u.Heads))
	case slices.Contains(visitarchive.Roles, string(r)):
		return []string{anyDepartment}
	}
	return nil
}

func validDepartments(ids []string) []string {
	var ok []string
	for _, id := range ids {
		if visitarchive.ValidID(id) {
			ok = append(ok, id)
		}
	}
	return sortedUnique(ok)
}

// names untypes department ids for the policy's tables.
func names(ids []visitarchive.DepartmentID) []string {
	out := make([]string, len(ids))
	for i, d := range ids {
		out[i] = string(d)
	}
	return out
}

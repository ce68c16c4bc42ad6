package policy

import (
	"slices"
	"strings"

	"github.com/visitarchive/visitarchive"
)

// Scope returns the resources of kind that p may do act on, as filters:
// each permission row that applies to one of p's roles becomes one
// clause. It reads the same rows and role assignments as Allowed, so for
// every res of kind, Allowed(p, act, res) == Scope(p, act, kind).Match(res).
func (e *Enforcer) Scope(p *visitarchive.Principal, act visitarchive.Permission, kind visitarchive.ResourceKind) visitarchive.Scope {
	if p == nil || p.Name == "" {
		return visitarchive.Scope{}
	}
	mu := e.se.GetLock()
	mu.RLock()
	defer mu.RUnlock()
	if e.failed != nil {
		return visitarchive.Scope{}
	}
	held := e.domains(p.Name, kind)
	granted := e.granted(p)
	rows, err := e.se.Enforcer.GetFilteredPolicy(1, string(kind), string(act))
	if err != nil {
		return visitarchive.Scope{} // as Allowed: deny on a broken table
	}
	var clauses []visitarchive.ScopeClause
	for _, row := range rows {
		depts, ok := held[visitarchive.Role(row[0])]
		if !ok {
			continue
		}
		if c, ok := clauseOf(row[3], depts, p.Name, granted); ok {
			clauses = append(clauses, c)
		}
	}
	return simplify(clauses)
}

// domains returns the roles name holds that count for kind, each with its
// departments; nil departments means all of them. For a kind that belongs
// to no department a role counts wherever it is held (g2), as in the
// model's matcher. Callers hold the lock.
func (e *Enforcer) domains(name visitarchive.UserName, kind visitarchive.ResourceKind) map[visitarchive.Role][]string {
	held := map[visitarchive.Role][]string{}
	if !departmental(kind) {
		rows, _ := e.se.Enforcer.GetFilteredNamedGroupingPolicy("g2", 0, subject(name))
		for _, row := range rows {
			held[visitarchive.Role(row[1])] = nil
		}
		return held
	}
	rows, _ := e.se.Enforcer.GetFilteredNamedGroupingPolicy("g", 0, subject(name))
	all := map[visitarchive.Role]bool{}
	for _, row := range rows {
		r := visitarchive.Role(row[1])
		all[r] = all[r] || row[2] == anyDepartment
		held[r] = append(held[r], row[2])
	}
	for r := range held {
		if all[r] {
			held[r] = nil
		} else {
			held[r] = sortedUnique(held[r])
		}
	}
	return held
}

// clauseOf turns the condition of one row into a clause over depts. It
// reports false when the row cannot apply: a grant p lacks, or states
// (or major and ordinary) that exclude each other.
func clauseOf(cond string, depts []string, name visitarchive.UserName, granted bool) (visitarchive.ScopeClause, bool) {
	c := visitarchive.ScopeClause{Departments: departmentIDs(depts)}
	for part := range strings.SplitSeq(cond, "+") {
		switch part {
		case "any":
		case "own":
			c.Owner = name
		case "participant":
			c.Participant = name
		case "granted":
			if !granted {
				return c, false
			}
		case "major", "ordinary":
			want := majorConditions[part]
			if c.Major != nil && *c.Major != want {
				return c, false
			}
			c.Major = &want
		default:
			states, ok := statusConditions[part]
			if !ok {
				return c, false // as holds: an unknown condition never holds
			}
			c.Statuses = narrow(c.Statuses, states)
			if len(c.Statuses) == 0 {
				return c, false
			}
		}
	}
	return c, true
}

// narrow returns the states of have that allow also lists; nil have means
// every state.
func narrow(have, allow []visitarchive.RecordStatus) []visitarchive.RecordStatus {
	if have == nil {
		return slices.Clone(allow)
	}
	var both []visitarchive.RecordStatus
	for _, s := range have {
		if slices.Contains(allow, s) {
			both = append(both, s)
		}
	}
	return both
}

// simplify drops clauses that another covers and merges pairs that differ
// in one list only, so that an index gets few filters. A clause with no
// filter at all makes the scope everything.
func simplify(cs []visitarchive.ScopeClause) visitarchive.Scope {
	for again := true; again; {
		cs, again = simplifyOnce(cs)
	}
	for _, c := range cs {
		if c.Departments == nil && c.Owner == "" && c.Participant == "" && c.Statuses == nil && c.Major == nil {
			return visitarchive.Scope{All: true}
		}
	}
	return visitarchive.Scope{Clauses: cs}
}

// simplifyOnce makes the first simplification it finds and reports
// whether it found one.
func simplifyOnce(cs []visitarchive.ScopeClause) ([]visitarchive.ScopeClause, bool) {
	for i := range cs {
		for j := range cs {
			if i == j {
				continue
			}
			if covers(cs[i], cs[j]) {
				return slices.Delete(cs, j, j+1), true
			}
			if m, ok := merge(cs[i], cs[j]); ok {
				cs[i] = m
				return slices.Delete(cs, j, j+1), true
			}
		}
	}
	return cs, false
}

// covers reports whether a matches every resource that b matches.
func covers(a, b visitarchive.ScopeClause) bool {
	return within(b.Departments, a.Departments) && within(b.Statuses, a.Statuses) &&
		(a.Owner == "" || a.Owner == b.Owner) &&
		(a.Participant == "" || a.Participant == b.Participant) &&
		(a.Major == nil || b.Major != nil && *a.Major == *b.Major)
}

// sameMajor reports whether a and b ask the same of Resource.Major.
func sameMajor(a, b *bool) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// within reports whether list b allows no more than list a (nil: all).
func within[T comparable](b, a []T) bool {
	if a == nil {
		return true
	}
	if b == nil {
		return false
	}
	for _, v := range b {
		if !slices.Contains(a, v) {
			return false
		}
	}
	return true
}

// merge joins a and b into one clause when they differ only in their
// departments, only in their states, or only in major against ordinary:
// (A and X) or (A and Y) is A and (X or Y).
func merge(a, b visitarchive.ScopeClause) (visitarchive.ScopeClause, bool) {
	if a.Owner != b.Owner || a.Participant != b.Participant {
		return a, false
	}
	sameDepts := within(a.Departments, b.Departments) && within(b.Departments, a.Departments)
	sameStates := within(a.Statuses, b.Statuses) && within(b.Statuses, a.Statuses)
	switch {
	case !sameMajor(a.Major, b.Major):
		if !sameDepts || !sameStates || a.Major == nil || b.Major == nil {
			return a, false
		}
		a.Major = nil // major or ordinary: either
	case sameDepts:
		a.Statuses = sortStates(union(a.Statuses, b.Statuses))
	case sameStates:
		a.Departments = sortedUnique(union(a.Departments, b.Departments))
	default:
		return a, false
	}
	return a, true
}

// union joins two lists where nil means all.
func union[T comparable](a, b []T) []T {
	if a == nil || b == nil {
		return nil
	}
	out := slices.Clone(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// stateOrder is the workflow order, for readable scopes.
var stateOrder = []visitarchive.RecordStatus{
	visitarchive.StatusDraft, visitarchive.StatusSubmitted, visitarchive.StatusReturned,
	visitarchive.StatusApproved, visitarchive.StatusRejected, visitarchive.StatusArchived,
	visitarchive.StatusCancelled,
}

func sortStates(s []visitarchive.RecordStatus) []visitarchive.RecordStatus {
	slices.SortFunc(s, func(a, b visitarchive.RecordStatus) int {
		return slices.Index(stateOrder, a) - slices.Index(stateOrder, b)
	})
	return s
}

// departmentIDs types the department names of a policy row; nil (any
// department) stays nil.
func departmentIDs(depts []string) []visitarchive.DepartmentID {
	if depts == nil {
		return nil
	}
	out := make([]visitarchive.DepartmentID, len(depts))
	for i, d := range depts {
		out[i] = visitarchive.DepartmentID(d)
	}
	return out
}

package visitarchive

// Permission is what a caller wants to do to a resource: what the policy
// allows or refuses. (A journal Change has an Action: what was done.)
type Permission string

// The permissions the policy knows.
const (
	PermRead          Permission = "read"           // see the content
	PermReadSensitive Permission = "read_sensitive" // see contact details and the decision chain
	PermCreate        Permission = "create"
	PermUpdate        Permission = "update"
	PermReview        Permission = "review"   // approve, return or reject (workflow)
	PermArchive       Permission = "archive"  // classify and archive (workflow)
	PermAnnotate      Permission = "annotate" // add a correction to an archived record
	PermExport        Permission = "export"   // bulk export
	PermManage        Permission = "manage"   // users and departments
	PermCancel        Permission = "cancel"   // call off an approved plan (workflow)
	PermAttach        Permission = "attach"   // add a file to a record
	PermWitness       Permission = "witness"  // confirm an approved appraisal list as a witness (监销人)
	PermExecute       Permission = "execute"  // execute a witnessed appraisal list: destroy its records
)

// Kind of resource the policy knows.
type ResourceKind string

// The resource kinds.
const (
	KindRecord     ResourceKind = "record"
	KindPlan       ResourceKind = "plan"
	KindCustomer   ResourceKind = "customer"
	KindUser       ResourceKind = "user"
	KindDepartment ResourceKind = "department"
	KindJournal    ResourceKind = "journal"    // the audit trail and verification
	KindAccessLog  ResourceKind = "access_log" // who read what
	KindPaper      ResourceKind = "paper"      // the paper originals, where they are and their loans
	KindScan       ResourceKind = "scan"       // the scan inbox: scans that belong to no record yet
)

// KindDestruction is the destructions of records and their registers
// (销毁清册): read by auditors, archivists and managers.
const KindDestruction ResourceKind = "destruction"

// Resource is what the policy needs to know of one object to decide: its
// kind, the department it belongs to, who created it, who took part, and
// where it stands in its workflow. Zero fields are unknown or not
// applicable (a customer has no department).
type Resource struct {
	Kind         ResourceKind
	Department   DepartmentID
	Owner        UserName
	Participants []UserName
	Status       RecordStatus
	Major        bool // a major plan, decided by a manager
}

// RecordResource returns what the policy needs of r.
func RecordResource(r *Record) Resource {
	return Resource{Kind: KindRecord, Department: r.Department, Owner: r.CreatedBy,
		Participants: r.Visitors, Status: r.Status}
}

// Authorizer decides who may do what; policy/ implements it with Casbin.
// Default is deny: an action or kind the policy does not name is refused.
type Authorizer interface {
	// Allowed reports whether p may do perm on res.
	Allowed(p *Principal, perm Permission, res Resource) bool

	// Scope returns the resources of kind that p may do perm on, as filters
	// an index can apply, so that searches never check hit by hit. For
	// any res of that kind, Allowed(p, perm, res) == Scope(...).Match(res).
	Scope(p *Principal, perm Permission, kind ResourceKind) Scope

	// SetUsers replaces every role assignment with those of users; PutUser
	// replaces those of one user. Roles come only from User objects, and a
	// disabled or unknown user is allowed nothing.
	SetUsers(users []*User)
	PutUser(u *User)
}

// Scope is a set of resources described by filters: everything when All,
// otherwise the resources that match any one of Clauses (none when there
// are no clauses).
type Scope struct {
	All     bool
	Clauses []ScopeClause
}

// ScopeClause matches the resources that meet all of its non-empty fields.
type ScopeClause struct {
	Departments []DepartmentID // the resource belongs to one of these
	Owner       UserName       // the resource was created by this user
	Participant UserName       // this user is one of the participants
	Statuses    []RecordStatus // the resource is in one of these states

	// Major, when not nil, is what Resource.Major must be. Only plans are
	// major or not: the policy refuses the condition on any other kind,
	// so a record scope never sets it and the index, which turns only
	// record scopes into queries, need not know the field.
	Major *bool
}

// Match reports whether res is in the scope.
func (s Scope) Match(res Resource) bool {
	if s.All {
		return true
	}
	for _, c := range s.Clauses {
		if c.Match(res) {
			return true
		}
	}
	return false
}

// Match reports whether res meets every non-empty field of c.
func (c ScopeClause) Match(res Resource) bool {
	switch {
	case c.Departments != nil && !contains(c.Departments, res.Department):
		return false
	case c.Owner != "" && res.Owner != c.Owner:
		return false
	case c.Participant != "" && !contains(res.Participants, c.Participant):
		return false
	case c.Statuses != nil && !contains(c.Statuses, res.Status):
		return false
	case c.Major != nil && res.Major != *c.Major:
		return false
	}
	return true
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Intersect returns the scope of what is in both s and o.
func (s Scope) Intersect(o Scope) Scope {
	switch {
	case s.All:
		return o
	case o.All:
		return s
	}
	out := Scope{Clauses: []ScopeClause{}}
	for _, a := range s.Clauses {
		for _, b := range o.Clauses {
			if c, ok := a.intersect(b); ok {
				out.Clauses = append(out.Clauses, c)
			}
		}
	}
	return out
}

// intersect returns the clause that matches what both a and b match, and
// false when nothing can.
func (a ScopeClause) intersect(b ScopeClause) (ScopeClause, bool) {
	c := ScopeClause{Departments: both(a.Departments, b.Departments), Statuses: both(a.Statuses, b.Statuses)}
	var ok1, ok2, ok3 bool
	c.Owner, ok1 = same(a.Owner, b.Owner)
	c.Participant, ok2 = same(a.Participant, b.Participant)
	c.Major, ok3 = sameFlag(a.Major, b.Major)
	empty := c.Departments != nil && len(c.Departments) == 0 || c.Statuses != nil && len(c.Statuses) == 0
	return c, ok1 && ok2 && ok3 && !empty
}

// both intersects two filter lists where nil means "any".
func both[T comparable](a, b []T) []T {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	out := []T{}
	for _, v := range a {
		if contains(b, v) {
			out = append(out, v)
		}
	}
	return out
}

// same intersects two single-value filters where "" means "any".
func same[T comparable](a, b T) (T, bool) {
	var zero T
	switch {
	case a == zero:
		return b, true
	case b == zero || a == b:
		return a, true
	}
	return zero, false
}

// sameFlag intersects two yes-or-no filters where nil means "any".
func sameFlag(a, b *bool) (*bool, bool) {
	switch {
	case a == nil:
		return b, true
	case b == nil || *a == *b:
		return a, true
	}
	return nil, false
}

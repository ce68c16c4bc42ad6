package visitarchive

import (
	"regexp"
	"slices"
	"strings"
)

// Role is what a user does in the company (DESIGN.md §1); the policy
// grants actions to roles.
type Role string

// The roles.
const (
	RoleEmployee   Role = "employee"   // 业务员: plans visits, files records
	RoleSupervisor Role = "supervisor" // 上级主管: heads departments, reviews
	RoleMarketing  Role = "marketing"  // 市场部
	RoleService    Role = "service"    // 客服部
	RoleArchivist  Role = "archivist"  // 行政部: archives, backups, retention
	RoleAuditor    Role = "auditor"    // 监督小组: reads everything, changes nothing
	RoleManager    Role = "manager"    // 管理层
	RoleSysadmin   Role = "sysadmin"   // 系统管理员: accounts, no record content
)

// Roles lists every role.
var Roles = []string{"employee", "supervisor", "marketing", "service", "archivist", "auditor", "manager", "sysadmin"}

// Grant is an extra permission given to one user on top of their roles.
type Grant string

// GrantSensitive lets marketing or service staff read the sensitive fields
// (contact details, decision chain) of the records they may read.
const GrantSensitive Grant = "sensitive"

// Grants lists every grant.
var Grants = []string{"sensitive"}

// ContentRoles are the roles that read records, plans or customers, or
// the audit trail of them. Separation of duties (三员分立): whoever
// administers accounts holds none of them, so that a sysadmin cannot
// grant themselves the content they administer access to.
var ContentRoles = []Role{RoleEmployee, RoleSupervisor, RoleMarketing, RoleService, RoleArchivist, RoleAuditor, RoleManager}

// User is a person who signs in. Heads lists the departments the user heads
// as a supervisor. A disabled user cannot sign in and their sessions and
// tokens stop working.
type User struct {
	Name        UserName       `json:"name"`
	Version     int            `json:"version"`
	DisplayName string         `json:"display_name"`
	Email       string         `json:"email,omitempty"` // where notifications are mailed, if set
	Department  DepartmentID   `json:"department"`
	Roles       []Role         `json:"roles"`
	Heads       []DepartmentID `json:"heads,omitempty"`
	Grants      []Grant        `json:"grants,omitempty"`
	Disabled    bool           `json:"disabled"`
	// MustChangePassword is set while the user's password is one that
	// someone else chose (an administrator's reset, a new account):
	// until the user chooses their own, they may do nothing else. Kept by
	// the Archive; ignored in requests.
	MustChangePassword bool `json:"must_change_password"`
	// TokensRevoked is how many API tokens of the user the change that
	// answers with this User revoked (disabling a user revokes them
	// all). It is in that answer only, never stored.
	TokensRevoked int `json:"tokens_revoked,omitempty"`
	Audit
}

// Has reports whether u holds role r.
func (u *User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

// Validate reports every field of u that breaks a rule. Departments named
// must exist; the Archive checks that, not Validate.
func (u *User) Validate() error {
	var c checker
	if !ValidUserName(string(u.Name)) {
		c.add("name", "is required: letters, digits, '.', '-' and '_', at most 64, starting with a letter or digit; a '.' only between two other characters, such as li.wei")
	}
	c.text("display_name", u.DisplayName, shortText)
	c.email("email", u.Email)
	if u.Department != "" && !ValidID(string(u.Department)) {
		c.add("department", "is not a valid department id")
	}
	if len(u.Roles) == 0 {
		c.add("roles", "is required: at least one of %v", Roles)
	}
	for i, r := range u.Roles {
		c.oneOf("roles["+itoa(i)+"]", string(r), Roles)
	}
	u.checkDuties(&c)
	if (u.Has(RoleEmployee) || u.Has(RoleSupervisor)) && u.Department == "" {
		c.add("department", "is required for employees and supervisors")
	}
	if len(u.Heads) > 0 && !u.Has(RoleSupervisor) {
		c.add("heads", "only a supervisor heads departments")
	}
	if u.Has(RoleSupervisor) && len(u.Heads) == 0 {
		c.add("heads", "a supervisor heads at least one department")
	}
	for i, d := range u.Heads {
		if !ValidID(string(d)) {
			c.add("heads["+itoa(i)+"]", "is not a valid department id")
		}
	}
	for i, g := range u.Grants {
		c.oneOf("grants["+itoa(i)+"]", string(g), Grants)
	}
	return c.result("user.validate", "user")
}

// checkDuties reports a sysadmin who also holds a content role or a grant
// (separation of duties).
func (u *User) checkDuties(c *checker) {
	if !u.Has(RoleSysadmin) {
		return
	}
	var held []string
	for _, r := range ContentRoles {
		if u.Has(r) {
			held = append(held, string(r))
		}
	}
	if len(held) > 0 {
		c.add("roles", "sysadmin may not be held with %s (separation of duties: a sysadmin holds no role that reads content)", strings.Join(held, ", "))
	}
	if len(u.Grants) > 0 {
		c.add("grants", "a sysadmin holds no grants (separation of duties)")
	}
}

// DepartmentID names a department, such as "sales-eu".
type DepartmentID string

// Department is a unit of the company; records and plans belong to one.
type Department struct {
	ID      DepartmentID `json:"id"` // a short code such as "sales-eu"
	Version int          `json:"version"`
	Name    string       `json:"name"`
	Audit
}

var deptPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// Validate reports every field of d that breaks a rule.
func (d *Department) Validate() error {
	var c checker
	if !deptPattern.MatchString(string(d.ID)) {
		c.add("id", "is required: letters, digits, '-' and '_', at most 64")
	}
	c.required("name", d.Name)
	c.text("name", d.Name, shortText)
	return c.result("department.validate", "department")
}

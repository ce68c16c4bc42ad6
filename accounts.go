package visitarchive

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// Users and departments are objects in the store like everything else
// (users/<name>/<v>.json, departments/<id>/<v>.json). The Archive keeps
// the latest of each in memory, loaded at Open and following the journal,
// and hands the users to the policy, which takes roles from them alone.

// storedUser is a user as the store holds it, with the password hash and
// the session epoch: raising the epoch ends every session of the user.
type storedUser struct {
	User
	PasswordHash string `json:"password_hash,omitempty"`
	Epoch        int    `json:"epoch"`
}

// accounts caches users, departments, sessions and API tokens.
type accounts struct {
	ttl      time.Duration
	users    *cache[UserName, storedUser]
	depts    *cache[string, Department]
	mu       sync.RWMutex
	sessions map[string]*Session     // by the hash of the session token
	tokens   map[string]*storedToken // by token id
}

func (c *accounts) user(name UserName) *storedUser { return c.users.get(name) }

func (c *accounts) dept(id string) *Department { return c.depts.get(id) }

// putUser keeps u unless a newer version is cached.
func (c *accounts) putUser(u *storedUser) bool { return c.users.put(u) }

func (c *accounts) allUsers() []*User {
	all := c.users.all()
	out := make([]*User, len(all))
	for i, u := range all {
		out[i] = &u.User
	}
	return out
}

func (c *accounts) allDepts() []*Department { return c.depts.all() }

// loadAccounts reads the users, departments and API tokens the catalog
// records and gives the users to the policy.
func (a *Archive) loadAccounts(ctx context.Context) error {
	c := &a.accounts
	c.mu.Lock()
	c.sessions, c.tokens = map[string]*Session{}, map[string]*storedToken{}
	c.mu.Unlock()
	if err := c.users.load(ctx, a); err != nil {
		return err
	}
	if err := c.depts.load(ctx, a); err != nil {
		return err
	}
	if err := a.loadCredentials(ctx); err != nil {
		return err
	}
	a.policy.SetUsers(c.allUsers())
	return nil
}

// followAccounts applies a journaled change to users, departments,
// sessions or tokens that another process may have made.
func (a *Archive) followAccounts(ctx context.Context, c Change) error {
	switch {
	case strings.HasPrefix(c.Key, UsersPrefix) && c.Wrote():
		u, err := a.accounts.users.follow(ctx, a, c)
		if u != nil {
			a.policy.PutUser(&u.User)
		}
		return err
	case strings.HasPrefix(c.Key, DepartmentsPrefix) && c.Wrote():
		_, err := a.accounts.depts.follow(ctx, a, c)
		return err
	case strings.HasPrefix(c.Key, SessionsPrefix), strings.HasPrefix(c.Key, TokensPrefix):
		return a.followCredential(ctx, c)
	case strings.HasPrefix(c.Key, DataKeysPrefix) && c.Removed:
		a.dataKeys.forget(dirOf(c.Key))
	}
	return nil
}

// userResource is every user account, as the policy sees it.
var userResource = Resource{Kind: KindUser}

// deptResource is every department, as the policy sees it.
var deptResource = Resource{Kind: KindDepartment}

// CreateUser stores u as version 1, without a password: SetPassword gives
// it one. Departments named must exist.
func (a *Archive) CreateUser(ctx context.Context, u User) (*User, error) {
	const op = "user.create"
	if err := a.allow(ctx, op, ActCreate, userResource); err != nil {
		return nil, err
	}
	if err := a.checkUser(op, &u); err != nil {
		return nil, err
	}
	if a.accounts.user(u.Name) != nil {
		return nil, E(op, Conflict, nil, "user %s already exists", u.Name)
	}
	u.MustChangePassword, u.TokensRevoked = false, 0
	s := &storedUser{User: u}
	s.Version = 1
	s.Audit = a.stamp(ctx, nil)
	return &s.User, a.writeUser(ctx, op, s, "")
}

// checkUser validates u and that its departments exist.
func (a *Archive) checkUser(op string, u *User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	var c checker
	if u.Department != "" && a.accounts.dept(u.Department) == nil {
		c.add("department", "no department %s exists; create it first", u.Department)
	}
	for i, d := range u.Heads {
		if a.accounts.dept(d) == nil {
			c.add("heads["+itoa(i)+"]", "no department %s exists; create it first", d)
		}
	}
	return c.result(op, "user")
}

// stamp returns the Audit of a new version; cur is the previous one.
func (a *Archive) stamp(ctx context.Context, cur *Audit) Audit {
	now, u := a.now().UTC(), ActorFrom(ctx)
	if cur == nil {
		return Audit{CreatedAt: now, CreatedBy: u, UpdatedAt: now, UpdatedBy: u}
	}
	return Audit{CreatedAt: cur.CreatedAt, CreatedBy: cur.CreatedBy, UpdatedAt: now, UpdatedBy: u}
}

// writeUser stores u, journaled as op with detail (for the audit trail)
// and the objects of extra (notifications, already written), which are
// removed again if u cannot be written.
func (a *Archive) writeUser(ctx context.Context, op string, u *storedUser, detail string, extra ...Change) error {
	ch, err := userKind.put(ctx, a, op, u)
	if err == nil {
		ch.Detail = detail
		err = a.commit(ctx, op, ch, u, extra...)
	} else {
		for _, c := range extra {
			a.dropObject(ctx, c.Key)
		}
	}
	if err != nil {
		return err
	}
	if a.accounts.putUser(u) {
		a.policy.PutUser(&u.User)
	}
	return nil
}

// GetUser returns user name, or NotFound.
func (a *Archive) GetUser(ctx context.Context, name UserName) (*User, error) {
	const op = "user.get"
	if err := a.visible(ctx, op, userResource, "user "+string(name)); err != nil {
		return nil, err
	}
	u := a.accounts.user(name)
	if u == nil {
		return nil, E(op, NotFound, nil, "user %s not found", name)
	}
	v := u.User
	return &v, nil
}

// ListUsers returns every user, by name.
func (a *Archive) ListUsers(ctx context.Context) ([]*User, error) {
	if err := a.allow(ctx, "user.list", ActRead, userResource); err != nil {
		return nil, err
	}
	return a.accounts.allUsers(), nil
}

// UpdateUser replaces user u.Name with u (display name, department,
// roles, heads, grants, disabled). u.Version must be current. Disabling a
// user ends their sessions and revokes their API tokens (so that enabling
// them again brings none back); the answer says how many in
// TokensRevoked.
func (a *Archive) UpdateUser(ctx context.Context, u User) (*User, error) {
	const op = "user.update"
	if err := a.allow(ctx, op, ActUpdate, userResource); err != nil {
		return nil, err
	}
	cur := a.accounts.user(u.Name)
	if cur == nil {
		return nil, E(op, NotFound, nil, "user %s not found", u.Name)
	}
	if err := checkVersion(op, "user", string(u.Name), cur.Version, u.Version); err != nil {
		return nil, err
	}
	if err := a.checkUser(op, &u); err != nil {
		return nil, err
	}
	if err := checkSelfChange(op, PrincipalFrom(ctx), &cur.User, &u); err != nil {
		return nil, err
	}
	u.MustChangePassword, u.TokensRevoked = cur.MustChangePassword, 0
	next := &storedUser{User: u, PasswordHash: cur.PasswordHash, Epoch: cur.Epoch}
	next.Version, next.Audit = cur.Version+1, a.stamp(ctx, &cur.Audit)
	if u.Disabled && !cur.Disabled {
		next.Epoch++
	}
	if err := a.writeUser(ctx, op, next, ""); err != nil {
		return nil, err
	}
	v := next.User
	if !u.Disabled && !cur.Disabled {
		return &v, nil
	}
	why := "user disabled by " + string(ActorFrom(ctx))
	if !u.Disabled { // tokens left from before this rule die now
		why = "user enabled by " + string(ActorFrom(ctx)) + "; tokens of a disabled user stay revoked"
	}
	n, err := a.revokeTokensOf(ctx, u.Name, why)
	v.TokensRevoked = n
	return &v, err
}

// checkSelfChange refuses the changes of their own account that a caller
// must leave to another administrator: their roles, heads or grants are
// Forbidden (separation of duties: nobody grants themselves anything),
// and disabling themselves is a Conflict (it would lock out what may be
// the last administrator).
func checkSelfChange(op string, p *Principal, cur, next *User) error {
	if p == nil || p.Name != next.Name {
		return nil
	}
	if !sameSet(cur.Roles, next.Roles) || !sameSet(cur.Heads, next.Heads) || !sameSet(cur.Grants, next.Grants) {
		return E(op, Forbidden, nil, "you cannot change your own roles, heads or grants (separation of duties); ask another sysadmin")
	}
	if next.Disabled {
		return E(op, Conflict, nil, "you cannot disable yourself; ask another sysadmin")
	}
	return nil
}

// sameSet reports whether a and b hold the same values, in any order.
func sameSet[T cmp.Ordered](a, b []T) bool {
	return slices.Equal(slices.Compact(slices.Sorted(slices.Values(a))), slices.Compact(slices.Sorted(slices.Values(b))))
}

// CreateDepartment stores d as version 1.
func (a *Archive) CreateDepartment(ctx context.Context, d Department) (*Department, error) {
	const op = "department.create"
	if err := a.allow(ctx, op, ActCreate, deptResource); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if a.accounts.dept(d.ID) != nil {
		return nil, E(op, Conflict, nil, "department %s already exists", d.ID)
	}
	d.Version, d.Audit = 1, a.stamp(ctx, nil)
	return &d, a.writeDept(ctx, op, &d)
}

func (a *Archive) writeDept(ctx context.Context, op string, d *Department) error {
	ch, err := departmentKind.put(ctx, a, op, d)
	if err != nil {
		return err
	}
	if err := a.commit(ctx, op, ch, d); err != nil {
		return err
	}
	a.accounts.depts.put(d)
	return nil
}

// GetDepartment returns department id, or NotFound.
func (a *Archive) GetDepartment(ctx context.Context, id string) (*Department, error) {
	const op = "department.get"
	if _, err := actor(ctx, op); err != nil {
		return nil, err
	}
	d := a.accounts.dept(id)
	if d == nil {
		return nil, E(op, NotFound, nil, "department %s not found", id)
	}
	v := *d
	return &v, nil
}

// ListDepartments returns every department, by id. Every signed-in user
// may list them: forms offer them as choices.
func (a *Archive) ListDepartments(ctx context.Context) ([]*Department, error) {
	if _, err := actor(ctx, "department.list"); err != nil {
		return nil, err
	}
	return a.accounts.allDepts(), nil
}

// UpdateDepartment replaces department d.ID with d; d.Version must be
// current.
func (a *Archive) UpdateDepartment(ctx context.Context, d Department) (*Department, error) {
	const op = "department.update"
	if err := a.allow(ctx, op, ActUpdate, deptResource); err != nil {
		return nil, err
	}
	cur := a.accounts.dept(d.ID)
	if cur == nil {
		return nil, E(op, NotFound, nil, "department %s not found", d.ID)
	}
	if err := checkVersion(op, "department", d.ID, cur.Version, d.Version); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	d.Version, d.Audit = cur.Version+1, a.stamp(ctx, &cur.Audit)
	return &d, a.writeDept(ctx, op, &d)
}

// Me returns the signed-in caller's own account, also while they must
// change their password first.
func (a *Archive) Me(ctx context.Context) (*User, error) {
	p := anyPrincipal(ctx)
	if p == nil {
		return nil, E("auth.me", Unauthenticated, nil, "sign in first")
	}
	u := a.accounts.user(p.Name)
	if u == nil {
		return nil, E("auth.me", Unauthenticated, nil, "your account no longer exists")
	}
	v := u.User
	return &v, nil
}

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

// Accounts are the people who sign in and what they sign in with: users,
// departments, sessions, API tokens, passwords and the limits of failed
// sign-ins. An Archive holds one (Archive.Accounts): accounts are written
// through its store and journal like everything else, and its policy
// decides who may change them.
type Accounts struct {
	a        *Archive
	ttl      time.Duration
	users    *cache[UserName, storedUser]
	depts    *cache[DepartmentID, Department]
	mu       sync.RWMutex
	sessions map[string]*Session     // by the hash of the session token
	tokens   map[string]*storedToken // by token id

	passwords PasswordHasher
	logins    loginLimiter
	checks    *checkGate // bounds password checks
	dummyOnce sync.Once
	dummy     string // see dummyHash
}

func newAccounts(a *Archive, cfg Config) *Accounts {
	return &Accounts{a: a, ttl: cmp.Or(cfg.SessionTTL, DefaultSessionTTL),
		users: newCache(userKind), depts: newCache(departmentKind),
		passwords: cfg.Passwords, checks: newCheckGate(cfg.PasswordChecks, cfg.PasswordCheckWait)}
}

// Accounts returns the users, departments and credentials of a.
func (a *Archive) Accounts() *Accounts { return a.accounts }

func (ac *Accounts) user(name UserName) *storedUser { return ac.users.get(name) }

func (ac *Accounts) dept(id DepartmentID) *Department { return ac.depts.get(id) }

// putUser keeps u unless a newer version is cached.
func (ac *Accounts) putUser(u *storedUser) bool { return ac.users.put(u) }

func (ac *Accounts) allUsers() []*User {
	all := ac.users.all()
	out := make([]*User, len(all))
	for i, u := range all {
		out[i] = &u.User
	}
	return out
}

func (ac *Accounts) allDepts() []*Department { return ac.depts.all() }

// load reads the users, departments and API tokens the catalog
// records and gives the users to the policy.
func (ac *Accounts) load(ctx context.Context) error {
	ac.mu.Lock()
	ac.sessions, ac.tokens = map[string]*Session{}, map[string]*storedToken{}
	ac.mu.Unlock()
	if err := ac.users.load(ctx, ac.a); err != nil {
		return err
	}
	if err := ac.depts.load(ctx, ac.a); err != nil {
		return err
	}
	if err := ac.loadCredentials(ctx); err != nil {
		return err
	}
	ac.a.policy.SetUsers(ac.allUsers())
	return nil
}

// follow applies a journaled change to users, departments,
// sessions or tokens that another process may have made.
func (ac *Accounts) follow(ctx context.Context, c Change) error {
	switch {
	case strings.HasPrefix(c.Key, UsersPrefix) && c.Wrote():
		u, err := ac.users.follow(ctx, ac.a, c)
		if u != nil {
			ac.a.policy.PutUser(&u.User)
		}
		return err
	case strings.HasPrefix(c.Key, DepartmentsPrefix) && c.Wrote():
		_, err := ac.depts.follow(ctx, ac.a, c)
		return err
	case strings.HasPrefix(c.Key, SessionsPrefix), strings.HasPrefix(c.Key, TokensPrefix):
		return ac.followCredential(ctx, c)
	case strings.HasPrefix(c.Key, DataKeysPrefix) && c.Removed:
		ac.a.dataKeys.forget(dirOf(c.Key))
	}
	return nil
}

// userResource is every user account, as the policy sees it.
var userResource = Resource{Kind: KindUser}

// deptResource is every department, as the policy sees it.
var deptResource = Resource{Kind: KindDepartment}

// CreateUser stores u as version 1, without a password: SetPassword gives
// it one. Departments named must exist.
func (ac *Accounts) CreateUser(ctx context.Context, u User) (*User, error) {
	const op = "user.create"
	if err := ac.a.allow(ctx, op, PermCreate, userResource); err != nil {
		return nil, err
	}
	if err := ac.checkUser(op, &u); err != nil {
		return nil, err
	}
	if ac.user(u.Name) != nil {
		return nil, E(op, Conflict, nil, "user %s already exists", u.Name)
	}
	u.MustChangePassword, u.TokensRevoked = false, 0
	s := &storedUser{User: u}
	s.Version = 1
	s.Audit = ac.a.stamp(ctx, nil)
	return &s.User, ac.writeUser(ctx, op, s, "")
}

// checkUser validates u and that its departments exist.
func (ac *Accounts) checkUser(op string, u *User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	var c checker
	if u.Department != "" && ac.dept(u.Department) == nil {
		c.add("department", "no department %s exists; create it first", u.Department)
	}
	for i, d := range u.Heads {
		if ac.dept(d) == nil {
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
func (ac *Accounts) writeUser(ctx context.Context, op string, u *storedUser, detail string, extra ...Change) error {
	ch, err := userKind.put(ctx, ac.a, op, u)
	if err == nil {
		ch.Detail = detail
		err = ac.a.commit(ctx, op, ch, u, extra...)
	} else {
		for _, c := range extra {
			ac.a.dropObject(ctx, c.Key)
		}
	}
	if err != nil {
		return err
	}
	if ac.putUser(u) {
		ac.a.policy.PutUser(&u.User)
	}
	return nil
}

// GetUser returns user name, or NotFound.
func (ac *Accounts) GetUser(ctx context.Context, name UserName) (*User, error) {
	const op = "user.get"
	if err := ac.a.visible(ctx, op, userResource, string(name)); err != nil {
		return nil, err
	}
	u := ac.user(name)
	if u == nil {
		return nil, E(op, NotFound, nil, "user %s not found", name)
	}
	v := u.User
	return &v, nil
}

// ListUsers returns every user, by name.
func (ac *Accounts) ListUsers(ctx context.Context) ([]*User, error) {
	if err := ac.a.allow(ctx, "user.list", PermRead, userResource); err != nil {
		return nil, err
	}
	return ac.allUsers(), nil
}

// UpdateUser replaces user u.Name with u (display name, department,
// roles, heads, grants, disabled). u.Version must be current. Disabling a
// user ends their sessions and revokes their API tokens (so that enabling
// them again brings none back); the answer says how many in
// TokensRevoked. An update that changes nothing writes nothing.
func (ac *Accounts) UpdateUser(ctx context.Context, u User) (*User, error) {
	const op = "user.update"
	if err := ac.a.allow(ctx, op, PermUpdate, userResource); err != nil {
		return nil, err
	}
	cur := ac.user(u.Name)
	if cur == nil {
		return nil, E(op, NotFound, nil, "user %s not found", u.Name)
	}
	if err := checkVersion(op, "user", string(u.Name), cur.Version, u.Version); err != nil {
		return nil, err
	}
	if err := ac.checkUser(op, &u); err != nil {
		return nil, err
	}
	if err := checkSelfChange(op, PrincipalFrom(ctx), &cur.User, &u); err != nil {
		return nil, err
	}
	u.MustChangePassword, u.TokensRevoked = cur.MustChangePassword, 0
	if unchanged(&cur.User, &u) {
		v := cur.User
		return &v, nil
	}
	next := &storedUser{User: u, PasswordHash: cur.PasswordHash, Epoch: cur.Epoch}
	next.Version, next.Audit = cur.Version+1, ac.a.stamp(ctx, &cur.Audit)
	if u.Disabled && !cur.Disabled {
		next.Epoch++
	}
	if err := ac.writeUser(ctx, op, next, ""); err != nil {
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
	n, err := ac.revokeTokensOf(ctx, u.Name, why)
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
func (ac *Accounts) CreateDepartment(ctx context.Context, d Department) (*Department, error) {
	const op = "department.create"
	if err := ac.a.allow(ctx, op, PermCreate, deptResource); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if ac.dept(d.ID) != nil {
		return nil, E(op, Conflict, nil, "department %s already exists", d.ID)
	}
	d.Version, d.Audit = 1, ac.a.stamp(ctx, nil)
	return &d, ac.writeDept(ctx, op, &d)
}

func (ac *Accounts) writeDept(ctx context.Context, op string, d *Department) error {
	ch, err := departmentKind.put(ctx, ac.a, op, d)
	if err != nil {
		return err
	}
	if err := ac.a.commit(ctx, op, ch, d); err != nil {
		return err
	}
	ac.depts.put(d)
	return nil
}

// GetDepartment returns department id, or NotFound.
func (ac *Accounts) GetDepartment(ctx context.Context, id DepartmentID) (*Department, error) {
	const op = "department.get"
	if _, err := actor(ctx, op); err != nil {
		return nil, err
	}
	d := ac.dept(id)
	if d == nil {
		return nil, E(op, NotFound, nil, "department %s not found", id)
	}
	v := *d
	return &v, nil
}

// ListDepartments returns every department, by id. Every signed-in user
// may list them: forms offer them as choices.
func (ac *Accounts) ListDepartments(ctx context.Context) ([]*Department, error) {
	if _, err := actor(ctx, "department.list"); err != nil {
		return nil, err
	}
	return ac.allDepts(), nil
}

// UpdateDepartment replaces department d.ID with d; d.Version must be
// current. An update that changes nothing writes nothing.
func (ac *Accounts) UpdateDepartment(ctx context.Context, d Department) (*Department, error) {
	const op = "department.update"
	if err := ac.a.allow(ctx, op, PermUpdate, deptResource); err != nil {
		return nil, err
	}
	cur := ac.dept(d.ID)
	if cur == nil {
		return nil, E(op, NotFound, nil, "department %s not found", d.ID)
	}
	if err := checkVersion(op, "department", string(d.ID), cur.Version, d.Version); err != nil {
		return nil, err
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if unchanged(cur, &d) {
		v := *cur
		return &v, nil
	}
	d.Version, d.Audit = cur.Version+1, ac.a.stamp(ctx, &cur.Audit)
	return &d, ac.writeDept(ctx, op, &d)
}

// Me returns the signed-in caller's own account, also while they must
// change their password first.
func (ac *Accounts) Me(ctx context.Context) (*User, error) {
	p := anyPrincipal(ctx)
	if p == nil {
		return nil, E("auth.me", Unauthenticated, nil, "sign in first")
	}
	u := ac.user(p.Name)
	if u == nil {
		return nil, E("auth.me", Unauthenticated, nil, "your account no longer exists")
	}
	v := u.User
	return &v, nil
}

// usersWith returns the enabled users who hold role; with a dept, only
// those who head it.
func (ac *Accounts) usersWith(role Role, dept DepartmentID) []UserName {
	var out []UserName
	for _, u := range ac.allUsers() {
		if u.Disabled || !u.Has(role) {
			continue
		}
		if dept != "" && !slices.Contains(u.Heads, dept) {
			continue
		}
		out = append(out, u.Name)
	}
	return out
}

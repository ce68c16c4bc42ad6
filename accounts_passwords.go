package visitarchive

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"runtime"
	"time"
	"unicode/utf8"
)

// Passwords: the rules, the check at sign-in, and setting one, by its
// user (ChangePassword) or by an administrator (SetPassword).

// PasswordHasher hashes passwords for storage and checks them; policy/
// implements it with argon2id.
type PasswordHasher interface {
	// Hash returns an encoded hash of password that carries its own salt
	// and parameters.
	Hash(password string) (string, error)

	// Verify reports whether password matches hash. A malformed hash is an
	// error, a wrong password is (false, nil).
	Verify(hash, password string) (bool, error)
}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// RandomPassword returns a new random password: 24 letters and digits
// (120 bits), easy to copy and safe on a command line.
func RandomPassword() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic("visitarchive: no randomness: " + err.Error())
	}
	for i := range b {
		b[i] = idAlphabet[b[i]&31]
	}
	return string(b)
}

// CheckPassword reports whether pw meets the password rules, as an
// Invalid error on the field "password".
func CheckPassword(pw string) error { return checkPassword("password", "password", pw) }

// checkPassword applies the password rules to pw, sent as field.
func checkPassword(op, field, pw string) error {
	if n := utf8.RuneCountInString(pw); n < MinPasswordLength || len(pw) > 1024 {
		e := E(op, Invalid, nil, "the password does not meet the rules")
		e.Fields = []FieldError{{Field: field, Message: "must be 12 to 1024 characters long"}}
		return e
	}
	return nil
}

// tryPassword reports whether password is that of u (nil for no user
// of that name), as one sign-in attempt for name from addr: the attempt
// counts against the limits before the password is checked, so that a
// burst checks no more than they allow. Reached limits, and no room to
// check a password soon, are TooManyRequests.
func (ac *Accounts) tryPassword(ctx context.Context, op string, u *storedUser, name UserName, password, addr string) (bool, error) {
	try, wait := ac.logins.reserve(name, addr, ac.a.now())
	if wait > 0 {
		e := E(op, TooManyRequests, nil, "too many failed attempts; try again in %d minutes", int(wait.Minutes())+1)
		e.RetryAfter = wait
		return false, e
	}
	ok, err := ac.passwordMatches(ctx, op, u, password)
	switch {
	case err != nil:
		ac.logins.cancel(try)
	case ok:
		ac.logins.succeeded(try)
	}
	return ok, err
}

// passwordMatches reports whether u may sign in with password. It always
// runs the hash, for an unknown user too, in one of the bounded slots of
// ac.checks.
func (ac *Accounts) passwordMatches(ctx context.Context, op string, u *storedUser, password string) (bool, error) {
	var ok bool
	var err error
	busy := ac.checks.run(ctx, op, func() {
		hash := ac.dummyHash()
		if u != nil && u.PasswordHash != "" {
			hash = u.PasswordHash
		}
		ok, err = ac.passwords.Verify(hash, password)
	})
	if busy != nil {
		return false, busy
	}
	if err != nil {
		ac.a.log.Error("a stored password hash is unreadable", "err", err)
	}
	return ok && err == nil && u != nil && u.PasswordHash != "" && !u.Disabled, nil
}

// hash hashes password in one of the bounded slots of ac.checks.
func (ac *Accounts) hash(ctx context.Context, op, password string) (string, error) {
	var h string
	var err error
	if busy := ac.checks.run(ctx, op, func() { h, err = ac.passwords.Hash(password) }); busy != nil {
		return "", busy
	}
	return h, err
}

// dummyHash is checked when a sign-in names no user, so that an unknown
// user takes as long as a wrong password and the answer reveals nothing.
func (ac *Accounts) dummyHash() string {
	ac.dummyOnce.Do(func() {
		ac.dummy, _ = ac.passwords.Hash(randomToken(16))
	})
	return ac.dummy
}

// SetPassword sets the password of user name for them: an
// administrator's reset, or the operator's CLI. Whoever set it knows it,
// so the user must change it at their next sign-in (MustChangePassword)
// and is told so in their inbox, and by mail when they have an address;
// the journal names who set it. Their sessions end and their API tokens
// are revoked; SetPassword returns how many. A sysadmin changes their own
// password with ChangePassword, like everyone.
func (ac *Accounts) SetPassword(ctx context.Context, name UserName, password string) (int, error) {
	const op = "user.password"
	if err := ac.a.allow(ctx, op, PermUpdate, userResource); err != nil {
		return 0, err
	}
	if err := notOwnPassword(ctx, op, name); err != nil {
		return 0, err
	}
	if err := checkPassword(op, "password", password); err != nil {
		return 0, err
	}
	return ac.setPassword(ctx, op, name, password, true)
}

// notOwnPassword refuses an administrator's setting of their own
// password: they change it like every user, with the current one.
func notOwnPassword(ctx context.Context, op string, name UserName) error {
	if p := PrincipalFrom(ctx); p != nil && p.Name == name {
		return E(op, Forbidden, nil, "change your own password with your current one, as every user does, not as an administrator")
	}
	return nil
}

// ChangePassword changes the caller's own password, given the current one,
// which also serves a caller who must change it first. It ends their
// sessions, revokes their API tokens and returns how many.
func (ac *Accounts) ChangePassword(ctx context.Context, old, password string) (int, error) {
	const op = "auth.password"
	p := anyPrincipal(ctx)
	if p == nil {
		return 0, E(op, Unauthenticated, nil, "sign in first")
	}
	ok, err := ac.tryPassword(ctx, op, ac.user(p.Name), p.Name, old, p.Addr)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, E(op, Forbidden, nil, "the current password is wrong")
	}
	if err := checkPassword(op, "new_password", password); err != nil {
		return 0, err
	}
	if password == old {
		e := E(op, Invalid, nil, "the new password is the current one")
		e.Fields = []FieldError{{Field: "new_password", Message: "must differ from the current password"}}
		return 0, e
	}
	me := *p
	me.MustChangePassword = false // this change is what they may do
	return ac.setPassword(WithPrincipal(ctx, &me), op, p.Name, password, false)
}

// setPassword stores a new hash of password, which has passed the rules,
// ends the user's sessions, revokes their API tokens and returns how many.
// forced marks a password someone else chose (see SetPassword).
func (ac *Accounts) setPassword(ctx context.Context, op string, name UserName, password string, forced bool) (int, error) {
	cur := ac.user(name)
	if cur == nil {
		return 0, E(op, NotFound, nil, "user %s not found", name)
	}
	hash, err := ac.hash(ctx, op, password)
	if err != nil {
		return 0, err
	}
	next := &storedUser{User: cur.User, PasswordHash: hash, Epoch: cur.Epoch + 1}
	next.MustChangePassword, next.TokensRevoked = forced, 0
	next.Version, next.Audit = cur.Version+1, ac.a.stamp(ctx, &cur.Audit)
	by := string(ActorFrom(ctx))
	detail, why := "", "password changed by "+by
	var notes []Change
	var sent []*Notification
	if forced {
		detail = fmt.Sprintf("password of %s set by %s; %s must change it at the next sign-in", name, by, name)
		why = fmt.Sprintf("password of %s set by %s", name, by)
		if notes, sent, err = ac.a.inbox.deliver(ctx, passwordNotice(name)); err != nil {
			return 0, err
		}
	}
	if err := ac.writeUser(ctx, op, next, detail, notes...); err != nil {
		return 0, err
	}
	ac.a.inbox.mail(sent)
	return ac.revokeTokensOf(ctx, name, why)
}

// passwordNotice tells user name that someone else set their password, so
// that a reset they did not ask for does not go unnoticed.
func passwordNotice(name UserName) notice {
	return notice{event: EventPasswordReset, kind: KindUser, object: string(name), to: []UserName{name},
		message: "您的密码已被管理员重置，下次登录时须修改 Your password was set by an administrator: choose your own when you next sign in. If you did not ask for this, tell the supervision group."}
}

// EnsureAdmin creates the first sysadmin, "admin", when there are no users
// at all. password is used when set; otherwise a random one is made. It
// returns the password and true when it created the user. The operator
// who starts the server chose or received the password, so it need not
// be changed at the first sign-in.
func (ac *Accounts) EnsureAdmin(ctx context.Context, password string) (string, bool, error) {
	if len(ac.allUsers()) > 0 {
		return "", false, nil
	}
	if password == "" {
		password = RandomPassword()
	}
	if err := checkPassword("admin", "VISITARCHIVE_ADMIN_PASSWORD", password); err != nil {
		return "", false, err
	}
	ctx = WithActor(ctx, "system")
	if _, err := ac.CreateUser(ctx, User{Name: "admin", DisplayName: "Administrator", Roles: []Role{RoleSysadmin}}); err != nil {
		return "", false, err
	}
	_, err := ac.setPassword(ctx, "user.password", "admin", password, false)
	return password, true, err
}

// DefaultPasswordCheckWait is how long a password check waits for a free
// slot by default (see Config.PasswordChecks).
const DefaultPasswordCheckWait = 2 * time.Second

// checkGate bounds the password checks and hashes that run at once. Each
// takes the hasher's memory (argon2id by default: 64 MiB) for its
// duration, so a storm of sign-ins would otherwise take that much per
// request. A check waits a little for a slot, then is refused, so that
// nothing queues without end.
type checkGate struct {
	slots chan struct{}
	wait  time.Duration
}

func newCheckGate(n int, wait time.Duration) *checkGate {
	if n <= 0 {
		n = 2 * runtime.NumCPU()
	}
	return &checkGate{slots: make(chan struct{}, n), wait: cmp.Or(wait, DefaultPasswordCheckWait)}
}

// run runs f in a slot, or returns TooManyRequests, to retry in a second,
// when none frees up within the wait or ctx ends first.
func (g *checkGate) run(ctx context.Context, op string, f func()) error {
	select {
	case g.slots <- struct{}{}:
	default:
		if err := g.await(ctx, op); err != nil {
			return err
		}
	}
	defer func() { <-g.slots }()
	f()
	return nil
}

func (g *checkGate) await(ctx context.Context, op string) error {
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	e := E(op, TooManyRequests, ctx.Err(), "the server is checking too many passwords at once; try again in a moment")
	e.RetryAfter = time.Second
	return e
}

package visitarchive

import (
	"context"
	"crypto/rand"
	"fmt"
	"unicode/utf8"
)

// Passwords: the rules, the check at sign-in, and setting one, by its
// user (ChangePassword) or by an administrator (SetPassword).

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

// passwordMatches reports whether u may sign in with password. It always
// runs the hash, for an unknown user too.
func (a *Archive) passwordMatches(u *storedUser, password string) bool {
	hash := a.dummyHash()
	if u != nil && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok, err := a.passwords.Verify(hash, password)
	if err != nil {
		a.log.Error("a stored password hash is unreadable", "err", err)
	}
	return ok && err == nil && u != nil && u.PasswordHash != "" && !u.Disabled
}

// dummyHash is checked when a sign-in names no user, so that an unknown
// user takes as long as a wrong password and the answer reveals nothing.
func (a *Archive) dummyHash() string {
	a.dummyOnce.Do(func() {
		a.dummy, _ = a.passwords.Hash(randomToken(16))
	})
	return a.dummy
}

// SetPassword sets the password of user name for them: an
// administrator's reset, or the operator's CLI. Whoever set it knows it,
// so the user must change it at their next sign-in (MustChangePassword)
// and is told so in their inbox, and by mail when they have an address;
// the journal names who set it. Their sessions end and their API tokens
// are revoked; SetPassword returns how many. A sysadmin changes their own
// password with ChangePassword, like everyone.
func (a *Archive) SetPassword(ctx context.Context, name UserName, password string) (int, error) {
	const op = "user.password"
	if err := a.allow(ctx, op, ActUpdate, userResource); err != nil {
		return 0, err
	}
	if p := PrincipalFrom(ctx); p != nil && p.Name == name {
		return 0, E(op, Forbidden, nil, "change your own password with your current one, as every user does, not as an administrator")
	}
	if err := checkPassword(op, "password", password); err != nil {
		return 0, err
	}
	return a.setPassword(ctx, op, name, password, true)
}

// ChangePassword changes the caller's own password, given the current one,
// which also serves a caller who must change it first. It ends their
// sessions, revokes their API tokens and returns how many.
func (a *Archive) ChangePassword(ctx context.Context, old, password string) (int, error) {
	const op = "auth.password"
	p := anyPrincipal(ctx)
	if p == nil {
		return 0, E(op, Unauthenticated, nil, "sign in first")
	}
	if wait := a.logins.blocked(p.Name, p.Addr, a.now()); wait > 0 {
		return 0, E(op, TooManyRequests, nil, "too many wrong passwords; try again in %d minutes", int(wait.Minutes())+1)
	}
	if !a.passwordMatches(a.accounts.user(p.Name), old) {
		a.logins.fail(p.Name, p.Addr, a.now())
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
	return a.setPassword(WithPrincipal(ctx, &me), op, p.Name, password, false)
}

// setPassword stores a new hash of password, which has passed the rules,
// ends the user's sessions, revokes their API tokens and returns how many.
// forced marks a password someone else chose (see SetPassword).
func (a *Archive) setPassword(ctx context.Context, op string, name UserName, password string, forced bool) (int, error) {
	cur := a.accounts.user(name)
	if cur == nil {
		return 0, E(op, NotFound, nil, "user %s not found", name)
	}
	hash, err := a.passwords.Hash(password)
	if err != nil {
		return 0, err
	}
	next := &storedUser{User: cur.User, PasswordHash: hash, Epoch: cur.Epoch + 1}
	next.MustChangePassword, next.TokensRevoked = forced, 0
	next.Version, next.Audit = cur.Version+1, a.stamp(ctx, &cur.Audit)
	by := string(ActorFrom(ctx))
	detail, why := "", "password changed by "+by
	var notes []Change
	var sent []*Notification
	if forced {
		detail = fmt.Sprintf("password of %s set by %s; %s must change it at the next sign-in", name, by, name)
		why = fmt.Sprintf("password of %s set by %s", name, by)
		if notes, sent, err = a.deliver(ctx, passwordNotice(name)); err != nil {
			return 0, err
		}
	}
	if err := a.writeUser(ctx, op, next, detail, notes...); err != nil {
		return 0, err
	}
	a.mail(sent)
	return a.revokeTokensOf(ctx, name, why)
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
func (a *Archive) EnsureAdmin(ctx context.Context, password string) (string, bool, error) {
	if len(a.accounts.allUsers()) > 0 {
		return "", false, nil
	}
	if password == "" {
		password = RandomPassword()
	}
	if err := checkPassword("admin", "VISITARCHIVE_ADMIN_PASSWORD", password); err != nil {
		return "", false, err
	}
	ctx = WithActor(ctx, "system")
	if _, err := a.CreateUser(ctx, User{Name: "admin", DisplayName: "Administrator", Roles: []Role{RoleSysadmin}}); err != nil {
		return "", false, err
	}
	_, err := a.setPassword(ctx, "user.password", "admin", password, false)
	return password, true, err
}

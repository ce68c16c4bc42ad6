package visitarchive

import (
	"context"
	"crypto/rand"
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

// SetPassword sets the password of user name (a sysadmin, or the CLI) and
// ends their sessions.
func (a *Archive) SetPassword(ctx context.Context, name UserName, password string) error {
	const op = "user.password"
	if err := a.allow(ctx, op, ActUpdate, userResource); err != nil {
		return err
	}
	if err := checkPassword(op, "password", password); err != nil {
		return err
	}
	return a.setPassword(ctx, op, name, password)
}

// ChangePassword changes the caller's own password, given the current one,
// and ends their other sessions.
func (a *Archive) ChangePassword(ctx context.Context, old, password string) error {
	const op = "auth.password"
	p := PrincipalFrom(ctx)
	if p == nil {
		return E(op, Unauthenticated, nil, "sign in first")
	}
	if wait := a.logins.blocked(p.Name, p.Addr, a.now()); wait > 0 {
		return E(op, TooManyRequests, nil, "too many wrong passwords; try again in %d minutes", int(wait.Minutes())+1)
	}
	if !a.passwordMatches(a.accounts.user(p.Name), old) {
		a.logins.fail(p.Name, p.Addr, a.now())
		return E(op, Forbidden, nil, "the current password is wrong")
	}
	if err := checkPassword(op, "new_password", password); err != nil {
		return err
	}
	return a.setPassword(ctx, op, p.Name, password)
}

// setPassword stores a new hash of password, which has passed the rules,
// and ends the user's sessions.
func (a *Archive) setPassword(ctx context.Context, op string, name UserName, password string) error {
	cur := a.accounts.user(name)
	if cur == nil {
		return E(op, NotFound, nil, "user %s not found", name)
	}
	hash, err := a.passwords.Hash(password)
	if err != nil {
		return err
	}
	next := &storedUser{User: cur.User, PasswordHash: hash, Epoch: cur.Epoch + 1}
	next.Version, next.Audit = cur.Version+1, a.stamp(ctx, &cur.Audit)
	return a.writeUser(ctx, op, next)
}

// EnsureAdmin creates the first sysadmin, "admin", when there are no users
// at all. password is used when set; otherwise a random one is made. It
// returns the password and true when it created the user.
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
	return password, true, a.SetPassword(ctx, "admin", password)
}

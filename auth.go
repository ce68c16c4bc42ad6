package visitarchive

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"
)

// Sign-in: a password gives a session (a random token the browser keeps in
// a cookie); a personal API token serves scripts. Only hashes of tokens
// are stored: sessions/<sha256 of token>.json and tokens/<user>/<id>.json.
// A session carries its user's epoch; changing the password or disabling
// the user raises the epoch, which ends every session at once.

// DefaultSessionTTL is how long a sign-in lasts by default.
const DefaultSessionTTL = 12 * time.Hour

// Token prefixes, so that a leaked token is recognisable and the two kinds
// cannot be confused.
const (
	sessionPrefix  = "vs_"
	apiTokenPrefix = "vt_"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// Session is one sign-in.
type Session struct {
	User    UserName  `json:"user"`
	Epoch   int       `json:"epoch"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	CSRF    string    `json:"csrf"` // sent back on state-changing requests made with the cookie
	Addr    string    `json:"addr,omitempty"`
}

// APIToken is a personal token for scripts, as its owner sees it: the
// token itself is shown once, when it is made.
type APIToken struct {
	ID      string    `json:"id"`
	User    UserName  `json:"user"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires,omitzero"`
}

type storedToken struct {
	APIToken
	Hash string `json:"hash"`
}

// randomToken returns n random bytes, URL-safe.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("visitarchive: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

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

// Login checks name and password and starts a session. Every failure
// answers alike, whether or not the user exists; repeated failures per
// user and per address are TooManyRequests for a while.
func (a *Archive) Login(ctx context.Context, name UserName, password, addr string) (token string, s *Session, err error) {
	const op = "auth.login"
	now := a.now()
	if wait := a.logins.blocked(name, addr, now); wait > 0 {
		return "", nil, E(op, TooManyRequests, nil, "too many failed sign-ins; try again in %d minutes", int(wait.Minutes())+1)
	}
	u := a.accounts.user(name)
	if !a.passwordMatches(u, password) {
		a.logins.fail(name, addr, now)
		return "", nil, E(op, Unauthenticated, nil, "wrong user name or password")
	}
	a.logins.reset(name)
	token = sessionPrefix + randomToken(32)
	s = &Session{User: u.Name, Epoch: u.Epoch, Created: now.UTC(), Expires: now.Add(a.accounts.ttl).UTC(),
		CSRF: randomToken(24), Addr: addr}
	key := SessionKey(hashToken(token))
	info, err := a.put(ctx, key, s)
	if err != nil {
		return "", nil, err
	}
	if err := a.commit(WithActor(ctx, u.Name), op, Change{Key: key, SHA256: info.SHA256, Addr: addr}, s); err != nil {
		return "", nil, err
	}
	a.accounts.putSession(hashToken(token), s)
	return token, s, nil
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

// Logout ends the session of token.
func (a *Archive) Logout(ctx context.Context, token string) error {
	h := hashToken(token)
	s := a.accounts.dropSession(h)
	if s == nil {
		return nil // unknown, or a concurrent sign-out or sweep ended it
	}
	return a.removeJournaled(ctx, Change{Actor: s.User, Action: "auth.logout", Key: SessionKey(h), Removed: true})
}

// EndExpiredSessions removes the sessions that have expired, from the
// cache and from the store, journaling each removal as the system's, and
// returns how many it removed. The server runs it every hour, so that
// sessions do not pile up in the store and in memory. It knows the
// sessions this process loaded at start or has met since; another
// replica's new sessions are its own to remove.
func (a *Archive) EndExpiredSessions(ctx context.Context) (int, error) {
	n := 0
	for _, h := range a.accounts.expiredSessions(a.now()) {
		s := a.accounts.dropSession(h)
		if s == nil {
			continue // signed out meanwhile
		}
		c := Change{Actor: "system", Action: "auth.expire", Key: SessionKey(h), Removed: true}
		if err := a.removeJournaled(ctx, c); err != nil {
			a.accounts.putSession(h, s) // so that the next sweep tries again
			return n, err
		}
		n++
	}
	return n, nil
}

// removeJournaled journals the removal c, then deletes its object: an
// object left behind by a failed delete is harmless, an unjournaled
// removal would look like tampering to verify.
func (a *Archive) removeJournaled(ctx context.Context, c Change) error {
	if _, err := a.append(ctx, c); err != nil {
		return err
	}
	if err := a.store.Delete(ctx, c.Key); err != nil && !IsKind(err, NotFound) {
		return err
	}
	return nil
}

// Authenticate returns the principal of a session or API token, and the
// session (nil for an API token). An unknown, expired, revoked or
// outdated credential, or a disabled user, is Unauthenticated.
func (a *Archive) Authenticate(ctx context.Context, credential string) (*Principal, *Session, error) {
	const op = "auth"
	switch {
	case strings.HasPrefix(credential, sessionPrefix):
		return a.authSession(ctx, credential)
	case strings.HasPrefix(credential, apiTokenPrefix):
		p, err := a.authToken(credential)
		return p, nil, err
	}
	return nil, nil, E(op, Unauthenticated, nil, "the credential is not a session or an API token")
}

func (a *Archive) authSession(ctx context.Context, token string) (*Principal, *Session, error) {
	const op = "auth.session"
	h := hashToken(token)
	s := a.accounts.session(h)
	if s == nil {
		stored, err := a.storedSession(ctx, h)
		if err != nil {
			return nil, nil, E(op, Unauthenticated, err, "the session is unknown or has ended; sign in again")
		}
		s = stored
		a.accounts.putSession(h, s)
	}
	if !a.now().Before(s.Expires) {
		return nil, nil, E(op, Unauthenticated, nil, "the session has expired; sign in again")
	}
	u := a.accounts.user(s.User)
	if u == nil || u.Disabled || u.Epoch != s.Epoch {
		return nil, nil, E(op, Unauthenticated, nil, "the session has ended (password changed or account disabled); sign in again")
	}
	return PrincipalOf(&u.User), s, nil
}

// storedSession reads the session whose token hashes to h from the store,
// if the journal recorded it. Another replica may have made it since this
// one last followed the journal: then it follows first.
func (a *Archive) storedSession(ctx context.Context, h string) (*Session, error) {
	key := SessionKey(h)
	if _, ok := a.catalog.object(key); !ok {
		if err := a.SyncIndex(ctx); err != nil {
			return nil, err
		}
	}
	var s Session
	return &s, a.readObject(ctx, key, &s)
}

func (a *Archive) authToken(token string) (*Principal, error) {
	const op = "auth.token"
	id, secret, ok := strings.Cut(strings.TrimPrefix(token, apiTokenPrefix), "_")
	t := a.accounts.token(id)
	if !ok || secret == "" || t == nil || subtle.ConstantTimeCompare([]byte(t.Hash), []byte(hashToken(token))) != 1 {
		return nil, E(op, Unauthenticated, nil, "the API token is unknown or revoked")
	}
	if !t.Expires.IsZero() && !a.now().Before(t.Expires) {
		return nil, E(op, Unauthenticated, nil, "the API token has expired; make a new one")
	}
	u := a.accounts.user(t.User)
	if u == nil || u.Disabled {
		return nil, E(op, Unauthenticated, nil, "the account of this API token is disabled")
	}
	return PrincipalOf(&u.User), nil
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

// CreateToken makes a personal API token for the caller, valid for ttl (0:
// until revoked). The token is returned once; only its hash is kept.
func (a *Archive) CreateToken(ctx context.Context, name string, ttl time.Duration) (string, *APIToken, error) {
	const op = "token.create"
	p := PrincipalFrom(ctx)
	if p == nil {
		return "", nil, E(op, Unauthenticated, nil, "sign in first")
	}
	if name = strings.TrimSpace(name); name == "" || utf8.RuneCountInString(name) > 100 {
		e := E(op, Invalid, nil, "the token needs a name")
		e.Fields = []FieldError{{Field: "name", Message: "is required, at most 100 characters: say what the token is for"}}
		return "", nil, e
	}
	now := a.now().UTC()
	t := &storedToken{APIToken: APIToken{ID: NewID("T", now), User: p.Name, Name: name, Created: now}}
	if ttl > 0 {
		t.Expires = now.Add(ttl)
	}
	token := apiTokenPrefix + t.ID + "_" + randomToken(32)
	t.Hash = hashToken(token)
	key := TokenKey(p.Name, t.ID)
	info, err := a.put(ctx, key, t)
	if err != nil {
		return "", nil, err
	}
	if err := a.commit(ctx, op, Change{Key: key, SHA256: info.SHA256}, t); err != nil {
		return "", nil, err
	}
	a.accounts.putToken(t)
	v := t.APIToken
	return token, &v, nil
}

// ListTokens returns the caller's API tokens.
func (a *Archive) ListTokens(ctx context.Context) ([]APIToken, error) {
	p := PrincipalFrom(ctx)
	if p == nil {
		return nil, E("token.list", Unauthenticated, nil, "sign in first")
	}
	return a.accounts.tokensOf(p.Name), nil
}

// RevokeToken revokes API token id of the caller; a sysadmin may revoke
// anyone's.
func (a *Archive) RevokeToken(ctx context.Context, id string) error {
	const op = "token.revoke"
	p := PrincipalFrom(ctx)
	t := a.accounts.token(id)
	if p == nil {
		return E(op, Unauthenticated, nil, "sign in first")
	}
	if t == nil || t.User != p.Name && !a.policy.Allowed(p, ActUpdate, userResource) {
		return E(op, NotFound, nil, "token %s not found", id)
	}
	a.accounts.dropToken(id)
	return a.removeJournaled(ctx, Change{Actor: p.Name, Action: op, Key: TokenKey(t.User, t.ID), Removed: true})
}

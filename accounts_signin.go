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

// Login checks name and password and starts a session. Every failure
// answers alike, whether or not the user exists; repeated failures per
// user and per address are TooManyRequests for a while (see
// loginLimiter), and so is a sign-in when too many passwords are being
// checked at once. A name that no user can have (see ValidUserName) is refused
// at once, uncounted: it tells nothing about the users that exist.
func (ac *Accounts) Login(ctx context.Context, name UserName, password, addr string) (token string, s *Session, err error) {
	const op = "auth.login"
	wrong := E(op, Unauthenticated, nil, "wrong user name or password")
	if !ValidUserName(string(name)) {
		return "", nil, wrong
	}
	u := ac.user(name)
	ok, err := ac.tryPassword(ctx, op, u, name, password, addr)
	if err != nil {
		return "", nil, err
	}
	if !ok {
		return "", nil, wrong
	}
	now := ac.a.now()
	token = sessionPrefix + randomToken(32)
	s = &Session{User: u.Name, Epoch: u.Epoch, Created: now.UTC(), Expires: now.Add(ac.ttl).UTC(),
		CSRF: randomToken(24), Addr: addr}
	key := SessionKey(hashToken(token))
	info, err := ac.a.put(ctx, key, s)
	if err != nil {
		return "", nil, err
	}
	if err := ac.a.commit(WithActor(ctx, u.Name), op, Change{Key: key, SHA256: info.SHA256, Addr: addr}, s); err != nil {
		return "", nil, err
	}
	ac.putSession(hashToken(token), s)
	return token, s, nil
}

// Logout ends the session of token.
func (ac *Accounts) Logout(ctx context.Context, token string) error {
	h := hashToken(token)
	s := ac.dropSession(h)
	if s == nil {
		return nil // unknown, or a concurrent sign-out or sweep ended it
	}
	return ac.a.removeJournaled(ctx, Change{Actor: s.User, Action: "auth.logout", Key: SessionKey(h), Removed: true})
}

// EndExpiredSessions removes the sessions that have expired, from the
// cache and from the store, journaling each removal as the system's, and
// returns how many it removed. The server runs it every hour, so that
// sessions do not pile up in the store and in memory. It knows the
// sessions this process loaded at start or has met since; another
// replica's new sessions are its own to remove.
func (ac *Accounts) EndExpiredSessions(ctx context.Context) (int, error) {
	n := 0
	for _, h := range ac.expiredSessions(ac.a.now()) {
		s := ac.dropSession(h)
		if s == nil {
			continue // signed out meanwhile
		}
		c := Change{Actor: "system", Action: "auth.expire", Key: SessionKey(h), Removed: true}
		if err := ac.a.removeJournaled(ctx, c); err != nil {
			ac.putSession(h, s) // so that the next sweep tries again
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
	return a.deleteRemoved(ctx, c)
}

// deleteRemoved deletes the objects of journaled removals.
func (a *Archive) deleteRemoved(ctx context.Context, cs ...Change) error {
	for _, c := range cs {
		if err := a.store.Delete(ctx, c.Key); err != nil && !IsKind(err, NotFound) {
			return err
		}
	}
	return nil
}

// Authenticate returns the principal of a session or API token, and the
// session (nil for an API token). An unknown, expired, revoked or
// outdated credential, or a disabled user, is Unauthenticated.
func (ac *Accounts) Authenticate(ctx context.Context, credential string) (*Principal, *Session, error) {
	const op = "auth"
	switch {
	case strings.HasPrefix(credential, sessionPrefix):
		return ac.authSession(ctx, credential)
	case strings.HasPrefix(credential, apiTokenPrefix):
		p, err := ac.authToken(credential)
		return p, nil, err
	}
	return nil, nil, E(op, Unauthenticated, nil, "the credential is not a session or an API token")
}

func (ac *Accounts) authSession(ctx context.Context, token string) (*Principal, *Session, error) {
	const op = "auth.session"
	h := hashToken(token)
	s := ac.session(h)
	if s == nil {
		stored, err := ac.storedSession(ctx, h)
		if err != nil {
			return nil, nil, E(op, Unauthenticated, err, "the session is unknown or has ended; sign in again")
		}
		s = stored
		ac.putSession(h, s)
	}
	if !ac.a.now().Before(s.Expires) {
		return nil, nil, E(op, Unauthenticated, nil, "the session has expired; sign in again")
	}
	u := ac.user(s.User)
	if u == nil || u.Disabled || u.Epoch != s.Epoch {
		return nil, nil, E(op, Unauthenticated, nil, "the session has ended (password changed or account disabled); sign in again")
	}
	return PrincipalOf(&u.User), s, nil
}

// storedSession reads the session whose token hashes to h from the store,
// if the journal recorded it. Another replica may have made it since this
// one last followed the journal: then it follows first.
func (ac *Accounts) storedSession(ctx context.Context, h string) (*Session, error) {
	key := SessionKey(h)
	if _, ok := ac.a.catalog.object(key); !ok {
		if err := ac.a.SyncIndex(ctx); err != nil {
			return nil, err
		}
	}
	var s Session
	return &s, ac.a.readObject(ctx, key, &s)
}

func (ac *Accounts) authToken(token string) (*Principal, error) {
	const op = "auth.token"
	id, secret, ok := strings.Cut(strings.TrimPrefix(token, apiTokenPrefix), "_")
	t := ac.token(id)
	if !ok || secret == "" || t == nil || subtle.ConstantTimeCompare([]byte(t.Hash), []byte(hashToken(token))) != 1 {
		return nil, E(op, Unauthenticated, nil, "the API token is unknown or revoked")
	}
	if !t.Expires.IsZero() && !ac.a.now().Before(t.Expires) {
		return nil, E(op, Unauthenticated, nil, "the API token has expired; make a new one")
	}
	u := ac.user(t.User)
	if u == nil || u.Disabled {
		return nil, E(op, Unauthenticated, nil, "the account of this API token is disabled")
	}
	return PrincipalOf(&u.User), nil
}

// CreateToken makes a personal API token for the caller, valid for ttl (0:
// until revoked). The token is returned once; only its hash is kept.
func (ac *Accounts) CreateToken(ctx context.Context, name string, ttl time.Duration) (string, *APIToken, error) {
	const op = "token.create"
	p, err := signedIn(ctx, op)
	if err != nil {
		return "", nil, err
	}
	if name = strings.TrimSpace(name); name == "" || utf8.RuneCountInString(name) > 100 {
		e := E(op, Invalid, nil, "the token needs a name")
		e.Fields = []FieldError{{Field: "name", Message: "is required, at most 100 characters: say what the token is for"}}
		return "", nil, e
	}
	now := ac.a.now().UTC()
	t := &storedToken{APIToken: APIToken{ID: NewID("T", now), User: p.Name, Name: name, Created: now}}
	if ttl > 0 {
		t.Expires = now.Add(ttl)
	}
	token := apiTokenPrefix + t.ID + "_" + randomToken(32)
	t.Hash = hashToken(token)
	key := TokenKey(p.Name, t.ID)
	info, err := ac.a.put(ctx, key, t)
	if err != nil {
		return "", nil, err
	}
	if err := ac.a.commit(ctx, op, Change{Key: key, SHA256: info.SHA256}, t); err != nil {
		return "", nil, err
	}
	ac.putToken(t)
	v := t.APIToken
	return token, &v, nil
}

// ListTokens returns the caller's API tokens.
func (ac *Accounts) ListTokens(ctx context.Context) ([]APIToken, error) {
	p, err := signedIn(ctx, "token.list")
	if err != nil {
		return nil, err
	}
	return ac.tokensOf(p.Name), nil
}

// RevokeToken revokes API token id of the caller; a sysadmin may revoke
// anyone's.
func (ac *Accounts) RevokeToken(ctx context.Context, id string) error {
	const op = "token.revoke"
	p, err := signedIn(ctx, op)
	if err != nil {
		return err
	}
	t := ac.token(id)
	if t == nil || t.User != p.Name && !ac.a.policy.Allowed(p, PermUpdate, userResource) {
		return E(op, NotFound, nil, "token %s not found", id)
	}
	ac.dropToken(id)
	return ac.a.removeJournaled(ctx, Change{Actor: p.Name, Action: op, Key: TokenKey(t.User, t.ID), Removed: true})
}

// revokeTokensOf revokes every API token of user, journaling the removals
// in one entry with why and the caller as their actor, and returns how
// many it revoked. When the journal refuses, the tokens stay, so that the
// caller may try again.
func (ac *Accounts) revokeTokensOf(ctx context.Context, user UserName, why string) (int, error) {
	tokens := ac.storedTokensOf(user)
	changes := make([]Change, len(tokens))
	for i, t := range tokens {
		ac.dropToken(t.ID)
		changes[i] = Change{Actor: ActorFrom(ctx), Action: "token.revoke", Key: TokenKey(user, t.ID), Removed: true, Detail: why}
	}
	if len(changes) == 0 {
		return 0, nil
	}
	if _, err := ac.a.journal.Append(ctx, changes...); err != nil {
		for _, t := range tokens {
			ac.putToken(t)
		}
		return 0, err
	}
	return len(tokens), ac.a.deleteRemoved(ctx, changes...)
}

package visitarchive

import (
	"context"
	"slices"
	"strings"
	"time"
)

// The caches of sessions and API tokens.

func (ac *Accounts) session(hash string) *Session {
	ac.mu.RLock()
	defer ac.mu.RUnlock()
	return ac.sessions[hash]
}

func (ac *Accounts) putSession(hash string, s *Session) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	ac.sessions[hash] = s
}

// dropSession forgets a session and returns it, or nil when it was not
// cached (or another caller dropped it first).
func (ac *Accounts) dropSession(hash string) *Session {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	s := ac.sessions[hash]
	delete(ac.sessions, hash)
	return s
}

// expiredSessions returns the hashes of the cached sessions that expired
// by now.
func (ac *Accounts) expiredSessions(now time.Time) []string {
	ac.mu.RLock()
	defer ac.mu.RUnlock()
	var out []string
	for h, s := range ac.sessions {
		if !now.Before(s.Expires) {
			out = append(out, h)
		}
	}
	return out
}

func (ac *Accounts) token(id string) *storedToken {
	ac.mu.RLock()
	defer ac.mu.RUnlock()
	return ac.tokens[id]
}

func (ac *Accounts) putToken(t *storedToken) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	ac.tokens[t.ID] = t
}

func (ac *Accounts) dropToken(id string) {
	ac.mu.Lock()
	defer ac.mu.Unlock()
	delete(ac.tokens, id)
}

func (ac *Accounts) tokensOf(u UserName) []APIToken {
	out := []APIToken{}
	for _, t := range ac.storedTokensOf(u) {
		out = append(out, t.APIToken)
	}
	return out
}

// storedTokensOf returns the tokens of user u, by id.
func (ac *Accounts) storedTokensOf(u UserName) []*storedToken {
	ac.mu.RLock()
	defer ac.mu.RUnlock()
	var out []*storedToken
	for _, t := range ac.tokens {
		if t.User == u {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(x, y *storedToken) int { return strings.Compare(x.ID, y.ID) })
	return out
}

// loadCredentials reads the API tokens the catalog records. Sessions are
// read when first used, so that old sign-ins cost nothing at start.
func (ac *Accounts) loadCredentials(ctx context.Context) error {
	for _, e := range ac.a.catalog.objectsUnder(TokensPrefix) {
		var t storedToken
		if err := readSealed(ctx, ac.a.store, e.key, e.sum, &t); err != nil {
			return err
		}
		ac.putToken(&t)
	}
	return nil
}

// followCredential applies a session or token change that another
// process journaled.
func (ac *Accounts) followCredential(ctx context.Context, c Change) error {
	if strings.HasPrefix(c.Key, SessionsPrefix) {
		if c.Removed {
			hash := strings.TrimSuffix(strings.TrimPrefix(c.Key, SessionsPrefix), ".json")
			ac.dropSession(hash)
		}
		return nil // new sessions are read when first used
	}
	if c.Removed {
		id := strings.TrimSuffix(c.Key[strings.LastIndexByte(c.Key, '/')+1:], ".json")
		ac.dropToken(id)
		return nil
	}
	var t storedToken
	if err := ac.a.readChange(ctx, c, &t); err != nil {
		return err
	}
	ac.putToken(&t)
	return nil
}

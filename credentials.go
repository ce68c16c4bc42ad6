package visitarchive

import (
	"context"
	"slices"
	"strings"
	"time"
)

// The caches of sessions and API tokens.

func (c *accounts) session(hash string) *Session {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.sessions[hash]
}

func (c *accounts) putSession(hash string, s *Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sessions[hash] = s
}

// dropSession forgets a session and returns it, or nil when it was not
// cached (or another caller dropped it first).
func (c *accounts) dropSession(hash string) *Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sessions[hash]
	delete(c.sessions, hash)
	return s
}

// expiredSessions returns the hashes of the cached sessions that expired
// by now.
func (c *accounts) expiredSessions(now time.Time) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []string
	for h, s := range c.sessions {
		if !now.Before(s.Expires) {
			out = append(out, h)
		}
	}
	return out
}

func (c *accounts) token(id string) *storedToken {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.tokens[id]
}

func (c *accounts) putToken(t *storedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tokens[t.ID] = t
}

func (c *accounts) dropToken(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.tokens, id)
}

func (c *accounts) tokensOf(u UserName) []APIToken {
	out := []APIToken{}
	for _, t := range c.storedTokensOf(u) {
		out = append(out, t.APIToken)
	}
	return out
}

// storedTokensOf returns the tokens of user u, by id.
func (c *accounts) storedTokensOf(u UserName) []*storedToken {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []*storedToken
	for _, t := range c.tokens {
		if t.User == u {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(x, y *storedToken) int { return strings.Compare(x.ID, y.ID) })
	return out
}

// loadCredentials reads the API tokens the catalog records. Sessions are
// read when first used, so that old sign-ins cost nothing at start.
func (a *Archive) loadCredentials(ctx context.Context) error {
	for _, e := range a.catalog.objectsUnder(TokensPrefix) {
		var t storedToken
		if err := readSealed(ctx, a.store, e.key, e.sum, &t); err != nil {
			return err
		}
		a.accounts.putToken(&t)
	}
	return nil
}

// followCredential applies a session or token change that another
// process journaled.
func (a *Archive) followCredential(ctx context.Context, c Change) error {
	if strings.HasPrefix(c.Key, SessionsPrefix) {
		if c.Removed {
			hash := strings.TrimSuffix(strings.TrimPrefix(c.Key, SessionsPrefix), ".json")
			a.accounts.dropSession(hash)
		}
		return nil // new sessions are read when first used
	}
	if c.Removed {
		id := strings.TrimSuffix(c.Key[strings.LastIndexByte(c.Key, '/')+1:], ".json")
		a.accounts.dropToken(id)
		return nil
	}
	var t storedToken
	if err := a.readChange(ctx, c, &t); err != nil {
		return err
	}
	a.accounts.putToken(&t)
	return nil
}

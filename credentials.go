package visitarchive

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// The caches of sessions and API tokens, and the limiter of failed
// sign-ins.

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

// loadCredentials reads the API tokens. Sessions are read when first
// used, so that old sign-ins cost nothing at start.
func (a *Archive) loadCredentials(ctx context.Context) error {
	for info, err := range a.store.List(ctx, TokensPrefix, "") {
		if err != nil {
			return E("open", Unavailable, err, "cannot list API tokens in the store")
		}
		var t storedToken
		if _, err := readJSON(ctx, a.store, info.Key, &t); err != nil {
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
	if _, err := readJSON(ctx, a.store, c.Key, &t); err != nil {
		return err
	}
	a.accounts.putToken(&t)
	return nil
}

// Sign-in limits: after this many failures within failWindow, a user name
// or a client address must wait until the window has passed.
const (
	maxUserFailures = 5
	maxAddrFailures = 20
	failWindow      = 15 * time.Minute
)

// loginLimiter counts recent failed sign-ins per user name and per
// address. It is per process: each replica limits on its own.
type loginLimiter struct {
	mu    sync.Mutex
	fails map[string][]time.Time
}

// blocked returns how long name or addr must wait, or 0.
func (l *loginLimiter) blocked(name UserName, addr string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fails == nil {
		l.fails = map[string][]time.Time{}
	}
	return max(l.wait("u:"+string(name), maxUserFailures, now), l.wait("a:"+addr, maxAddrFailures, now))
}

func (l *loginLimiter) wait(key string, limit int, now time.Time) time.Duration {
	recent := slices.DeleteFunc(l.fails[key], func(t time.Time) bool { return now.Sub(t) >= failWindow })
	l.fails[key] = recent
	if len(recent) < limit {
		return 0
	}
	return failWindow - now.Sub(recent[len(recent)-limit])
}

func (l *loginLimiter) fail(name UserName, addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fails == nil || len(l.fails) > 100000 {
		l.fails = map[string][]time.Time{}
	}
	l.fails["u:"+string(name)] = append(l.fails["u:"+string(name)], now)
	l.fails["a:"+addr] = append(l.fails["a:"+addr], now)
}

func (l *loginLimiter) reset(name UserName) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, "u:"+string(name))
}

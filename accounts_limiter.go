package visitarchive

import (
	"cmp"
	"container/list"
	"slices"
	"sync"
	"time"
)

// Sign-in limits: at most maxUserFailures failed sign-ins for one user
// name and maxAddrFailures from one client address within failWindow.
// An attempt reserves its place before its password is checked, under
// one lock, so that a burst of concurrent attempts checks no more
// passwords than the limits allow: a failure keeps its place, a success
// gives it back (and forgets the user's failures), and so does an attempt
// whose password was never checked.

// The limits.
const (
	maxUserFailures = 5
	maxAddrFailures = 20
	failWindow      = 15 * time.Minute

	// maxLimiterKeys bounds the user names and addresses the limiter
	// keeps, a few hundred bytes each. A key stays only while it has
	// failures in the window, so each costs a failed password check;
	// see loginLimiter for what happens when the table is full.
	maxLimiterKeys = 100_000
)

// loginLimiter counts recent failed and in-flight sign-ins per user name
// and per address. It is per process: each replica limits on its own.
//
// When the table is full, the key whose last attempt is oldest makes
// room, but never a key at its limit: a blocked user or address stays
// blocked for its window, so that nobody lifts a block by making the
// limiter forget it. Only when every key is at its limit does a new one
// wait until the oldest of them expires.
type loginLimiter struct {
	mu      sync.Mutex
	maxKeys int // 0: maxLimiterKeys
	keys    map[string]*limitEntry
	// open and full hold the keys, oldest last attempt first; full
	// those at their limit.
	open, full list.List
}

// limitEntry is what the limiter knows of one user name or address.
type limitEntry struct {
	key   string
	limit int
	times []time.Time // failures and reservations in the window, oldest first
	elem  *list.Element
	in    *list.List // open or full
}

// attempt is a sign-in that reserved its place.
type attempt struct {
	user, addr string // keys
	at         time.Time
}

// reserve records an attempt for name from addr at now, before its
// password is checked, and returns it; or, recording nothing, how long to
// wait when the user or the address is at its limit.
func (l *loginLimiter) reserve(name UserName, addr string, now time.Time) (attempt, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire(now)
	a := attempt{user: "u:" + string(name), addr: "a:" + addr, at: now}
	u, ad := l.entry(a.user, maxUserFailures, now), l.entry(a.addr, maxAddrFailures, now)
	if wait := max(u.wait(now), ad.wait(now)); wait > 0 {
		return attempt{}, wait
	}
	if wait := l.makeRoom(now, u, ad); wait > 0 {
		return attempt{}, wait
	}
	l.record(u, now)
	l.record(ad, now)
	return a, 0
}

// succeeded ends a reserved attempt whose password was right: the user's
// failures are forgotten and the address's place is given back.
func (l *loginLimiter) succeeded(a attempt) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e := l.keys[a.user]; e != nil {
		l.drop(e)
	}
	l.giveBack(a.addr, a.at)
}

// cancel ends a reserved attempt whose password was not checked: it
// counts for neither.
func (l *loginLimiter) cancel(a attempt) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.giveBack(a.user, a.at)
	l.giveBack(a.addr, a.at)
}

// size returns how many keys the limiter holds.
func (l *loginLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}

// entry returns the entry of key with its times in the window, or a new
// one not yet in the table.
func (l *loginLimiter) entry(key string, limit int, now time.Time) *limitEntry {
	e := l.keys[key]
	if e != nil {
		e.times = slices.DeleteFunc(e.times, func(t time.Time) bool { return now.Sub(t) >= failWindow })
		if len(e.times) > 0 {
			return e
		}
		l.drop(e)
	}
	return &limitEntry{key: key, limit: limit}
}

// wait returns how long until e falls below its limit, or 0.
func (e *limitEntry) wait(now time.Time) time.Duration {
	if len(e.times) < e.limit {
		return 0
	}
	return failWindow - now.Sub(e.times[len(e.times)-e.limit])
}

// makeRoom evicts the oldest keys below their limit until the new ones
// among es fit, and returns 0; or how long until the oldest key at its
// limit expires, when only such keys are left.
func (l *loginLimiter) makeRoom(now time.Time, es ...*limitEntry) time.Duration {
	if l.keys == nil {
		l.keys = map[string]*limitEntry{}
	}
	need := len(l.keys) - cmp.Or(l.maxKeys, maxLimiterKeys)
	for _, e := range es {
		if e.elem == nil {
			need++
		} else {
			l.place(e) // to the back, so that it is not evicted here
		}
	}
	for ; need > 0; need-- {
		oldest := l.open.Front()
		if oldest == nil && l.full.Len() == 0 {
			return failWindow // a table too small for one attempt
		}
		if oldest == nil {
			return failWindow - now.Sub(l.full.Front().Value.(*limitEntry).last())
		}
		l.drop(oldest.Value.(*limitEntry))
	}
	return 0
}

// record adds an attempt at now to e, putting e in the table.
func (l *loginLimiter) record(e *limitEntry, now time.Time) {
	e.times = append(e.times, now)
	l.keys[e.key] = e
	l.place(e)
}

// giveBack removes one attempt at t from key.
func (l *loginLimiter) giveBack(key string, t time.Time) {
	e := l.keys[key]
	if e == nil {
		return
	}
	if i := slices.IndexFunc(e.times, t.Equal); i >= 0 {
		e.times = slices.Delete(e.times, i, i+1)
	}
	if len(e.times) == 0 {
		l.drop(e)
		return
	}
	l.place(e)
}

// place puts e at the back of the list it belongs in.
func (l *loginLimiter) place(e *limitEntry) {
	in := &l.open
	if len(e.times) >= e.limit {
		in = &l.full
	}
	if e.elem != nil {
		e.in.Remove(e.elem)
	}
	e.elem, e.in = in.PushBack(e), in
}

// drop removes e from the table.
func (l *loginLimiter) drop(e *limitEntry) {
	if e.elem != nil {
		e.in.Remove(e.elem)
		e.elem, e.in = nil, nil
	}
	delete(l.keys, e.key)
}

// expire drops the keys whose last attempt left the window. The lists
// are in order of last attempt, so it looks at their fronts only.
func (l *loginLimiter) expire(now time.Time) {
	for _, in := range []*list.List{&l.open, &l.full} {
		for f := in.Front(); f != nil && now.Sub(f.Value.(*limitEntry).last()) >= failWindow; f = in.Front() {
			l.drop(f.Value.(*limitEntry))
		}
	}
}

// last returns the time of the last attempt of e.
func (e *limitEntry) last() time.Time { return e.times[len(e.times)-1] }

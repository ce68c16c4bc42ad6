package server

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/testenv"
)

// Sign-in under attack (issue 13): bursts, storms and absurd names.

// slowHasher checks passwords no faster than delay, as argon2id at its
// production cost does, so that concurrent sign-ins overlap.
type slowHasher struct {
	visitarchive.PasswordHasher
	delay *atomic.Int64 // nanoseconds
}

func (h slowHasher) Verify(hash, password string) (bool, error) {
	time.Sleep(time.Duration(h.delay.Load()))
	return h.PasswordHasher.Verify(hash, password)
}

// slowServer is a test server whose password checks take delay once its
// people are made; adjust, if given, changes the Archive's Config further.
func slowServer(t *testing.T, delay time.Duration, adjust ...func(*visitarchive.Config)) *testServer {
	t.Helper()
	d := new(atomic.Int64)
	ts := newTestServerWith(t, func(c *visitarchive.Config) {
		c.Passwords = slowHasher{testenv.Hasher(t), d}
		for _, f := range adjust {
			f(c)
		}
	})
	d.Store(int64(delay))
	return ts
}

// signInBurst sends n sign-ins at once and returns the answers.
func (ts *testServer) signInBurst(n int, user, password string) []*result {
	out := make([]*result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { out[i] = ts.signIn(user, password) })
	}
	wg.Wait()
	return out
}

// statuses counts answers by status.
func statuses(rs []*result) map[int]int {
	out := map[int]int{}
	for _, r := range rs {
		out[r.status]++
	}
	return out
}

// TestSignInBurst: 30 wrong passwords for one user at once get at most 5
// checks (401); the others are 429 at once.
func TestSignInBurst(t *testing.T) {
	ts := slowServer(t, 50*time.Millisecond)
	rs := ts.signInBurst(30, "alice", "wrong password")
	got := statuses(rs)
	if got[http.StatusUnauthorized] > 5 || got[http.StatusUnauthorized]+got[http.StatusTooManyRequests] != 30 {
		t.Errorf("answers by status: %v, want at most 5 × 401 and the rest 429", got)
	}
	for _, r := range rs {
		if r.status == http.StatusTooManyRequests {
			checkRetryAfter(t, r)
		}
	}
	ts.signIn("alice", testPassword).wantError(t, http.StatusTooManyRequests, "too_many_requests")
}

// TestSignInBusy: when every password-check slot is taken and none frees
// up within the wait, a sign-in is 429 with a Retry-After of a second,
// and counts as no failure.
func TestSignInBusy(t *testing.T) {
	ts := slowServer(t, 300*time.Millisecond, func(c *visitarchive.Config) {
		c.PasswordChecks, c.PasswordCheckWait = 1, 10*time.Millisecond
	})
	rs := ts.signInBurst(4, "bob", testPassword)
	got := statuses(rs)
	if got[http.StatusOK] < 1 || got[http.StatusTooManyRequests] < 1 || got[http.StatusOK]+got[http.StatusTooManyRequests] != 4 {
		t.Fatalf("answers by status: %v, want some 200 and some 429", got)
	}
	for _, r := range rs {
		if r.status != http.StatusTooManyRequests {
			continue
		}
		if e := r.apiError(t); e.Code != "too_many_requests" || !strings.Contains(e.Message, "too many passwords at once") {
			t.Errorf("busy answer %s", r.body)
		}
		if got := r.header.Get("Retry-After"); got != "1" {
			t.Errorf("Retry-After = %q, want 1", got)
		}
	}
}

// TestSignInAbsurdNames: a sign-in body beyond a few kilobytes is 413
// before it is parsed; a name that cannot be a user name gets the answer
// of a wrong password.
func TestSignInAbsurdNames(t *testing.T) {
	ts := newTestServer(t)
	ts.signIn(strings.Repeat("x", 3<<20), testPassword).wantError(t, http.StatusRequestEntityTooLarge, "too_large")
	wrong := ts.signIn("alice", "wrong password").want(t, http.StatusUnauthorized)
	for _, name := range []string{strings.Repeat("a", 65), strings.Repeat("名", 1000), "a/b", "alice "} {
		res := ts.signIn(name, testPassword).want(t, http.StatusUnauthorized)
		if !bytes.Equal(res.body, wrong.body) {
			t.Errorf("sign-in as %.20q: %s, want the answer of a wrong password %s", name, res.body, wrong.body)
		}
	}
	// None of them counted against the address.
	for i := range 25 {
		ts.signIn(fmt.Sprintf("no/such/user/%d", i), testPassword).want(t, http.StatusUnauthorized)
	}
	ts.login("alice", testPassword)
}

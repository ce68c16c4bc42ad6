package visitarchive_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/testenv"
)

// Sign-in under attack (issue 13): bursts do not beat the limits, the
// password checks that run at once are bounded, and names that cannot be
// user names cost nothing.

// countingHasher is a PasswordHasher that counts the password checks it
// runs and the most that ran at once, each taking at least delay.
type countingHasher struct {
	va.PasswordHasher
	delay                 time.Duration
	checks, running, peak atomic.Int64
}

func (h *countingHasher) Verify(hash, password string) (bool, error) {
	h.checks.Add(1)
	defer h.running.Add(-1)
	n := h.running.Add(1)
	for p := h.peak.Load(); n > p && !h.peak.CompareAndSwap(p, n); p = h.peak.Load() {
	}
	time.Sleep(h.delay)
	return h.PasswordHasher.Verify(hash, password)
}

// fastHasher is a PasswordHasher that costs nothing, for tests of many
// sign-ins. It is no hash: only for tests.
type fastHasher struct{}

func (fastHasher) Hash(pw string) (string, error)       { return "fast:" + pw, nil }
func (fastHasher) Verify(hash, pw string) (bool, error) { return hash == "fast:"+pw, nil }

// signInEnv is an env whose Archive checks passwords with h, and whose
// first administrator has password pw.
func signInEnv(t *testing.T, h va.PasswordHasher) (e *env, pw string) {
	t.Helper()
	e = unopened(t)
	e.adjust(func(c *va.Config) { c.Passwords = h })
	e.Open(t, false)
	pw, _, err := e.Archive.Accounts().EnsureAdmin(t.Context(), "")
	if err != nil {
		t.Fatal(err)
	}
	return e, pw
}

// burst runs n sign-ins at once, the ith as signIn(i) says (user,
// password, address), and returns their errors.
func burst(t *testing.T, e *env, n int, signIn func(i int) (va.UserName, string, string)) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			name, pw, addr := signIn(i)
			<-start
			_, _, errs[i] = e.Archive.Accounts().Login(t.Context(), name, pw, addr)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// kinds counts errs by kind; nil counts as -1.
func kinds(errs []error) map[va.Kind]int {
	out := map[va.Kind]int{}
	for _, err := range errs {
		k := va.Kind(-1)
		if err != nil {
			k = va.ErrorKind(err)
		}
		out[k]++
	}
	return out
}

// TestSignInBurstPerUser: of 30 wrong passwords for one user at once, from
// 30 addresses, at most 5 are checked; the rest wait out the window.
func TestSignInBurstPerUser(t *testing.T) {
	h := &countingHasher{PasswordHasher: testenv.Hasher(t), delay: 50 * time.Millisecond}
	e, pw := signInEnv(t, h)
	errs := burst(t, e, 30, func(i int) (va.UserName, string, string) {
		return "admin", "wrong password", fmt.Sprintf("10.0.0.%d", i)
	})
	if got := h.checks.Load(); got > 5 {
		t.Errorf("%d passwords checked, want at most 5", got)
	}
	if got := kinds(errs); got[va.Unauthenticated] > 5 || got[va.TooManyRequests] < 25 {
		t.Errorf("answers by kind: %v, want at most 5 unauthenticated and the rest too many requests", got)
	}
	if _, _, err := e.Archive.Accounts().Login(t.Context(), "admin", pw, "10.1.0.1"); !va.IsKind(err, va.TooManyRequests) {
		t.Errorf("the right password after the burst: %v, want too many requests", err)
	}
}

// TestSignInBurstPerAddress: of 30 sign-ins at once from one address, for
// 30 user names, at most 20 are checked.
func TestSignInBurstPerAddress(t *testing.T) {
	h := &countingHasher{PasswordHasher: testenv.Hasher(t), delay: 50 * time.Millisecond}
	e, _ := signInEnv(t, h)
	errs := burst(t, e, 30, func(i int) (va.UserName, string, string) {
		return va.UserName(fmt.Sprintf("user%d", i)), "wrong password", "10.0.0.1"
	})
	if got := h.checks.Load(); got > 20 {
		t.Errorf("%d passwords checked, want at most 20", got)
	}
	if got := kinds(errs); got[va.TooManyRequests] < 10 {
		t.Errorf("answers by kind: %v, want at least 10 too many requests", got)
	}
}

// TestPasswordChecksBounded: a storm of sign-ins from many addresses runs
// at most twice as many password checks at once as there are cores, each
// of which takes the hasher's memory; the others are told to come back.
func TestPasswordChecksBounded(t *testing.T) {
	h := &countingHasher{PasswordHasher: testenv.Hasher(t), delay: 100 * time.Millisecond}
	e, _ := signInEnv(t, h)
	errs := burst(t, e, 60, func(i int) (va.UserName, string, string) {
		return va.UserName(fmt.Sprintf("user%d", i)), "wrong password", fmt.Sprintf("10.0.%d.1", i)
	})
	if got, limit := h.peak.Load(), int64(2*runtime.NumCPU()); got > limit {
		t.Errorf("%d password checks ran at once, want at most %d", got, limit)
	}
	for _, err := range errs {
		if !va.IsKind(err, va.Unauthenticated) && !va.IsKind(err, va.TooManyRequests) {
			t.Errorf("a sign-in of the storm: %v, want unauthenticated or too many requests", err)
		}
	}
}

// TestImpossibleNamesCostNothing: a name that cannot be a user name gets
// the answer of a wrong password, without a password check and without
// counting against its address.
func TestImpossibleNamesCostNothing(t *testing.T) {
	h := &countingHasher{PasswordHasher: testenv.Hasher(t)}
	e, pw := signInEnv(t, h)
	_, _, wrong := e.Archive.Accounts().Login(t.Context(), "admin", "wrong password", "10.9.9.9")
	names := []string{strings.Repeat("x", 3<<20), strings.Repeat("a", 65), "a/b", "../admin", "-admin", "名字", "admin\x00", " admin"}
	for range 3 {
		for _, name := range names {
			_, _, err := e.Archive.Accounts().Login(t.Context(), va.UserName(name), "wrong password", "10.0.0.1")
			if !va.IsKind(err, va.Unauthenticated) || va.ErrorMessage(err) != va.ErrorMessage(wrong) {
				t.Errorf("sign-in as %.20q: %v, want the answer of a wrong password: %v", name, err, wrong)
			}
		}
	}
	if got := h.checks.Load(); got != 1 {
		t.Errorf("%d password checks, want only the one of the wrong password", got)
	}
	if _, _, err := e.Archive.Accounts().Login(t.Context(), "admin", pw, "10.0.0.1"); err != nil {
		t.Errorf("sign-in from the address that tried %d impossible names: %v", 3*len(names), err)
	}
}

// TestLimitsSurviveManyNames: however many names and addresses fail, a
// user blocked by failed sign-ins stays blocked for the window (the
// limiter once forgot everything at 100,000 names).
func TestLimitsSurviveManyNames(t *testing.T) {
	e, pw := signInEnv(t, fastHasher{})
	for range 5 {
		e.Archive.Accounts().Login(t.Context(), "admin", "wrong password", "10.0.0.1")
	}
	for i := range 50_001 {
		e.Archive.Accounts().Login(t.Context(), va.UserName(fmt.Sprintf("u%d", i)), "wrong password", fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&255, i&255))
	}
	if _, _, err := e.Archive.Accounts().Login(t.Context(), "admin", pw, "10.200.0.1"); !va.IsKind(err, va.TooManyRequests) {
		t.Errorf("the blocked user, after 50,001 other failures: %v, want too many requests", err)
	}
}

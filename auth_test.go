package visitarchive_test

import (
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/journal"
)

// TestEndExpiredSessions: the sweep removes exactly the expired sessions,
// from memory and from the store, once each, and the journal stays whole.
func TestEndExpiredSessions(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	e.setNow(start)
	pw, _, err := e.archive.EnsureAdmin(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	login := func() string {
		t.Helper()
		token, _, err := e.archive.Login(ctx, "admin", pw, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	old, loggedOut := login(), login()
	if err := e.archive.Logout(ctx, loggedOut); err != nil {
		t.Fatal(err)
	}
	e.setNow(start.Add(time.Hour))
	fresh := login()
	if got := e.sessionObjects(t); got != 2 {
		t.Fatalf("%d session objects before the sweep, want 2", got)
	}

	e.setNow(start.Add(va.DefaultSessionTTL)) // old expires now, fresh in an hour
	if n, err := e.archive.EndExpiredSessions(ctx); err != nil || n != 1 {
		t.Fatalf("first sweep removed %d (%v), want 1", n, err)
	}
	if n, err := e.archive.EndExpiredSessions(ctx); err != nil || n != 0 {
		t.Fatalf("second sweep removed %d (%v), want 0", n, err)
	}
	if got := e.sessionObjects(t); got != 1 {
		t.Fatalf("%d session objects after the sweep, want 1", got)
	}
	if _, _, err := e.archive.Authenticate(ctx, fresh); err != nil {
		t.Fatalf("the unexpired session no longer works: %v", err)
	}

	e.close(t)
	e.open(t, true) // a restart does not bring the removed session back
	e.setNow(start)
	_, _, err = e.archive.Authenticate(ctx, old)
	if !va.IsKind(err, va.Unauthenticated) {
		t.Fatalf("the swept session, before its expiry time, authenticated: %v", err)
	}
	if rep, err := journal.Verify(ctx, e.store, nil); err != nil || !rep.OK() {
		t.Fatalf("verify after the sweep: %v %+v", err, rep)
	}
}

// sessionObjects counts the sessions in the store.
func (e *env) sessionObjects(t *testing.T) int {
	t.Helper()
	n := 0
	for _, err := range e.store.List(t.Context(), "sessions/", "") {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

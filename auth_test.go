package visitarchive_test

import (
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/smtpmail/smtptest"
	"github.com/visitarchive/visitarchive/storage/journal"
)

// TestEndExpiredSessions: the sweep removes exactly the expired sessions,
// from memory and from the store, once each, and the journal stays whole.
func TestEndExpiredSessions(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	start := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	e.Clock.Set(start)
	pw, _, err := e.Archive.Accounts().EnsureAdmin(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	login := func() string {
		t.Helper()
		token, _, err := e.Archive.Accounts().Login(ctx, "admin", pw, "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	old, loggedOut := login(), login()
	if err := e.Archive.Accounts().Logout(ctx, loggedOut); err != nil {
		t.Fatal(err)
	}
	e.Clock.Set(start.Add(time.Hour))
	fresh := login()
	if got := e.sessionObjects(t); got != 2 {
		t.Fatalf("%d session objects before the sweep, want 2", got)
	}

	e.Clock.Set(start.Add(va.DefaultSessionTTL)) // old expires now, fresh in an hour
	if n, err := e.Archive.Accounts().EndExpiredSessions(ctx); err != nil || n != 1 {
		t.Fatalf("first sweep removed %d (%v), want 1", n, err)
	}
	if n, err := e.Archive.Accounts().EndExpiredSessions(ctx); err != nil || n != 0 {
		t.Fatalf("second sweep removed %d (%v), want 0", n, err)
	}
	if got := e.sessionObjects(t); got != 1 {
		t.Fatalf("%d session objects after the sweep, want 1", got)
	}
	if _, _, err := e.Archive.Accounts().Authenticate(ctx, fresh); err != nil {
		t.Fatalf("the unexpired session no longer works: %v", err)
	}

	e.Close(t)
	e.Open(t, true) // a restart does not bring the removed session back
	e.Clock.Set(start)
	_, _, err = e.Archive.Accounts().Authenticate(ctx, old)
	if !va.IsKind(err, va.Unauthenticated) {
		t.Fatalf("the swept session, before its expiry time, authenticated: %v", err)
	}
	if rep, err := journal.Verify(ctx, e.Store, nil); err != nil || !rep.OK() {
		t.Fatalf("verify after the sweep: %v %+v", err, rep)
	}
}

// sessionObjects counts the sessions in the store.
func (e *env) sessionObjects(t *testing.T) int {
	t.Helper()
	n := 0
	for _, err := range e.Store.List(t.Context(), "sessions/", "") {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// TestMustChangePasswordFirst: a user whose password someone else set may
// only see their account and change the password, whichever Archive
// method they call; the first administrator's chosen password need not be
// changed.
func TestMustChangePasswordFirst(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	pw, _, err := e.Archive.Accounts().EnsureAdmin(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if p := signIn(t, e, "admin", pw); p.MustChangePassword {
		t.Error("the first administrator must change the password they chose")
	}
	ops := as(t, "ops") // newEnv made department sales1
	bob, err := e.Archive.Accounts().CreateUser(ops, va.User{Name: "bob", Department: "sales1", Roles: []va.Role{va.RoleEmployee}})
	if err != nil {
		t.Fatal(err)
	}
	const temporary, chosen = "a temporary password", "bob's chosen password"
	if _, err := e.Archive.Accounts().SetPassword(ops, "bob", temporary); err != nil {
		t.Fatal(err)
	}
	p := signIn(t, e, "bob", temporary)
	if !p.MustChangePassword {
		t.Fatal("bob's principal after the reset: no password change asked for")
	}
	pctx := va.WithPrincipal(ctx, p)
	calls := map[string]func() error{
		"ListCustomers":    func() error { _, _, err := e.Archive.ListCustomers(pctx, 1, 10); return err },
		"CreateCustomer":   func() error { _, err := e.Archive.CreateCustomer(pctx, customer("C1", "华东电气")); return err },
		"ListDepartments":  func() error { _, err := e.Archive.Accounts().ListDepartments(pctx); return err },
		"GetDepartment":    func() error { _, err := e.Archive.Accounts().GetDepartment(pctx, "sales1"); return err },
		"CreateToken":      func() error { _, _, err := e.Archive.Accounts().CreateToken(pctx, "mine", 0); return err },
		"ListTokens":       func() error { _, err := e.Archive.Accounts().ListTokens(pctx); return err },
		"Inbox":            func() error { _, err := e.Archive.Inbox().List(pctx, false, 1, 10); return err },
		"MarkRead":         func() error { _, err := e.Archive.Inbox().MarkRead(pctx, nil); return err },
		"Unread":           func() error { _, err := e.Archive.Inbox().Unread(pctx); return err },
		"GetUser":          func() error { _, err := e.Archive.Accounts().GetUser(pctx, "bob"); return err },
		"UpdateUser":       func() error { _, err := e.Archive.Accounts().UpdateUser(pctx, *bob); return err },
		"DataKeysByMaster": func() error { _, err := e.Archive.DataKeysByMaster(pctx); return err },
	}
	for name, call := range calls {
		if err := call(); !va.IsKind(err, va.Forbidden) || !strings.HasPrefix(va.ErrorMessage(err), "change your password first") {
			t.Errorf("%s while the password must be changed: %v, want Forbidden: change your password first", name, err)
		}
	}
	if me, err := e.Archive.Accounts().Me(pctx); err != nil || !me.MustChangePassword {
		t.Errorf("Me: %+v, %v", me, err)
	}
	if _, err := e.Archive.Accounts().ChangePassword(pctx, temporary, chosen); err != nil {
		t.Fatal(err)
	}
	p = signIn(t, e, "bob", chosen)
	if p.MustChangePassword {
		t.Error("bob must still change his password after changing it")
	}
	if _, err := e.Archive.Accounts().ListDepartments(va.WithPrincipal(ctx, p)); err != nil {
		t.Errorf("ListDepartments after the change: %v", err)
	}
}

// signIn signs user in and returns the principal of the session.
func signIn(t *testing.T, e *env, user va.UserName, password string) *va.Principal {
	t.Helper()
	token, _, err := e.Archive.Accounts().Login(t.Context(), user, password, "127.0.0.1")
	if err != nil {
		t.Fatalf("sign in as %s: %v", user, err)
	}
	p, _, err := e.Archive.Accounts().Authenticate(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPasswordResetIsMailed: the user whose password someone else set is
// told by mail when they have an address, as by every notification.
func TestPasswordResetIsMailed(t *testing.T) {
	ts := smtptest.Start(t, smtptest.Options{})
	e := mailingEnv(t, ts)
	ops := as(t, "ops")
	if _, err := e.Archive.Accounts().CreateUser(ops, va.User{Name: "mia", Email: "mia@visit.example", Roles: []va.Role{va.RoleMarketing}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Archive.Accounts().SetPassword(ops, "mia", "set by the operator"); err != nil {
		t.Fatal(err)
	}
	if m := onlyMail(t, ts, "mia@visit.example"); !strings.Contains(m.Subject, "密码已被管理员重置") || !strings.Contains(m.Body, va.EventPasswordReset) {
		t.Errorf("mail subject %q body %q", m.Subject, m.Body)
	}
}

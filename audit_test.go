package visitarchive_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
)

// auditors creates aud (auditor) and mia (marketing) and returns a
// context acting for each.
func auditors(t *testing.T, e *env) (aud, mia context.Context) {
	t.Helper()
	ctxs := map[va.UserName]context.Context{}
	for _, u := range []va.User{{Name: "aud", Roles: []va.Role{va.RoleAuditor}}, {Name: "mia", Roles: []va.Role{va.RoleMarketing}}} {
		got, err := e.Archive.Accounts().CreateUser(as(t, "root"), u)
		if err != nil {
			t.Fatal(err)
		}
		ctxs[u.Name] = va.WithPrincipal(t.Context(), va.PrincipalOf(got))
	}
	return ctxs["aud"], ctxs["mia"]
}

// Auditors verify the chain from the Archive; a missing object is a
// problem, a fresh unrecorded one is in flight; nobody else may verify.
func TestVerifyChain(t *testing.T) {
	e := newEnv(t)
	aud, mia := auditors(t, e)
	e.Archive.CreateCustomer(as(t, "alice"), customer("C1", "Acme"))
	r := mustCreate(t, e.Archive, as(t, "alice"), record("C1", "第一次拜访", 1))
	var progress uint64
	rep, err := e.Archive.VerifyChain(aud, func(n uint64) { progress = n })
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Entries == 0 || rep.Objects == 0 || progress != rep.Entries {
		t.Fatalf("a sound archive: %+v, progress %d", rep, progress)
	}
	if _, err := e.Archive.VerifyChain(mia, nil); !va.IsKind(err, va.Forbidden) {
		t.Errorf("marketing verifies: %v", err)
	}

	if err := e.Store.Delete(t.Context(), va.RecordKey(r.ID, r.Version)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Put(t.Context(), "records/R0STRAY/1.json", strings.NewReader("{}"), 2); err != nil {
		t.Fatal(err)
	}
	rep, err = e.Archive.VerifyChain(aud, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) != 1 || rep.Problems[0].Key != va.RecordKey(r.ID, r.Version) || rep.Problems[0].Seq == 0 {
		t.Errorf("a missing object: %+v", rep.Problems)
	}
	if len(rep.InFlight) != 1 || rep.InFlight[0].Key != "records/R0STRAY/1.json" {
		t.Errorf("a fresh unrecorded object: %+v", rep.InFlight)
	}
}

// Without a verifier the server cannot verify, and says so.
func TestVerifyChainUnavailable(t *testing.T) {
	e := unopened(t)
	e.adjust(func(c *va.Config) { c.Verifier = nil })
	e.start(t)
	aud, _ := auditors(t, e)
	if _, err := e.Archive.VerifyChain(aud, nil); !va.IsKind(err, va.Unavailable) {
		t.Errorf("no verifier: %v", err)
	}
}

// The journal filtered by actor, action and period, a bounded walk at a
// time.
func TestFilterJournal(t *testing.T) {
	e := newEnv(t)
	aud, mia := auditors(t, e)
	alice, bob := as(t, "alice"), as(t, "bob")
	e.Archive.CreateCustomer(alice, customer("C1", "Acme"))
	start := time.Now()
	r := mustCreate(t, e.Archive, alice, record("C1", "第一次拜访", 1))
	mustCreate(t, e.Archive, bob, record("C1", "第二次拜访", 2))
	if _, err := e.Archive.GetRecord(bob, r.ID); err != nil {
		t.Fatal(err)
	}
	changes := func(f va.JournalFilter) []string {
		t.Helper()
		page, err := e.Archive.FilterJournal(aud, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, en := range page.Entries {
			for _, c := range en.Changes {
				out = append(out, string(c.Actor)+" "+c.Action)
			}
		}
		return out
	}
	for _, tt := range []struct {
		f    va.JournalFilter
		want []string
	}{
		{va.JournalFilter{Actor: "bob"}, []string{"bob record.create", "bob record.read"}},
		{va.JournalFilter{Action: "record.create"}, []string{"alice record.create", "bob record.create"}},
		{va.JournalFilter{Action: "record", Actor: "alice"}, []string{"alice record.create"}},
		{va.JournalFilter{Action: "record.cre"}, nil},
		{va.JournalFilter{Action: "customer", From: start}, nil},
		{va.JournalFilter{Action: "customer", To: start}, []string{"alice customer.create"}},
	} {
		if got := changes(tt.f); !slices.Equal(got, tt.want) {
			t.Errorf("%+v: %q, want %q", tt.f, got, tt.want)
		}
	}
	page, err := e.Archive.FilterJournal(aud, va.JournalFilter{Actor: "bob", Scan: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 0 || page.Next == 0 {
		t.Errorf("a walk of 2 entries finds nothing of bob's yet, and says where it stopped: %+v", page)
	}
	if _, err := e.Archive.FilterJournal(mia, va.JournalFilter{}); !va.IsKind(err, va.Forbidden) {
		t.Errorf("marketing reads the journal: %v", err)
	}
	if _, err := e.Archive.FilterJournal(aud, va.JournalFilter{Limit: 1001}); !va.IsKind(err, va.Invalid) {
		t.Errorf("a limit over 1000: %v", err)
	}
}

package visitarchive_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/testenv"
	"github.com/visitarchive/visitarchive/storage/journal"
)

// forge puts an object into the store the way someone with write access
// to it could, without a journal entry: the JSON of the object at from,
// with fields replaced, under key to.
func forge(t *testing.T, store va.Store, from, to string, fields map[string]any) {
	t.Helper()
	rc, _, err := store.Get(t.Context(), from)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		t.Fatal(err)
	}
	for k, v := range fields {
		obj[k] = v
	}
	if b, err = json.Marshal(obj); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Put(t.Context(), to, strings.NewReader(string(b)), int64(len(b))); err != nil {
		t.Fatalf("forge %s: %v", to, err)
	}
}

// unrecordedKeys returns the objects verify reports as recorded by no
// journal entry, and fails on any other problem.
func unrecordedKeys(t *testing.T, store va.Store) []string {
	t.Helper()
	rep, err := journal.VerifyWith(t.Context(), store, journal.Options{Now: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, p := range rep.Problems {
		if !strings.Contains(p.Detail, "unrecorded") {
			t.Errorf("verify: %s", p)
			continue
		}
		keys = append(keys, p.Key)
	}
	slices.Sort(keys)
	return keys
}

// TestUnrecordedObjectsAreNotServed: objects put into the store without a
// journal entry — a newer version of a record, a customer and a user that
// were never created — are not served, loaded, indexed or signed in with,
// before and after a restart that rebuilds the index; verify names each.
func TestUnrecordedObjectsAreNotServed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := as(t, "alice")
		if _, err := e.Archive.CreateCustomer(ctx, customer("C1", "客户")); err != nil {
			t.Fatal(err)
		}
		r := mustCreate(t, e.Archive, ctx, record("C1", "真实的摘要", 1))
		if _, err := e.Archive.Accounts().CreateUser(ctx, va.User{Name: "dan", DisplayName: "Dan", Roles: []va.Role{va.RoleMarketing}}); err != nil {
			t.Fatal(err)
		}
		const password = "forged password 123"
		hash, err := testenv.Hasher(t).Hash(password)
		if err != nil {
			t.Fatal(err)
		}
		forged := []string{va.CustomerKey("CX", 1), va.RecordKey(r.ID, 2), va.UserKey("mallory", 1)}
		forge(t, e.Store, va.RecordKey(r.ID, 1), forged[1], map[string]any{"version": 2, "summary": "伪造的摘要"})
		forge(t, e.Store, va.CustomerKey("C1", 1), forged[0], map[string]any{"id": "CX", "name": "伪造客户"})
		forge(t, e.Store, va.UserKey("dan", 1), forged[2], map[string]any{"name": "mallory", "roles": []string{"auditor"}, "password_hash": hash})

		check := func(t *testing.T) {
			t.Helper()
			got, err := e.Archive.GetRecord(ctx, r.ID)
			if err != nil || got.Version != 1 || got.Summary != "真实的摘要" {
				t.Errorf("GetRecord = version %d %q, %v; want version 1 as journaled", got.Version, got.Summary, err)
			}
			if ids := searchIDs(t, e.Archive, va.SearchQuery{Text: "伪造"}); len(ids) != 0 {
				t.Errorf("search for the forged text found %v", ids)
			}
			if _, err := e.Archive.GetCustomer(ctx, "CX"); !va.IsKind(err, va.NotFound) {
				t.Errorf("GetCustomer of a forged customer: %v; want NotFound", err)
			}
			if _, _, err := e.Archive.Accounts().Login(t.Context(), "mallory", password, "192.0.2.1"); !va.IsKind(err, va.Unauthenticated) {
				t.Errorf("sign-in as a forged user: %v; want Unauthenticated", err)
			}
		}
		check(t)
		e.Close(t)
		if err := os.RemoveAll(filepath.Join(e.Dir, "index")); err != nil {
			t.Fatal(err)
		}
		e.Open(t, true)
		check(t)
		if got := unrecordedKeys(t, e.Store); !slices.Equal(got, forged) {
			t.Errorf("verify reported unrecorded %v, want %v", got, forged)
		}
	})
}

// TestOpenRefusesAJournalCutBehindItsIndex: when the journal ends before
// the entries the index has applied, its end was cut, and Open says so
// instead of serving an index of changes the journal no longer has.
func TestOpenRefusesAJournalCutBehindItsIndex(t *testing.T) {
	e := newEnv(t)
	ctx := as(t, "alice")
	if _, err := e.Archive.CreateCustomer(ctx, customer("C1", "客户")); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, e.Archive, ctx, record("C1", "摘要", 1))
	head, err := e.Journal.Head(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	e.Close(t)
	if err := e.Store.Delete(t.Context(), journal.EntryKey(head)); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	j, err := journal.Open(t.Context(), e.Store, log)
	if err != nil {
		t.Fatal(err)
	}
	idx := testenv.OpenIndex(t, filepath.Join(e.Dir, "index"), log)
	a := va.New(va.Config{Store: e.Store, Journal: j, Index: idx, Policy: testenv.Policy(t), Keys: e.Keyring(t), Passwords: testenv.Hasher(t)})
	if err := a.Open(t.Context()); !va.IsKind(err, va.Integrity) || !strings.Contains(err.Error(), "removed from the journal's end") {
		t.Errorf("Open over a journal cut behind its index: %v; want an Integrity error that says so", err)
	}
}

package visitarchive_test

import (
	"fmt"
	"sync"
	"testing"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/testenv"
)

// TestConcurrentWritesAreFoundOnReturn: writes that arrive together are
// journaled and indexed together, and each, once it has returned, is
// found by search at once.
func TestConcurrentWritesAreFoundOnReturn(t *testing.T) {
	e := newEnv(t)
	ctx := as(t, "alice")
	if _, err := e.Archive.CreateCustomer(ctx, customer("C1", "客户")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 4 {
				marker := fmt.Sprintf("gc%dx%d", w, i)
				r := record("C1", "并发写入 "+marker, 1)
				r.ContactPhone = fmt.Sprintf("+86 138 0000 %02d%02d", w, i)
				if _, err := e.Archive.CreateRecord(ctx, r); err != nil {
					t.Error(err)
					return
				}
				if n := countMatches(t, e.Archive, marker); n != 1 {
					t.Errorf("search for %s right after its write found %d records", marker, n)
				}
			}
		})
	}
	wg.Wait()
	if n := countMatches(t, e.Archive, "并发写入"); n != 64 {
		t.Errorf("search finds %d of the 64 records written", n)
	}
}

// TestFailedGroupLeavesNothing: when the journal refuses a group of
// concurrent writes, each fails, and none leaves a record or a data key
// behind.
func TestFailedGroupLeavesNothing(t *testing.T) {
	e := newEnv(t)
	ctx := as(t, "alice")
	if _, err := e.Archive.CreateCustomer(ctx, customer("C1", "客户")); err != nil {
		t.Fatal(err)
	}
	a := va.New(va.Config{Store: e.Store, Journal: failingJournal{e.Journal}, Index: e.Index,
		Policy: testenv.Policy(t), Keys: e.Keyring(t), Passwords: testenv.Hasher(t)})
	if err := a.Open(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			r := record("C1", "x", 1)
			r.ContactPhone = fmt.Sprintf("+86 138 0000 %04d", i)
			if _, err := a.CreateRecord(ctx, r); err == nil {
				t.Error("a write succeeded with the journal down")
			}
		})
	}
	wg.Wait()
	for _, prefix := range []string{va.RecordsPrefix, va.DataKeysPrefix + "records/"} {
		if n := countKeys(t, e.Store, prefix); n != 0 {
			t.Errorf("%d objects left under %s by writes the journal refused", n, prefix)
		}
	}
}

package visitarchive_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/testenv"
)

// crashingJournal stops its process's work at the given append: the
// append panics, so that nothing after it runs, as when the process is
// killed between writing a batch's objects and journaling them.
type crashingJournal struct {
	va.Journal
	at    int32
	calls atomic.Int32
}

func (j *crashingJournal) Append(ctx context.Context, changes ...va.Change) (uint64, error) {
	if j.calls.Add(1) == j.at {
		panic("killed")
	}
	return j.Journal.Append(ctx, changes...)
}

// importLines returns an import of one customer and n records R0001…,
// each with the word "marker".
func importLines(n int) string {
	lines := []string{`{"customer":{"id":"C1","name":"Acme","customer_type":"regular","country":"US"}}`}
	for i := 1; i <= n; i++ {
		lines = append(lines, fmt.Sprintf(`{"record":{"id":"R%04d","customer_id":"C1","visit_start":"2026-03-01T09:00:00Z",`+
			`"visit_end":"2026-03-01T10:00:00Z","summary":"marker","contact_phone":"+86 138 0000 %04d"}}`, i, i))
	}
	return strings.Join(lines, "\n")
}

// countMatches returns how many records search finds for text.
func countMatches(t *testing.T, a *va.Archive, text string) int {
	t.Helper()
	res, err := a.Search(as(t, "tester"), va.SearchQuery{Text: text, NoFacets: true})
	if err != nil {
		t.Fatal(err)
	}
	return int(res.Total)
}

// TestInterruptedImport: an import cut off between writing a batch and
// journaling it leaves objects that are never served or indexed; they are
// removed once the batch's deadline has passed, and a re-run of the same
// import completes it, after which verify finds nothing wrong.
func TestInterruptedImport(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := as(t, "carol")
		file := importLines(600) // two batches: 1,000 objects, then the rest
		crashed := &crashingJournal{Journal: e.Journal, at: 2}
		a := va.New(va.Config{Store: e.Store, Journal: crashed, Policy: testenv.Policy(t), Keys: e.Keyring(t),
			Passwords: testenv.Hasher(t), Now: e.Clock.Now})
		if err := a.Open(ctx); err != nil {
			t.Fatal(err)
		}
		func() {
			defer func() { recover() }()
			a.Import(ctx, strings.NewReader(file), nil)
			t.Fatal("the import ran past its crash")
		}()
		left := unrecordedKeys(t, e.Store)
		if len(left) != 2*(600-500) {
			t.Fatalf("the crash left %d unrecorded objects; want the %d of the second batch", len(left), 2*(600-500))
		}

		e.Close(t)
		e.Open(t, true) // a restart before the batch's deadline: nothing removed yet, nothing served
		if _, err := e.Archive.GetRecord(ctx, "R1500"); !va.IsKind(err, va.NotFound) {
			t.Errorf("a record of the unjournaled batch: %v; want NotFound", err)
		}
		journaled := countMatches(t, e.Archive, "marker")
		if journaled == 0 || journaled >= 600 {
			t.Errorf("search finds %d records; want those of the batches journaled before the crash", journaled)
		}
		if n := len(unrecordedKeys(t, e.Store)); n != len(left) {
			t.Errorf("%d unrecorded objects after a restart within the deadline; want %d", n, len(left))
		}

		e.Clock.Set(time.Now().Add(2*va.DefaultImportDeadline + time.Second))
		rep, err := e.Archive.Import(ctx, strings.NewReader(file), nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Records != 600-journaled || len(rep.Rejected) != journaled+1 {
			t.Errorf("re-run imported %d records and rejected %d lines; want %d, and the %d lines imported before",
				rep.Records, len(rep.Rejected), 600-journaled, journaled+1)
		}
		if n := countMatches(t, e.Archive, "marker"); n != 600 {
			t.Errorf("search finds %d records after the re-run; want 600", n)
		}
		if got := unrecordedKeys(t, e.Store); len(got) != 0 {
			t.Errorf("after the re-run, verify reports %d unrecorded objects, such as %s", len(got), got[0])
		}
		if n := countKeys(t, e.Store, va.IntentsPrefix); n != 0 {
			t.Errorf("%d intents left", n)
		}
	})
}

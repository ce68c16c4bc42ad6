package visitarchive_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/journal"
)

// TestResumeRefusedByLegalHold: on MinIO with object lock, a legal hold
// placed on a record's objects in the store after its destruction began
// stops the destruction before it removes anything more, with an error
// that says so; the record reads as destroyed, the destruction stays
// begun and says why, verify reports it begun and not ended, and a
// restart does not fail on it. Once the hold is released, executing it
// again completes it, with the end state of any destruction.
func TestResumeRefusedByLegalHold(t *testing.T) {
	e := unopened(t)
	e.OpenStore = backends["minio"](t)
	var atIntent func()
	e.adjust(func(c *va.Config) {
		c.DestructionHook = func(point string) {
			if point == "destroy.after-intent" && atIntent != nil {
				atIntent()
			}
		}
	})
	e.start(t)
	ctx := paperEnv(t, e)
	doomed := doomedRecord(t, e, ctx)
	kept := archivedRecord(t, e, ctx, nil)
	ls := e.Store.(va.LockingStore)
	before := objectsOf(t, e, doomed.ID)
	hold := func(on bool) {
		for _, key := range before {
			if err := ls.SetLegalHold(t.Context(), key, on); err != nil {
				t.Fatal(err)
			}
		}
	}
	atIntent = func() { hold(true) }
	sys := as(t, "system")
	_, err := e.Archive.DestroyRecords(sys, destruction("D1", doomed.ID))
	atIntent = nil
	if msg := va.ErrorMessage(err); !va.IsKind(err, va.Forbidden) || !strings.Contains(msg, "legal hold") ||
		!strings.Contains(msg, "destruction D1 is begun and cannot be completed") {
		t.Fatalf("destruction held in the store after it began: %v, want Forbidden saying so", err)
	}
	checkStalled := func(when string) {
		t.Helper()
		if got := objectsOf(t, e, doomed.ID); !slices.Equal(got, before) {
			t.Errorf("%s: the held record's objects are %v, want all of %v", when, got, before)
		}
		if _, err := e.Archive.GetRecord(ctx["aud"], doomed.ID); !va.IsKind(err, va.NotFound) {
			t.Errorf("%s: the record under a begun destruction: %v, want NotFound", when, err)
		}
		list, err := e.Archive.Destructions(ctx["aud"])
		if err != nil || len(list) != 1 || list[0].Done || !strings.Contains(list[0].Problem, "legal hold") {
			t.Errorf("%s: destructions = %+v, %v; want one begun, saying why it is not done", when, list, err)
		}
		if _, err := e.Archive.Register(ctx["aud"], "D1"); !va.IsKind(err, va.NotFound) {
			t.Errorf("%s: the register of a destruction not done: %v, want NotFound", when, err)
		}
		rep, err := journal.VerifyWith(t.Context(), e.Store, journal.Options{Grace: time.Hour})
		if err != nil || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Detail, "destruction begun and not ended") {
			t.Errorf("%s: verify = %+v, %v; want the begun destruction only", when, rep, err)
		}
	}
	checkStalled("refused")
	e.Close(t)
	e.Open(t, true) // resumes, is refused again, and opens
	checkStalled("after a restart")

	hold(false)
	if _, err := e.Archive.DestroyRecords(sys, destruction("D1", doomed.ID)); err != nil {
		t.Fatalf("the destruction again, the hold released: %v", err)
	}
	checkDestroyed(t, e, ctx, doomed.ID, kept.ID)
}

// objectsOf lists the stored objects of record id, in key order.
func objectsOf(t *testing.T, e *env, id va.RecordID) []string {
	t.Helper()
	var keys []string
	for _, p := range []string{va.RecordsPrefix, va.AttachmentsPrefix, va.AnnotationsPrefix, va.PaperPrefix, va.LoansPrefix} {
		for info, err := range e.Store.List(t.Context(), p+string(id)+"/", "") {
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, info.Key)
		}
	}
	return keys
}

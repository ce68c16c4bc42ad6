package visitarchive_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/journal"
)

var archivingSteps = []va.ArchivingStep{va.StepReserved, va.StepClaimed, va.StepPaper, va.StepJournal}

// stepHook fails (or, with crash, panics, as a process dies: nothing
// after runs) the next archiving that reaches step at, once armed.
type stepHook struct {
	at    atomic.Value // va.ArchivingStep; "" when disarmed
	crash atomic.Bool
}

func (h *stepHook) hook(_ context.Context, step va.ArchivingStep) error {
	if h.at.CompareAndSwap(step, va.ArchivingStep("")) {
		if h.crash.Load() {
			panic(errDied)
		}
		return errors.New("injected failure at " + string(step))
	}
	return nil
}

var errDied = errors.New("the process died")

// hooked is an env over each backend whose archivings h fails.
func hookedEnv(t *testing.T, test func(t *testing.T, e *env, h *stepHook)) {
	for name, backend := range backends {
		t.Run(name, func(t *testing.T) {
			h := &stepHook{}
			h.at.Store(va.ArchivingStep(""))
			e := unopened(t)
			e.OpenStore = backend(t)
			e.adjust(func(c *va.Config) { c.ArchivingHook = h.hook })
			test(t, e.start(t), h)
		})
	}
}

// archive archives r as who, failing the test on an error.
func archive(t *testing.T, e *env, who context.Context, r *va.Record) string {
	t.Helper()
	got, err := e.Archive.ArchiveRecord(who, r.ID, va.ArchiveRequest{Version: r.Version,
		PaperLocation: &va.PaperLocation{Cabinet: "A1", Shelf: "2", Box: "3"}})
	if err != nil {
		t.Fatalf("archive %s: %v", r.ID, err)
	}
	return got.ReferenceCode
}

// checkSeries checks that every series is gap-free and unique, that it
// holds want numbers in all, and that verify passes.
func checkSeries(t *testing.T, e *env, want int) {
	t.Helper()
	all, err := va.ReferenceSeries(t.Context(), e.Store, e.Journal)
	if err != nil {
		t.Fatal(err)
	}
	used := 0
	for _, s := range all {
		if p := s.Problems(time.Now(), 0); len(p) > 0 || !s.OK() {
			t.Errorf("series %s: %v", s.Series, p)
		}
		used += s.Last
	}
	if used != want {
		t.Errorf("%d numbers used, want %d", used, want)
	}
	if rep, err := journal.Verify(t.Context(), e.Store, nil); err != nil || !rep.OK() {
		t.Errorf("verify: %v %v", rep.Problems, err)
	}
}

// An archiving that fails at any step releases its number, which the
// next archiving of the series takes: no gap.
func TestArchivingFailureAtEachStepLeavesNoGap(t *testing.T) {
	hookedEnv(t, func(t *testing.T, e *env, h *stepHook) {
		ctx := people(t, e)
		recs := approvedRecords(t, e, ctx, 2*len(archivingSteps))
		for i, step := range archivingSteps {
			a, b := recs[2*i], recs[2*i+1]
			h.at.Store(step)
			if _, err := e.Archive.ArchiveRecord(ctx["ann"], a.ID, va.ArchiveRequest{Version: a.Version}); err == nil {
				t.Fatalf("archiving with a failure at %s succeeded", step)
			}
			if got, want := archive(t, e, ctx["arc"], b), fmt.Sprintf("F001-KF·2026-D30-XNY-%04d", 2*i+1); got != want {
				t.Errorf("after a failure at %s: %s, want %s", step, got, want)
			}
			archive(t, e, ctx["ann"], a)
			checkSeries(t, e, 2*i+2)
		}
	})
}

// An archiving killed at any step leaves its claim; meanwhile another
// archivist takes the next number. After a restart and the archiving
// timeout, the next archiving of the dead one's record, or of another
// record of the series, takes that number over: no gap, no duplicate.
func TestArchivingCrashAtEachStepLeavesNoGap(t *testing.T) {
	hookedEnv(t, func(t *testing.T, e *env, h *stepHook) {
		h.crash.Store(true)
		ctx := people(t, e)
		recs := approvedRecords(t, e, ctx, 3*len(archivingSteps))
		now := time.Now()
		for i, step := range archivingSteps {
			dead, other, next := recs[3*i], recs[3*i+1], recs[3*i+2]
			h.at.Store(step)
			e.Clock.Set(now)
			if err := died(func() { e.Archive.ArchiveRecord(ctx["ann"], dead.ID, va.ArchiveRequest{Version: dead.Version}) }); err == nil {
				t.Fatalf("the archiving did not die at %s", step)
			}
			archive(t, e, ctx["arc"], other) // the dead claim is young: the next number
			e.Close(t)
			e.Open(t, true) // the restart
			now = now.Add(va.DefaultArchivingTimeout + time.Second)
			e.Clock.Set(now)
			first, second := dead, next
			if i%2 == 1 {
				first, second = next, dead
			}
			archive(t, e, ctx["ann"], first)
			archive(t, e, ctx["arc"], second)
			checkSeries(t, e, 3*i+3)
		}
	})
}

// died runs f and returns the panic it died of, if any.
func died(f func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%v", p)
		}
	}()
	f()
	return nil
}

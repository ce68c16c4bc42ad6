package visitarchive_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage/journal"
)

// The whole end of a record's life: archived in 2014 for ten years,
// listed on 2 January 2025, decided, submitted, approved by a manager,
// confirmed by two witnesses (never one, never the approver, never the
// same twice), executed; the register names the approver and the
// witnesses, verify passes, the record is gone, and a record whose
// customer was held after the approval is skipped and said why.
func TestExecuteWitnessedList(t *testing.T) {
	e, ctx := dispositionEnv(t)
	if _, err := e.Archive.CreateCustomer(as(t, "root"), va.Customer{ID: "C4", Name: "西部电力", Type: "regular",
		BusinessArea: "新能源", Country: "CN"}); err != nil {
		t.Fatal(err)
	}
	doomed := archive2014(t, e, ctx, "C2")
	held := archive2014(t, e, ctx, "C4")
	if n := appraiseAt(t, e, time.Date(2025, 1, 2, 9, 0, 0, 0, cst)); n != 2 {
		t.Fatalf("listed %d, want 2", n)
	}
	d := e.Archive.Disposition()
	l := openList(t, e, ctx["ann"])
	l, err := d.Decide(ctx["ann"], l.ID, l.Version, []va.EntryDecision{
		{Record: doomed.ID, Decision: va.DecisionDestroy, Reason: "无继续保存价值"},
		{Record: held.ID, Decision: va.DecisionDestroy},
	})
	if err == nil {
		l, err = d.Submit(ctx["ann"], l.ID, l.Version)
	}
	if err == nil {
		l, err = d.Approve(ctx["max"], l.ID, l.Version)
	}
	if err != nil {
		t.Fatal(err)
	}
	hold, err := d.PlaceHold(ctx["aud"], va.HoldRequest{Scope: va.HoldCustomer, Customer: "C4", Reason: "诉讼保全"})
	if err != nil {
		t.Fatal(err)
	}

	_, err = d.Execute(ctx["arc"], l.ID, l.Version)
	wantKind(t, "execute without witnesses", err, va.Conflict)
	_, err = d.Witness(ctx["max"], l.ID, l.Version)
	wantKind(t, "the approver witnesses", err, va.Forbidden)
	_, err = d.Witness(ctx["ann"], l.ID, l.Version)
	wantKind(t, "the compiler witnesses", err, va.Forbidden)
	_, err = d.Witness(ctx["alice"], l.ID, l.Version)
	wantKind(t, "an employee witnesses", err, va.Forbidden)
	if l, err = d.Witness(ctx["aud"], l.ID, l.Version); err != nil {
		t.Fatal(err)
	}
	_, err = d.Execute(ctx["arc"], l.ID, l.Version)
	wantKind(t, "execute with one witness", err, va.Conflict)
	if err == nil || !strings.Contains(err.Error(), "1 of the two witnesses") {
		t.Errorf("message: %v", err)
	}
	_, err = d.Witness(ctx["aud"], l.ID, l.Version)
	wantKind(t, "the same witness twice", err, va.Conflict)
	if l, err = d.Witness(ctx["max2"], l.ID, l.Version); err != nil {
		t.Fatal(err)
	}
	_, err = d.Witness(ctx["arc"], l.ID, l.Version)
	wantKind(t, "a third witness", err, va.Conflict)
	_, err = d.Execute(ctx["aud"], l.ID, l.Version)
	wantKind(t, "an auditor executes", err, va.Forbidden)

	ex, err := d.Execute(ctx["arc"], l.ID, l.Version)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Destruction != va.DestructionID(l.ID) || !slices.Equal(ex.Destroyed, []va.RecordID{doomed.ID}) {
		t.Errorf("execution: %+v", ex)
	}
	if len(ex.Skipped) != 1 || ex.Skipped[0].Record != held.ID || !slices.Equal(ex.Skipped[0].Holds, []va.HoldID{hold.ID}) ||
		!strings.Contains(ex.Skipped[0].Reason, "诉讼保全") {
		t.Errorf("skipped: %+v", ex.Skipped)
	}
	if ex.List.State != va.AppraisalExecuted || ex.List.Destruction != ex.Destruction {
		t.Errorf("list after execution: %+v", ex.List)
	}

	reg, err := e.Archive.Register(ctx["aud"], ex.Destruction)
	if err != nil {
		t.Fatal(err)
	}
	if reg.Approver != "max" || !slices.Equal(reg.Witnesses, []va.UserName{"aud", "max2"}) || reg.By != "arc" ||
		len(reg.Entries) != 1 || reg.Entries[0].Record != doomed.ID || reg.Entries[0].ReferenceCode != doomed.ReferenceCode ||
		reg.Entries[0].Reason != "无继续保存价值" || reg.Entries[0].Year != 2014 {
		t.Errorf("register: %+v", reg)
	}
	if _, err := e.Archive.GetRecord(ctx["aud"], doomed.ID); !va.IsKind(err, va.NotFound) {
		t.Errorf("the destroyed record: %v, want NotFound", err)
	}
	if _, err := e.Archive.GetRecord(ctx["aud"], held.ID); err != nil {
		t.Errorf("the held record: %v", err)
	}
	rep, err := journal.VerifyWith(t.Context(), e.Store, journal.Options{Grace: time.Hour})
	if err != nil || !rep.OK() {
		t.Errorf("verify: %v %+v", err, rep)
	}
	_, err = d.Execute(ctx["arc"], ex.List.ID, ex.List.Version)
	wantKind(t, "execute an executed list", err, va.Conflict)

	// Released, the held record goes on the next list.
	if _, err := d.ReleaseHold(ctx["aud"], hold.ID, hold.Version, "结案"); err != nil {
		t.Fatal(err)
	}
	if n := appraiseAt(t, e, time.Date(2025, 1, 3, 9, 0, 0, 0, cst)); n != 1 {
		t.Errorf("after release: %d listed, want 1", n)
	}
}

// A kept record's retention change is destroyed with the record when a
// later list destroys it.
func TestExecuteRemovesRetentions(t *testing.T) {
	e, ctx := dispositionEnv(t)
	r := archive2014(t, e, ctx, "C2")
	appraiseAt(t, e, newYear2025)
	d := e.Archive.Disposition()
	l := openList(t, e, ctx["ann"])
	l, err := d.Decide(ctx["ann"], l.ID, l.Version, []va.EntryDecision{{Record: r.ID, Decision: va.DecisionKeep,
		KeepFor: va.RetainD30, Reason: "仍有参考价值"}})
	if err == nil {
		l, err = d.Submit(ctx["ann"], l.ID, l.Version)
	}
	if err == nil {
		l, err = d.Approve(ctx["max"], l.ID, l.Version)
	}
	for _, w := range []string{"aud", "max2"} {
		if err == nil {
			l, err = d.Witness(ctx[w], l.ID, l.Version)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	// Nothing to destroy: the list is closed, and no destruction runs.
	if ex, err := d.Execute(ctx["ann"], l.ID, l.Version); err != nil || ex.Destruction != "" || len(ex.Destroyed) != 0 {
		t.Fatalf("execute a list of keeps: %+v, %v", ex, err)
	}
	if _, _, err := e.Store.Get(t.Context(), va.RetentionKey(r.ID, 1)); err != nil {
		t.Fatalf("the retention change: %v", err)
	}
	appraiseAt(t, e, time.Date(2045, 1, 2, 0, 0, 0, 0, cst))
	l = openList(t, e, ctx["ann"])
	l, err = d.Decide(ctx["arc"], l.ID, l.Version, []va.EntryDecision{{Record: r.ID, Decision: va.DecisionDestroy}})
	if err == nil {
		l, err = d.Submit(ctx["arc"], l.ID, l.Version)
	}
	if err == nil {
		l, err = d.Approve(ctx["max2"], l.ID, l.Version)
	}
	for _, w := range []string{"aud", "max"} {
		if err == nil {
			l, err = d.Witness(ctx[w], l.ID, l.Version)
		}
	}
	if err == nil {
		_, err = d.Execute(ctx["ann"], l.ID, l.Version)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Store.Get(t.Context(), va.RetentionKey(r.ID, 1)); !va.IsKind(err, va.NotFound) {
		t.Errorf("the retention change after destruction: %v, want NotFound", err)
	}
	rep, err := journal.VerifyWith(t.Context(), e.Store, journal.Options{Grace: time.Hour})
	if err != nil || !rep.OK() {
		t.Errorf("verify: %v %+v", err, rep)
	}
}

// With WORM on MinIO, archiving a record locks its objects until its
// retain_until, and a hold on its customer holds them in the store until
// it is released.
func TestWORMFollowsArchivingAndHolds(t *testing.T) {
	e := unopened(t)
	e.OpenStore = backends["minio"](t)
	e.adjust(func(c *va.Config) { c.WORM = true })
	e.start(t)
	ctx := paperEnv(t, e)
	r := archivedRecord(t, e, ctx, nil)
	ls, ok := e.Store.(va.LockingStore)
	if !ok {
		t.Fatal("the MinIO store is no LockingStore")
	}
	lock := func() va.ObjectLock {
		t.Helper()
		l, err := ls.Lock(t.Context(), va.RecordKey(r.ID, r.Version))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	got, err := e.Archive.GetRecord(ctx["aud"], r.ID)
	if err != nil || got.RetainUntil == nil {
		t.Fatalf("the archived record: %+v, %v", got, err)
	}
	if l := lock(); !l.Until.Equal(*got.RetainUntil) || l.LegalHold {
		t.Errorf("after archiving: %+v, want a retention until %s", l, got.RetainUntil)
	}
	d := e.Archive.Disposition()
	h, err := d.PlaceHold(ctx["aud"], va.HoldRequest{Scope: va.HoldCustomer, Customer: r.CustomerID, Reason: "诉讼保全"})
	if err != nil {
		t.Fatal(err)
	}
	if l := lock(); !l.LegalHold {
		t.Errorf("after the hold: %+v, want a legal hold", l)
	}
	if _, err := d.ReleaseHold(ctx["aud"], h.ID, h.Version, "结案"); err != nil {
		t.Fatal(err)
	}
	if l := lock(); l.LegalHold {
		t.Errorf("after the release: %+v, want no legal hold", l)
	}
}

package visitarchive_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/retention"
)

var cst = time.FixedZone("CST", 8*3600)

// newYear2025 is when the records of 2014 kept for ten years fall due.
var newYear2025 = time.Date(2025, 1, 1, 0, 0, 0, 0, cst)

// dispositionEnv is an env in March 2014 with the people of the workflow
// tests, an auditor (aud), a second manager (max2), someone who is both
// archivist and manager (dual), customer C2 (regular: D10) and C3
// (regular, area 军工: kept permanently under this schedule).
func dispositionEnv(t *testing.T) (*env, map[string]context.Context) {
	t.Helper()
	e := unopened(t)
	e.adjust(func(c *va.Config) {
		c.Workflow.Schedule = &retention.Schedule{Default: va.RetainD10, Rules: []retention.Rule{
			{CustomerType: "key", Retention: va.RetainD30}, {BusinessArea: "军工", Retention: va.RetainPermanent},
		}}
		c.Workflow.AreaCodes["军工"] = "JG"
	})
	e.start(t)
	e.Clock.Set(time.Date(2014, 3, 20, 9, 0, 0, 0, time.UTC))
	ctx := people(t, e)
	for _, u := range []va.User{
		{Name: "aud", Roles: []va.Role{va.RoleAuditor}},
		{Name: "max2", Roles: []va.Role{va.RoleManager}},
		{Name: "dual", Roles: []va.Role{va.RoleArchivist, va.RoleManager}},
	} {
		got, err := e.Archive.Accounts().CreateUser(as(t, "root"), u)
		if err != nil {
			t.Fatal(err)
		}
		ctx[string(u.Name)] = va.WithPrincipal(t.Context(), va.PrincipalOf(got))
	}
	for _, c := range []va.Customer{
		{ID: "C2", Name: "华南机械", Type: "regular", BusinessArea: "新能源", Country: "CN"},
		{ID: "C3", Name: "北方军工", Type: "regular", BusinessArea: "军工", Country: "CN"},
	} {
		if _, err := e.Archive.CreateCustomer(as(t, "root"), c); err != nil {
			t.Fatal(err)
		}
	}
	return e, ctx
}

// archive2014 files, approves and archives a record of customer visited
// on 10 March 2014.
func archive2014(t *testing.T, e *env, ctx map[string]context.Context, customer string) *va.Record {
	t.Helper()
	r := keyForm(1)
	r.CustomerID = va.CustomerID(customer)
	r.VisitStart = time.Date(2014, 3, 10, 9, 0, 0, 0, time.UTC)
	r.VisitEnd = r.VisitStart.Add(time.Hour)
	got := mustCreate(t, e.Archive, ctx["alice"], r)
	got, err := e.Archive.SubmitRecord(ctx["alice"], got.ID, got.Version)
	if err == nil {
		got, err = e.Archive.ApproveRecord(ctx["sam"], got.ID, got.Version, "")
	}
	if err == nil {
		got, err = e.Archive.ArchiveRecord(ctx["ann"], got.ID, va.ArchiveRequest{Version: got.Version})
	}
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// appraiseAt runs one retention pass at t and returns how many records it
// listed.
func appraiseAt(t *testing.T, e *env, at time.Time) int {
	t.Helper()
	e.Clock.Set(at)
	n, err := retention.RunAppraisal(t.Context(), e.Archive.Disposition())
	if err != nil {
		t.Fatalf("appraise at %s: %v", at, err)
	}
	return n
}

func openList(t *testing.T, e *env, ctx context.Context) *va.Appraisal {
	t.Helper()
	ls, err := e.Archive.Disposition().Appraisals(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.State.Open() {
			return l
		}
	}
	t.Fatal("no open appraisal list")
	return nil
}

func listed(l *va.Appraisal) []va.RecordID {
	var out []va.RecordID
	for _, e := range l.Entries {
		out = append(out, e.Record)
	}
	slices.Sort(out)
	return out
}

func wantKind(t *testing.T, what string, err error, k va.Kind) {
	t.Helper()
	if !va.IsKind(err, k) {
		t.Fatalf("%s: got %v, want %v", what, err, k)
	}
}

// A record of 2014 kept ten years is due on 1 January 2025 and not a day
// earlier; a permanent one never; its retain_until is on the record and
// searchable.
func TestDueDates(t *testing.T) {
	e, ctx := dispositionEnv(t)
	d10 := archive2014(t, e, ctx, "C2")
	d30 := archive2014(t, e, ctx, "C1")
	y := archive2014(t, e, ctx, "C3")

	got, err := e.Archive.GetRecord(ctx["ann"], d10.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.RetainUntil == nil || !got.RetainUntil.Equal(newYear2025) || got.RetentionInForce != va.RetainD10 {
		t.Errorf("D10 of 2014: retain_until %v, in force %s; want %s, D10", got.RetainUntil, got.RetentionInForce, newYear2025)
	}
	if got, _ := e.Archive.GetRecord(ctx["ann"], y.ID); got.RetainUntil != nil || got.RetentionInForce != va.RetainPermanent {
		t.Errorf("Y: retain_until %v, in force %s", got.RetainUntil, got.RetentionInForce)
	}
	if got, _ := e.Archive.GetRecord(ctx["ann"], d30.ID); !got.RetainUntil.Equal(time.Date(2045, 1, 1, 0, 0, 0, 0, cst)) {
		t.Errorf("D30 of 2014: retain_until %v", got.RetainUntil)
	}

	if n := appraiseAt(t, e, newYear2025.Add(-time.Second)); n != 0 {
		t.Errorf("a second before 2025: %d listed, want 0", n)
	}
	e.Clock.Set(newYear2025)
	if ids := searchIDs(t, e.Archive, va.SearchQuery{Due: true}); !slices.Equal(ids, []va.RecordID{d10.ID}) {
		t.Errorf("due=true on 2025-01-01: %v, want [%s]", ids, d10.ID)
	}
	res, err := e.Archive.Search(ctx["max"], va.SearchQuery{})
	if err != nil || len(res.Facets[va.FacetDue]) != 1 || res.Facets[va.FacetDue][0].Count != 1 {
		t.Errorf("due facet: %v, %v", res.Facets[va.FacetDue], err)
	}
	if n := appraiseAt(t, e, newYear2025); n != 1 {
		t.Fatalf("on 2025-01-01: %d listed, want 1", n)
	}
	l := openList(t, e, ctx["ann"])
	want := va.Class{CustomerType: "regular", BusinessArea: "新能源", Year: 2014}
	if l.Class != want || l.State != va.AppraisalDraft || !slices.Equal(listed(l), []va.RecordID{d10.ID}) {
		t.Errorf("list: %+v", l)
	}
	if n := appraiseAt(t, e, time.Date(2100, 1, 1, 0, 0, 0, 0, cst)); n != 1 {
		t.Errorf("in 2100: %d more listed, want 1 (the D30 one; D10 is listed, Y never)", n)
	}
}

// The archivist decides, a manager who compiled nothing strikes and
// approves; a kept record gets its new period and due date; the
// compiler may not approve.
func TestAppraisalApproval(t *testing.T) {
	e, ctx := dispositionEnv(t)
	r1, r2, r3 := archive2014(t, e, ctx, "C2"), archive2014(t, e, ctx, "C2"), archive2014(t, e, ctx, "C2")
	if n := appraiseAt(t, e, newYear2025.Add(time.Hour)); n != 3 {
		t.Fatalf("listed %d, want 3", n)
	}
	d := e.Archive.Disposition()
	l := openList(t, e, ctx["dual"])
	_, err := d.Submit(ctx["dual"], l.ID, l.Version)
	wantKind(t, "submit undecided", err, va.Conflict)
	_, err = d.Decide(ctx["dual"], l.ID, l.Version, []va.EntryDecision{{Record: r2.ID, Decision: "keep", KeepFor: "D10", Reason: "x"}})
	wantKind(t, "keep for no longer", err, va.Invalid)
	// Every decision is checked before any is recorded, and each message
	// names the decision it is about: a form shows it beside that entry.
	_, err = d.Decide(ctx["dual"], l.ID, l.Version, []va.EntryDecision{{Record: r1.ID, Decision: "destroy"},
		{Record: r2.ID, Decision: "keep", KeepFor: va.RetainD30}, {Record: r3.ID, Reason: "忘了选"}})
	fields := map[string]bool{}
	for _, fe := range va.ErrorFields(err) {
		fields[fe.Field] = true
	}
	if !fields["decisions[1].reason"] || !fields["decisions[2].decision"] || len(fields) != 2 {
		t.Errorf("bad decisions: fields %v (%v)", fields, err)
	}
	l, err = d.Decide(ctx["dual"], l.ID, l.Version, []va.EntryDecision{
		{Record: r1.ID, Decision: "destroy"},
		{Record: r2.ID, Decision: "keep", KeepFor: va.RetainD30, Reason: "合同纠纷未结"},
		{Record: r3.ID, Decision: "destroy"},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Approve(ctx["max"], l.ID, l.Version)
	wantKind(t, "approve a draft", err, va.Conflict)
	if l, err = d.Submit(ctx["dual"], l.ID, l.Version); err != nil || l.CompiledBy != "dual" {
		t.Fatalf("submit: %v %+v", err, l)
	}
	_, err = d.Approve(ctx["dual"], l.ID, l.Version)
	wantKind(t, "the compiler approves", err, va.Forbidden)
	if !strings.Contains(err.Error(), "another manager") {
		t.Errorf("message: %v", err)
	}
	_, err = d.Approve(ctx["ann"], l.ID, l.Version)
	wantKind(t, "an archivist approves", err, va.Forbidden)
	if l, err = d.Strike(ctx["max"], l.ID, l.Version, []va.RecordID{r3.ID}, "尚在诉讼时效内"); err != nil {
		t.Fatal(err)
	}
	if l, err = d.Approve(ctx["max"], l.ID, l.Version); err != nil {
		t.Fatal(err)
	}
	if l.State != va.AppraisalApproved || l.ApprovedBy != "max" || l.ApprovedAt.IsZero() {
		t.Errorf("approved: %+v", l)
	}
	if got := l.ToDestroy(); len(got) != 1 || got[0].Record != r1.ID || got[0].ReferenceCode != r1.ReferenceCode {
		t.Errorf("to destroy: %+v", got)
	}
	got, err := e.Archive.GetRecord(ctx["ann"], r2.ID)
	if err != nil || got.RetentionInForce != va.RetainD30 || !got.RetainUntil.Equal(time.Date(2045, 1, 1, 0, 0, 0, 0, cst)) ||
		got.Retention != va.RetainD10 {
		t.Errorf("kept: in force %s until %v (archived %s), %v", got.RetentionInForce, got.RetainUntil, got.Retention, err)
	}
	if ids := searchIDs(t, e.Archive, va.SearchQuery{Due: true}); slices.Contains(ids, r2.ID) {
		t.Errorf("the kept record is still due: %v", ids)
	}
	if n := appraiseAt(t, e, newYear2025.Add(48*time.Hour)); n != 0 {
		t.Errorf("records on the approved list listed again: %d", n)
	}
	if l, err = d.Executed(as(t, "witness"), l.ID, l.Version); err != nil || l.State != va.AppraisalExecuted || l.ExecutedAt.IsZero() {
		t.Fatalf("executed: %v %+v", err, l)
	}
	if n := appraiseAt(t, e, newYear2025.Add(72*time.Hour)); n != 2 {
		t.Errorf("after execution the struck and the (not yet destroyed) records are listed again: %d, want 2", n)
	}
	// After a restart the keep is still in force.
	e.Close(t)
	e.Open(t, true)
	if got, _ := e.Archive.GetRecord(ctx["ann"], r2.ID); got.RetentionInForce != va.RetainD30 {
		t.Errorf("after a restart: in force %s", got.RetentionInForce)
	}
}

// A rejected list is closed, with its reason; its records go on the next
// list.
func TestAppraisalRejected(t *testing.T) {
	e, ctx := dispositionEnv(t)
	r := archive2014(t, e, ctx, "C2")
	appraiseAt(t, e, newYear2025)
	d := e.Archive.Disposition()
	l := openList(t, e, ctx["ann"])
	l, err := d.Decide(ctx["ann"], l.ID, l.Version, []va.EntryDecision{{Record: r.ID, Decision: "destroy"}})
	if err == nil {
		l, err = d.Submit(ctx["ann"], l.ID, l.Version)
	}
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Reject(ctx["max"], l.ID, l.Version, "")
	wantKind(t, "reject without a reason", err, va.Invalid)
	if l, err = d.Reject(ctx["max"], l.ID, l.Version, "鉴定意见不充分"); err != nil || l.State != va.AppraisalRejected {
		t.Fatalf("reject: %v %+v", err, l)
	}
	if n := appraiseAt(t, e, newYear2025.Add(time.Hour)); n != 1 {
		t.Errorf("after rejection: %d listed, want 1", n)
	}
	if l2 := openList(t, e, ctx["ann"]); l2.ID == l.ID {
		t.Error("the rejected list took the record again")
	}
}

// A hold on a customer keeps its records, and one archived later, off
// the lists; it is released only by its role or a manager.
func TestHoldOnACustomer(t *testing.T) {
	e, ctx := dispositionEnv(t)
	d := e.Archive.Disposition()
	r1 := archive2014(t, e, ctx, "C2")
	_, err := d.PlaceHold(ctx["ann"], va.HoldRequest{Scope: va.HoldCustomer, Customer: "C2", Reason: "x"})
	wantKind(t, "an archivist places a hold", err, va.Forbidden)
	h, err := d.PlaceHold(ctx["aud"], va.HoldRequest{Scope: va.HoldCustomer, Customer: "C2", Reason: "诉讼保全"})
	if err != nil || h.PlacedRole != va.RoleAuditor {
		t.Fatalf("place: %v %+v", err, h)
	}
	r2 := archive2014(t, e, ctx, "C2") // archived after the hold
	if n := appraiseAt(t, e, newYear2025); n != 0 {
		t.Errorf("held records listed: %d", n)
	}
	for _, r := range []*va.Record{r1, r2} {
		if hs, err := d.HeldBy(t.Context(), r.ID); err != nil || len(hs) != 1 || hs[0].ID != h.ID {
			t.Errorf("HeldBy(%s) = %v, %v", r.ID, hs, err)
		}
	}
	_, err = d.ReleaseHold(ctx["ann"], h.ID, h.Version, "结案")
	wantKind(t, "an archivist releases", err, va.Forbidden)
	mh, err := d.PlaceHold(ctx["max"], va.HoldRequest{Scope: va.HoldRecord, Record: r1.ID, Reason: "审计"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.ReleaseHold(ctx["aud"], mh.ID, mh.Version, "结案")
	wantKind(t, "an auditor releases a manager's hold", err, va.Forbidden)
	if _, err := d.ReleaseHold(ctx["max2"], mh.ID, mh.Version, "审计结束"); err != nil {
		t.Fatalf("another manager releases: %v", err)
	}
	_, err = d.ReleaseHold(ctx["aud"], h.ID, h.Version, "")
	wantKind(t, "release without a reason", err, va.Invalid)
	if h, err = d.ReleaseHold(ctx["aud"], h.ID, h.Version, "结案"); err != nil || !h.Released {
		t.Fatalf("release: %v", err)
	}
	if n := appraiseAt(t, e, newYear2025.Add(time.Hour)); n != 2 {
		t.Errorf("after release: %d listed, want 2", n)
	}
	active, _ := d.Holds(ctx["ann"], true)
	if len(active) != 0 {
		t.Errorf("active holds: %v", active)
	}
}

// A hold on a query covers what it matched and what it matches later.
func TestHoldOnAQuery(t *testing.T) {
	e, ctx := dispositionEnv(t)
	d := e.Archive.Disposition()
	r1 := archive2014(t, e, ctx, "C2")
	archive2014(t, e, ctx, "C1")
	if _, err := d.PlaceHold(ctx["aud"], va.HoldRequest{Scope: va.HoldQuery,
		Query: &va.HoldSearch{CustomerType: "regular"}, Reason: "专项检查"}); err != nil {
		t.Fatal(err)
	}
	r3 := archive2014(t, e, ctx, "C2")
	for _, r := range []*va.Record{r1, r3} {
		if hs, err := d.HeldBy(t.Context(), r.ID); err != nil || len(hs) != 1 {
			t.Errorf("HeldBy(%s) = %v, %v", r.ID, hs, err)
		}
	}
	if n := appraiseAt(t, e, time.Date(2100, 1, 1, 0, 0, 0, 0, cst)); n != 1 {
		t.Errorf("listed %d, want 1 (the key customer's)", n)
	}
}

// Housekeeping removes read notifications past their age and archiving
// reservations no archived version used, journaling each removal.
func TestHousekeeping(t *testing.T) {
	e, ctx := dispositionEnv(t)
	r := archive2014(t, e, ctx, "C2")
	if n, err := e.Archive.Inbox().MarkRead(ctx["sam"], nil); err != nil || n == 0 {
		t.Fatalf("mark read: %d, %v", n, err)
	}
	page, _ := e.Archive.Inbox().List(ctx["sam"], false, 1, 100)
	before := page.Total
	abandoned := va.ArchivingKey("R0000000000000000000000000X", 2)
	if _, err := e.Store.Put(t.Context(), abandoned, strings.NewReader(`{"by":"ann"}`), 12); err != nil {
		t.Fatal(err)
	}
	system := as(t, "system")
	e.Clock.Set(time.Date(2014, 4, 1, 0, 0, 0, 0, time.UTC))
	if n, err := e.Archive.RemoveReadNotifications(system, 180*24*time.Hour); err != nil || n != 0 {
		t.Errorf("young read notifications removed: %d, %v", n, err)
	}
	e.Clock.Set(newYear2025)
	n, err := e.Archive.RemoveReadNotifications(system, 180*24*time.Hour)
	if err != nil || n != before {
		t.Errorf("removed %d of %d, %v", n, before, err)
	}
	if page, _ := e.Archive.Inbox().List(ctx["sam"], false, 1, 100); page.Total != 0 {
		t.Errorf("left: %d", page.Total)
	}
	// The store stamps objects with the wall clock, not the test's.
	e.Clock.Set(time.Now().Add(2 * time.Hour))
	if n, err := e.Archive.RemoveAbandonedReservations(system, time.Hour); err != nil || n != 1 {
		t.Errorf("abandoned reservations removed: %d, %v", n, err)
	}
	if _, _, err := e.Store.Get(t.Context(), abandoned); !va.IsKind(err, va.NotFound) {
		t.Errorf("abandoned reservation still there: %v", err)
	}
	if _, _, err := e.Store.Get(t.Context(), va.ArchivingKey(r.ID, r.Version)); err != nil {
		t.Errorf("the used reservation: %v", err)
	}
	if _, err := e.Archive.RemoveReadNotifications(ctx["ann"], time.Hour); !va.IsKind(err, va.Forbidden) {
		t.Errorf("over the API: %v", err)
	}
}

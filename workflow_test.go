package visitarchive_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/internal/testenv"
	"github.com/visitarchive/visitarchive/smtpmail"
	"github.com/visitarchive/visitarchive/smtpmail/smtptest"
	"github.com/visitarchive/visitarchive/storage/journal"
)

// people creates the users of the workflow tests and returns a context
// acting for each: alice and carol (employees, sales1), sam (supervisor of
// sales1), ann and arc (archivists), mia (marketing), sid (service), max
// (manager).
func people(t *testing.T, e *env) map[string]context.Context {
	t.Helper()
	root := as(t, "root")
	users := []va.User{
		{Name: "alice", Department: "sales1", Roles: []va.Role{va.RoleEmployee}},
		{Name: "carol", Department: "sales1", Roles: []va.Role{va.RoleEmployee}},
		{Name: "sam", Department: "sales1", Roles: []va.Role{va.RoleSupervisor}, Heads: []va.DepartmentID{"sales1"}},
		{Name: "ann", Roles: []va.Role{va.RoleArchivist}},
		{Name: "arc", Roles: []va.Role{va.RoleArchivist}},
		{Name: "mia", Roles: []va.Role{va.RoleMarketing}},
		{Name: "sid", Roles: []va.Role{va.RoleService}},
		{Name: "max", Roles: []va.Role{va.RoleManager}},
	}
	ctxs := map[string]context.Context{}
	for _, u := range users {
		got, err := e.Archive.Accounts().CreateUser(root, u)
		if err != nil {
			t.Fatal(err)
		}
		ctxs[string(u.Name)] = va.WithPrincipal(t.Context(), va.PrincipalOf(got))
	}
	if _, err := e.Archive.CreateCustomer(root, customer("C1", "华东电气")); err != nil {
		t.Fatal(err)
	}
	return ctxs
}

// keyForm is a record of a key customer with every field its form needs.
func keyForm(day int) va.Record {
	r := record("C1", "讨论储能柜 LX-3021B 的报价", day)
	r.Location, r.ContactName, r.FollowUp = "上海", "王经理", "下周发报价"
	r.OnsiteNotes = "客户工厂参观"
	r.DecisionChain = []va.DecisionMaker{{Name: "李总", Role: "CEO", Attitude: "support"}}
	return r
}

func fieldsOf(err error) []string {
	var out []string
	for _, f := range va.ErrorFields(err) {
		out = append(out, f.Field)
	}
	slices.Sort(out)
	return out
}

func notificationEvents(t *testing.T, e *env, ctx context.Context) []string {
	t.Helper()
	var out []string
	for _, n := range notifications(t, e, ctx) {
		out = append(out, n.Event+" "+n.Object)
	}
	slices.Sort(out)
	return out
}

// notifications returns the first 100 notifications in the inbox of ctx.
func notifications(t *testing.T, e *env, ctx context.Context) []*va.Notification {
	t.Helper()
	page, err := e.Archive.Inbox().List(ctx, false, 1, 100)
	if err != nil {
		t.Fatal(err)
	}
	return page.Notifications
}

func TestRecordWorkflow(t *testing.T) {
	e := newEnv(t)
	ctx := people(t, e)
	visit := keyForm(2)
	e.Clock.Set(visit.VisitEnd.Add(time.Hour))
	r := visit
	r.OnsiteNotes, r.DecisionChain = "", nil
	got := mustCreate(t, e.Archive, ctx["alice"], r)
	if want := visit.VisitEnd.Add(24 * time.Hour); !got.DueAt.Equal(want) {
		t.Fatalf("due_at %v, want %v", got.DueAt, want)
	}

	// The form of a key customer needs the onsite notes and the chain.
	_, err := e.Archive.SubmitRecord(ctx["alice"], got.ID, got.Version)
	if !va.IsKind(err, va.Invalid) || !slices.Equal(fieldsOf(err), []string{"decision_chain", "onsite_notes"}) {
		t.Fatalf("incomplete submit: %v, fields %v", err, fieldsOf(err))
	}
	r = visit
	r.ID, r.Version = got.ID, got.Version
	if got, err = e.Archive.UpdateRecord(ctx["alice"], r); err != nil {
		t.Fatal(err)
	}

	// Late by two hours.
	e.Clock.Set(got.DueAt.Add(2 * time.Hour))
	if got, err = e.Archive.SubmitRecord(ctx["alice"], got.ID, got.Version); err != nil {
		t.Fatal(err)
	}
	if got.Status != va.StatusSubmitted || !got.Late || got.DelaySeconds != 7200 || got.Rounds != 1 {
		t.Fatalf("after submit: status %s late %v delay %d rounds %d", got.Status, got.Late, got.DelaySeconds, got.Rounds)
	}

	// Invalid moves name the state and what it allows.
	_, err = e.Archive.SubmitRecord(ctx["alice"], got.ID, got.Version)
	if !va.IsKind(err, va.Conflict) || !strings.Contains(err.Error(), "is submitted") || !strings.Contains(err.Error(), "approve, return") {
		t.Fatalf("second submit: %v", err)
	}
	if _, err := e.Archive.ArchiveRecord(ctx["ann"], got.ID, va.ArchiveRequest{Version: got.Version}); !va.IsKind(err, va.NotFound) {
		t.Fatalf("archivist and a submitted record: %v", err) // not hers to see yet
	}
	// An author may not review; an employee may never approve.
	if _, err := e.Archive.ApproveRecord(ctx["alice"], got.ID, got.Version, ""); !va.IsKind(err, va.Forbidden) {
		t.Fatalf("alice approves: %v", err)
	}

	// Returned with comments, corrected, resubmitted.
	_, err = e.Archive.ReturnRecord(ctx["sam"], got.ID, va.ReturnVerdict{Version: got.Version})
	if !va.IsKind(err, va.Invalid) {
		t.Fatalf("return without a comment: %v", err)
	}
	got, err = e.Archive.ReturnRecord(ctx["sam"], got.ID, va.ReturnVerdict{Version: got.Version,
		Comment: "请补充", Fields: map[string]string{"summary": "写明报价金额"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != va.StatusReturned || len(got.Reviews) != 1 || got.Reviews[0].Fields["summary"] != "写明报价金额" {
		t.Fatalf("after return: %+v", got.Workflow)
	}
	r = *got
	r.Summary += "，报价 12 万美元"
	if got, err = e.Archive.UpdateRecord(ctx["alice"], r); err != nil {
		t.Fatal(err)
	}
	if got, err = e.Archive.SubmitRecord(ctx["alice"], got.ID, got.Version); err != nil {
		t.Fatal(err)
	}
	if got.Rounds != 2 || !got.Late || got.DelaySeconds != 7200 {
		t.Fatalf("resubmitted: rounds %d late %v delay %d", got.Rounds, got.Late, got.DelaySeconds)
	}
	if _, err := e.Archive.ApproveRecord(ctx["sam"], got.ID, got.Version-1, ""); !va.IsKind(err, va.Conflict) {
		t.Fatalf("approve a stale version: %v", err)
	}
	if got, err = e.Archive.ApproveRecord(ctx["sam"], got.ID, got.Version, "好"); err != nil {
		t.Fatal(err)
	}
	if got.Reviewer != "sam" || len(got.Reviews) != 2 {
		t.Fatalf("approved: %+v", got.Workflow)
	}

	// Archived: classified, coded, immutable, annotated.
	loc := &va.PaperLocation{Cabinet: "A", Shelf: "2", Box: "17"}
	if _, err := e.Archive.ArchiveRecord(ctx["sam"], got.ID, va.ArchiveRequest{Version: got.Version}); !va.IsKind(err, va.Forbidden) {
		t.Fatalf("sam archives: %v", err)
	}
	if got, err = e.Archive.ArchiveRecord(ctx["ann"], got.ID, va.ArchiveRequest{Version: got.Version, PaperLocation: loc}); err != nil {
		t.Fatal(err)
	}
	if got.ReferenceCode != "F001-KF·2026-D30-XNY-0001" || got.Retention != va.RetainD30 || *got.PaperLocation != *loc ||
		*got.Class != (va.Class{CustomerType: "key", BusinessArea: "新能源", Year: 2026}) {
		t.Fatalf("archived: %+v", got.Archival)
	}
	r = *got
	r.Summary = "改写"
	if _, err := e.Archive.UpdateRecord(ctx["alice"], r); !va.IsKind(err, va.Conflict) {
		t.Fatalf("edit an archived record: %v", err)
	}
	if _, err := e.Archive.AnnotateRecord(ctx["alice"], got.ID, va.Annotation{Field: "summary", Reason: "金额笔误", Text: "应为 13 万美元"}); err != nil {
		t.Fatal(err)
	}
	shown, err := e.Archive.GetRecord(ctx["alice"], got.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(shown.Annotations) != 1 || shown.Annotations[0].Author != "alice" || shown.Summary != visit.Summary+"，报价 12 万美元" {
		t.Fatalf("archived record as shown: annotations %+v summary %q", shown.Annotations, shown.Summary)
	}

	id := string(got.ID)
	if ev := notificationEvents(t, e, ctx["alice"]); !slices.Equal(ev, []string{
		"record.approved " + id, "record.returned " + id}) {
		t.Errorf("alice's inbox: %v", ev)
	}
	if ev := notificationEvents(t, e, ctx["sam"]); !slices.Equal(ev, []string{"record.submitted " + id, "record.submitted " + id}) {
		t.Errorf("sam's inbox: %v", ev)
	}
	if ev := notificationEvents(t, e, ctx["arc"]); !slices.Equal(ev, []string{"record.approved " + id}) {
		t.Errorf("arc's inbox: %v", ev)
	}
	if n, err := e.Archive.Inbox().MarkRead(ctx["arc"], nil); err != nil || n != 1 {
		t.Fatalf("mark read: %d, %v", n, err)
	}
	// Every move, notification, claim and mark is journaled.
	if rep, err := journal.Verify(t.Context(), e.Store, nil); err != nil || !rep.OK() {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
	for _, prefix := range []string{va.InboxPrefix, va.RefCodesPrefix, va.ArchivingPrefix, va.AnnotationsPrefix} {
		if countKeys(t, e.Store, prefix) == 0 {
			t.Errorf("nothing under %s", prefix)
		}
	}
	journaled := map[string]bool{}
	for entry, err := range e.Journal.Since(t.Context(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range entry.Changes {
			journaled[c.Key] = journaled[c.Key] || c.Wrote()
		}
	}
	for info, err := range e.Store.List(t.Context(), "", "") {
		if err != nil {
			t.Fatal(err)
		}
		if !journaled[info.Key] && !strings.HasPrefix(info.Key, "journal/") && !strings.HasPrefix(info.Key, "checkpoints/") {
			t.Errorf("object %s is not in the journal", info.Key)
		}
	}
}

func TestPlanWorkflow(t *testing.T) {
	e := newEnv(t)
	ctx := people(t, e)
	start := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	e.Clock.Set(start.Add(-48 * time.Hour))
	p, err := e.Archive.CreatePlan(ctx["alice"], va.Plan{CustomerID: "C1", VisitStart: start, VisitEnd: start.Add(2 * time.Hour),
		Location: "苏州工厂", Purpose: "介绍 LX-3021B", Topics: []string{"报价"}, Visitors: []va.UserName{"alice", "carol"}, Major: true})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = e.Archive.SubmitPlan(ctx["alice"], p.ID, p.Version); err != nil {
		t.Fatal(err)
	}
	// A major plan is the manager's to decide.
	if _, err := e.Archive.DecidePlan(ctx["sam"], p.ID, va.PlanVerdict{Version: p.Version, Approve: true}); !va.IsKind(err, va.Forbidden) {
		t.Fatalf("sam decides a major plan: %v", err)
	}
	adj := *p
	adj.Location = "苏州新工厂"
	if _, err := e.Archive.DecidePlan(ctx["max"], p.ID, va.PlanVerdict{Version: p.Version, Approve: true, Adjusted: &adj}); !va.IsKind(err, va.Invalid) {
		t.Fatalf("adjust without a comment: %v", err)
	}
	if p, err = e.Archive.DecidePlan(ctx["max"], p.ID, va.PlanVerdict{Version: p.Version, Approve: true, Adjusted: &adj, Comment: "地点已变"}); err != nil {
		t.Fatal(err)
	}
	if p.Status != va.StatusApproved || p.Location != "苏州新工厂" || !slices.Equal(p.Decisions[0].Adjusted, []string{"location"}) {
		t.Fatalf("approved plan: %+v", p)
	}
	for _, who := range []string{"mia", "sid"} {
		if ev := notificationEvents(t, e, ctx[who]); !slices.Equal(ev, []string{"plan.approved " + string(p.ID)}) {
			t.Errorf("%s's inbox: %v", who, ev)
		}
	}

	// carol, a visitor, changes it with a reason: the change waits for
	// the manager beside the approved plan, which stays in force.
	ch := *p
	ch.VisitStart, ch.VisitEnd = start.Add(24*time.Hour), start.Add(26*time.Hour)
	if _, err := e.Archive.UpdatePlan(ctx["carol"], ch); !va.IsKind(err, va.Invalid) {
		t.Fatalf("change without a reason: %v", err)
	}
	ch.ChangeReason = "客户改期"
	if p, err = e.Archive.UpdatePlan(ctx["carol"], ch); err != nil {
		t.Fatal(err)
	}
	if p.Status != va.StatusApproved || !p.VisitStart.Equal(start) || p.Revision != 0 || len(p.Decisions) != 1 ||
		p.Pending == nil || p.Pending.Revision != 1 || !p.Pending.VisitStart.Equal(ch.VisitStart) {
		t.Fatalf("changed plan: status %s start %v revision %d decisions %d pending %+v", p.Status, p.VisitStart, p.Revision, len(p.Decisions), p.Pending)
	}
	if _, err := e.Archive.GetPlan(ctx["mia"], p.ID); err != nil {
		t.Fatalf("marketing and a plan whose change waits: %v", err)
	}
	if _, err := e.Archive.UpdatePlan(ctx["alice"], *p); !va.IsKind(err, va.Conflict) || !strings.Contains(err.Error(), "Allowed: approve, reject, cancel") {
		t.Fatalf("edit a plan whose change waits: %v", err)
	}
	if p, err = e.Archive.DecidePlan(ctx["max"], p.ID, va.PlanVerdict{Version: p.Version, Approve: true}); err != nil {
		t.Fatal(err)
	}
	if p.Pending != nil || !p.VisitStart.Equal(ch.VisitStart) || p.Revision != 1 || p.ChangeReason != "客户改期" {
		t.Fatalf("approved change: %+v", p)
	}
	for _, who := range []string{"mia", "sid"} {
		if ev := notificationEvents(t, e, ctx[who]); !slices.Equal(ev, []string{"plan.approved " + string(p.ID), "plan.changed " + string(p.ID)}) {
			t.Errorf("%s's inbox after the change: %v", who, ev)
		}
	}

	// After the visit and with no record, the plan is missing one.
	e.Clock.Set(ch.VisitEnd.Add(time.Hour))
	missing := func() []va.PlanID {
		page, err := e.Archive.ListPlans(ctx["sam"], va.PlanQuery{MissingRecord: true})
		if err != nil {
			t.Fatal(err)
		}
		var ids []va.PlanID
		for _, p := range page.Plans {
			ids = append(ids, p.ID)
		}
		return ids
	}
	if got := missing(); !slices.Equal(got, []va.PlanID{p.ID}) {
		t.Fatalf("missing records: %v", got)
	}
	r := keyForm(2)
	r.PlanID, r.VisitStart, r.VisitEnd = p.ID, ch.VisitStart, ch.VisitEnd
	mustCreate(t, e.Archive, ctx["alice"], r)
	if got := missing(); len(got) != 0 {
		t.Fatalf("missing records after filing: %v", got)
	}
}

// TestPlanLeadTime: with a lead time, a plan submitted less than that
// before its visit is after the fact.
func TestPlanLeadTime(t *testing.T) {
	e := unopened(t)
	e.adjust(func(c *va.Config) { c.Workflow.PlanLeadTime = 48 * time.Hour })
	e.start(t)
	ctx := people(t, e)
	now := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	e.Clock.Set(now)
	for _, tc := range []struct {
		start time.Time
		want  bool
	}{
		{now.Add(24 * time.Hour), true},
		{now.Add(48 * time.Hour), true},
		{now.Add(49 * time.Hour), false},
	} {
		p, err := e.Archive.CreatePlan(ctx["alice"], va.Plan{CustomerID: "C1", VisitStart: tc.start, VisitEnd: tc.start.Add(time.Hour),
			Location: "苏州", Purpose: "回访", Visitors: []va.UserName{"alice"}})
		if err != nil {
			t.Fatal(err)
		}
		if p, err = e.Archive.SubmitPlan(ctx["alice"], p.ID, p.Version); err != nil {
			t.Fatal(err)
		}
		if p.AfterTheFact != tc.want {
			t.Errorf("visit %v after submitting: after_the_fact %v, want %v", tc.start.Sub(now), p.AfterTheFact, tc.want)
		}
	}
}

// TestPlanTolerance: the configured tolerance decides how far a record
// may lie outside its plan's window.
func TestPlanTolerance(t *testing.T) {
	e := unopened(t)
	e.adjust(func(c *va.Config) { c.Workflow.PlanTolerance = 30 * time.Minute })
	e.start(t)
	ctx := people(t, e)
	r := keyForm(2)
	p := approvedPlan(t, e, ctx, r.VisitStart, r.VisitEnd, "alice")
	e.Clock.Set(r.VisitEnd.Add(time.Hour))
	for end, want := range map[time.Duration][]string{30 * time.Minute: nil, 31 * time.Minute: {"visit_end"}} {
		f := r
		f.PlanID, f.VisitEnd = p.ID, r.VisitEnd.Add(end)
		got := mustCreate(t, e.Archive, ctx["alice"], f)
		_, err := e.Archive.SubmitRecord(ctx["alice"], got.ID, got.Version)
		if !slices.Equal(fieldsOf(err), want) {
			t.Errorf("%v after the plan's end: %v, want fields %v", end, err, want)
		}
	}
}

func TestOverdueRecords(t *testing.T) {
	e := newEnv(t)
	ctx := people(t, e)
	late := mustCreate(t, e.Archive, ctx["alice"], keyForm(2))
	onTime := mustCreate(t, e.Archive, ctx["alice"], keyForm(20))
	e.Clock.Set(late.DueAt.Add(time.Minute))
	overdue := func(who string) []va.RecordID {
		page, err := e.Archive.ListRecords(ctx[who], va.SearchQuery{Overdue: true})
		if err != nil {
			t.Fatal(err)
		}
		var ids []va.RecordID
		for _, r := range page.Records {
			ids = append(ids, r.ID)
		}
		return ids
	}
	if got := overdue("sam"); !slices.Equal(got, []va.RecordID{late.ID}) {
		t.Fatalf("overdue for sam: %v (on time: %s)", got, onTime.ID)
	}
	if got := overdue("mia"); len(got) != 0 {
		t.Fatalf("overdue for marketing: %v", got)
	}
	for want := range []int{1, 0} {
		n, err := e.Archive.NotifyOverdue(t.Context())
		if err != nil || n != 1-want {
			t.Fatalf("NotifyOverdue = %d, %v; want %d", n, err, 1-want)
		}
	}
	for _, who := range []string{"alice", "sam"} {
		if ev := notificationEvents(t, e, ctx[who]); !slices.Equal(ev, []string{"record.overdue " + string(late.ID)}) {
			t.Errorf("%s's inbox: %v", who, ev)
		}
	}
	page, err := e.Archive.Inbox().List(ctx["alice"], true, 1, 10)
	if err != nil || page.Unread != 1 {
		t.Fatalf("unread: %+v, %v", page, err)
	}
	if n, err := e.Archive.Inbox().Unread(ctx["alice"]); err != nil || n != 1 {
		t.Fatalf("Unread = %d, %v; want 1", n, err)
	}
	if n, err := e.Archive.Inbox().MarkRead(ctx["alice"], nil); err != nil || n != 1 {
		t.Fatalf("mark read: %d, %v", n, err)
	}
	if n, err := e.Archive.Inbox().Unread(ctx["alice"]); err != nil || n != 0 {
		t.Fatalf("Unread after reading = %d, %v; want 0", n, err)
	}
	if page, err = e.Archive.Inbox().List(ctx["alice"], true, 1, 10); err != nil || page.Unread != 0 || len(page.Notifications) != 0 {
		t.Fatalf("after reading: %+v, %v", page, err)
	}
}

// approvedRecords files n records and takes them to approved.
func approvedRecords(t *testing.T, e *env, ctx map[string]context.Context, n int) []*va.Record {
	t.Helper()
	out := make([]*va.Record, n)
	for i := range out {
		r := mustCreate(t, e.Archive, ctx["alice"], keyForm(1+i%28))
		r, err := e.Archive.SubmitRecord(ctx["alice"], r.ID, r.Version)
		if err == nil {
			r, err = e.Archive.ApproveRecord(ctx["sam"], r.ID, r.Version, "")
		}
		if err != nil {
			t.Fatal(err)
		}
		out[i] = r
	}
	return out
}

var codeForm = regexp.MustCompile(`^F001-KF·2026-D30-XNY-(\d{4})$`)

// Archivists working at once get unique, gap-free numbers, and two
// archiving the same record get one code between them.
func TestParallelArchivingIsGapFree(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := people(t, e)
		recs := approvedRecords(t, e, ctx, 12)
		var mu sync.Mutex
		codes := map[va.RecordID]string{}
		var wg sync.WaitGroup
		for _, r := range recs {
			for _, who := range []string{"ann", "arc"} {
				wg.Go(func() {
					got, err := e.Archive.ArchiveRecord(ctx[who], r.ID, va.ArchiveRequest{Version: r.Version})
					if va.IsKind(err, va.Conflict) {
						return // the other archivist was first
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					defer mu.Unlock()
					if old, dup := codes[r.ID]; dup {
						t.Errorf("record %s archived twice: %s and %s", r.ID, old, got.ReferenceCode)
					}
					codes[r.ID] = got.ReferenceCode
				})
			}
		}
		wg.Wait()
		var nums []string
		for id, code := range codes {
			m := codeForm.FindStringSubmatch(code)
			if m == nil {
				t.Fatalf("record %s: code %q", id, code)
			}
			nums = append(nums, m[1])
		}
		slices.Sort(nums)
		var want []string
		for i := range recs {
			want = append(want, fmt.Sprintf("%04d", i+1))
		}
		if !slices.Equal(nums, want) {
			t.Fatalf("numbers %v, want %v", nums, want)
		}
		if got := searchIDs(t, e.Archive, va.SearchQuery{ReferenceCode: codes[recs[0].ID]}); !slices.Equal(got, []va.RecordID{recs[0].ID}) {
			t.Fatalf("search by reference code: %v", got)
		}
	})
}

// With a mail server configured, a notification also reaches the
// recipient's mailbox; one without an address gets only the inbox.
func TestNotificationsAreMailed(t *testing.T) {
	ts := smtptest.Start(t, smtptest.Options{})
	e := mailingEnv(t, ts)
	ctx := people(t, e)
	sam, err := e.Archive.Accounts().GetUser(as(t, "root"), "sam")
	if err != nil {
		t.Fatal(err)
	}
	sam.Email = "sam@visit.example"
	if _, err := e.Archive.Accounts().UpdateUser(as(t, "root"), *sam); err != nil {
		t.Fatal(err)
	}
	r := mustCreate(t, e.Archive, ctx["alice"], keyForm(3))
	if _, err := e.Archive.SubmitRecord(ctx["alice"], r.ID, r.Version); err != nil {
		t.Fatal(err)
	}
	m := onlyMail(t, ts, "sam@visit.example")
	if !strings.Contains(m.Subject, "拜访记录待审核") || !strings.Contains(m.Body, string(r.ID)) {
		t.Fatalf("mail subject %q body %q", m.Subject, m.Body)
	}
}

// mailingEnv is an env on disk whose Archive mails notifications through
// the mail server ts.
func mailingEnv(t *testing.T, ts *smtptest.Server) *env {
	t.Helper()
	e := unopened(t)
	e.adjust(func(c *va.Config) {
		c.Mailer = &smtpmail.Mailer{Addr: ts.Addr, From: "archive@visit.example", Timeout: 5 * time.Second}
	})
	return e.start(t)
}

// onlyMail waits for a mail to reach ts and returns it, failing unless it
// is the only one and went to to alone.
func onlyMail(t *testing.T, ts *smtptest.Server, to string) smtptest.Parsed {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(ts.Messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	msgs := ts.Messages()
	if len(msgs) != 1 || !slices.Equal(msgs[0].To, []string{to}) {
		t.Fatalf("mails: %+v", msgs)
	}
	return smtptest.Parse(t, msgs[0].Data)
}

// hiddenCustomers is the shipped policy except that nobody may read a
// customer: a permission table could say so, though the shipped one
// lets every role that files records and plans read every customer.
type hiddenCustomers struct{ va.Authorizer }

func (p hiddenCustomers) Allowed(pr *va.Principal, act va.Permission, res va.Resource) bool {
	return res.Kind != va.KindCustomer && p.Authorizer.Allowed(pr, act, res)
}

// TestHiddenCustomerLikeMissing: a record or plan that names a customer
// the caller may not read answers exactly as one naming a customer that
// does not exist.
func TestHiddenCustomerLikeMissing(t *testing.T) {
	e := unopened(t)
	e.adjust(func(c *va.Config) { c.Policy = hiddenCustomers{testenv.Policy(t)} })
	e.start(t)
	alice := people(t, e)["alice"]
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	writes := map[string]func(customer va.CustomerID) error{
		"record": func(customer va.CustomerID) error {
			_, err := e.Archive.CreateRecord(alice, record(string(customer), "x", 1))
			return err
		},
		"plan": func(customer va.CustomerID) error {
			_, err := e.Archive.CreatePlan(alice, va.Plan{CustomerID: customer, VisitStart: start, VisitEnd: start.Add(time.Hour),
				Location: "Hamburg", Purpose: "offer", Visitors: []va.UserName{"alice"}})
			return err
		},
	}
	for what, write := range writes {
		hidden, missing := write("C1"), write("NOPE")
		h := strings.ReplaceAll(fmt.Sprint(hidden, va.ErrorFields(hidden)), "C1", "{id}")
		m := strings.ReplaceAll(fmt.Sprint(missing, va.ErrorFields(missing)), "NOPE", "{id}")
		if !va.IsKind(hidden, va.Invalid) || h != m {
			t.Errorf("a %s of a hidden customer: %s; of a missing one: %s", what, h, m)
		}
	}
}

// MayEver answers what the roles allow on some object of a kind, as the
// pages' menus ask it.
func TestMayEver(t *testing.T) {
	e := newEnv(t)
	ctx := people(t, e)
	for _, tt := range []struct {
		who  string
		perm va.Permission
		kind va.ResourceKind
		want bool
	}{
		{"alice", va.PermRead, va.KindRecord, true},
		{"alice", va.PermReview, va.KindRecord, false},
		{"sam", va.PermReview, va.KindRecord, true},
		{"ann", va.PermArchive, va.KindRecord, true},
		{"mia", va.PermArchive, va.KindRecord, false},
		{"mia", va.PermRead, va.KindJournal, false},
		{"max", va.PermReview, va.KindPlan, true},
	} {
		if got := e.Archive.MayEver(ctx[tt.who], tt.perm, tt.kind); got != tt.want {
			t.Errorf("MayEver(%s, %s, %s) = %v, want %v", tt.who, tt.perm, tt.kind, got, tt.want)
		}
	}
	if e.Archive.MayEver(t.Context(), va.PermRead, va.KindRecord) {
		t.Error("MayEver without a caller = true")
	}
}

// The plans waiting for a decision are the submitted ones and the
// approved ones whose change waits beside them: what a decider's list
// shows.
func TestUndecidedPlansOfASupervisor(t *testing.T) {
	e := newEnv(t)
	ctx := people(t, e)
	start := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	e.Clock.Set(start.Add(-48 * time.Hour))
	plan := func(place string) *va.Plan {
		t.Helper()
		p, err := e.Archive.CreatePlan(ctx["alice"], va.Plan{CustomerID: "C1", VisitStart: start, VisitEnd: start.Add(time.Hour),
			Location: place, Purpose: "报价", Visitors: []va.UserName{"alice"}})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	plan("草稿")
	submitted := plan("已提交")
	submitted, err := e.Archive.SubmitPlan(ctx["alice"], submitted.ID, submitted.Version)
	if err != nil {
		t.Fatal(err)
	}
	changed := plan("已批准后变更")
	changed, err = e.Archive.SubmitPlan(ctx["alice"], changed.ID, changed.Version)
	if err == nil {
		changed, err = e.Archive.DecidePlan(ctx["sam"], changed.ID, va.PlanVerdict{Version: changed.Version, Approve: true})
	}
	if err == nil {
		ch := *changed
		ch.Location, ch.ChangeReason = "新地点", "客户搬迁"
		changed, err = e.Archive.UpdatePlan(ctx["alice"], ch)
	}
	if err != nil {
		t.Fatal(err)
	}
	page, err := e.Archive.ListPlans(ctx["sam"], va.PlanQuery{Undecided: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []va.PlanID
	for _, p := range page.Plans {
		got = append(got, p.ID)
	}
	slices.Sort(got)
	want := []va.PlanID{submitted.ID, changed.ID}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("undecided plans: %v, want %v", got, want)
	}
}

// The fields a record must hold to be submitted, by its customer's
// type: every record's, and those of the type's form.
func TestRequiredFields(t *testing.T) {
	e := newEnv(t)
	regular := e.Archive.RequiredFields("regular")
	key := e.Archive.RequiredFields(va.CustomerTypeKey)
	if !slices.Contains(regular, "summary") || slices.Contains(regular, "onsite_notes") {
		t.Errorf("a regular customer's form: %v", regular)
	}
	if !slices.Contains(key, "decision_chain") || !slices.Contains(key, "onsite_notes") || !slices.IsSorted(key) {
		t.Errorf("a key customer's form: %v", key)
	}
	if now := e.Archive.Now(); now.IsZero() {
		t.Error("the Archive's clock says nothing")
	}
}

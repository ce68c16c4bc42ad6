package visitarchive_test

import (
	"context"
	"slices"
	"testing"
	"time"

	va "github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/retention"
)

// paperDay is when the paper tests run: after the visits of keyForm, in
// March 2026.
var paperDay = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

// archivedRecord takes a record of alice's through approval and has ann
// archive it, with its paper original at loc (nil: none).
func archivedRecord(t *testing.T, e *env, ctx map[string]context.Context, loc *va.PaperLocation) *va.Record {
	t.Helper()
	r := approvedRecords(t, e, ctx, 1)[0]
	r, err := e.Archive.ArchiveRecord(ctx["ann"], r.ID, va.ArchiveRequest{Version: r.Version, PaperLocation: loc})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// paperEnv is an env at paperDay with the people of the workflow tests
// and an auditor, aud.
func paperEnv(t *testing.T, e *env) map[string]context.Context {
	t.Helper()
	e.Clock.Set(paperDay)
	ctx := people(t, e)
	aud, err := e.Archive.Accounts().CreateUser(as(t, "root"), va.User{Name: "aud", Roles: []va.Role{va.RoleAuditor}})
	if err != nil {
		t.Fatal(err)
	}
	ctx["aud"] = va.WithPrincipal(t.Context(), va.PrincipalOf(aud))
	return ctx
}

func getPaper(t *testing.T, e *env, ctx context.Context, id va.RecordID) *va.PaperOriginal {
	t.Helper()
	p, err := e.Archive.Papers().Get(ctx, id)
	if err != nil {
		t.Fatalf("get paper of %s: %v", id, err)
	}
	return p
}

// places lists the boxes of a history, oldest first, with their events.
func places(h []va.PaperMove) []string {
	var out []string
	for _, m := range h {
		out = append(out, string(m.Event)+" "+m.Location.Cabinet+"/"+m.Location.Shelf+"/"+m.Location.Box)
	}
	return out
}

// TestPaperOriginal follows one original on both backends: archived with
// its place, moved (a stale version refused), lent (a second loan
// refused), overdue (listed, the archivists told once, restart or not),
// returned (a second return refused); its history and loans survive a
// restart, and the reads are in the access log.
func TestPaperOriginal(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := paperEnv(t, e)
		papers := e.Archive.Papers()
		r := archivedRecord(t, e, ctx, &va.PaperLocation{Cabinet: "A", Shelf: "2", Box: "17"})

		p := getPaper(t, e, ctx["ann"], r.ID)
		if p.Version != 1 || *p.Location != (va.PaperLocation{Cabinet: "A", Shelf: "2", Box: "17"}) || p.OnLoan ||
			p.ReferenceCode != r.ReferenceCode || len(p.History) != 1 || p.History[0].By != "ann" || len(p.Loans) != 0 {
			t.Fatalf("after archiving: %+v", p)
		}

		moved, err := papers.Move(ctx["arc"], r.ID, va.PaperMoveRequest{Version: 1,
			Location: &va.PaperLocation{Cabinet: "B", Shelf: "1", Box: "3"}, Reason: "柜 A 已满"})
		if err != nil || moved.Version != 2 || moved.Event != va.PaperMoved || moved.By != "arc" {
			t.Fatalf("move: %+v, %v", moved, err)
		}
		_, err = papers.Move(ctx["ann"], r.ID, va.PaperMoveRequest{Version: 1,
			Location: &va.PaperLocation{Cabinet: "C", Shelf: "1", Box: "1"}, Reason: "stale"})
		if !va.IsKind(err, va.Conflict) {
			t.Fatalf("move of a stale version: %v, want Conflict", err)
		}
		same, err := papers.Move(ctx["ann"], r.ID, va.PaperMoveRequest{Version: 2,
			Location: &va.PaperLocation{Cabinet: "B", Shelf: "1", Box: "3"}, Reason: "again"})
		if err != nil || same.Version != 2 {
			t.Fatalf("move to where it is: %+v, %v; want version 2 unchanged", same, err)
		}

		due := paperDay.Add(7 * 24 * time.Hour)
		loan, err := papers.Lend(ctx["ann"], r.ID, va.LoanRequest{BorrowerUser: "alice", Purpose: "客户审计", DueAt: due})
		if err != nil || loan.Version != 1 || loan.LentBy != "ann" || !loan.LentAt.Equal(paperDay) {
			t.Fatalf("lend: %+v, %v", loan, err)
		}
		if _, err := papers.Lend(ctx["arc"], r.ID, va.LoanRequest{Borrower: "上海海关", Purpose: "x", DueAt: due}); !va.IsKind(err, va.Conflict) {
			t.Fatalf("second loan: %v, want Conflict", err)
		}
		checkLoans(t, papers, ctx["aud"], false, loan.ID)
		checkLoans(t, papers, ctx["aud"], true)

		jobs := retention.NewRunner(nil, retention.OverdueLoans(papers))
		remindLoans := func(want int) {
			t.Helper()
			if n, err := jobs.RunOnce(t.Context(), "overdue-loans"); n != want || err != nil {
				t.Fatalf("overdue-loans: %d, %v; want %d", n, err, want)
			}
		}
		e.Clock.Set(due)
		remindLoans(0) // due, not past due
		e.Clock.Set(due.Add(time.Minute))
		checkLoans(t, papers, ctx["aud"], true, loan.ID)
		remindLoans(1)
		remindLoans(0)
		for _, who := range []string{"ann", "arc"} {
			if !slices.Contains(notificationEvents(t, e, ctx[who]), va.EventLoanOverdue+" "+string(r.ID)) {
				t.Errorf("%s was not told of the overdue loan: %v", who, notificationEvents(t, e, ctx[who]))
			}
		}

		e.Close(t)
		e.Open(t, true)
		papers = e.Archive.Papers()
		jobs = retention.NewRunner(nil, retention.OverdueLoans(papers))
		remindLoans(0) // the marker stays
		checkLoans(t, papers, ctx["aud"], true, loan.ID)

		back, err := papers.Return(ctx["arc"], r.ID, loan.ID, va.ReturnRequest{Note: "完好"})
		if err != nil || back.Version != 2 || back.ReceivedBy != "arc" || back.ReturnedBy != "arc" || back.ReturnNote != "完好" {
			t.Fatalf("return: %+v, %v", back, err)
		}
		if _, err := papers.Return(ctx["ann"], r.ID, loan.ID, va.ReturnRequest{}); !va.IsKind(err, va.Conflict) {
			t.Fatalf("second return: %v, want Conflict", err)
		}
		checkLoans(t, papers, ctx["aud"], false)

		e.Close(t)
		e.Open(t, true)
		p = getPaper(t, e, ctx["aud"], r.ID)
		if want := []string{"archived A/2/17", "moved B/1/3"}; !slices.Equal(places(p.History), want) || p.Version != 4 || p.OnLoan {
			t.Fatalf("history after a restart: %v (version %d, on loan %v), want %v", places(p.History), p.Version, p.OnLoan, want)
		}
		if len(p.Loans) != 1 || p.Loans[0].ID != loan.ID || !p.Loans[0].Returned() || p.Loans[0].BorrowerUser != "alice" || p.Loans[0].Overdue {
			t.Fatalf("loans after a restart: %+v", p.Loans)
		}
		page, err := e.Archive.Papers().List(ctx["max"], va.PaperFilter{Box: "3"})
		if err != nil || page.Total != 1 || page.Records[0].Record != r.ID || page.Records[0].OnLoan {
			t.Fatalf("box 3: %+v, %v", page, err)
		}

		events, err := e.Archive.AccessLog(ctx["aud"], va.AccessFilter{Record: r.ID})
		if err != nil {
			t.Fatal(err)
		}
		var reads []string
		for _, ev := range events {
			if ev.Action == va.ActionPaperRead {
				reads = append(reads, string(ev.User))
			}
		}
		if want := []string{"ann", "aud", "aud", "aud", "aud"}; !slices.Equal(reads, want) {
			t.Errorf("paper reads in the access log: %v, want %v", reads, want)
		}
	})
}

// checkLoans checks the open loans (only the overdue ones with overdue)
// that ctx lists.
func checkLoans(t *testing.T, papers *va.Papers, ctx context.Context, overdue bool, want ...string) {
	t.Helper()
	list, err := papers.Loans(ctx, overdue)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range list.Loans {
		got = append(got, l.ID)
		if l.Overdue != overdue && overdue {
			t.Errorf("loan %s listed as overdue is not", l.ID)
		}
	}
	if !slices.Equal(got, want) || list.Total != len(want) {
		t.Fatalf("loans (overdue %v): %v (total %d), want %v", overdue, got, list.Total, want)
	}
}

// TestPaperPermissions: archivists change paper originals, auditors and
// managers read them; whoever may read the record but not them is
// Forbidden, whoever may not read the record finds nothing; a record not
// archived has no original to change.
func TestPaperPermissions(t *testing.T) {
	e := newEnv(t)
	ctx := paperEnv(t, e)
	papers := e.Archive.Papers()
	r := archivedRecord(t, e, ctx, &va.PaperLocation{Cabinet: "A", Shelf: "1", Box: "1"})
	approved := approvedRecords(t, e, ctx, 1)[0]
	move := va.PaperMoveRequest{Version: 1, Location: &va.PaperLocation{Cabinet: "B", Shelf: "1", Box: "1"}, Reason: "r"}
	tests := []struct {
		who       string
		read, own va.Kind // -1: allowed
	}{
		{"ann", -1, -1},
		{"arc", -1, -1},
		{"aud", -1, va.Forbidden},
		{"max", -1, va.Forbidden},
		{"alice", va.Forbidden, va.Forbidden}, // her record: she may read it, not its original
		{"carol", va.NotFound, va.NotFound},   // not hers
		{"sam", va.Forbidden, va.Forbidden},
		{"mia", va.Forbidden, va.Forbidden},
	}
	for _, tt := range tests {
		_, err := papers.Get(ctx[tt.who], r.ID)
		checkKind(t, tt.who+" reads", err, tt.read)
		checkKind(t, tt.who+" may change", papers.MayChange(ctx[tt.who], r.ID), tt.own)
		if tt.own != -1 {
			_, err = papers.Move(ctx[tt.who], r.ID, move)
			checkKind(t, tt.who+" moves", err, tt.own)
			_, err = papers.Lend(ctx[tt.who], r.ID, va.LoanRequest{Borrower: "x", Purpose: "x", DueAt: paperDay.AddDate(0, 0, 1)})
			checkKind(t, tt.who+" lends", err, tt.own)
		}
		_, err = papers.List(ctx[tt.who], va.PaperFilter{})
		checkKind(t, tt.who+" lists", err, map[bool]va.Kind{true: -1, false: va.Forbidden}[tt.read == -1])
		_, err = papers.Loans(ctx[tt.who], false)
		checkKind(t, tt.who+" lists loans", err, map[bool]va.Kind{true: -1, false: va.Forbidden}[tt.read == -1])
	}
	checkKind(t, "archivist on an approved record", papers.MayChange(ctx["ann"], approved.ID), va.Conflict)
	checkKind(t, "unknown record", papers.MayChange(ctx["ann"], "R-none"), va.NotFound)
	_, err := papers.Get(ctx["ann"], "R-none")
	checkKind(t, "unknown record", err, va.NotFound)
	p := getPaper(t, e, ctx["aud"], approved.ID)
	if p.Version != 0 || p.Location != nil || len(p.History) != 0 {
		t.Errorf("paper of an approved record: %+v", p)
	}
}

// checkKind fails unless err is of kind want (-1: no error).
func checkKind(t *testing.T, what string, err error, want va.Kind) {
	t.Helper()
	switch {
	case want == -1 && err != nil:
		t.Errorf("%s: %v, want no error", what, err)
	case want != -1 && !va.IsKind(err, want):
		t.Errorf("%s: %v, want %s", what, err, want)
	}
}

// TestPaperWithoutLocation: a record archived without a paper location
// has no original on file (version 0): it cannot be lent, and a move
// naming version 0 gives it its first place.
func TestPaperWithoutLocation(t *testing.T) {
	e := newEnv(t)
	ctx := paperEnv(t, e)
	papers := e.Archive.Papers()
	r := archivedRecord(t, e, ctx, nil)
	if p := getPaper(t, e, ctx["ann"], r.ID); p.Version != 0 || p.Location != nil {
		t.Fatalf("no location: %+v", p)
	}
	_, err := papers.Lend(ctx["ann"], r.ID, va.LoanRequest{Borrower: "x", Purpose: "x", DueAt: paperDay.AddDate(0, 0, 1)})
	checkKind(t, "lend without a place", err, va.Conflict)
	loc := &va.PaperLocation{Cabinet: "A", Shelf: "1", Box: "9"}
	_, err = papers.Move(ctx["ann"], r.ID, va.PaperMoveRequest{Version: 1, Location: loc, Reason: "found"})
	checkKind(t, "version 1 of none", err, va.Conflict)
	got, err := papers.Move(ctx["ann"], r.ID, va.PaperMoveRequest{Version: 0, Location: loc, Reason: "补登"})
	if err != nil || got.Version != 1 || got.Event != va.PaperRecorded || got.ReferenceCode != r.ReferenceCode {
		t.Fatalf("first place: %+v, %v", got, err)
	}
	if p := getPaper(t, e, ctx["ann"], r.ID); !slices.Equal(places(p.History), []string{"recorded A/1/9"}) {
		t.Errorf("history: %v", places(p.History))
	}
}

// TestPaperArchivedBeforeHistory: a record archived with a location before
// paper originals had versions of their own (its Paper object missing)
// shows that location as version 1, and its first change writes it.
func TestPaperArchivedBeforeHistory(t *testing.T) {
	e := newEnv(t)
	ctx := paperEnv(t, e)
	r := archivedRecord(t, e, ctx, &va.PaperLocation{Cabinet: "A", Shelf: "1", Box: "5"})
	// Undo what archiving wrote of the Paper, as an older version did.
	key := va.PaperKey(r.ID, 1)
	if _, err := e.Journal.Append(t.Context(), va.Change{Actor: "test", Action: "test.remove", Key: key, Removed: true}); err != nil {
		t.Fatal(err)
	}
	if err := e.Store.Delete(t.Context(), key); err != nil {
		t.Fatal(err)
	}
	e.Close(t)
	e.Open(t, true)
	papers := e.Archive.Papers()
	if page, err := papers.List(ctx["ann"], va.PaperFilter{}); err != nil || page.Total != 0 {
		t.Fatalf("list before: %+v, %v", page, err)
	}
	p := getPaper(t, e, ctx["ann"], r.ID)
	if p.Version != 1 || !slices.Equal(places(p.History), []string{"archived A/1/5"}) || p.History[0].By != "ann" {
		t.Fatalf("before the first change: %+v", p)
	}
	loan, err := papers.Lend(ctx["arc"], r.ID, va.LoanRequest{Borrower: "总经理办公室", Purpose: "查阅", DueAt: paperDay.AddDate(0, 0, 3)})
	if err != nil {
		t.Fatal(err)
	}
	p = getPaper(t, e, ctx["ann"], r.ID)
	if p.Version != 2 || !p.OnLoan || len(p.Loans) != 1 || p.Loans[0].ID != loan.ID || len(p.History) != 1 {
		t.Fatalf("after lending: %+v", p)
	}
	if page, err := papers.List(ctx["ann"], va.PaperFilter{Box: "5"}); err != nil || page.Total != 1 || !page.Records[0].OnLoan {
		t.Fatalf("list after: %+v, %v", page, err)
	}
}

// TestLoanRequests: what a loan and a return send is checked, every
// problem at once, times held to 1900–2200.
func TestLoanRequests(t *testing.T) {
	e := newEnv(t)
	ctx := paperEnv(t, e)
	papers := e.Archive.Papers()
	r := archivedRecord(t, e, ctx, &va.PaperLocation{Cabinet: "A", Shelf: "1", Box: "1"})
	far := time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)
	lends := []struct {
		req  va.LoanRequest
		want []string
	}{
		{va.LoanRequest{}, []string{"borrower", "due_at", "purpose"}},
		{va.LoanRequest{BorrowerUser: "alice", Borrower: "Hans", Purpose: "p", DueAt: paperDay.Add(time.Hour)}, []string{"borrower"}},
		{va.LoanRequest{BorrowerUser: "nobody", Purpose: "p", DueAt: paperDay.Add(time.Hour)}, []string{"borrower_user"}},
		{va.LoanRequest{BorrowerUser: "../x", Purpose: "p", DueAt: paperDay.Add(time.Hour)}, []string{"borrower_user"}},
		{va.LoanRequest{Borrower: "Hans", Purpose: "p", DueAt: paperDay.Add(-time.Hour)}, []string{"due_at"}},
		{va.LoanRequest{Borrower: "Hans", Purpose: "p", DueAt: far}, []string{"due_at"}},
		{va.LoanRequest{Borrower: "Hans", Purpose: "p", LentAt: paperDay.Add(time.Hour), DueAt: paperDay.Add(2 * time.Hour)}, []string{"lent_at"}},
		{va.LoanRequest{Borrower: "Hans", Purpose: "p", LentAt: time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC), DueAt: paperDay.Add(time.Hour)}, []string{"lent_at"}},
		{va.LoanRequest{Borrower: "Hans\x00", Purpose: "p", DueAt: paperDay.Add(time.Hour)}, []string{"borrower"}},
	}
	for _, tt := range lends {
		_, err := papers.Lend(ctx["ann"], r.ID, tt.req)
		if !va.IsKind(err, va.Invalid) || !slices.Equal(fieldsOf(err), tt.want) {
			t.Errorf("lend %+v: %v (fields %v), want Invalid %v", tt.req, err, fieldsOf(err), tt.want)
		}
	}
	lent := paperDay.Add(-48 * time.Hour)
	loan, err := papers.Lend(ctx["ann"], r.ID, va.LoanRequest{Borrower: "Hans", Purpose: "p", LentAt: lent, DueAt: paperDay.Add(-time.Hour)})
	if err != nil || !loan.LentAt.Equal(lent) {
		t.Fatalf("a loan recorded after the fact: %+v, %v", loan, err)
	}
	returns := []struct {
		req  va.ReturnRequest
		want []string
	}{
		{va.ReturnRequest{ReturnedAt: paperDay.Add(time.Minute)}, []string{"returned_at"}},
		{va.ReturnRequest{ReturnedAt: lent.Add(-time.Minute)}, []string{"returned_at"}},
		{va.ReturnRequest{ReturnedAt: far}, []string{"returned_at", "returned_at"}},
		{va.ReturnRequest{ReceivedBy: "\x1b[2J"}, []string{"received_by"}},
	}
	for _, tt := range returns {
		_, err := papers.Return(ctx["ann"], r.ID, loan.ID, tt.req)
		if !va.IsKind(err, va.Invalid) || !slices.Equal(fieldsOf(err), tt.want) {
			t.Errorf("return %+v: %v (fields %v), want Invalid %v", tt.req, err, fieldsOf(err), tt.want)
		}
	}
	_, err = papers.Return(ctx["ann"], r.ID, "L-none", va.ReturnRequest{})
	checkKind(t, "return of an unknown loan", err, va.NotFound)
	back, err := papers.Return(ctx["ann"], r.ID, loan.ID, va.ReturnRequest{ReturnedAt: paperDay.Add(-30 * time.Minute), ReceivedBy: "李华"})
	if err != nil || back.ReceivedBy != "李华" || back.ReturnedBy != "ann" {
		t.Fatalf("return: %+v, %v", back, err)
	}
}

// TestParallelLoans: of archivists lending one original at once, exactly
// one succeeds; the others are Conflict.
func TestParallelLoans(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ctx := paperEnv(t, e)
		r := archivedRecord(t, e, ctx, &va.PaperLocation{Cabinet: "A", Shelf: "1", Box: "1"})
		errs := make(chan error, 8)
		for i := range 8 {
			who := []string{"ann", "arc"}[i%2]
			go func() {
				_, err := e.Archive.Papers().Lend(ctx[who], r.ID, va.LoanRequest{Borrower: "B", Purpose: "p", DueAt: paperDay.AddDate(0, 0, 1)})
				errs <- err
			}()
		}
		ok := 0
		for range 8 {
			switch err := <-errs; {
			case err == nil:
				ok++
			case !va.IsKind(err, va.Conflict):
				t.Errorf("lend: %v, want Conflict", err)
			}
		}
		if p := getPaper(t, e, ctx["ann"], r.ID); ok != 1 || len(p.Loans) != 1 || p.Version != 2 {
			t.Errorf("%d loans succeeded; the original has %d loans at version %d", ok, len(p.Loans), p.Version)
		}
	})
}

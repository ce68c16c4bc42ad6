package visitarchive

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// The loans of paper originals: an archivist lends an original out and
// records its return; an original is out on one loan at most. Lending and
// returning each write the next version of the original's Paper, the lock
// that two archivists lending it at once cannot both take, with the
// loan's own version in the same journal entry.

// Journal actions of paper originals and loans.
const (
	ActionPaperArchive = "paper.archive" // the location given at archiving
	ActionPaperRead    = "paper.read"    // a paper original, or a listing of loans, was returned
)

// EventLoanOverdue is the notification to the archivists of a loan past
// its due time (RemindOverdueLoans).
const EventLoanOverdue = "paper.loan_overdue"

// Lend lends the paper original of record id out, as req says, and
// returns the loan. An original on loan already, or with no place on
// file, is Conflict.
func (p *Papers) Lend(ctx context.Context, id RecordID, req LoanRequest) (*Loan, error) {
	const op = "paper.lend"
	a := p.a
	s, err := p.forChange(ctx, op, id)
	if err != nil {
		return nil, err
	}
	cur, stored := p.current(&s.Record)
	switch {
	case cur == nil:
		return nil, E(op, Conflict, nil, "record %s has no paper original on file; record where it is kept first", id)
	case cur.Loan != "":
		return nil, E(op, Conflict, nil, "the paper original of record %s is out on loan %s, due %s; record its return first",
			id, cur.Loan, cur.Due.Format(time.RFC3339))
	}
	now := a.now().UTC()
	var c checker
	req.validate(&c, now, func(u UserName) bool { return a.accounts.user(u) != nil })
	if err := c.result(op, "loan"); err != nil {
		return nil, err
	}
	l := &Loan{ID: NewID("L", now), Record: id, Version: 1, BorrowerUser: req.BorrowerUser, Borrower: req.Borrower,
		Purpose: req.Purpose, LentAt: req.LentAt.UTC(), DueAt: req.DueAt.UTC(), LentBy: ActorFrom(ctx)}
	next := p.next(ctx, &s.Record, cur, PaperLent)
	next.Loan, next.Due = l.ID, l.DueAt
	return l, p.writeLoan(ctx, op, cur, stored, next, l)
}

// Return records that the paper original of record id is back from loan
// loanID, as req says, and returns the loan. A loan returned already is
// Conflict: a return is recorded once.
func (p *Papers) Return(ctx context.Context, id RecordID, loanID string, req ReturnRequest) (*Loan, error) {
	const op = "paper.return"
	a := p.a
	s, err := p.forChange(ctx, op, id)
	if err != nil {
		return nil, err
	}
	l, err := p.loan(ctx, op, id, loanID)
	if err != nil {
		return nil, err
	}
	cur, stored := p.current(&s.Record)
	switch {
	case l.Returned():
		return nil, E(op, Conflict, nil, "loan %s was returned at %s; a return is recorded once", l.ID, l.ReturnedAt.Format(time.RFC3339))
	case cur == nil || cur.Loan != l.ID:
		return nil, E(op, Conflict, nil, "loan %s is not the one the original is out on; reload it", l.ID)
	}
	now := a.now().UTC()
	var c checker
	req.validate(&c, l, now, ActorFrom(ctx))
	if err := c.result(op, "loan return"); err != nil {
		return nil, err
	}
	back := *l
	back.Version, back.ReturnedAt, back.ReceivedBy, back.ReturnNote, back.ReturnedBy =
		2, req.ReturnedAt.UTC(), req.ReceivedBy, req.Note, ActorFrom(ctx)
	next := p.next(ctx, &s.Record, cur, PaperReturned)
	next.Loan, next.Due = "", time.Time{}
	return &back, p.writeLoan(ctx, op, cur, stored, next, &back)
}

// writeLoan writes next, the version of a Paper that lends or returns,
// then l, and journals both in one entry; on any failure neither stays.
func (p *Papers) writeLoan(ctx context.Context, op string, cur *Paper, stored bool, next *Paper, l *Loan) error {
	changes, err := p.claim(ctx, op, cur, stored, next)
	if err != nil {
		return err
	}
	key := LoanKey(l.Record, l.ID, l.Version)
	info, err := p.a.put(ctx, key, l)
	if err != nil {
		p.drop(ctx, changes)
		return err
	}
	return p.commit(ctx, op, next, changes, Change{Action: op, Key: key, SHA256: info.SHA256})
}

// loan reads the current version of loan id of record rid: NotFound when
// the journal recorded none.
func (p *Papers) loan(ctx context.Context, op string, rid RecordID, id string) (*Loan, error) {
	if !ValidID(id) {
		return nil, E(op, NotFound, nil, "record %s has no loan %q", rid, id)
	}
	e, ok := p.a.catalog.current(loanDir(rid, id))
	if !ok {
		return nil, E(op, NotFound, nil, "record %s has no loan %s", rid, id)
	}
	var l Loan
	return &l, readSealed(ctx, p.a.store, e.key, e.sum, &l)
}

// loanEntry is l as the API shows it, with the Paper cur of its original,
// at now.
func loanEntry(l *Loan, cur *Paper, now time.Time) LoanEntry {
	return LoanEntry{Loan: *l, ReferenceCode: cur.ReferenceCode, CustomerName: cur.CustomerName,
		Location: cur.Location, Overdue: l.Overdue(now)}
}

// Loans lists the loans out now, soonest due first; with overdue only
// those past their due time. Only who may read paper originals may; the
// listing shows borrowers, who are people, and is logged.
func (p *Papers) Loans(ctx context.Context, overdue bool) (*LoanList, error) {
	const op = "paper.loans"
	a := p.a
	if err := a.allow(ctx, op, PermRead, paperResource); err != nil {
		return nil, err
	}
	now := a.now()
	var out []*Paper
	for _, cur := range a.paper.all() {
		if cur.Loan != "" && (!overdue || now.After(cur.Due)) {
			out = append(out, cur)
		}
	}
	loans := make([]LoanEntry, len(out))
	err := parallel(ctx, len(out), func(i int) error {
		l, err := p.loan(ctx, op, out[i].Record, out[i].Loan)
		if err == nil {
			loans[i] = loanEntry(l, out[i], now)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(loans, func(x, y LoanEntry) int { return cmp.Or(x.DueAt.Compare(y.DueAt), strings.Compare(x.ID, y.ID)) })
	events := make([]Change, len(loans))
	for i, l := range loans {
		events[i] = Change{Action: ActionPaperRead, Key: LoanKey(l.Record, l.ID, l.Version), Fields: []string{"loan"}}
	}
	return &LoanList{Total: len(loans), Loans: loans}, a.logAccess(ctx, op, events)
}

// RemindOverdueLoans tells the archivists of every loan past its due
// time, once per loan (marker LoanOverdueKey), and returns how many loans
// it told them of. The server runs it daily.
func (p *Papers) RemindOverdueLoans(ctx context.Context) (int, error) {
	a := p.a
	ctx = WithActor(ctx, "system")
	now, done := a.now(), 0
	for _, cur := range a.paper.all() {
		if cur.Loan == "" || !now.After(cur.Due) {
			continue
		}
		sent, err := p.remindOverdue(ctx, cur)
		if err != nil {
			return done, err
		}
		if sent {
			done++
		}
	}
	return done, nil
}

// remindOverdue tells the archivists that the loan cur is out on is
// overdue, unless that was done before or it came back meanwhile.
func (p *Papers) remindOverdue(ctx context.Context, cur *Paper) (bool, error) {
	const op = "paper.loan_overdue"
	a := p.a
	marker := map[string]any{"record": cur.Record, "loan": cur.Loan}
	return a.notifyOnce(ctx, LoanOverdueKey(cur.Record, cur.Loan), EventLoanOverdue, marker, func() ([]notice, bool, error) {
		if now := a.paper.get(cur.Record); now == nil || now.Loan != cur.Loan {
			return nil, false, nil
		}
		l, err := p.loan(ctx, op, cur.Record, cur.Loan)
		if err != nil {
			return nil, false, err
		}
		msg := "纸质原件借阅逾期未还 Paper original overdue: " + cur.ReferenceCode + " " + cur.CustomerName +
			", " + borrower(l) + ", due " + a.localDate(l.DueAt)
		return []notice{{event: EventLoanOverdue, kind: KindPaper, object: string(cur.Record), message: msg,
			to: a.accounts.usersWith(RoleArchivist, "")}}, true, nil
	})
}

// borrower names who has l.
func borrower(l *Loan) string { return cmp.Or(string(l.BorrowerUser), l.Borrower) }

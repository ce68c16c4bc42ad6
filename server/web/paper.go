package web

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The paper originals of archived records (纸质原件), as Archive.Papers
// keeps them: the page of one (/paper/{record}: where it is, every place
// it has been, its loans, and for archivists the forms to move, lend and
// take it back), the listing of what is where (/paper, by cabinet, shelf
// and box) and the loans out now (/paper/loans, overdue marked).
// Archivists change them; auditors and managers read them: the policy
// decides (KindPaper), and every form asks Papers.MayChange first, as the
// API does. A move names the version it was made from: a stale one comes
// back with what was typed and the place it is in now.

func init() {
	addLabels(paperLabels, paperValueLabels)
	objectLinks[visitarchive.KindPaper] = "/paper/" // the notice of an overdue loan
	for k, v := range paperFlashes {
		flashes[k] = v
	}
}

// paperResource is what the policy knows of a paper original.
var paperResource = visitarchive.Resource{Kind: visitarchive.KindPaper}

// paperLabels are the labels of the fields of the paper originals' forms
// and lists, by the names the Archive gives them in its messages.
var paperLabels = map[string]string{
	"location.cabinet":   msg("Cabinet"),
	"location.shelf":     msg("Shelf"),
	"location.box":       msg("Box"),
	"cabinet":            msg("Cabinet"),
	"shelf":              msg("Shelf"),
	"box":                msg("Box"),
	"borrower_user":      msg("Borrower: a user"),
	"borrower":           msg("Borrower: another person or organisation"),
	"lent_at":            msg("Lent on"),
	"lent_by":            msg("Lent by"),
	"returned_at":        msg("Returned on"),
	"received_by":        msg("Received by"),
	"note":               msg("Note on its state"),
	"return_recorded_by": msg("Return recorded by"),
	"event":              msg("Event"),
}

// paperValueLabels name the events of a paper original.
var paperValueLabels = map[string]map[string]string{
	"paper_event": {
		string(visitarchive.PaperArchived): msg("Filed when archived"), string(visitarchive.PaperRecorded): msg("Place recorded"),
		string(visitarchive.PaperMoved): msg("Moved"),
	},
}

// The notices after a change of a paper original.
const (
	flashPaperMoved    = "paper-moved"
	flashPaperLent     = "paper-lent"
	flashPaperReturned = "paper-returned"
)

var paperFlashes = map[string]string{
	flashPaperMoved:    msg("The new place of the paper original has been recorded."),
	flashPaperLent:     msg("The loan has been recorded."),
	flashPaperReturned: msg("The return has been recorded."),
}

// The inputs of the forms.
var (
	moveFields   = []string{"location.cabinet", "location.shelf", "location.box", "reason"}
	lendFields   = []string{"borrower_user", "borrower", "purpose", "due_at"}
	returnFields = []string{"received_by", "note"}
)

// paperActions are the record page's links to the paper of rec: its
// cover sheet, and its paper original for whoever may read those once it
// is archived.
func (w *Web) paperActions(ctx context.Context, r *Request, rec *visitarchive.Record) []NavLink {
	out := []NavLink{coverLink(r, rec)}
	if rec.Status == visitarchive.StatusArchived && w.archive.Allowed(ctx, visitarchive.PermRead, paperResource) {
		out = append(out, NavLink{Label: r.T("Paper original"), Path: "/paper/" + string(rec.ID)})
	}
	return out
}

// paperView is the content of the page of a paper original.
type paperView struct {
	P         *visitarchive.PaperOriginal
	History   []visitarchive.PaperMove // newest first
	Loans     []visitarchive.LoanEntry // newest first
	OpenLoan  *visitarchive.LoanEntry  // the loan it is out on
	MayChange bool
	// Version is the version the move form names: the current one, or
	// after a stale move, still the current one (the form keeps what was
	// typed).
	Version     int
	Move        []field
	MoveState   formState
	Lend        []field
	LendState   formState
	Return      []field
	ReturnState formState
}

func (w *Web) paper(c *fiber.Ctx, r *Request) error {
	return w.renderPaper(c, r, "", nil, formState{})
}

// renderPaper renders the page of the paper original of the record of
// the path; the form named form (move, lend, return) shows typed and st.
func (w *Web) renderPaper(c *fiber.Ctx, r *Request, form string, typed map[string]string, st formState) error {
	id, err := recordParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p, err := w.archive.Papers().Get(ctx, id)
	if err != nil {
		return err
	}
	v := paperView{P: p, Version: p.Version, MayChange: w.archive.Papers().MayChange(ctx, id) == nil}
	for i := len(p.History) - 1; i >= 0; i-- {
		v.History = append(v.History, p.History[i])
	}
	for i := len(p.Loans) - 1; i >= 0; i-- {
		v.Loans = append(v.Loans, p.Loans[i])
	}
	for i, l := range v.Loans {
		if p.OnLoan && !l.Returned() {
			v.OpenLoan = &v.Loans[i]
		}
	}
	current := map[string]string{}
	if p.Location != nil {
		current = map[string]string{"location.cabinet": p.Location.Cabinet, "location.shelf": p.Location.Shelf, "location.box": p.Location.Box}
	}
	v.Move = paperInputs(r, moveFields, current, nil)
	v.Lend = paperInputs(r, lendFields, nil, nil)
	v.Return = paperInputs(r, returnFields, nil, nil)
	switch form {
	case "move":
		v.Move, v.MoveState = paperInputs(r, moveFields, typed, st.Errors), st
	case "lend":
		v.Lend, v.LendState = paperInputs(r, lendFields, typed, st.Errors), st
	case "return":
		v.Return, v.ReturnState = paperInputs(r, returnFields, typed, st.Errors), st
	}
	return w.render(c, r, "paper", msg("Paper original"), v)
}

// paperInputs are the inputs names of a form of the paper original,
// with vals and the messages errs.
func paperInputs(r *Request, names []string, vals, errs map[string]string) []field {
	var out []field
	for _, n := range names {
		typ, max := "text", 50
		switch n {
		case "reason", "purpose", "note":
			typ, max = "textarea", 2000
		case "borrower", "received_by":
			max = 200
		case "borrower_user":
			max = 64
		case "due_at":
			typ, max = "date", 0
		}
		f := newField(r, n, typ, vals[n], errs)
		f.Max = max
		f.Required = n != "borrower_user" && n != "borrower" && n != "received_by" && n != "note"
		switch n {
		case "reason":
			f.Label = r.T("Reason for the move")
		case "purpose":
			f.Label = r.T("Purpose of the loan")
		case "borrower_user":
			f.Hint = r.T("The user name of a colleague; or leave it empty and name the borrower below.")
		case "received_by":
			f.Hint = r.T("Leave it empty if you received it yourself.")
		}
		out = append(out, f)
	}
	return out
}

// movePaper records a new place of the paper original.
func (w *Web) movePaper(c *fiber.Ctx, r *Request) error {
	id, err := w.paperChange(c)
	if err != nil {
		return err
	}
	typed := typedValues(c, moveFields)
	sent, _ := strconv.Atoi(c.FormValue("version"))
	req := visitarchive.PaperMoveRequest{Version: sent, Reason: typed["reason"],
		Location: &visitarchive.PaperLocation{Cabinet: typed["location.cabinet"], Shelf: typed["location.shelf"], Box: typed["location.box"]}}
	ctx := c.UserContext()
	_, err = w.archive.Papers().Move(ctx, id, req)
	if err == nil {
		w.flash(c, flashPaperMoved)
		return redirect(c, "/paper/"+string(id))
	}
	var current map[string]string
	if visitarchive.IsKind(err, visitarchive.Conflict) {
		current = w.staleLocation(ctx, id, sent)
	}
	st, err := refused(c, r, err, typed, current)
	if err != nil {
		return err
	}
	return w.renderPaper(c, r, "move", typed, st)
}

// staleLocation is, after a move from version sent that the Archive
// refused as a conflict, the place the original is in now if the form was
// of another version (a stale move), else nil (see ifStale).
func (w *Web) staleLocation(ctx context.Context, id visitarchive.RecordID, sent int) map[string]string {
	p, err := w.archive.Papers().Get(ctx, id)
	if err != nil {
		return nil
	}
	current := map[string]string{"location.cabinet": "", "location.shelf": "", "location.box": ""}
	if p.Location != nil {
		current = map[string]string{"location.cabinet": p.Location.Cabinet, "location.shelf": p.Location.Shelf,
			"location.box": p.Location.Box}
	}
	return ifStale(sent, p.Version, current)
}

// lendPaper records a loan of the paper original.
func (w *Web) lendPaper(c *fiber.Ctx, r *Request) error {
	id, err := w.paperChange(c)
	if err != nil {
		return err
	}
	typed := typedValues(c, lendFields)
	req := visitarchive.LoanRequest{BorrowerUser: visitarchive.UserName(typed["borrower_user"]), Borrower: typed["borrower"],
		Purpose: typed["purpose"]}
	due, ok := dueDay(typed["due_at"], w.archive.Location())
	if !ok {
		c.Status(fiber.StatusUnprocessableEntity)
		st := formState{Errors: map[string]string{"due_at": r.T("Enter a date such as 2026-03-01.")}}
		return w.renderPaper(c, r, "lend", typed, st)
	}
	req.DueAt = due
	if _, err = w.archive.Papers().Lend(c.UserContext(), id, req); err == nil {
		w.flash(c, flashPaperLent)
		return redirect(c, "/paper/"+string(id))
	}
	st, err := refused(c, r, err, nil, nil)
	if err != nil {
		return err
	}
	return w.renderPaper(c, r, "lend", typed, st)
}

// dueDay reads the date input of a loan's due day (YYYY-MM-DD): due at
// the end of that day where the company is; an empty one is the zero
// time, which the Archive says is required; false for another value.
func dueDay(v string, loc *time.Location) (time.Time, bool) {
	if v == "" {
		return time.Time{}, true
	}
	d, err := time.ParseInLocation(dayLayout, v, loc)
	return d.AddDate(0, 0, 1).Add(-time.Minute), err == nil
}

// returnPaper records that the paper original is back from the loan of
// the path.
func (w *Web) returnPaper(c *fiber.Ctx, r *Request) error {
	id, err := w.paperChange(c)
	if err != nil {
		return err
	}
	typed := typedValues(c, returnFields)
	req := visitarchive.ReturnRequest{ReceivedBy: typed["received_by"], Note: typed["note"]}
	_, err = w.archive.Papers().Return(c.UserContext(), id, c.Params("loan"), req)
	if err == nil {
		w.flash(c, flashPaperReturned)
		return redirect(c, "/paper/"+string(id))
	}
	st, err := refused(c, r, err, nil, nil)
	if err != nil {
		return err
	}
	return w.renderPaper(c, r, "return", typed, st)
}

// paperChange checks, before the form is read, that the caller may change
// the paper original of the record of the path (Papers.MayChange: 404,
// 403, or 409 for a record not archived), and returns the record.
func (w *Web) paperChange(c *fiber.Ctx) (visitarchive.RecordID, error) {
	id, err := recordParam(c)
	if err != nil {
		return "", err
	}
	return id, w.archive.Papers().MayChange(c.UserContext(), id)
}

// paperListView is the content of the listing of paper originals.
type paperListView struct {
	Filters []field
	Entries []visitarchive.PaperEntry
	Total   int
	Pager   Pager
	Tabs    []tab
}

// paperPageSize is how many originals or loans a page lists.
const paperPageSize = 25

// paperList lists the paper originals where the filters say they are.
func (w *Web) paperList(c *fiber.Ctx, r *Request) error {
	if err := w.mayDo(c, visitarchive.PermRead, paperResource); err != nil {
		return err
	}
	form := map[string]string{}
	for _, n := range []string{"cabinet", "shelf", "box"} {
		form[n] = strings.TrimSpace(c.Query(n))
	}
	f := visitarchive.PaperFilter{Cabinet: form["cabinet"], Shelf: form["shelf"], Box: form["box"],
		Page: pageNumber(c), Size: paperPageSize}
	page, err := w.archive.Papers().List(c.UserContext(), f)
	if err != nil {
		return err
	}
	v := paperListView{Filters: filterFields(r, form, nil, "cabinet", "shelf", "box"), Entries: page.Records,
		Total: page.Total, Pager: newPager(c, f.Page, f.Size, page.Total), Tabs: paperTabs(r, "/paper")}
	return w.render(c, r, "paper-list", msg("Paper originals"), v)
}

// paperTabs are the links between the listing and the loans.
func paperTabs(r *Request, current string) []tab {
	out := []tab{}
	for _, t := range []struct{ label, url string }{
		{msg("Where they are"), "/paper"}, {msg("On loan"), "/paper/loans"}, {msg("Overdue"), "/paper/loans?overdue=true"},
	} {
		out = append(out, tab{Label: r.T(t.label), URL: t.url, Current: t.url == current})
	}
	return out
}

// loansView is the content of the list of loans.
type loansView struct {
	Loans   []visitarchive.LoanEntry
	Total   int
	Overdue bool // only the overdue ones
	Pager   Pager
	Tabs    []tab
}

// loans lists the loans out now, soonest due first, or only the overdue.
func (w *Web) loans(c *fiber.Ctx, r *Request) error {
	if err := w.mayDo(c, visitarchive.PermRead, paperResource); err != nil {
		return err
	}
	overdue := c.Query("overdue") == "true"
	list, err := w.archive.Papers().Loans(c.UserContext(), overdue)
	if err != nil {
		return err
	}
	page := pageNumber(c)
	current := "/paper/loans"
	if overdue {
		current += "?overdue=true"
	}
	v := loansView{Loans: pageOf(list.Loans, page, paperPageSize), Total: list.Total, Overdue: overdue,
		Pager: newPager(c, page, paperPageSize, list.Total), Tabs: paperTabs(r, current)}
	return w.render(c, r, "paper-loans", msg("Paper originals on loan"), v)
}

package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// Retention and disposition (保管与销毁): the appraisal lists (/retention,
// by state) and the page of one list (/retention/{id}) with its entries
// and, for whoever the policy allows, the forms to confirm it as a
// witness (监销人) and to execute it; the destructions with their
// registers (/destructions); the legal holds (/holds), read only. The
// policy decides who reads what (KindAppraisal, KindDestruction,
// KindHold), and every form asks the Archive again.

func init() {
	addLabels(nil, retentionValueLabels)
	for k, v := range retentionFlashes {
		flashes[k] = v
	}
}

// The resources the pages list, as the policy sees them.
var (
	appraisalResource   = visitarchive.Resource{Kind: visitarchive.KindAppraisal}
	destructionResource = visitarchive.Resource{Kind: visitarchive.KindDestruction}
	holdResource        = visitarchive.Resource{Kind: visitarchive.KindHold}
)

// retentionValueLabels name the states of an appraisal list, the
// decisions on its entries and the scopes of a hold.
var retentionValueLabels = map[string]map[string]string{
	"appraisal_state": {
		string(visitarchive.AppraisalDraft): msg("Draft"), string(visitarchive.AppraisalSubmitted): msg("Submitted"),
		string(visitarchive.AppraisalApproved): msg("Approved"), string(visitarchive.AppraisalRejected): msg("Rejected"),
		string(visitarchive.AppraisalExecuted): msg("Executed"),
	},
	"entry_decision": {
		visitarchive.DecisionDestroy: msg("Destroy"), visitarchive.DecisionKeep: msg("Keep"),
	},
	"hold_scope": {
		string(visitarchive.HoldRecord): msg("A record"), string(visitarchive.HoldCustomer): msg("A customer's records"),
		string(visitarchive.HoldQuery): msg("The records of a search"),
	},
}

// The notices after a move of a list.
const (
	flashAppraisalWitnessed = "appraisal-witnessed"
	flashAppraisalExecuted  = "appraisal-executed"
)

var retentionFlashes = map[string]string{
	flashAppraisalWitnessed: msg("You have confirmed the list as a witness."),
	flashAppraisalExecuted:  msg("The list has been executed."),
}

// appraisalStates are the tabs of the list of lists, in order.
var appraisalStates = []visitarchive.AppraisalState{visitarchive.AppraisalDraft, visitarchive.AppraisalSubmitted,
	visitarchive.AppraisalApproved, visitarchive.AppraisalRejected, visitarchive.AppraisalExecuted}

// appraisalRow is a list as the lists' page shows it.
type appraisalRow struct {
	*visitarchive.Appraisal
	URL     string
	State   string // in words
	Class   string // in words
	Entries int
}

func appraisalRowOf(r *Request, l *visitarchive.Appraisal) appraisalRow {
	class := Value(r.Lang, "customer_type", l.Class.CustomerType)
	if l.Class.BusinessArea != "" {
		class += " · " + l.Class.BusinessArea
	}
	class += " · " + strconv.Itoa(l.Class.Year)
	return appraisalRow{Appraisal: l, URL: "/retention/" + string(l.ID),
		State: Value(r.Lang, "appraisal_state", string(l.State)), Class: class, Entries: len(l.Entries)}
}

// appraisalListView is the content of the lists' page.
type appraisalListView struct {
	Tabs  []tab
	Lists []appraisalRow
}

// appraisals lists the appraisal lists, all or those in the state the
// query names.
func (w *Web) appraisals(c *fiber.Ctx, r *Request) error {
	if err := w.mayDo(c, visitarchive.PermRead, appraisalResource); err != nil {
		return err
	}
	state := c.Query("state")
	ls, err := w.archive.Disposition().Appraisals(c.UserContext(), visitarchive.AppraisalState(state))
	if err != nil {
		return err
	}
	v := appraisalListView{}
	v.Tabs = append(v.Tabs, tab{Label: r.T("All"), URL: "/retention", Current: state == ""})
	for _, s := range appraisalStates {
		v.Tabs = append(v.Tabs, tab{Label: Value(r.Lang, "appraisal_state", string(s)),
			URL: "/retention?state=" + string(s), Current: string(s) == state})
	}
	for _, l := range ls {
		v.Lists = append(v.Lists, appraisalRowOf(r, l))
	}
	return w.render(c, r, "appraisals", msg("Retention and disposition"), v)
}

// entryRow is an entry of a list as its page shows it.
type entryRow struct {
	visitarchive.AppraisalEntry
	Retention string
	Decision  string
}

// appraisalView is the content of the page of a list.
type appraisalView struct {
	appraisalRow
	Rows       []entryRow
	Witnessed  []visitarchive.WitnessConfirmation
	MayWitness bool
	MayExecute bool
	Form       formState
}

// appraisalParam is the list the path names.
func appraisalParam(c *fiber.Ctx) (visitarchive.AppraisalID, error) {
	id := c.Params("id")
	if !visitarchive.ValidID(id) {
		return "", visitarchive.E("web", visitarchive.NotFound, nil, "no such %s", visitarchive.Word(visitarchive.KindAppraisal))
	}
	return visitarchive.AppraisalID(id), nil
}

func (w *Web) appraisal(c *fiber.Ctx, r *Request) error {
	return w.renderAppraisal(c, r, formState{})
}

// renderAppraisal renders the page of the list of the path, with st
// above its forms.
func (w *Web) renderAppraisal(c *fiber.Ctx, r *Request, st formState) error {
	id, err := appraisalParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	l, err := w.archive.Disposition().Appraisal(ctx, id)
	if err != nil {
		return err
	}
	v := appraisalView{appraisalRow: appraisalRowOf(r, l), Witnessed: l.Witnesses, Form: st}
	for _, e := range l.Entries {
		v.Rows = append(v.Rows, entryRow{AppraisalEntry: e, Retention: Value(r.Lang, "retention", string(e.Retention)),
			Decision: Value(r.Lang, "entry_decision", e.Decision)})
	}
	if l.State == visitarchive.AppraisalApproved {
		v.MayWitness = w.archive.Allowed(ctx, visitarchive.PermWitness, appraisalResource)
		v.MayExecute = w.archive.Allowed(ctx, visitarchive.PermExecute, appraisalResource)
	}
	return w.render(c, r, "appraisal", msg("Appraisal list"), v)
}

// witnessAppraisal confirms the list of the path as the caller, a witness.
func (w *Web) witnessAppraisal(c *fiber.Ctx, r *Request) error {
	return w.moveAppraisal(c, r, flashAppraisalWitnessed, func(id visitarchive.AppraisalID, version int) error {
		_, err := w.archive.Disposition().Witness(c.UserContext(), id, version)
		return err
	})
}

// executeAppraisal executes the list of the path.
func (w *Web) executeAppraisal(c *fiber.Ctx, r *Request) error {
	return w.moveAppraisal(c, r, flashAppraisalExecuted, func(id visitarchive.AppraisalID, version int) error {
		_, err := w.archive.Disposition().Execute(c.UserContext(), id, version)
		return err
	})
}

// moveAppraisal runs move on the list of the path at the form's version:
// done, back to the list's page with flash; refused, the page again
// saying why in the reader's language.
func (w *Web) moveAppraisal(c *fiber.Ctx, r *Request, flash string, move func(visitarchive.AppraisalID, int) error) error {
	id, err := appraisalParam(c)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	if err = move(id, version); err == nil {
		w.flash(c, flash)
		return redirect(c, "/retention/"+string(id))
	}
	st, err := refused(c, r, err, nil, nil)
	if err != nil {
		return err
	}
	return w.renderAppraisal(c, r, st)
}

// destructionRow is a destruction as its page lists it.
type destructionRow struct {
	visitarchive.DestructionSummary
	ListURL  string // the appraisal list it executed, if any
	Register string // the register as a page, once it ended
	XLSX     string // and as a spreadsheet
}

// destructionsView is the content of the destructions' page.
type destructionsView struct {
	Destructions []destructionRow
}

// destructions lists the destructions, the latest first, with links to
// their registers (the API's, as a page and as a spreadsheet).
func (w *Web) destructions(c *fiber.Ctx, r *Request) error {
	if err := w.mayDo(c, visitarchive.PermRead, destructionResource); err != nil {
		return err
	}
	ds, err := w.archive.Destructions(c.UserContext())
	if err != nil {
		return err
	}
	v := destructionsView{}
	for i := len(ds) - 1; i >= 0; i-- {
		d := destructionRow{DestructionSummary: ds[i]}
		if d.List != "" {
			d.ListURL = "/retention/" + d.List
		}
		if d.Done {
			reg := "/api/v1/destructions/" + d.ID + "/register"
			d.Register, d.XLSX = reg+"?format=html", reg+"?format=xlsx"
		}
		v.Destructions = append(v.Destructions, d)
	}
	return w.render(c, r, "destructions", msg("Destructions"), v)
}

// holdRow is a legal hold as its page lists it.
type holdRow struct {
	*visitarchive.Hold
	Scope  string // in words
	Covers string // what it covers
}

// holdsView is the content of the holds' page.
type holdsView struct {
	Tabs  []tab
	Holds []holdRow
}

// holds lists the legal holds: those in force, or all with ?all=1. It
// changes none: holds are placed and released through the API.
func (w *Web) holds(c *fiber.Ctx, r *Request) error {
	if err := w.mayDo(c, visitarchive.PermRead, holdResource); err != nil {
		return err
	}
	all := c.Query("all") != ""
	hs, err := w.archive.Disposition().Holds(c.UserContext(), !all)
	if err != nil {
		return err
	}
	v := holdsView{Tabs: []tab{{Label: r.T("In force"), URL: "/holds", Current: !all},
		{Label: r.T("All"), URL: "/holds?all=1", Current: all}}}
	for _, h := range hs {
		row := holdRow{Hold: h, Scope: Value(r.Lang, "hold_scope", string(h.Scope))}
		switch h.Scope {
		case visitarchive.HoldRecord:
			row.Covers = string(h.Record)
		case visitarchive.HoldCustomer:
			row.Covers = string(h.Customer)
		case visitarchive.HoldQuery:
			row.Covers = r.Tf("%d records", len(h.Matched))
		}
		v.Holds = append(v.Holds, row)
	}
	return w.render(c, r, "holds", msg("Legal holds"), v)
}

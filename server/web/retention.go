package web

import (
	"cmp"
	"context"
	"maps"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// Retention and disposition (保管与销毁): the appraisal lists (/retention,
// by state, with the retention pass to run now) and the page of one list
// (/retention/{id}) with its entries and the forms of its state, for
// whoever the policy allows (retention_forms.go): the archivist decides
// a draft's entries and submits it, a manager approves, rejects or
// strikes entries of a submitted one, two witnesses (监销人) confirm an
// approved one, which is then executed; an executed list says beside
// each entry a hold kept from destruction why. The destructions link
// their registers (/destructions); the legal holds are placed and
// released on their page (/holds, retention_holds.go). The policy
// decides who reads what (KindAppraisal, KindDestruction, KindHold), and
// every form asks the Archive again: what it refuses comes back beside
// the form.

func init() {
	addLabels(retentionFieldLabels, retentionValueLabels)
	maps.Copy(flashes, retentionFlashes)
	maps.Copy(flashes, retentionFormFlashes)
}

// The resources the pages list, as the policy sees them.
var (
	appraisalResource   = visitarchive.Resource{Kind: visitarchive.KindAppraisal}
	destructionResource = visitarchive.Resource{Kind: visitarchive.KindDestruction}
	holdResource        = visitarchive.Resource{Kind: visitarchive.KindHold}
)

// retentionFieldLabels are the labels of the fields of the forms of
// retention, by the names the Archive gives them in its messages.
var retentionFieldLabels = map[string]string{
	"decisions":      msg("Entry"),
	"keep_for":       msg("New retention period"),
	"reject_reason":  msg("Reason for rejecting it"),
	"strike_reason":  msg("Reason for striking them"),
	"strike_records": msg("The entries to strike off"),
	"release_reason": msg("Reason for releasing it"),
	"scope":          msg("What it covers"),
	"query":          msg("Search"),
	"retain_until":   msg("Retained until"),
}

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
	// MayRun says the caller may run the appraisal pass now.
	MayRun bool
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
	v := appraisalListView{MayRun: w.archive.Allowed(c.UserContext(), visitarchive.PermCreate, appraisalResource)}
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

// entryRow is an entry of a list as its page shows it, with the inputs
// of the decision on it when the caller may decide it now.
type entryRow struct {
	visitarchive.AppraisalEntry
	Index     int
	Retention string
	Decision  string
	DecideIn  choice // decisions[i].decision
	KeepIn    choice // decisions[i].keep_for: the periods longer than its own
	ReasonIn  field  // decisions[i].reason
	// Skipped says, on an executed list, why the entry to destroy was
	// not: a legal hold, and those that cover it now.
	Skipped string
}

// appraisalView is the content of the page of a list: its entries, and
// the forms the caller may send now, each with what came back of it.
type appraisalView struct {
	appraisalRow
	Rows       []entryRow
	Witnessed  []visitarchive.WitnessConfirmation
	MayDecide  bool // draft: decide and submit
	MayReview  bool // submitted: approve, reject, strike
	MayWitness bool
	MayExecute bool
	Held       int // executed: the entries to destroy a hold kept
	Moves      []listMoveButton
	Form       formState // the moves without fields
	Decide     formState
	Reject     field
	RejectForm formState
	Strike     choice // the entries to strike
	StrikeWhy  field
	StrikeForm formState
}

// appraisalParam is the list the path names.
func appraisalParam(c *fiber.Ctx) (visitarchive.AppraisalID, error) {
	id := c.Params("id")
	if !visitarchive.ValidID(id) {
		return "", visitarchive.E("web", visitarchive.NotFound, nil, "no such %s", visitarchive.Word(visitarchive.KindAppraisal))
	}
	return visitarchive.AppraisalID(id), nil
}

// appraisalOfPath is the list the path names, as the caller may read it.
func (w *Web) appraisalOfPath(c *fiber.Ctx) (*visitarchive.Appraisal, error) {
	id, err := appraisalParam(c)
	if err != nil {
		return nil, err
	}
	return w.archive.Disposition().Appraisal(c.UserContext(), id)
}

func (w *Web) appraisal(c *fiber.Ctx, r *Request) error {
	return w.renderAppraisal(c, r, formMove, nil, formState{})
}

// renderAppraisal renders the page of the list of the path; the form
// named form shows typed and st.
func (w *Web) renderAppraisal(c *fiber.Ctx, r *Request, form string, typed map[string]string, st formState) error {
	l, err := w.appraisalOfPath(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	v := appraisalView{appraisalRow: appraisalRowOf(r, l), Witnessed: l.Witnesses}
	v.mayMove(w.archive.Allowed, ctx, l.State)
	v.Moves = v.moveButtons(r)
	if typed == nil {
		typed = decisionInputs(l)
	}
	for i, e := range l.Entries {
		v.Rows = append(v.Rows, entryRowOf(r, i, e, typed, st.Errors))
	}
	if l.State == visitarchive.AppraisalExecuted {
		v.Held = w.skippedRows(ctx, r, v.Rows)
	}
	v.Strike = strikeChoice(r, l, typed, st.Errors)
	v.Reject = reasonField(r, "reject_reason", typed, st.Errors)
	v.StrikeWhy = reasonField(r, "strike_reason", typed, st.Errors)
	switch { // beside its form, or above them all when the page does not offer it
	case form == formDecide && v.MayDecide:
		v.Decide = st
	case form == formReject && v.MayReview:
		v.RejectForm = st
	case form == formStrike && v.MayReview:
		v.StrikeForm = st
	default:
		v.Form = st
	}
	return w.render(c, r, "appraisal", msg("Appraisal list"), v)
}

// listMoveButton is the button of a move without fields: the form posts
// to the list's URL and Action.
type listMoveButton struct{ Action, Label string }

// moveButtons are the buttons of the moves v allows, in the order of the
// list's life.
func (v *appraisalView) moveButtons(r *Request) []listMoveButton {
	var out []listMoveButton
	for _, m := range []struct {
		ok            bool
		action, label string
	}{
		{v.MayDecide, "submit", msg("Submit for approval")}, {v.MayReview, "approve", msg("Approve the list")},
		{v.MayWitness, "witness", msg("Confirm as a witness")}, {v.MayExecute, "execute", msg("Execute the list")},
	} {
		if m.ok {
			out = append(out, listMoveButton{Action: m.action, Label: r.T(m.label)})
		}
	}
	return out
}

// mayMove sets which forms of a list in state s the caller may send, as
// allowed says; the Archive still asks for each (the compiler of a list
// sees the approval, and is told why it is not theirs).
func (v *appraisalView) mayMove(allowed func(context.Context, visitarchive.Permission, visitarchive.Resource) bool,
	ctx context.Context, s visitarchive.AppraisalState) {
	switch s {
	case visitarchive.AppraisalDraft:
		v.MayDecide = allowed(ctx, visitarchive.PermUpdate, appraisalResource)
	case visitarchive.AppraisalSubmitted:
		v.MayReview = allowed(ctx, visitarchive.PermReview, appraisalResource)
	case visitarchive.AppraisalApproved:
		v.MayWitness = allowed(ctx, visitarchive.PermWitness, appraisalResource)
		v.MayExecute = allowed(ctx, visitarchive.PermExecute, appraisalResource)
	}
}

// decisionInputs are the decisions of l as the inputs of its form hold
// them.
func decisionInputs(l *visitarchive.Appraisal) map[string]string {
	out := map[string]string{}
	for i, e := range l.Entries {
		out[decisionName(i, "decision")] = e.Decision
		out[decisionName(i, "keep_for")] = string(e.KeepFor)
		out[decisionName(i, "reason")] = e.Reason
	}
	return out
}

// entryRowOf is entry i of a list, e, with the inputs of its decision
// holding typed and the messages errs.
func entryRowOf(r *Request, i int, e visitarchive.AppraisalEntry, typed, errs map[string]string) entryRow {
	row := entryRow{AppraisalEntry: e, Index: i, Retention: Value(r.Lang, "retention", string(e.Retention)),
		Decision: Value(r.Lang, "entry_decision", e.Decision)}
	name := decisionName(i, "decision")
	row.DecideIn = choice{field: newField(r, name, "select", typed[name], errs),
		Options: []selectOption{{Value: "", Label: r.T("Not decided"), Selected: typed[name] == ""}}}
	for _, d := range []string{visitarchive.DecisionDestroy, visitarchive.DecisionKeep} {
		row.DecideIn.Options = append(row.DecideIn.Options, selectOption{Value: d, Label: Value(r.Lang, "entry_decision", d),
			Selected: typed[name] == d})
	}
	name = decisionName(i, "keep_for")
	row.KeepIn = choice{field: newField(r, name, "select", typed[name], errs),
		Options: []selectOption{{Value: "", Label: "—", Selected: typed[name] == ""}}}
	for _, p := range longerPeriods(e.Retention) {
		row.KeepIn.Options = append(row.KeepIn.Options, selectOption{Value: string(p),
			Label: Value(r.Lang, "retention", string(p)), Selected: typed[name] == string(p)})
	}
	row.KeepIn.Hint = r.T("To keep it: the new period.")
	row.ReasonIn = newField(r, decisionName(i, "reason"), "text", typed[decisionName(i, "reason")], errs)
	row.ReasonIn.Hint, row.ReasonIn.Max = r.T("Required to keep it."), 2000
	// The entry's fieldset names it: its inputs' labels need not.
	row.DecideIn.Label, row.KeepIn.Label, row.ReasonIn.Label = Label(r.Lang, "decision"), Label(r.Lang, "keep_for"), Label(r.Lang, "reason")
	return row
}

// periods are the retention periods of the schedule, shortest first.
var periods = []visitarchive.Retention{visitarchive.RetainD10, visitarchive.RetainD30, visitarchive.RetainPermanent}

// longerPeriods are the periods longer than p, which keeping an entry
// of period p may give it.
func longerPeriods(p visitarchive.Retention) []visitarchive.Retention {
	for i, q := range periods {
		if q == p {
			return periods[i+1:]
		}
	}
	return periods
}

// strikeChoice is the checkboxes of the entries of l to strike, those
// typed checked.
func strikeChoice(r *Request, l *visitarchive.Appraisal, typed, errs map[string]string) choice {
	ch := choice{field: newField(r, "strike_records", "checkbox", "", errs)}
	ch.Name, ch.Label = "records", r.T("The entries to strike off")
	for _, e := range l.Entries {
		if e.Struck {
			continue
		}
		ch.Options = append(ch.Options, selectOption{Value: string(e.Record),
			Label:    cmp.Or(e.ReferenceCode, string(e.Record)) + " · " + e.CustomerName + " · " + e.Topic,
			Selected: typed["records:"+string(e.Record)] != ""})
	}
	return ch
}

// reasonField is the reason of a move, required.
func reasonField(r *Request, name string, typed, errs map[string]string) field {
	f := newField(r, name, "textarea", typed[name], errs)
	f.Required, f.Max = true, 2000
	return f
}

// skippedRows says beside each entry of an executed list that was to be
// destroyed and was not (its record is still there) that a legal hold
// kept it, and which holds cover it now.
// It returns how many it marks.
func (w *Web) skippedRows(ctx context.Context, r *Request, rows []entryRow) int {
	d, n := w.archive.Disposition(), 0
	for i, e := range rows {
		if e.Struck || e.AppraisalEntry.Decision != visitarchive.DecisionDestroy {
			continue
		}
		hs, err := d.HeldBy(ctx, e.Record)
		if err != nil { // destroyed, as the list said
			continue
		}
		why := r.T("Not destroyed: it was under a legal hold when the list was executed; it goes on a later list once released.")
		for _, h := range hs {
			why += " " + r.Tf("Hold %s (%s): %s", string(h.ID), string(h.PlacedBy), h.Reason)
		}
		rows[i].Skipped = why
		n++
	}
	return n
}

// witnessAppraisal confirms the list of the path as the caller, a witness.
func (w *Web) witnessAppraisal(c *fiber.Ctx, r *Request) error {
	return w.moveAppraisal(c, r, formMove, flashAppraisalWitnessed, nil, discard(w.archive.Disposition().Witness))
}

// executeAppraisal executes the list of the path.
func (w *Web) executeAppraisal(c *fiber.Ctx, r *Request) error {
	return w.moveAppraisal(c, r, formMove, flashAppraisalExecuted, nil, discard(w.archive.Disposition().Execute))
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

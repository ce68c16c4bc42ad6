package web

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// Visit plans (拜访计划): the employee's list of their plans, the plan
// form (a new plan, a draft edited, an approved plan changed with a
// reason), and the plan page, where the planner submits or cancels it
// and its decider approves (with adjustments, or escalating it to
// management) or rejects it (review.go). Every move asks the Archive
// first (MayWrite), as the API does: whoever may not make it is refused
// whatever the form holds.

// listPageSize is how many plans or records a list shows a page.
const listPageSize = 20

// planFormNames are the fields of the plan form.
var planFormNames = []string{"customer_id", "visit_start", "visit_end", "location", "purpose", "topics",
	"visitors", "major", "change_reason"}

// planListView is the content of a list of plans: the employee's, those
// waiting for the supervisor's decision, those missing their record.
type planListView struct {
	Heading, Intro string
	Tabs           []tabLink
	Plans          []planItem
	Total          int
	AfterTheFact   int
	Pager          Pager
	Empty          string
	New            bool // offer a new plan
	FileRecord     bool // offer to file the record of each plan
	Due            bool // the plans lack their record: show its deadline
}

// planItem is a plan in a list.
type planItem struct {
	*visitarchive.Plan
	Link, Dept string
	Due        time.Time // when its record must be submitted (lists of plans without one)
	Overdue    bool      // Due has passed
}

// tabLink is a tab of a list: a filter, or a list beside it.
type tabLink struct {
	Label, URL string
	Current    bool
}

// tabs are the tabs of labels (English keys) and their URLs, the one at
// current marked.
func tabs(r *Request, current string, pairs ...string) []tabLink {
	var out []tabLink
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, tabLink{Label: r.T(pairs[i]), URL: pairs[i+1], Current: pairs[i+1] == current})
	}
	return out
}

// myPlanTabs are the filters of the employee's plans: the parameter show.
var myPlanTabs = []string{
	msg("All"), "/plans",
	msg("Drafts"), "/plans?show=draft",
	msg("Submitted"), "/plans?show=submitted",
	msg("Approved"), "/plans?show=approved",
	msg("Without a record"), "/plans?show=missing",
	msg("Rejected"), "/plans?show=rejected",
	msg("Cancelled"), "/plans?show=cancelled",
}

func (w *Web) myPlans(c *fiber.Ctx, r *Request) error {
	if err := w.mayUse(c, visitarchive.PermCreate, visitarchive.KindPlan); err != nil {
		return err
	}
	q := visitarchive.PlanQuery{Page: pageNumber(c), Size: listPageSize}
	show := c.Query("show")
	switch show {
	case "missing":
		q.MissingRecord = true
	case "draft", "submitted", "approved", "rejected", "cancelled":
		q.Status = show
	default:
		show = ""
	}
	current := "/plans"
	if show != "" {
		current += "?show=" + show
	}
	v := planListView{Heading: r.T("My visit plans"), New: true, Tabs: tabs(r, current, myPlanTabs...),
		Intro: r.T("The plans you made or take part in. A plan is submitted to your supervisor; once approved, marketing and customer service see it."),
		Empty: r.T("No plans here."), FileRecord: show == "missing", Due: show == "missing"}
	return w.renderPlans(c, r, q, v)
}

// renderPlans lists the plans of q in v.
func (w *Web) renderPlans(c *fiber.Ctx, r *Request, q visitarchive.PlanQuery, v planListView) error {
	ctx := c.UserContext()
	page, err := w.archive.ListPlans(ctx, q)
	if err != nil {
		return err
	}
	depts, now := w.departmentNames(ctx), w.archive.Now()
	v.Total, v.AfterTheFact = page.Total, page.AfterTheFact
	v.Pager = newPager(c, q.Page, q.Size, page.Total)
	for _, p := range page.Plans {
		it := planItem{Plan: p, Link: objectLink(visitarchive.KindPlan, string(p.ID)), Dept: departmentName(depts, p.Department)}
		if v.Due {
			it.Due = w.archive.RecordDue(p.VisitEnd)
			it.Overdue = !it.Due.IsZero() && now.After(it.Due)
		}
		v.Plans = append(v.Plans, it)
	}
	return w.render(c, r, "plans", v.Heading, v)
}

// planView is the content of the plan page.
type planView struct {
	P       *visitarchive.Plan
	Fields  []shownField
	Pending []shownField // the change waiting beside the approved plan, its changed fields marked
	History []visitarchive.VersionInfo
	May     planMoves
	Error   string // a move that could not be made, such as a conflict

	Decide   decideForm
	Cancel   string // the reason typed
	CancelBy problems
}

// planMoves are what the caller may do with the plan now.
type planMoves struct {
	Edit, Submit, Cancel, Decide, FileRecord bool
	Change                                   bool // edit an approved plan: a change to decide
	Major                                    bool // the decision is management's
}

// decideForm is the decision form of the plan page: the adjustments
// (time and place), escalation, the comment.
type decideForm struct {
	Fields   []formField
	Comment  string
	Escalate bool
	Problems problems
}

func (w *Web) plan(c *fiber.Ctx, r *Request) error {
	id, err := planParam(c)
	if err != nil {
		return err
	}
	return w.renderPlan(c, r, id, planView{})
}

// planParam is the plan id of the path.
func planParam(c *fiber.Ctx) (visitarchive.PlanID, error) {
	id := c.Params("id")
	if !visitarchive.ValidID(id) {
		return "", fiber.ErrNotFound
	}
	return visitarchive.PlanID(id), nil
}

// renderPlan renders the plan page of plan id, as it is now, with what v
// holds of a move that failed.
func (w *Web) renderPlan(c *fiber.Ctx, r *Request, id visitarchive.PlanID, v planView) error {
	ctx := c.UserContext()
	p, err := w.archive.GetPlan(ctx, id)
	if err != nil {
		return err
	}
	if v.History, err = w.archive.PlanHistory(ctx, id); err != nil {
		return err
	}
	v.P, v.May = p, w.planMoves(ctx, p)
	v.Fields = w.planFieldViews(ctx, r, p, nil)
	if p.Pending != nil {
		v.Pending = w.planFieldViews(ctx, r, p.Pending, p)
	}
	if v.May.Decide {
		v.Decide = w.decideFields(r, p, v.Decide)
	}
	return w.render(c, r, "plan", msg("Visit plan"), v)
}

// planMoves asks the Archive which moves the caller may make on p now.
func (w *Web) planMoves(ctx context.Context, p *visitarchive.Plan) planMoves {
	may := func(move string) bool {
		return w.archive.MayWrite(ctx, visitarchive.KindPlan, string(p.ID), move) == nil
	}
	m := planMoves{Edit: may("update"), Submit: may("submit"), Cancel: may("cancel"), Decide: may("approve")}
	m.Change = m.Edit && p.Status == visitarchive.StatusApproved
	m.Major = p.Major || p.Pending != nil && p.Pending.Major
	m.FileRecord = p.Status == visitarchive.StatusApproved && w.archive.MayEver(ctx, visitarchive.PermCreate, visitarchive.KindRecord)
	return m
}

// planFields are the fields of the plan page, in order.
var planFields = []string{"customer_name", "visit_time", "location", "purpose", "topics", "visitors", "department",
	"major", "after_the_fact", "change_reason"}

// shownField is a field of a plan as its page shows it.
type shownField struct {
	Name, Label, Value string
	Long               bool // free text: shown as paragraphs
	Changed            bool // a pending change changes it
}

// planFieldViews are the fields of plan p as the page shows them; with
// was, those that differ from was are marked (a pending change).
func (w *Web) planFieldViews(ctx context.Context, r *Request, p, was *visitarchive.Plan) []shownField {
	values := w.planValues(ctx, r, p)
	var old map[string]string
	if was != nil {
		old = w.planValues(ctx, r, was)
	}
	var out []shownField
	for _, f := range planFields {
		fv := shownField{Name: f, Label: Label(r.Lang, f), Value: values[f], Long: f == "purpose" || f == "change_reason"}
		if old != nil {
			fv.Changed = old[f] != values[f]
		}
		out = append(out, fv)
	}
	return out
}

// planValues are the values of p's fields as the page shows them.
func (w *Web) planValues(ctx context.Context, r *Request, p *visitarchive.Plan) map[string]string {
	loc := w.archive.Location()
	yes := func(b bool) string {
		if b {
			return r.T("Yes")
		}
		return r.T("No")
	}
	return map[string]string{
		"customer_name": p.CustomerName, "location": p.Location, "purpose": p.Purpose,
		"visit_time": formatTime(r.Lang, loc, p.VisitStart, true) + " – " + formatTime(r.Lang, loc, p.VisitEnd, true),
		"topics":     strings.Join(p.Topics, r.T("; ")), "visitors": joinNames(p.Visitors),
		"department": departmentName(w.departmentNames(ctx), p.Department),
		"major":      yes(p.Major), "after_the_fact": yes(p.AfterTheFact), "change_reason": p.ChangeReason,
	}
}

func (w *Web) submitPlan(c *fiber.Ctx, r *Request) error {
	id, err := planParam(c)
	if err != nil {
		return err
	}
	if err := w.planMove(c, id, "submit"); err != nil {
		return err
	}
	_, err = w.archive.SubmitPlan(c.UserContext(), id, formVersion(c))
	if err != nil {
		return w.planMoveFailed(c, r, id, planView{}, err)
	}
	w.flash(c, flashPlanSubmitted)
	return redirect(c, "/plans/"+string(id))
}

// planMove asks the Archive whether the caller may make move on plan id
// before the form is read: NotFound and Forbidden end the request; a
// Conflict (the plan moved on meanwhile) is left to the move itself,
// which says so beside what the user sent.
func (w *Web) planMove(c *fiber.Ctx, id visitarchive.PlanID, move string) error {
	err := w.archive.MayWrite(c.UserContext(), visitarchive.KindPlan, string(id), move)
	if visitarchive.IsKind(err, visitarchive.Conflict) {
		return nil
	}
	return err
}

// planMoveFailed shows the plan page again after a move that failed:
// a conflict or invalid values say so on the page, with what was typed;
// any other error is the error page's.
func (w *Web) planMoveFailed(c *fiber.Ctx, r *Request, id visitarchive.PlanID, v planView, err error) error {
	switch {
	case visitarchive.IsKind(err, visitarchive.Conflict):
		// Said once, above the page; what was typed stays in the forms.
		c.Status(http.StatusConflict)
		v.Error = errorText(r.Lang, err)
		v.Decide.Problems, v.CancelBy = problems{}, problems{}
	case visitarchive.IsKind(err, visitarchive.Invalid):
		c.Status(http.StatusUnprocessableEntity)
	default:
		return err
	}
	return w.renderPlan(c, r, id, v)
}

func (w *Web) cancelPlan(c *fiber.Ctx, r *Request) error {
	id, err := planParam(c)
	if err != nil {
		return err
	}
	if err := w.planMove(c, id, "cancel"); err != nil {
		return err
	}
	reason := strings.TrimSpace(c.FormValue("reason"))
	if _, err := w.archive.CancelPlan(c.UserContext(), id, formVersion(c), reason); err != nil {
		v := planView{Cancel: reason, CancelBy: formProblems(r, err, nil, []string{"reason"})}
		return w.planMoveFailed(c, r, id, v, err)
	}
	w.flash(c, flashPlanCancelled)
	return redirect(c, "/plans/"+string(id))
}

// planFormView is the content of the plan form.
type planFormView struct {
	Action   string
	P        *visitarchive.Plan // the plan edited; nil for a new one
	Change   bool               // an approved plan: the change waits for a decision
	Version  int
	Fields   []formField
	Problems problems
	Conflict string // the plan was changed meanwhile: what the Archive said
	Stale    bool   // the form's input is kept over a newer version
	Editable bool   // the plan may be saved (false once it moved on)

	Customers []customerChoice
}

func (w *Web) newPlan(c *fiber.Ctx, r *Request) error {
	if err := w.archive.MayWrite(c.UserContext(), visitarchive.KindPlan, "", "create"); err != nil {
		return err
	}
	form := map[string]string{"visitors": string(r.User.Name)}
	return w.renderPlanForm(c, r, planFormView{Action: "/plans/new", Editable: true}, form, nil)
}

func (w *Web) createPlan(c *fiber.Ctx, r *Request) error {
	ctx := c.UserContext()
	if err := w.archive.MayWrite(ctx, visitarchive.KindPlan, "", "create"); err != nil {
		return err
	}
	p, form, mine := w.planFromForm(c, r)
	// A time the form could not read is zero: the Archive refuses it
	// with the other fields' problems, and mine say what to type.
	saved, err := w.archive.CreatePlan(ctx, p)
	if err != nil {
		return w.planFormFailed(c, r, "", planFormView{Action: "/plans/new", Editable: true}, form, mine, err)
	}
	return w.planSaved(c, saved)
}

func (w *Web) editPlan(c *fiber.Ctx, r *Request) error {
	id, err := planParam(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	p, err := w.archive.GetPlan(ctx, id)
	if err != nil {
		return err
	}
	if err := w.archive.MayWrite(ctx, visitarchive.KindPlan, string(id), "update"); err != nil {
		return err
	}
	v := planFormView{Action: "/plans/" + string(id) + "/edit", P: p, Version: p.Version, Change: p.Status == visitarchive.StatusApproved,
		Editable: true}
	return w.renderPlanForm(c, r, v, planForm(p, w.archive.Location()), nil)
}

func (w *Web) updatePlan(c *fiber.Ctx, r *Request) error {
	id, err := planParam(c)
	if err != nil {
		return err
	}
	if err := w.planMove(c, id, "update"); err != nil {
		return err
	}
	ctx := c.UserContext()
	p, form, mine := w.planFromForm(c, r)
	p.ID, p.Version = id, formVersion(c)
	v := planFormView{Action: "/plans/" + string(id) + "/edit", Version: p.Version, Change: c.FormValue("change") != "", Editable: true}
	saved, err := w.archive.UpdatePlan(ctx, p)
	if err != nil {
		return w.planFormFailed(c, r, id, v, form, mine, err)
	}
	return w.planSaved(c, saved)
}

// planSaved goes on after the plan form was saved as saved: submitted
// when the user asked for it, then to the plan's page.
func (w *Web) planSaved(c *fiber.Ctx, saved *visitarchive.Plan) error {
	flash := flashPlanSaved
	switch {
	case saved.Pending != nil:
		flash = flashPlanChanged
	case c.FormValue("action") == "submit" && saved.Status == visitarchive.StatusDraft:
		if _, err := w.archive.SubmitPlan(c.UserContext(), saved.ID, saved.Version); err != nil {
			return err
		}
		flash = flashPlanSubmitted
	}
	w.flash(c, flash)
	return redirect(c, "/plans/"+string(saved.ID))
}

// planFormFailed shows the plan form again with what the user typed and
// what went wrong: invalid values beside their fields (422); plan id
// changed meanwhile (409) with its current values beside the fields
// that differ, and the form then names the current version, so that
// saving again is a choice made knowing them.
func (w *Web) planFormFailed(c *fiber.Ctx, r *Request, id visitarchive.PlanID, v planFormView, form, mine map[string]string, err error) error {
	switch {
	case visitarchive.IsKind(err, visitarchive.Invalid):
		c.Status(http.StatusUnprocessableEntity)
		v.Problems = formProblems(r, err, mine, planFormNames)
		return w.renderPlanForm(c, r, v, form, nil)
	case id == "" || !visitarchive.IsKind(err, visitarchive.Conflict):
		return err
	}
	cur, gerr := w.archive.GetPlan(c.UserContext(), id)
	if gerr != nil {
		return gerr
	}
	c.Status(http.StatusConflict)
	v.Conflict = w.staleText(r, err, v.Version, cur.Audit, cur.Version)
	v.P, v.Version, v.Stale = cur, cur.Version, true
	v.Change = cur.Status == visitarchive.StatusApproved
	v.Editable = w.archive.MayWrite(c.UserContext(), visitarchive.KindPlan, string(id), "update") == nil
	return w.renderPlanForm(c, r, v, form, planForm(cur, w.archive.Location()))
}

// planFromForm reads the plan form: the plan, the values as typed, and
// the fields the form itself could not read.
func (w *Web) planFromForm(c *fiber.Ctx, r *Request) (visitarchive.Plan, map[string]string, map[string]string) {
	form := formValues(c, planFormNames...)
	p := visitarchive.Plan{CustomerID: visitarchive.CustomerID(strings.TrimSpace(form["customer_id"])),
		Location: strings.TrimSpace(form["location"]), Purpose: form["purpose"], Topics: splitLines(form["topics"]),
		Visitors: splitNames(form["visitors"]), Major: form["major"] != "", ChangeReason: strings.TrimSpace(form["change_reason"])}
	mine := readTimes(r, w.archive.Location(), form, []string{"visit_start", "visit_end"},
		[]*time.Time{&p.VisitStart, &p.VisitEnd})
	return p, form, mine
}

// planForm is plan p as the plan form shows it; a change starts without
// a reason (the last one does not count again).
func planForm(p *visitarchive.Plan, loc *time.Location) map[string]string {
	major := ""
	if p.Major {
		major = "on"
	}
	return map[string]string{"customer_id": string(p.CustomerID), "visit_start": localInput(p.VisitStart, loc),
		"visit_end": localInput(p.VisitEnd, loc), "location": p.Location, "purpose": p.Purpose,
		"topics": strings.Join(p.Topics, "\n"), "visitors": joinNames(p.Visitors), "major": major}
}

// renderPlanForm renders the plan form with form's values; current, when
// set, holds those of the version saved meanwhile.
func (w *Web) renderPlanForm(c *fiber.Ctx, r *Request, v planFormView, form, current map[string]string) error {
	var err error
	if v.Customers, _, err = w.customerChoices(c.UserContext()); err != nil {
		return err
	}
	kinds := map[string]string{"customer_id": "customer", "visit_start": "datetime", "visit_end": "datetime",
		"purpose": "textarea", "topics": "textarea", "major": "checkbox", "change_reason": "textarea"}
	required := []string{"customer_id", "visit_start", "visit_end", "location", "purpose", "visitors", "change_reason"}
	for _, name := range planFormNames {
		if name == "change_reason" && !v.Change {
			continue
		}
		f := formField{Name: name, Label: Label(r.Lang, name), Kind: cmp.Or(kinds[name], "text"), Value: form[name],
			Required: slices.Contains(required, name), Error: v.Problems.Fields[name]}
		if current != nil && current[name] != form[name] {
			f.Current = cmp.Or(current[name], "—")
		}
		f.Hint = w.formHint(r, name)
		if name == "customer_id" {
			f.Label, f.Hint = Label(r.Lang, "customer_name"), customerHint(r, v.Customers, form[name])
		}
		v.Fields = append(v.Fields, f)
	}
	title := msg("New visit plan")
	if v.Change {
		title = msg("Change the approved plan")
	} else if v.P != nil {
		title = msg("Edit the plan")
	}
	return w.render(c, r, "planform", title, v)
}

// formHint is the hint under a field of a form, "" for most.
func (w *Web) formHint(r *Request, name string) string {
	switch name {
	case "visitors":
		return r.T("User names, separated by commas.")
	case "topics":
		return r.T("One topic a line.")
	case "major":
		return r.T("A major plan is decided by management.")
	case "change_reason":
		return r.T("The change waits for a decision; the approved plan stays in force until then.")
	}
	return ""
}

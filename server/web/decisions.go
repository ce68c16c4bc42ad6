package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// Management's decisions on plans: the major plans, and those a
// supervisor escalated, that wait for the caller's decision (the
// Archive lists those its policy lets the caller decide), and the
// decision itself — approve, approve with adjustments, or reject — as
// POST /api/v1/plans/{id}/approve and /reject make it, with the
// supervisor's recommendation beside it.

// majorPlans stands for the major plans of every department, which
// managers decide.
var majorPlans = visitarchive.Resource{Kind: visitarchive.KindPlan, Status: visitarchive.StatusSubmitted, Major: true}

// majorPlansView is the content of the list of plans to decide.
type majorPlansView struct {
	Plans []planCard
	Total int
	Pager Pager
}

func (w *Web) majorPlans(c *fiber.Ctx, r *Request) error {
	if err := w.mayDo(c, visitarchive.PermReview, majorPlans); err != nil {
		return err
	}
	ctx := c.UserContext()
	q := visitarchive.PlanQuery{Undecided: true, Page: pageNumber(c), Size: plansPageSize}
	page, err := w.archive.ListPlans(ctx, q)
	if err != nil {
		return err
	}
	names := w.departmentNames(ctx)
	v := majorPlansView{Total: page.Total, Pager: newPager(c, q.Page, q.Size, page.Total)}
	for _, p := range page.Plans {
		pv := newPlanCard(p, names)
		if p.Pending != nil { // what waits is the change: show it
			pv = newPlanCard(p.Pending, names)
			pv.Escalation = newPlanCard(p, names).Escalation
		}
		v.Plans = append(v.Plans, pv)
	}
	return w.render(c, r, "major-plans", msg("Major plans to decide"), v)
}

// decideView is the content of the page of a plan to decide.
type decideView struct {
	Plan planCard
	// Change is the change of the approved plan that waits, if one does:
	// what is decided then.
	Change *planCard
	// Open says the caller may decide the plan now; when not, Closed
	// says why.
	Open    bool
	Closed  string
	Version int
	Fields  []field // the adjustments, filled with the plan as it would be
	Comment field
	formState
}

// adjustable are the fields a decider may adjust when approving, in the
// order of the form.
var adjustable = []string{"visit_start", "visit_end", "location", "purpose", "topics", "visitors"}

func (w *Web) majorPlan(c *fiber.Ctx, r *Request) error {
	p, err := w.planOfPath(c)
	if err != nil {
		return err
	}
	loc := w.archive.Location()
	return w.renderDecide(c, r, p, adjustmentValues(decidedOf(p), loc), formState{})
}

func (w *Web) decideMajorPlan(c *fiber.Ctx, r *Request) error {
	cur, err := w.planOfPath(c)
	if err != nil {
		return err
	}
	loc := w.archive.Location()
	typed := typedValues(c, append([]string{"comment"}, adjustable...))
	version, _ := strconv.Atoi(c.FormValue("version"))
	v := visitarchive.PlanVerdict{Version: version, Approve: c.FormValue("decision") == "approve", Comment: typed["comment"]}
	errs := map[string]string{}
	if v.Approve {
		v.Adjusted = adjustedPlan(r, decidedOf(cur), typed, loc, errs)
	}
	if len(errs) > 0 {
		c.Status(http.StatusUnprocessableEntity)
		return w.renderDecide(c, r, cur, typed, formState{Errors: errs})
	}
	_, err = w.archive.DecidePlan(c.UserContext(), cur.ID, v)
	if err == nil {
		w.flash(c, flashDecided)
		return redirect(c, "/major-plans")
	}
	st, err := refused(c, r, err, typed, ifStale(version, cur.Version, adjustmentValues(decidedOf(cur), loc)))
	if err != nil {
		return err
	}
	return w.renderDecide(c, r, cur, typed, st)
}

// planOfPath is the plan the path names, as the caller may read it.
func (w *Web) planOfPath(c *fiber.Ctx) (*visitarchive.Plan, error) {
	id := visitarchive.PlanID(c.Params("id"))
	if !visitarchive.ValidID(string(id)) {
		return nil, fiber.ErrNotFound
	}
	return w.archive.GetPlan(c.UserContext(), id)
}

// renderDecide renders the page of plan p with the form filled with
// typed.
func (w *Web) renderDecide(c *fiber.Ctx, r *Request, p *visitarchive.Plan, typed map[string]string, st formState) error {
	ctx := c.UserContext()
	names := w.departmentNames(ctx)
	st.Errors = groupErrors(st.Errors, "topics", "visitors") // topics[2] beside the topics
	v := decideView{Plan: newPlanCard(p, names), Version: p.Version, formState: st}
	if p.Pending != nil {
		ch := newPlanCard(p.Pending, names)
		v.Change = &ch
	}
	switch err := w.archive.MayWrite(ctx, visitarchive.KindPlan, string(p.ID), "approve"); {
	case err == nil:
		v.Open = true
	case visitarchive.IsKind(err, visitarchive.Conflict):
		v.Closed = r.T("This plan waits for no decision now.")
	default:
		v.Closed = r.T("Your roles do not decide this plan: a supervisor of its department decides ordinary plans, management major ones.")
	}
	for _, f := range adjustable {
		typ := "text"
		switch f {
		case "visit_start", "visit_end":
			typ = "datetime-local"
		case "purpose", "topics":
			typ = "textarea"
		}
		v.Fields = append(v.Fields, newField(r, f, typ, typed[f], st.Errors))
	}
	v.Fields[4].Hint = r.T("One topic a line.")
	v.Fields[5].Hint = r.T("User names, separated by commas.")
	v.Comment = newField(r, "comment", "textarea", typed["comment"], st.Errors)
	v.Comment.Hint = r.T("Required to reject or to adjust the plan: say why.")
	return w.render(c, r, "major-plan", msg("Decide a plan"), v)
}

// decidedOf is what a decision on p decides: its pending change, or p.
func decidedOf(p *visitarchive.Plan) *visitarchive.Plan {
	if p.Pending != nil {
		return p.Pending
	}
	return p
}

// adjustmentValues is the values of the adjustments' inputs for p.
func adjustmentValues(p *visitarchive.Plan, loc *time.Location) map[string]string {
	visitors := make([]string, len(p.Visitors))
	for i, u := range p.Visitors {
		visitors[i] = string(u)
	}
	return map[string]string{
		"visit_start": localMinute(p.VisitStart, loc), "visit_end": localMinute(p.VisitEnd, loc),
		"location": p.Location, "purpose": p.Purpose, "topics": strings.Join(p.Topics, "\n"),
		"visitors": strings.Join(visitors, ", "),
	}
}

// adjustedPlan is p with the adjustments typed, or nil when none of them
// changes p. Times that cannot be read go to errs.
func adjustedPlan(r *Request, p *visitarchive.Plan, typed map[string]string, loc *time.Location, errs map[string]string) *visitarchive.Plan {
	was := adjustmentValues(p, loc)
	changed := false
	for _, f := range adjustable {
		changed = changed || typed[f] != was[f]
	}
	if !changed {
		return nil
	}
	adj := *p
	for _, f := range []struct {
		name string
		to   *time.Time
	}{{"visit_start", &adj.VisitStart}, {"visit_end", &adj.VisitEnd}} {
		t, ok := parseMinute(typed[f.name], loc)
		if !ok {
			errs[f.name] = r.T("Enter a date and time.")
		}
		*f.to = t
	}
	adj.Location, adj.Purpose = typed["location"], typed["purpose"]
	adj.Topics, adj.Visitors = lines(typed["topics"]), userNames(typed["visitors"])
	return &adj
}

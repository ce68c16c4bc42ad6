package web

import (
	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// The approved plans that reach marketing and customer service (their
// inbox tells them of each): of every department, newest visit first, a
// page at a time, by department; and the plans cancelled once approved.
// The Archive lists only what the caller may read.

// releasedPlans stands for the approved plans of every department: the
// policy lets marketing, customer service, managers and auditors read
// them, not an employee or a supervisor, who read their own.
var releasedPlans = visitarchive.Resource{Kind: visitarchive.KindPlan, Status: visitarchive.StatusApproved}

// plansPageSize is how many plans a page shows.
const plansPageSize = 20

// approvedPlansView is the content of the approved plans page.
type approvedPlansView struct {
	Plans       []planCard
	Total       int
	Cancelled   bool // the cancelled ones rather than those in force
	Department  string
	Departments []*visitarchive.Department
	Tabs        []tab
	Pager       Pager
}

// planCard is a plan as the pages show it.
type planCard struct {
	*visitarchive.Plan
	DepartmentName string
	// Cancellation is the decision that cancelled the plan, if it was.
	Cancellation *visitarchive.PlanDecision
	// Escalation is the latest escalation of the plan (or of the change
	// that waits), with the supervisor's recommendation.
	Escalation *visitarchive.PlanDecision
}

// tab is a link of a row of tabs.
type tab struct {
	Label   string
	URL     string
	Current bool
}

func (w *Web) approvedPlans(c *fiber.Ctx, r *Request) error {
	if err := w.mayDo(c, visitarchive.PermRead, releasedPlans); err != nil {
		return err
	}
	ctx := c.UserContext()
	v := approvedPlansView{Cancelled: c.Query("status") == "cancelled", Department: c.Query("department")}
	q := visitarchive.PlanQuery{Status: string(visitarchive.StatusApproved), Department: visitarchive.DepartmentID(v.Department),
		Page: pageNumber(c), Size: plansPageSize}
	if v.Cancelled {
		q.Status = string(visitarchive.StatusCancelled)
	}
	page, err := w.archive.ListPlans(ctx, q)
	if err != nil {
		return err
	}
	names := w.departmentNames(ctx)
	v.Total, v.Pager = page.Total, newPager(c, q.Page, q.Size, page.Total)
	for _, p := range page.Plans {
		v.Plans = append(v.Plans, newPlanCard(p, names))
	}
	if v.Departments, err = w.archive.Accounts().ListDepartments(ctx); err != nil {
		return err
	}
	v.Tabs = []tab{
		{Label: r.T("In force"), URL: withParam(c, "status", ""), Current: !v.Cancelled},
		{Label: r.T("Cancelled"), URL: withParam(c, "status", "cancelled"), Current: v.Cancelled},
	}
	return w.render(c, r, "approved-plans", msg("Approved plans"), v)
}

// newPlanCard is p as the pages show it, its department by name.
func newPlanCard(p *visitarchive.Plan, depts map[string]string) planCard {
	v := planCard{Plan: p, DepartmentName: departmentName(depts, p.Department)}
	for i := len(p.Decisions) - 1; i >= 0; i-- {
		d := &p.Decisions[i]
		switch {
		case d.Decision == visitarchive.StatusCancelled && v.Cancellation == nil && p.Status == visitarchive.StatusCancelled:
			v.Cancellation = d
		case d.Decision == visitarchive.DecisionEscalated && v.Escalation == nil && undecidedRevision(p) == d.Revision:
			v.Escalation = d
		}
	}
	return v
}

// undecidedRevision is the revision that waits for a decision: that of
// the pending change, or of the plan; -1 when nothing waits.
func undecidedRevision(p *visitarchive.Plan) int {
	switch {
	case p.Pending != nil:
		return p.Pending.Revision
	case p.Status == visitarchive.StatusSubmitted:
		return p.Revision
	}
	return -1
}

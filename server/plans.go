package server

import (
	"context"
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/visitarchive/visitarchive"
)

// planAPI adapts the Archive's plan methods to objectAPI. Editing a draft
// and changing an approved plan (with change_reason, which waits beside
// it for approval) are both an update: the Archive tells them apart by
// the plan's state. Status, revision, decisions and the pending change
// belong to the workflow.
func (s *Server) planAPI() *objectAPI[visitarchive.Plan] {
	a := s.archive
	return &objectAPI[visitarchive.Plan]{
		archive:   a,
		what:      "plan",
		assignsID: true,
		prefix:    apiPrefix + "/plans",
		get: func(ctx context.Context, id string) (*visitarchive.Plan, error) {
			return a.GetPlan(ctx, visitarchive.PlanID(id))
		},
		create: a.CreatePlan,
		update: a.UpdatePlan,
		ident: func(p *visitarchive.Plan) (string, int) {
			return string(p.ID), p.Version
		},
		serverFields: planFields,
		manage: func(p, cur *visitarchive.Plan, id string, version int) {
			p.ID, p.Version = visitarchive.PlanID(id), version
			p.Status, p.Revision, p.Decisions, p.Pending, p.Audit = "", 0, nil, nil, visitarchive.Audit{}
			p.AfterTheFact = false
			if cur != nil {
				p.Status, p.Revision, p.Decisions, p.Pending, p.Audit = cur.Status, cur.Revision, cur.Decisions, cur.Pending, cur.Audit
				p.AfterTheFact = cur.AfterTheFact
			}
		},
	}
}

// planFields are the fields of a plan that its decisions set.
var planFields = map[string]string{
	"status":    "is changed by the decisions: POST %s/submit, /approve, /reject and /cancel",
	"revision":  "numbers the changes of an approved plan: a PUT or PATCH with a change_reason proposes one",
	"decisions": "are added by POST %s/approve, /reject and /cancel",
	"pending": "is the change waiting for a decision: a PUT or PATCH of the approved plan with a change_reason " +
		"proposes it, POST %s/approve or /reject decides it",
	"after_the_fact": "is set when the plan is submitted, or its visit moved, too late to count as made in advance",
}

// planParams are the query parameters of GET /plans.
var planParams = []string{"status", "customer", "department", "visitor", "missing_record", "after_the_fact", "page", "size"}

func (s *Server) listPlans(c *fiber.Ctx) error {
	const op = "plan.list"
	p, err := queryParams(c, op, planParams...)
	if err != nil {
		return err
	}
	var fe []visitarchive.FieldError
	q := visitarchive.PlanQuery{
		Status:        p["status"],
		CustomerID:    visitarchive.CustomerID(p["customer"]),
		Department:    visitarchive.DepartmentID(p["department"]),
		Visitor:       visitarchive.UserName(p["visitor"]),
		MissingRecord: p.flag("missing_record", &fe),
		AfterTheFact:  p["after_the_fact"],
		Page:          p.pageInt("page", &fe),
		Size:          p.pageInt("size", &fe),
	}
	if len(fe) > 0 {
		return invalid(op, "query", fe...)
	}
	page, err := s.archive.ListPlans(c.UserContext(), q)
	if err != nil {
		return err
	}
	if page.Plans == nil {
		page.Plans = []*visitarchive.Plan{}
	}
	return c.JSON(page)
}

// planHistory is the answer of GET /plans/:id/history.
type planHistory struct {
	ID       visitarchive.PlanID        `json:"id"`
	Versions []visitarchive.VersionInfo `json:"versions"`
}

func (s *Server) planHistory(c *fiber.Ctx) error {
	const op = "plan.history"
	id, err := s.plans.pathID(c, op)
	if err != nil {
		return err
	}
	if _, err := queryParams(c, op); err != nil {
		return err
	}
	versions, err := s.archive.PlanHistory(c.UserContext(), visitarchive.PlanID(id))
	if err != nil {
		return err
	}
	return c.JSON(planHistory{ID: visitarchive.PlanID(id), Versions: versions})
}

func (s *Server) submitPlan(c *fiber.Ctx) error {
	m, err := readMove[visitarchive.Plan, versionOnly](c, s.plans, "plan.submit")
	if err != nil {
		return err
	}
	p, err := s.archive.SubmitPlan(c.UserContext(), visitarchive.PlanID(m.id), m.version)
	return s.plans.answer(c, p, err)
}

// planApproval is the body of POST /plans/:id/approve. Adjust holds the
// fields the decider changes, merged onto the current plan (or its
// pending change) as a PATCH would be; adjust.major true escalates the
// plan to management instead, recommending its approval.
type planApproval struct {
	Version int                `json:"version"`
	Comment string             `json:"comment"`
	Adjust  *visitarchive.Plan `json:"adjust"`
}

func (s *Server) approvePlan(c *fiber.Ctx) error {
	const op = "plan.approve"
	m, err := readMove[visitarchive.Plan, planApproval](c, s.plans, op)
	if err != nil {
		return err
	}
	v := visitarchive.PlanVerdict{Version: m.version, Approve: true, Comment: m.body.Comment}
	if m.raw.has("adjust") {
		if v.Adjusted, err = s.adjustedPlan(c, op, m); err != nil {
			return err
		}
	}
	p, err := s.archive.DecidePlan(c.UserContext(), visitarchive.PlanID(m.id), v)
	return s.plans.answer(c, p, err)
}

// adjustedPlan merges the adjust member of an approval onto the plan at
// the version the approval names, or onto its pending change, which is
// what is decided then.
func (s *Server) adjustedPlan(c *fiber.Ctx, op string, m *move[planApproval]) (*visitarchive.Plan, error) {
	cur, err := s.plans.get(c.UserContext(), m.id)
	if err != nil {
		return nil, err
	}
	if err := checkCurrent(op, "plan", m.version, cur.Version); err != nil {
		return nil, err
	}
	adjust := &jsonBody{tree: m.raw.tree["adjust"].(map[string]any)}
	if err := json.Unmarshal(m.raw.members["adjust"], &adjust.members); err != nil {
		return nil, err
	}
	decided := cur
	if cur.Pending != nil {
		decided = cur.Pending
	}
	p, err := mergePatch(op, decided, adjust)
	if err != nil {
		return nil, err
	}
	s.plans.manage(p, cur, m.id, cur.Version)
	return p, nil
}

// planCancel is the body of POST /plans/:id/cancel.
type planCancel struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

func (s *Server) cancelPlan(c *fiber.Ctx) error {
	m, err := readMove[visitarchive.Plan, planCancel](c, s.plans, "plan.cancel")
	if err != nil {
		return err
	}
	p, err := s.archive.CancelPlan(c.UserContext(), visitarchive.PlanID(m.id), m.version, m.body.Reason)
	return s.plans.answer(c, p, err)
}

// planRejection is the body of POST /plans/:id/reject. Major escalates
// the plan to management instead, recommending its rejection.
type planRejection struct {
	Version int    `json:"version"`
	Comment string `json:"comment"`
	Major   bool   `json:"major"`
}

func (s *Server) rejectPlan(c *fiber.Ctx) error {
	m, err := readMove[visitarchive.Plan, planRejection](c, s.plans, "plan.reject")
	if err != nil {
		return err
	}
	v := visitarchive.PlanVerdict{Version: m.version, Comment: m.body.Comment, Major: m.body.Major}
	p, err := s.archive.DecidePlan(c.UserContext(), visitarchive.PlanID(m.id), v)
	return s.plans.answer(c, p, err)
}

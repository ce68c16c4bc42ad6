package visitarchive

import "time"

// Plan is a visit plan (拜访计划): when, where, whom and why. Its author
// submits it; a supervisor of its department approves (possibly adjusting
// it), or rejects it; a plan marked major is decided by a manager
// instead. An approved plan reaches marketing and customer service. A
// visitor may change an approved plan, with a reason: the change waits
// beside the approved plan (Pending) for a decision, and the approved
// plan stays in force until the change is approved. The planner or a
// supervisor may cancel an approved plan, with a reason.
type Plan struct {
	ID      PlanID       `json:"id"`
	Version int          `json:"version"`
	Status  RecordStatus `json:"status"` // draft, submitted, approved, rejected, cancelled

	CustomerID   CustomerID   `json:"customer_id"`
	CustomerName string       `json:"customer_name"`
	Department   DepartmentID `json:"department"`
	VisitStart   time.Time    `json:"visit_start,omitzero"`
	VisitEnd     time.Time    `json:"visit_end,omitzero"`
	Location     string       `json:"location"`
	Purpose      string       `json:"purpose"`
	Topics       []string     `json:"topics"` // main topics (主要议题)
	Visitors     []UserName   `json:"visitors"`
	Major        bool         `json:"major"` // decided by a manager

	// ChangeReason says why an approved plan was changed; required for
	// that change, kept until the next one.
	ChangeReason string `json:"change_reason,omitempty"`
	// Revision numbers the changes proposed after the first approval:
	// the plan's is that of the change in force (0: none), a pending
	// change's the next number, whether or not the change is approved.
	Revision int `json:"revision"`
	// Decisions keeps every decision on the plan and its changes, and
	// its cancellation, oldest first.
	Decisions []PlanDecision `json:"decisions,omitempty"`
	// AfterTheFact says the plan was not made in advance (提前制定): it
	// was submitted after its visit had started, or less than the
	// configured lead time before; or a change moved the visit to such
	// a time. It is accepted, marked, and counted.
	AfterTheFact bool `json:"after_the_fact"`
	// Pending is a change of the approved plan waiting for its decision:
	// the plan as the change would make it, with its change_reason and
	// revision, written by updated_by at updated_at, in status submitted.
	// The plan itself stays approved and in force until the change is
	// approved, which makes the change the plan; a rejection drops it.
	Pending *Plan `json:"pending,omitempty"`

	Audit
}

// PlanDecision is one decision on a submitted plan or a change of it, or
// the cancellation of the plan (Comment holds the reason).
type PlanDecision struct {
	Decision RecordStatus `json:"decision"` // approved, rejected, escalated or cancelled
	By       UserName     `json:"by"`
	Time     time.Time    `json:"time"`
	Comment  string       `json:"comment,omitempty"`
	// Adjusted names the fields the decider changed when approving.
	Adjusted []string `json:"adjusted,omitempty"`
	Revision int      `json:"revision"`
	// Recommends is the decision a supervisor recommended when
	// escalating the plan to management (approved or rejected).
	Recommends RecordStatus `json:"recommends,omitempty"`
}

// DecisionEscalated is the decision of a supervisor who marked a plan
// major and sent it to management.
const DecisionEscalated RecordStatus = "escalated"

// PlanResource returns what the policy needs of p. A plan whose pending
// change is major is major: a manager decides the change.
func PlanResource(p *Plan) Resource {
	return Resource{Kind: KindPlan, Department: p.Department, Owner: p.CreatedBy,
		Participants: p.Visitors, Status: p.Status, Major: p.Major || p.Pending != nil && p.Pending.Major}
}

// Validate reports every field of p that breaks a rule.
func (p *Plan) Validate() error {
	var c checker
	if p.ID != "" && !ValidID(string(p.ID)) {
		c.add("id", "may hold only letters, digits, '-' and '_' (at most 64, starting with a letter or digit)")
	}
	c.required("customer_id", string(p.CustomerID))
	if p.CustomerID != "" && !ValidID(string(p.CustomerID)) {
		c.add("customer_id", "is not a valid customer id")
	}
	if p.VisitStart.IsZero() {
		c.add("visit_start", "is required (RFC 3339, such as 2026-03-01T09:30:00+08:00)")
	}
	if p.VisitEnd.IsZero() {
		c.add("visit_end", "is required (RFC 3339, such as 2026-03-01T11:00:00+08:00)")
	}
	if !p.VisitStart.IsZero() && !p.VisitEnd.IsZero() && !p.VisitEnd.After(p.VisitStart) {
		c.add("visit_end", "must be after visit_start")
	}
	c.date("visit_start", p.VisitStart)
	c.date("visit_end", p.VisitEnd)
	c.required("location", p.Location)
	c.required("purpose", p.Purpose)
	for _, f := range []struct{ name, v string }{
		{"customer_name", p.CustomerName}, {"department", string(p.Department)}, {"location", p.Location},
	} {
		c.text(f.name, f.v, shortText)
	}
	c.text("purpose", p.Purpose, longText)
	c.text("change_reason", p.ChangeReason, longText)
	if len(p.Topics) > 50 {
		c.add("topics", "has %d entries; at most 50 are allowed", len(p.Topics))
	}
	for i, t := range p.Topics {
		c.text("topics["+itoa(i)+"]", t, shortText)
	}
	if len(p.Visitors) == 0 {
		c.add("visitors", "names no one; list the user names of who will visit")
	}
	if len(p.Visitors) > 50 {
		c.add("visitors", "has %d entries; at most 50 are allowed", len(p.Visitors))
	}
	for i, v := range p.Visitors {
		if !ValidUserName(string(v)) {
			c.add("visitors["+itoa(i)+"]", "is not a valid user name")
		}
	}
	return c.result("plan.validate", "plan")
}

// planMoves are the workflow actions open in each plan state.
var planMoves = map[RecordStatus][]string{
	StatusDraft:     {"update", "submit"},
	StatusSubmitted: {"approve", "reject"},
	StatusApproved:  {"change", "cancel"},
	StatusRejected:  {},
	StatusCancelled: {},
}

// pendingMoves are the actions open on an approved plan while a change of
// it waits for its decision.
var pendingMoves = map[RecordStatus][]string{
	StatusApproved: {"approve", "reject", "cancel"},
}

// movesOf returns the moves table that applies to p.
func movesOf(p *Plan) map[RecordStatus][]string {
	if p.Pending != nil {
		return pendingMoves
	}
	return planMoves
}

// nextRevision is the revision a new change of p gets: one more than
// any change proposed before, approved or not.
func nextRevision(p *Plan) int {
	n := p.Revision
	for _, d := range p.Decisions {
		n = max(n, d.Revision)
	}
	return n + 1
}

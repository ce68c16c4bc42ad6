package visitarchive

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Plans are kept in memory (Archive.plans) as well as in the store, so
// that listings and the overdue checks need no index of their own.

// CreatePlan stores p as version 1 of a new draft plan of the caller's
// department (unless p names one).
func (a *Archive) CreatePlan(ctx context.Context, p Plan) (*Plan, error) {
	const op = "plan.create"
	if _, err := actor(ctx, op); err != nil {
		return nil, err
	}
	if err := a.mayEver(ctx, op, PermCreate, KindPlan); err != nil {
		return nil, err
	}
	if pr := PrincipalFrom(ctx); pr != nil && p.Department == "" {
		p.Department = pr.Department
	}
	if err := a.checkPlan(ctx, op, &p); err != nil {
		return nil, err
	}
	if p.ID == "" {
		p.ID = PlanID(NewID("P", a.now()))
	}
	p.Version, p.Status, p.Revision, p.Decisions, p.ChangeReason, p.Pending = 1, StatusDraft, 0, nil, "", nil
	p.AfterTheFact = false
	p.Audit = a.stamp(ctx, nil)
	if err := a.allow(ctx, op, PermCreate, PlanResource(&p)); err != nil {
		return nil, err
	}
	return &p, a.writePlan(ctx, op, &p)
}

// checkPlan validates p, resolves its customer and checks its department
// and visitors.
func (a *Archive) checkPlan(ctx context.Context, op string, p *Plan) error {
	if err := p.Validate(); err != nil {
		return err
	}
	var c checker
	cu := a.customerFor(ctx, p.CustomerID)
	if cu == nil {
		c.add("customer_id", "no customer %s exists; create it first", p.CustomerID)
	} else {
		nameFromCustomer(&c, cu, &p.CustomerName, a.planOnFile(p.ID))
	}
	a.checkDepartment(&c, p.Department)
	a.checkVisitors(&c, p.Visitors)
	return c.result(op, "plan")
}

// checkVisitors reports visitors who are not users.
func (a *Archive) checkVisitors(c *checker, visitors []UserName) {
	for i, v := range visitors {
		if a.accounts.user(v) == nil {
			c.add("visitors["+itoa(i)+"]", "no user %s exists", v)
		}
	}
}

// writePlan stores p and the notifications of ns in one journal entry.
func (a *Archive) writePlan(ctx context.Context, op string, p *Plan, ns ...notice) error {
	notes, sent, err := a.inbox.deliver(ctx, ns...)
	if err != nil {
		return err
	}
	ch, err := planKind.put(ctx, a, op, p)
	if err != nil {
		for _, c := range notes {
			a.dropObject(ctx, c.Key)
		}
		return err
	}
	if err := a.commit(ctx, op, ch, p, notes...); err != nil {
		return err
	}
	a.inbox.mail(sent)
	return nil
}

// loadPlan returns the latest version of plan id from the store.
func (a *Archive) loadPlan(ctx context.Context, op string, id PlanID) (*Plan, error) {
	return planKind.current(ctx, a, op, id)
}

// GetPlan returns the latest version of plan id if the caller may read
// it, and logs the read.
func (a *Archive) GetPlan(ctx context.Context, id PlanID) (*Plan, error) {
	const op = "plan.get"
	p, err := a.visiblePlan(ctx, op, id)
	if err != nil {
		return nil, err
	}
	return p, a.logAccess(ctx, op, []Change{planRead(p, FieldsContent)})
}

// visiblePlan returns the latest version of plan id if the caller may
// read it.
func (a *Archive) visiblePlan(ctx context.Context, op string, id PlanID) (*Plan, error) {
	p, err := a.loadPlan(ctx, op, id)
	if err != nil {
		return nil, err
	}
	return p, a.visible(ctx, op, PlanResource(p), string(id))
}

// currentPlan loads plan id for a change: visible to the caller, at the
// version named, and open to move.
func (a *Archive) currentPlan(ctx context.Context, op string, id PlanID, version int, move string, perm Permission) (*Plan, error) {
	cur, err := a.loadPlan(ctx, op, id)
	if err != nil {
		return nil, err
	}
	res := PlanResource(cur)
	if err := a.visible(ctx, op, res, string(id)); err != nil {
		return nil, err
	}
	if err := a.mayMovePlan(ctx, op, perm, cur, move); err != nil {
		return nil, err
	}
	return cur, checkVersion(op, "plan", string(id), cur.Version, version)
}

// mayMovePlan is mayMove for plan cur. While a change of it waits for a
// decision only the moves of pendingMoves are open: another is Conflict,
// saying so, if the caller could make it otherwise.
func (a *Archive) mayMovePlan(ctx context.Context, op string, perm Permission, cur *Plan, move string) error {
	res := PlanResource(cur)
	if cur.Pending == nil || slices.Contains(pendingMoves[res.Status], move) {
		return a.mayMove(ctx, op, perm, res, string(cur.ID), movesOf(cur), move)
	}
	if err := a.mayMove(ctx, op, perm, res, string(cur.ID), planMoves, move); err != nil && !IsKind(err, Conflict) {
		return err
	}
	return E(op, Conflict, nil, "plan %s is approved with a change (revision %d) waiting for a decision; it cannot %s now. Allowed: %s",
		cur.ID, cur.Pending.Revision, move, strings.Join(pendingMoves[res.Status], ", "))
}

// UpdatePlan replaces plan p.ID with p at version p.Version. A draft is
// simply edited. An approved plan may be changed by its planner or a
// visitor with a change_reason: the change waits beside the approved
// plan, which stays in force, for a decision (proposeChange). An
// update that changes nothing writes nothing (a reason alone included).
func (a *Archive) UpdatePlan(ctx context.Context, p Plan) (*Plan, error) {
	const op = "plan.update"
	cur, err := a.loadPlan(ctx, op, p.ID)
	if err != nil {
		return nil, err
	}
	move := "update"
	if cur.Status == StatusApproved {
		move = "change"
	}
	if cur, err = a.currentPlan(ctx, op, p.ID, p.Version, move, PermUpdate); err != nil {
		return nil, err
	}
	if err := keepDepartment(op, &p.Department, cur.Department); err != nil {
		return nil, err
	}
	if err := a.checkPlan(ctx, op, &p); err != nil {
		return nil, err
	}
	if move == "change" {
		return a.proposeChange(ctx, op, cur, p)
	}
	next := p
	next.Version, next.Status, next.Revision, next.Decisions = cur.Version+1, cur.Status, cur.Revision, cur.Decisions
	next.Department, next.Audit, next.ChangeReason, next.Pending = cur.Department, a.stamp(ctx, &cur.Audit), "", nil
	next.AfterTheFact = false
	if unchanged(cur, &next) {
		return cur, nil
	}
	return &next, a.writePlan(ctx, op, &next)
}

// proposeChange writes the next version of approved plan cur: itself,
// with the change p pending beside it, and asks the deciders. A plan
// stays in its department; and a change may make a plan major, never
// ordinary again, so that it cannot slip past the manager who decided
// it.
func (a *Archive) proposeChange(ctx context.Context, op string, cur *Plan, p Plan) (*Plan, error) {
	// A PATCH carries the reason of the change in force unless it sends
	// its own: that one does not count.
	change := p
	change.Version, change.Status, change.Revision = cur.Version+1, StatusSubmitted, nextRevision(cur)
	change.Decisions, change.Pending, change.Department = nil, nil, cur.Department
	change.Major, change.Audit = cur.Major || p.Major, a.stamp(ctx, &cur.Audit)
	change.AfterTheFact = cur.AfterTheFact
	a.markAfterTheFact(&change, cur.VisitStart)
	if unchanged(cur, &change, "status", "revision", "decisions", "change_reason") {
		return cur, nil
	}
	if p.ChangeReason == "" || p.ChangeReason == cur.ChangeReason {
		return nil, invalidField(op, "change_reason", "is required to change an approved plan: say why it changes")
	}
	next := *cur
	next.Version, next.Pending, next.Audit = cur.Version+1, &change, change.Audit
	return &next, a.writePlan(ctx, op, &next, a.planSubmittedNotice(&change))
}

// SubmitPlan sends draft plan id to its deciders.
func (a *Archive) SubmitPlan(ctx context.Context, id PlanID, version int) (*Plan, error) {
	const op = "plan.submit"
	cur, err := a.currentPlan(ctx, op, id, version, "submit", PermUpdate)
	if err != nil {
		return nil, err
	}
	next := *cur
	next.Version, next.Status, next.Audit = cur.Version+1, StatusSubmitted, a.stamp(ctx, &cur.Audit)
	a.markAfterTheFact(&next, time.Time{})
	return &next, a.writePlan(ctx, op, &next, a.planSubmittedNotice(&next))
}

// markAfterTheFact marks p after the fact when its visit starts, as of
// now, within the lead time: if it is submitted (from is zero) or a
// change or adjustment moves the start from from. A plan once after the
// fact stays so.
func (a *Archive) markAfterTheFact(p *Plan, from time.Time) {
	if !from.IsZero() && p.VisitStart.Equal(from) {
		return
	}
	if !a.now().Before(p.VisitStart.Add(-a.workflow.PlanLeadTime)) {
		p.AfterTheFact = true
	}
}

// planSubmittedNotice tells the deciders of p: the supervisors of its
// department, or the managers for a major plan.
func (a *Archive) planSubmittedNotice(p *Plan) notice {
	to := a.accounts.usersWith(RoleSupervisor, p.Department)
	if p.Major {
		to = a.accounts.usersWith(RoleManager, "")
	}
	msg := "拜访计划待审批 Plan to decide: " + a.planTitle(p)
	if p.Revision > 0 {
		msg = "拜访计划变更待审批 Changed plan to decide: " + a.planTitle(p) + ": " + p.ChangeReason
	}
	if p.AfterTheFact {
		msg = "[事后补报 after the fact] " + msg
	}
	return notice{event: EventPlanSubmitted, kind: KindPlan, object: string(p.ID), message: msg, to: to}
}

// PlanVerdict is a decision on a submitted plan, as the decider gives it.
// A decider who marks an ordinary plan major (Major, or Adjusted.Major)
// escalates it: see DecidePlan.
type PlanVerdict struct {
	Version  int
	Approve  bool
	Comment  string
	Adjusted *Plan // the plan (or its pending change) as the decider changed it; nil: unchanged
	Major    bool  // mark the plan major: send it to management
}

// DecidePlan approves or rejects submitted plan id, or the change of an
// approved plan that waits beside it. A supervisor of its department
// decides an ordinary plan, a manager a major one (the policy says so).
// Approving may adjust the plan, with a comment; rejecting needs one. An
// approved plan reaches marketing and customer service, and so does an
// approved change, which replaces the plan; a rejected change leaves the
// approved plan as it was.
//
// A supervisor who marks an ordinary plan (or change) major escalates it
// instead of deciding it: the decision is kept as a recommendation
// (Decision escalated, Recommends approved or rejected), the
// adjustments of a recommended approval are applied, the plan (or
// change) stays submitted, now major, and the managers are asked to
// decide it. A major plan never becomes ordinary again (Invalid).
func (a *Archive) DecidePlan(ctx context.Context, id PlanID, v PlanVerdict) (*Plan, error) {
	const op = "plan.decide"
	move := "reject"
	if v.Approve {
		move = "approve"
	}
	cur, err := a.currentPlan(ctx, op, id, v.Version, move, PermReview)
	if err != nil {
		return nil, err
	}
	if err := checkComment(op, v.Comment); err != nil {
		return nil, err
	}
	proposed := cur // what is decided: the plan, or its pending change
	if cur.Pending != nil {
		proposed = cur.Pending
	}
	form := *proposed
	d := PlanDecision{Decision: StatusRejected, By: ActorFrom(ctx), Time: a.now().UTC(), Comment: v.Comment, Revision: proposed.Revision}
	if v.Approve {
		d.Decision = StatusApproved
		if form, d.Adjusted, err = a.adjustPlan(ctx, op, proposed, v.Adjusted); err != nil {
			return nil, err
		}
	}
	if v.Major && !form.Major {
		form.Major = true
		if v.Approve {
			d.Adjusted = slices.Sorted(slices.Values(append(d.Adjusted, "major")))
		}
	}
	escalate := form.Major && !proposed.Major
	if (!v.Approve || len(d.Adjusted) > 0 || escalate) && v.Comment == "" {
		return nil, invalidField(op, "comment", "is required to reject, adjust or escalate a plan: say why")
	}
	if escalate {
		d.Recommends, d.Decision = d.Decision, DecisionEscalated
	}
	next := decided(cur, form, d.Decision)
	next.Version, next.Audit = cur.Version+1, a.stamp(ctx, &cur.Audit)
	next.Decisions = append(slices.Clone(cur.Decisions), d)
	return &next, a.writePlan(ctx, op, &next, a.planDecidedNotices(cur, &next, d)...)
}

// decided returns plan cur after the decision on form, the plan or its
// pending change as the decider left it: a submitted plan takes the
// decision's state; an approved change becomes the plan; a rejected one
// leaves the plan as it was; an escalated plan or change, now major,
// waits for management.
func decided(cur *Plan, form Plan, decision RecordStatus) Plan {
	if cur.Pending == nil {
		form.Status = decision
		if decision == DecisionEscalated {
			form.Status = StatusSubmitted
		}
		return form
	}
	next := *cur
	switch decision {
	case StatusApproved:
		next = form
		next.Status = StatusApproved
	case DecisionEscalated:
		next.Pending = &form
	default:
		next.Pending = nil
	}
	return next
}

// adjustPlan returns cur with the form of adjusted, checked, and the
// names of the fields that changed.
func (a *Archive) adjustPlan(ctx context.Context, op string, cur, adjusted *Plan) (Plan, []string, error) {
	if adjusted == nil {
		return *cur, nil, nil
	}
	next := *adjusted
	if err := keepDepartment(op, &next.Department, cur.Department); err != nil {
		return Plan{}, nil, err
	}
	if cur.Major && !next.Major {
		return Plan{}, nil, invalidField(op, "major", "cannot be cleared: a major plan stays major")
	}
	next.ID, next.Status, next.Revision, next.Decisions, next.ChangeReason = cur.ID, cur.Status, cur.Revision, cur.Decisions, cur.ChangeReason
	next.Pending, next.Department, next.Audit, next.AfterTheFact = nil, cur.Department, cur.Audit, cur.AfterTheFact
	if err := a.checkPlan(ctx, op, &next); err != nil {
		return Plan{}, nil, err
	}
	a.markAfterTheFact(&next, cur.VisitStart)
	return next, changedFields(cur, &next), nil
}

// changedFields returns the JSON names of the fields whose values differ
// between a and b, sorted.
func changedFields(a, b any) []string {
	ma, mb := jsonFields(a), jsonFields(b)
	var out []string
	for k, v := range mb {
		if string(ma[k]) != string(v) {
			out = append(out, k)
		}
	}
	for k := range ma {
		if _, ok := mb[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func jsonFields(v any) map[string]json.RawMessage {
	b, _ := json.Marshal(v)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	return m
}

// planDecidedNotices tell the planner, the visitors and the proposer of
// a change about decision d, which took plan cur to p; and marketing and
// customer service about an approved plan or an approved change.
func (a *Archive) planDecidedNotices(cur, p *Plan, d PlanDecision) []notice {
	if d.Decision == DecisionEscalated {
		return []notice{a.planEscalatedNotice(cur, p, d)}
	}
	what := a.planTitle(p)
	told := append([]UserName{p.CreatedBy}, p.Visitors...)
	word := map[RecordStatus]string{StatusApproved: "已批准 approved", StatusRejected: "已驳回 rejected"}[d.Decision]
	released := notice{event: EventPlanApproved, kind: KindPlan, object: string(p.ID),
		message: "新的已批准拜访计划 Approved visit plan: " + what, to: a.releasedTo()}
	if cur.Pending != nil {
		told = append(told, cur.Pending.UpdatedBy)
		word = map[RecordStatus]string{StatusApproved: "变更已批准 change approved",
			StatusRejected: "变更被驳回，原计划不变 change rejected, the approved plan stands"}[d.Decision]
		released.event = EventPlanChanged
		released.message = "拜访计划已变更 Approved plan changed: " + what + ", " + p.Location + ": " + p.ChangeReason
	}
	msg := "拜访计划" + word + ": " + what
	if d.Comment != "" && d.Decision == StatusRejected {
		msg += ": " + d.Comment
	}
	ns := []notice{{event: EventPlanDecided, kind: KindPlan, object: string(p.ID), message: msg, to: told}}
	if d.Decision == StatusApproved {
		ns = append(ns, released)
	}
	return ns
}

// planEscalatedNotice asks the managers to decide plan p (or its pending
// change), which the supervisor of d escalated, and tells the planner
// (and the proposer of a change) that it went up.
func (a *Archive) planEscalatedNotice(cur, p *Plan, d PlanDecision) notice {
	rec := map[RecordStatus]string{StatusApproved: "建议批准 recommends approval", StatusRejected: "建议驳回 recommends rejection"}[d.Recommends]
	to := append(a.accounts.usersWith(RoleManager, ""), p.CreatedBy)
	if cur.Pending != nil {
		to = append(to, cur.Pending.UpdatedBy)
	}
	return notice{event: EventPlanEscalated, kind: KindPlan, object: string(p.ID), to: to,
		message: "拜访计划上报管理层审批 Plan escalated to management: " + a.planTitle(p) + ": " + string(d.By) + " " + rec + ": " + d.Comment}
}

// releasedTo are those who receive approved plans: marketing and
// customer service.
func (a *Archive) releasedTo() []UserName {
	return slices.Concat(a.accounts.usersWith(RoleMarketing, ""), a.accounts.usersWith(RoleService, ""))
}

// planTitle names plan p in notices: its customer and the day of the
// visit in the company's time zone.
func (a *Archive) planTitle(p *Plan) string { return p.CustomerName + " " + a.localDate(p.VisitStart) }

// CancelPlan calls off approved plan id, with a reason: its planner or
// a supervisor of its department may (the policy says so). A change
// waiting for a decision goes with it. Everyone who prepared for the
// visit is told: the planner, the visitors, the supervisors, marketing
// and customer service. A cancelled plan needs no record.
func (a *Archive) CancelPlan(ctx context.Context, id PlanID, version int, reason string) (*Plan, error) {
	const op = "plan.cancel"
	cur, err := a.currentPlan(ctx, op, id, version, "cancel", PermCancel)
	if err != nil {
		return nil, err
	}
	var c checker
	if reason == "" {
		c.add("reason", "is required to cancel a plan: say why")
	}
	c.text("reason", reason, longText)
	if err := c.result(op, "cancellation"); err != nil {
		return nil, err
	}
	next := *cur
	next.Version, next.Status, next.Pending, next.Audit = cur.Version+1, StatusCancelled, nil, a.stamp(ctx, &cur.Audit)
	next.Decisions = append(slices.Clone(cur.Decisions), PlanDecision{Decision: StatusCancelled, By: ActorFrom(ctx),
		Time: a.now().UTC(), Comment: reason, Revision: cur.Revision})
	to := slices.Concat([]UserName{cur.CreatedBy}, cur.Visitors, a.accounts.usersWith(RoleSupervisor, cur.Department), a.releasedTo())
	if cur.Pending != nil {
		to = append(to, cur.Pending.UpdatedBy)
	}
	n := notice{event: EventPlanCancelled, kind: KindPlan, object: string(id),
		message: "拜访计划已取消 Plan cancelled: " + a.planTitle(cur) + ": " + reason, to: to}
	return &next, a.writePlan(ctx, op, &next, n)
}

// PlanHistory lists every version of plan id, oldest first, and logs
// the read.
func (a *Archive) PlanHistory(ctx context.Context, id PlanID) ([]VersionInfo, error) {
	const op = "plan.history"
	cur, err := a.visiblePlan(ctx, op, id)
	if err != nil {
		return nil, err
	}
	vs, err := planKind.history(ctx, a, id, cur.Version, func(p *Plan) VersionInfo {
		return VersionInfo{Version: p.Version, Actor: p.UpdatedBy, Time: p.UpdatedAt}
	})
	if err != nil {
		return nil, err
	}
	return vs, a.logAccess(ctx, op, []Change{planRead(cur, "history")})
}

// PlanQuery filters plan listings; empty fields do not filter.
type PlanQuery struct {
	Status     string
	CustomerID CustomerID
	Department DepartmentID
	Visitor    UserName
	// MissingRecord keeps the approved plans whose visit has ended and
	// that no record names.
	MissingRecord bool
	// AfterTheFact is "true" or "false" to keep the plans that were, or
	// were not, made after the fact; "" does not filter.
	AfterTheFact string
	// Undecided keeps the plans waiting for a decision that the caller
	// may make: submitted plans, and approved plans with a change
	// pending, that the policy lets the caller review (a supervisor's
	// ordinary ones, a manager's major ones).
	Undecided  bool
	Page, Size int
}

// PlanPage is one page of plans, newest visit first, and the total.
type PlanPage struct {
	Total int `json:"total"`
	// AfterTheFact counts the plans among all matches (not only this
	// page) that were not made in advance.
	AfterTheFact int     `json:"after_the_fact"`
	Plans        []*Plan `json:"plans"`
}

// ListPlans returns the plans that match q and that the caller may read,
// and logs the reads.
func (a *Archive) ListPlans(ctx context.Context, q PlanQuery) (*PlanPage, error) {
	const op = "plan.list"
	if err := q.check(op); err != nil {
		return nil, err
	}
	if err := a.checkCustomerFilter(ctx, op, q.CustomerID); err != nil {
		return nil, err
	}
	if q.MissingRecord {
		if err := a.hasIndex(op); err != nil {
			return nil, err
		}
	}
	scope, err := a.scope(ctx, op, PermRead, KindPlan) // one policy call, not one a plan
	if err != nil {
		return nil, err
	}
	decides := func(Resource) bool { return true }
	if q.Undecided {
		deciders, err := a.scope(ctx, op, PermReview, KindPlan)
		if err != nil {
			return nil, err
		}
		if deciders != nil {
			decides = deciders.Match
		}
	}
	var out []*Plan
	now := a.now()
	for _, p := range a.plans.all() {
		res := PlanResource(p)
		if q.matches(p, now) && (scope == nil || scope.Match(res)) && decides(res) {
			out = append(out, p)
		}
	}
	if q.MissingRecord {
		var err error
		if out, err = a.withoutRecords(ctx, out); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(out, func(x, y *Plan) int {
		if c := y.VisitStart.Compare(x.VisitStart); c != 0 {
			return c
		}
		return strings.Compare(string(x.ID), string(y.ID))
	})
	page := &PlanPage{Total: len(out)}
	for _, p := range out {
		if p.AfterTheFact {
			page.AfterTheFact++
		}
	}
	lo := min((q.Page-1)*q.Size, len(out))
	page.Plans = out[lo:min(lo+q.Size, len(out))]
	return page, a.logAccess(ctx, op, planReads(page.Plans))
}

func (q *PlanQuery) check(op string) error {
	var c checker
	c.pageSize(&q.Page, &q.Size)
	c.oneOf("status", q.Status, []string{"draft", "submitted", "approved", "rejected", "cancelled"})
	c.oneOf("after_the_fact", q.AfterTheFact, []string{"true", "false"})
	return c.result(op, "query")
}

func (q *PlanQuery) matches(p *Plan, now time.Time) bool {
	switch {
	case q.Status != "" && string(p.Status) != q.Status,
		q.CustomerID != "" && p.CustomerID != q.CustomerID,
		q.Department != "" && p.Department != q.Department,
		q.Visitor != "" && !slices.Contains(p.Visitors, q.Visitor),
		q.AfterTheFact != "" && strconv.FormatBool(p.AfterTheFact) != q.AfterTheFact,
		q.Undecided && !undecided(p):
		return false
	case q.MissingRecord:
		return p.Status == StatusApproved && p.VisitEnd.Before(now)
	}
	return true
}

// undecided reports whether p waits for a decision: submitted, or
// approved with a change pending.
func undecided(p *Plan) bool {
	return p.Status == StatusSubmitted || p.Status == StatusApproved && p.Pending != nil
}

// withoutRecords returns the plans of ps that no indexed record names.
func (a *Archive) withoutRecords(ctx context.Context, ps []*Plan) ([]*Plan, error) {
	ids := make([]PlanID, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	has, err := a.index.PlansWithRecords(ctx, ids)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ps, func(p *Plan) bool { return has[p.ID] }), nil
}

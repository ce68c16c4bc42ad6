package visitarchive

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"
)

// The record workflow: draft → submitted → returned → submitted → … →
// approved → archived. Each move is one new version of the record,
// journaled with its actor and with the notifications it sends.

// currentRecord loads record id for a move: visible to the caller, open
// to move in its state, allowed by perm, and at the version named.
func (a *Archive) currentRecord(ctx context.Context, op string, id RecordID, version int, move string, perm Permission) (*storedRecord, error) {
	cur, err := a.recordFor(ctx, op, id, move, perm)
	if err != nil {
		return nil, err
	}
	return cur, checkVersion(op, "record", string(id), cur.Version, version)
}

// recordFor is currentRecord at whatever version is the latest.
func (a *Archive) recordFor(ctx context.Context, op string, id RecordID, move string, perm Permission) (*storedRecord, error) {
	cur, err := a.loadRecord(ctx, op, id)
	if err != nil {
		return nil, err
	}
	res := RecordResource(&cur.Record)
	if err := a.visible(ctx, op, res, string(id)); err != nil {
		return nil, err
	}
	return cur, a.mayMove(ctx, op, perm, res, string(id), recordMoves, move)
}

// checkedNext is nextRecord for submission and approval: the form must
// pass the review checks at the time it returns.
func (a *Archive) checkedNext(ctx context.Context, op string, cur *storedRecord) (*Record, time.Time, error) {
	r, err := a.nextRecord(ctx, cur)
	if err != nil {
		return nil, time.Time{}, err
	}
	now := a.now().UTC()
	return r, now, a.reviewChecks(ctx, op, r, now)
}

// nextRecord opens cur (every field, for the checks and the new version)
// as the next version, stamped by the caller.
func (a *Archive) nextRecord(ctx context.Context, cur *storedRecord) (*Record, error) {
	r, err := a.openRecord(ctx, cur, true)
	if err != nil {
		return nil, err
	}
	r.Version, r.Hidden, r.Audit = cur.Version+1, nil, a.stamp(ctx, &cur.Audit)
	r.Reviews = slices.Clone(cur.Reviews)
	return r, nil
}

// revisit carries the history of the visit times and the filing deadline
// from cur to its next version r. A change of the visit times is kept in
// VisitChanges, for the reviewer, and moves due_at only earlier: the
// deadline a record was first given never moves later, so that editing
// the times of a late draft cannot make it on time. Moved earlier after
// the first submission, the deadline may make that submission late.
func (a *Archive) revisit(cur, r *Record) {
	if r.VisitStart.Equal(cur.VisitStart) && r.VisitEnd.Equal(cur.VisitEnd) {
		return
	}
	r.VisitChanges = append(slices.Clone(cur.VisitChanges), VisitChange{FromStart: cur.VisitStart, FromEnd: cur.VisitEnd,
		ToStart: r.VisitStart, ToEnd: r.VisitEnd, By: r.UpdatedBy, Time: r.UpdatedAt})
	due := a.dueAt(r.VisitEnd)
	if r.DueAt.IsZero() || !due.Before(r.DueAt) { // imported records keep having no deadline
		return
	}
	r.DueAt = due
	if !r.SubmittedAt.IsZero() && r.SubmittedAt.After(due) {
		r.Late, r.DelaySeconds = true, int64(r.SubmittedAt.Sub(due)/time.Second)
	}
}

// SubmitRecord submits draft or returned record id for review. The form
// must be complete for its customer's type and pass the logical checks
// (Invalid, per field, otherwise). The first submission after the
// deadline marks the record late, with the delay.
func (a *Archive) SubmitRecord(ctx context.Context, id RecordID, version int) (*Record, error) {
	const op = "record.submit"
	cur, err := a.currentRecord(ctx, op, id, version, "submit", PermUpdate)
	if err != nil {
		return nil, err
	}
	r, now, err := a.checkedNext(ctx, op, cur)
	if err != nil {
		return nil, err
	}
	if r.Rounds == 0 {
		r.SubmittedAt = now
		if !r.DueAt.IsZero() && now.After(r.DueAt) {
			r.Late, r.DelaySeconds = true, int64(now.Sub(r.DueAt)/time.Second)
		}
	}
	r.Status, r.Rounds = StatusSubmitted, r.Rounds+1
	msg := "拜访记录待审核 Record to review: " + r.CustomerName + " " + a.localDate(r.VisitStart)
	if n := len(r.VisitChanges); n > 0 {
		msg += " [拜访时间改动 " + itoa(n) + " 次 visit times changed " + itoa(n) + "×]"
	}
	n := notice{event: EventRecordSubmitted, kind: KindRecord, object: string(r.ID), message: msg,
		to: a.accounts.usersWith(RoleSupervisor, r.Department)}
	return a.moveRecord(ctx, op, r, n)
}

// ReturnVerdict is a supervisor's request for corrections.
type ReturnVerdict struct {
	Version int
	Comment string            // overall; required
	Fields  map[string]string // comments on single fields, by JSON name
}

// ReturnRecord returns submitted record id to its author for correction.
func (a *Archive) ReturnRecord(ctx context.Context, id RecordID, v ReturnVerdict) (*Record, error) {
	const op = "record.return"
	cur, err := a.currentRecord(ctx, op, id, v.Version, "return", PermReview)
	if err != nil {
		return nil, err
	}
	if err := a.notOwnRecord(ctx, op, &cur.Record); err != nil {
		return nil, err
	}
	if err := checkComments(op, v); err != nil {
		return nil, err
	}
	r, err := a.nextRecord(ctx, cur)
	if err != nil {
		return nil, err
	}
	r.Status = StatusReturned
	r.Reviews = append(r.Reviews, Review{Round: r.Rounds, Decision: StatusReturned, Reviewer: ActorFrom(ctx),
		Time: a.now().UTC(), Comment: v.Comment, Fields: maps.Clone(v.Fields)})
	n := notice{event: EventRecordReturned, kind: KindRecord, object: string(r.ID),
		message: "拜访记录被退回修改 Record returned for correction: " + r.CustomerName + ": " + v.Comment,
		to:      []UserName{r.CreatedBy}}
	return a.moveRecord(ctx, op, r, n)
}

// checkComments checks a return: an overall comment, and field comments
// only on fields of the form.
func checkComments(op string, v ReturnVerdict) error {
	var c checker
	if v.Comment == "" {
		c.add("comment", "is required to return a record: say what to correct")
	}
	c.text("comment", v.Comment, longText)
	for _, f := range slices.Sorted(maps.Keys(v.Fields)) {
		if !slices.Contains(formFields, f) {
			c.add("fields."+f, "is not a field of the unified form")
		}
		c.text("fields."+f, v.Fields[f], longText)
	}
	return c.result(op, "return")
}

// checkComment checks the comment of a decision (an approval, a
// rejection) as the free text of the form is checked.
func checkComment(op, comment string) error {
	var c checker
	c.text("comment", comment, longText)
	return c.result(op, "decision")
}

// notOwnRecord refuses a review of one's own record: nobody approves
// their own work.
func (a *Archive) notOwnRecord(ctx context.Context, op string, r *Record) error {
	if u := ActorFrom(ctx); u == r.CreatedBy && PrincipalFrom(ctx) != nil {
		return E(op, Forbidden, nil, "you wrote record %s; another supervisor reviews it", r.ID)
	}
	return nil
}

// ApproveRecord approves submitted record id after checking it again.
func (a *Archive) ApproveRecord(ctx context.Context, id RecordID, version int, comment string) (*Record, error) {
	const op = "record.approve"
	cur, err := a.currentRecord(ctx, op, id, version, "approve", PermReview)
	if err != nil {
		return nil, err
	}
	if err := a.notOwnRecord(ctx, op, &cur.Record); err != nil {
		return nil, err
	}
	if err := checkComment(op, comment); err != nil {
		return nil, err
	}
	r, now, err := a.checkedNext(ctx, op, cur)
	if err != nil {
		return nil, err
	}
	r.Status, r.Reviewer, r.ApprovedAt = StatusApproved, ActorFrom(ctx), now
	r.Reviews = append(r.Reviews, Review{Round: r.Rounds, Decision: StatusApproved, Reviewer: r.Reviewer, Time: now, Comment: comment})
	n := notice{event: EventRecordApproved, kind: KindRecord, object: string(r.ID),
		message: "拜访记录已批准，待归档 Record approved, to archive: " + r.CustomerName + " " + a.localDate(r.VisitStart),
		to:      append([]UserName{r.CreatedBy}, a.accounts.usersWith(RoleArchivist, "")...)}
	return a.moveRecord(ctx, op, r, n)
}

// moveRecord writes the next version r of a record with the
// notifications of ns, and returns it as the caller may see it.
func (a *Archive) moveRecord(ctx context.Context, op string, r *Record, ns ...notice) (*Record, error) {
	return a.moveRecordWith(ctx, op, r, nil, ns...)
}

// moveRecordWith is moveRecord journaling the objects of extra too.
func (a *Archive) moveRecordWith(ctx context.Context, op string, r *Record, extra []Change, ns ...notice) (*Record, error) {
	notes, sent, err := a.inbox.deliver(ctx, ns...)
	if err != nil {
		for _, c := range extra {
			a.dropObject(ctx, c.Key)
		}
		return nil, err
	}
	if err := a.writeRecordWith(ctx, op, r, append(extra, notes...)); err != nil {
		return nil, err
	}
	a.inbox.mail(sent)
	return a.asSeen(ctx, r), nil
}

// asSeen returns r without the sensitive fields the caller may not see.
func (a *Archive) asSeen(ctx context.Context, r *Record) *Record {
	if a.reveals(ctx, RecordResource(r)) {
		return r
	}
	out := *r
	out.Hidden = takeSecrets(&out, a.sensitive).hiddenNames()
	return &out
}

// reviewChecks are the checks of submission and approval: the fields the
// form of the customer's type requires, and the logic of the visit.
func (a *Archive) reviewChecks(ctx context.Context, op string, r *Record, now time.Time) error {
	var c checker
	ctype := ""
	if cu := a.customer(r.CustomerID); cu != nil {
		ctype = string(cu.Type)
	}
	for _, f := range a.workflow.required(ctype) {
		if fieldEmpty(r, f) {
			if ctype != "" {
				c.add(f, "is required on the form for %s customers", ctype)
			} else {
				c.add(f, "is required")
			}
		}
	}
	if !r.VisitEnd.IsZero() && r.VisitEnd.After(now) {
		c.add("visit_end", "is in the future; file the record after the visit")
	}
	a.checkVisitors(&c, r.Visitors)
	a.checkLinkedPlan(ctx, &c, r)
	return c.result(op, "record")
}

// RequiredFields returns the JSON names of the fields that a record of a
// customer of customerType needs to be submitted: those every record
// needs and those of the type's form (WorkflowConfig.Forms), sorted. The
// pages mark them on the form; submission and approval check them.
func (a *Archive) RequiredFields(customerType CustomerType) []string {
	return a.workflow.required(string(customerType))
}

// checkLinkedPlan checks that the plan r names, if any, is approved, for
// the same customer, and that the visit lies within the plan's window,
// give or take the configured tolerance. The approved plan counts, not a
// change of it still waiting for its decision.
func (a *Archive) checkLinkedPlan(ctx context.Context, c *checker, r *Record) {
	if r.PlanID == "" {
		return
	}
	p := a.linkedPlan(ctx, r)
	switch {
	case p == nil:
		c.add("plan_id", "no plan %s exists", r.PlanID)
	case p.Status != StatusApproved:
		c.add("plan_id", "plan %s is %s, not approved", r.PlanID, p.Status)
	case p.CustomerID != r.CustomerID:
		c.add("plan_id", "plan %s is for customer %s, not %s", r.PlanID, p.CustomerID, r.CustomerID)
	default:
		tol := a.workflow.PlanTolerance
		if !r.VisitStart.IsZero() && r.VisitStart.Before(p.VisitStart.Add(-tol)) {
			c.add("visit_start", "is more than %s before plan %s's visit starts (%s)", hours(tol), p.ID, p.VisitStart.Format(time.RFC3339))
		}
		if r.VisitEnd.After(p.VisitEnd.Add(tol)) {
			c.add("visit_end", "is more than %s after plan %s's visit ends (%s)", hours(tol), p.ID, p.VisitEnd.Format(time.RFC3339))
		}
	}
}

// linkedPlan returns the plan r names, or nil when there is none that the
// caller or the author of r may read. To anyone else a plan they may not
// read does not exist, whatever its state, so that naming ids teaches
// nothing. The author chose the link, and the supervisor who reviews the
// record checks it with the author's eyes: a joint visit's plan of
// another department may be one the supervisor may not read.
func (a *Archive) linkedPlan(ctx context.Context, r *Record) *Plan {
	p := a.plans.get(r.PlanID)
	if p == nil {
		return nil
	}
	res := PlanResource(p)
	if a.Allowed(ctx, PermRead, res) {
		return p
	}
	if u := a.accounts.user(r.CreatedBy); u != nil && a.policy.Allowed(PrincipalOf(&u.User), PermRead, res) {
		return p
	}
	return nil
}

// fieldEmpty reports whether the form field name of r is empty.
func fieldEmpty(r *Record, name string) bool {
	switch name {
	case "visit_start":
		return r.VisitStart.IsZero()
	case "visit_end":
		return r.VisitEnd.IsZero()
	case "visitors":
		return len(r.Visitors) == 0
	case "decision_chain":
		return len(r.DecisionChain) == 0
	}
	v, ok := jsonFields(r)[name]
	return !ok || string(v) == `""` || string(v) == "null"
}

// mayMove checks move, a workflow action on the object res with id,
// whose states allow the moves of moves: Forbidden when the caller's roles
// never allow perm on it; Conflict, naming the state and the moves it
// allows, when they would in another state; nil when both allow it.
func (a *Archive) mayMove(ctx context.Context, op string, perm Permission, res Resource, id string, moves map[RecordStatus][]string, move string) error {
	allowed := moves[res.Status]
	if slices.Contains(allowed, move) {
		return a.allow(ctx, op, perm, res)
	}
	var names any = Word("none")
	if len(allowed) > 0 {
		names = strings.Join(allowed, ", ")
	}
	stateErr := E(op, Conflict, nil, "%s %s is %s; it cannot %s now. Allowed: %s", Word(res.Kind), id, res.Status, move, names)
	res.Status = openState(moves, move)
	if err := a.allow(ctx, op, perm, res); err != nil {
		return err
	}
	return stateErr
}

package visitarchive

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Reminders are the notices the scheduled jobs send about work left
// undone: records past their filing deadline (NotifyOverdue), approved
// plans whose visit ended without a record (RemindUnrecordedPlans), and
// submitted records left unreviewed (RemindUnreviewed). Each event is
// notified once: a create-only marker under notices/ (see objectkeys.go)
// is claimed before its notices go out, so that of two runs, or two
// replicas, exactly one sends them, and a restart sends nothing again.
// The catalog does not track markers: the claim's conflict is the answer.
// Archive.noticesDone remembers, for this process, the markers known to
// exist (and those whose notice is moot), so that a run tries each at
// most once.

// NotifyOverdue tells the author and the supervisors of every record that
// was not submitted by its deadline, once per record (marker
// OverdueNoticeKey), and returns how many records it notified. The server
// runs it every minute.
func (a *Archive) NotifyOverdue(ctx context.Context) (int, error) {
	const op = "record.overdue"
	if err := a.hasIndex(op); err != nil {
		return 0, err
	}
	ctx = WithActor(ctx, "system")
	done := 0
	err := a.eachHit(ctx, SearchQuery{Overdue: true, Now: a.now(), Sort: SortVisitStart}, func(id RecordID) error {
		sent, err := a.notifyOverdue(ctx, id)
		if sent {
			done++
		}
		return err
	})
	return done, err
}

// notifyOverdue notifies about record id unless that was done before or
// it was submitted meanwhile.
func (a *Archive) notifyOverdue(ctx context.Context, id RecordID) (bool, error) {
	return a.notifyOnce(ctx, OverdueNoticeKey(id), EventRecordOverdue, map[string]any{"record": id}, func() ([]notice, bool, error) {
		s, err := a.loadRecord(ctx, "record.overdue", id)
		if err != nil || s.Status != StatusDraft {
			return nil, false, err
		}
		return []notice{{event: EventRecordOverdue, kind: KindRecord, object: string(id),
			message: "拜访记录已逾期未提交 Record overdue: " + s.CustomerName + " " + a.localDate(s.VisitStart),
			to:      append([]UserName{s.CreatedBy}, a.accounts.usersWith(RoleSupervisor, s.Department)...)}}, true, nil
	})
}

// RemindUnrecordedPlans chases the approved plans whose visit has ended
// and that no record names: once half the filing period is gone, their
// planner and visitors are reminded (plan.record_due); once it has
// passed, the supervisors of the plan's department are told, and the
// planner and visitors again (plan.record_missing). Each happens once per
// plan and revision in force; a plan that is cancelled, or changed
// meanwhile, is not chased (a changed one is, anew, for its new visit).
// It returns how many notices it sent. The server runs it every five
// minutes.
func (a *Archive) RemindUnrecordedPlans(ctx context.Context) (int, error) {
	const op = "plan.reminders"
	if err := a.hasIndex(op); err != nil {
		return 0, err
	}
	ctx = WithActor(ctx, "system")
	now, half := a.now(), a.workflow.FilingPeriod/2
	var due []*Plan
	for _, p := range a.plans.all() {
		if p.Status == StatusApproved && !now.Before(p.VisitEnd.Add(half)) && !a.noticeDone(PlanRecordMissingKey(p.ID, p.Revision)) {
			due = append(due, p)
		}
	}
	if len(due) == 0 {
		return 0, nil
	}
	has, err := a.index.PlansWithRecords(ctx, plansIDs(due))
	if err != nil {
		return 0, err
	}
	done := 0
	for _, p := range due {
		if has[p.ID] { // a record once filed stays: nothing is due any more
			a.noticesDone.Store(PlanRecordMissingKey(p.ID, p.Revision), true)
			continue
		}
		sent, err := a.chasePlan(ctx, p, now)
		if err != nil {
			return done, err
		}
		if sent {
			done++
		}
	}
	return done, nil
}

func plansIDs(ps []*Plan) []PlanID {
	ids := make([]PlanID, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

// chasePlan sends the notice that plan p, without a record, is due at
// now, unless it went out before.
func (a *Archive) chasePlan(ctx context.Context, p *Plan, now time.Time) (bool, error) {
	deadline := p.VisitEnd.Add(a.workflow.FilingPeriod)
	to := append([]UserName{p.CreatedBy}, p.Visitors...)
	key, event := PlanRecordDueKey(p.ID, p.Revision), EventPlanRecordDue
	msg := "请提交拜访记录 File the visit record, due " + a.localTime(deadline) + ": " + a.planTitle(p)
	if !now.Before(deadline) {
		key, event = PlanRecordMissingKey(p.ID, p.Revision), EventPlanRecordMissing
		msg = "拜访计划逾期无拜访记录 No visit record past the deadline: " + a.planTitle(p)
		to = append(to, a.accounts.usersWith(RoleSupervisor, p.Department)...)
	} else if a.noticeDone(key) {
		return false, nil
	}
	return a.notifyOnce(ctx, key, event, map[string]any{"plan": p.ID, "revision": p.Revision}, func() ([]notice, bool, error) {
		cur := a.plans.get(p.ID)
		if cur == nil || cur.Status != StatusApproved || cur.Revision != p.Revision {
			return nil, false, nil
		}
		return []notice{{event: event, kind: KindPlan, object: string(p.ID), message: msg, to: to}}, true, nil
	})
}

// RemindUnreviewed chases the records submitted and left unreviewed: once
// the review period has passed since the submission, their reviewers (the
// supervisors of the record's department) are reminded
// (record.review_due); once it has passed twice, the reviewers' own
// supervisor — who heads the department a reviewer belongs to — or, when
// there is none, the managers are told (record.review_overdue). Each
// happens once per submission. It returns how many notices it sent. The
// server runs it every five minutes.
func (a *Archive) RemindUnreviewed(ctx context.Context) (int, error) {
	const op = "record.review_reminders"
	if err := a.hasIndex(op); err != nil {
		return 0, err
	}
	ctx = WithActor(ctx, "system")
	now, done := a.now(), 0
	err := a.eachHit(ctx, SearchQuery{Status: string(StatusSubmitted), Sort: SortVisitStart}, func(id RecordID) error {
		v, ok := a.currentVersion(id)
		if !ok || a.noticeDone(ReviewOverdueKey(id, v)) {
			return nil
		}
		s, err := a.loadRecord(ctx, op, id)
		if err != nil || s.Status != StatusSubmitted || s.Version != v {
			return err
		}
		n, err := a.chaseReview(ctx, &s.Record, now)
		done += n
		return err
	})
	return done, err
}

// chaseReview sends the notices that submitted record r, unreviewed, is
// due at now, unless they went out before, and returns how many it sent.
// The version of a submitted record names its submission: a submitted
// record changes only by a review.
func (a *Archive) chaseReview(ctx context.Context, r *Record, now time.Time) (int, error) {
	period, submitted := a.workflow.ReviewPeriod, r.UpdatedAt
	reviewers := a.accounts.usersWith(RoleSupervisor, r.Department)
	what := r.CustomerName + " " + a.localDate(r.VisitStart)
	steps := []struct {
		key, event, msg string
		to              []UserName
		after           time.Duration
	}{
		{ReviewDueKey(r.ID, r.Version), EventRecordReviewDue,
			"拜访记录待审核已超过 " + hours(period) + " Record waiting for review over " + hours(period) + ": " + what, reviewers, period},
		{ReviewOverdueKey(r.ID, r.Version), EventRecordReviewOverdue,
			"拜访记录审核逾期 Review overdue (" + hours(2*period) + ", reviewers " + joinNames(reviewers) + "): " + what,
			a.supervisorsOf(reviewers), 2 * period},
	}
	sent := 0
	for _, s := range steps {
		if now.Before(submitted.Add(s.after)) || a.noticeDone(s.key) {
			continue
		}
		ok, err := a.notifyOnce(ctx, s.key, s.event, map[string]any{"record": r.ID, "version": r.Version}, func() ([]notice, bool, error) {
			if v, _ := a.currentVersion(r.ID); v != r.Version { // reviewed meanwhile
				return nil, false, nil
			}
			return []notice{{event: s.event, kind: KindRecord, object: string(r.ID), message: s.msg, to: s.to}}, true, nil
		})
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// supervisorsOf returns who supervises the users of names: the
// supervisors who head the departments those users belong to, except
// those users themselves; the managers when there is no one else.
func (a *Archive) supervisorsOf(names []UserName) []UserName {
	var out []UserName
	for _, n := range names {
		u := a.accounts.user(n)
		if u == nil || u.Department == "" {
			continue
		}
		for _, s := range a.accounts.usersWith(RoleSupervisor, u.Department) {
			if !slices.Contains(names, s) {
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		return a.accounts.usersWith(RoleManager, "")
	}
	return out
}

// currentVersion is the version of record id the journal recorded last.
func (a *Archive) currentVersion(id RecordID) (int, bool) {
	e, ok := a.catalog.current(recordKind.dir(id))
	if !ok {
		return 0, false
	}
	_, _, v, ok := ParseVersionKey(e.key)
	return v, ok
}

// eachHit calls f with the id of every record that q, a trusted query
// (no scope), matches, page by page, until f fails.
func (a *Archive) eachHit(ctx context.Context, q SearchQuery, f func(RecordID) error) error {
	q.Size, q.NoFacets = MaxPageSize, true
	for q.Page = 1; ; q.Page++ {
		res, err := a.index.Search(ctx, q)
		if err != nil {
			return err
		}
		for _, h := range res.Hits {
			if err := f(h.ID); err != nil {
				return err
			}
		}
		if len(res.Hits) < q.Size {
			return nil
		}
	}
}

// noticeDone reports whether the notice of marker key is known, in this
// process, to have gone out or to be moot.
func (a *Archive) noticeDone(key string) bool {
	_, done := a.noticesDone.Load(key)
	return done
}

// notifyOnce sends the notices build returns unless marker key exists.
// It claims the marker first, create-only, with the fields of marker and
// the time; then build looks at the state again: ok false (nothing to
// send any more) or an error drops the claim. The notices and the marker
// are journaled in one entry. It reports whether it sent them.
func (a *Archive) notifyOnce(ctx context.Context, key, action string, marker map[string]any, build func() ([]notice, bool, error)) (bool, error) {
	if a.noticeDone(key) {
		return false, nil
	}
	marker["time"] = a.now().UTC()
	info, err := a.put(ctx, key, marker)
	if IsKind(err, Conflict) {
		a.noticesDone.Store(key, true)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	changes := []Change{{Action: action, Key: key, SHA256: info.SHA256}}
	ns, ok, err := build()
	if err == nil && !ok {
		a.dropObject(ctx, key)
		return false, nil
	}
	var sent []*Notification
	if err == nil {
		var notes []Change
		notes, sent, err = a.inbox.deliver(ctx, ns...)
		changes = append(notes, changes...)
	}
	if err == nil {
		_, err = a.append(ctx, a.stampActor(ctx, changes)...)
	}
	if err != nil {
		for _, c := range changes {
			a.dropObject(ctx, c.Key)
		}
		return false, err
	}
	a.noticesDone.Store(key, true)
	a.inbox.mail(sent)
	return true, nil
}

// stampActor sets the actor of changes to the caller.
func (a *Archive) stampActor(ctx context.Context, changes []Change) []Change {
	for i := range changes {
		changes[i].Actor = ActorFrom(ctx)
	}
	return changes
}

// hours writes d as people read it in a notice: 48h, 1h30m.
func hours(d time.Duration) string {
	return strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
}

func joinNames(names []UserName) string {
	if len(names) == 0 {
		return "none"
	}
	s := make([]string, len(names))
	for i, n := range names {
		s[i] = string(n)
	}
	return strings.Join(s, ", ")
}

package visitarchive

import (
	"cmp"
	"context"
	"slices"
	"time"
)

var appraisalResource = Resource{Kind: KindAppraisal}

// Appraise is one retention pass: it puts every archived record due at
// now (retain_until at or before it), on no open list and under no hold,
// on the open draft list of its class, creating the list when there is
// none, and returns how many records it listed. A record whose class has
// a list under decision (submitted or approved) waits for that list to
// close. It destroys nothing. The job runs it as the system; over the
// API an archivist runs it (create on appraisal).
func (d *Disposition) Appraise(ctx context.Context) (int, error) {
	const op = "appraisal.compile"
	a := d.a
	if err := a.allow(ctx, op, PermCreate, appraisalResource); err != nil {
		return 0, err
	}
	if err := a.hasIndex(op); err != nil {
		return 0, err
	}
	if _, err := d.recordSchedule(WithPrincipal(WithActor(ctx, "system"), nil)); err != nil {
		return 0, err
	}
	now := a.now()
	held, err := d.held(ctx)
	if err != nil {
		return 0, err
	}
	listed, open := d.openLists()
	byClass := map[Class][]AppraisalEntry{}
	q := SearchQuery{Due: true, Now: now, Status: string(StatusArchived), Sort: SortVisitStart, Size: MaxPageSize, NoFacets: true}
	for q.Page = 1; ; q.Page++ {
		res, err := a.index.Search(ctx, q)
		if err != nil {
			return 0, err
		}
		recs, err := a.loadStored(ctx, res.Hits)
		if err != nil {
			return 0, err
		}
		for _, s := range recs {
			if e, ok := a.dueEntry(&s.Record, now); ok && !listed[s.ID] && !held(s.ID, s.CustomerID) {
				byClass[*s.Class] = append(byClass[*s.Class], e)
			}
		}
		if len(res.Hits) < q.Size {
			break
		}
	}
	n := 0
	for _, class := range slices.SortedFunc(mapKeys(byClass), compareClass) {
		added, err := d.addToList(ctx, op, class, open[class], byClass[class])
		n += added
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func mapKeys[K comparable, V any](m map[K]V) func(func(K) bool) {
	return func(yield func(K) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func compareClass(x, y Class) int {
	return cmp.Or(cmp.Compare(x.Year, y.Year), cmp.Compare(x.CustomerType, y.CustomerType),
		cmp.Compare(x.BusinessArea, y.BusinessArea))
}

// openLists returns the records on open lists and the open list of each
// class.
func (d *Disposition) openLists() (map[RecordID]bool, map[Class]*Appraisal) {
	listed, open := map[RecordID]bool{}, map[Class]*Appraisal{}
	for _, l := range d.appraisals.all() {
		if !l.State.Open() {
			continue
		}
		open[l.Class] = l
		for _, e := range l.Entries {
			listed[e.Record] = true
		}
	}
	return listed, open
}

// dueEntry returns the entry of archived record r if it is due at now.
func (a *Archive) dueEntry(r *Record, now time.Time) (AppraisalEntry, bool) {
	p := a.periodInForce(r)
	until := a.retainUntil(r, p)
	if until.IsZero() || until.After(now) || r.Class == nil {
		return AppraisalEntry{}, false
	}
	return AppraisalEntry{Record: r.ID, ReferenceCode: r.ReferenceCode, CustomerID: r.CustomerID,
		CustomerName: r.CustomerName, Topic: r.Topic, Year: r.Class.Year, Retention: p,
		RetainUntil: until, ArchivedAt: r.ArchivedAt}, true
}

// addToList puts entries on the open list of class: a new version of its
// draft, or a new list when it has none. A list under decision takes
// nothing.
func (d *Disposition) addToList(ctx context.Context, op string, class Class, cur *Appraisal, entries []AppraisalEntry) (int, error) {
	a := d.a
	now, by := a.now().UTC(), cmp.Or(ActorFrom(ctx), "system")
	var l Appraisal
	switch {
	case cur == nil:
		l = Appraisal{ID: AppraisalID(NewID("L", now)), Version: 1, Class: class, State: AppraisalDraft,
			CreatedBy: by, CreatedAt: now}
	case cur.State == AppraisalDraft:
		l = *cur
		l.Entries = slices.Clone(cur.Entries)
		l.Version++
	default:
		return 0, nil
	}
	l.Entries = append(l.Entries, entries...)
	l.UpdatedBy, l.UpdatedAt = by, now
	return len(entries), d.writeList(ctx, op, &l)
}

// writeList writes version l.Version of list l and journals it with
// extra.
func (d *Disposition) writeList(ctx context.Context, op string, l *Appraisal, extra ...Change) error {
	ch, err := appraisalKind.put(ctx, d.a, op, l)
	if err != nil {
		for _, x := range extra {
			d.a.dropObject(ctx, x.Key)
		}
		return err
	}
	return d.a.commit(ctx, op, ch, l, extra...)
}

// Appraisals returns the appraisal lists, newest first; those in state
// when it is not empty.
func (d *Disposition) Appraisals(ctx context.Context, state AppraisalState) ([]*Appraisal, error) {
	if err := d.a.allow(ctx, "appraisal.list", PermRead, appraisalResource); err != nil {
		return nil, err
	}
	out := []*Appraisal{}
	for _, l := range slices.Backward(d.appraisals.all()) {
		if state == "" || l.State == state {
			out = append(out, l)
		}
	}
	return out, nil
}

// Appraisal returns list id.
func (d *Disposition) Appraisal(ctx context.Context, id AppraisalID) (*Appraisal, error) {
	const op = "appraisal.get"
	if err := d.a.allow(ctx, op, PermRead, appraisalResource); err != nil {
		return nil, err
	}
	return appraisalKind.current(ctx, d.a, op, id)
}

// EntryDecision is the archivist's decision on one entry.
type EntryDecision struct {
	Record   RecordID  `json:"record"`
	Decision string    `json:"decision"`           // destroy or keep
	KeepFor  Retention `json:"keep_for,omitempty"` // keep: a longer period
	Reason   string    `json:"reason,omitempty"`   // required to keep
}

// change loads list id at version for a move by perm in state want, and
// returns the next version to write.
func (d *Disposition) change(ctx context.Context, op string, perm Permission, id AppraisalID, version int, want AppraisalState) (*Appraisal, error) {
	a := d.a
	if err := a.allow(ctx, op, perm, appraisalResource); err != nil {
		return nil, err
	}
	cur, err := appraisalKind.current(ctx, a, op, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(op, "appraisal", string(id), cur.Version, version); err != nil {
		return nil, err
	}
	if cur.State != want {
		return nil, E(op, Conflict, nil, "appraisal list %s is %s; this needs it %s", id, cur.State, want)
	}
	l := *cur
	l.Entries = slices.Clone(cur.Entries)
	l.Version++
	l.UpdatedBy, l.UpdatedAt = ActorFrom(ctx), a.now().UTC()
	return &l, nil
}

// entry returns the entry of record rid on l.
func entry(op string, l *Appraisal, rid RecordID) (*AppraisalEntry, error) {
	for i := range l.Entries {
		if l.Entries[i].Record == rid {
			return &l.Entries[i], nil
		}
	}
	return nil, invalidField(op, "record", "record %s is not on appraisal list %s", rid, l.ID)
}

// Decide records the archivist's decisions on entries of draft list id
// at version. Every decision is checked before any is recorded; the
// fields of an Invalid error name the decision by its place in ds
// (decisions[1].reason).
func (d *Disposition) Decide(ctx context.Context, id AppraisalID, version int, ds []EntryDecision) (*Appraisal, error) {
	const op = "appraisal.decide"
	l, err := d.change(ctx, op, PermUpdate, id, version, AppraisalDraft)
	if err != nil {
		return nil, err
	}
	if len(ds) == 0 {
		return nil, invalidField(op, "decisions", "is required: at least one")
	}
	var c checker
	entries := make([]*AppraisalEntry, len(ds))
	for i, dec := range ds {
		e, err := entry(op, l, dec.Record)
		if err != nil {
			return nil, err
		}
		entries[i] = e
		checkDecision(&c, "decisions["+itoa(i)+"].", dec, e.Retention)
	}
	if err := c.result(op, "decision"); err != nil {
		return nil, err
	}
	for i, dec := range ds {
		e := entries[i]
		e.Decision, e.Reason, e.DecidedBy, e.DecidedAt = dec.Decision, dec.Reason, ActorFrom(ctx), l.UpdatedAt
		e.KeepFor = ""
		if dec.Decision == DecisionKeep {
			e.KeepFor = dec.KeepFor
		}
	}
	return l, d.writeList(ctx, op, l)
}

// checkDecision checks decision dec on an entry kept for period p, its
// fields named with prefix (decisions[i].): one of destroy and keep;
// keeping needs a reason and a longer period.
func checkDecision(c *checker, prefix string, dec EntryDecision, p Retention) {
	c.required(prefix+"decision", dec.Decision)
	c.oneOf(prefix+"decision", dec.Decision, []string{DecisionDestroy, DecisionKeep})
	c.text(prefix+"reason", dec.Reason, longText)
	if dec.Decision == DecisionKeep {
		c.required(prefix+"reason", dec.Reason)
		if !longer(dec.KeepFor, p) {
			c.add(prefix+"keep_for", "must be a period longer than %s (D30 or Y)", p)
		}
	}
}

// Submit sends draft list id at version, every entry decided, to the
// managers; the caller becomes its compiler.
func (d *Disposition) Submit(ctx context.Context, id AppraisalID, version int) (*Appraisal, error) {
	const op = "appraisal.submit"
	l, err := d.change(ctx, op, PermUpdate, id, version, AppraisalDraft)
	if err != nil {
		return nil, err
	}
	for _, e := range l.Entries {
		if e.Decision == "" {
			return nil, E(op, Conflict, nil, "record %s of appraisal list %s is undecided: decide every entry first", e.Record, id)
		}
	}
	l.State, l.CompiledBy, l.SubmittedAt = AppraisalSubmitted, ActorFrom(ctx), l.UpdatedAt
	return l, d.writeList(ctx, op, l)
}

// review loads submitted list id for a manager's decision, refusing
// whoever compiled it or decided one of its entries.
func (d *Disposition) review(ctx context.Context, op string, id AppraisalID, version int) (*Appraisal, error) {
	l, err := d.change(ctx, op, PermReview, id, version, AppraisalSubmitted)
	if err != nil {
		return nil, err
	}
	me := ActorFrom(ctx)
	decided := slices.ContainsFunc(l.Entries, func(e AppraisalEntry) bool { return e.DecidedBy == me })
	if PrincipalFrom(ctx) != nil && (l.CompiledBy == me || decided) {
		return nil, E(op, Forbidden, nil, "you compiled appraisal list %s or decided its entries: another manager must decide it", id)
	}
	return l, nil
}

// Approve approves submitted list id at version: its keeps come into
// force (a retention change each) and the entries to destroy wait for
// their destruction.
func (d *Disposition) Approve(ctx context.Context, id AppraisalID, version int) (*Appraisal, error) {
	const op = "appraisal.approve"
	l, err := d.review(ctx, op, id, version)
	if err != nil {
		return nil, err
	}
	l.State, l.ApprovedBy, l.ApprovedAt = AppraisalApproved, ActorFrom(ctx), l.UpdatedAt
	var extra []Change
	for _, e := range l.Entries {
		if e.Struck || e.Decision != DecisionKeep {
			continue
		}
		ch, err := d.keep(ctx, op, l, e)
		if err != nil {
			for _, x := range extra {
				d.a.dropObject(ctx, x.Key)
			}
			return nil, err
		}
		extra = append(extra, ch)
	}
	if err := d.writeList(ctx, op, l, extra...); err != nil {
		return nil, err
	}
	for _, e := range l.Entries {
		if !e.Struck && e.Decision == DecisionKeep {
			d.a.lockAfter(ctx, e.Record) // the longer period extends the retention
		}
	}
	return l, nil
}

// keep writes the retention change of kept entry e of l.
func (d *Disposition) keep(ctx context.Context, op string, l *Appraisal, e AppraisalEntry) (Change, error) {
	v := 1
	if cur := d.retentions.get(e.Record); cur != nil {
		v = cur.Version + 1
	}
	rc := &RetentionChange{Record: e.Record, Version: v, Retention: e.KeepFor, Previous: e.Retention,
		Reason: e.Reason, Appraisal: l.ID, DecidedBy: e.DecidedBy, ApprovedBy: l.ApprovedBy, Time: l.ApprovedAt}
	ch, err := retentionKind.put(ctx, d.a, op, rc)
	if err != nil {
		return ch, err
	}
	ch.Action = "record.retain"
	d.a.fresh.Store(ch.Key, rc)
	return ch, nil
}

// Reject rejects submitted list id at version, with a reason: the list
// is closed, and its records go on the next pass's lists.
func (d *Disposition) Reject(ctx context.Context, id AppraisalID, version int, reason string) (*Appraisal, error) {
	const op = "appraisal.reject"
	l, err := d.review(ctx, op, id, version)
	if err != nil {
		return nil, err
	}
	if err := requiredReason(op, reason); err != nil {
		return nil, err
	}
	l.State, l.ApprovedBy, l.ApprovedAt, l.RejectReason = AppraisalRejected, ActorFrom(ctx), l.UpdatedAt, reason
	return l, d.writeList(ctx, op, l)
}

// Strike takes records off submitted list id at version, with a reason:
// they are neither destroyed nor kept.
func (d *Disposition) Strike(ctx context.Context, id AppraisalID, version int, records []RecordID, reason string) (*Appraisal, error) {
	const op = "appraisal.strike"
	l, err := d.review(ctx, op, id, version)
	if err != nil {
		return nil, err
	}
	if err := requiredReason(op, reason); err != nil {
		return nil, err
	}
	if len(records) == 0 {
		return nil, invalidField(op, "records", "is required: at least one")
	}
	for _, rid := range records {
		e, err := entry(op, l, rid)
		if err != nil {
			return nil, err
		}
		e.Struck, e.StruckReason, e.StruckBy, e.StruckAt = true, reason, ActorFrom(ctx), l.UpdatedAt
	}
	return l, d.writeList(ctx, op, l)
}

func requiredReason(op, reason string) error {
	var c checker
	c.required("reason", reason)
	c.text("reason", reason, longText)
	return c.result(op, "decision")
}

// Executed marks approved list id at version executed, now: the
// destruction calls it once every entry of ToDestroy is destroyed or
// skipped for a hold, after its own checks (witnesses), so it asks the
// policy nothing; it needs a caller.
func (d *Disposition) Executed(ctx context.Context, id AppraisalID, version int) (*Appraisal, error) {
	return d.executed(ctx, id, version, "")
}

// executed marks the list executed by destruction (none when every record
// was held).
func (d *Disposition) executed(ctx context.Context, id AppraisalID, version int, destruction string) (*Appraisal, error) {
	const op = "appraisal.execute"
	if _, err := actor(ctx, op); err != nil {
		return nil, err
	}
	cur, err := appraisalKind.current(ctx, d.a, op, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(op, "appraisal", string(id), cur.Version, version); err != nil {
		return nil, err
	}
	if cur.State != AppraisalApproved {
		return nil, E(op, Conflict, nil, "appraisal list %s is %s; this needs it %s", id, cur.State, AppraisalApproved)
	}
	l := *cur
	l.Version++
	l.State, l.UpdatedBy, l.UpdatedAt = AppraisalExecuted, ActorFrom(ctx), d.a.now().UTC()
	l.ExecutedAt, l.Destruction = l.UpdatedAt, destruction
	return &l, d.writeList(ctx, op, &l)
}

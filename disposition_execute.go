package visitarchive

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// witnessesNeeded is how many witnesses (监销人) confirm a list before it
// is executed.
const witnessesNeeded = 2

// Witness confirms approved list id at version as a witness (监销人), under
// the caller's own sign-in: a new version of the list names them. The
// policy says which roles may witness (witness on appraisal); the list's
// approver, its compiler and whoever decided one of its entries may not
// (Forbidden), nor may anyone confirm twice or a third witness (Conflict).
func (d *Disposition) Witness(ctx context.Context, id AppraisalID, version int) (*Appraisal, error) {
	const op = "appraisal.witness"
	if PrincipalFrom(ctx) == nil {
		return nil, E(op, Forbidden, nil, "a witness confirms an appraisal list under their own sign-in")
	}
	l, err := d.change(ctx, op, PermWitness, id, version, AppraisalApproved)
	if err != nil {
		return nil, err
	}
	me := ActorFrom(ctx)
	if !mayWitness(l, me) {
		return nil, E(op, Forbidden, nil, "you approved, compiled or decided appraisal list %s: a witness must be someone else", id)
	}
	if slices.ContainsFunc(l.Witnesses, func(w WitnessConfirmation) bool { return w.By == me }) {
		return nil, E(op, Conflict, nil, "you have confirmed appraisal list %s already: the second witness must be another user", id)
	}
	if len(l.Witnesses) >= witnessesNeeded {
		return nil, E(op, Conflict, nil, "appraisal list %s has its two witnesses already", id)
	}
	l.Witnesses = append(slices.Clone(l.Witnesses), WitnessConfirmation{By: me, At: l.UpdatedAt})
	return l, d.writeList(ctx, op, l)
}

// mayWitness reports whether user u may witness list l: not its
// approver, compiler, or a decider of one of its entries.
func mayWitness(l *Appraisal, u UserName) bool {
	if u == "" || u == l.ApprovedBy || u == l.CompiledBy {
		return false
	}
	return !slices.ContainsFunc(l.Entries, func(e AppraisalEntry) bool { return e.DecidedBy == u || e.StruckBy == u })
}

// witnesses returns the distinct valid witnesses of l, in the order they
// confirmed.
func (l *Appraisal) witnesses() []UserName {
	var out []UserName
	for _, w := range l.Witnesses {
		if mayWitness(l, w.By) && !slices.Contains(out, w.By) {
			out = append(out, w.By)
		}
	}
	return out
}

// Execution is what executing a list did: the list, now executed, the
// destruction that ran (none when every record was held) with the
// records it destroyed, and the records skipped for a hold.
type Execution struct {
	List        *Appraisal     `json:"list"`
	Destruction string         `json:"destruction,omitempty"`
	Destroyed   []RecordID     `json:"destroyed"`
	Skipped     []SkippedEntry `json:"skipped"`
}

// SkippedEntry is a record of a list that its execution did not destroy
// because holds cover it; it goes on a later list once they are released.
type SkippedEntry struct {
	Record        RecordID `json:"record"`
	ReferenceCode string   `json:"reference_code"`
	Holds         []HoldID `json:"holds"`
	Reason        string   `json:"reason"`
}

// DestructionID is the id of the destruction that executes list id: one
// per list, so that executing it again after a crash completes the same
// destruction.
func DestructionID(id AppraisalID) string { return "X" + string(id) }

// Execute executes approved list id at version, which two witnesses
// confirmed, as an archivist or a manager (execute on appraisal): it
// destroys the records to destroy that no hold covers (DestroyRecords, as
// the trusted actor of the caller's name: the journal and the register
// name the caller), skips the held ones, saying why, and marks the list
// executed. A list without its two witnesses is Conflict. Run again after
// a crash, it completes the same destruction.
func (d *Disposition) Execute(ctx context.Context, id AppraisalID, version int) (*Execution, error) {
	const op = "appraisal.execute"
	a := d.a
	if err := a.allow(ctx, op, PermExecute, appraisalResource); err != nil {
		return nil, err
	}
	me, err := actor(ctx, op)
	if err != nil {
		return nil, err
	}
	l, err := appraisalKind.current(ctx, a, op, id)
	if err != nil {
		return nil, err
	}
	if err := checkVersion(op, "appraisal", string(id), l.Version, version); err != nil {
		return nil, err
	}
	if l.State != AppraisalApproved {
		return nil, E(op, Conflict, nil, "appraisal list %s is %s; this needs it %s", id, l.State, AppraisalApproved)
	}
	ws := l.witnesses()
	if len(ws) < witnessesNeeded {
		return nil, E(op, Conflict, nil, "appraisal list %s has %d of the two witnesses it needs: each witness confirms it first under their own sign-in", id, len(ws))
	}
	// The destruction runs as a trusted actor named after the caller, and
	// is not abandoned halfway when the request is.
	tctx := WithPrincipal(WithActor(context.WithoutCancel(ctx), me), nil)
	ex, dest, err := d.plan(tctx, l, ws)
	if err != nil {
		return nil, err
	}
	if dest != nil {
		if _, err := a.DestroyRecords(tctx, *dest); err != nil {
			return nil, err
		}
		a.destructionPoint(pointBeforeList)
		ex.Destruction = dest.ID
	}
	if ex.List, err = d.executed(tctx, id, version, ex.Destruction); err != nil {
		return nil, err
	}
	return ex, nil
}

// plan returns what executing l destroys and skips: the destruction (nil
// when nothing is left to destroy), or the one begun or ended already.
func (d *Disposition) plan(ctx context.Context, l *Appraisal, ws []UserName) (*Execution, *Destruction, error) {
	a := d.a
	ex := &Execution{Destroyed: []RecordID{}, Skipped: []SkippedEntry{}}
	dest := &Destruction{ID: DestructionID(l.ID), List: string(l.ID), Approver: l.ApprovedBy, Witnesses: ws,
		Reason:  "保管期满，经鉴定无继续保存价值 (retention period ended; appraised as of no further value)",
		Reasons: map[RecordID]string{}, Notes: map[RecordID]string{}}
	if reg, err := a.readRegister(ctx, dest.ID); err == nil {
		for _, e := range reg.Entries {
			ex.Destroyed = append(ex.Destroyed, e.Record)
		}
		return ex, dest, nil
	}
	if a.catalog.isBegun(dest.ID) {
		var in destructionIntent
		if err := a.readObject(ctx, DestructionIntentKey(dest.ID), &in); err != nil {
			return nil, nil, err
		}
		ex.Destroyed = in.Records
		return ex, &in.Destruction, nil
	}
	for _, e := range l.ToDestroy() {
		hs, err := d.HeldBy(ctx, e.Record)
		if err != nil {
			return nil, nil, err
		}
		if len(hs) > 0 {
			ex.Skipped = append(ex.Skipped, skipped(e, hs))
			continue
		}
		dest.Records = append(dest.Records, e.Record)
		dest.Reasons[e.Record] = e.Reason
		dest.Notes[e.Record] = fmt.Sprintf("鉴定人 %s，期满 %s", e.DecidedBy, e.RetainUntil.In(a.Location()).Format("2006-01-02"))
	}
	ex.Destroyed = dest.Records
	if len(dest.Records) == 0 {
		ex.Destroyed = []RecordID{}
		return ex, nil, nil
	}
	return ex, dest, nil
}

// skipped is the entry of e skipped for holds hs.
func skipped(e AppraisalEntry, hs []Hold) SkippedEntry {
	s := SkippedEntry{Record: e.Record, ReferenceCode: e.ReferenceCode}
	var why []string
	for _, h := range hs {
		s.Holds = append(s.Holds, h.ID)
		why = append(why, fmt.Sprintf("hold %s (%s, placed by %s): %s", h.ID, h.Scope, h.PlacedBy, h.Reason))
	}
	s.Reason = "under legal hold, not destroyed; it goes on a later list once released — " + strings.Join(why, "; ")
	return s
}

// closeExecuted marks executed every approved list whose destruction has
// ended, in the name of whoever executed it: an execution cut off (a
// crash) after its destruction began, which Open completed, or after it
// ended. Open calls it; a list it cannot close (another process closed
// it first) is logged, and executing it again closes it.
func (d *Disposition) closeExecuted(ctx context.Context) {
	for _, l := range d.appraisals.all() {
		if l.State != AppraisalApproved {
			continue
		}
		reg, err := d.a.readRegister(ctx, DestructionID(l.ID))
		if err == nil {
			tctx := WithPrincipal(WithActor(ctx, reg.By), nil)
			_, err = d.executed(tctx, l.ID, l.Version, reg.ID)
		}
		switch {
		case IsKind(err, NotFound):
		case err != nil:
			d.a.log.Error("cannot mark executed an appraisal list whose destruction ended; executing it again does", "list", l.ID, "err", err)
		default:
			d.a.log.Warn("marked executed an appraisal list whose execution was interrupted after its destruction", "list", l.ID, "destruction", reg.ID)
		}
	}
}

package visitarchive

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// WORM on a LockingStore (S3 object lock): the objects of an archived
// record are kept from deletion by the store itself until the end of the
// record's period, and while a legal hold covers it. On any other store
// (the disk backend) these do nothing: it is not WORM.

// LockRecord gives every stored object of archived record id a retention
// until until, or, when until is zero, until the end of its period
// (RetentionEnd; PermanentRetention for Y). A retention is only ever
// extended, so calling it again after the period was extended extends it.
// It reports false on a store that cannot lock. The operator or the
// retention process runs it (trusted).
func (a *Archive) LockRecord(ctx context.Context, id RecordID, until time.Time) (bool, error) {
	const op = "record.lock"
	ls, keys, r, err := a.lockable(ctx, op, id)
	if err != nil || ls == nil {
		return false, err
	}
	if until.IsZero() {
		until = a.lockUntil(r)
	}
	for _, key := range keys {
		if err := ls.SetRetention(ctx, key, until); err != nil {
			return false, err
		}
	}
	return true, nil
}

// HoldRecord places (on) or releases the store's legal hold on every
// stored object of archived record id. It reports false on a store that
// cannot lock. Trusted, like LockRecord: the holds of the retention
// process call it.
func (a *Archive) HoldRecord(ctx context.Context, id RecordID, on bool) (bool, error) {
	const op = "record.hold"
	ls, keys, _, err := a.lockable(ctx, op, id)
	if err != nil || ls == nil {
		return false, err
	}
	for _, key := range keys {
		if err := ls.SetLegalHold(ctx, key, on); err != nil {
			return false, err
		}
	}
	return true, nil
}

// lockable returns the locking store, the objects and the record of
// archived record id; a nil store when it cannot lock.
func (a *Archive) lockable(ctx context.Context, op string, id RecordID) (LockingStore, []string, *Record, error) {
	if err := trustedOnly(ctx, op); err != nil {
		return nil, nil, nil, err
	}
	ls, ok := a.store.(LockingStore)
	if !ok {
		return nil, nil, nil, nil
	}
	s, err := a.loadRecord(ctx, op, id)
	if err != nil {
		return nil, nil, nil, err
	}
	if s.Status != StatusArchived {
		return nil, nil, nil, E(op, Conflict, nil, "record %s is not archived: only archived records are kept by the store", id)
	}
	keys, err := a.recordObjects(ctx, id)
	return ls, keys, &s.Record, err
}

// lockUntil is when the store may let go of archived record r: the end
// of its period in force, or PermanentRetention for one kept for good.
func (a *Archive) lockUntil(r *Record) time.Time {
	if t := a.retainUntil(r, a.periodInForce(r)); !t.IsZero() {
		return t
	}
	return PermanentRetention
}

// The archive calls these itself when Config.WORM is on (lockAfter and
// holdAfter): archiving a record and approving a keep lock it, placing
// and releasing a hold hold or release the records it covers. A failure
// is logged and does not undo the change the store already journaled:
// the operator locks again (LockRecord, HoldRecord).

// wormCtx is ctx as the trusted actor of its caller, not cancelled with
// the request.
func wormCtx(ctx context.Context) context.Context {
	return WithPrincipal(WithActor(context.WithoutCancel(ctx), cmp.Or(ActorFrom(ctx), "system")), nil)
}

// lockAfter gives archived records ids a retention until the end of their
// period in force, and a legal hold to those a hold covers (a record
// archived under a customer's hold).
func (a *Archive) lockAfter(ctx context.Context, ids ...RecordID) {
	if a.locker == nil {
		return
	}
	tctx := wormCtx(ctx)
	for _, id := range ids {
		if _, err := a.LockRecord(tctx, id, time.Time{}); err != nil {
			a.log.Error("WORM: cannot lock the objects of a record", "record", id, "err", err)
			continue
		}
		if hs, err := a.disposition.HeldBy(tctx, id); err == nil && len(hs) > 0 {
			a.holdAfter(tctx, true, id)
		}
	}
}

// holdAfter places (on) or releases the store's legal hold on the
// archived records among ids; it releases none that another hold still
// covers.
func (a *Archive) holdAfter(ctx context.Context, on bool, ids ...RecordID) {
	if a.locker == nil {
		return
	}
	tctx := wormCtx(ctx)
	for _, id := range ids {
		if !on {
			if hs, err := a.disposition.HeldBy(tctx, id); err != nil || len(hs) > 0 {
				continue
			}
		}
		if _, err := a.HoldRecord(tctx, id, on); err != nil && !IsKind(err, Conflict) {
			a.log.Error("WORM: cannot set the legal hold of a record", "record", id, "on", on, "err", err)
		}
	}
}

// covered returns the archived records hold h covers now.
func (d *Disposition) covered(ctx context.Context, h *Hold) []RecordID {
	var ids []RecordID
	switch {
	case h.Record != "":
		ids = []RecordID{h.Record}
	case h.Customer != "":
		got, err := d.matches(ctx, HoldSearch{CustomerID: h.Customer})
		if err != nil {
			d.a.log.Error("WORM: cannot find the records of a held customer", "hold", h.ID, "err", err)
		}
		ids = got
	case h.Query != nil:
		got, err := d.matches(ctx, *h.Query)
		if err != nil {
			d.a.log.Error("WORM: cannot find the records of a held query", "hold", h.ID, "err", err)
		}
		ids = append(slices.Clone(h.Matched), got...)
		slices.Sort(ids)
		ids = slices.Compact(ids)
	}
	return ids
}

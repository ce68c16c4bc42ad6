package visitarchive

import (
	"context"
	"slices"
)

// HoldRequest is what placing a hold takes: the scope and what it names,
// and the reason.
type HoldRequest struct {
	Scope    HoldScope   `json:"scope"`
	Record   RecordID    `json:"record,omitempty"`
	Customer CustomerID  `json:"customer,omitempty"`
	Query    *HoldSearch `json:"query,omitempty"`
	Reason   string      `json:"reason"`
}

var holdResource = Resource{Kind: KindHold}

// PlaceHold places a legal hold, as an auditor or a manager. A record
// hold names an archived or any other record; a customer hold a customer
// (its records now and later); a query hold a search, whose matches are
// noted now and looked for again whenever holds are asked.
func (d *Disposition) PlaceHold(ctx context.Context, req HoldRequest) (*Hold, error) {
	const op = "hold.place"
	a := d.a
	if err := a.allow(ctx, op, PermCreate, holdResource); err != nil {
		return nil, err
	}
	var c checker
	c.required("reason", req.Reason)
	c.text("reason", req.Reason, longText)
	c.oneOf("scope", string(req.Scope), []string{string(HoldRecord), string(HoldCustomer), string(HoldQuery)})
	switch req.Scope {
	case HoldRecord:
		c.required("record", string(req.Record))
	case HoldCustomer:
		c.required("customer", string(req.Customer))
	case HoldQuery:
		if req.Query == nil || *req.Query == (HoldSearch{}) {
			c.add("query", "is required: at least one filter")
		}
	}
	if err := c.result(op, "hold"); err != nil {
		return nil, err
	}
	now := a.now().UTC()
	h := &Hold{ID: HoldID(NewID("H", now)), Version: 1, Scope: req.Scope, Reason: req.Reason,
		PlacedBy: ActorFrom(ctx), PlacedRole: placerRole(ctx), PlacedAt: now}
	switch req.Scope {
	case HoldRecord:
		if _, err := a.loadRecord(ctx, op, req.Record); err != nil {
			return nil, err
		}
		h.Record = req.Record
	case HoldCustomer:
		if a.customer(req.Customer) == nil {
			return nil, E(op, NotFound, nil, "%s %s not found", Word(KindCustomer), req.Customer)
		}
		h.Customer = req.Customer
	case HoldQuery:
		h.Query = req.Query
		ids, err := d.matches(ctx, *req.Query)
		if err != nil {
			return nil, err
		}
		h.Matched = ids
	}
	ch, err := holdKind.put(ctx, a, op, h)
	if err != nil {
		return nil, err
	}
	if err := a.commit(ctx, op, ch, h); err != nil {
		return nil, err
	}
	if a.locker != nil {
		a.holdAfter(ctx, true, d.covered(ctx, h)...)
	}
	return h, nil
}

// placerRole is the role a hold is placed in: manager before auditor.
func placerRole(ctx context.Context) Role {
	p := PrincipalFrom(ctx)
	switch {
	case p == nil:
		return ""
	case p.Has(RoleManager):
		return RoleManager
	case p.Has(RoleAuditor):
		return RoleAuditor
	}
	return ""
}

// ReleaseHold releases hold id at version, with a reason. Only a holder
// of the role that placed it, or a manager, may: anyone else is
// Forbidden.
func (d *Disposition) ReleaseHold(ctx context.Context, id HoldID, version int, reason string) (*Hold, error) {
	const op = "hold.release"
	a := d.a
	if err := a.allow(ctx, op, PermRead, holdResource); err != nil {
		return nil, err
	}
	cur, err := holdKind.current(ctx, a, op, id)
	if err != nil {
		return nil, err
	}
	if !d.MayRelease(ctx, cur) {
		return nil, E(op, Forbidden, nil, "hold %s was placed by the %s role: only that role or a manager may release it", id, cur.PlacedRole)
	}
	if err := checkVersion(op, "hold", string(id), cur.Version, version); err != nil {
		return nil, err
	}
	if cur.Released {
		return nil, E(op, Conflict, nil, "hold %s is released already", id)
	}
	var c checker
	c.required("reason", reason)
	c.text("reason", reason, longText)
	if err := c.result(op, "hold"); err != nil {
		return nil, err
	}
	h := *cur
	h.Version++
	h.Released, h.ReleasedBy, h.ReleasedAt, h.ReleaseReason = true, ActorFrom(ctx), a.now().UTC(), reason
	ch, err := holdKind.put(ctx, a, op, &h)
	if err != nil {
		return nil, err
	}
	if err := a.commit(ctx, op, ch, &h); err != nil {
		return nil, err
	}
	if a.locker != nil {
		a.holdAfter(ctx, false, d.covered(ctx, &h)...)
	}
	return &h, nil
}

// MayRelease reports whether the caller may release hold h: a trusted
// caller, a manager (manage on hold), or a holder of the role that
// placed it whom the policy lets release holds (cancel on hold).
func (d *Disposition) MayRelease(ctx context.Context, h *Hold) bool {
	p, pol := PrincipalFrom(ctx), d.a.policy
	return p == nil || pol.Allowed(p, PermManage, holdResource) ||
		pol.Allowed(p, PermCancel, holdResource) && p.Has(h.PlacedRole)
}

// Holds returns the holds, newest first; only the active ones when
// active.
func (d *Disposition) Holds(ctx context.Context, active bool) ([]*Hold, error) {
	if err := d.a.allow(ctx, "hold.list", PermRead, holdResource); err != nil {
		return nil, err
	}
	out := []*Hold{}
	for _, h := range slices.Backward(d.holds.all()) {
		if !active || !h.Released {
			out = append(out, h)
		}
	}
	return out, nil
}

// Hold returns hold id.
func (d *Disposition) Hold(ctx context.Context, id HoldID) (*Hold, error) {
	const op = "hold.get"
	if err := d.a.allow(ctx, op, PermRead, holdResource); err != nil {
		return nil, err
	}
	return holdKind.current(ctx, d.a, op, id)
}

// HeldBy returns the active holds that cover record rid: a hold on it,
// on its customer, or on a query that matched it when placed or matches
// it now. Destruction calls it for every record before destroying it;
// it asks no permission (the holds it names are the caller's reason to
// stop).
func (d *Disposition) HeldBy(ctx context.Context, rid RecordID) ([]Hold, error) {
	s, err := d.a.loadRecord(ctx, "hold.check", rid)
	if err != nil {
		return nil, err
	}
	var out []Hold
	for _, h := range d.holds.all() {
		if h.Released {
			continue
		}
		covers := h.Record == rid || h.Customer != "" && h.Customer == s.CustomerID || slices.Contains(h.Matched, rid)
		if !covers && h.Query != nil {
			if covers, err = d.queryCovers(ctx, *h.Query, &s.Record); err != nil {
				return nil, err
			}
		}
		if covers {
			out = append(out, *h)
		}
	}
	return out, nil
}

// queryCovers reports whether search q matches archived record r now:
// the query narrowed to r's reference code, which is r's alone.
func (d *Disposition) queryCovers(ctx context.Context, q HoldSearch, r *Record) (bool, error) {
	if r.ReferenceCode == "" || q.ReferenceCode != "" && q.ReferenceCode != r.ReferenceCode {
		return false, nil
	}
	q.ReferenceCode = r.ReferenceCode
	ids, err := d.matches(ctx, q)
	return slices.Contains(ids, r.ID), err
}

// matches returns every archived record that search q matches, whoever
// may read it.
func (d *Disposition) matches(ctx context.Context, hs HoldSearch) ([]RecordID, error) {
	a := d.a
	if err := a.hasIndex("hold"); err != nil {
		return nil, err
	}
	q := hs.query()
	q.Sort, q.Size, q.NoFacets = SortVisitStart, MaxPageSize, true
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	var out []RecordID
	for q.Page = 1; ; q.Page++ {
		res, err := a.index.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		if len(res.Hits) < q.Size {
			return out, nil
		}
	}
}

// held returns a test of whether a record (by id and customer) is under
// an active hold, evaluating each query hold once.
func (d *Disposition) held(ctx context.Context) (func(RecordID, CustomerID) bool, error) {
	records, customers := map[RecordID]bool{}, map[CustomerID]bool{}
	for _, h := range d.holds.all() {
		if h.Released {
			continue
		}
		records[h.Record], customers[h.Customer] = true, true
		for _, id := range h.Matched {
			records[id] = true
		}
		if h.Query != nil {
			ids, err := d.matches(ctx, *h.Query)
			if err != nil {
				return nil, err
			}
			for _, id := range ids {
				records[id] = true
			}
		}
	}
	delete(records, "")
	delete(customers, "")
	return func(r RecordID, c CustomerID) bool { return records[r] || customers[c] }, nil
}

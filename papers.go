package visitarchive

import (
	"cmp"
	"context"
	"slices"
	"strings"
)

// Papers keeps the paper originals of the archived records: where each
// is, every place it has been, and its loans (see paper.go). Archivists
// change them; auditors and managers read them; the policy's kind is
// KindPaper, which belongs to no department. Reading a paper original
// also needs the right to read its record: to anyone else the record does
// not exist. The Archive holds one Papers (Archive.Papers).
type Papers struct{ a *Archive }

// Papers returns the keeper of the paper originals.
func (a *Archive) Papers() *Papers { return a.papers }

// paperResource is what the policy knows of a paper original.
var paperResource = Resource{Kind: KindPaper}

// Get returns the paper original of record id: where it is now, every
// place it has been and every loan, if the caller may read the record
// (NotFound otherwise) and the paper originals (Forbidden otherwise). A
// record with no paper original on file answers with none (Version 0).
// The read shows borrowers, who are people: it is logged.
func (p *Papers) Get(ctx context.Context, id RecordID) (*PaperOriginal, error) {
	const op = "paper.get"
	a := p.a
	s, err := p.record(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if err := a.allow(ctx, op, PermRead, paperResource); err != nil {
		return nil, err
	}
	out := &PaperOriginal{Record: id, ReferenceCode: s.ReferenceCode, CustomerID: s.CustomerID,
		CustomerName: s.CustomerName, History: []PaperMove{}, Loans: []LoanEntry{}}
	cur, stored := p.current(&s.Record)
	if cur == nil {
		return out, nil
	}
	versions := []*Paper{cur}
	if stored {
		if versions, err = p.versions(ctx, cur); err != nil {
			return nil, err
		}
	}
	now := a.now()
	for _, v := range versions {
		switch v.Event {
		case PaperArchived, PaperRecorded, PaperMoved:
			out.History = append(out.History, PaperMove{Version: v.Version, Location: v.Location, Event: v.Event,
				Reason: v.Reason, By: v.By, Time: v.Time})
		case PaperLent:
			l, err := p.loan(ctx, op, id, v.Loan)
			if err != nil {
				return nil, err
			}
			out.Loans = append(out.Loans, loanEntry(l, cur, now))
		}
	}
	out.Version, out.Location, out.OnLoan = cur.Version, &cur.Location, cur.Loan != ""
	fields := []string{"location", "history"}
	if len(out.Loans) > 0 {
		fields = append(fields, "loans")
	}
	ev := Change{Action: ActionPaperRead, Key: PaperKey(id, cur.Version), Fields: fields}
	return out, a.logAccess(ctx, op, []Change{ev})
}

// record loads record id for a look at its paper original: NotFound when
// there is none or the caller may not read it.
func (p *Papers) record(ctx context.Context, op string, id RecordID) (*storedRecord, error) {
	s, err := p.a.loadRecord(ctx, op, id)
	if err != nil {
		return nil, err
	}
	return s, p.a.visible(ctx, op, RecordResource(&s.Record), string(id))
}

// current returns the current Paper of archived record r, nil when none
// is on file, and whether it is stored. A record archived with a location
// before paper originals had versions of their own has its location only
// in the record: that is version 1, not stored, and the first change
// writes it (see claim).
func (p *Papers) current(r *Record) (*Paper, bool) {
	if cur := p.a.paper.get(r.ID); cur != nil {
		return cur, true
	}
	if r.Status != StatusArchived || r.PaperLocation == nil {
		return nil, false
	}
	return archivedPaper(r), false
}

// archivedPaper is version 1 of the Paper of r, archived with a location.
func archivedPaper(r *Record) *Paper {
	return &Paper{Record: r.ID, Version: 1, ReferenceCode: r.ReferenceCode, CustomerID: r.CustomerID,
		CustomerName: r.CustomerName, Location: *r.PaperLocation, Event: PaperArchived, By: r.ArchivedBy, Time: r.ArchivedAt}
}

// archived writes version 1 of the Paper of r, which is being archived,
// when it has a location, and returns the change for the record's journal
// entry (none, with no Key, when it has none).
func (p *Papers) archived(ctx context.Context, op string, r *Record) (Change, error) {
	if r.PaperLocation == nil {
		return Change{}, nil
	}
	ch, err := paperKind.put(ctx, p.a, op, archivedPaper(r))
	ch.Action = ActionPaperArchive
	return ch, err
}

// versions reads versions 1 to cur's of a Paper, oldest first. Only the
// current one is in the catalog; those before it were current once, and
// verify checks them against the journal.
func (p *Papers) versions(ctx context.Context, cur *Paper) ([]*Paper, error) {
	out := make([]*Paper, cur.Version)
	out[cur.Version-1] = cur
	err := parallel(ctx, cur.Version-1, func(i int) error {
		out[i] = new(Paper)
		_, err := readJSON(ctx, p.a.store, PaperKey(cur.Record, i+1), out[i])
		return err
	})
	return out, err
}

// MayChange tells, before anything a request sends is read, whether the
// caller may change the paper original of record id: NotFound when they
// may not read the record or there is none, Forbidden when they may not
// change paper originals, Conflict when the record is not archived (its
// original is filed when it is). The change checks again.
func (p *Papers) MayChange(ctx context.Context, id RecordID) error {
	_, err := p.forChange(ctx, "paper.change", id)
	return err
}

// forChange loads record id for a change of its paper original (see
// MayChange).
func (p *Papers) forChange(ctx context.Context, op string, id RecordID) (*storedRecord, error) {
	s, err := p.record(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if err := p.a.allow(ctx, op, PermUpdate, paperResource); err != nil {
		return nil, err
	}
	if s.Status != StatusArchived {
		return nil, E(op, Conflict, nil, "record %s is %s; its paper original is filed when it is archived", id, s.Status)
	}
	return s, nil
}

// Move moves the paper original of record id to req.Location, for
// req.Reason, and returns its new version. req.Version must be the
// current one (Conflict otherwise); a record archived without a location
// has none on file, version 0, and gets its first. A move to where it is
// already writes nothing and returns the current version.
func (p *Papers) Move(ctx context.Context, id RecordID, req PaperMoveRequest) (*Paper, error) {
	const op = "paper.move"
	s, err := p.forChange(ctx, op, id)
	if err != nil {
		return nil, err
	}
	cur, stored := p.current(&s.Record)
	version := 0
	if cur != nil {
		version = cur.Version
	}
	if err := checkVersion(op, Word(KindPaper), string(id), version, req.Version); err != nil {
		return nil, err
	}
	var c checker
	if req.Location == nil {
		c.add("location", "is required")
	} else {
		req.Location.check(&c, "location")
	}
	c.required("reason", req.Reason)
	c.text("reason", req.Reason, loanText)
	if err := c.result(op, "paper move"); err != nil {
		return nil, err
	}
	if cur != nil && cur.Location == *req.Location {
		return cur, nil
	}
	event := PaperMoved
	if cur == nil {
		event = PaperRecorded
	}
	next := p.next(ctx, &s.Record, cur, event)
	next.Location, next.Reason = *req.Location, req.Reason
	changes, err := p.claim(ctx, op, cur, stored, next)
	if err != nil {
		return nil, err
	}
	return next, p.commit(ctx, op, next, changes)
}

// next is the version of the Paper of r after cur (nil: none yet) that
// event makes, by the caller, now; it keeps cur's place and loan.
func (p *Papers) next(ctx context.Context, r *Record, cur *Paper, event PaperEvent) *Paper {
	n := &Paper{Record: r.ID, ReferenceCode: r.ReferenceCode, CustomerID: r.CustomerID, CustomerName: r.CustomerName}
	if cur != nil {
		c := *cur
		n = &c
	}
	n.Version++
	n.Event, n.Reason, n.By, n.Time = event, "", ActorFrom(ctx), p.a.now().UTC()
	return n
}

// claim writes next, the next version of a Paper, create-only: the lock
// of every change of an original, since of two writers of one version
// exactly one wins (Conflict for the other). A current version cur that
// was never stored (see current) is written first. It returns the changes
// to journal, next's last.
func (p *Papers) claim(ctx context.Context, op string, cur *Paper, stored bool, next *Paper) ([]Change, error) {
	var changes []Change
	if cur != nil && !stored {
		ch, err := paperKind.put(ctx, p.a, op, cur)
		if err != nil {
			return nil, err
		}
		ch.Action = ActionPaperArchive
		changes = append(changes, ch)
	}
	ch, err := paperKind.put(ctx, p.a, op, next)
	if err != nil {
		p.drop(ctx, changes)
		return nil, err
	}
	return append(changes, ch), nil
}

// commit journals next, whose write is the last of changes, as op, with
// the objects of the other changes and of more, all written; if the
// journal refuses, they are removed again.
func (p *Papers) commit(ctx context.Context, op string, next *Paper, changes []Change, more ...Change) error {
	last := len(changes) - 1
	return p.a.commit(ctx, op, changes[last], next, slices.Concat(changes[:last], more)...)
}

// drop removes the objects of changes, which will not be journaled.
func (p *Papers) drop(ctx context.Context, changes []Change) {
	for _, c := range changes {
		p.a.dropObject(ctx, c.Key)
	}
}

// List lists the paper originals where f says they are now, by place and
// reference code, a page at a time. Only who may read paper originals
// may; the listing shows no borrower, and is not logged.
func (p *Papers) List(ctx context.Context, f PaperFilter) (*PaperPage, error) {
	const op = "paper.list"
	if err := p.a.allow(ctx, op, PermRead, paperResource); err != nil {
		return nil, err
	}
	var c checker
	c.pageSize(&f.Page, &f.Size)
	if err := c.result(op, "query"); err != nil {
		return nil, err
	}
	var all []PaperEntry
	for _, cur := range p.a.paper.all() {
		if f.match(cur.Location) {
			all = append(all, PaperEntry{Record: cur.Record, Version: cur.Version, ReferenceCode: cur.ReferenceCode,
				CustomerID: cur.CustomerID, CustomerName: cur.CustomerName, Location: cur.Location, OnLoan: cur.Loan != ""})
		}
	}
	slices.SortFunc(all, func(x, y PaperEntry) int {
		return cmp.Or(x.Location.compare(y.Location), strings.Compare(x.ReferenceCode, y.ReferenceCode),
			strings.Compare(string(x.Record), string(y.Record)))
	})
	from := min((f.Page-1)*f.Size, len(all))
	page := all[from:min(from+f.Size, len(all))]
	return &PaperPage{Total: len(all), Page: f.Page, Size: f.Size, Records: append([]PaperEntry{}, page...)}, nil
}

// match reports whether l is where f says.
func (f PaperFilter) match(l PaperLocation) bool {
	return (f.Cabinet == "" || l.Cabinet == f.Cabinet) && (f.Shelf == "" || l.Shelf == f.Shelf) &&
		(f.Box == "" || l.Box == f.Box)
}

// compare orders places by cabinet, shelf and box.
func (l PaperLocation) compare(o PaperLocation) int {
	return cmp.Or(strings.Compare(l.Cabinet, o.Cabinet), strings.Compare(l.Shelf, o.Shelf), strings.Compare(l.Box, o.Box))
}

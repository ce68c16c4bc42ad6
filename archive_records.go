package visitarchive

import (
	"context"
	"slices"
	"time"
)

// CreateRecord validates r and stores it as version 1 of a new draft. The
// customer must exist; an empty customer_name is taken from it, and an
// empty department is the caller's.
func (a *Archive) CreateRecord(ctx context.Context, r Record) (*Record, error) {
	const op = "record.create"
	u, err := actor(ctx, op)
	if err != nil {
		return nil, err
	}
	if err := a.mayEver(ctx, op, PermCreate, KindRecord); err != nil {
		return nil, err
	}
	if p := PrincipalFrom(ctx); p != nil && r.Department == "" {
		r.Department = p.Department
	}
	if err := a.checkRecord(ctx, op, &r, nameOnFile{}); err != nil {
		return nil, err
	}
	now := a.now().UTC()
	if r.ID == "" {
		r.ID = RecordID(NewID("R", now))
	}
	r.Version, r.Status, r.Hidden, r.Annotations = 1, StatusDraft, nil, nil
	r.Workflow = Workflow{DueAt: a.dueAt(r.VisitEnd)}
	r.Audit = Audit{CreatedAt: now, CreatedBy: u, UpdatedAt: now, UpdatedBy: u}
	if err := a.allow(ctx, op, PermCreate, RecordResource(&r)); err != nil {
		return nil, err
	}
	return &r, a.writeRecord(ctx, op, &r)
}

// checkRecord validates r, resolves its customer and its name (prev is
// what the current version names, zero for a new record: see
// nameFromCustomer) and checks that its department exists.
func (a *Archive) checkRecord(ctx context.Context, op string, r *Record, prev nameOnFile) error {
	if err := r.Validate(); err != nil {
		return err
	}
	var c checker
	cu := a.customerFor(ctx, r.CustomerID)
	if cu == nil {
		c.add("customer_id", "no customer %s exists; create it first", r.CustomerID)
	} else {
		nameFromCustomer(&c, cu, &r.CustomerName, prev)
	}
	a.checkDepartment(&c, r.Department)
	return c.result(op, "record")
}

// nameOnFile is the customer that the current version of a record or
// plan names, and the name it gives it.
type nameOnFile struct {
	id   CustomerID
	name string
}

// nameFromCustomer sets *name, the customer_name of a record or plan,
// from its customer cu, and refuses another name sent: a visit cannot be
// filed, or found by name, under the name of a customer it does not
// name. prev is what the current version names (zero for a new object).
// The name may be left out, or sent back as the current version has it:
// it stays while the customer does (a visit keeps the name its customer
// had then), and becomes the new customer's when customer_id changes.
func nameFromCustomer(c *checker, cu *Customer, name *string, prev nameOnFile) {
	switch {
	case *name == cu.Name:
	case *name != "" && *name != prev.name:
		c.add("customer_name", "is %q, the name of customer %s: it comes from the customer that customer_id names; leave it out", cu.Name, cu.ID)
	case prev.id == cu.ID && prev.name != "":
		*name = prev.name
	default:
		*name = cu.Name
	}
}

// planOnFile is the nameOnFile of the current version of plan id, from
// the cache of plans.
func (a *Archive) planOnFile(id PlanID) nameOnFile {
	if cur := a.plans.get(id); id != "" && cur != nil {
		return nameOnFile{cur.CustomerID, cur.CustomerName}
	}
	return nameOnFile{}
}

// customerFor returns customer id as a reference a write names, or nil
// when there is none that the caller may read: a customer hidden from
// the caller answers as one that does not exist. (Every role that files
// records or plans may read every customer today; this keeps it so if
// the permission table changes.)
func (a *Archive) customerFor(ctx context.Context, id CustomerID) *Customer {
	cu := a.customer(id)
	if cu == nil || !a.Allowed(ctx, PermRead, Resource{Kind: KindCustomer}) {
		return nil
	}
	return cu
}

// checkDepartment reports a department that does not exist. Every
// signed-in user may list the departments, so saying so tells nothing.
func (a *Archive) checkDepartment(c *checker, dept DepartmentID) {
	if dept != "" && a.accounts.dept(dept) == nil {
		c.add("department", "no department %s exists", dept)
	}
}

// keepDepartment holds the department of the next version of a record
// or plan to cur, the one it was created in: left empty it stays so, and
// another one is Invalid. Nobody moves a record or plan: moved, a draft
// would leave the review and overdue lists of its supervisors for those
// of another department, and a right to move it would have to hold in
// both departments.
func keepDepartment(op string, next *DepartmentID, cur DepartmentID) error {
	if *next == "" {
		*next = cur
	}
	if *next != cur {
		return invalidField(op, "department", "is %s and cannot change: a record or plan stays in the department it was created in", cur)
	}
	return nil
}

// writeRecord seals r and stores it with its data key, if it needed a new
// one, in one journal entry.
func (a *Archive) writeRecord(ctx context.Context, op string, r *Record) error {
	return a.writeRecordWith(ctx, op, r, nil)
}

// writeRecordWith is writeRecord journaling the objects of extra (already
// written, such as notifications) in the same entry; they are removed
// again if the record cannot be written.
func (a *Archive) writeRecordWith(ctx context.Context, op string, r *Record, extra []Change) error {
	ctx, end := a.writing.begin(ctx)
	defer end()
	s, keyDone, err := a.sealRecord(ctx, r)
	var ch Change
	if err == nil {
		ch, err = recordKind.put(ctx, a, op, s) // beside the data key's
	}
	return a.commitSealed(ctx, op, ch, s, err, keyDone, extra)
}

// loadRecord returns the stored form of the latest version of record id,
// or NotFound.
func (a *Archive) loadRecord(ctx context.Context, op string, id RecordID) (*storedRecord, error) {
	return recordKind.current(ctx, a, op, id)
}

// GetRecord returns the latest version of record id, with its sensitive
// fields if the caller may see them, and logs the read. A record the
// caller may not read is NotFound.
func (a *Archive) GetRecord(ctx context.Context, id RecordID) (*Record, error) {
	const op = "record.get"
	s, err := a.loadRecord(ctx, op, id)
	if err != nil {
		return nil, err
	}
	res := RecordResource(&s.Record)
	if err := a.visible(ctx, op, res, string(id)); err != nil {
		return nil, err
	}
	reveal := a.reveals(ctx, res)
	r, err := a.openRecord(ctx, s, reveal)
	if err != nil {
		return nil, err
	}
	if r.Status == StatusArchived {
		if r.Annotations, err = a.annotations(ctx, r.ID); err != nil {
			return nil, err
		}
		a.withDue(r)
	}
	ev := Change{Action: ActionRead, Key: RecordKey(r.ID, r.Version), Fields: readFields(r, reveal, a.sensitive)}
	return r, a.logAccess(ctx, op, []Change{ev})
}

// UpdateRecord replaces record r.ID with r. r.Version must be the version
// being changed: a stale version is Conflict. Sensitive fields the caller
// may not see keep their stored values, and the department stays
// (keepDepartment). An update that changes nothing writes nothing and
// returns the current version.
func (a *Archive) UpdateRecord(ctx context.Context, r Record) (*Record, error) {
	const op = "record.update"
	u, err := actor(ctx, op)
	if err != nil {
		return nil, err
	}
	cur, err := a.loadRecord(ctx, op, r.ID)
	if err != nil {
		return nil, err
	}
	if err := a.mayUpdate(ctx, op, &cur.Record); err != nil {
		return nil, err
	}
	if err := checkVersion(op, "record", string(r.ID), cur.Version, r.Version); err != nil {
		return nil, err
	}
	if err := a.keepHidden(ctx, cur, &r); err != nil {
		return nil, err
	}
	if err := keepDepartment(op, &r.Department, cur.Department); err != nil {
		return nil, err
	}
	if err := a.checkRecord(ctx, op, &r, nameOnFile{cur.CustomerID, cur.CustomerName}); err != nil {
		return nil, err
	}
	r.Version, r.Status, r.Hidden, r.Workflow, r.Annotations = cur.Version+1, cur.Status, nil, cur.Workflow, nil
	r.Audit = Audit{CreatedAt: cur.CreatedAt, CreatedBy: cur.CreatedBy, UpdatedAt: a.now().UTC(), UpdatedBy: u}
	a.revisit(&cur.Record, &r)
	if err := a.allow(ctx, op, PermUpdate, RecordResource(&r)); err != nil {
		return nil, err
	}
	old, err := a.openRecord(ctx, cur, true)
	if err != nil {
		return nil, err
	}
	if unchanged(old, &r, "hidden") {
		return a.asSeen(ctx, old), nil
	}
	return &r, a.writeRecord(ctx, op, &r)
}

// mayUpdate checks that the caller may see cur (NotFound otherwise),
// change it (Forbidden otherwise), and that its state allows an edit
// (Conflict otherwise).
func (a *Archive) mayUpdate(ctx context.Context, op string, cur *Record) error {
	res := RecordResource(cur)
	if err := a.visible(ctx, op, res, string(cur.ID)); err != nil {
		return err
	}
	return a.mayMove(ctx, op, PermUpdate, res, string(cur.ID), recordMoves, "update")
}

// keepHidden copies into r the stored sensitive values of cur when the
// caller may not see them: what you cannot see you cannot change.
func (a *Archive) keepHidden(ctx context.Context, cur *storedRecord, r *Record) error {
	if cur.Sealed == nil || a.reveals(ctx, RecordResource(&cur.Record)) {
		return nil
	}
	old, err := a.openRecord(ctx, cur, true)
	if err != nil {
		return err
	}
	putSecrets(r, takeSecrets(old, a.sensitive))
	return nil
}

// VersionInfo is one version in an object's history.
type VersionInfo struct {
	Version int       `json:"version"`
	Actor   UserName  `json:"actor"`
	Time    time.Time `json:"time"`
	SHA256  string    `json:"sha256"`
}

// RecordHistory lists every version of record id, oldest first.
func (a *Archive) RecordHistory(ctx context.Context, id RecordID) ([]VersionInfo, error) {
	const op = "record.history"
	s, err := a.loadRecord(ctx, op, id)
	if err != nil {
		return nil, err
	}
	if err := a.visible(ctx, op, RecordResource(&s.Record), string(id)); err != nil {
		return nil, err
	}
	return recordKind.history(ctx, a, id, s.Version, func(r *storedRecord) VersionInfo {
		return VersionInfo{Version: r.Version, Actor: r.UpdatedBy, Time: r.UpdatedAt}
	})
}

// RecordPage is one page of records and the total that matched.
type RecordPage struct {
	Total   uint64    `json:"total"`
	Records []*Record `json:"records"`
}

// ListRecords returns the records that match q's filters and that the
// caller may read, newest visit first unless q.Sort says otherwise, and
// logs the reads.
func (a *Archive) ListRecords(ctx context.Context, q SearchQuery) (*RecordPage, error) {
	const op = "record.list"
	if q.Sort == "" {
		q.Sort = SortVisitStartDesc
	}
	q.NoFacets = true
	res, err := a.search(ctx, op, q)
	if err != nil {
		return nil, err
	}
	stored, err := a.loadStored(ctx, res.Hits)
	if err != nil {
		return nil, err
	}
	recs := make([]*Record, 0, len(stored))
	events := make([]Change, 0, len(stored))
	reveals := a.recordRevealer(ctx)
	for _, s := range stored {
		reveal := reveals(RecordResource(&s.Record))
		r, err := a.openRecord(ctx, s, reveal)
		if err != nil {
			return nil, err
		}
		a.withDue(r)
		recs = append(recs, r)
		events = append(events, Change{Action: ActionRead, Key: RecordKey(r.ID, r.Version), Fields: readFields(r, reveal, a.sensitive)})
	}
	return &RecordPage{Total: res.Total, Records: recs}, a.logAccess(ctx, op, events)
}

// loadStored reads the stored records of hits, several at a time. A
// record the index knows but the store does not is left out and logged.
func (a *Archive) loadStored(ctx context.Context, hits []SearchHit) ([]*storedRecord, error) {
	recs := make([]*storedRecord, len(hits))
	err := parallel(ctx, len(hits), func(i int) error {
		r, err := a.loadRecord(ctx, "record.list", hits[i].ID)
		if IsKind(err, NotFound) {
			a.log.Warn("index names a record the store does not have", "id", hits[i].ID)
			return nil
		}
		recs[i] = r
		return err
	})
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(recs, func(r *storedRecord) bool { return r == nil }), nil
}

// Search runs q against the index over the records the caller may read,
// and logs the hits it returns. The log is written while the index
// fetches and highlights the hits (SearchQuery.OnPage), and the answer
// waits for it.
func (a *Archive) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	const op = "search"
	var logged chan error
	q.OnPage = func(ids []RecordID) {
		events := make([]Change, len(ids))
		for i, id := range ids {
			events[i] = Change{Action: ActionHit, Key: recordRef(id), Fields: []string{"topic", "fragments"}}
		}
		logged = make(chan error, 1)
		go func() { logged <- a.logAccess(ctx, op, events) }()
	}
	res, err := a.search(ctx, op, q)
	if err == nil {
		a.markFiles(ctx, q.Text, res.Hits)
	}
	if logged != nil {
		if lerr := <-logged; err == nil {
			err = lerr
		}
	}
	if err != nil {
		return nil, err
	}
	return res, nil
}

// search runs q limited to the caller's scope. A lookup by phone or e-mail
// is limited to the records whose sensitive fields the caller may see, so
// that it cannot probe hidden values.
func (a *Archive) search(ctx context.Context, op string, q SearchQuery) (*SearchResult, error) {
	if q.Now.IsZero() {
		q.Now = a.now()
	}
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	if err := a.checkCustomerFilter(ctx, op, q.CustomerID); err != nil {
		return nil, err
	}
	if err := a.hasIndex(op); err != nil {
		return nil, err
	}
	if err := a.limitQuery(ctx, op, PermRead, &q); err != nil {
		return nil, err
	}
	return a.index.Search(ctx, q)
}

// checkCustomerFilter refuses a customer filter that names no customer:
// most often a name given where an id belongs, which would silently
// match nothing. Whoever may not read customers is told nothing of which
// exist: their filter matches what it matches.
func (a *Archive) checkCustomerFilter(ctx context.Context, op string, id CustomerID) error {
	if id == "" || !a.Allowed(ctx, PermRead, customerResource) || a.customer(id) != nil {
		return nil
	}
	return invalidField(op, "customer", "takes a customer id, and no customer has the id %q: "+
		"to find visits by the customer's name, search its words with q, or the exact name with customer_name", id)
}

// limitQuery limits q to the records the caller may do perm on; a lookup
// by phone or e-mail further to those whose sensitive fields they may see.
func (a *Archive) limitQuery(ctx context.Context, op string, perm Permission, q *SearchQuery) error {
	scope, err := a.scope(ctx, op, perm, KindRecord)
	if err != nil || scope == nil {
		q.Blind = a.blindTokens(q.ContactPhone, q.ContactEmail)
		return err
	}
	if q.ContactPhone != "" || q.ContactEmail != "" {
		q.Blind = a.blindTokens(q.ContactPhone, q.ContactEmail)
		sensitive, err := a.scope(ctx, op, PermReadSensitive, KindRecord)
		if err != nil {
			return err
		}
		*scope = scope.Intersect(*sensitive)
	}
	q.Scope = scope
	return nil
}

// blindTokens returns the index tokens of an exact contact lookup.
func (a *Archive) blindTokens(phone, email string) []string {
	var out []string
	if phone != "" {
		out = append(out, "contact_phone:"+a.keys.Blind("contact_phone", phone))
	}
	if email != "" {
		out = append(out, "contact_email:"+a.keys.Blind("contact_email", email))
	}
	return out
}

// Location is the company's time zone (WorkflowConfig.Location), set
// once the Archive is open: the server reads dates without a time in it.
func (a *Archive) Location() *time.Location { return a.workflow.Location }

// Now is the time of the Archive's clock (Config.Now): the pages compare
// deadlines with it, as the Archive's own overdue checks do.
func (a *Archive) Now() time.Time { return a.now() }

// localDate is the day of t in the company's time zone, as messages to
// people show it: a visit at 07:00 in Shanghai is on that day there,
// though it is the day before in UTC.
func (a *Archive) localDate(t time.Time) string {
	return t.In(a.workflow.Location).Format(time.DateOnly)
}

// localTime is t to the minute in the company's time zone, named, as
// messages to people show a deadline: 2026-03-02 11:00 CST.
func (a *Archive) localTime(t time.Time) string {
	return t.In(a.workflow.Location).Format("2006-01-02 15:04 MST")
}

// RecordDue returns when the record of a visit that ended at end must be
// submitted (the zero time for a zero end): the deadline a record of that
// visit gets, which the pages show beside a plan that has none yet.
func (a *Archive) RecordDue(end time.Time) time.Time { return a.dueAt(end) }

// dueAt is when a record of a visit that ended at end must be submitted.
func (a *Archive) dueAt(end time.Time) time.Time {
	if end.IsZero() {
		return time.Time{}
	}
	return end.Add(a.workflow.FilingPeriod).UTC()
}

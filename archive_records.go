package visitarchive

import (
	"context"
	"slices"
	"time"
)

// CreateRecord validates r and stores it as version 1 of a new draft. The
// customer must exist; an empty customer_name is taken from it.
func (a *Archive) CreateRecord(ctx context.Context, r Record) (*Record, error) {
	const op = "record.create"
	u, err := actor(ctx, op)
	if err != nil {
		return nil, err
	}
	if err := a.checkRecord(op, &r); err != nil {
		return nil, err
	}
	now := a.now().UTC()
	if r.ID == "" {
		r.ID = RecordID(NewID("R", now))
	}
	r.Version = 1
	r.Status = StatusDraft
	r.Audit = Audit{CreatedAt: now, CreatedBy: u, UpdatedAt: now, UpdatedBy: u}
	return &r, a.writeRecord(ctx, op, &r)
}

// checkRecord validates r and resolves its customer.
func (a *Archive) checkRecord(op string, r *Record) error {
	if err := r.Validate(); err != nil {
		return err
	}
	cu := a.customers.get(r.CustomerID)
	if cu == nil {
		e := E(op, Invalid, nil, "the record names a customer that does not exist")
		e.Fields = []FieldError{{Field: "customer_id", Message: "no customer " + string(r.CustomerID) + " exists; create it first"}}
		return e
	}
	if r.CustomerName == "" {
		r.CustomerName = cu.Name
	}
	return nil
}

func (a *Archive) writeRecord(ctx context.Context, op string, r *Record) error {
	key := RecordKey(r.ID, r.Version)
	info, err := a.put(ctx, key, r)
	if IsKind(err, Conflict) {
		if r.Version == 1 {
			return E(op, Conflict, err, "record %s already exists", r.ID)
		}
		return E(op, Conflict, err, "record %s was changed by someone else (version %d exists); reload it and apply your change again", r.ID, r.Version)
	}
	if err != nil {
		return err
	}
	return a.commit(ctx, op, key, info, r)
}

// GetRecord returns the latest version of record id, or NotFound.
func (a *Archive) GetRecord(ctx context.Context, id RecordID) (*Record, error) {
	if !ValidID(string(id)) {
		return nil, E("record.get", NotFound, nil, "record %q not found", id)
	}
	key, err := a.latestKey(ctx, RecordsPrefix+string(id)+"/", "record "+string(id))
	if err != nil {
		return nil, err
	}
	return readRecord(ctx, a.store, key)
}

func readRecord(ctx context.Context, store Store, key string) (*Record, error) {
	var r Record
	if _, err := readJSON(ctx, store, key, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// UpdateRecord replaces record r.ID with r. r.Version must be the version
// being changed: a stale version is Conflict.
func (a *Archive) UpdateRecord(ctx context.Context, r Record) (*Record, error) {
	const op = "record.update"
	u, err := actor(ctx, op)
	if err != nil {
		return nil, err
	}
	cur, err := a.GetRecord(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	if r.Version != cur.Version {
		return nil, E(op, Conflict, nil, "record %s is at version %d, not %d; reload it and apply your change again", r.ID, cur.Version, r.Version)
	}
	if err := a.checkRecord(op, &r); err != nil {
		return nil, err
	}
	r.Version = cur.Version + 1
	r.Status = cur.Status
	r.Audit = Audit{CreatedAt: cur.CreatedAt, CreatedBy: cur.CreatedBy, UpdatedAt: a.now().UTC(), UpdatedBy: u}
	return &r, a.writeRecord(ctx, op, &r)
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
	if !ValidID(string(id)) {
		return nil, E("record.history", NotFound, nil, "record %q not found", id)
	}
	var out []VersionInfo
	for info, err := range a.store.List(ctx, RecordsPrefix+string(id)+"/", "") {
		if err != nil {
			return nil, err
		}
		r, err := readRecord(ctx, a.store, info.Key)
		if err != nil {
			return nil, err
		}
		out = append(out, VersionInfo{Version: r.Version, Actor: r.UpdatedBy, Time: r.UpdatedAt, SHA256: info.SHA256})
	}
	if len(out) == 0 {
		return nil, E("record.history", NotFound, nil, "record %s not found", id)
	}
	return out, nil
}

// RecordPage is one page of records and the total that matched.
type RecordPage struct {
	Total   uint64    `json:"total"`
	Records []*Record `json:"records"`
}

// ListRecords returns the records that match q's filters, read from the
// store, newest visit first unless q.Sort says otherwise.
func (a *Archive) ListRecords(ctx context.Context, q SearchQuery) (*RecordPage, error) {
	if q.Sort == "" {
		q.Sort = SortVisitStartDesc
	}
	q.NoFacets = true
	res, err := a.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	recs, err := a.loadRecords(ctx, res.Hits)
	if err != nil {
		return nil, err
	}
	return &RecordPage{Total: res.Total, Records: recs}, nil
}

// loadRecords reads the records of hits from the store, several at a time.
// A record the index knows but the store does not is left out and logged.
func (a *Archive) loadRecords(ctx context.Context, hits []SearchHit) ([]*Record, error) {
	recs := make([]*Record, len(hits))
	err := parallel(ctx, len(hits), func(i int) error {
		r, err := a.GetRecord(ctx, hits[i].ID)
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
	return slices.DeleteFunc(recs, func(r *Record) bool { return r == nil }), nil
}

// Search runs q against the index.
func (a *Archive) Search(ctx context.Context, q SearchQuery) (*SearchResult, error) {
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	if err := a.hasIndex("search"); err != nil {
		return nil, err
	}
	return a.index.Search(ctx, q)
}

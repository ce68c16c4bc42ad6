package visitarchive

import (
	"bytes"
	"context"
	"time"
)

// Disposition is the appraisal, approval and legal holds of archived
// records (see disposition.go). The Archive holds one.
type Disposition struct {
	a          *Archive
	appraisals *cache[AppraisalID, Appraisal]
	holds      *cache[HoldID, Hold]
	retentions *cache[RecordID, RetentionChange]
}

func newDisposition(a *Archive) *Disposition {
	return &Disposition{a: a, appraisals: newCache(appraisalKind), holds: newCache(holdKind),
		retentions: newCache(retentionKind)}
}

// Disposition returns the keeper of appraisal lists and legal holds.
func (a *Archive) Disposition() *Disposition { return a.disposition }

// load loads the current lists, holds and retention changes.
func (d *Disposition) load(ctx context.Context) error {
	for _, l := range []interface {
		load(context.Context, *Archive) error
	}{d.appraisals, d.holds, d.retentions} {
		if err := l.load(ctx, d.a); err != nil {
			return err
		}
	}
	return nil
}

// follow caches what journal change c wrote.
func (d *Disposition) follow(ctx context.Context, c Change) error {
	var err error
	switch {
	case hasPrefix(c.Key, AppraisalsPrefix):
		_, err = d.appraisals.follow(ctx, d.a, c)
	case hasPrefix(c.Key, HoldsPrefix):
		_, err = d.holds.follow(ctx, d.a, c)
	case hasPrefix(c.Key, RetentionsPrefix):
		_, err = d.retentions.follow(ctx, d.a, c)
	}
	return err
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

// periodInForce is the longest of the period archiving gave r, the one
// the schedule gives its class now and the one an approved keep gave it;
// "" for a record not archived.
func (a *Archive) periodInForce(r *Record) Retention {
	if r.Status != StatusArchived || r.Retention == "" {
		return ""
	}
	p := r.Retention
	if s := a.workflow.Schedule; s != nil && r.Class != nil {
		if q := s.Retention(*r.Class); longer(q, p) {
			p = q
		}
	}
	if c := a.disposition.retentions.get(r.ID); c != nil && longer(c.Retention, p) {
		p = c.Retention
	}
	return p
}

// retainUntil is when archived record r falls due for appraisal under
// period p: 1 January of the year after its visit year, in the company's
// time zone, plus the period's years; zero for Y or a record without a
// class.
func (a *Archive) retainUntil(r *Record, p Retention) time.Time {
	if r.Class == nil || r.Class.Year == 0 {
		return time.Time{}
	}
	end, _ := RetentionEnd(r.Class.Year, p, a.workflow.Location)
	return end
}

// withDue fills in the period in force and retain_until of an archived
// record that is on its way out (never stored).
func (a *Archive) withDue(r *Record) {
	p := a.periodInForce(r)
	if p == "" {
		return
	}
	r.RetentionInForce = p
	if t := a.retainUntil(r, p); !t.IsZero() {
		r.RetainUntil = &t
	}
}

// dueDoc sets the retention fields of an index document.
func (a *Archive) dueDoc(d *IndexDoc) {
	p := a.periodInForce(d.Record)
	d.Retention, d.RetainUntil = p, a.retainUntil(d.Record, p)
}

// RecordSchedule journals the retention schedule in force when it differs
// from the one last journaled (or none was), and reports whether it did.
// Journaling a new one indexes every archived record again, with its new
// retain_until (see archive_index.go). serve calls it at its start, and
// every retention pass first.
func (d *Disposition) RecordSchedule(ctx context.Context) (bool, error) {
	if err := trustedOnly(ctx, "retention.schedule"); err != nil {
		return false, err
	}
	return d.recordSchedule(ctx)
}

func (d *Disposition) recordSchedule(ctx context.Context) (bool, error) {
	const op = "retention.schedule"
	a := d.a
	if a.workflow.Schedule == nil {
		return false, nil
	}
	b, err := encodeJSON(a.workflow.Schedule)
	if err != nil {
		return false, err
	}
	b = bytes.TrimSpace(b)
	v := 1
	if e, ok := a.catalog.current(SchedulesPrefix + "retention/"); ok {
		var last scheduleVersion
		if err := readSealed(ctx, a.store, e.key, e.sum, &last); err != nil {
			return false, err
		}
		if bytes.Equal(bytes.TrimSpace(last.Schedule), b) {
			return false, nil
		}
		v = last.Version + 1
	}
	sv := &scheduleVersion{Name: "retention", Version: v, Schedule: b, Time: a.now().UTC()}
	key := ScheduleKey(v)
	info, err := a.put(ctx, key, sv)
	if IsKind(err, Conflict) {
		return false, nil // another process journals it
	}
	if err != nil {
		return false, err
	}
	return true, a.commit(ctx, op, Change{Key: key, SHA256: info.SHA256}, sv)
}

// dispositionDocs adds to g the records whose retain_until change c
// moves: the record of a retention change, every archived record when
// the schedule changed. a.syncMu is held; the caches have followed c.
func (a *Archive) dispositionDocs(ctx context.Context, c Change, g *indexGroup) error {
	if !c.Wrote() {
		return nil
	}
	switch {
	case hasPrefix(c.Key, RetentionsPrefix):
		_, id, _, ok := parseKindKey(c.Key, RetentionsPrefix)
		if !ok {
			return nil
		}
		if err := a.currentDoc(ctx, RecordID(id), g); err != nil {
			return skipDamaged(a.log, g.seq, c, err)
		}
	case hasPrefix(c.Key, SchedulesPrefix):
		return a.archivedDocs(ctx, g)
	}
	return nil
}

// archivedDocs adds to g the current version of every indexed archived
// record.
func (a *Archive) archivedDocs(ctx context.Context, g *indexGroup) error {
	q := SearchQuery{Status: string(StatusArchived), Sort: SortVisitStart, Size: MaxPageSize, NoFacets: true}
	for q.Page = 1; ; q.Page++ {
		res, err := a.index.Search(ctx, q)
		if err != nil {
			return err
		}
		recs, err := a.loadStored(ctx, res.Hits)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if _, ok := g.at[r.ID]; ok {
				continue
			}
			d, err := a.indexDoc(ctx, r, a.customer(r.CustomerID))
			if err != nil {
				return err
			}
			g.add(d)
		}
		if len(res.Hits) < q.Size {
			return nil
		}
	}
}

// parseKindKey splits <prefix><id>/<v:010d>.json.
func parseKindKey(key, prefix string) (string, string, int, bool) {
	rest := key[len(prefix):]
	for i := 0; i < len(rest); i++ {
		if rest[i] == '/' {
			id, file := rest[:i], rest[i+1:]
			if len(file) != len("0000000000.json") {
				return "", "", 0, false
			}
			v := 0
			for _, ch := range file[:10] {
				if ch < '0' || ch > '9' {
					return "", "", 0, false
				}
				v = v*10 + int(ch-'0')
			}
			return prefix, id, v, ValidID(id)
		}
	}
	return "", "", 0, false
}

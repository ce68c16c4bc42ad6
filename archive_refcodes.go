package visitarchive

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Archiving classifies an approved record, gives it a retention period
// from the schedule and a reference code (档号)
//
//	<fonds>-KF·<year>-<period>-<area code>-<number>
//
// whose number is unique and gap-free within its series: the codes that
// share fonds, year, period and area. A record is reserved to one
// archivist first (archiving/<id>/<version>.json), so that two archivists
// racing on the same record do not both archive it. Numbers are claimed
// with create-only objects, so that archivists working at once on any
// backend never get the same number: the claim of number n is
// refcodes/<series>/<n>.json, and it is journaled with the archived
// record version that carries it (ActionRefCode).
//
// An archiving that fails or dies after its claim leaves the claim
// behind. Claims are never deleted: a deleted claim could be claimed
// again by two archivists at once. Instead a claim ends in one of two
// journaled fates. It is used (journaled with its record), or it is
// released (ActionRefCodeRelease): by the archiving itself when it fails,
// by the archiving that takes its number over, or by RemoveUnrecorded.
// Taking a number over writes the next attempt at it,
// refcodes/<series>/<n>.<attempt>.json, create-only again, so that of
// several archivists taking it over exactly one wins. A number is free
// to take when no archived record carries it and its latest attempt was
// released, or was made for the same record version (whose reservation
// the taker now holds), or is older than the archiving timeout (its
// holder is dead: an archiving that has not reached its journal entry
// within half the timeout gives up and releases its claim). Each
// archiving takes the lowest free number of its series, so a number left
// by a crash is reused by the next archiving of its record or of its
// series, and the series stays without gaps and duplicates.
//
// The journal proves it: ReferenceSeries reads every series from the
// journal and the claims, and verify reports a gap or a duplicate.

// ArchiveRequest is the archivist's input.
type ArchiveRequest struct {
	Version       int
	PaperLocation *PaperLocation // where the paper original is kept, if there is one
}

// refClaim is the object that holds one attempt at a number of a
// series.
type refClaim struct {
	Code    string    `json:"code"`
	Record  RecordID  `json:"record"`
	Version int       `json:"version"` // the record version that carries the code
	By      UserName  `json:"by"`
	Time    time.Time `json:"time"`
}

// reservation is the object that reserves archiving a record version.
type reservation struct {
	By   UserName  `json:"by"`
	Time time.Time `json:"time"`
}

// ArchiveRecord archives approved record id: classified, with its
// retention period and reference code, and the paper location if given,
// which is also version 1 of the record's Paper (see paper.go).
func (a *Archive) ArchiveRecord(ctx context.Context, id RecordID, req ArchiveRequest) (*Record, error) {
	const op = "record.archive"
	start := a.now()
	cur, err := a.currentRecord(ctx, op, id, req.Version, "archive", PermArchive)
	if err != nil {
		return nil, err
	}
	var c checker
	req.PaperLocation.validate(&c)
	if err := c.result(op, "archive request"); err != nil {
		return nil, err
	}
	r, err := a.nextRecord(ctx, cur)
	if err != nil {
		return nil, err
	}
	arc, series, err := a.classify(op, r)
	if err != nil {
		return nil, err
	}
	resv, err := a.reserve(ctx, op, r)
	if err == nil {
		err = a.step(ctx, StepReserved)
	}
	if err != nil {
		a.dropObject(ctx, resv.Key)
		return nil, err
	}
	cl, err := a.claimNumber(ctx, op, series, r)
	if err != nil {
		a.dropObject(ctx, resv.Key)
		return nil, err
	}
	arc.ReferenceCode = refCode(series, cl.n)
	arc.PaperLocation, arc.ArchivedBy, arc.ArchivedAt = req.PaperLocation, ActorFrom(ctx), a.now().UTC()
	r.Status, r.Archival = StatusArchived, arc
	got, err := a.archiveClaimed(ctx, op, r, start, resv, cl)
	if err != nil {
		a.releaseClaim(ctx, cl.change, fmt.Sprintf("archiving version %d of record %s failed: %s", r.Version, r.ID, ErrorMessage(err)))
		return nil, err
	}
	a.lockAfter(ctx, got.ID)
	return got, nil
}

// archiveClaimed writes the paper original and the archived version r,
// whose number cl claimed, and journals them with the reservation and
// the claims. It gives up, removing what it wrote, when it could not
// reach the journal within half the archiving timeout since start: past
// the whole timeout another archiving may take its claims over.
func (a *Archive) archiveClaimed(ctx context.Context, op string, r *Record, start time.Time, resv Change, cl claimed) (*Record, error) {
	err := a.step(ctx, StepClaimed)
	var paper Change
	if err == nil {
		paper, err = a.papers.archived(ctx, op, r)
	}
	if err == nil {
		err = a.step(ctx, StepPaper)
	}
	if took := a.now().Sub(start); err == nil && took >= a.workflow.ArchivingTimeout/2 {
		err = E(op, Unavailable, nil, "archiving record %s took %s, too long to keep its reference code %s safely; try again",
			r.ID, took.Round(time.Second), r.ReferenceCode)
	}
	if err != nil {
		a.dropObject(ctx, resv.Key)
		a.dropObject(ctx, paper.Key)
		return nil, err
	}
	return a.moveRecordWith(ctx, op, r, slices.Concat([]Change{resv, cl.change}, cl.releases, []Change{paper}))
}

// Classification returns the class and retention period that archiving
// approved record id would give it now, for the archivist to see before
// archiving; the reference code is claimed only by ArchiveRecord. The
// caller must be allowed to archive the record.
func (a *Archive) Classification(ctx context.Context, id RecordID) (Archival, error) {
	const op = "record.classify"
	cur, err := a.recordFor(ctx, op, id, "archive", PermArchive)
	if err != nil {
		return Archival{}, err
	}
	arc, _, err := a.classify(op, &cur.Record)
	return arc, err
}

// classify returns the class and retention period of r, and the series of
// its reference code.
func (a *Archive) classify(op string, r *Record) (Archival, string, error) {
	if a.workflow.Schedule == nil {
		return Archival{}, "", E(op, Unavailable, nil, "no retention schedule is configured; archiving is not possible")
	}
	if r.VisitStart.IsZero() {
		return Archival{}, "", invalidField(op, "visit_start", "is required to classify the record by year")
	}
	cu := a.customer(r.CustomerID)
	if cu == nil {
		return Archival{}, "", invalidField(op, "customer_id", "names a customer that no longer exists")
	}
	class := Class{CustomerType: string(cu.Type), BusinessArea: cu.BusinessArea, Year: r.VisitStart.In(a.workflow.Location).Year()}
	area := a.workflow.areaCode(cu.BusinessArea)
	period := a.workflow.Schedule.Retention(class)
	series := fmt.Sprintf("%s-KF-%04d-%s-%s", a.workflow.Fonds, class.Year, period, area)
	return Archival{Class: &class, Retention: period}, series, nil
}

// refCode is the reference code of number n of series: the series with
// "KF·" for "KF-" and the number zero-padded to four digits.
func refCode(series string, n int) string {
	return strings.Replace(series, "-KF-", "-KF·", 1) + fmt.Sprintf("-%04d", n)
}

// reserve reserves archiving r to the caller. A reservation held by a
// live archivist is Conflict; one older than the archiving timeout is
// taken over (nothing is written then).
func (a *Archive) reserve(ctx context.Context, op string, r *Record) (Change, error) {
	key := ArchivingKey(r.ID, r.Version)
	info, err := a.put(ctx, key, reservation{By: ActorFrom(ctx), Time: a.now().UTC()})
	if err == nil {
		return Change{Action: "record.reserve", Key: key, SHA256: info.SHA256}, nil
	}
	if !IsKind(err, Conflict) {
		return Change{}, err
	}
	var held reservation
	info, err = readJSON(ctx, a.store, key, &held)
	if err != nil {
		return Change{}, err
	}
	if a.now().Sub(held.Time) < a.workflow.ArchivingTimeout {
		return Change{}, E(op, Conflict, nil, "record %s is being archived by %s since %s; reload it in a minute",
			r.ID, held.By, held.Time.Format(time.RFC3339))
	}
	a.log.Warn("taking over a stale archiving reservation", "record", r.ID, "held_by", held.By, "since", held.Time)
	if err := a.clearDead(ctx, r); err != nil {
		return Change{}, err
	}
	return Change{Action: "record.reserve", Key: key, SHA256: info.SHA256}, nil
}

// clearDead removes what the archiving of r whose reservation is taken
// over wrote and never journaled, its archived version and its paper
// original, which stand in the way of writing them again; each removal is
// journaled. Its claim stays, to be taken over.
func (a *Archive) clearDead(ctx context.Context, r *Record) error {
	var changes []Change
	for _, key := range []string{RecordKey(r.ID, r.Version), PaperKey(r.ID, 1)} {
		info, err := a.store.Stat(ctx, key)
		switch {
		case IsKind(err, NotFound) || err == nil && a.catalog.recorded(key):
			continue
		case err != nil:
			return err
		}
		changes = append(changes, unrecordedRemoval(ctx, key, fmt.Sprintf("sha256 %s, written %s by an archiving of record %s that died",
			info.SHA256, info.Modified.UTC().Format(time.RFC3339), r.ID)))
	}
	_, err := a.removeAll(ctx, changes)
	return err
}

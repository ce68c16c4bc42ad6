package visitarchive

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Archiving classifies an approved record, gives it a retention period
// from the schedule and a reference code (档号)
//
//	<fonds>-KF·<year>-<period>-<area code>-<number>
//
// whose number is unique and gap-free within its series: the codes that
// share fonds, year, period and area. Numbers are claimed with create-only
// objects (refcodes/<series>/<number>.json), so archivists working at once
// on any backend never get the same number; a record is reserved to one
// archivist first (archiving/<id>/<version>.json), so that two archivists
// racing on the same record cannot each claim a number and leave one
// unused.

// ArchiveRequest is the archivist's input.
type ArchiveRequest struct {
	Version       int
	PaperLocation *PaperLocation // where the paper original is kept, if there is one
}

// refCodes remembers the last number claimed per series, to try the next
// one first.
type refCodes struct {
	mu   sync.Mutex
	last map[string]int
}

func (c *refCodes) next(series string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.last[series]
	return n + 1, ok
}

func (c *refCodes) claimed(series string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.last == nil {
		c.last = map[string]int{}
	}
	c.last[series] = max(c.last[series], n)
}

// refClaim is the object that holds one number of a series.
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

// staleReservation is how old a reservation must be before another
// archivist may take it over (its holder is taken to have died).
const staleReservation = 2 * time.Minute

// ArchiveRecord archives approved record id: classified, with its
// retention period and reference code, and the paper location if given,
// which is also version 1 of the record's Paper (see paper.go).
func (a *Archive) ArchiveRecord(ctx context.Context, id RecordID, req ArchiveRequest) (*Record, error) {
	const op = "record.archive"
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
	if err != nil {
		return nil, err
	}
	n, claim, err := a.claimNumber(ctx, op, series, r)
	if err != nil {
		a.dropObject(ctx, resv.Key)
		return nil, err
	}
	arc.ReferenceCode = refCode(series, n)
	arc.PaperLocation, arc.ArchivedBy, arc.ArchivedAt = req.PaperLocation, ActorFrom(ctx), a.now().UTC()
	r.Status, r.Archival = StatusArchived, arc
	paper, err := a.papers.archived(ctx, op, r)
	if err != nil {
		a.dropObject(ctx, resv.Key)
		a.dropObject(ctx, claim.Key)
		return nil, err
	}
	got, err := a.moveRecordWith(ctx, op, r, []Change{resv, claim, paper})
	if err == nil {
		a.lockAfter(ctx, got.ID)
	}
	return got, err
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
// live archivist is Conflict; one older than staleReservation is taken
// over (nothing is written then).
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
	if _, err := readJSON(ctx, a.store, key, &held); err != nil {
		return Change{}, err
	}
	if a.now().Sub(held.Time) < staleReservation {
		return Change{}, E(op, Conflict, nil, "record %s is being archived by %s since %s; reload it in a minute",
			r.ID, held.By, held.Time.Format(time.RFC3339))
	}
	a.log.Warn("taking over a stale archiving reservation", "record", r.ID, "held_by", held.By, "since", held.Time)
	return Change{}, nil
}

// claimNumber claims the next number of series for r, or the one a dead
// archivist claimed for it before, and returns it with its claim.
func (a *Archive) claimNumber(ctx context.Context, op, series string, r *Record) (int, Change, error) {
	n, known := a.refCodes.next(series)
	if !known {
		last, err := a.lastClaim(ctx, series, r)
		if err != nil {
			return 0, Change{}, err
		}
		if last.mine {
			return last.n, last.change, nil
		}
		n = last.n + 1
	}
	for range 1000 {
		claim := refClaim{Code: refCode(series, n), Record: r.ID, Version: r.Version, By: ActorFrom(ctx), Time: a.now().UTC()}
		key := RefCodeKey(series, n)
		info, err := a.put(ctx, key, claim)
		if err == nil {
			a.refCodes.claimed(series, n)
			return n, Change{Action: "record.refcode", Key: key, SHA256: info.SHA256}, nil
		}
		if !IsKind(err, Conflict) {
			return 0, Change{}, err
		}
		last, err := a.lastClaim(ctx, series, r)
		if err != nil {
			return 0, Change{}, err
		}
		if last.mine {
			return last.n, last.change, nil
		}
		a.refCodes.claimed(series, last.n)
		n = last.n + 1
	}
	return 0, Change{}, E(op, Unavailable, nil, "too many archivists at once in series %s; try again", series)
}

// lastOfSeries is the highest claimed number of a series, and whether it
// was claimed for the record at hand (by an archivist who died before
// finishing).
type lastOfSeries struct {
	n      int
	mine   bool
	change Change
}

// lastClaim lists series and returns its highest number (0 for a new
// series).
func (a *Archive) lastClaim(ctx context.Context, series string, r *Record) (lastOfSeries, error) {
	var last lastOfSeries
	var lastKey string
	for info, err := range a.store.List(ctx, RefCodesPrefix+series+"/", "") {
		if err != nil {
			return last, err
		}
		lastKey = info.Key
		last.change = Change{Action: "record.refcode", Key: info.Key, SHA256: info.SHA256}
	}
	if lastKey == "" {
		return lastOfSeries{}, nil
	}
	num := strings.TrimSuffix(lastKey[strings.LastIndexByte(lastKey, '/')+1:], ".json")
	n, err := strconv.Atoi(num)
	if err != nil {
		return last, E("record.archive", Integrity, err, "unexpected reference-code claim %s", lastKey)
	}
	last.n = n
	var claim refClaim
	if _, err := readJSON(ctx, a.store, lastKey, &claim); err != nil {
		return last, err
	}
	last.mine = claim.Record == r.ID && claim.Version == r.Version
	return last, nil
}

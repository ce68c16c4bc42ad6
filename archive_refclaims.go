package visitarchive

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Claiming a reference-code number; the protocol is explained in
// archive_refcodes.go.

// claimed is a number claimed for a record: the attempt written, and the
// attempts before it at that number that nobody used, to journal as
// released with the record.
type claimed struct {
	n        int
	change   Change
	releases []Change
}

// claimAttempt is one claim object of a number.
type claimAttempt struct {
	ref  claimRef
	info ObjectInfo
}

// claimNumber claims the lowest free number of series for r.
func (a *Archive) claimNumber(ctx context.Context, op, series string, r *Record) (claimed, error) {
	for range 1000 {
		cl, err := a.tryClaim(ctx, series, r)
		if !IsKind(err, Conflict) {
			return cl, err
		}
	}
	return claimed{}, E(op, Unavailable, nil, "too many archivists at once in series %s; try again", series)
}

// tryClaim lists series from its lowest number no archived record
// carries, and claims the first number free to take, or the one after
// the last; Conflict when another archivist wrote that claim first.
func (a *Archive) tryClaim(ctx context.Context, series string, r *Record) (claimed, error) {
	low := a.catalog.refs.lowestFree(series)
	nums, top, err := a.listClaims(ctx, series, low)
	if err != nil {
		return claimed{}, err
	}
	for n := low; n <= top; n++ {
		free, err := a.freeToTake(ctx, series, n, nums[n], r)
		if err != nil {
			return claimed{}, err
		}
		if free {
			return a.putClaim(ctx, series, n, nums[n], r)
		}
	}
	return a.putClaim(ctx, series, top+1, nil, r)
}

// listClaims returns the attempts at the numbers of series from low on,
// by number, and the highest number (low-1 when there is none).
func (a *Archive) listClaims(ctx context.Context, series string, low int) (map[int][]claimAttempt, int, error) {
	nums, top := map[int][]claimAttempt{}, low-1
	prefix := RefCodesPrefix + series + "/"
	// "~" sorts after every character of a key: after every attempt at low-1.
	for info, err := range a.store.List(ctx, prefix, fmt.Sprintf("%s%06d~", prefix, low-1)) {
		if err != nil {
			return nil, 0, err
		}
		ref, ok := parseClaimKey(info.Key)
		if !ok {
			return nil, 0, E("record.archive", Integrity, nil, "unexpected reference-code claim %s", info.Key)
		}
		nums[ref.n] = append(nums[ref.n], claimAttempt{ref, info})
		top = max(top, ref.n)
	}
	return nums, top, nil
}

// latest returns the last attempt of atts.
func latest(atts []claimAttempt) claimAttempt {
	return slices.MaxFunc(atts, func(x, y claimAttempt) int { return x.ref.attempt - y.ref.attempt })
}

// freeToTake reports whether number n of series, with attempts atts, may
// be claimed for r: no archived record carries it, and its latest
// attempt was released, made for r's version, or made longer than the
// archiving timeout ago by an archiving that never reached the journal.
func (a *Archive) freeToTake(ctx context.Context, series string, n int, atts []claimAttempt, r *Record) (bool, error) {
	if a.catalog.refs.used(series, n) {
		return false, nil
	}
	if len(atts) == 0 {
		return true, nil // a number below the last without a claim
	}
	last := latest(atts)
	if a.catalog.refs.fate(last.info.Key) == claimReleased {
		return true, nil
	}
	var held refClaim
	if _, err := readJSON(ctx, a.store, last.info.Key, &held); err != nil {
		return false, err
	}
	if held.Record == r.ID && held.Version == r.Version {
		return true, nil // its reservation is ours now
	}
	if a.now().Sub(held.Time) < a.workflow.ArchivingTimeout {
		return false, nil // in flight
	}
	// Its holder gave up or died long ago; another process may have
	// journaled it all the same: read the journal to its head first.
	if err := a.SyncIndex(ctx); err != nil {
		return false, err
	}
	return !a.catalog.refs.used(series, n), nil
}

// putClaim writes the next attempt at number n of series, whose attempts
// so far are atts, for r; Conflict when another archivist wrote it first.
func (a *Archive) putClaim(ctx context.Context, series string, n int, atts []claimAttempt, r *Record) (claimed, error) {
	next := 0
	if len(atts) > 0 {
		next = latest(atts).ref.attempt + 1
	}
	key := claimKey(series, n, next)
	claim := refClaim{Code: refCode(series, n), Record: r.ID, Version: r.Version, By: ActorFrom(ctx), Time: a.now().UTC()}
	info, err := a.put(ctx, key, claim)
	if err != nil {
		return claimed{}, err
	}
	if next > 0 {
		a.log.Warn("taking over a reference-code number", "code", claim.Code, "record", r.ID, "attempt", next)
	}
	cl := claimed{n: n, change: Change{Action: ActionRefCode, Key: key, SHA256: info.SHA256}}
	why := fmt.Sprintf("not used; number %d taken over for version %d of record %s", n, r.Version, r.ID)
	for _, at := range atts {
		if a.catalog.refs.fate(at.info.Key) == 0 {
			cl.releases = append(cl.releases, Change{Action: ActionRefCodeRelease, Key: at.info.Key, SHA256: at.info.SHA256, Detail: why})
		}
	}
	return cl, nil
}

// releaseClaim journals that the claim c of a failed archiving is not
// used, so that the next archiving of the series takes its number at
// once. Should that fail too, the claim waits for the archiving timeout.
func (a *Archive) releaseClaim(ctx context.Context, c Change, why string) {
	c.Actor, c.Action, c.Detail = ActorFrom(ctx), ActionRefCodeRelease, why
	if _, err := a.append(context.WithoutCancel(ctx), c); err != nil {
		a.log.Error("reference-code claim not released; it is taken over after the archiving timeout", "key", c.Key, "err", err)
	}
}

// claimAge is how old an unrecorded claim must be before RemoveUnrecorded
// releases it: older than grace, and than the archiving timeout.
func (a *Archive) claimAge(grace time.Duration) time.Duration {
	return max(grace, a.workflow.ArchivingTimeout)
}

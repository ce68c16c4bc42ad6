package visitarchive

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Housekeeping removes what no one needs any more, each removal
// journaled (Removed, with why in Detail): read notifications older than
// an age, and archiving reservations that no archived version used.

// Housekeeping defaults.
const (
	DefaultReadNotificationAge = 180 * 24 * time.Hour
	DefaultReservationAge      = 24 * time.Hour
)

// RemoveReadNotifications removes the notifications, with their read
// marks, that were read and are older than age, and returns how many it
// removed. Only the operator or the system may run it.
func (a *Archive) RemoveReadNotifications(ctx context.Context, age time.Duration) (int, error) {
	const op = "inbox.expire"
	if err := trustedOnly(ctx, op); err != nil {
		return 0, err
	}
	cutoff := a.now().Add(-age)
	var changes []Change
	for _, e := range a.catalog.objectsUnder(InboxPrefix) {
		base, ok := strings.CutSuffix(e.key, ".read.json")
		if !ok {
			continue
		}
		key := base + ".json"
		var n Notification
		if err := a.readObject(ctx, key, &n); err != nil {
			if IsKind(err, NotFound) {
				continue
			}
			return 0, err
		}
		if n.Time.After(cutoff) {
			continue
		}
		detail := "read, from " + n.Time.UTC().Format(time.RFC3339)
		for _, k := range []string{key, e.key} {
			changes = append(changes, Change{Actor: ActorFrom(ctx), Action: op, Key: k, Removed: true, Detail: detail})
		}
	}
	n, err := a.removeAll(ctx, changes)
	return n / 2, err
}

// RemoveAbandonedReservations removes the archiving reservations
// (archiving/<record>/<version>.json) older than age whose version of the
// record the journal never recorded: the archivist's archiving failed or
// died before it was journaled. Each removal is journaled. Only the
// operator or the system may run it.
func (a *Archive) RemoveAbandonedReservations(ctx context.Context, age time.Duration) (int, error) {
	const op = "record.reservation.expire"
	if err := trustedOnly(ctx, op); err != nil {
		return 0, err
	}
	now := a.now()
	var changes []Change
	for info, err := range a.store.List(ctx, ArchivingPrefix, "") {
		if err != nil {
			return 0, err
		}
		rest := strings.TrimPrefix(info.Key, ArchivingPrefix)
		id, file, ok := strings.Cut(rest, "/")
		if !ok || now.Sub(info.Modified) < age {
			continue
		}
		var v int
		if _, err := fmt.Sscanf(file, "%010d.json", &v); err != nil {
			continue
		}
		if cur, ok := a.catalog.current(RecordsPrefix + id + "/"); ok && cur.key >= RecordKey(RecordID(id), v) {
			continue // that version was archived: the reservation is its record
		}
		changes = append(changes, Change{Actor: ActorFrom(ctx), Action: op, Key: info.Key, Removed: true,
			Detail: fmt.Sprintf("reservation of version %d of record %s, written %s, never used", v, id,
				info.Modified.UTC().Format(time.RFC3339))})
	}
	return a.removeAll(ctx, changes)
}

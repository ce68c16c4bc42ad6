package visitarchive

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Objects no journal entry records are never served (see catalog.go), but
// they take up their keys: a version written by a request that crashed
// before its journal entry stands in the way of the next write of that
// version, and a crashed import leaves the records of its last batch in
// the way of its re-run. So they are removed:
//
//   - the objects of an import batch that was never journaled, at the next
//     Open or import, from the batch's intent (intents/<id>.json, written
//     before the batch, removed after its journal entry);
//   - any other, by RemoveUnrecorded, which the server runs a while after
//     it starts and daily, and the operator with verify --remove-unrecorded.
//
// Each removal is journaled with the object's SHA-256, so that an auditor
// can see what was removed and when. A reference-code claim is not
// removed but released (journaled as ActionRefCodeRelease, once older
// than the archiving timeout too): its number is then reused by the next
// archiving of its series, where a removal could leave a gap.

// UnrecordedGrace is how old an unrecorded object must be before it is
// removed: a younger one may belong to a write still in flight in another
// process, which journals its objects within seconds of writing them.
const UnrecordedGrace = 10 * time.Minute

// ActionUnrecorded is the journal action of the removal of an object no
// journal entry recorded.
const ActionUnrecorded = "store.unrecorded"

// RemoveUnrecorded removes the objects of objs (as journal.Unrecorded
// finds them) that were written at least grace ago, journaling each
// removal, and returns how many it removed; the files of an upload that
// this process is still receiving stay, however long it takes. Only the
// operator or the system may run it.
func (a *Archive) RemoveUnrecorded(ctx context.Context, objs []ObjectInfo, grace time.Duration) (int, error) {
	const op = "store.unrecorded"
	if err := trustedOnly(ctx, op); err != nil {
		return 0, err
	}
	now := a.now()
	var changes []Change
	for _, o := range objs {
		if now.Sub(o.Modified) < grace || a.catalog.recorded(o.Key) || a.isUploading(o.Key) {
			continue
		}
		detail := fmt.Sprintf("sha256 %s, %d bytes, written %s", o.SHA256, o.Size, o.Modified.UTC().Format(time.RFC3339))
		if !strings.HasPrefix(o.Key, RefCodesPrefix) {
			changes = append(changes, unrecordedRemoval(ctx, o.Key, detail))
		} else if now.Sub(o.Modified) >= a.claimAge(grace) && a.catalog.refs.fate(o.Key) == 0 {
			changes = append(changes, Change{Actor: ActorFrom(ctx), Action: ActionRefCodeRelease, Key: o.Key, SHA256: o.SHA256,
				Detail: detail + "; no archived record version used it"})
		}
	}
	return a.removeAll(ctx, changes)
}

// unrecordedRemoval is the journal change of removing key, which no entry
// recorded.
func unrecordedRemoval(ctx context.Context, key, detail string) Change {
	return Change{Actor: ActorFrom(ctx), Action: ActionUnrecorded, Key: key, Removed: true,
		Detail: detail + "; no journal entry recorded it"}
}

// removeAll journals the removals of changes, a thousand to an entry, and
// deletes their objects (a change that removes nothing, a released claim,
// is only journaled); it returns how many it removed or released.
func (a *Archive) removeAll(ctx context.Context, changes []Change) (int, error) {
	n := 0
	for chunk := range slices.Chunk(changes, 1000) {
		if _, err := a.append(ctx, chunk...); err != nil {
			return n, err
		}
		for _, c := range chunk {
			if !c.Removed {
				n++
				continue
			}
			if err := a.store.Delete(ctx, c.Key); err != nil && !IsKind(err, NotFound) {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// recorded reports whether the journal recorded key as written: a flat
// object the catalog holds, or a version no newer than the current one of
// its object (every version before the current one was current once).
func (c *catalog) recorded(key string) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if _, ok := c.flat[dirOf(key)][key]; ok {
		return true
	}
	cur, ok := c.latest[dirOf(key)]
	return ok && key <= cur.key && !strings.HasSuffix(cur.key, destroyedMark)
}

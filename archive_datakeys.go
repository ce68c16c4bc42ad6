package visitarchive

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Data-key maintenance, run by an operator from the CLI: re-wrapping after
// a master-key rotation, and destroying a record's data key.

// RewrapDataKeys writes a new version of every data key that is not
// wrapped under the keyring's current master key, so that an old master
// key can be retired. Records are not rewritten. progress, if set, gets
// the keys done and the keys seen so far.
func (a *Archive) RewrapDataKeys(ctx context.Context, progress func(done, seen int)) (int, error) {
	const op = "datakey.rewrap"
	if err := trustedOnly(ctx, op); err != nil {
		return 0, err
	}
	done, seen := 0, 0
	for _, e := range a.liveDataKeys() {
		seen++
		changed, err := a.rewrap(ctx, op, e)
		if err != nil {
			return done, fmt.Errorf("%s %s: %w", op, e.key, err)
		}
		if changed {
			done++
		}
		if progress != nil {
			progress(done, seen)
		}
	}
	return done, nil
}

// rewrap re-wraps the data key of e when its master key is not current.
func (a *Archive) rewrap(ctx context.Context, op string, e catEntry) (bool, error) {
	var w WrappedKey
	if err := readSealed(ctx, a.store, e.key, e.sum, &w); err != nil {
		return false, err
	}
	if w.MasterKeyID == a.keys.Current() {
		return false, nil
	}
	k, err := a.keys.Unwrap(w)
	if err != nil {
		return false, err
	}
	next, err := a.keys.Wrap(k)
	if err != nil {
		return false, err
	}
	prefix, version := splitVersion(e.key)
	nextKey := fmt.Sprintf("%s%010d.json", prefix, version+1)
	info, err := a.put(ctx, nextKey, next)
	if err != nil {
		return false, err
	}
	return true, a.commit(ctx, op, Change{Key: nextKey, SHA256: info.SHA256}, next)
}

// liveDataKeys returns the current version of every data key that was
// not destroyed, in key order.
func (a *Archive) liveDataKeys() []catEntry {
	return slices.DeleteFunc(a.catalog.currents(DataKeysPrefix), func(e catEntry) bool {
		return strings.HasSuffix(e.key, destroyedMark)
	})
}

func dirOf(key string) string { return key[:strings.LastIndexByte(key, '/')+1] }

// splitVersion splits ".../<version:010d>.json" into its prefix and
// version.
func splitVersion(key string) (string, int) {
	dir := dirOf(key)
	var v int
	fmt.Sscanf(key[len(dir):], "%010d.json", &v)
	return dir, v
}

// destroyedMark is the object a destroyed data key leaves in its
// directory, so that no new key is ever made for the same object.
const destroyedMark = "destroyed.json"

// errKeyDestroyed is what dataKey returns for a destroyed data key.
var errKeyDestroyed = E("datakey", Conflict, nil, "the data key was destroyed: the sensitive fields of this object are gone for good and cannot be written again")

// destroyMark is the content of a destroyedMark.
type destroyMark struct {
	Destroyed time.Time `json:"destroyed"`
	By        UserName  `json:"by"`
}

// DestroyRecordKey deletes every version of record id's data key, so that
// its sensitive fields can no longer be read in any copy of the record,
// backups included, and leaves a mark so that none is made again. It
// cannot be undone. Only the operator may run it; the retention process
// calls it when a record's time is up. It reports false when there was no
// key to destroy.
func (a *Archive) DestroyRecordKey(ctx context.Context, id RecordID) (bool, error) {
	const op = "datakey.destroy"
	if err := trustedOnly(ctx, op); err != nil {
		return false, err
	}
	prefix := RecordDataKeyPrefix(id)
	var versions []string
	for info, err := range a.store.List(ctx, prefix, "") {
		if err != nil {
			return false, err
		}
		if !strings.HasSuffix(info.Key, destroyedMark) {
			versions = append(versions, info.Key)
		}
	}
	if len(versions) == 0 {
		return false, nil
	}
	// The mark first: from then on no new key can be made.
	changes, err := a.markDestroyed(ctx, prefix)
	if err != nil {
		return false, err
	}
	for _, key := range versions {
		changes = append(changes, Change{Actor: ActorFrom(ctx), Action: op, Key: key, Removed: true})
	}
	a.dataKeys.forget(prefix)
	// Journal first: a key left behind by a failed delete is already
	// behind the mark, and running this again deletes it.
	if _, err := a.append(ctx, changes...); err != nil {
		return false, err
	}
	for _, key := range versions {
		if err := a.store.Delete(ctx, key); err != nil && !IsKind(err, NotFound) {
			return false, err
		}
	}
	return true, nil
}

// markDestroyed writes the mark of prefix, unless an earlier, interrupted
// destruction did, and returns its change.
func (a *Archive) markDestroyed(ctx context.Context, prefix string) ([]Change, error) {
	info, err := a.put(ctx, prefix+destroyedMark, destroyMark{Destroyed: a.now().UTC(), By: ActorFrom(ctx)})
	if IsKind(err, Conflict) {
		if cur, ok := a.catalog.current(prefix); ok && cur.key == prefix+destroyedMark {
			return nil, nil
		}
		// Written by a run that crashed before journaling it: journal it now.
		if info, err = a.store.Stat(ctx, prefix+destroyedMark); err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, err
	}
	return []Change{{Actor: ActorFrom(ctx), Action: "datakey.destroy", Key: info.Key, SHA256: info.SHA256}}, nil
}

// trustedOnly refuses requests: op is for the operator's CLI.
func trustedOnly(ctx context.Context, op string) error {
	p, err := caller(ctx, op)
	if p != nil {
		return E(op, Forbidden, nil, "this is done by the operator with the visitarchive command, not over the API")
	}
	return err
}

// DataKeysByMaster counts the data keys wrapped under each master key, so
// that an operator retires a master key only when nothing needs it.
func (a *Archive) DataKeysByMaster(ctx context.Context) (map[string]int, error) {
	if err := trustedOnly(ctx, "datakey.count"); err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, e := range a.liveDataKeys() {
		var w WrappedKey
		if err := readSealed(ctx, a.store, e.key, e.sum, &w); err != nil {
			return nil, err
		}
		out[w.MasterKeyID]++
	}
	return out, nil
}

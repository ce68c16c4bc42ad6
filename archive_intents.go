package visitarchive

import (
	"context"
	"fmt"
	"time"
)

// An import writes a thousand lines' objects before the one journal entry
// that records them. Its intent, written first, names those objects and
// the time by which the entry is written or the batch abandoned, so that
// the objects of a batch cut off by a crash can be found and removed
// without listing the store.

// DefaultImportDeadline is how long one import batch may take from its
// intent to its journal entry.
const DefaultImportDeadline = time.Minute

// intent is written before the objects of an import batch.
type intent struct {
	By       UserName  `json:"by"`
	Created  time.Time `json:"created"`
	Deadline time.Time `json:"deadline"` // journaled by then, or abandoned
	Keys     []string  `json:"keys"`
}

// expired returns when the objects of in are safe to remove: the
// deadline, and as long again, since an importer checks its deadline just
// before it journals.
func (in *intent) expired() time.Time { return in.Deadline.Add(in.Deadline.Sub(in.Created)) }

// declare writes the intent of a batch that will write keys, and returns
// its key and content.
func (a *Archive) declare(ctx context.Context, keys []string) (string, *intent, error) {
	now := a.now().UTC()
	in := &intent{By: ActorFrom(ctx), Created: now, Deadline: now.Add(a.importDeadline), Keys: keys}
	key := IntentKey(NewID("I", now))
	if _, err := a.put(ctx, key, in); err != nil {
		return "", nil, fmt.Errorf("import: write the intent of a batch: %w", err)
	}
	return key, in, nil
}

// settle removes the intent at key once its batch is journaled or undone;
// one left behind is removed at the next sweep.
func (a *Archive) settle(ctx context.Context, key string) {
	if err := a.store.Delete(context.WithoutCancel(ctx), key); err != nil && !IsKind(err, NotFound) {
		a.log.Warn("import intent left behind; the next open removes it", "key", key, "err", err)
	}
}

// sweepIntents removes the objects of abandoned import batches that no
// journal entry records, and their intents. An intent whose batch may
// still be journaled is left, or, with wait, waited for. It returns how
// many objects it removed.
func (a *Archive) sweepIntents(ctx context.Context, wait bool) (int, error) {
	ctx = WithActor(ctx, "system")
	n := 0
	for info, err := range a.store.List(ctx, IntentsPrefix, "") {
		if err != nil {
			return n, E("open", Unavailable, err, "cannot list the intents of imports")
		}
		var in intent
		if _, err := readJSON(ctx, a.store, info.Key, &in); err != nil {
			return n, err
		}
		if wait {
			gone, err := a.awaitIntent(ctx, info.Key, &in)
			if err != nil {
				return n, err
			}
			if gone {
				continue
			}
		}
		if a.now().Before(in.expired()) {
			continue
		}
		removed, err := a.abandon(ctx, info.Key, &in)
		n += removed
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// awaitIntent waits until the batch of the intent at key is journaled
// or undone (its intent gone: it reports true), or certainly abandoned.
func (a *Archive) awaitIntent(ctx context.Context, key string, in *intent) (gone bool, err error) {
	if !a.now().Before(in.expired()) {
		return false, nil
	}
	a.log.Info("an import batch is in progress or was interrupted; waiting for it to end or its deadline to pass",
		"by", in.By, "started", in.Created, "until", in.expired())
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for a.now().Before(in.expired()) {
		select {
		case <-t.C:
		case <-ctx.Done():
			return false, ctx.Err()
		}
		if _, err := a.store.Stat(ctx, key); IsKind(err, NotFound) {
			return true, nil
		} else if err != nil {
			return false, err
		}
	}
	return false, nil
}

// abandon removes the objects of the intent at key that the journal does
// not record, then the intent.
func (a *Archive) abandon(ctx context.Context, key string, in *intent) (int, error) {
	if err := a.SyncIndex(ctx); err != nil { // the catalog must know every entry
		return 0, err
	}
	var changes []Change
	for _, k := range in.Keys {
		if a.catalog.recorded(k) {
			continue
		}
		if _, err := a.store.Stat(ctx, k); IsKind(err, NotFound) {
			continue // never written
		} else if err != nil {
			return 0, err
		}
		changes = append(changes, unrecordedRemoval(ctx, k,
			fmt.Sprintf("written by an import batch of %s that was interrupted before its journal entry (deadline %s)",
				in.By, in.Deadline.Format(time.RFC3339))))
	}
	n, err := a.removeAll(ctx, changes)
	if err == nil {
		a.settle(ctx, key)
		if n > 0 {
			a.log.Warn("removed the objects of an interrupted import batch", "objects", n, "by", in.By)
		}
	}
	return n, err
}

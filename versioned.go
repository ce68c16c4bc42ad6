package visitarchive

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
)

// Customers, plans, records, users and departments are versioned: version
// v of object id is the immutable object <prefix><id>/<v:010d>.json,
// written create-only, so that of two writers of one version exactly one
// wins, and the current version is the last the journal recorded (see
// catalog.go). kind holds what every such kind shares; cache keeps the
// current versions of a kind in memory, for the kinds read on every
// request.

// kind is one kind of versioned object, stored as T.
type kind[ID ~string, T any] struct {
	prefix string             // such as RecordsPrefix
	what   ResourceKind       // KindRecord: messages name it (as a Word)
	ref    func(*T) (ID, int) // the id and version of an object
	valid  func(string) bool  // whether an id may be one (ValidID, ValidUserName)
}

// key is the object key of version v of id.
func (k kind[ID, T]) key(id ID, v int) string { return fmt.Sprintf("%s%s/%010d.json", k.prefix, id, v) }

// dir holds the versions of id.
func (k kind[ID, T]) dir(id ID) string { return k.prefix + string(id) + "/" }

// current reads the current version of id; an invalid id, or one the
// journal never recorded, is NotFound.
func (k kind[ID, T]) current(ctx context.Context, a *Archive, op string, id ID) (*T, error) {
	if !k.valid(string(id)) {
		return nil, E(op, NotFound, nil, "%s %q not found", Word(k.what), id)
	}
	e, ok := a.catalog.current(k.dir(id))
	if !ok {
		return nil, E(op, NotFound, nil, "%s %s not found", Word(k.what), id)
	}
	var t T
	return &t, readSealed(ctx, a.store, e.key, e.sum, &t)
}

// put writes obj, whose id and version ref tells, create-only. A taken
// key means the object exists already (version 1) or someone else changed
// it first: Conflict, saying which.
func (k kind[ID, T]) put(ctx context.Context, a *Archive, op string, obj *T) (Change, error) {
	id, v := k.ref(obj)
	key := k.key(id, v)
	info, err := a.put(ctx, key, obj)
	switch {
	case err == nil:
		return Change{Key: key, SHA256: info.SHA256}, nil
	case !IsKind(err, Conflict):
		return Change{}, err
	case v == 1:
		return Change{}, E(op, Conflict, err, "%s %s already exists", Word(k.what), id)
	}
	return Change{}, E(op, Conflict, err, "%s %s was changed by someone else (version %d exists); reload it and apply your change again", Word(k.what), id, v)
}

// history describes versions 1 to current of id, oldest first, each by
// info and the SHA-256 of its content. Only the current version is in the
// catalog; the ones before it were current once, and verify checks them
// against the journal.
func (k kind[ID, T]) history(ctx context.Context, a *Archive, id ID, current int, info func(*T) VersionInfo) ([]VersionInfo, error) {
	out := make([]VersionInfo, 0, current)
	for v := 1; v <= current; v++ {
		var obj T
		meta, err := readJSON(ctx, a.store, k.key(id, v), &obj)
		if err != nil {
			return nil, err
		}
		vi := info(&obj)
		vi.SHA256 = meta.SHA256
		out = append(out, vi)
	}
	return out, nil
}

// stamped are the fields that every write sets anew: by themselves they
// are no change.
var stamped = []string{"version", "created_at", "created_by", "updated_at", "updated_by"}

// unchanged reports whether next, the next version of an object, holds
// what cur holds, but for the stamped fields and those of ignore: an
// update that changes nothing writes nothing.
func unchanged(cur, next any, ignore ...string) bool {
	for _, f := range changedFields(cur, next) {
		if !slices.Contains(stamped, f) && !slices.Contains(ignore, f) {
			return false
		}
	}
	return true
}

// cache holds the current version of every object of a kind: read on
// every request or record, they must not cost a store read each. It is
// loaded from the catalog at Open and follows the journal after.
type cache[ID ~string, T any] struct {
	kind[ID, T]
	mu sync.RWMutex
	m  map[ID]*T
}

func newCache[ID ~string, T any](k kind[ID, T]) *cache[ID, T] {
	return &cache[ID, T]{kind: k, m: map[ID]*T{}}
}

// load replaces the cache with the current versions the catalog records,
// read several at a time.
func (c *cache[ID, T]) load(ctx context.Context, a *Archive) error {
	es := a.catalog.currents(c.prefix)
	all := make([]*T, len(es))
	if err := parallel(ctx, len(es), func(i int) error {
		all[i] = new(T)
		return readSealed(ctx, a.store, es[i].key, es[i].sum, all[i])
	}); err != nil {
		return err
	}
	m := make(map[ID]*T, len(all))
	for _, t := range all {
		id, _ := c.ref(t)
		m[id] = t
	}
	c.mu.Lock()
	c.m = m
	c.mu.Unlock()
	return nil
}

// get returns the current version of id, or nil.
func (c *cache[ID, T]) get(id ID) *T {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[id]
}

// put keeps t unless a newer version is cached, and reports whether it
// did.
func (c *cache[ID, T]) put(t *T) bool {
	id, v := c.ref(t)
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[id]; old != nil {
		if _, ov := c.ref(old); ov >= v {
			return false
		}
	}
	c.m[id] = t
	return true
}

// follow caches the version that journal change ch wrote — the one in
// hand if this process wrote it, else read and checked against the hash
// ch recorded — and returns it if it is newer than the cached one.
func (c *cache[ID, T]) follow(ctx context.Context, a *Archive, ch Change) (*T, error) {
	t, ok := a.freshObject(ch.Key).(*T)
	if !ok {
		t = new(T)
		if err := a.readChange(ctx, ch, t); err != nil {
			return nil, err
		}
	}
	if !c.put(t) {
		return nil, nil
	}
	return t, nil
}

// all returns every cached object, by id.
func (c *cache[ID, T]) all() []*T {
	c.mu.RLock()
	out := make([]*T, 0, len(c.m))
	for _, t := range c.m {
		out = append(out, t)
	}
	c.mu.RUnlock()
	slices.SortFunc(out, func(x, y *T) int {
		xi, _ := c.ref(x)
		yi, _ := c.ref(y)
		return cmp.Compare(xi, yi)
	})
	return out
}

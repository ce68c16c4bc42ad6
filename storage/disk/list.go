package disk

import (
	"context"
	"errors"
	"io/fs"
	"iter"
	"os"
	"slices"
	"strings"

	"github.com/visitarchive/visitarchive"
	"github.com/visitarchive/visitarchive/storage"
)

// List implements visitarchive.Store. It walks the directory tree in byte
// order of keys and skips whole subtrees that lie outside prefix or before
// after. When an object's header is damaged it yields that key with an
// Integrity error and stops; a caller may resume with after set to it.
func (s *Store) List(ctx context.Context, prefix, after string) iter.Seq2[visitarchive.ObjectInfo, error] {
	return func(yield func(visitarchive.ObjectInfo, error) bool) {
		if err := storage.ValidPrefix(prefix); err != nil {
			yield(visitarchive.ObjectInfo{}, err)
			return
		}
		w := walker{s: s, ctx: ctx, prefix: prefix, after: after, yield: yield}
		dir, _ := storage.SplitPrefix(prefix)
		w.walk(dir)
	}
}

type walker struct {
	s             *Store
	ctx           context.Context
	prefix, after string
	yield         func(visitarchive.ObjectInfo, error) bool
}

// entry is a directory entry with the key it stands for. A directory's
// sort key ends in "/" because every key under "a" starts "a/", and "a/"
// sorts after "a-b" and "a.b" although "a" sorts before them.
type entry struct {
	key   string
	isDir bool
}

func (e entry) sortKey() string {
	if e.isDir {
		return e.key + "/"
	}
	return e.key
}

// walk lists the object directory rel ("" for the top) and returns false
// once the walk must stop.
func (w *walker) walk(rel string) bool {
	entries, err := w.readDir(rel)
	if err != nil {
		return w.yield(visitarchive.ObjectInfo{}, ioError("disk.list", rel, err))
	}
	for _, e := range entries {
		if err := w.ctx.Err(); err != nil {
			w.yield(visitarchive.ObjectInfo{}, visitarchive.E("disk.list", visitarchive.Unavailable, err, "listing stopped"))
			return false
		}
		if !w.visit(e) {
			return false
		}
	}
	return true
}

func (w *walker) visit(e entry) bool {
	if e.isDir {
		if w.wantDir(e.sortKey()) {
			return w.walk(e.key)
		}
		return true
	}
	if !strings.HasPrefix(e.key, w.prefix) || e.key <= w.after {
		return true
	}
	info, err := w.s.Stat(w.ctx, e.key)
	if visitarchive.IsKind(err, visitarchive.NotFound) {
		return true // deleted since the directory was read
	}
	if err != nil {
		info = visitarchive.ObjectInfo{Key: e.key}
	}
	return w.yield(info, err) && err == nil
}

// wantDir reports whether the subtree of keys starting with d can hold a
// key that starts with prefix and sorts after after.
func (w *walker) wantDir(d string) bool {
	if !strings.HasPrefix(d, w.prefix) && !strings.HasPrefix(w.prefix, d) {
		return false
	}
	// Every key under d is greater than d; when after is greater than d
	// without being inside the subtree, every key under d is before it.
	return !(w.after > d && !strings.HasPrefix(w.after, d))
}

// readDir returns the entries of the object directory rel in key order.
// Names that cannot be key segments are not objects and are skipped.
func (w *walker) readDir(rel string) ([]entry, error) {
	des, err := os.ReadDir(w.s.objPath(rel))
	if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
		return nil, nil // no such directory: no keys under it
	}
	if err != nil {
		return nil, err
	}
	entries := make([]entry, 0, len(des))
	for _, de := range des {
		key := de.Name()
		if rel != "" {
			key = rel + "/" + key
		}
		if storage.ValidKey(key) != nil || !(de.IsDir() || de.Type().IsRegular()) {
			continue
		}
		entries = append(entries, entry{key: key, isDir: de.IsDir()})
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.sortKey(), b.sortKey()) })
	return entries, nil
}

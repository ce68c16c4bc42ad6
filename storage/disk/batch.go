package disk

import (
	"context"
	"os"
	"slices"

	"github.com/visitarchive/visitarchive"
	"golang.org/x/sys/unix"
)

// Object and Result are the root's batch types.
type (
	Object = visitarchive.PutObject
	Result = visitarchive.PutResult
)

var _ visitarchive.BatchStore = (*Store)(nil)

// PutBatch puts objs like Put, with the same create-only check per key, but
// pays for durability once for the whole batch instead of twice per object:
// it writes every temporary without fsync, syncs the file system once, links
// them all, and syncs once more. Use it for bulk imports, where fsync per
// object dominates. When PutBatch returns, every object whose Result has no
// error is durable; a crash before that leaves each object whole or absent.
// Objects are published in order; results are in the order of objs.
func (s *Store) PutBatch(ctx context.Context, objs []Object) []Result {
	const op = "disk.putmany"
	res := make([]Result, len(objs))
	temps := make([]*temp, len(objs))
	defer removeTemps(temps)
	for i, o := range objs {
		temps[i], res[i].Err = s.stageTemp(ctx, o)
	}
	if !slices.ContainsFunc(temps, func(t *temp) bool { return t != nil }) {
		return res
	}
	if err := s.syncfs(op); err != nil { // the bodies, before any link to them
		return failAll(res, err)
	}
	dirs := s.publishAll(temps, res)
	if err := s.syncfs(op); err != nil { // the links and new directories
		s.unpublish(res)
		return failAll(res, err)
	}
	for _, d := range dirs {
		s.dirs.Store(d, struct{}{})
	}
	return res
}

// publishAll links every staged temporary and returns the directories it
// created, which are durable only after the next sync.
func (s *Store) publishAll(temps []*temp, res []Result) []string {
	var dirs []string
	for i, t := range temps {
		if t == nil {
			continue
		}
		if res[i].Err = s.publish("disk.putmany", t, &dirs); res[i].Err == nil {
			res[i].Info = t.info
		}
	}
	return dirs
}

// stageTemp validates o and writes its temporary without fsync.
func (s *Store) stageTemp(ctx context.Context, o Object) (*temp, error) {
	if err := validKeyAbsent(s, "disk.putmany", o.Key); err != nil {
		return nil, err
	}
	return s.writeTemp(ctx, o.Key, o.Body, o.Size, false)
}

// syncfs flushes the whole file system that holds the store: one journal
// commit instead of one per file and directory.
func (s *Store) syncfs(op string) error {
	f, err := os.Open(s.tmp())
	if err != nil {
		return ioError(op, "", err)
	}
	defer f.Close()
	if err := unix.Syncfs(int(f.Fd())); err != nil {
		return ioError(op, "", err)
	}
	return nil
}

// unpublish removes the objects of res that were linked, after the final
// sync failed: a failed put leaves nothing visible.
func (s *Store) unpublish(res []Result) {
	for _, r := range res {
		if r.Err == nil {
			unix.Unlink(s.objPath(r.Info.Key))
		}
	}
}

// failAll marks every object not yet failed with err: without the sync,
// none of them is known to be durable.
func failAll(res []Result, err error) []Result {
	for i := range res {
		if res[i].Err == nil {
			res[i] = Result{Err: err}
		}
	}
	return res
}

func removeTemps(temps []*temp) {
	for _, t := range temps {
		if t != nil {
			os.Remove(t.path)
		}
	}
}

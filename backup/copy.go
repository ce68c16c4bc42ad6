package backup

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sync"

	"golang.org/x/sync/errgroup"

	va "github.com/visitarchive/visitarchive"
)

// workers is how many objects a pass or a restore copies at once: the
// disk store syncs concurrent writes together, and S3 round trips
// overlap.
const workers = 8

// copyJob is one object to copy, with the SHA-256 the journal recorded;
// want is "" for the journal's own objects, whose hash the source
// recorded at write.
type copyJob struct {
	key, want string
	written   bool // an entry wrote it (not the journal's own object)
}

// copyAll runs fn on jobs 0 to n-1, workers at a time, and returns their
// results in job order, or the first error. report is called after each
// job that succeeded, one call at a time.
func copyAll(ctx context.Context, n int, fn func(ctx context.Context, i int) (copied, error), report func(copied)) ([]copied, error) {
	out := make([]copied, n)
	var mu sync.Mutex
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i := range n {
		g.Go(func() error {
			got, err := fn(ctx, i)
			if err != nil {
				return err
			}
			out[i] = got
			mu.Lock()
			defer mu.Unlock()
			report(got)
			return nil
		})
	}
	return out, g.Wait()
}

// copied is what copyObject did with one object.
type copied struct {
	File
	present bool // the target held it already, with the right hash
}

// copyObject copies key from src to dst and reads it back from dst. want
// is the SHA-256 the journal recorded (for the journal's own objects, the
// one the source recorded at write). A source object whose content is not
// want is an Integrity error naming it; one that dst holds already with
// the right content is not copied again, and one that dst holds with
// other content is replaced.
func copyObject(ctx context.Context, src, dst va.Store, key, want string) (copied, error) {
	return copyFrom(ctx, src, dst, key, want, "the store")
}

// copyFrom is copyObject where the errors call src what srcName says.
func copyFrom(ctx context.Context, src, dst va.Store, key, want, srcName string) (copied, error) {
	sum, size, err := hashObject(ctx, dst, key)
	switch {
	case err == nil && sum == want:
		return copied{File: File{Key: key, SHA256: sum, Size: size}, present: true}, nil
	case err == nil || va.IsKind(err, va.Integrity):
		return replace(ctx, src, dst, key, want, srcName)
	case !va.IsKind(err, va.NotFound):
		return copied{}, fmt.Errorf("backup: read %s in the target: %w", key, err)
	}
	return put(ctx, src, dst, key, want, srcName)
}

// replace deletes the damaged or stale copy of key in dst and copies it
// again.
func replace(ctx context.Context, src, dst va.Store, key, want, srcName string) (copied, error) {
	if err := dst.Delete(ctx, key); err != nil && !va.IsKind(err, va.NotFound) {
		return copied{}, fmt.Errorf("backup: replace the damaged copy of %s in the target: %w", key, err)
	}
	return put(ctx, src, dst, key, want, srcName)
}

// put streams key from src into dst, hashing it on the way, then reads
// the copy back and checks its hash.
func put(ctx context.Context, src, dst va.Store, key, want, srcName string) (copied, error) {
	rc, info, err := src.Get(ctx, key)
	if err != nil {
		return copied{}, err // NotFound is the caller's to judge
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := dst.Put(ctx, key, io.TeeReader(rc, h), info.Size); err != nil {
		if va.IsKind(err, va.Integrity) {
			return copied{}, va.E("backup", va.Integrity, err, "object %s in %s is damaged: its content no longer matches its hash", key, srcName)
		}
		return copied{}, fmt.Errorf("backup: copy %s: %w", key, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if sum != want {
		dst.Delete(ctx, key)
		return copied{}, va.E("backup", va.Integrity, nil, "object %s in %s has sha256 %s, but the journal recorded %s", key, srcName, sum, want)
	}
	back, size, err := hashObject(ctx, dst, key)
	if err != nil || back != sum {
		return copied{}, va.E("backup", va.Integrity, err, "object %s reads back from where it was copied to with another content than was copied", key)
	}
	return copied{File: File{Key: key, SHA256: sum, Size: size}}, nil
}

// hashObject reads key to its end and returns the SHA-256 of what it read
// and its size; the store's own check on read may fail it with Integrity.
func hashObject(ctx context.Context, s va.Store, key string) (string, int64, error) {
	rc, _, err := s.Get(ctx, key)
	if err != nil {
		return "", 0, err
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

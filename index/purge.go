package index

import (
	"context"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/visitarchive/visitarchive"
)

// Purge merges each shard into one segment. Deleting a document only
// marks it obsolete in its segment, whose file keeps its stored text
// until segments are merged; after a destruction nothing of the destroyed
// records may stay in the index files, so the Archive calls Purge (it
// implements visitarchive.IndexPurger). Scorch removes the files of the
// merged segments a moment after, once no search holds them.
func (ix *Index) Purge(ctx context.Context) error {
	const op = "index.purge"
	for _, s := range ix.shards {
		adv, err := s.Advanced()
		if err != nil {
			return unavailable(op, err)
		}
		sc, ok := adv.(*scorch.Scorch)
		if !ok {
			continue
		}
		// Only persisted segments are merged, and a shard of one
		// segment is not merged however many of its documents are
		// deleted: an empty document, written to disk, makes a second
		// segment, and goes again after the merge.
		if err := persistDoc(ctx, s, purgeDoc); err != nil {
			return unavailable(op, err)
		}
		opts := mergeplan.SingleSegmentMergePlanOptions
		err = sc.ForceMerge(ctx, &opts)
		if derr := s.Delete(purgeDoc); err == nil {
			err = derr
		}
		if err != nil {
			return unavailable(op, err)
		}
	}
	return nil
}

// persistDoc indexes an empty document id in s and waits until it is on
// disk (unsafe_batch does not wait).
func persistDoc(ctx context.Context, s bleve.Index, id string) error {
	done := make(chan error, 1)
	b := s.NewBatch()
	if err := b.Index(id, map[string]any{}); err != nil {
		return err
	}
	b.SetPersistedCallback(func(err error) { done <- err })
	if err := s.Batch(b); err != nil {
		return err
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(persistWait):
		return visitarchive.E("index.purge", visitarchive.Unavailable, nil, "the index was not written to disk within %v", persistWait)
	}
}

// purgeDoc is the id of the empty document of Purge: no record's id
// (ValidID allows no "~").
const purgeDoc = "~purge"

var _ visitarchive.IndexPurger = (*Index)(nil)

package index

import (
	"context"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/visitarchive/visitarchive"
)

// Purge merges each shard into one segment. Deleting a document only
// marks it obsolete in its segment, whose file keeps its stored text
// until segments are merged; after a destruction nothing of the destroyed
// records may stay in the index files, so the Archive calls Purge (it
// implements visitarchive.IndexPurger). Scorch removes the files of the
// merged segments shortly after, once no reader holds them.
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
		// A shard of one segment is not merged, however many of its
		// documents are deleted: an empty document makes a second
		// segment, and goes again after the merge.
		if err := s.Index(purgeDoc, map[string]any{}); err != nil {
			return unavailable(op, err)
		}
		err = forceMerge(ctx, sc)
		if derr := s.Delete(purgeDoc); err == nil {
			err = derr
		}
		if err != nil {
			return unavailable(op, err)
		}
	}
	return nil
}

// forceMerge merges the persisted segments of sc into one. Only
// persisted segments are merged, and a new one is persisted a moment
// after its batch: until then the merge has nothing to do, and is tried
// again, for up to purgeWait.
func forceMerge(ctx context.Context, sc *scorch.Scorch) error {
	opts := mergeplan.SingleSegmentMergePlanOptions
	deadline := time.Now().Add(purgeWait)
	for {
		before := mergesDone(sc)
		if err := sc.ForceMerge(ctx, &opts); err != nil {
			return err
		}
		if mergesDone(sc) > before || time.Now().After(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// purgeWait bounds how long Purge waits for a shard's segments to be
// persisted.
const purgeWait = 10 * time.Second

func mergesDone(sc *scorch.Scorch) uint64 {
	n, _ := sc.StatsMap()["TotFileMergeZapEnd"].(uint64)
	return n
}

// purgeDoc is the id of the empty document of Purge: no record id (ValidID
// allows no "~").
const purgeDoc = "~purge"

var _ visitarchive.IndexPurger = (*Index)(nil)

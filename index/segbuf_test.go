package index

import (
	"runtime"
	"testing"

	zap "github.com/blevesearch/zapx/v17"
)

// A small Apply allocates for the records it holds, not for a hundred
// more: the buffer of each new segment is sized by its batch.
func TestSmallAppliesAllocateForTheirBatch(t *testing.T) {
	ctx := t.Context()
	docs := loadCorpus(t)
	ix := openTest(t, t.TempDir())
	if zap.NewSegmentBufferNumResultsBump != 0 {
		t.Fatalf("after Open, Bleve sizes new segments for %d records more than their batch", zap.NewSegmentBufferNumResultsBump)
	}
	apply := func(seq uint64) {
		if err := ix.Apply(ctx, seq, docs[seq%uint64(len(docs)):][:1], nil); err != nil {
			t.Fatal(err)
		}
	}
	apply(1) // Bleve's estimate starts from the segment before
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const n = 20
	for seq := range uint64(n) {
		apply(seq + 2)
	}
	runtime.ReadMemStats(&after)
	perApply := (after.TotalAlloc - before.TotalAlloc) / n
	t.Logf("%d KB allocated per Apply of one record", perApply>>10)
	if perApply > 400<<10 { // 123 KB here; 655 KB with Bleve's estimate
		t.Errorf("an Apply of one record allocated %d KB", perApply>>10)
	}
}

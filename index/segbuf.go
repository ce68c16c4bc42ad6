package index

import (
	"sync"

	zap "github.com/blevesearch/zapx/v17"
)

// Bleve's segment format (zapx) sizes the buffer of each new segment from
// the bytes per record of the segment it built before, times the records
// of the batch plus 100. For a batch of a few interactive writes that is
// a hundred times too much: the fixed part of the last small segment,
// divided by its one or two records, times a hundred. At 20,000 records,
// with 8 clients creating records, it was 64% of all the server's
// allocation (17.7 GB in three minutes), and zeroing it 5% of its CPU;
// and an in-memory segment keeps its buffer until the persister writes
// it. Without the hundred the buffer is the estimate for the batch
// itself, and grows if it has to.
var sizeSegmentsOnce sync.Once

func sizeSegmentsByBatch() {
	sizeSegmentsOnce.Do(func() { zap.NewSegmentBufferNumResultsBump = 0 })
}

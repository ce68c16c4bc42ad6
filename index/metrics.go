package index

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// applyMetrics describe the index's group commit: how many documents
// each Apply brings (a group of writes that arrived together, or a bulk
// import's batch) and how long it takes. Their ratio says how well writes
// are gathered: Bleve's cost per record falls steeply with the size of a
// batch.
type applyMetrics struct {
	docs    prometheus.Histogram
	seconds prometheus.Histogram
}

func newApplyMetrics() *applyMetrics {
	return &applyMetrics{
		docs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "visitarchive_index_apply_documents",
			Help:    "Records indexed or removed by each update of the search index (a group of writes that arrived together).",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 250, 1000, 2000},
		}),
		seconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "visitarchive_index_apply_seconds",
			Help:    "Time each update of the search index took, every shard's batches included.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}),
	}
}

// observe counts an Apply of n documents that began at start.
func (m *applyMetrics) observe(n int, start time.Time) {
	m.docs.Observe(float64(n))
	m.seconds.Observe(time.Since(start).Seconds())
}

// Collectors are the index's metrics, for /metrics.
func (ix *Index) Collectors() []prometheus.Collector {
	return []prometheus.Collector{ix.metrics.docs, ix.metrics.seconds}
}

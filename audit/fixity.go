package audit

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	va "github.com/visitarchive/visitarchive"
)

// Fixity is the scheduled fixity check: RunOnce verifies the journal and
// re-reads every object through the Archive's ChainVerifier (the same
// check as `visitarchive verify`), keeps the result in the store,
// journaled as fixity.done, and updates its metrics. It is a
// prometheus.Collector of:
//
//	visitarchive_fixity_last_run_timestamp_seconds  when the last run ended
//	visitarchive_fixity_objects_checked             objects hashed by the last run
//	visitarchive_fixity_problems{kind}              what the last run found, by kind:
//	                                                altered, missing, untracked, journal
type Fixity struct {
	archive *va.Archive
	now     func() time.Time

	mu      sync.Mutex // one run at a time
	last    prometheus.Gauge
	objects prometheus.Gauge
	found   *prometheus.GaugeVec
}

// NewFixity returns the fixity check of a; now is its clock (nil:
// time.Now).
func NewFixity(a *va.Archive, now func() time.Time) *Fixity {
	if now == nil {
		now = time.Now
	}
	return &Fixity{archive: a, now: now,
		last: prometheus.NewGauge(prometheus.GaugeOpts{Name: "visitarchive_fixity_last_run_timestamp_seconds",
			Help: "When the last fixity run ended, in Unix seconds."}),
		objects: prometheus.NewGauge(prometheus.GaugeOpts{Name: "visitarchive_fixity_objects_checked",
			Help: "Objects whose SHA-256 the last fixity run checked."}),
		found: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "visitarchive_fixity_problems",
			Help: "Problems the last fixity run found, by kind: altered, missing, untracked, journal."}, []string{"kind"}),
	}
}

// RunOnce runs the check as the system, keeps its result and returns it
// with the number of objects checked. Problems are in the result, not in
// the error: an error means the check could not run or be kept.
func (f *Fixity) RunOnce(ctx context.Context) (*va.FixityResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ctx = va.WithActor(ctx, "system")
	start := f.now()
	rep, err := f.archive.VerifyChain(ctx, nil)
	if err != nil {
		return nil, err
	}
	res := va.NewFixityResult(rep, start, f.now())
	if err := f.archive.KeepFixity(ctx, res); err != nil {
		return nil, err
	}
	f.record(res)
	return res, nil
}

// CheckFixity is RunOnce for the job runner (retention.FixityCheck): it
// counts the objects checked.
func (f *Fixity) CheckFixity(ctx context.Context) (int, error) {
	res, err := f.RunOnce(ctx)
	if err != nil {
		return 0, err
	}
	return int(res.Objects), nil
}

func (f *Fixity) record(res *va.FixityResult) {
	f.last.Set(float64(res.Ended.UnixNano()) / 1e9)
	f.objects.Set(float64(res.Objects))
	for kind, ps := range map[string][]va.FixityProblem{va.ProblemAltered: res.Altered, va.ProblemMissing: res.Missing,
		"untracked": res.Untracked, va.ProblemJournal: res.Journal} {
		f.found.WithLabelValues(kind).Set(float64(len(ps)))
	}
}

func (f *Fixity) collectors() []prometheus.Collector {
	return []prometheus.Collector{f.last, f.objects, f.found}
}

// Describe implements prometheus.Collector.
func (f *Fixity) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range f.collectors() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (f *Fixity) Collect(ch chan<- prometheus.Metric) {
	for _, c := range f.collectors() {
		c.Collect(ch)
	}
}

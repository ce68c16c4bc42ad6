package retention

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the series of the jobs, labelled by job name. The times are
// those of the Runner's clock, so that an alert on a job that stopped
// succeeding (time() - last_success > 2 × its interval) can be tested.
type metrics struct {
	lastRun     *prometheus.GaugeVec
	lastSuccess *prometheus.GaugeVec
	duration    *prometheus.GaugeVec
	items       *prometheus.CounterVec
	errors      *prometheus.CounterVec
}

func newMetrics() *metrics {
	gauge := func(name, help string) *prometheus.GaugeVec {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, []string{"job"})
	}
	counter := func(name, help string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"job"})
	}
	return &metrics{
		lastRun:     gauge("visitarchive_job_last_run_timestamp_seconds", "When the job's last run ended, in Unix seconds."),
		lastSuccess: gauge("visitarchive_job_last_success_timestamp_seconds", "When the job's last successful run ended, in Unix seconds."),
		duration:    gauge("visitarchive_job_last_duration_seconds", "How long the job's last run took."),
		items:       counter("visitarchive_job_items_total", "Things the job's runs did: records notified, sessions or objects removed."),
		errors:      counter("visitarchive_job_errors_total", "Runs of the job that failed."),
	}
}

// init makes the counters of job exist at zero, so that a rate over them
// is right from the first run; the times appear with the first run.
func (m *metrics) init(job string) {
	m.items.WithLabelValues(job)
	m.errors.WithLabelValues(job)
}

// record counts a run of job from start to end that did n things and
// failed with err; a run that the runner stopped is neither a success nor
// a failure.
func (m *metrics) record(job string, start, end time.Time, n int, err error, stopped bool) {
	m.lastRun.WithLabelValues(job).Set(unix(end))
	m.duration.WithLabelValues(job).Set(end.Sub(start).Seconds())
	if n > 0 { // a counter panics when it goes down
		m.items.WithLabelValues(job).Add(float64(n))
	}
	switch {
	case err == nil:
		m.lastSuccess.WithLabelValues(job).Set(unix(end))
	case !stopped:
		m.errors.WithLabelValues(job).Inc()
	}
}

func unix(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.lastRun, m.lastSuccess, m.duration, m.items, m.errors}
}

// Describe implements prometheus.Collector, so that the server's registry
// can export the jobs' series.
func (r *Runner) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range r.metrics.collectors() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (r *Runner) Collect(ch chan<- prometheus.Metric) {
	for _, c := range r.metrics.collectors() {
		c.Collect(ch)
	}
}

package backup

import (
	"github.com/prometheus/client_golang/prometheus"

	va "github.com/visitarchive/visitarchive"
)

// metrics are the series of the backups:
//
//	visitarchive_backup_last_success_timestamp_seconds  when the last successful pass ended
//	visitarchive_backup_last_sequence                   the journal entry it reached
//	visitarchive_backup_last_objects                    the objects it copied
//	visitarchive_backup_last_bytes                      the bytes it copied
//	visitarchive_backup_failures_total                  the passes that failed
type metrics struct {
	lastSuccess, lastSeq, lastObjects, lastBytes prometheus.Gauge
	failures                                     prometheus.Counter
}

func newMetrics() *metrics {
	gauge := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
	}
	return &metrics{
		lastSuccess: gauge("visitarchive_backup_last_success_timestamp_seconds", "When the last successful backup pass ended, in Unix seconds."),
		lastSeq:     gauge("visitarchive_backup_last_sequence", "The journal entry the last successful backup pass reached."),
		lastObjects: gauge("visitarchive_backup_last_objects", "Objects the last successful backup pass copied."),
		lastBytes:   gauge("visitarchive_backup_last_bytes", "Bytes the last successful backup pass copied."),
		failures: prometheus.NewCounter(prometheus.CounterOpts{Name: "visitarchive_backup_failures_total",
			Help: "Backup passes that failed."}),
	}
}

func (m *metrics) record(run va.BackupRun) {
	if run.Error != "" {
		m.failures.Inc()
		return
	}
	m.lastSuccess.Set(float64(run.Ended.UnixNano()) / 1e9)
	m.lastSeq.Set(float64(run.To))
	m.lastObjects.Set(float64(run.Objects))
	m.lastBytes.Set(float64(run.Bytes))
}

// Collectors are the series of the backups, for the server's registry.
func (b *Backuper) Collectors() []prometheus.Collector {
	return []prometheus.Collector{b.metrics.lastSuccess, b.metrics.lastSeq, b.metrics.lastObjects, b.metrics.lastBytes, b.metrics.failures}
}

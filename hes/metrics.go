package hes

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/amigo-ami/amigo/hes/conn"
)

// metrics are the head-end's collectors (the push listener adds its own).
type metrics struct {
	reads        *prometheus.CounterVec // by kind: profile, registers, events
	failures     *prometheus.CounterVec // by reason (conn.Reason)
	readings     prometheus.Counter     // readings published from reads
	jobs         *prometheus.CounterVec // finished, by kind and state
	running      prometheus.Gauge       // jobs running on this node
	association  prometheus.Histogram   // seconds per association attempt
	assocFailure *prometheus.CounterVec // association failures by reason
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		reads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "amigo_hes_reads_total",
			Help: "Successful meter reads, by kind."}, []string{"kind"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "amigo_hes_failures_total",
			Help: "Failed meter operations, by reason."}, []string{"reason"}),
		readings: prometheus.NewCounter(prometheus.CounterOpts{Name: "amigo_hes_readings_published_total",
			Help: "Readings read from meters and published to the bus."}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "amigo_hes_jobs_total",
			Help: "Jobs finished, by kind and state."}, []string{"kind", "state"}),
		running: prometheus.NewGauge(prometheus.GaugeOpts{Name: "amigo_hes_jobs_running",
			Help: "Jobs running on this head-end."}),
		association: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "amigo_hes_association_seconds",
			Help: "Time to dial and associate (HLS-GMAC included).", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}),
		assocFailure: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "amigo_hes_association_failures_total",
			Help: "Associations that failed, by reason."}, []string{"reason"}),
	}
	if reg != nil {
		reg.MustRegister(m.reads, m.failures, m.readings, m.jobs, m.running, m.association, m.assocFailure)
	}
	return m
}

// onAssociation feeds conn's association reports to the collectors.
func (m *metrics) onAssociation(d time.Duration, err error) {
	if err != nil {
		m.assocFailure.WithLabelValues(conn.Reason(err)).Inc()
		return
	}
	m.association.Observe(d.Seconds())
}

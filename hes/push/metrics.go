package push

import (
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// Rejection reasons, the values of the reason label.
const (
	ReasonMalformed = "malformed"    // not a wrapper frame, ciphered APDU or notification that decodes
	ReasonPlain     = "unciphered"   // not general-glo-ciphering: refused, pushes must authenticate
	ReasonUnknown   = "unknown"      // a system title no registered meter has
	ReasonAuth      = "auth"         // the GCM tag does not verify: wrong key or forged
	ReasonPolicy    = "policy"       // protected less than authenticated encryption
	ReasonReplay    = "replay"       // an invocation counter not above the last accepted
	ReasonBody      = "body"         // authentic, but the body does not fit its layout
	ReasonPublish   = "publish-lost" // accepted, but the listener stopped before its batch was published
)

var reasons = []string{ReasonMalformed, ReasonPlain, ReasonUnknown, ReasonAuth, ReasonPolicy, ReasonReplay, ReasonBody, ReasonPublish}

// Metrics are the push listener's Prometheus collectors. Children are
// bound once, so counting a push is one atomic add.
type Metrics struct {
	Received  prometheus.Counter
	Accepted  prometheus.Counter
	Published prometheus.Counter
	Batches   prometheus.Counter
	Flush     prometheus.Histogram
	rejected  map[string]prometheus.Counter
}

// NewMetrics registers the listener's collectors with reg (none when reg
// is nil).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	rej := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "amigo_hes_pushes_rejected_total",
		Help: "Pushes refused, by reason."}, []string{"reason"})
	m := &Metrics{
		Received: prometheus.NewCounter(prometheus.CounterOpts{Name: "amigo_hes_pushes_received_total",
			Help: "Wrapper frames received by the push listener."}),
		Accepted: prometheus.NewCounter(prometheus.CounterOpts{Name: "amigo_hes_pushes_accepted_total",
			Help: "Pushes decrypted, authenticated and decoded."}),
		Published: prometheus.NewCounter(prometheus.CounterOpts{Name: "amigo_hes_pushes_published_total",
			Help: "Pushes whose batch the bus acknowledged (durable)."}),
		Batches: prometheus.NewCounter(prometheus.CounterOpts{Name: "amigo_hes_push_batches_total",
			Help: "Batch messages published."}),
		Flush: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "amigo_hes_push_flush_seconds",
			Help: "Time to make a batch durable: counter journal sync and bus acknowledgement.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		rejected: map[string]prometheus.Counter{},
	}
	for _, r := range reasons {
		m.rejected[r] = rej.WithLabelValues(r)
	}
	if reg != nil {
		reg.MustRegister(rej, m.Received, m.Accepted, m.Published, m.Batches, m.Flush)
	}
	return m
}

func (m *Metrics) reject(reason string) { m.rejected[reason].Inc() }

// counterValue reads a counter (for tests and the benchmark's progress).
func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return -1
	}
	return m.GetCounter().GetValue()
}

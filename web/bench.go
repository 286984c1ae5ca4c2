package web

import (
	"fmt"
	"testing"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// BenchmarkHubPublish measures live-update fan-out: one job update
// published to N subscribers of which half match (a meter filter), each
// draining its channel as a stream handler would. Reports deliveries/s.
func BenchmarkHubPublish(b *testing.B) {
	for _, n := range []int{1, 100, 1000} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			h := NewHub(HubConfig{Buffer: 1 << 16})
			subs := make([]*Subscription, n)
			for i := range subs {
				subs[i] = h.Subscribe(Filter{Meter: store.MeterID(i%2 + 1)})
			}
			defer func() {
				for _, s := range subs {
					s.Close()
				}
			}()
			j := Job{Job: meta.Job{ID: 1, Kind: CmdDisconnect, Meter: 1, State: meta.JobRunning}, Progress: 0.5}
			b.ReportAllocs()
			delivered := 0
			for b.Loop() {
				h.PublishJob(j)
				for i := 0; i < n; i += 2 {
					<-subs[i].C()
					delivered++
				}
			}
			b.ReportMetric(float64(delivered)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

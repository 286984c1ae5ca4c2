package ami

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/web"
)

// events is web.Events over the event logs the MDM stores: each event is
// a reading on its log's channel with the event code as value
// (mdm/ingest).
type events struct {
	store store.Store
	meta  *meta.DB
	now   func() time.Time
}

// Spans an event query without a from covers: a meter's last 30 days, or
// the whole fleet's last day (which reads every meter's logs).
const (
	meterEventSpan = 30 * 24 * time.Hour
	fleetEventSpan = 24 * time.Hour
)

// An event's id orders events by time and names its meter and log:
// seconds << 32 | meter (24 bits) << 8 | log. Two events of one meter and
// log in the same second are one reading apart in the store already
// (times are milliseconds), and share an id only then.
func eventID(sec int64, meter store.MeterID, log int) int64 {
	return sec<<32 | int64(meter&0xFFFFFF)<<8 | int64(log)
}

// Events implements web.Events.
func (e events) Events(ctx context.Context, q web.EventQuery) ([]web.Event, error) {
	meters := []store.MeterID{q.Meter}
	span := meterEventSpan
	if q.Meter == 0 {
		ms, err := e.meta.Meters(ctx, meta.MeterFilter{})
		if err != nil {
			return nil, err
		}
		meters = meters[:0]
		for _, m := range ms {
			meters = append(meters, m.ID)
		}
		span = fleetEventSpan
	}
	to := q.To
	if to.IsZero() {
		to = e.now().Add(time.Millisecond)
	}
	if q.Before > 0 {
		if b := time.Unix(q.Before>>32+1, 0); b.Before(to) {
			to = b
		}
	}
	from := q.From
	if from.IsZero() {
		from = to.Add(-span)
	}
	if !from.Before(to) {
		return nil, nil
	}
	var out []web.Event
	var buf []store.Reading
	for _, m := range meters {
		for l := range eventlog.NumLogs {
			var err error
			buf, err = e.store.Scan(ctx, store.ScanQuery{Meter: m, Channel: store.Channel(l.Profile()), Range: store.Range{From: from.UnixMilli(), To: to.UnixMilli()}}, buf[:0])
			if err != nil {
				return nil, err
			}
			for _, r := range buf {
				if r.Quality&store.Missing != 0 {
					continue
				}
				code := eventlog.Code(r.Value)
				ev := web.Event{ID: eventID(r.Time/1000, m, int(l)), Meter: m, Time: time.UnixMilli(r.Time).UTC(), Code: int(code),
					Kind: strings.ReplaceAll(code.String(), " ", "-"), Message: code.String() + " (" + l.String() + " log)"}
				if (q.Before == 0 || ev.ID < q.Before) && (q.Kind == "" || q.Kind == ev.Kind) {
					out = append(out, ev)
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b web.Event) int { return cmp.Compare(b.ID, a.ID) })
	return out[:min(len(out), q.Limit)], nil
}

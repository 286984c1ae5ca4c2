package hes

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/bus"
	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/hes/conn"
	"github.com/amigo-ami/amigo/hes/profile"
	"github.com/amigo-ami/amigo/hes/registry"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
)

// Objects of the amigo meter the read paths use (ARCHITECTURE §4).
var (
	LoadProfile15 = cosem.OBIS{1, 0, 99, 1, 0, 255}
	LoadProfile1  = cosem.OBIS{1, 0, 99, 2, 0, 255}
	StandardLog   = cosem.OBIS{0, 0, 99, 98, 0, 255}
	ClockObject   = cosem.OBIS{0, 0, 1, 0, 0, 255}
	// DefaultRegisters are the energy registers a register read takes.
	DefaultRegisters = []cosem.OBIS{cosem.OBIS(store.ActiveImport), cosem.OBIS(store.ActiveExport),
		cosem.OBIS(store.ReactiveImport), cosem.OBIS(store.ReactiveExport)}
)

// ProfileParams are ReadProfile's parameters. Without From the read
// starts after the last entry read before (the watermark), or
// InitialBackfill ago for a meter never read; without To it ends now.
type ProfileParams struct {
	Profile cosem.OBIS `json:"profile,omitzero"` // LoadProfile15 when zero
	From    time.Time  `json:"from,omitzero"`
	To      time.Time  `json:"to,omitzero"`
}

// EventsParams are ReadEvents' parameters (ProfileParams of an event log,
// StandardLog when zero).
type EventsParams = ProfileParams

// RegistersParams are ReadRegisters' parameters.
type RegistersParams struct {
	Registers []cosem.OBIS `json:"registers,omitempty"` // DefaultRegisters when empty
}

// ReadResult says what a read published.
type ReadResult struct {
	Readings int       `json:"readings"`
	Events   int       `json:"events,omitempty"`
	First    time.Time `json:"first,omitzero"` // time of the first entry
	Last     time.Time `json:"last,omitzero"`
}

type columnKey struct {
	serial string
	obis   cosem.OBIS
}

func decodeParams[T any](raw json.RawMessage) (T, error) {
	var p T
	if len(raw) == 0 {
		return p, nil
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, conn.Permanent(fmt.Errorf("%w: %v", ErrBadRequest, err))
	}
	return p, nil
}

func checkParams[T any](raw json.RawMessage) error {
	_, err := decodeParams[T](raw)
	return err
}

func runReadProfile(ctx context.Context, h *HeadEnd, j Job, m registry.Meter) (any, error) {
	p, err := decodeParams[ProfileParams](j.Params)
	if err != nil {
		return nil, err
	}
	if p.Profile == (cosem.OBIS{}) {
		p.Profile = LoadProfile15
	}
	return h.ReadProfile(ctx, m, p)
}

func runReadEvents(ctx context.Context, h *HeadEnd, j Job, m registry.Meter) (any, error) {
	p, err := decodeParams[EventsParams](j.Params)
	if err != nil {
		return nil, err
	}
	if p.Profile == (cosem.OBIS{}) {
		p.Profile = StandardLog
	}
	return h.ReadProfile(ctx, m, p)
}

// ReadProfile reads a profile's entries in [From, To] (see ProfileParams)
// with range selective access on the clock column, publishes them — the
// readings on bus.ReadingsSubject, the events (an event log's) on
// bus.EventsSubject, one message each — and then moves the meter's
// watermark forward to the last entry. Reading from the watermark, entries
// at or before it are dropped, so consecutive reads publish nothing twice;
// an explicit From re-reads (and republishes) whatever it names.
func (h *HeadEnd) ReadProfile(ctx context.Context, m registry.Meter, p ProfileParams) (ReadResult, error) {
	now := h.cfg.Clock.Now()
	mark, has, err := h.marks.Get(ctx, m.Serial, p.Profile)
	if err != nil {
		return ReadResult{}, fmt.Errorf("watermark of %s: %w", m.Serial, err)
	}
	from, to := p.From, p.To
	sinceMark := from.IsZero() && has
	if from.IsZero() {
		from = now.Add(-h.cfg.InitialBackfill)
		if has {
			from = time.UnixMilli(mark).Add(time.Second)
		}
	}
	if to.IsZero() {
		to = now
	}
	var rs []store.Reading
	var es []meterdata.Event
	err = h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
		cols, err := h.captureObjects(ctx, s, p.Profile)
		if err != nil {
			return err
		}
		v, err := s.Client.Get(ctx, cosem.Ref{Class: cosem.ClassProfileGeneric, Name: p.Profile, ID: 2}, RangeSelector(from, to))
		if err != nil {
			return err
		}
		if rs, es, err = profile.Rows(m.ID, p.Profile, cols, v, rs[:0], es[:0]); err != nil {
			return conn.Permanent(fmt.Errorf("profile %s: %w", p.Profile, err))
		}
		return nil
	})
	if err != nil {
		h.m.failures.WithLabelValues(conn.Reason(err)).Inc()
		return ReadResult{}, err
	}
	if sinceMark {
		// A meter that rounds the range outwards must not make us
		// publish the watermark's entry again.
		rs = dropUntil(rs, mark)
		es = dropEventsUntil(es, mark)
	}
	res, err := h.publish(ctx, m, meterdata.SourceProfile, p.Profile, rs, es, now)
	if err != nil {
		return res, err
	}
	h.m.reads.WithLabelValues("profile").Inc()
	if !res.Last.IsZero() {
		if err := h.marks.Set(ctx, m.Serial, p.Profile, res.Last.UnixMilli()); err != nil {
			return res, fmt.Errorf("watermark of %s: %w", m.Serial, err)
		}
	}
	return res, nil
}

// RangeSelector selects a profile's entries whose clock column lies in
// [from, to].
func RangeSelector(from, to time.Time) *cosem.Selector {
	return cosem.RangeDescriptor{Restricting: cosem.ClockTime,
		From: axdr.OctetString(axdr.FromTime(from.UTC()).Append(nil)), To: axdr.OctetString(axdr.FromTime(to.UTC()).Append(nil))}.Selector()
}

func dropUntil(rs []store.Reading, mark int64) []store.Reading {
	out := rs[:0]
	for _, r := range rs {
		if r.Time > mark {
			out = append(out, r)
		}
	}
	return out
}

func dropEventsUntil(es []meterdata.Event, mark int64) []meterdata.Event {
	out := es[:0]
	for _, e := range es {
		if e.Time > mark {
			out = append(out, e)
		}
	}
	return out
}

// publish sends one readings and one events message for a read; their IDs
// name the meter, the object and the time span, so that publishing the
// same read again stores nothing new.
func (h *HeadEnd) publish(ctx context.Context, m registry.Meter, src meterdata.Source, obj cosem.OBIS, rs []store.Reading, es []meterdata.Event, now time.Time) (ReadResult, error) {
	var res ReadResult
	span := func(first, last int64) {
		if res.First.IsZero() || first < res.First.UnixMilli() {
			res.First = time.UnixMilli(first).UTC()
		}
		if last > res.Last.UnixMilli() {
			res.Last = time.UnixMilli(last).UTC()
		}
	}
	if len(rs) > 0 {
		first, last := rs[0].Time, rs[0].Time
		for _, r := range rs {
			first, last = min(first, r.Time), max(last, r.Time)
		}
		msg := meterdata.Readings{Meter: m.ID, Collected: now.UnixMilli(), Source: src, Readings: rs}
		data, err := msg.Append(nil)
		if err != nil {
			return res, conn.Permanent(err)
		}
		id := fmt.Sprintf("%s.%s.%d-%d.%d", bus.MeterToken(m.Serial), obj, first, last, len(rs))
		if err := h.cfg.Publisher.PublishMsg(ctx, bus.Message{Subject: bus.ReadingsSubject(m.Serial), ID: id, Data: data}); err != nil {
			return res, fmt.Errorf("publish readings of %s: %w", m.Serial, err)
		}
		h.m.readings.Add(float64(len(rs)))
		res.Readings = len(rs)
		span(first, last)
	}
	if len(es) > 0 {
		first, last := es[0].Time, es[0].Time
		for _, e := range es {
			first, last = min(first, e.Time), max(last, e.Time)
		}
		msg := meterdata.Events{Meter: m.ID, Collected: now.UnixMilli(), Events: es}
		data, err := msg.Append(nil)
		if err != nil {
			return res, conn.Permanent(err)
		}
		id := fmt.Sprintf("%s.%s.%d-%d.%d", bus.MeterToken(m.Serial), obj, first, last, len(es))
		if err := h.cfg.Publisher.PublishMsg(ctx, bus.Message{Subject: bus.EventsSubject(m.Serial), ID: id, Data: data}); err != nil {
			return res, fmt.Errorf("publish events of %s: %w", m.Serial, err)
		}
		res.Events = len(es)
		span(first, last)
	}
	return res, nil
}

// captureObjects returns a profile's columns (attribute 3), read once per
// meter and cached.
func (h *HeadEnd) captureObjects(ctx context.Context, s *conn.Session, obis cosem.OBIS) ([]cosem.CaptureObject, error) {
	key := columnKey{s.Meter.Serial, obis}
	h.colMu.Lock()
	cols, ok := h.columns[key]
	h.colMu.Unlock()
	if ok {
		return cols, nil
	}
	v, err := s.Client.Get(ctx, cosem.Ref{Class: cosem.ClassProfileGeneric, Name: obis, ID: 3}, nil)
	if err != nil {
		return nil, err
	}
	if cols, err = parseCaptureObjects(v); err != nil {
		return nil, conn.Permanent(fmt.Errorf("capture objects of %s: %w", obis, err))
	}
	h.colMu.Lock()
	h.columns[key] = cols
	h.colMu.Unlock()
	return cols, nil
}

// parseCaptureObjects reads capture_objects: array of structure {class-id
// long-unsigned, logical-name octet-string(6), attribute-index integer,
// data-index long-unsigned}.
func parseCaptureObjects(v []axdr.Value) ([]cosem.CaptureObject, error) {
	if len(v) == 0 || v[0].Tag != axdr.TagArray || len(v) != 1+5*v[0].N {
		return nil, fmt.Errorf("%w: capture_objects is not an array of 4-element structures", dlms.ErrResponse)
	}
	out := make([]cosem.CaptureObject, 0, v[0].N)
	for i := 1; i < len(v); i += 5 {
		st, cls, name, attr, idx := v[i], v[i+1], v[i+2], v[i+3], v[i+4]
		c, _ := cls.Uint()
		a, _ := attr.Int()
		d, _ := idx.Uint()
		if st.Tag != axdr.TagStructure || st.N != 4 || cls.Tag != axdr.TagUint16 || name.Tag != axdr.TagOctetString || len(name.Bytes) != 6 ||
			attr.Tag != axdr.TagInt8 || idx.Tag != axdr.TagUint16 {
			return nil, fmt.Errorf("%w: capture object %d", dlms.ErrResponse, (i-1)/5)
		}
		out = append(out, cosem.CaptureObject{Class: cosem.ClassID(c), Name: cosem.OBIS(name.Bytes), Attribute: int8(a), DataIndex: uint16(d)})
	}
	return out, nil
}

func runReadRegisters(ctx context.Context, h *HeadEnd, j Job, m registry.Meter) (any, error) {
	p, err := decodeParams[RegistersParams](j.Params)
	if err != nil {
		return nil, err
	}
	regs := p.Registers
	if len(regs) == 0 {
		regs = DefaultRegisters
	}
	now := h.cfg.Clock.Now()
	var rs []store.Reading
	err = h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
		reqs := []dlms.AttributeRequest{{Ref: cosem.Ref{Class: cosem.ClassClock, Name: ClockObject, ID: 2}}}
		for _, r := range regs {
			reqs = append(reqs, dlms.AttributeRequest{Ref: cosem.Ref{Class: cosem.ClassRegister, Name: r, ID: 2}})
		}
		results, err := s.Client.GetWithList(ctx, reqs)
		if err != nil {
			return err
		}
		if results[0].Err != nil {
			return conn.Permanent(results[0].Err)
		}
		at, q, err := profile.DateTimeMillis(results[0].Value[0])
		if err != nil {
			return conn.Permanent(fmt.Errorf("clock: %w", err))
		}
		rs = rs[:0]
		for i, r := range results[1:] {
			if r.Err != nil || len(r.Value) != 1 {
				continue // a register this meter lacks
			}
			if x, ok := r.Value[0].Int(); ok {
				rs = append(rs, store.Reading{Meter: m.ID, Channel: store.Channel(regs[i]), Time: at, Value: x, Quality: q})
			}
		}
		return nil
	})
	if err != nil {
		h.m.failures.WithLabelValues(conn.Reason(err)).Inc()
		return nil, err
	}
	res, err := h.publish(ctx, m, meterdata.SourceRegister, ClockObject, rs, nil, now)
	if err == nil {
		h.m.reads.WithLabelValues("registers").Inc()
	}
	return res, err
}

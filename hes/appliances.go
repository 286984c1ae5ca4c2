package hes

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/hes/conn"
	"github.com/amigo-ami/amigo/hes/profile"
	"github.com/amigo-ami/amigo/hes/registry"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
)

// Objects of a waveform meter's NILM module (meter/module/nilm).
var (
	ApplianceLogObject   = cosem.OBIS(meterdata.ApplianceLog) // IC 7: (clock, appliance, state, ΔP, distance, confidence, phase)
	ApplianceTableObject = cosem.OBIS{0, 128, 96, 12, 0, 255} // IC 1: array of {id, label, on, power, energy mWh, switches}
)

// AppliancesParams are ReadAppliances' parameters: ProfileParams of the
// appliance event log (from the watermark to now when zero).
type AppliancesParams = ProfileParams

// AppliancesResult is what a read of a meter's NILM module found: the
// events published and the appliance table, which names the ids.
type AppliancesResult struct {
	Events     int         `json:"events"`
	Appliances []Appliance `json:"appliances"`
}

// Appliance is one row of the module's appliance table.
type Appliance struct {
	ID       uint16  `json:"id"`
	Label    string  `json:"label"`
	On       bool    `json:"on"`
	PowerW   int64   `json:"power_w"`   // while on
	EnergyWh float64 `json:"energy_wh"` // since the module started
	Switches int64   `json:"switches"`
}

// runReadAppliances reads the appliance table and the appliance event log
// since the meter's watermark (as ReadProfile does), publishes the events
// as readings on meterdata.ApplianceLog and moves the watermark.
func runReadAppliances(ctx context.Context, h *HeadEnd, j Job, m registry.Meter) (any, error) {
	p, err := decodeParams[AppliancesParams](j.Params)
	if err != nil {
		return nil, err
	}
	now := h.cfg.Clock.Now()
	mark, has, err := h.marks.Get(ctx, m.Serial, ApplianceLogObject)
	if err != nil {
		return nil, fmt.Errorf("watermark of %s: %w", m.Serial, err)
	}
	from, to := p.From, p.To
	sinceMark := from.IsZero() && has
	if from.IsZero() {
		from = now.Add(-h.cfg.InitialBackfill)
		if has {
			from = time.UnixMilli(mark).Add(time.Millisecond)
		}
	}
	if to.IsZero() {
		to = now
	}
	var res AppliancesResult
	var rs []store.Reading
	err = h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
		rs, res = rs[:0], AppliancesResult{}
		table, err := s.Client.Get(ctx, cosem.Ref{Class: cosem.ClassData, Name: ApplianceTableObject, ID: 2}, nil)
		if err != nil {
			return err
		}
		if res.Appliances, err = appliancesOf(table); err != nil {
			return conn.Permanent(err)
		}
		log, err := s.Client.Get(ctx, cosem.Ref{Class: cosem.ClassProfileGeneric, Name: ApplianceLogObject, ID: 2}, RangeSelector(from, to))
		if err != nil {
			return err
		}
		if rs, err = applianceRows(m.ID, log, rs); err != nil {
			return conn.Permanent(fmt.Errorf("appliance event log: %w", err))
		}
		return nil
	})
	if err != nil {
		h.m.failures.WithLabelValues(conn.Reason(err)).Inc()
		return nil, err
	}
	if sinceMark {
		rs = dropUntil(rs, mark)
	}
	pub, err := h.publish(ctx, m, meterdata.SourceProfile, ApplianceLogObject, rs, nil, now)
	if err != nil {
		return nil, err
	}
	h.m.reads.WithLabelValues("appliances").Inc()
	res.Events = pub.Readings
	if !pub.Last.IsZero() {
		if err := h.marks.Set(ctx, m.Serial, ApplianceLogObject, pub.Last.UnixMilli()); err != nil {
			return res, fmt.Errorf("watermark of %s: %w", m.Serial, err)
		}
	}
	return res, nil
}

// applianceRows appends the readings (profile.ApplianceReading) of the
// log's buffer — rows of (clock, appliance, state, ΔP, distance,
// confidence, phase) — in time order. Should two share a store key, the
// later is moved a millisecond on.
func applianceRows(meter store.MeterID, v []axdr.Value, rs []store.Reading) ([]store.Reading, error) {
	first := len(rs)
	if len(v) == 0 || v[0].Tag != axdr.TagArray {
		return rs, fmt.Errorf("%w: buffer is not an array", dlms.ErrResponse)
	}
	i := 1
	for range v[0].N {
		if i+7 >= len(v) || v[i].Tag != axdr.TagStructure || v[i].N != 1+profile.ApplianceFields {
			return rs, fmt.Errorf("%w: row is not a structure of 7", dlms.ErrResponse)
		}
		row := v[i+1 : i+8]
		t, q, err := profile.DateTimeMillis(row[0])
		if err != nil {
			return rs, err
		}
		r, err := profile.ApplianceReading(meter, t, q, row[1:])
		if err != nil {
			return rs, fmt.Errorf("%w: %v", dlms.ErrResponse, err)
		}
		rs = append(rs, r)
		i += 8
	}
	// A meter logs its phases' events in turns, so the rows need not be
	// in time order; a message's readings must be.
	read := rs[first:]
	slices.SortStableFunc(read, func(a, b store.Reading) int { return cmp.Compare(a.Time, b.Time) })
	for k := 1; k < len(read); k++ {
		if read[k].Time <= read[k-1].Time { // one phase twice in a hundredth: no detector reports that
			read[k].Time = read[k-1].Time + 1
		}
	}
	return rs, nil
}

// appliancesOf reads the appliance table.
func appliancesOf(v []axdr.Value) ([]Appliance, error) {
	if len(v) == 0 || v[0].Tag != axdr.TagArray || len(v) != 1+7*v[0].N {
		return nil, fmt.Errorf("%w: appliance table is not an array of 6-element structures", dlms.ErrResponse)
	}
	out := make([]Appliance, 0, v[0].N)
	for i := 1; i < len(v); i += 7 {
		if v[i].Tag != axdr.TagStructure || v[i].N != 6 {
			return nil, fmt.Errorf("%w: appliance %d", dlms.ErrResponse, len(out))
		}
		id, _ := v[i+1].Uint()
		on, _ := v[i+3].Bool()
		power, _ := v[i+4].Int()
		mWh, _ := v[i+5].Uint()
		switches, _ := v[i+6].Uint()
		out = append(out, Appliance{ID: uint16(id), Label: string(v[i+2].Bytes), On: on, PowerW: power, EnergyWh: float64(mWh) / 1000, Switches: int64(switches)})
	}
	return out, nil
}

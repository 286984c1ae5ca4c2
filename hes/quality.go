package hes

import (
	"context"
	"fmt"
	"math"
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

// PowerQualityParams are ReadPowerQuality's parameters.
type PowerQualityParams struct {
	// Harmonics is how many harmonic orders are read (1…; 25 when 0, at
	// most 50).
	Harmonics int `json:"harmonics,omitempty"`
	// Basic reads the instantaneous values and THD only: no harmonics and
	// no waveform (a schedule over a whole fleet).
	Basic bool `json:"basic,omitempty"`
}

// PowerQualityResult is one power-quality capture of a meter.
type PowerQualityResult struct {
	Time        time.Time        `json:"time"` // the meter's clock
	FrequencyHz float64          `json:"frequency_hz"`
	P           float64          `json:"p_w"` // total active power import, W
	PF          float64          `json:"pf"`  // total power factor
	Phases      []PhaseQuality   `json:"phases"`
	Waveform    *WaveformCapture `json:"waveform,omitempty"`
}

// PhaseQuality is one wired phase's values; THD and harmonics are zero
// and empty on a meter that does not analyse its waveform.
type PhaseQuality struct {
	Phase     string        `json:"phase"` // "a", "b", "c"
	U         float64       `json:"u_rms"` // V
	I         float64       `json:"i_rms"` // A
	P         float64       `json:"p_w"`   // active power import, W
	PF        float64       `json:"pf"`
	THDU      float64       `json:"thd_u"` // fraction
	THDI      float64       `json:"thd_i"`
	Harmonics []HarmonicRMS `json:"harmonics,omitempty"`
}

// HarmonicRMS is one harmonic order's RMS values.
type HarmonicRMS struct {
	H int     `json:"h"`
	U float64 `json:"u_rms"`
	I float64 `json:"i_rms"`
}

// WaveformCapture is the samples a meter captured, by phase.
type WaveformCapture struct {
	RateHz float64              `json:"rate_hz"`
	U      map[string][]float64 `json:"u"`
	I      map[string][]float64 `json:"i"`
}

// The amigo meter's power-quality objects (meter/objects): value group E
// of the instantaneous values (D = 7) of voltage (C = 32, 52, 72) and
// current (C = 31, 51, 71) of L1–L3.
const (
	thdE      = 124 // THD, 0.01 %
	waveformE = 128 // the last cycles of samples (manufacturer-specific)
)

var phaseNames = []string{"a", "b", "c"}

// qualityLN names quantity C0 (32 voltage, 31 current, 21 active power,
// 33 power factor) of phase p with value group E e.
func qualityLN(c0 byte, p int, e byte) cosem.OBIS {
	return cosem.OBIS{1, 0, c0 + byte(20*p), 7, e, 255}
}

// Totals of the instantaneous values.
var (
	frequencyLN = cosem.OBIS{1, 0, 14, 7, 0, 255}
	powerLN     = cosem.OBIS{1, 0, 1, 7, 0, 255}
	pfLN        = cosem.OBIS{1, 0, 13, 7, 0, 255}
)

// listChunk bounds a GET with list, which a meter must take in one APDU.
const listChunk = 24

// registerValue is a register read: the value as the meter sent it and
// its scaler-unit.
type registerValue struct {
	raw int64
	su  cosem.ScalerUnit
	ok  bool
}

func (r registerValue) float() float64 { return float64(r.raw) * math.Pow10(int(r.su.Scaler)) }

// readRegisters reads value and scaler-unit of each register in GETs with
// list; a register the meter lacks or cannot give now is not ok.
func readRegisters(ctx context.Context, s *conn.Session, names []cosem.OBIS) ([]registerValue, error) {
	out := make([]registerValue, len(names))
	for start := 0; start < len(names); start += listChunk / 2 {
		part := names[start:min(start+listChunk/2, len(names))]
		reqs := make([]dlms.AttributeRequest, 0, 2*len(part))
		for _, n := range part {
			reqs = append(reqs, dlms.AttributeRequest{Ref: cosem.Ref{Class: cosem.ClassRegister, Name: n, ID: 2}},
				dlms.AttributeRequest{Ref: cosem.Ref{Class: cosem.ClassRegister, Name: n, ID: 3}})
		}
		rs, err := s.Client.GetWithList(ctx, reqs)
		if err != nil {
			return nil, err
		}
		for i := range part {
			v, su := rs[2*i], rs[2*i+1]
			if v.Err != nil || su.Err != nil || len(v.Value) != 1 {
				continue
			}
			x, ok := v.Value[0].Int()
			sc, err := cosem.ParseScalerUnit(su.Value)
			out[start+i] = registerValue{raw: x, su: sc, ok: ok && err == nil}
		}
	}
	return out, nil
}

// runReadPowerQuality reads a meter's instantaneous values, THD,
// harmonics and waveform capture, publishes the instantaneous values and
// THD as readings at the meter's clock (so that voltage and THD have a
// history), and returns the capture.
func runReadPowerQuality(ctx context.Context, h *HeadEnd, j Job, m registry.Meter) (any, error) {
	p, err := decodeParams[PowerQualityParams](j.Params)
	if err != nil {
		return nil, err
	}
	if p.Harmonics <= 0 {
		p.Harmonics = 25
	}
	p.Harmonics = min(p.Harmonics, 50)
	var res PowerQualityResult
	var rs []store.Reading
	now := h.cfg.Clock.Now()
	err = h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
		res, rs = PowerQualityResult{}, rs[:0]
		clk, err := s.Client.Get(ctx, cosem.Ref{Class: cosem.ClassClock, Name: ClockObject, ID: 2}, nil)
		if err != nil {
			return err
		}
		at, q, err := profile.DateTimeMillis(clk[0])
		if err != nil {
			return conn.Permanent(fmt.Errorf("clock: %w", err))
		}
		res.Time = time.UnixMilli(at).UTC()
		names := []cosem.OBIS{frequencyLN, powerLN, pfLN}
		for ph := range 3 {
			names = append(names, qualityLN(32, ph, 0), qualityLN(31, ph, 0), qualityLN(21, ph, 0), qualityLN(33, ph, 0),
				qualityLN(32, ph, thdE), qualityLN(31, ph, thdE))
		}
		vals, err := readRegisters(ctx, s, names)
		if err != nil {
			return err
		}
		for i, v := range vals {
			if v.ok {
				rs = append(rs, store.Reading{Meter: m.ID, Channel: store.Channel(names[i]), Time: at, Value: v.raw, Quality: q})
			}
		}
		res.FrequencyHz, res.P, res.PF = vals[0].float(), vals[1].float(), vals[2].float()
		for ph := range 3 {
			v := vals[3+6*ph : 9+6*ph]
			if !v[0].ok || v[0].float() < 1 {
				continue // not wired
			}
			res.Phases = append(res.Phases, PhaseQuality{Phase: phaseNames[ph], U: v[0].float(), I: v[1].float(), P: v[2].float(),
				PF: v[3].float(), THDU: v[4].float() / 100, THDI: v[5].float() / 100})
		}
		if p.Basic {
			return nil
		}
		for i := range res.Phases {
			if err := readHarmonics(ctx, s, &res.Phases[i], p.Harmonics); err != nil {
				return err
			}
		}
		res.Waveform, err = readWaveform(ctx, s, res.Phases)
		return err
	})
	if err != nil {
		h.m.failures.WithLabelValues(conn.Reason(err)).Inc()
		return nil, err
	}
	if _, err := h.publish(ctx, m, meterdata.SourceRegister, cosem.OBIS(powerLN), rs, nil, now); err != nil {
		return nil, err
	}
	h.m.reads.WithLabelValues("power-quality").Inc()
	return res, nil
}

// readHarmonics reads orders 1…n of a phase; a meter without analysis
// windows leaves them empty.
func readHarmonics(ctx context.Context, s *conn.Session, ph *PhaseQuality, n int) error {
	p := phaseIndex(ph.Phase)
	names := make([]cosem.OBIS, 0, 2*n)
	for h := 1; h <= n; h++ {
		names = append(names, qualityLN(32, p, byte(h)), qualityLN(31, p, byte(h)))
	}
	vals, err := readRegisters(ctx, s, names)
	if err != nil {
		return err
	}
	for h := 1; h <= n; h++ {
		u, i := vals[2*h-2], vals[2*h-1]
		if !u.ok || !i.ok {
			return nil
		}
		ph.Harmonics = append(ph.Harmonics, HarmonicRMS{H: h, U: u.float(), I: i.float()})
	}
	return nil
}

func phaseIndex(name string) int {
	for i, n := range phaseNames {
		if n == name {
			return i
		}
	}
	return 0
}

// readWaveform reads the waveform objects of the wired phases: each a
// structure {rate_hz, scaler, array of samples}. Nil when the meter
// captures none.
func readWaveform(ctx context.Context, s *conn.Session, phases []PhaseQuality) (*WaveformCapture, error) {
	var w *WaveformCapture
	for _, ph := range phases {
		p := phaseIndex(ph.Phase)
		rs, err := s.Client.GetWithList(ctx, []dlms.AttributeRequest{
			{Ref: cosem.Ref{Class: cosem.ClassData, Name: qualityLN(32, p, waveformE), ID: 2}},
			{Ref: cosem.Ref{Class: cosem.ClassData, Name: qualityLN(31, p, waveformE), ID: 2}},
		})
		if err != nil {
			return nil, err
		}
		u, rateU, okU := samplesOf(rs[0])
		i, rateI, okI := samplesOf(rs[1])
		if !okU || !okI || rateU != rateI {
			continue
		}
		if w == nil {
			w = &WaveformCapture{RateHz: rateU, U: map[string][]float64{}, I: map[string][]float64{}}
		}
		w.U[ph.Phase], w.I[ph.Phase] = u, i
	}
	return w, nil
}

// samplesOf reads structure {rate_hz double-long-unsigned, scaler
// integer, samples array of double-long}.
func samplesOf(r dlms.Result) ([]float64, float64, bool) {
	v := r.Value
	if r.Err != nil || len(v) < 4 || v[0].Tag != axdr.TagStructure || v[0].N != 3 || v[3].Tag != axdr.TagArray || len(v) != 4+v[3].N {
		return nil, 0, false
	}
	rate, ok1 := v[1].Uint()
	scaler, ok2 := v[2].Int()
	if !ok1 || !ok2 || rate == 0 {
		return nil, 0, false
	}
	k := math.Pow10(int(scaler))
	out := make([]float64, v[3].N)
	for i, x := range v[4:] {
		n, _ := x.Int()
		out[i] = float64(n) * k
	}
	return out, float64(rate), true
}

package web

import (
	"time"

	"github.com/amigo-ami/amigo/store"
)

// steps maps the API's step names to the store's buckets; "raw" is the
// readings themselves.
var steps = map[string]store.Step{"15m": store.Step15Min, "1h": store.StepHour, "1d": store.StepDay, "1mo": store.StepMonth}

var stepNames = []string{"raw", "15m", "1h", "1d", "1mo"}

// maxRawSpan bounds a raw query: a month of 1-minute readings is 44,640
// points, as much as a chart can show.
const maxRawSpan = 31 * 24 * time.Hour

// defaultSpan is the range a query covers when it names no from.
func defaultSpan(step string) time.Duration {
	switch step {
	case "1d":
		return 31 * 24 * time.Hour
	case "1mo":
		return 366 * 24 * time.Hour
	}
	return 24 * time.Hour
}

type readingsView struct {
	Meter      store.MeterID `json:"meter"`
	Channel    string        `json:"channel"`
	Name       string        `json:"name"`
	Unit       string        `json:"unit"`
	Scaler     int           `json:"scaler"`
	Cumulative bool          `json:"cumulative"`
	Step       string        `json:"step"`
	From       time.Time     `json:"from"`
	To         time.Time     `json:"to"`
	// Points holds the readings for step raw, Missing placeholders
	// included; Buckets the aggregates for other steps.
	Points  []pointView  `json:"points,omitempty"`
	Buckets []bucketView `json:"buckets,omitempty"`
}

type pointView struct {
	T time.Time `json:"t"`
	V int64     `json:"v"`
	Q string    `json:"q"` // quality flags, "actual" when none
}

type bucketView struct {
	Start time.Time `json:"start"`
	Count int64     `json:"count"`
	Sum   int64     `json:"sum"`
	Min   int64     `json:"min"`
	Max   int64     `json:"max"`
	First int64     `json:"first"`
	Last  int64     `json:"last"`
}

func (s *Server) getReadings(r *request) (any, error) {
	ci, ok := lookupChannel(r.str("channel"))
	if !ok {
		return nil, badParam("channel", "%q is not a known channel; use an OBIS code or one of %s", r.str("channel"), channelNames())
	}
	step := r.str("step")
	var loc *time.Location
	if tz := r.str("tz"); tz != "" {
		var err error
		if loc, err = time.LoadLocation(tz); err != nil || tz == "Local" {
			return nil, badParam("tz", "%q is not an IANA time zone such as Europe/Paris", tz)
		}
	}
	from, to, err := s.timeRange(r, defaultSpan(step))
	if err != nil {
		return nil, err
	}
	if step == "raw" && to.Sub(from) > maxRawSpan {
		return nil, badParam("to", "raw readings span at most 31 days, not %v; ask for step=15m or coarser", to.Sub(from).Round(time.Hour))
	}
	m, err := s.meter(r)
	if err != nil {
		return nil, err
	}
	if s.cfg.Readings == nil {
		return nil, unavailable("readings")
	}
	v := readingsView{
		Meter: m.ID, Channel: ci.Channel.String(), Name: ci.Name, Unit: ci.Unit, Scaler: ci.Scaler,
		Cumulative: ci.Cumulative, Step: step, From: from, To: to,
	}
	rng := store.Range{From: from.UnixMilli(), To: to.UnixMilli()}
	if step == "raw" {
		rs, err := s.cfg.Readings.Scan(r.Context(), store.ScanQuery{Meter: m.ID, Channel: ci.Channel, Range: rng}, nil)
		if err != nil {
			return nil, err
		}
		v.Points = make([]pointView, len(rs))
		for i, rd := range rs {
			v.Points[i] = pointView{time.UnixMilli(rd.Time).UTC(), rd.Value, rd.Quality.String()}
		}
		return v, nil
	}
	bs, err := s.cfg.Readings.Aggregate(r.Context(), store.AggregateQuery{
		Meters: []store.MeterID{m.ID}, Channel: ci.Channel, Range: rng, Step: steps[step], Location: loc,
	})
	if err != nil {
		return nil, err
	}
	v.Buckets = make([]bucketView, len(bs))
	for i, b := range bs {
		v.Buckets[i] = bucketView{time.UnixMilli(b.Start).UTC(), b.Count, b.Sum, b.Min, b.Max, b.First, b.Last}
	}
	return v, nil
}

type registersView struct {
	Meter     store.MeterID  `json:"meter"`
	Registers []registerView `json:"registers"`
}

type registerView struct {
	Channel string    `json:"channel"`
	Name    string    `json:"name"`
	Unit    string    `json:"unit"`
	Scaler  int       `json:"scaler"`
	Value   int64     `json:"value"`
	Time    time.Time `json:"time"`
	Quality string    `json:"quality"`
}

// getRegisters finds each known channel's latest stored reading: first in
// the last day, which is one small scan for a meter read recently, then in
// the rest of Config.RegisterLookback.
func (s *Server) getRegisters(r *request) (any, error) {
	m, err := s.meter(r)
	if err != nil {
		return nil, err
	}
	if s.cfg.Readings == nil {
		return nil, unavailable("readings")
	}
	v := registersView{Meter: m.ID, Registers: []registerView{}}
	now := s.cfg.Now().UnixMilli() + 1
	oldest := max(now-s.cfg.RegisterLookback.Milliseconds(), store.MinTime)
	dayAgo := max(now-int64(24*time.Hour/time.Millisecond), oldest)
	windows := []store.Range{{From: dayAgo, To: now}, {From: oldest, To: dayAgo}}
	var buf []store.Reading
	for _, ci := range channels {
		for _, w := range windows {
			if w.From >= w.To {
				continue
			}
			buf, err = s.cfg.Readings.Scan(r.Context(), store.ScanQuery{Meter: m.ID, Channel: ci.Channel, Range: w}, buf[:0])
			if err != nil {
				return nil, err
			}
			if rd, ok := latest(buf); ok {
				v.Registers = append(v.Registers, registerView{ci.Channel.String(), ci.Name, ci.Unit, ci.Scaler, rd.Value, time.UnixMilli(rd.Time).UTC(), rd.Quality.String()})
				break
			}
		}
	}
	return v, nil
}

// latest returns the last reading that carries a value.
func latest(rs []store.Reading) (store.Reading, bool) {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i].Quality&store.Missing == 0 {
			return rs[i], true
		}
	}
	return store.Reading{}, false
}

type powerQualityView struct {
	Meter       store.MeterID `json:"meter"`
	Time        time.Time     `json:"time"`
	FrequencyHz float64       `json:"frequency_hz"`
	Phases      []pqPhaseView `json:"phases"`
	Waveform    *waveformView `json:"waveform,omitempty"`
}

type pqPhaseView struct {
	Phase     string         `json:"phase"`
	URMS      float64        `json:"u_rms"`
	IRMS      float64        `json:"i_rms"`
	PW        float64        `json:"p_w"`
	PF        float64        `json:"pf"`
	THDU      float64        `json:"thd_u"`
	THDI      float64        `json:"thd_i"`
	Harmonics []harmonicView `json:"harmonics"`
}

type harmonicView struct {
	H    int     `json:"h"`
	URMS float64 `json:"u_rms"`
	IRMS float64 `json:"i_rms"`
}

type waveformView struct {
	RateHz float64              `json:"rate_hz"`
	U      map[string][]float64 `json:"u"`
	I      map[string][]float64 `json:"i"`
}

func (s *Server) getPowerQuality(r *request) (any, error) {
	m, err := s.meter(r)
	if err != nil {
		return nil, err
	}
	if s.cfg.PowerQuality == nil {
		return nil, unavailable("power-quality")
	}
	pq, err := s.cfg.PowerQuality.Snapshot(r.Context(), m.ID)
	if err != nil {
		return nil, err
	}
	v := powerQualityView{Meter: m.ID, Time: pq.Time, FrequencyHz: pq.FrequencyHz, Phases: make([]pqPhaseView, len(pq.Phases))}
	for i, p := range pq.Phases {
		hv := make([]harmonicView, len(p.Harmonics))
		for j, h := range p.Harmonics {
			hv[j] = harmonicView(h)
		}
		v.Phases[i] = pqPhaseView{p.Phase, p.URMS, p.IRMS, p.PW, p.PF, p.THDU, p.THDI, hv}
	}
	if w := pq.Waveform; w != nil {
		v.Waveform = &waveformView{w.RateHz, w.U, w.I}
	}
	return v, nil
}

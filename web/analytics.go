package web

import (
	"time"

	"github.com/amigo-ami/amigo/store"
)

type classRecommendationView struct {
	Meter       store.MeterID `json:"meter"`
	Installed   string        `json:"installed"`
	Recommended string        `json:"recommended"`
	Mismatch    bool          `json:"mismatch"`
	AnnualWh    int64         `json:"annual_wh"`
	PeakW       int64         `json:"peak_w"`
	Reason      string        `json:"reason"`
	Confidence  float64       `json:"confidence"`
}

func (s *Server) listClassRecommendations(r *request) (any, error) {
	if s.cfg.Analytics == nil {
		return nil, unavailable("analytics")
	}
	rs, err := s.cfg.Analytics.ClassRecommendations(r.Context())
	if err != nil {
		return nil, err
	}
	onlyMismatch := r.bool("mismatch")
	views := []classRecommendationView{}
	for _, c := range rs {
		if !onlyMismatch || c.Mismatch {
			views = append(views, classRecommendationView(c))
		}
	}
	return page[classRecommendationView]{Items: views}, nil
}

type loadCurveAlarmView struct {
	Meter    store.MeterID `json:"meter"`
	Kind     string        `json:"kind"`
	Severity string        `json:"severity"`
	From     time.Time     `json:"from"`
	To       time.Time     `json:"to"`
	Score    float64       `json:"score"`
	Message  string        `json:"message"`
}

func (s *Server) listLoadCurveAlarms(r *request) (any, error) {
	from, to, err := s.timeRange(r, 7*24*time.Hour)
	if err != nil {
		return nil, err
	}
	if s.cfg.Analytics == nil {
		return nil, unavailable("analytics")
	}
	as, err := s.cfg.Analytics.LoadCurveAlarms(r.Context(), from, to)
	if err != nil {
		return nil, err
	}
	views := viewsOf(as, func(a LoadCurveAlarm) loadCurveAlarmView { return loadCurveAlarmView(a) })
	return page[loadCurveAlarmView]{Items: views}, nil
}

type qualityView struct {
	From         time.Time          `json:"from"`
	To           time.Time          `json:"to"`
	Meters       int                `json:"meters"`
	Expected     int64              `json:"expected"`
	Received     int64              `json:"received"`
	Valid        int64              `json:"valid"`
	Suspect      int64              `json:"suspect"`
	Estimated    int64              `json:"estimated"`
	Missing      int64              `json:"missing"`
	Completeness float64            `json:"completeness"` // received / expected
	IngestLagP50 float64            `json:"ingest_lag_p50_s"`
	IngestLagP95 float64            `json:"ingest_lag_p95_s"`
	Groups       []groupQualityView `json:"groups"`
}

type groupQualityView struct {
	Group        string  `json:"group"`
	Meters       int     `json:"meters"`
	Completeness float64 `json:"completeness"`
	CommsSuccess float64 `json:"comms_success"`
}

func (s *Server) getQuality(r *request) (any, error) {
	from, to, err := s.timeRange(r, 7*24*time.Hour)
	if err != nil {
		return nil, err
	}
	if s.cfg.Analytics == nil {
		return nil, unavailable("analytics")
	}
	q, err := s.cfg.Analytics.FleetQuality(r.Context(), from, to)
	if err != nil {
		return nil, err
	}
	v := qualityView{
		From: q.From, To: q.To, Meters: q.Meters, Expected: q.Expected, Received: q.Received, Valid: q.Valid,
		Suspect: q.Suspect, Estimated: q.Estimated, Missing: q.Missing,
		IngestLagP50: q.IngestLagP50.Seconds(), IngestLagP95: q.IngestLagP95.Seconds(), Groups: make([]groupQualityView, len(q.Groups)),
	}
	if q.Expected > 0 {
		v.Completeness = float64(q.Received) / float64(q.Expected)
	}
	for i, g := range q.Groups {
		v.Groups[i] = groupQualityView(g)
	}
	return v, nil
}

type applianceEventView struct {
	Time       time.Time `json:"time"`
	Appliance  string    `json:"appliance"`
	On         bool      `json:"on"`
	DeltaW     float64   `json:"delta_w"`
	Confidence float64   `json:"confidence"`
}

// nilmQuery reads the meter and range of a NILM operation.
func (s *Server) nilmQuery(r *request) (m Meter, from, to time.Time, err error) {
	if from, to, err = s.timeRange(r, 24*time.Hour); err != nil {
		return
	}
	if m, err = s.meter(r); err == nil && s.cfg.NILM == nil {
		err = unavailable("NILM")
	}
	return
}

func (s *Server) listApplianceEvents(r *request) (any, error) {
	m, from, to, err := s.nilmQuery(r)
	if err != nil {
		return nil, err
	}
	es, err := s.cfg.NILM.ApplianceEvents(r.Context(), m.ID, from, to)
	if err != nil {
		return nil, err
	}
	views := viewsOf(es, func(e ApplianceEvent) applianceEventView { return applianceEventView(e) })
	return page[applianceEventView]{Items: views}, nil
}

type breakdownView struct {
	Meter      store.MeterID        `json:"meter"`
	From       time.Time            `json:"from"`
	To         time.Time            `json:"to"`
	Appliances []applianceShareView `json:"appliances"`
}

type applianceShareView struct {
	Appliance string  `json:"appliance"`
	EnergyWh  float64 `json:"energy_wh"`
	Share     float64 `json:"share"`
	Events    int     `json:"events"`
}

func (s *Server) getBreakdown(r *request) (any, error) {
	m, from, to, err := s.nilmQuery(r)
	if err != nil {
		return nil, err
	}
	as, err := s.cfg.NILM.Breakdown(r.Context(), m.ID, from, to)
	if err != nil {
		return nil, err
	}
	return breakdownView{Meter: m.ID, From: from, To: to, Appliances: viewsOf(as, func(a ApplianceEnergy) applianceShareView { return applianceShareView(a) })}, nil
}

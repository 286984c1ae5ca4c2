package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// meterView is a meter as the API shows it.
type meterView struct {
	ID          store.MeterID `json:"id"`
	Serial      string        `json:"serial"`
	Group       string        `json:"group"`
	Class       string        `json:"class"`
	Firmware    string        `json:"firmware"`
	TariffID    int64         `json:"tariff_id,omitempty"`
	Address     string        `json:"address"`
	InstalledAt *time.Time    `json:"installed_at,omitempty"`
	Status      statusView    `json:"status"`
}

type statusView struct {
	Comms    string     `json:"comms"`
	Supply   string     `json:"supply,omitempty"`
	LastSeen *time.Time `json:"last_seen,omitempty"`
	// CommsSuccess is absent when no read was due in the last 24 hours.
	CommsSuccess *float64    `json:"comms_success,omitempty"`
	Credit       *creditView `json:"credit,omitempty"`
}

type creditView struct {
	BalanceMicros int64     `json:"balance_micros"`
	Currency      string    `json:"currency"`
	Updated       time.Time `json:"updated"`
}

// opt returns nil for a zero time, so JSON omits it.
func opt(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func viewMeter(m Meter) meterView {
	return meterView{
		ID: m.ID, Serial: m.Serial, Group: m.Group, Class: m.AccuracyClass, Firmware: m.Firmware,
		TariffID: m.TariffID, Address: m.Address, InstalledAt: opt(m.InstalledAt), Status: viewStatus(m.Status),
	}
}

func viewStatus(s MeterStatus) statusView {
	v := statusView{Comms: s.Comms, Supply: s.Supply, LastSeen: opt(s.LastSeen)}
	if v.Comms == "" {
		v.Comms = CommsUnknown
	}
	if s.CommsSuccess >= 0 {
		v.CommsSuccess = &s.CommsSuccess
	}
	if c := s.Credit; c != nil {
		v.Credit = &creditView{c.Balance, c.Currency, c.Updated}
	}
	return v
}

var meterStatuses = []string{CommsOnline, CommsOffline, SupplyConnected, SupplyDisconnected, SupplyReady}

// meter returns the meter of the path's {id}.
func (s *Server) meter(r *request) (Meter, error) {
	if s.cfg.Fleet == nil {
		return Meter{}, unavailable("fleet")
	}
	return s.cfg.Fleet.Meter(r.Context(), store.MeterID(r.int("id")))
}

func unavailable(what string) error {
	return &apiError{http.StatusNotImplemented, codeNotImplemented, "this server has no " + what + " backend"}
}

func (s *Server) listMeters(r *request) (any, error) {
	if s.cfg.Fleet == nil {
		return nil, unavailable("fleet")
	}
	after, err := r.cursor()
	if err != nil {
		return nil, err
	}
	q := MeterQuery{
		SerialPrefix: r.str("serial"), Group: r.str("group"), Class: r.str("class"), Status: r.str("status"),
		After: store.MeterID(after), Limit: r.limit() + 1,
	}
	ms, err := s.cfg.Fleet.Meters(r.Context(), q)
	if err != nil {
		return nil, err
	}
	views := viewsOf(ms, viewMeter)
	return pageOf(views, r.limit(), func(m meterView) int64 { return int64(m.ID) }), nil
}

func (s *Server) getMeter(r *request) (any, error) {
	m, err := s.meter(r)
	if err != nil {
		return nil, err
	}
	return viewMeter(m), nil
}

func (s *Server) getMeterStatus(r *request) (any, error) {
	m, err := s.meter(r)
	if err != nil {
		return nil, err
	}
	return viewStatus(m.Status), nil
}

// fleetView summarises the fleet for the overview page.
type fleetView struct {
	Meters       int            `json:"meters"`
	Comms        map[string]int `json:"comms"`  // by comms state
	Supply       map[string]int `json:"supply"` // by supply state ("unknown" when not reported)
	CommsSuccess *float64       `json:"comms_success,omitempty"`
	OpenAlarms   *int           `json:"open_alarms,omitempty"` // absent without an alarms backend
	Groups       []groupView    `json:"groups"`
}

type groupView struct {
	Group        string   `json:"group"`
	Meters       int      `json:"meters"`
	Online       int      `json:"online"`
	Disconnected int      `json:"disconnected"`
	CommsSuccess *float64 `json:"comms_success,omitempty"`
}

// fleetPage is how many meters the summary asks the fleet for at a time.
const fleetPage = 1000

// getFleet walks every meter once; the fleet backend pages, so memory stays
// bounded by the number of groups.
func (s *Server) getFleet(r *request) (any, error) {
	if s.cfg.Fleet == nil {
		return nil, unavailable("fleet")
	}
	v := fleetView{Comms: map[string]int{}, Supply: map[string]int{}, Groups: []groupView{}}
	type acc struct {
		view      groupView
		sum       float64
		successes int
	}
	var groups []*acc
	index := map[string]*acc{}
	var sum float64
	var n int
	for after := store.MeterID(0); ; {
		ms, err := s.cfg.Fleet.Meters(r.Context(), MeterQuery{After: after, Limit: fleetPage})
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			st := viewStatus(m.Status)
			v.Meters++
			v.Comms[st.Comms]++
			supply := st.Supply
			if supply == "" {
				supply = "unknown"
			}
			v.Supply[supply]++
			g := index[m.Group]
			if g == nil {
				g = &acc{view: groupView{Group: m.Group}}
				index[m.Group] = g
				groups = append(groups, g)
			}
			g.view.Meters++
			if st.Comms == CommsOnline {
				g.view.Online++
			}
			if st.Supply == SupplyDisconnected {
				g.view.Disconnected++
			}
			if st.CommsSuccess != nil {
				sum += *st.CommsSuccess
				n++
				g.sum += *st.CommsSuccess
				g.successes++
			}
		}
		if len(ms) < fleetPage {
			break
		}
		after = ms[len(ms)-1].ID
	}
	if n > 0 {
		mean := sum / float64(n)
		v.CommsSuccess = &mean
	}
	for _, g := range groups {
		if g.successes > 0 {
			mean := g.sum / float64(g.successes)
			g.view.CommsSuccess = &mean
		}
		v.Groups = append(v.Groups, g.view)
	}
	if s.cfg.Alarms != nil {
		open, err := s.cfg.Alarms.Alarms(r.Context(), meta.AlarmFilter{Open: true})
		if err != nil {
			return nil, err
		}
		count := len(open)
		v.OpenAlarms = &count
	}
	return v, nil
}

// timeRange reads from and to, defaulting to the span before now, and
// refuses empty or reversed ranges.
func (s *Server) timeRange(r *request, span time.Duration) (from, to time.Time, err error) {
	from, to = r.time("from"), r.time("to")
	if to.IsZero() {
		to = s.cfg.Now()
		if !from.IsZero() && !from.Before(to) {
			to = from.Add(span)
		}
	}
	if from.IsZero() {
		from = to.Add(-span)
	}
	if !from.Before(to) {
		return from, to, badParam("from", "%s is not before to %s", from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))
	}
	return from.UTC(), to.UTC(), nil
}

func describeStatusFilter() string {
	return "comms or supply state: " + strings.Join(meterStatuses, ", ")
}

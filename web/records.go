package web

import (
	"context"
	"strconv"
	"time"

	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

type eventView struct {
	ID      int64         `json:"id"`
	Meter   store.MeterID `json:"meter"`
	Time    time.Time     `json:"time"`
	Code    int           `json:"code"`
	Kind    string        `json:"kind"`
	Message string        `json:"message"`
}

func (s *Server) listEvents(r *request) (any, error) {
	if s.cfg.Events == nil {
		return nil, unavailable("events")
	}
	before, err := r.cursor()
	if err != nil {
		return nil, err
	}
	q := EventQuery{Meter: store.MeterID(r.int("meter")), Kind: r.str("kind"), From: r.time("from"), To: r.time("to"), Before: before, Limit: r.limit() + 1}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return nil, badParam("from", "%s is not before to %s", q.From.Format(time.RFC3339Nano), q.To.Format(time.RFC3339Nano))
	}
	es, err := s.cfg.Events.Events(r.Context(), q)
	if err != nil {
		return nil, err
	}
	views := viewsOf(es, func(e Event) eventView { return eventView(e) })
	return pageOf(views, r.limit(), func(e eventView) int64 { return e.ID }), nil
}

type alarmView struct {
	ID             int64         `json:"id"`
	Meter          store.MeterID `json:"meter,omitempty"`
	Kind           string        `json:"kind"`
	Severity       string        `json:"severity"`
	Message        string        `json:"message"`
	RaisedAt       time.Time     `json:"raised_at"`
	AcknowledgedAt *time.Time    `json:"acknowledged_at,omitempty"`
	AcknowledgedBy string        `json:"acknowledged_by,omitempty"`
	ClearedAt      *time.Time    `json:"cleared_at,omitempty"`
}

func viewAlarm(a meta.Alarm) alarmView {
	return alarmView{a.ID, a.Meter, a.Kind, a.Severity, a.Message, a.RaisedAt, opt(a.AcknowledgedAt), a.AcknowledgedBy, opt(a.ClearedAt)}
}

// listAlarms pages by offset: alarms are listed newest first by the time
// they were raised, which a cursor on ids cannot follow. A page may repeat
// an alarm when new ones are raised between two requests.
func (s *Server) listAlarms(r *request) (any, error) {
	if s.cfg.Alarms == nil {
		return nil, unavailable("alarms")
	}
	offset, err := r.cursor()
	if err != nil {
		return nil, err
	}
	limit := r.limit()
	as, err := s.cfg.Alarms.Alarms(r.Context(), meta.AlarmFilter{
		Meter: store.MeterID(r.int("meter")), Open: r.str("state") == "open", Limit: int(offset) + limit + 1,
	})
	if err != nil {
		return nil, err
	}
	as = as[min(int(offset), len(as)):]
	views := viewsOf(as, viewAlarm)
	return pageOf(views, limit, func(alarmView) int64 { return offset + int64(limit) }), nil
}

// acknowledgeAlarm records that the user saw an alarm; audited like a
// command.
func (s *Server) acknowledgeAlarm(r *request) (any, error) {
	if s.cfg.Alarms == nil {
		return nil, unavailable("alarms")
	}
	id := r.int("id")
	err := s.audited(r, "alarm.acknowledge", "alarm "+strconv.FormatInt(id, 10), struct{}{}, func(ctx context.Context) (map[string]any, error) {
		return nil, s.cfg.Alarms.AcknowledgeAlarm(ctx, id, r.user.Name)
	})
	if err != nil {
		return nil, err
	}
	return struct {
		ID           int64 `json:"id"`
		Acknowledged bool  `json:"acknowledged"`
	}{id, true}, nil
}

type billView struct {
	ID          int64          `json:"id"`
	Meter       store.MeterID  `json:"meter"`
	From        time.Time      `json:"from"`
	To          time.Time      `json:"to"`
	Currency    string         `json:"currency"`
	TotalMicros int64          `json:"total_micros"`
	Status      string         `json:"status"`
	Supersedes  int64          `json:"supersedes,omitempty"`
	CreatedAt   time.Time      `json:"created_at"`
	Lines       []billLineView `json:"lines"`
}

type billLineView struct {
	Description     string `json:"description"`
	Quantity        int64  `json:"quantity"`
	Unit            string `json:"unit"`
	UnitPriceMicros int64  `json:"unit_price_micros"`
	AmountMicros    int64  `json:"amount_micros"`
}

func viewBill(b meta.Bill) billView {
	v := billView{b.ID, b.Meter, b.From, b.To, b.Currency, b.Total, string(b.Status), b.Supersedes, b.CreatedAt, make([]billLineView, len(b.Lines))}
	for i, l := range b.Lines {
		v.Lines[i] = billLineView{l.Description, l.Quantity, l.Unit, l.UnitPrice, l.Amount}
	}
	return v
}

func (s *Server) listBills(r *request) (any, error) {
	from, to, err := s.timeRange(r, 366*24*time.Hour)
	if err != nil {
		return nil, err
	}
	m, err := s.meter(r)
	if err != nil {
		return nil, err
	}
	if s.cfg.Bills == nil {
		return nil, unavailable("bills")
	}
	bs, err := s.cfg.Bills.Bills(r.Context(), m.ID, from, to)
	if err != nil {
		return nil, err
	}
	views := viewsOf(bs, viewBill)
	return page[billView]{Items: views}, nil
}

func (s *Server) getBill(r *request) (any, error) {
	if s.cfg.Bills == nil {
		return nil, unavailable("bills")
	}
	b, err := s.cfg.Bills.Bill(r.Context(), r.int("id"))
	if err != nil {
		return nil, err
	}
	return viewBill(b), nil
}

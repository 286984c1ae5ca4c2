package objects

import (
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/calendar"
)

// activity is the Activity calendar (IC 20).
type activity struct{}

func (activity) class() (cosem.ClassID, uint8) { return cosem.ClassActivityCalendar, 0 }

func (activity) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	a, _ := t.m.Activity()
	c := &a.Active
	if attr >= 6 {
		c = &a.Passive
	}
	switch attr {
	case 2, 6:
		return axdr.AppendOctetString(dst, []byte(c.Name)), nil
	case 3, 7:
		return appendSeasons(dst, c.Seasons), nil
	case 4, 8:
		return appendWeeks(dst, c.Weeks), nil
	case 5, 9:
		return appendDays(dst, c.Days), nil
	case 10:
		if a.ActivateAt.IsZero() {
			return appendDateTime(dst, notSpecified), nil
		}
		dt := axdr.FromTime(a.ActivateAt)
		dt.Deviation, dt.Status = axdr.DeviationNotSpecified, axdr.StatusNotSpecified
		return appendDateTime(dst, dt), nil
	}
	return dst, noSuchAttribute(attr)
}

func appendSeasons(dst []byte, ss []calendar.Season) []byte {
	dst = axdr.AppendArray(dst, len(ss))
	for _, s := range ss {
		dst = axdr.AppendStructure(dst, 3)
		dst = axdr.AppendOctetString(dst, []byte(s.Name))
		dst = appendDateTime(dst, s.Start)
		dst = axdr.AppendOctetString(dst, []byte(s.Week))
	}
	return dst
}

func appendWeeks(dst []byte, ws []calendar.Week) []byte {
	dst = axdr.AppendArray(dst, len(ws))
	for _, w := range ws {
		dst = axdr.AppendStructure(dst, 8)
		dst = axdr.AppendOctetString(dst, []byte(w.Name))
		for _, d := range w.Days {
			dst = axdr.AppendUint8(dst, d)
		}
	}
	return dst
}

func appendDays(dst []byte, ds []calendar.Day) []byte {
	dst = axdr.AppendArray(dst, len(ds))
	for _, d := range ds {
		dst = axdr.AppendStructure(dst, 2)
		dst = axdr.AppendUint8(dst, d.ID)
		dst = axdr.AppendArray(dst, len(d.Actions))
		for _, a := range d.Actions {
			dst = axdr.AppendStructure(dst, 3)
			dst = appendTime(dst, a.Start)
			dst = axdr.AppendOctetString(dst, a.Script.Table[:])
			dst = axdr.AppendUint16(dst, a.Script.Selector)
		}
	}
	return dst
}

func (activity) writable() []int8 { return []int8{6, 7, 8, 9, 10} }

func (activity) set(t *Tree, attr int8, v []axdr.Value) error {
	a, _ := t.m.Activity()
	p := a.Passive
	r := read(v)
	switch attr {
	case 6:
		p.Name = string(r.octets("calendar_name_passive"))
	case 7:
		p.Seasons = nil
		for range r.array("season_profile_passive") {
			r.structure("season", 3)
			s := calendar.Season{Name: string(r.octets("season_profile_name")), Start: r.dateTime("season_start"), Week: string(r.octets("week_name"))}
			p.Seasons = append(p.Seasons, s)
		}
	case 8:
		p.Weeks = nil
		for range r.array("week_profile_table_passive") {
			r.structure("week", 8)
			w := calendar.Week{Name: string(r.octets("week_profile_name"))}
			for d := range w.Days {
				w.Days[d] = uint8(r.uint("day_id", 255))
			}
			p.Weeks = append(p.Weeks, w)
		}
	case 9:
		p.Days = nil
		for range r.array("day_profile_table_passive") {
			r.structure("day_profile", 2)
			d := calendar.Day{ID: uint8(r.uint("day_id", 255))}
			for range r.array("day_schedule") {
				r.structure("day_profile_action", 3)
				act := calendar.Action{Start: r.time("start_time")}
				act.Script.Table = r.obis("script_logical_name")
				act.Script.Selector = uint16(r.uint("script_selector", 0xFFFF))
				d.Actions = append(d.Actions, act)
			}
			p.Days = append(p.Days, d)
		}
	case 10:
		dt := r.dateTime("activate_passive_calendar_time")
		if r.err == nil {
			w, err := wallOf(dt)
			if err != nil {
				return err
			}
			a.ActivateAt = w
		}
	default:
		return noSuchAttribute(attr)
	}
	if err := r.done(); err != nil {
		return err
	}
	t.m.SetPassiveCalendar(p, a.ActivateAt)
	return nil
}

// wallOf reads a local wall time; every field not specified means none.
func wallOf(dt axdr.DateTime) (calendar.Wall, error) {
	if dt.Year == axdr.YearNotSpecified && dt.Month == axdr.NotSpecified && dt.Day == axdr.NotSpecified && dt.Hour == axdr.NotSpecified {
		return calendar.Wall{}, nil
	}
	dt.Deviation = 0
	w, err := dt.TimeIn(time.UTC)
	if err != nil {
		return calendar.Wall{}, fmt.Errorf("%w: %v", cosem.ErrTypeUnmatched, err)
	}
	return w, nil
}

func (activity) methods() []int8 { return []int8{1} }

func (activity) act(t *Tree, dst []byte, method int8, p []axdr.Value) ([]byte, error) {
	if method != 1 {
		return dst, noSuchMethod(method)
	}
	r := read(p)
	r.int("data", -128, 127)
	if err := r.done(); err != nil {
		return dst, err
	}
	if err := t.m.ActivatePassiveCalendar(); err != nil {
		return dst, fmt.Errorf("%w: %v", cosem.ErrTemporaryFailure, err)
	}
	return dst, nil
}

// specialDays is the Special days table (IC 11).
type specialDays struct{}

func (specialDays) class() (cosem.ClassID, uint8) { return cosem.ClassSpecialDaysTable, 0 }

func (specialDays) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	if attr != 2 {
		return dst, noSuchAttribute(attr)
	}
	_, entries := t.m.Activity()
	dst = axdr.AppendArray(dst, len(entries))
	for _, e := range entries {
		dst = axdr.AppendStructure(dst, 3)
		dst = axdr.AppendUint16(dst, e.Index)
		dst = appendDate(dst, e.Date)
		dst = axdr.AppendUint8(dst, e.DayID)
	}
	return dst, nil
}

func (specialDays) methods() []int8 { return []int8{1, 2} }

func (specialDays) act(t *Tree, dst []byte, method int8, p []axdr.Value) ([]byte, error) {
	r := read(p)
	switch method {
	case 1:
		r.structure("spec_day_entry", 3)
		e := calendar.SpecialDay{Index: uint16(r.uint("index", 0xFFFF)), Date: r.date("specialday_date"), DayID: uint8(r.uint("day_id", 255))}
		if err := r.done(); err != nil {
			return dst, err
		}
		if err := t.m.SetSpecialDay(e); err != nil {
			return dst, fmt.Errorf("%w: %v", cosem.ErrTypeUnmatched, err)
		}
	case 2:
		idx := uint16(r.uint("index", 0xFFFF))
		if err := r.done(); err != nil {
			return dst, err
		}
		t.m.DeleteSpecialDay(idx) // deleting an absent index is no error
	default:
		return dst, noSuchMethod(method)
	}
	return dst, nil
}

// schedule is a Single action schedule (IC 22): the end of billing period
// (writable) or a push schedule (push ≥ 0, read-only).
type schedule struct {
	push int // index of the push setup, −1 for the billing schedule
}

func (schedule) class() (cosem.ClassID, uint8) { return cosem.ClassSingleActionSchedule, 0 }

func (h schedule) current(t *Tree) calendar.Schedule {
	if h.push < 0 {
		return t.m.BillingSchedule()
	}
	return *t.m.PushSetups()[h.push].Schedule
}

func (h schedule) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	s := h.current(t)
	switch attr {
	case 2:
		return appendScript(dst, s.Script.Table, s.Script.Selector), nil
	case 3:
		return axdr.AppendEnum(dst, s.Type), nil
	case 4:
		dst = axdr.AppendArray(dst, len(s.Times))
		for _, e := range s.Times {
			dst = axdr.AppendStructure(dst, 2)
			dst = appendTime(dst, e.Time)
			dst = appendDate(dst, e.Date)
		}
		return dst, nil
	}
	return dst, noSuchAttribute(attr)
}

// billingSchedule is the writable end-of-billing-period schedule.
type billingSchedule struct{ schedule }

func (billingSchedule) writable() []int8 { return []int8{3, 4} }

func (h billingSchedule) set(t *Tree, attr int8, v []axdr.Value) error {
	s := h.current(t)
	r := read(v)
	switch attr {
	case 3:
		s.Type = uint8(r.uint("type", 255))
	case 4:
		s.Times = nil
		for range r.array("execution_time") {
			r.structure("execution_time_date", 2)
			s.Times = append(s.Times, calendar.ExecutionTime{Time: r.time("time"), Date: r.date("date")})
		}
	default:
		return noSuchAttribute(attr)
	}
	if err := r.done(); err != nil {
		return err
	}
	if err := t.m.SetBillingSchedule(s); err != nil {
		return fmt.Errorf("%w: %v", cosem.ErrTypeUnmatched, err)
	}
	return nil
}

// scriptTable is a Script table (IC 9) of the meter's scripts.
type scriptTable struct {
	table     [6]byte
	selectors []uint16
}

func (scriptTable) class() (cosem.ClassID, uint8) { return cosem.ClassScriptTable, 0 }

// get lists the scripts by identifier; their actions are the meter's own
// logic, not a list of attribute writes, so each shows none.
func (h scriptTable) get(_ *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	if attr != 2 {
		return dst, noSuchAttribute(attr)
	}
	dst = axdr.AppendArray(dst, len(h.selectors))
	for _, s := range h.selectors {
		dst = axdr.AppendStructure(dst, 2)
		dst = axdr.AppendUint16(dst, s)
		dst = axdr.AppendArray(dst, 0)
	}
	return dst, nil
}

func (scriptTable) methods() []int8 { return []int8{1} }

func (h scriptTable) act(t *Tree, dst []byte, method int8, p []axdr.Value) ([]byte, error) {
	if method != 1 {
		return dst, noSuchMethod(method)
	}
	r := read(p)
	sel := uint16(r.uint("script_selector", 0xFFFF))
	if err := r.done(); err != nil {
		return dst, err
	}
	if err := t.m.RunScript(h.table, sel); err != nil {
		return dst, fmt.Errorf("%w: %v", cosem.ErrTypeUnmatched, err)
	}
	return dst, nil
}

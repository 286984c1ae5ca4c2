package objects

import (
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/clock"
)

// clockObject is the Clock (IC 8) over the meter's clock.
type clockObject struct{}

func (clockObject) class() (cosem.ClassID, uint8) { return cosem.ClassClock, 0 }

func (clockObject) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	cfg, status := t.m.Clock()
	switch attr {
	case 2:
		return appendDateTime(dst, t.m.ClockDateTime()), nil
	case 3:
		return axdr.AppendInt16(dst, cfg.TimeZone), nil
	case 4:
		return axdr.AppendUint8(dst, uint8(status)), nil
	case 5:
		return appendDateTime(dst, cfg.DSTBegin), nil
	case 6:
		return appendDateTime(dst, cfg.DSTEnd), nil
	case 7:
		return axdr.AppendInt8(dst, cfg.DSTDeviation), nil
	case 8:
		return axdr.AppendBool(dst, cfg.DSTEnabled), nil
	case 9:
		return axdr.AppendEnum(dst, uint8(cfg.Base)), nil
	}
	return dst, noSuchAttribute(attr)
}

func (clockObject) writable() []int8 { return []int8{2, 3, 5, 6, 7, 8} }

func (clockObject) set(t *Tree, attr int8, v []axdr.Value) error {
	r := read(v)
	if attr == 2 {
		dt := r.dateTime("time")
		if err := r.done(); err != nil {
			return err
		}
		if err := t.m.SetClock(dt); err != nil {
			return fmt.Errorf("%w: %v", cosem.ErrTypeUnmatched, err)
		}
		return nil
	}
	cfg, _ := t.m.Clock()
	switch attr {
	case 3:
		cfg.TimeZone = int16(r.int("time_zone", -840, 720))
	case 5:
		cfg.DSTBegin = r.dateTime("daylight_savings_begin")
	case 6:
		cfg.DSTEnd = r.dateTime("daylight_savings_end")
	case 7:
		cfg.DSTDeviation = int8(r.int("daylight_savings_deviation", -120, 120))
	case 8:
		cfg.DSTEnabled = r.bool("daylight_savings_enabled")
	default:
		return noSuchAttribute(attr)
	}
	if err := r.done(); err != nil {
		return err
	}
	if err := t.m.ConfigureClock(cfg); err != nil {
		return fmt.Errorf("%w: %v", cosem.ErrTypeUnmatched, err)
	}
	return nil
}

func (clockObject) methods() []int8 { return []int8{1, 2, 3, 4, 5, 6} }

func (clockObject) act(t *Tree, dst []byte, method int8, p []axdr.Value) ([]byte, error) {
	r := read(p)
	var err error
	switch method {
	case 1, 2, 3, 4:
		r.int("data", -128, 127)
		if err := r.done(); err != nil {
			return dst, err
		}
		switch method {
		case 1:
			err = t.m.AdjustClock(clock.KindAdjustQuarter, 0)
		case 2:
			err = t.m.AdjustClock(clock.KindAdjustPeriod, 0)
		case 3:
			err = t.m.AdjustClock(clock.KindAdjustMinute, 0)
		case 4:
			t.mu.Lock()
			p := t.preset
			t.mu.Unlock()
			if !t.m.AdjustClockToPreset(p) {
				err = fmt.Errorf("%w: no preset time valid now", cosem.ErrTemporaryFailure)
			}
		}
	case 5:
		// preset_adjusting_time: structure {preset_time, validity_interval_start, validity_interval_end}
		r.structure("preset_adjusting_time", 3)
		var ts [3]time.Time
		for i, what := range []string{"preset_time", "validity_interval_start", "validity_interval_end"} {
			dt := r.dateTime(what)
			if r.err == nil {
				if ts[i], err = t.instant(dt); err != nil {
					return dst, fmt.Errorf("%w: %s: %v", cosem.ErrTypeUnmatched, what, err)
				}
			}
		}
		if err := r.done(); err != nil {
			return dst, err
		}
		t.mu.Lock()
		t.preset = clock.Preset{Time: ts[0], ValidFrom: ts[1], ValidTo: ts[2]}
		t.mu.Unlock()
	case 6:
		s := r.int("shift_time", -900, 900)
		if err := r.done(); err != nil {
			return dst, err
		}
		err = t.m.AdjustClock(clock.KindShift, int(s))
	default:
		return dst, noSuchMethod(method)
	}
	if err != nil {
		return dst, err
	}
	return dst, nil
}

// instant reads a fully specified date-time in the meter's zone when its
// deviation is not specified.
func (t *Tree) instant(dt axdr.DateTime) (time.Time, error) {
	now := t.m.ClockDateTime()
	return dt.TimeIn(time.FixedZone("", -int(now.Deviation)*60))
}

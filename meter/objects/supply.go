package objects

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/calendar"
	"github.com/amigo-ami/amigo/meter/supply"
)

// disconnect is the Disconnect control (IC 70).
type disconnect struct{}

func (disconnect) class() (cosem.ClassID, uint8) { return cosem.ClassDisconnectControl, 0 }

func (disconnect) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	mode, state, out := t.m.Supply()
	switch attr {
	case 2:
		return axdr.AppendBool(dst, out), nil
	case 3:
		return axdr.AppendEnum(dst, uint8(state)), nil
	case 4:
		return axdr.AppendEnum(dst, uint8(mode)), nil
	}
	return dst, noSuchAttribute(attr)
}

func (disconnect) writable() []int8 { return []int8{4} }

func (disconnect) set(t *Tree, attr int8, v []axdr.Value) error {
	if attr != 4 {
		return noSuchAttribute(attr)
	}
	r := read(v)
	mode := supply.Mode(r.uint("control_mode", 6))
	if err := r.done(); err != nil {
		return err
	}
	return t.m.SetDisconnectMode(mode)
}

func (disconnect) methods() []int8 { return []int8{1, 2} }

func (disconnect) act(t *Tree, dst []byte, method int8, p []axdr.Value) ([]byte, error) {
	r := read(p)
	r.int("data", -128, 127)
	if err := r.done(); err != nil {
		return dst, err
	}
	trigger := supply.RemoteDisconnect
	switch method {
	case 1:
	case 2:
		trigger = supply.RemoteReconnect
	default:
		return dst, noSuchMethod(method)
	}
	if _, err := t.m.SwitchSupply(trigger); err != nil {
		if errors.Is(err, supply.ErrNotAllowed) {
			return dst, fmt.Errorf("%w: %v", cosem.ErrTemporaryFailure, err)
		}
		return dst, err
	}
	return dst, nil
}

// ActivePowerLN is the limiter's monitored value: total active power
// import, attribute 2.
var ActivePowerLN = [6]byte{1, 0, 1, 7, 0, 255}

// limiter is the Limiter (IC 71) watching the total active import power.
type limiter struct{}

func (limiter) class() (cosem.ClassID, uint8) { return cosem.ClassLimiter, 0 }

func (limiter) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	c, active, emergency := t.m.Limiter()
	switch attr {
	case 2:
		dst = axdr.AppendStructure(dst, 3)
		dst = axdr.AppendUint16(dst, uint16(cosem.ClassRegister))
		dst = axdr.AppendOctetString(dst, ActivePowerLN[:])
		return axdr.AppendInt8(dst, 2), nil
	case 3:
		return axdr.AppendInt32(dst, clamp32(active)), nil
	case 4:
		return axdr.AppendInt32(dst, clamp32(c.Normal)), nil
	case 5:
		return axdr.AppendInt32(dst, clamp32(c.Emergency)), nil
	case 6:
		return axdr.AppendUint32(dst, uint32(c.MinOver/time.Second)), nil
	case 7:
		return axdr.AppendUint32(dst, uint32(c.MinUnder/time.Second)), nil
	case 8:
		dst = axdr.AppendStructure(dst, 3)
		dst = axdr.AppendUint16(dst, c.Profile.ID)
		if c.Profile.Start.IsZero() {
			dst = appendDateTime(dst, notSpecified)
		} else {
			dst = appendDateTime(dst, t.m.DateTimeOf(c.Profile.Start))
		}
		return axdr.AppendUint32(dst, uint32(c.Profile.Duration/time.Second)), nil
	case 9:
		dst = axdr.AppendArray(dst, len(c.Groups))
		for _, g := range c.Groups {
			dst = axdr.AppendUint16(dst, g)
		}
		return dst, nil
	case 10:
		return axdr.AppendBool(dst, emergency), nil
	case 11:
		dst = axdr.AppendStructure(dst, 2)
		dst = appendScript(dst, c.Over.Table, c.Over.Selector)
		return appendScript(dst, c.Under.Table, c.Under.Selector), nil
	}
	return dst, noSuchAttribute(attr)
}

func clamp32(v int64) int32 { return int32(max(math.MinInt32, min(v, math.MaxInt32))) }

func (limiter) writable() []int8 { return []int8{4, 5, 6, 7, 8, 9, 11} }

func (limiter) set(t *Tree, attr int8, v []axdr.Value) error {
	c, _, _ := t.m.Limiter()
	r := read(v)
	switch attr {
	case 4:
		c.Normal = r.int("threshold_normal", math.MinInt32, math.MaxInt32)
	case 5:
		c.Emergency = r.int("threshold_emergency", math.MinInt32, math.MaxInt32)
	case 6:
		c.MinOver = time.Duration(r.uint("min_over_threshold_duration", math.MaxUint32)) * time.Second
	case 7:
		c.MinUnder = time.Duration(r.uint("min_under_threshold_duration", math.MaxUint32)) * time.Second
	case 8:
		r.structure("emergency_profile", 3)
		c.Profile.ID = uint16(r.uint("emergency_profile_id", 0xFFFF))
		dt := r.dateTime("emergency_activation_time")
		c.Profile.Duration = time.Duration(r.uint("emergency_duration", math.MaxUint32)) * time.Second
		if r.err == nil {
			at, err := t.instant(dt)
			if err != nil {
				return fmt.Errorf("%w: emergency_activation_time: %v", cosem.ErrTypeUnmatched, err)
			}
			c.Profile.Start = at
		}
	case 9:
		c.Groups = nil
		for range r.array("emergency_profile_group_id_list") {
			c.Groups = append(c.Groups, uint16(r.uint("group id", 0xFFFF)))
		}
	case 11:
		r.structure("actions", 2)
		for _, s := range []*calendar.Script{&c.Over, &c.Under} {
			r.structure("action_item", 2)
			s.Table = r.obis("script_logical_name")
			s.Selector = uint16(r.uint("script_selector", 0xFFFF))
		}
	default:
		return noSuchAttribute(attr)
	}
	if err := r.done(); err != nil {
		return err
	}
	return t.m.SetLimiter(c)
}

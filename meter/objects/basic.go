package objects

import (
	"math"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/energy"
)

// data is a Data object (IC 1) whose value the meter computes.
type data struct {
	value func(t *Tree, dst []byte) []byte
}

func (data) class() (cosem.ClassID, uint8) { return cosem.ClassData, 0 }

func (h data) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	if attr != 2 {
		return dst, noSuchAttribute(attr)
	}
	return h.value(t, dst), nil
}

// register is a Register (IC 3) with a computed value; reset is not
// offered (billing registers never reset).
type register struct {
	su    cosem.ScalerUnit
	value func(t *Tree, dst []byte) []byte
}

func (register) class() (cosem.ClassID, uint8) { return cosem.ClassRegister, 0 }

func (h register) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	switch attr {
	case 2:
		return h.value(t, dst), nil
	case 3:
		return cosem.AppendScalerUnit(dst, h.su), nil
	}
	return dst, noSuchAttribute(attr)
}

func energyRegister(q energy.Quantity, tariff int) register {
	return register{su: cosem.ScalerUnit{Unit: unitOf(q)}, value: func(t *Tree, dst []byte) []byte {
		e := t.m.Energy()
		if tariff == 0 {
			return axdr.AppendUint64(dst, e.Total[q])
		}
		return axdr.AppendUint64(dst, e.Tariff[q][tariff-1])
	}}
}

func unitOf(q energy.Quantity) cosem.Unit {
	switch q {
	case energy.ActiveImport, energy.ActiveExport:
		return cosem.UnitWh
	case energy.ApparentImport, energy.ApparentExport:
		return cosem.UnitVAh
	}
	return cosem.UnitVarh
}

// reactiveRegister is +R (QI+QII) or −R (QIII+QIV).
func reactiveRegister(export bool) register {
	return register{su: cosem.ScalerUnit{Unit: cosem.UnitVarh}, value: func(t *Tree, dst []byte) []byte {
		e := t.m.Energy()
		if export {
			return axdr.AppendUint64(dst, e.ReactiveExport())
		}
		return axdr.AppendUint64(dst, e.ReactiveImport())
	}}
}

// instant is a Register of an instantaneous value: value × 10^-scaler
// rounded, as a double-long (or long-unsigned for voltages and frequency).
func instant(unit cosem.Unit, scaler int8, unsigned16 bool, value func(t *Tree) float64) register {
	k := math.Pow10(-int(scaler))
	return register{su: cosem.ScalerUnit{Scaler: scaler, Unit: unit}, value: func(t *Tree, dst []byte) []byte {
		v := math.Round(value(t) * k)
		if unsigned16 {
			return axdr.AppendUint16(dst, uint16(math.Max(0, math.Min(v, math.MaxUint16))))
		}
		return axdr.AppendInt32(dst, int32(math.Max(math.MinInt32, math.Min(v, math.MaxInt32))))
	}}
}

// maxDemand is an Extended register (IC 4): a maximum demand with the
// time it was reached.
type maxDemand struct {
	export bool
	tariff int
}

func (maxDemand) class() (cosem.ClassID, uint8) { return cosem.ClassExtendedRegister, 0 }

func (h maxDemand) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	p := t.m.Demand(h.export).Max[h.tariff]
	switch attr {
	case 2:
		return axdr.AppendUint32(dst, uint32(min(p.W, math.MaxUint32))), nil
	case 3:
		return cosem.AppendScalerUnit(dst, cosem.ScalerUnit{Unit: cosem.UnitWatt}), nil
	case 4:
		return axdr.AppendUint8(dst, 0), nil
	case 5:
		if p.At.IsZero() {
			return appendDateTime(dst, notSpecified), nil
		}
		return appendDateTime(dst, t.m.DateTimeOf(p.At)), nil
	}
	return dst, noSuchAttribute(attr)
}

// demand is a Demand register (IC 5) with its sliding window.
type demand struct{ export bool }

func (demand) class() (cosem.ClassID, uint8) { return cosem.ClassDemandRegister, 0 }

func (h demand) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	d := t.m.Demand(h.export)
	switch attr {
	case 2:
		return axdr.AppendUint32(dst, uint32(min(d.Current(), math.MaxUint32))), nil
	case 3:
		return axdr.AppendUint32(dst, uint32(min(d.Last, math.MaxUint32))), nil
	case 4:
		return cosem.AppendScalerUnit(dst, cosem.ScalerUnit{Unit: cosem.UnitWatt}), nil
	case 5:
		return axdr.AppendUint8(dst, 0), nil
	case 6:
		if d.LastAt.IsZero() {
			return appendDateTime(dst, notSpecified), nil
		}
		return appendDateTime(dst, t.m.DateTimeOf(d.LastAt)), nil
	case 7:
		return appendDateTime(dst, t.m.DateTimeOf(d.Start)), nil
	case 8:
		return axdr.AppendUint32(dst, uint32(d.Period.Seconds())), nil
	case 9:
		return axdr.AppendUint16(dst, uint16(d.Periods)), nil
	}
	return dst, noSuchAttribute(attr)
}

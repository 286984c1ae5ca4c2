package cosem

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Unit is the unit enum of scal_unit_type (Blue Book §4.3.2).
type Unit uint8

// Units amigo's meter uses by name; the catalogue knows the others.
const (
	UnitSecond      Unit = 7
	UnitPhaseDegree Unit = 8
	UnitCelsius     Unit = 9
	UnitCurrency    Unit = 10
	UnitWatt        Unit = 27
	UnitVA          Unit = 28
	UnitVar         Unit = 29
	UnitWh          Unit = 30
	UnitVAh         Unit = 31
	UnitVarh        Unit = 32
	UnitAmpere      Unit = 33
	UnitVolt        Unit = 35
	UnitHertz       Unit = 44
	UnitPercent     Unit = 56
	UnitAmpereHour  Unit = 57
	UnitOther       Unit = 254
	UnitCount       Unit = 255 // count: no unit
)

// Symbol returns the unit's symbol ("Wh"), "" for count, other and units the
// catalogue does not know.
func (u Unit) Symbol() string { return units[u].symbol }

// Quantity returns what the unit measures ("active energy"), or "".
func (u Unit) Quantity() string { return units[u].quantity }

// String returns the symbol, or "unit-N" for a unit without one.
func (u Unit) String() string {
	if s := u.Symbol(); s != "" {
		return s
	}
	return "unit-" + strconv.Itoa(int(u))
}

// ScalerUnit is the scaler_unit attribute of registers: the value times
// 10^Scaler is in Unit.
type ScalerUnit struct {
	Scaler int8
	Unit   Unit
}

// AppendScalerUnit appends su as scal_unit_type: structure {integer
// scaler, enum unit}.
func AppendScalerUnit(dst []byte, su ScalerUnit) []byte {
	return axdr.AppendEnum(axdr.AppendInt8(axdr.AppendStructure(dst, 2), su.Scaler), uint8(su.Unit))
}

// ParseScalerUnit reads a decoded scal_unit_type.
func ParseScalerUnit(v []axdr.Value) (ScalerUnit, error) {
	if len(v) != 3 || v[0].Tag != axdr.TagStructure || v[0].N != 2 || v[1].Tag != axdr.TagInt8 || v[2].Tag != axdr.TagEnum {
		return ScalerUnit{}, fmt.Errorf("cosem: scaler_unit: want structure {integer, enum}, have %s", describe(v))
	}
	s, _ := v[1].Int()
	u, _ := v[2].Uint()
	return ScalerUnit{Scaler: int8(s), Unit: Unit(u)}, nil
}

// Format returns the integer value raw scaled by su, exactly, in decimal:
// 12345 with scaler -3 is "12.345", with scaler 2 "1234500". The unit is not
// included (see Unit.Symbol).
func (su ScalerUnit) Format(raw int64) string {
	neg := raw < 0
	digits := strconv.FormatUint(absUint(raw), 10)
	digits = scaleDigits(digits, int(su.Scaler))
	if neg && strings.Trim(digits, "0.") != "" {
		return "-" + digits
	}
	return digits
}

// FormatUint is Format for unsigned values above the int64 range.
func (su ScalerUnit) FormatUint(raw uint64) string {
	return scaleDigits(strconv.FormatUint(raw, 10), int(su.Scaler))
}

// Float returns raw × 10^scaler as a float64 (rounded; for display and
// JSON, not for accounting).
func (su ScalerUnit) Float(raw float64) float64 {
	v, _ := strconv.ParseFloat(scaleDigits(strconv.FormatFloat(raw, 'f', -1, 64), int(su.Scaler)), 64)
	return v
}

func absUint(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}

// scaleDigits moves the decimal point of a non-negative decimal string by
// scaler places, trimming trailing fractional zeros.
func scaleDigits(digits string, scaler int) string {
	intPart, frac, _ := strings.Cut(digits, ".")
	all := intPart + frac
	point := len(intPart) + scaler // position of the point in all
	switch {
	case point <= 0:
		all = strings.Repeat("0", 1-point) + all
		point = 1
	case point > len(all):
		all += strings.Repeat("0", point-len(all))
	}
	ip := strings.TrimLeft(all[:point], "0")
	if ip == "" {
		ip = "0"
	}
	fp := strings.TrimRight(all[point:], "0")
	if fp == "" {
		return ip
	}
	return ip + "." + fp
}

func itoa(v int) string { return strconv.Itoa(v) }

// describe names the shape of a decoded value for error messages.
func describe(v []axdr.Value) string {
	if len(v) == 0 {
		return "nothing"
	}
	return v[0].String()
}

// Parse reads a decimal in units of su ("230.1") and returns the raw
// integer it stands for (2301 with scaler -1), exactly: a value with more
// decimals than the scaler allows is an error, not rounded.
func (su ScalerUnit) Parse(text string) (int64, error) {
	s := strings.TrimSpace(text)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" || strings.Trim(intPart+frac, "0123456789") != "" {
		return 0, fmt.Errorf("cosem: %q is not a decimal number", text)
	}
	// raw = value × 10^-scaler: move the point -scaler places right.
	digits := scaleDigits(intPart+"."+frac, -int(su.Scaler))
	if strings.Contains(digits, ".") {
		return 0, fmt.Errorf("cosem: %q has more decimals than the scaler %d allows", text, su.Scaler)
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("cosem: %q: %w", text, err)
	}
	if neg {
		v = -v
	}
	return v, nil
}

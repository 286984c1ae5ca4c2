package cosem

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// OBIS is an OBIS code (IEC 62056-6-1, Blue Book §7): the six value groups
// A…F that form the logical name of a COSEM object.
type OBIS [6]byte

// ErrOBIS is wrapped by every OBIS parse error.
var ErrOBIS = errors.New("cosem: bad OBIS code")

// ParseOBIS reads an OBIS code in any of the notations people write:
//
//	1-0:1.8.0*255    IEC notation; "*F" may be omitted (F = 255)
//	1-0:1.8.0.255    IEC notation with a dotted F
//	1.0.1.8.0.255    six dotted groups (the form amigo prints)
//	0100010800FF     twelve hex digits (the logical-name bytes)
//
// The error names the input.
func ParseOBIS(s string) (OBIS, error) {
	var o OBIS
	in := strings.TrimSpace(s)
	if len(in) == 12 && !strings.ContainsAny(in, ".-:*") {
		b, err := hex.DecodeString(in)
		if err != nil {
			return o, fmt.Errorf("%w %q: %v", ErrOBIS, s, err)
		}
		copy(o[:], b)
		return o, nil
	}
	var groups []string
	if a, rest, ok := strings.Cut(in, "-"); ok {
		b, cde, ok := strings.Cut(rest, ":")
		if !ok {
			return o, fmt.Errorf("%w %q: want A-B:C.D.E*F", ErrOBIS, s)
		}
		groups = append([]string{a, b}, strings.Split(strings.Replace(cde, "*", ".", 1), ".")...)
		if len(groups) == 5 {
			groups = append(groups, "255")
		}
	} else {
		groups = strings.Split(in, ".")
	}
	if len(groups) != 6 {
		return o, fmt.Errorf("%w %q: want A-B:C.D.E*F or A.B.C.D.E.F", ErrOBIS, s)
	}
	for i, g := range groups {
		v, err := strconv.ParseUint(g, 10, 8)
		if err != nil {
			return o, fmt.Errorf("%w %q: group %c is %q, want 0…255", ErrOBIS, s, 'A'+i, g)
		}
		o[i] = byte(v)
	}
	return o, nil
}

// MustOBIS is ParseOBIS for codes written in the program text; it panics on
// a mistake there.
func MustOBIS(s string) OBIS {
	o, err := ParseOBIS(s)
	if err != nil {
		panic(err)
	}
	return o
}

// String returns the dotted form "1.0.1.8.0.255".
func (o OBIS) String() string {
	b := make([]byte, 0, 23)
	for i, v := range o {
		if i > 0 {
			b = append(b, '.')
		}
		b = strconv.AppendUint(b, uint64(v), 10)
	}
	return string(b)
}

// IEC returns the IEC notation "1-0:1.8.0*255".
func (o OBIS) IEC() string {
	return fmt.Sprintf("%d-%d:%d.%d.%d*%d", o[0], o[1], o[2], o[3], o[4], o[5])
}

// Name returns the descriptive name of well-known codes ("Active energy
// import (+A) total" for 1.0.1.8.0.255), or "" for codes not in the table.
func (o OBIS) Name() string { return obisNames[o] }

// MarshalText writes the dotted form, so OBIS codes read well in JSON.
func (o OBIS) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText accepts every notation ParseOBIS does.
func (o *OBIS) UnmarshalText(b []byte) error {
	v, err := ParseOBIS(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

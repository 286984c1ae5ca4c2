package cosem

import (
	"fmt"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Access selectors of the profile generic buffer (Blue Book §4.3.6).
const (
	SelectorRange uint8 = 1 // range_descriptor
	SelectorEntry uint8 = 2 // entry_descriptor
)

// CaptureObject is capture_object_definition: which attribute (and which
// element of it, DataIndex 0 for all) a profile column captures.
type CaptureObject struct {
	Class     ClassID
	Name      OBIS
	Attribute int8
	DataIndex uint16
}

// ClockTime is the capture object of the clock's time, the usual first
// column of a profile and the usual restricting object of a range.
var ClockTime = CaptureObject{Class: ClassClock, Name: OBIS{0, 0, 1, 0, 0, 255}, Attribute: 2}

func (c CaptureObject) appendTo(dst []byte) []byte {
	dst = axdr.AppendStructure(dst, 4)
	dst = axdr.AppendUint16(dst, uint16(c.Class))
	dst = axdr.AppendOctetString(dst, c.Name[:])
	dst = axdr.AppendInt8(dst, c.Attribute)
	return axdr.AppendUint16(dst, c.DataIndex)
}

func (c CaptureObject) values() []axdr.Value {
	return []axdr.Value{axdr.Structure(4), axdr.Uint16(uint16(c.Class)), axdr.OctetString(c.Name[:]),
		axdr.Int8(c.Attribute), axdr.Uint16(c.DataIndex)}
}

// same reports whether c and o capture the same attribute.
func (c CaptureObject) same(o CaptureObject) bool {
	return c.Class == o.Class && c.Name == o.Name && c.Attribute == o.Attribute && c.DataIndex == o.DataIndex
}

// parseCaptureObject reads a capture_object_definition at p[i] and returns
// the index after it.
func parseCaptureObject(p []axdr.Value, i int) (CaptureObject, int, error) {
	var c CaptureObject
	if i+5 > len(p) || p[i].Tag != axdr.TagStructure || p[i].N != 4 ||
		p[i+1].Tag != axdr.TagUint16 || p[i+2].Tag != axdr.TagOctetString || len(p[i+2].Bytes) != 6 ||
		p[i+3].Tag != axdr.TagInt8 || p[i+4].Tag != axdr.TagUint16 {
		return c, i, fmt.Errorf("%w: want capture_object_definition structure {long-unsigned, octet-string(6), integer, long-unsigned}", ErrTypeUnmatched)
	}
	cls, _ := p[i+1].Uint()
	attr, _ := p[i+3].Int()
	idx, _ := p[i+4].Uint()
	c.Class, c.Attribute, c.DataIndex = ClassID(cls), int8(attr), uint16(idx)
	copy(c.Name[:], p[i+2].Bytes)
	return c, i + 5, nil
}

// RangeDescriptor is range_descriptor (selector 1): the entries whose
// restricting object's value lies in [From, To], with the Selected columns
// only (all when empty). From and To are usually clock times as
// octet-string(12).
type RangeDescriptor struct {
	Restricting CaptureObject
	From, To    axdr.Value
	Selected    []CaptureObject
}

// Selector returns the selective access of r, for a client's request.
func (r RangeDescriptor) Selector() *Selector {
	p := []axdr.Value{axdr.Structure(4)}
	p = append(p, r.Restricting.values()...)
	p = append(p, r.From, r.To, axdr.Array(len(r.Selected)))
	for _, c := range r.Selected {
		p = append(p, c.values()...)
	}
	return &Selector{ID: SelectorRange, Params: p}
}

// ParseRange reads a range_descriptor. Errors wrap ErrTypeUnmatched.
func ParseRange(sel *Selector) (RangeDescriptor, error) {
	var r RangeDescriptor
	p := sel.Params
	if sel.ID != SelectorRange || len(p) == 0 || p[0].Tag != axdr.TagStructure || p[0].N != 4 {
		return r, fmt.Errorf("%w: range_descriptor wants selector 1 and structure[4]", ErrTypeUnmatched)
	}
	i := 1
	var err error
	if r.Restricting, i, err = parseCaptureObject(p, i); err != nil {
		return r, fmt.Errorf("range_descriptor.restricting_object: %w", err)
	}
	if i+3 > len(p) || p[i].IsContainer() || p[i+1].IsContainer() || p[i+2].Tag != axdr.TagArray {
		return r, fmt.Errorf("%w: range_descriptor: want simple from_value, to_value and an array of selected_values", ErrTypeUnmatched)
	}
	r.From, r.To = p[i], p[i+1]
	n := p[i+2].N
	i += 3
	for k := 0; k < n; k++ {
		var c CaptureObject
		if c, i, err = parseCaptureObject(p, i); err != nil {
			return r, fmt.Errorf("range_descriptor.selected_values[%d]: %w", k, err)
		}
		r.Selected = append(r.Selected, c)
	}
	if i != len(p) {
		return r, fmt.Errorf("%w: range_descriptor: %d values after it", ErrTypeUnmatched, len(p)-i)
	}
	return r, nil
}

// EntryDescriptor is entry_descriptor (selector 2): entries FromEntry…
// ToEntry (1-based; ToEntry 0 = to the last) and, of each, the values
// FromValue…ToValue (1-based; ToValue 0 = to the last).
type EntryDescriptor struct {
	FromEntry, ToEntry uint32
	FromValue, ToValue uint16
}

// Selector returns the selective access of e, for a client's request.
func (e EntryDescriptor) Selector() *Selector {
	return &Selector{ID: SelectorEntry, Params: []axdr.Value{axdr.Structure(4),
		axdr.Uint32(e.FromEntry), axdr.Uint32(e.ToEntry), axdr.Uint16(e.FromValue), axdr.Uint16(e.ToValue)}}
}

// ParseEntry reads an entry_descriptor. Errors wrap ErrTypeUnmatched.
func ParseEntry(sel *Selector) (EntryDescriptor, error) {
	p := sel.Params
	if sel.ID != SelectorEntry || len(p) != 5 || p[0].Tag != axdr.TagStructure || p[0].N != 4 ||
		p[1].Tag != axdr.TagUint32 || p[2].Tag != axdr.TagUint32 || p[3].Tag != axdr.TagUint16 || p[4].Tag != axdr.TagUint16 {
		return EntryDescriptor{}, fmt.Errorf("%w: entry_descriptor wants structure {double-long-unsigned, double-long-unsigned, long-unsigned, long-unsigned}", ErrTypeUnmatched)
	}
	fe, _ := p[1].Uint()
	te, _ := p[2].Uint()
	fv, _ := p[3].Uint()
	tv, _ := p[4].Uint()
	return EntryDescriptor{uint32(fe), uint32(te), uint16(fv), uint16(tv)}, nil
}

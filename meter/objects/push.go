package objects

import (
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/push"
)

// pushSetup is a Push setup (IC 40) of the meter's push setup i.
type pushSetup struct{ i int }

func (pushSetup) class() (cosem.ClassID, uint8) { return cosem.ClassPushSetup, 0 }

func (h pushSetup) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	return appendPushSetup(dst, t.m.PushSetups()[h.i].Setup, attr)
}

// PushSetup returns a read-only push setup object showing s: an
// expansion module's own pushes, which it sends itself.
func PushSetup(s push.Setup) Extra {
	return Extra{Object: object{&descriptor{name: s.Name, h: fixedPushSetup{s}}, nil}, Access: Metered}
}

// fixedPushSetup is a push setup (IC 40) whose attributes do not change.
type fixedPushSetup struct{ s push.Setup }

func (fixedPushSetup) class() (cosem.ClassID, uint8) { return cosem.ClassPushSetup, 0 }

func (h fixedPushSetup) get(_ *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	return appendPushSetup(dst, h.s, attr)
}

// appendPushSetup appends attribute attr of a push setup.
func appendPushSetup(dst []byte, s push.Setup, attr int8) ([]byte, error) {
	switch attr {
	case 2:
		dst = axdr.AppendArray(dst, len(s.Objects))
		for _, o := range s.Objects {
			dst = appendCaptureObject(dst, o.Class, o.Name, o.Attr, o.DataIndex)
		}
		return dst, nil
	case 3:
		dst = axdr.AppendStructure(dst, 3)
		dst = axdr.AppendEnum(dst, uint8(s.Destination.Transport))
		dst = axdr.AppendOctetString(dst, []byte(s.Destination.Address))
		return axdr.AppendEnum(dst, s.Destination.Message), nil
	case 4:
		dst = axdr.AppendArray(dst, len(s.Windows))
		for _, w := range s.Windows {
			dst = axdr.AppendStructure(dst, 2)
			dst = appendDateTime(dst, w.Start)
			dst = appendDateTime(dst, w.End)
		}
		return dst, nil
	case 5:
		return axdr.AppendUint16(dst, uint16(s.Randomisation/time.Second)), nil
	case 6:
		return axdr.AppendUint8(dst, s.Retries), nil
	case 7:
		return axdr.AppendUint16(dst, uint16(s.RepetitionDelay/time.Second)), nil
	}
	return dst, noSuchAttribute(attr)
}

func (pushSetup) writable() []int8 { return []int8{2, 3, 4, 5, 6, 7} }

func (h pushSetup) set(t *Tree, attr int8, v []axdr.Value) error {
	s := t.m.PushSetups()[h.i].Setup
	r := read(v)
	switch attr {
	case 2:
		s.Objects = nil
		for range r.array("push_object_list") {
			r.structure("capture_object_definition", 4)
			o := push.Object{Class: uint16(r.uint("class_id", 0xFFFF)), Name: r.obis("logical_name"),
				Attr: int8(r.int("attribute_index", -128, 127)), DataIndex: uint16(r.uint("data_index", 0xFFFF))}
			s.Objects = append(s.Objects, o)
		}
	case 3:
		r.structure("send_destination_and_method", 3)
		s.Destination = push.Destination{Transport: push.Transport(r.uint("transport_service", 255)),
			Address: string(r.octets("destination")), Message: uint8(r.uint("message", 255))}
	case 4:
		s.Windows = nil
		for range r.array("communication_window") {
			r.structure("window_element", 2)
			s.Windows = append(s.Windows, push.Window{Start: r.dateTime("start"), End: r.dateTime("end")})
		}
	case 5:
		s.Randomisation = time.Duration(r.uint("randomisation_start_interval", 0xFFFF)) * time.Second
	case 6:
		s.Retries = uint8(r.uint("number_of_retries", 255))
	case 7:
		s.RepetitionDelay = time.Duration(r.uint("repetition_delay", 0xFFFF)) * time.Second
	default:
		return noSuchAttribute(attr)
	}
	if err := r.done(); err != nil {
		return err
	}
	if err := t.m.SetPushSetup(h.i, s); err != nil {
		return fmt.Errorf("%w: %v", cosem.ErrTypeUnmatched, err)
	}
	return nil
}

func (pushSetup) methods() []int8 { return []int8{1} }

func (h pushSetup) act(t *Tree, dst []byte, method int8, p []axdr.Value) ([]byte, error) {
	if method != 1 {
		return dst, noSuchMethod(method)
	}
	r := read(p)
	r.int("data", -128, 127)
	if err := r.done(); err != nil {
		return dst, err
	}
	return dst, t.m.PushNow(h.i)
}

package cosem_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// A range descriptor survives the trip through a GET-Request on the wire and
// is told apart from an entry descriptor.
func TestRangeDescriptorThroughGetRequest(t *testing.T) {
	energy := cosem.CaptureObject{Class: cosem.ClassRegister, Name: cosem.OBIS{1, 0, 1, 8, 0, 255}, Attribute: 2}
	from := axdr.FromTime(time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC))
	to := axdr.FromTime(time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC))
	want := cosem.RangeDescriptor{Restricting: cosem.ClockTime, From: axdr.OctetString(from.Append(nil)),
		To: axdr.OctetString(to.Append(nil)), Selected: []cosem.CaptureObject{cosem.ClockTime, energy}}
	sel := want.Selector()
	req := &apdu.GetRequest{Choice: apdu.GetNormal, InvokeID: 0xC1, Attributes: []apdu.AttributeSelection{{
		Attribute: apdu.AttributeDescriptor{ClassID: 7, Instance: apdu.InstanceID{1, 0, 99, 1, 0, 255}, Attribute: 2},
		Access:    apdu.SelectiveAccess{Selector: sel.ID, Params: sel.Params},
	}}}
	b, err := req.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	var back apdu.GetRequest
	if err := back.Decode(b); err != nil {
		t.Fatal(err)
	}
	access := back.Attributes[0].Access
	got, err := cosem.ParseRange(&cosem.Selector{ID: access.Selector, Params: access.Params})
	if err != nil {
		t.Fatal(err)
	}
	if got.Restricting != want.Restricting || !got.From.Equal(want.From) || !got.To.Equal(want.To) ||
		len(got.Selected) != 2 || got.Selected[1] != energy {
		t.Errorf("range descriptor round trip:\n got %+v\nwant %+v", got, want)
	}
	if _, err := cosem.ParseEntry(&cosem.Selector{ID: access.Selector, Params: access.Params}); err == nil {
		t.Error("ParseEntry accepted a range descriptor")
	}
}

func TestEntryDescriptorBytes(t *testing.T) {
	e := cosem.EntryDescriptor{FromEntry: 1, ToEntry: 96, FromValue: 1, ToValue: 0}
	sel := e.Selector()
	b, err := axdr.Append(nil, sel.Params)
	if err != nil {
		t.Fatal(err)
	}
	// entry_descriptor ::= structure { from_entry double-long-unsigned,
	// to_entry double-long-unsigned, from_selected_value long-unsigned,
	// to_selected_value long-unsigned } (Blue Book, profile generic).
	if want := unhex(t, "02 04 06 00000001 06 00000060 12 0001 12 0000"); sel.ID != 2 || !bytes.Equal(b, want) {
		t.Errorf("entry descriptor selector %d, % X; want 2, % X", sel.ID, b, want)
	}
	got, err := cosem.ParseEntry(sel)
	if err != nil || got != e {
		t.Errorf("ParseEntry = %+v, %v; want %+v", got, err, e)
	}
	if _, err := cosem.ParseRange(sel); err == nil {
		t.Error("ParseRange accepted an entry descriptor")
	}
}

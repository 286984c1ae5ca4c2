package dlms_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

func TestRangeDescriptorRoundTrip(t *testing.T) {
	clock := dlms.CaptureObject{ClassID: 8, Instance: dlms.InstanceID{0, 0, 1, 0, 0, 255}, Attribute: 2}
	energy := dlms.CaptureObject{ClassID: 3, Instance: dlms.InstanceID{1, 0, 1, 8, 0, 255}, Attribute: 2}
	from := axdr.FromTime(time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC))
	to := axdr.FromTime(time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC))
	want := dlms.RangeDescriptor{Restricting: clock, From: axdr.OctetString(from.Append(nil)),
		To: axdr.OctetString(to.Append(nil)), Selected: []dlms.CaptureObject{clock, energy}}
	req := &dlms.GetRequest{Choice: dlms.GetNormal, InvokeID: 0xC1, Attributes: []dlms.AttributeSelection{{
		Attribute: dlms.AttributeDescriptor{ClassID: 7, Instance: dlms.InstanceID{1, 0, 99, 1, 0, 255}, Attribute: 2},
		Access:    want.Access(),
	}}}
	b, err := req.Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	var back dlms.GetRequest
	if err := back.Decode(b); err != nil {
		t.Fatal(err)
	}
	got, err := dlms.ParseRangeDescriptor(back.Attributes[0].Access)
	if err != nil {
		t.Fatal(err)
	}
	if got.Restricting != want.Restricting || !got.From.Equal(want.From) || !got.To.Equal(want.To) ||
		len(got.Selected) != 2 || got.Selected[1] != energy {
		t.Errorf("range descriptor round trip:\n got %+v\nwant %+v", got, want)
	}
	if _, err := dlms.ParseEntryDescriptor(back.Attributes[0].Access); err == nil {
		t.Error("ParseEntryDescriptor accepted a range descriptor")
	}
}

func TestEntryDescriptorBytes(t *testing.T) {
	e := dlms.EntryDescriptor{FromEntry: 1, ToEntry: 96, FromValue: 1, ToValue: 0}
	sa := e.Access()
	b, err := axdr.Append(nil, sa.Params)
	if err != nil {
		t.Fatal(err)
	}
	// entry_descriptor ::= structure { from_entry double-long-unsigned,
	// to_entry double-long-unsigned, from_selected_value long-unsigned,
	// to_selected_value long-unsigned } (Blue Book, profile generic).
	if want := unhex(t, "02 04 06 00000001 06 00000060 12 0001 12 0000"); sa.Selector != 2 || !bytes.Equal(b, want) {
		t.Errorf("entry descriptor selector %d, % X; want 2, % X", sa.Selector, b, want)
	}
	got, err := dlms.ParseEntryDescriptor(sa)
	if err != nil || got != e {
		t.Errorf("ParseEntryDescriptor = %+v, %v; want %+v", got, err, e)
	}
	if _, err := dlms.ParseRangeDescriptor(sa); err == nil {
		t.Error("ParseRangeDescriptor accepted an entry descriptor")
	}
}

func TestAppendRejectsInconsistentAPDUs(t *testing.T) {
	for name, a := range map[string]dlms.APDU{
		"get-request-normal without attribute": &dlms.GetRequest{Choice: dlms.GetNormal},
		"get-response-normal with two results": &dlms.GetResponse{Choice: dlms.GetNormal, Results: make([]dlms.GetResult, 2)},
		"get-response data missing":            &dlms.GetResponse{Choice: dlms.GetNormal, Results: make([]dlms.GetResult, 1)},
		"set-request-normal without value":     &dlms.SetRequest{Choice: dlms.SetNormal, Attributes: make([]dlms.AttributeSelection, 1)},
		"action-request choice 9":              &dlms.ActionRequest{Choice: 9},
		"ciphered APDU with plain tag":         &dlms.CipheredAPDU{Tag: dlms.TagGetRequest},
	} {
		if b, err := a.Append(nil); err == nil {
			t.Errorf("%s: encoded % X, want an error", name, b)
		}
	}
}

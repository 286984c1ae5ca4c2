package dlms_test

import (
	"fmt"

	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// A client builds a GET for the clock's time, a server answers it, and the
// client reads the answer back, reusing its response value across reads.
func Example_get() {
	req := apdu.GetRequest{Choice: apdu.GetNormal, InvokeID: apdu.Confirmed | apdu.HighPriority | 1,
		Attributes: []apdu.AttributeSelection{{Attribute: apdu.AttributeDescriptor{
			ClassID: 8, Instance: apdu.InstanceID{0, 0, 1, 0, 0, 255}, Attribute: 2}}}}
	wire, _ := req.Append(nil)
	fmt.Printf("request  % X\n", wire)

	// Server side: decode, answer with a date-time as octet-string(12).
	var in apdu.GetRequest
	if err := in.Decode(wire); err != nil {
		panic(err)
	}
	now := axdr.DateTime{Date: axdr.Date{Year: 2024, Month: 3, Day: 31, Weekday: 7},
		Time: axdr.Time{Hour: 2}, Deviation: -60, Status: axdr.StatusDaylightSaving}
	resp := apdu.GetResponse{Choice: apdu.GetNormal, InvokeID: in.InvokeID,
		Results: []apdu.GetResult{{Data: []axdr.Value{axdr.OctetString(now.Append(nil))}}}}
	wire, _ = resp.Append(wire[:0])

	// Client side.
	var out apdu.GetResponse
	if err := out.Decode(wire); err != nil {
		panic(err)
	}
	dt, err := out.Results[0].Data[0].DateTime()
	fmt.Println(dt, err)
	fmt.Print(out.String())
	// Output:
	// request  C0 01 C1 00 08 00 00 01 00 00 FF 02 00
	// 2024-03-31 07 02:00:00.00 dev=-60 status=0x80 <nil>
	// get-response-normal invoke-id=1 confirmed high-priority
	// └── data: octet-string[12] 07E8031F0702000000FFC480
}

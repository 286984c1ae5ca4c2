package push

import (
	"fmt"

	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Reader appends the A-XDR encoding of an attribute's value (of element
// idx of it when idx ≥ 1) to dst: what the meter's object tree answers to
// a GET.
type Reader interface {
	AppendAttribute(dst []byte, o Object) ([]byte, error)
}

// Encode returns the Data-Notification of a push of s: the body is a
// structure of the listed attributes' values, the date-time the meter's
// time at sending.
func Encode(s *Setup, r Reader, invokeID uint32, at axdr.DateTime) ([]byte, error) {
	body := axdr.AppendStructure(nil, len(s.Objects))
	for i, o := range s.Objects {
		var err error
		if body, err = r.AppendAttribute(body, o); err != nil {
			return nil, fmt.Errorf("push %v: object %d (%v attribute %d): %w", s.Name, i, o.Name, o.Attr, err)
		}
	}
	vals, err := axdr.Decode(nil, body)
	if err != nil {
		return nil, fmt.Errorf("push %v: body: %w", s.Name, err)
	}
	n := apdu.DataNotification{
		InvokeID: apdu.LongInvokeIDAndPriority(invokeID & 0xFFFFFF),
		DateTime: at.Append(nil),
		Body:     vals,
	}
	return n.Append(nil)
}

package apdu

import (
	"fmt"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// DataNotification is the Data-Notification APDU (tag 0x0F), what a meter
// pushes:
//
//	0F long-invoke-id-and-priority(4) date-time(octet-string, length 0 = absent) Data
type DataNotification struct {
	InvokeID LongInvokeIDAndPriority
	// DateTime is the 12-byte COSEM date-time of the notification, or
	// empty when absent.
	DateTime []byte
	Body     []axdr.Value
	arena    []axdr.Value
}

// Append appends the encoded notification to dst.
func (n *DataNotification) Append(dst []byte) ([]byte, error) {
	dst = appendU32(append(dst, TagDataNotification), uint32(n.InvokeID))
	dst = append(axdr.AppendLength(dst, len(n.DateTime)), n.DateTime...)
	return appendData(dst, n.Body, "notification-body")
}

// Decode replaces n with the notification in b.
func (n *DataNotification) Decode(b []byte) error {
	d := newDecoder(b, "DataNotification")
	if t := d.Uint8(); t != TagDataNotification && d.Err() == nil {
		d.Fail(fmt.Errorf("%w: tag 0x%02X", ErrUnknown, t))
	}
	n.InvokeID = LongInvokeIDAndPriority(d.Uint32())
	n.DateTime = d.octetString()
	if err := d.check("date-time"); err != nil {
		return err
	}
	n.arena = d.Value(n.arena[:0])
	if err := d.check("notification-body"); err != nil {
		return err
	}
	n.Body = n.arena
	return d.end()
}

func (n *DataNotification) String() string {
	t := leaf("data-notification %s", n.InvokeID)
	t.kids = append(t.kids, dateTimeNode(n.DateTime), dataNode("body", n.Body))
	return t.String()
}

func dateTimeNode(b []byte) node {
	if len(b) == 0 {
		return leaf("date-time: absent")
	}
	if dt, err := axdr.ParseDateTime(b); err == nil {
		return leaf("date-time: %s", dt)
	}
	return leaf("date-time: %X", b)
}

// EventNotification is the Event-Notification-Request APDU (tag 0xC2):
//
//	C2 00|01 [time octet-string] attribute-descriptor Data
type EventNotification struct {
	Time      []byte // empty when absent
	Attribute AttributeDescriptor
	Value     []axdr.Value
	arena     []axdr.Value
}

// Append appends the encoded notification to dst.
func (n *EventNotification) Append(dst []byte) ([]byte, error) {
	dst = append(dst, TagEventNotification)
	if len(n.Time) > 0 {
		dst = append(axdr.AppendLength(append(dst, 1), len(n.Time)), n.Time...)
	} else {
		dst = append(dst, 0)
	}
	return appendData(n.Attribute.append(dst), n.Value, "attribute-value")
}

// Decode replaces n with the notification in b.
func (n *EventNotification) Decode(b []byte) error {
	d := newDecoder(b, "EventNotification")
	if t := d.Uint8(); t != TagEventNotification && d.Err() == nil {
		d.Fail(fmt.Errorf("%w: tag 0x%02X", ErrUnknown, t))
	}
	n.Time = nil
	if d.optional() {
		n.Time = d.octetString()
	}
	n.Attribute = d.attributeDescriptor()
	if err := d.check("attribute"); err != nil {
		return err
	}
	n.arena = d.Value(n.arena[:0])
	if err := d.check("attribute-value"); err != nil {
		return err
	}
	n.Value = n.arena
	return d.end()
}

func (n *EventNotification) String() string {
	t := leaf("event-notification-request")
	t.kids = append(t.kids, dateTimeNode(n.Time), leaf("attribute: %s", n.Attribute), dataNode("value", n.Value))
	return t.String()
}

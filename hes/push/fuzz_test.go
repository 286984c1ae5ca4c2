package push

import (
	"testing"
	"time"

	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// FuzzPushBody feeds any plaintext to the decoding a push gets once it
// authenticated: an error or readings, never a panic.
func FuzzPushBody(f *testing.F) {
	body, _ := DefaultLayout().AppendBody(nil, time.Date(2024, 1, 1, 0, 15, 0, 0, time.UTC), []int64{1, 2, 3, 4})
	f.Add(append([]byte{dlms.TagDataNotification, 0, 0, 0, 1, 0}, body...))
	en := dlms.EventNotification{Attribute: dlms.AttributeDescriptor{ClassID: 1, Instance: dlms.InstanceID{0, 0, 96, 11, 0, 255}, Attribute: 2},
		Value: []axdr.Value{axdr.Uint16(1)}}
	ev, _ := en.Append(nil)
	f.Add(ev)
	f.Add([]byte{dlms.TagDataNotification, 0, 0, 0, 1, 0, 2, 6, 9, 6, 0, 0, 25, 9, 0, 255})
	f.Add(appliancePush(f, axdr.FromTime(time.Date(2024, 1, 1, 6, 0, 0, 0, time.UTC)),
		axdr.Uint16(7), axdr.Enum(1), axdr.Int32(2200), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(1)))
	l := &Listener{layouts: (&Config{}).layouts()}
	w := l.newWorker()
	st := &meterState{id: 1}
	f.Fuzz(func(t *testing.T, plain []byte) {
		w.plain = append(w.plain[:0], plain...)
		w.dec.reset()
		if err := w.decode(st, 0); err != nil {
			return
		}
		for _, r := range w.dec.readings {
			if r.Meter != 1 || r.Validate() != nil {
				t.Fatalf("decoded an invalid reading %v", r)
			}
		}
	})
}

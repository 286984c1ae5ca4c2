package profile

import (
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/store"
)

// FuzzRows decodes any A-XDR as a profile buffer: an error or valid
// readings, never a panic.
func FuzzRows(f *testing.F) {
	at := axdr.OctetString(axdr.FromTime(time.Date(2024, 1, 1, 0, 15, 0, 0, time.UTC)).Append(nil))
	seed, _ := axdr.Append(nil, []axdr.Value{axdr.Array(1), axdr.Structure(3), at, axdr.Uint32(100), axdr.Uint16(1)})
	f.Add(seed)
	cols := []cosem.CaptureObject{ClockTime, {Class: cosem.ClassRegister, Name: cosem.OBIS(store.ActiveImport), Attribute: 2},
		{Class: cosem.ClassData, Name: cosem.OBIS{0, 0, 96, 11, 0, 255}, Attribute: 2}}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := axdr.Decode(nil, b)
		if err != nil {
			return
		}
		rs, _, err := Rows(1, cosem.OBIS{0, 0, 99, 98, 0, 255}, cols, v, nil, nil)
		if err != nil {
			return
		}
		for _, r := range rs {
			if r.Validate() != nil {
				t.Fatalf("invalid reading %v", r)
			}
		}
	})
}

package push

import (
	"testing"

	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meterdata"
	"github.com/amigo-ami/amigo/store"
)

// appliancePush is the plain DataNotification a NILM module pushes for
// one event (meter/module/nilm doc.go, "Pushes"), with the event's
// elements given.
func appliancePush(t testing.TB, stamp axdr.DateTime, event ...axdr.Value) []byte {
	t.Helper()
	at := stamp.Append(nil)
	body := append([]axdr.Value{axdr.Structure(4), axdr.OctetString(AppliancePushSetupName[:]), axdr.OctetString([]byte("AMG0000000001")),
		axdr.OctetString(at), axdr.Structure(len(event))}, event...)
	b, err := axdr.Append(nil, body)
	if err != nil {
		t.Fatal(err)
	}
	// 0F invoke-id date-time body: the module sends the event's time.
	plain := append([]byte{dlms.TagDataNotification, 0, 0, 0, 9, byte(len(at))}, at...)
	return append(plain, b...)
}

// An appliance event pushed by a NILM module is published as the reading
// the head-end's read of the module's event log makes of it: on
// meterdata.ApplianceLog at the event's clock time (its hundredths and
// clock status kept) plus its phase less one millisecond, the event
// packed in the value. An event of the
// wrong shape is refused for its body and publishes nothing.
func TestAppliancePush(t *testing.T) {
	h := start(t, t.TempDir(), Config{})
	s := sealer(t, title1, dlms.NewMemoryCounters())
	stamp := axdr.FromTime(t0)
	stamp.Hundredths = 37
	stamp.Status = axdr.StatusDoubtful
	seal := func(plain []byte) []byte {
		f, err := s.AppendFrame(nil, plain)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	short := seal(appliancePush(t, stamp, axdr.Uint16(7), axdr.Enum(1), axdr.Int32(2200), axdr.Uint32(812), axdr.Uint16(930)))
	good := seal(appliancePush(t, stamp, axdr.Uint16(7), axdr.Enum(0), axdr.Int32(-2180), axdr.Uint32(812), axdr.Uint16(930), axdr.Uint8(2)))
	send(t, h.l.Addr(), short, good)
	h.rec.waitReadings(t, 1)
	h.close(t)
	rs, es := h.rec.contents(t)
	want := store.Reading{Meter: 1, Channel: meterdata.ApplianceLog, Time: t0.UnixMilli() + 370 + 1, Quality: store.ClockInvalid, // phase 2: +1 ms
		Value: meterdata.ApplianceEvent{Appliance: 7, DeltaW: -2180, Confidence: 930, Phase: 2}.Value()}
	if len(rs) != 1 || rs[0] != want || len(es) != 0 {
		t.Fatalf("published %v and events %v, want %v", rs, es, want)
	}
	if got := counterValue(h.l.metrics.rejected[ReasonBody]); got != 1 {
		t.Errorf("%v pushes refused for their body, want the 5-element event", got)
	}
}

package eventlog

import (
	"testing"

	"github.com/amigo-ami/amigo/meter/profile"
)

func TestEveryCodeHasALogAndAName(t *testing.T) {
	seen := map[Log]bool{}
	for _, c := range Codes() {
		l := c.Log()
		if l >= NumLogs || c.String() == "" {
			t.Errorf("code %d: log %v name %q", c, l, c)
		}
		seen[l] = true
	}
	for l := range NumLogs {
		if !seen[l] {
			t.Errorf("no code goes to the %s log", l)
		}
	}
	if Code(9999).Known() || Code(9999).String() != "event-9999" {
		t.Error("unknown code")
	}
}

func TestRecordRoutesToLogs(t *testing.T) {
	b, err := New([NumLogs]int{3, 3, 3, 3, 3, 3})
	if err != nil {
		t.Fatal(err)
	}
	at := profile.Stamp{Unix: 1_700_000_000, Deviation: -60}
	for _, c := range []Code{PowerDown, PowerUp, MagneticField, ReplayRejected, VoltageSagL2, ClockAdjustedOld, ClockAdjustedNew} {
		b.Record(Event{Code: c, At: at})
		at.Unix++
	}
	std := b.Events(Standard)
	// Capacity 3: power down dropped, power up and the two clock events kept.
	if len(std) != 3 || std[0].Code != PowerUp || std[2].Code != ClockAdjustedNew || std[2].At.Unix != 1_700_000_006 {
		t.Fatalf("standard log %+v", std)
	}
	if b.Last(Tamper) != MagneticField || b.Last(Communication) != ReplayRejected || b.Last(PowerQuality) != VoltageSagL2 {
		t.Fatalf("last codes %v", b.LastCodes())
	}
	if p := b.Profile(Standard); p.Seq() != 4 {
		t.Fatalf("standard seq %d", p.Seq())
	}
	if got := Tamper.Profile(); got != [6]byte{0, 0, 99, 98, 1, 255} {
		t.Fatalf("tamper OBIS %v", got)
	}
}

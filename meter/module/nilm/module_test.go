package nilm_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/module/nilm"
	"github.com/amigo-ami/amigo/meter/objects"
	"github.com/amigo-ami/amigo/nilm/appliance"
)

// strongest returns the appliance drawing the most power.
func strongest(apps []appliance.Appliance) appliance.Appliance {
	best := apps[0]
	for _, a := range apps {
		if a.PowerAt(230) > best.PowerAt(230) {
			best = a
		}
	}
	return best
}

// oneAppliance is the frames of the fold's strongest held-out appliance
// switched on at 1 s and off at 11 s, 12 s in all.
func oneAppliance(t *testing.T, apps []appliance.Appliance) ([]float64, appliance.Appliance) {
	t.Helper()
	best := strongest(apps)
	h := appliance.Household{RateHz: rate, MainsHz: 50, Volts: 230, Appliances: []appliance.Appliance{best}, NoiseV: 0.1, NoiseA: 0.002, Seed: 1}
	frames, err := h.Frames(12*rate, []appliance.Switch{{Sample: rate, On: true}, {Sample: 11 * rate}})
	if err != nil {
		t.Fatal(err)
	}
	return frames, best
}

// TestEnergyOfOneAppliance: the module's event power and energy against
// the analytic ones of the cycle it played.
func TestEnergyOfOneAppliance(t *testing.T) {
	k := kit(t, 0)
	frames, a := oneAppliance(t, k.Appliances)
	p := a.PowerAt(230)
	r := newRig(t, frames, [3]bool{true}, nilm.Config{Library: library(t, k, 1), PublicKey: &k.Key.PublicKey})
	r.run(6 * time.Second)
	apps := r.mod.Appliances()
	if len(apps) != 12 {
		t.Fatalf("%d appliances in the table, want PLAID's 12", len(apps))
	}
	ev := r.mod.Events()
	if len(ev) != 1 || !ev[0].On || ev[0].Appliance == 0 || ev[0].Phase != 1 {
		t.Fatalf("after 6 s: events %+v", ev)
	}
	if got := apps[ev[0].Appliance-1]; !got.On || got.Label != ev[0].Label || got.Switches != 1 || math.Abs(got.PowerW-p) > 0.005*p {
		t.Fatalf("after 6 s: %+v, want on at %.1f W", got, p)
	}
	if d := ev[0].At.Sub(t0.Add(time.Second)); d < -20*time.Millisecond || d > 100*time.Millisecond {
		t.Errorf("switch-on stamped %v after the switch", d)
	}
	r.run(6 * time.Second)
	ev = r.mod.Events()
	if len(ev) != 2 || ev[1].On || ev[1].Label != ev[0].Label || math.Abs(ev[1].DeltaW+p) > 0.005*p {
		t.Fatalf("events %+v, want on then off of %.1f W", ev, p)
	}
	got := r.mod.Appliances()[ev[0].Appliance-1]
	want := p * 10 / 3600
	if got.On || got.Switches != 2 || math.Abs(got.EnergyWh-want) > 0.01*want {
		t.Fatalf("at the end: %+v, want off, %.4f Wh", got, want)
	}
	if ev[0].Confidence <= 0 || ev[0].Confidence > 1 || ev[0].Distance <= 0 {
		t.Errorf("distance %v, confidence %v", ev[0].Distance, ev[0].Confidence)
	}
	t.Logf("%s: %.1f W, %.4f Wh (analytic %.4f), distance %.2f, confidence %.3f", got.Label, got.PowerW, got.EnergyWh, want, ev[0].Distance, ev[0].Confidence)
}

// get reads an attribute through client's view of the tree.
func (r *rig) get(client uint16, class cosem.ClassID, name [6]byte, attr int8, sel *cosem.Selector) ([]axdr.Value, error) {
	v, _ := r.tree.View(client)
	b, err := cosem.Get(context.Background(), v, nil, cosem.Ref{Class: class, Name: name, ID: attr}, sel, client == objects.Management)
	if err != nil {
		return nil, err
	}
	return axdr.Decode(nil, b)
}

func (r *rig) mustGet(client uint16, class cosem.ClassID, name [6]byte, attr int8, sel *cosem.Selector) []axdr.Value {
	r.t.Helper()
	v, err := r.get(client, class, name, attr, sel)
	if err != nil {
		r.t.Fatalf("GET %v/%d: %v", cosem.OBIS(name), attr, err)
	}
	return v
}

// eventAt checks the values vals (preorder, from a structure of the
// event's six elements on) against e.
func checkEvent(t *testing.T, what string, vals []axdr.Value, e nilm.Event) {
	t.Helper()
	id, _ := vals[0].Uint()
	state, _ := vals[1].Uint()
	dp, _ := vals[2].Int()
	dist, _ := vals[3].Uint()
	conf, _ := vals[4].Uint()
	phase, _ := vals[5].Uint()
	on := state == 1
	if id != uint64(e.Appliance) || on != e.On || dp != int64(math.Round(e.DeltaW)) || dist != uint64(math.Round(e.Distance*1000)) ||
		conf != uint64(math.Round(e.Confidence*1000)) || phase != uint64(e.Phase) {
		t.Errorf("%s: id %d state %d ΔP %d distance %d confidence %d phase %d; event %+v", what, id, state, dp, dist, conf, phase, e)
	}
}

// TestObjects reads every object of the module through the meter's tree
// after a household ran, as each client.
func TestObjects(t *testing.T) {
	k := kit(t, 0)
	frames, _, n, err := k.Home(4, 1, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	lib := library(t, k, 1)
	r := newRig(t, frames, [3]bool{true}, nilm.Config{Library: lib, PublicKey: &k.Key.PublicKey, LogCapacity: 20})
	r.run(time.Duration(n) * time.Second / rate)
	ev := r.mod.Events()
	if len(ev) != 20 {
		t.Fatalf("the log holds %d events, capacity 20", len(ev))
	}
	const rows = 1 + 1 + 6 // structure of the row, its date-time and six elements
	buf := r.mustGet(objects.Reader, cosem.ClassProfileGeneric, nilm.EventLogLN, 2, nil)
	if buf[0].N != 20 {
		t.Fatalf("buffer of %d rows", buf[0].N)
	}
	for i, e := range ev {
		row := buf[1+i*rows : 1+(i+1)*rows]
		dt, err := row[1].DateTime()
		if err != nil {
			t.Fatal(err)
		}
		at, _ := dt.TimeIn(nil)
		if want := r.m.MeterTime(e.At).Truncate(10 * time.Millisecond); !at.Equal(want) {
			t.Errorf("row %d: time %v, want %v", i, at, want)
		}
		checkEvent(t, "row", row[2:], e)
	}
	cols := r.mustGet(objects.Reader, cosem.ClassProfileGeneric, nilm.EventLogLN, 3, nil)
	if len(cols) != 1+7*5 || cosem.OBIS(cols[3].Bytes) != cosem.ClockTime.Name || cosem.OBIS(cols[len(cols)-3].Bytes) != nilm.LastEventLN {
		t.Fatalf("capture objects %s", axdr.Format(cols))
	}
	if idx, _ := cols[len(cols)-1].Uint(); idx != 6 {
		t.Errorf("last column's data_index %d", idx)
	}
	// Range by the clock: the events from the 5th to the 8th.
	from, to := r.m.DateTimeOf(r.m.MeterTime(ev[4].At)), r.m.DateTimeOf(r.m.MeterTime(ev[7].At))
	sel := cosem.RangeDescriptor{Restricting: cosem.ClockTime, From: axdr.OctetString(from.Append(nil)), To: axdr.OctetString(to.Append(nil))}.Selector()
	if got := r.mustGet(objects.Reader, cosem.ClassProfileGeneric, nilm.EventLogLN, 2, sel); got[0].N != 4 {
		t.Errorf("range read: %d rows, want 4", got[0].N)
	} else {
		checkEvent(t, "range row 1", got[3:], ev[4])
	}
	// Entries 2…3, the appliance and the state only.
	got := r.mustGet(objects.Reader, cosem.ClassProfileGeneric, nilm.EventLogLN, 2, cosem.EntryDescriptor{FromEntry: 2, ToEntry: 3, FromValue: 2, ToValue: 3}.Selector())
	if id, _ := got[2].Uint(); got[0].N != 2 || got[1].N != 2 || id != uint64(ev[1].Appliance) {
		t.Errorf("entry read: %s", axdr.Format(got))
	}
	last := r.mustGet(objects.Reader, cosem.ClassData, nilm.LastEventLN, 2, nil)
	checkEvent(t, "last event", last[1:], ev[len(ev)-1])

	apps := r.mustGet(objects.Reader, cosem.ClassData, nilm.AppliancesLN, 2, nil)
	table := r.mod.Appliances()
	if apps[0].N != len(table) || len(table) != 12 {
		t.Fatalf("appliances: %d entries, table %d", apps[0].N, len(table))
	}
	for i, a := range table {
		e := apps[1+i*7 : 1+(i+1)*7]
		id, _ := e[1].Uint()
		on, _ := e[3].Bool()
		w, _ := e[4].Int()
		mwh, _ := e[5].Uint()
		sw, _ := e[6].Uint()
		if id != uint64(i+1) || string(e[2].Bytes) != a.Label || on != a.On || w != int64(math.Round(a.PowerW)) ||
			mwh != uint64(math.Round(a.EnergyWh*1000)) || sw != uint64(a.Switches) {
			t.Errorf("appliance %d: %s, table %+v", i+1, axdr.Format(e), a)
		}
	}

	// The library's identification is public; the rest is not.
	id := r.mustGet(objects.Public, cosem.ClassData, nilm.LibraryLN, 2, nil)
	l := r.mod.Library()
	if v, _ := id[1].Uint(); v != 1 || string(id[2].Bytes) != string(l.SHA256[:]) || l.Appliances != 12 {
		t.Errorf("library %s, module %+v", axdr.Format(id), l)
	}
	if res, _ := id[4].Uint(); res != uint64(nilm.NoUpdate) {
		t.Errorf("last update %d before any", res)
	}
	if _, err := r.get(objects.Public, cosem.ClassProfileGeneric, nilm.EventLogLN, 2, nil); !errors.Is(err, cosem.ErrUndefined) {
		t.Errorf("public read of the log: %v", err)
	}
	if _, err := r.get(objects.Reader, cosem.ClassPushSetup, nilm.PushSetupLN, 2, nil); !errors.Is(err, cosem.ErrUndefined) {
		t.Errorf("a push setup without a destination: %v", err)
	}
}

// upload transfers lib through the library's image transfer as the
// management client and verifies it; activate activates.
func (r *rig) upload(lib []byte) error {
	v, _ := r.tree.View(objects.Management)
	ctx := context.Background()
	act := func(m int8, p ...axdr.Value) error {
		_, err := cosem.Action(ctx, v, nil, cosem.Ref{Class: cosem.ClassImageTransfer, Name: nilm.LibraryTransferLN, ID: m}, p, true)
		return err
	}
	if err := act(1, axdr.Structure(2), axdr.OctetString([]byte("nilm")), axdr.Uint32(uint32(len(lib)))); err != nil {
		return err
	}
	bs := r.mustGet(objects.Management, cosem.ClassImageTransfer, nilm.LibraryTransferLN, 2, nil)
	size, _ := bs[0].Uint()
	for n := 0; n*int(size) < len(lib); n++ {
		if err := act(2, axdr.Structure(2), axdr.Uint32(uint32(n)), axdr.OctetString(lib[n*int(size):min((n+1)*int(size), len(lib))])); err != nil {
			return err
		}
	}
	return act(3, axdr.Int8(0))
}

func (r *rig) activate() error {
	v, _ := r.tree.View(objects.Management)
	_, err := cosem.Action(context.Background(), v, nil, cosem.Ref{Class: cosem.ClassImageTransfer, Name: nilm.LibraryTransferLN, ID: 4}, []axdr.Value{axdr.Int8(0)}, true)
	return err
}

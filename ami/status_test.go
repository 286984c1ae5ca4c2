package ami

import (
	"fmt"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/hes"
	"github.com/amigo-ami/amigo/hes/conn"
	"github.com/amigo-ami/amigo/web"
)

func TestMeterStatus(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var s meterState
	if v := s.view(t0); v.Comms != web.CommsUnknown || v.CommsSuccess != -1 || v.Credit != nil {
		t.Errorf("nothing known: %+v", v)
	}
	read := func(at time.Duration, err error) {
		s.apply(hes.Outcome{Kind: hes.ReadProfile, At: t0.Add(at), Err: err})
	}
	unreachable := fmt.Errorf("meter 1: %w", conn.ErrUnreachable)
	// Three reads in the first hour, one lost; then a day later two more.
	read(0, nil)
	read(15*time.Minute, unreachable)
	if v := s.view(t0.Add(16 * time.Minute)); v.Comms != web.CommsOffline || s.Reason != "unreachable" {
		t.Errorf("after a lost read: %+v (%s)", v, s.Reason)
	}
	read(30*time.Minute, nil)
	v := s.view(t0.Add(31 * time.Minute))
	if v.Comms != web.CommsOnline || v.LastSeen != t0.Add(30*time.Minute) || v.CommsSuccess != 2.0/3 {
		t.Errorf("after three reads: %+v", v)
	}
	if v := s.view(t0.Add(30*time.Minute + OfflineAfter + time.Second)); v.Comms != web.CommsOffline {
		t.Errorf("unheard for longer than OfflineAfter: %+v", v)
	}
	read(25*time.Hour, nil)
	read(25*time.Hour+15*time.Minute, nil)
	if v := s.view(t0.Add(25*time.Hour + 16*time.Minute)); v.CommsSuccess != 1 || len(s.Reads) != 1 {
		t.Errorf("a day later, the old hour forgotten: %+v, %+v", v, s.Reads)
	}
	// A meter that refuses a command answered: it is online.
	s.apply(hes.Outcome{Kind: hes.Disconnect, At: t0.Add(26 * time.Hour), Err: dlms.AccessError{Result: dlms.ReadWriteDenied}})
	if s.LastSeen != t0.Add(26*time.Hour) || s.LastFail.After(s.LastSeen) {
		t.Errorf("a refusal: seen %v, failed %v", s.LastSeen, s.LastFail)
	}
	// Supply and credit from results.
	s.apply(hes.Outcome{Kind: hes.Disconnect, At: t0.Add(27 * time.Hour), Result: hes.SupplyResult{State: "disconnected"}})
	s.apply(hes.Outcome{Kind: hes.ReadStatus, At: t0.Add(28 * time.Hour), Result: hes.StatusResult{
		Supply: &hes.SupplyResult{Output: false, State: "ready_for_reconnection"},
		Credit: &hes.CreditResult{Credit: -1234, Currency: "EUR", Scale: -2}}})
	v = s.view(t0.Add(28 * time.Hour))
	if v.Supply != web.SupplyReady || v.Credit == nil || *v.Credit != (web.Credit{Balance: -12_340_000, Currency: "EUR", Updated: t0.Add(28 * time.Hour)}) {
		t.Errorf("supply and credit: %+v %+v", v, v.Credit)
	}
	// A top-up's credit keeps the currency the status read gave.
	s.apply(hes.Outcome{Kind: hes.CreditTopUp, At: t0.Add(29 * time.Hour), Result: hes.CreditResult{Credit: 766, Scale: -2}})
	if c := s.view(t0).Credit; c.Balance != 7_660_000 || c.Currency != "EUR" {
		t.Errorf("after a top-up: %+v", c)
	}
	// An appliance read (a scheduled group read reports each meter's)
	// names the module's appliances; the next replaces the names.
	s.apply(hes.Outcome{Kind: hes.ReadAppliances, At: t0.Add(30 * time.Hour), Result: hes.AppliancesResult{
		Appliances: []hes.Appliance{{ID: 1, Label: "fridge"}, {ID: 2, Label: "kettle"}}}})
	s.apply(hes.Outcome{Kind: hes.ReadAppliances, At: t0.Add(31 * time.Hour), Result: hes.AppliancesResult{
		Appliances: []hes.Appliance{{ID: 2, Label: "kettle"}, {ID: 3, Label: "heater"}}}})
	if a := s.Appliances; len(a) != 2 || a[2] != "kettle" || a[3] != "heater" {
		t.Errorf("appliance names %v", a)
	}
}

func TestScaleMicros(t *testing.T) {
	for _, tc := range []struct {
		v     int64
		scale int8
		want  int64
	}{{1234, -2, 12_340_000}, {-5, 0, -5_000_000}, {7, 3, 7_000_000_000}, {123_456_789, -8, 1_234_567}} {
		if got := scaleMicros(tc.v, tc.scale); got != tc.want {
			t.Errorf("%d × 10^%d = %d millionths, want %d", tc.v, tc.scale, got, tc.want)
		}
	}
}

func TestJobSummary(t *testing.T) {
	for _, tc := range []struct {
		j    hes.Job
		want string
	}{
		{hes.Job{Kind: hes.Disconnect, Meter: "1", Result: []byte(`{"output_state":false,"control_state":"disconnected"}`)}, "disconnected"},
		{hes.Job{Kind: hes.ReadProfile, Group: "*", Result: []byte(`{"meters":200,"ok":197,"failed":{"timeout":2,"unreachable":1}}`)}, "200 meters: 197 ok, 2 timeout, 1 unreachable"},
		{hes.Job{Kind: hes.ReadProfile, Meter: "1", Result: []byte(`{"readings":384,"first":"2026-11-25T00:15:00Z"}`)}, "384 readings"},
		{hes.Job{Kind: hes.CreditTopUp, Meter: "1", Result: []byte(`{"credit":2766,"currency":"EUR","scale":-2}`)}, "credit 27.66 EUR"},
		{hes.Job{Kind: hes.ClockSync, Meter: "1", Result: []byte(`{"drift_ms":-7300,"set":true}`)}, "drift -7.3 s, clock set"},
		{hes.Job{Kind: hes.Disconnect, Meter: "1", Result: []byte(`{"error":"meter 1: dial: refused","reason":"unreachable"}`)}, "failed (unreachable): meter 1: dial: refused"},
	} {
		if got := summary(tc.j); got != tc.want {
			t.Errorf("%s %s: %q, want %q", tc.j.Kind, tc.j.Result, got, tc.want)
		}
	}
}

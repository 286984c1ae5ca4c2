package supply

import (
	"errors"
	"testing"
	"time"
)

// TestTransitionTable checks every (mode, state, trigger) against the
// Blue Book's transitions a–h and the modes that allow each.
func TestTransitionTable(t *testing.T) {
	type key struct {
		from State
		t    Trigger
	}
	// to[key] = state after, for a trigger the mode allows (absent: unchanged).
	to := map[Mode]map[key]State{}
	for m := Mode(1); m <= 6; m++ {
		to[m] = map[key]State{
			{Connected, RemoteDisconnect}:            Disconnected,         // b
			{ReadyForReconnection, RemoteDisconnect}: Disconnected,         // c
			{Disconnected, RemoteReconnect}:          ReadyForReconnection, // d
			{ReadyForReconnection, ManualReconnect}:  Connected,            // e
			{Connected, LocalDisconnect}:             ReadyForReconnection, // g
		}
		if m == 2 || m == 4 {
			to[m][key{Disconnected, RemoteReconnect}] = Connected // a
		}
		if m == 1 || m == 2 || m == 5 {
			to[m][key{Connected, ManualDisconnect}] = ReadyForReconnection // f
		}
		if m == 5 || m == 6 {
			to[m][key{ReadyForReconnection, LocalReconnect}] = Connected // h
		}
	}
	allowedIn := func(m Mode, t Trigger) bool {
		switch t {
		case ManualDisconnect:
			return m == 1 || m == 2 || m == 5
		case LocalReconnect:
			return m == 5 || m == 6
		}
		return m != 0
	}
	for m := Mode(0); m <= 6; m++ {
		for s := Disconnected; s <= ReadyForReconnection; s++ {
			for tr := RemoteDisconnect; tr <= LocalReconnect; tr++ {
				d, err := New(m)
				if err != nil {
					t.Fatal(err)
				}
				if err := d.Restore(m, s); err != nil {
					t.Fatal(err)
				}
				from := d.State()
				changed, err := d.Apply(tr)
				if !allowedIn(m, tr) {
					if !errors.Is(err, ErrNotAllowed) || d.State() != from {
						t.Errorf("mode %d %s %s: err %v state %s", m, from, tr, err, d.State())
					}
					continue
				}
				want, ok := to[m][key{from, tr}]
				if !ok {
					want = from
				}
				if err != nil || d.State() != want || changed != (want != from) {
					t.Errorf("mode %d %s --%s--> %s (changed %v, err %v), want %s", m, from, tr, d.State(), changed, err, want)
				}
				if d.Output() != (d.State() == Connected) {
					t.Errorf("output %v in %s", d.Output(), d.State())
				}
			}
		}
	}
}

func TestModeZeroAlwaysConnected(t *testing.T) {
	d, _ := New(3)
	d.Apply(RemoteDisconnect)
	if d.Output() {
		t.Fatal("still connected after remote_disconnect")
	}
	if err := d.SetMode(0); err != nil || !d.Output() {
		t.Fatal("mode 0 did not connect")
	}
	if err := d.SetMode(7); !errors.Is(err, ErrNotAllowed) {
		t.Fatal("mode 7 accepted")
	}
}

func TestLimiter(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	l := Limiter{Config: LimiterConfig{Normal: 5000, Emergency: 2000, MinOver: 30 * time.Second, MinUnder: 60 * time.Second,
		Profile: Emergency{ID: 7, Start: t0.Add(time.Hour), Duration: time.Hour}, Groups: []uint16{3, 7}}}
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	// 6 kW for 29 s: nothing; the 30th second fires.
	for s := range 30 {
		if a := l.Step(at(s), 6000); a != None {
			t.Fatalf("fired at %d s", s)
		}
	}
	if a := l.Step(at(30), 6000); a != Over || !l.Tripped() {
		t.Fatal("no over action after 30 s")
	}
	if a := l.Step(at(31), 6000); a != None {
		t.Fatal("over fired twice")
	}
	// Disconnected: 0 W. A dip back above restarts the under timer.
	l.Step(at(40), 0)
	l.Step(at(90), 9000)
	l.Step(at(91), 0)
	if a := l.Step(at(150), 0); a != None {
		t.Fatal("under fired before 60 s under")
	}
	if a := l.Step(at(151), 0); a != Under || l.Tripped() {
		t.Fatal("no under action after 60 s under")
	}
	// Emergency profile: 3 kW is over the 2 kW emergency threshold.
	if l.Threshold(at(3599)) != 5000 || l.Threshold(at(3600)) != 2000 || l.Threshold(at(7200)) != 5000 {
		t.Fatal("emergency window")
	}
	l.Config.Groups = []uint16{3}
	if l.EmergencyActive(at(4000)) {
		t.Fatal("emergency active for a group not in the list")
	}
	// Threshold 0 disables.
	off := Limiter{}
	for s := range 100 {
		if off.Step(at(s), 1e6) != None {
			t.Fatal("disabled limiter fired")
		}
	}
}

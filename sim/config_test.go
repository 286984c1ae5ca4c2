package sim

import (
	"errors"
	"strings"
	"testing"
)

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{}, "0 meters"},
		{Config{Meters: 300, Addresses: "127.5.0.0/24:4059"}, "holds 254 meters, not 300"},
		{Config{Meters: 10, Addresses: "127.0.0.1:65530"}, "ports up to 65539"},
		{Config{Meters: 10, Addresses: "meters"}, "want CIDR:PORT or HOST:PORT"},
		{Config{Meters: 10, Addresses: "nowhere:4059"}, "neither a network nor an address"},
		{Config{Meters: 10, PushOnly: true}, "push-only meters need a push destination"},
		{Config{Meters: 10, Waveform: 11}, "11 waveform meters of 10"},
		{Config{Meters: 10, Mix: Mix{PV: 2}}, "fractions from 0 to 1"},
		{Config{Meters: 10, Load: "wind:5"}, "wind:5"},
		{Config{Meters: 10, Speed: -1}, "speed -1"},
		{Config{Meters: 10, FirstSerial: 9_999_999_995}, "ten digits"},
	} {
		f, err := New(tc.cfg)
		if err == nil {
			f.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.cfg, err, tc.want)
		}
	}
	if _, err := New(Config{Meters: 1, Speed: -1}); !errors.Is(err, ErrConfig) {
		t.Errorf("speed: %v is not ErrConfig", err)
	}
}

func TestAddresses(t *testing.T) {
	a, err := parseAddresses("127.1.0.0/16:4059", 70000-3)
	if err == nil {
		t.Fatal("70,000 meters fit a /16")
	}
	if a, err = parseAddresses("127.1.0.0/16:4059", 1000); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[int]string{0: "127.1.0.1:4059", 254: "127.1.0.255:4059", 255: "127.1.1.0:4059", 999: "127.1.3.232:4059"} {
		if got := a.of(k); got != want {
			t.Errorf("meter %d at %s, want %s", k, got, want)
		}
	}
	if a, err = parseAddresses("127.0.0.1:20000", 10); err != nil || a.of(9) != "127.0.0.1:20009" {
		t.Fatalf("ports: %v %v", a.of(9), err)
	}
}

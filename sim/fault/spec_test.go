package fault

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	spec, err := Parse(" loss=10%, corrupt=0.01,offline=0.05@2h,latency=20ms~5ms,drift=50ppm,outage=0.2%,restart=0.1/day,tamper=2/h,icloss=1/720h ")
	if err != nil {
		t.Fatal(err)
	}
	want := Spec{Loss: 0.1, Corrupt: 0.01, Latency: 20 * time.Millisecond, Jitter: 5 * time.Millisecond,
		Offline: Period{0.05, 2 * time.Hour}, Outage: Period{0.002, DefaultOutageMean}, DriftPPM: 50,
		Restart: Rate{0.1, 24 * time.Hour}, Tamper: Rate{2, time.Hour}, ICLoss: Rate{1, 720 * time.Hour}}
	if spec != want {
		t.Fatalf("got  %+v\nwant %+v", spec, want)
	}
	back, err := Parse(spec.String())
	if err != nil || back != spec {
		t.Fatalf("String %q parses to %+v (%v)", spec.String(), back, err)
	}
	if z, err := Parse(""); err != nil || !z.IsZero() || z.String() != "" {
		t.Fatalf("empty spec: %+v %v", z, err)
	}
	if z, err := Parse("offline=0,restart=0/day"); err != nil || !z.IsZero() {
		t.Fatalf("zero rates: %+v %v", z, err)
	}
}

// Every bad item is refused with an error that names it.
func TestParseErrorsNameTheItem(t *testing.T) {
	for _, tc := range []struct{ spec, item, why string }{
		{"loss=1.5", `item 1 "loss=1.5"`, "0 ≤ P ≤ 1"},
		{"loss=0.1,corrupt=ten", `item 2 "corrupt=ten"`, "not a number"},
		{"loss=0.1,loss=0.2", `item 2 "loss=0.2"`, "given twice"},
		{"offline=1", `item 1 "offline=1"`, "0 ≤ F < 1"},
		{"offline=5%@soon", `item 1 "offline=5%@soon"`, "mean period"},
		{"latency=-5ms", `item 1 "latency=-5ms"`, "latency"},
		{"latency=5ms~10ms", `item 1 "latency=5ms~10ms"`, "jitter"},
		{"drift=fast", `item 1 "drift=fast"`, "drift"},
		{"restart=3", `item 1 "restart=3"`, "COUNT/PER"},
		{"restart=3/fortnight", `item 1 "restart=3/fortnight"`, "per"},
		{"tamper=1e6/h", `item 1 "tamper=1e6/h"`, "more than one a second"},
		{"restart=1e-5/day", `item 1 "restart=1e-5/day"`, "less than once in"},
		{"restart=1e-300/day", `item 1 "restart=1e-300/day"`, "count"},
		{"offline=1e-300", `item 1 "offline=1e-300"`, "at least 1e-06"},
		{"offline=0.5@2562047h", `item 1 "offline=0.5@2562047h"`, "mean period"},
		{"lightning=1", `item 1 "lightning=1"`, "unknown fault"},
		{"loss", `item 1 "loss"`, "NAME=VALUE"},
	} {
		_, err := Parse(tc.spec)
		if !errors.Is(err, ErrSpec) || !strings.Contains(err.Error(), tc.item) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: %v; want %s and %q", tc.spec, err, tc.item, tc.why)
		}
	}
}

func TestParseFile(t *testing.T) {
	spec, err := ParseFile("faults.toml", []byte("# faults\nloss = 0.1\ncorrupt = \"1%\"\noffline = \"5%@2h\"\ndrift = 50\nrestart = \"0.1/day\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := Spec{Loss: 0.1, Corrupt: 0.01, Offline: Period{0.05, 2 * time.Hour}, DriftPPM: 50, Restart: Rate{0.1, 24 * time.Hour}}
	if spec != want {
		t.Fatalf("got %+v", spec)
	}
	for _, tc := range []struct{ src, want string }{
		{"loss = 0.1\n\noffline = \"2@1h\"\n", "faults.toml:3: offline: fraction 2"},
		{"loss = 0.1\nhail = 3\n", "faults.toml:2: hail: unknown fault"},
		{"loss = [1]\n", "faults.toml:1: loss: want a string or a number"},
		{"loss = \n", "faults.toml:1:"},
	} {
		if _, err := ParseFile("faults.toml", []byte(tc.src)); !errors.Is(err, ErrSpec) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.src, err, tc.want)
		}
	}
}

package hdlc

import (
	"bytes"
	"errors"
	"testing"
)

func TestDecodeParams(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Params
	}{
		{"absent: defaults", "", DefaultParams()},
		{"Kmethy UA: 2-byte lengths, 4-byte windows", "81 80 14 05 02 00 80 06 02 00 80 07 04 00 00 00 01 08 04 00 00 00 01", Params{128, 128, 1, 1}},
		{"1-byte values", "81 80 0C 05 01 80 06 01 40 07 01 07 08 01 03", Params{128, 64, 7, 3}},
		{"only receive length stated", "81 80 04 06 02 07 EE", Params{128, 2030, 1, 1}},
		{"unknown parameter and group skipped", "81 80 07 09 01 AA 05 02 01 00 F0 02 12 34", Params{256, 128, 1, 1}},
		{"empty group", "81 80 00", DefaultParams()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeParams(unhex(t, tt.in))
			if err != nil || got != tt.want {
				t.Errorf("DecodeParams = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestDecodeParamsRejects(t *testing.T) {
	for name, in := range map[string]string{
		"wrong format identifier": "82 80 00",
		"group longer than field": "81 80 05 05 01 80",
		"parameter past group":    "81 80 03 05 02 00",
		"zero window":             "81 80 03 07 01 00",
		"5-byte value":            "81 80 07 05 05 00 00 00 00 80",
		"window above 255":        "81 80 04 07 02 01 00",
		"length above 65535":      "81 80 06 05 04 00 01 00 00",
		"group header cut":        "81 80",
	} {
		if _, err := DecodeParams(unhex(t, in)); !errors.Is(err, ErrParams) {
			t.Errorf("%s: DecodeParams error = %v, want ErrParams", name, err)
		}
	}
}

func TestAppendParamsMatchesKmethyUA(t *testing.T) {
	got := AppendParams(nil, DefaultParams())
	want := unhex(t, "81 80 14 05 02 00 80 06 02 00 80 07 04 00 00 00 01 08 04 00 00 00 01")
	if !bytes.Equal(got, want) {
		t.Errorf("AppendParams(defaults) = % X, want % X", got, want)
	}
}

func TestAgree(t *testing.T) {
	client := Params{MaxInfoTransmit: 512, MaxInfoReceive: 1024, WindowTransmit: 7, WindowReceive: 3}
	server := Params{MaxInfoTransmit: 256, MaxInfoReceive: 2030, WindowTransmit: 7, WindowReceive: 1}
	ua := agree(server, client)
	want := Params{MaxInfoTransmit: 256, MaxInfoReceive: 512, WindowTransmit: 3, WindowReceive: 1}
	if ua != want {
		t.Fatalf("server answers %+v, want %+v", ua, want)
	}
	got := agree(client, ua)
	mirror := Params{MaxInfoTransmit: ua.MaxInfoReceive, MaxInfoReceive: ua.MaxInfoTransmit, WindowTransmit: ua.WindowReceive, WindowReceive: ua.WindowTransmit}
	if got != mirror {
		t.Errorf("client uses %+v, want the server's values mirrored %+v", got, mirror)
	}
}

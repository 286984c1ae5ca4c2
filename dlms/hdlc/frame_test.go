package hdlc

import (
	"bytes"
	"errors"
	"testing"

	"github.com/amigo-ami/amigo/dlms/internal/linktest"
)

var (
	unhex    = linktest.Unhex
	pattern  = linktest.Pattern
	reversed = linktest.Reversed
)

// Frames of the DLMS UA worked example (G. Kmethy, "Examples for DLMS/COSEM
// information exchange", clauses 1 and 2): the public client (address byte
// 0x21, SAP 16; the example's comment says 0x01, but 0x21 >> 1 is 0x10)
// calls the server with upper HDLC address 1 and lower HDLC address 0x11 in
// a 4-byte address.
const (
	kmethySNRM = "7E A0 0A 00 02 00 23 21 93 18 71 7E"
	kmethyUA   = "7E A0 23 21 00 02 00 23 73 F6 C5 81 80 14 05 02 00 80 06 02 00 80 07 04 00 00 00 01 08 04 00 00 00 01 CE 6A 7E"
	kmethyAARQ = "7E A0 2E 00 02 00 23 21 10 7E CB E6 E6 00 60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 30 1D FF FF D4 C5 7E"
	// kmethyAARQInfo is the LLC header and the AARQ of kmethyAARQ.
	kmethyAARQInfo = "E6 E6 00 60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 30 1D FF FF"
)

var kmethyServer = Address{Upper: 1, Lower: 0x11, Size: 4}

func TestGoldenFrames(t *testing.T) {
	tests := []struct {
		name  string
		frame string
		want  Frame
	}{
		{"Kmethy SNRM without parameters", kmethySNRM,
			Frame{Kind: KindSNRM, PF: true, Dest: kmethyServer, Src: ClientAddress(16)}},
		{"Kmethy UA with parameters", kmethyUA,
			Frame{Kind: KindUA, PF: true, Dest: ClientAddress(16), Src: kmethyServer,
				Info: unhex(t, "81 80 14 05 02 00 80 06 02 00 80 07 04 00 00 00 01 08 04 00 00 00 01")}},
		{"Kmethy I frame carrying the AARQ", kmethyAARQ,
			Frame{Kind: KindI, PF: true, NS: 0, NR: 0, Dest: kmethyServer, Src: ClientAddress(16), Info: unhex(t, kmethyAARQInfo)}},
		// Captured from a meter (Gurux forum, "DLMS (HDLC) Packet
		// Description", 2023): a GET of 0.0.40.0.0.255 attribute 1 from
		// client SAP 0x20 to server 1, N(S)=1 N(R)=5.
		{"captured GET request", "7E A0 19 03 41 B2 32 39 E6 E6 00 C0 01 C1 00 0F 00 00 28 00 00 FF 01 00 F9 79 7E",
			Frame{Kind: KindI, PF: true, NS: 1, NR: 5, Dest: Address{Upper: 1, Size: 1}, Src: ClientAddress(0x20),
				Info: unhex(t, "E6 E6 00 C0 01 C1 00 0F 00 00 28 00 00 FF 01 00")}},
		// Captured the same way: a reply from a 4-byte server address with
		// lower HDLC address 256 to client 0x20, N(S)=3 N(R)=4.
		{"captured reply from a 4-byte address", "7E A0 1B 41 00 02 04 01 96 A0 89 E6 E7 00 4E 45 58 45 52 52 4F 52 4E 4F 2D 31 B8 00 7E",
			Frame{Kind: KindI, PF: true, NS: 3, NR: 4, Dest: ClientAddress(0x20), Src: Address{Upper: 1, Lower: 256, Size: 4},
				Info: unhex(t, "E6 E7 00 4E 45 58 45 52 52 4F 52 4E 4F 2D 31")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wire := unhex(t, tt.frame)
			got, err := DecodeFrame(wire)
			if err != nil {
				t.Fatalf("DecodeFrame: %v", err)
			}
			if !equalFrames(got, tt.want) {
				t.Errorf("DecodeFrame =\n%+v\nwant\n%+v", got, tt.want)
			}
			enc, err := AppendFrame(nil, tt.want)
			if err != nil {
				t.Fatalf("AppendFrame: %v", err)
			}
			if !bytes.Equal(enc, wire) {
				t.Errorf("AppendFrame =\n% X\nwant\n% X", enc, wire)
			}
		})
	}
}

func equalFrames(a, b Frame) bool {
	return a.Kind == b.Kind && a.PF == b.PF && a.NS == b.NS && a.NR == b.NR && a.Segmented == b.Segmented &&
		a.Dest == b.Dest && a.Src == b.Src && bytes.Equal(a.Info, b.Info)
}

func TestChecksum(t *testing.T) {
	// CRC-16/X.25 check value (the CRC of the ASCII digits 1…9).
	if got := checksum([]byte("123456789")); got != 0x906E {
		t.Errorf("checksum(\"123456789\") = 0x%04X, want 0x906E", got)
	}
	// The Kmethy SNRM: FCS 0x7118 sent as 18 71.
	if got := checksum(unhex(t, "A0 0A 00 02 00 23 21 93")); got != 0x7118 {
		t.Errorf("FCS of the Kmethy SNRM = 0x%04X, want 0x7118", got)
	}
	// Its HCS in the Kmethy UA: F6 C5.
	if got := checksum(unhex(t, "A0 23 21 00 02 00 23 73")); got != 0xC5F6 {
		t.Errorf("HCS of the Kmethy UA = 0x%04X, want 0xC5F6", got)
	}
}

func TestFCSMatchesBitwiseDefinition(t *testing.T) {
	// The table-free definition: shift each bit through the register. Every
	// length from 0 to 64 covers the 8-byte steps and the tail; a change to
	// gen_fcs_table.go that breaks the tables fails here (go generate).
	bitwise := func(b []byte) uint16 {
		crc := uint16(fcsInit)
		for _, x := range b {
			crc ^= uint16(x)
			for range 8 {
				if crc&1 != 0 {
					crc = crc>>1 ^ 0x8408
				} else {
					crc >>= 1
				}
			}
		}
		return ^crc
	}
	data := pattern(64)
	for n := range len(data) + 1 {
		for _, off := range []int{0, 1} {
			b := data[off:max(off, n)]
			if got, want := checksum(b), bitwise(b); got != want {
				t.Fatalf("checksum of %d bytes = 0x%04X, bitwise 0x%04X", len(b), got, want)
			}
		}
	}
}

func TestAddressEncoding(t *testing.T) {
	tests := []struct {
		name string
		addr Address
		wire string
	}{
		{"public client", ClientAddress(16), "21"},
		{"management client", ClientAddress(1), "03"},
		{"server upper only", Address{Upper: 1}, "03"},
		{"server upper and lower in 2 bytes", Address{Upper: 1, Lower: 0x11}, "02 23"},
		{"server forced to 4 bytes", Address{Upper: 1, Lower: 0x11, Size: 4}, "00 02 00 23"},
		{"lower above 0x7F needs 4 bytes", Address{Upper: 1, Lower: 256}, "00 02 04 01"},
		{"largest 4-byte address", Address{Upper: 0x3FFF, Lower: 0x3FFF}, "FE FE FE FF"},
		{"all-station", Address{Upper: AllStation}, "FF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := appendAddress(nil, tt.addr)
			if err != nil {
				t.Fatal(err)
			}
			want := unhex(t, tt.wire)
			if !bytes.Equal(got, want) {
				t.Fatalf("appendAddress(%+v) = % X, want % X", tt.addr, got, want)
			}
			back, n, err := decodeAddress(append(got, 0xAA))
			if err != nil || n != len(want) || !back.sameStation(tt.addr) || back.Size != len(want) {
				t.Errorf("decodeAddress(% X) = %+v, %d, %v", got, back, n, err)
			}
		})
	}
	for _, bad := range []Address{{Upper: 0x80, Size: 1}, {Upper: 1, Lower: 1, Size: 1}, {Upper: 0x80, Lower: 1, Size: 2}, {Upper: 0x4000}} {
		if _, err := appendAddress(nil, bad); !errors.Is(err, ErrAddress) {
			t.Errorf("appendAddress(%+v) error = %v, want ErrAddress", bad, err)
		}
	}
	for _, bad := range []string{"00 00 01", "00 00 00 00"} {
		if _, _, err := decodeAddress(unhex(t, bad)); !errors.Is(err, ErrAddress) {
			t.Errorf("decodeAddress(%s) error = %v, want ErrAddress", bad, err)
		}
	}
}

func TestControlField(t *testing.T) {
	tests := []struct {
		ctl  byte
		want Frame
	}{
		{0x10, Frame{Kind: KindI, PF: true}},
		{0xFE, Frame{Kind: KindI, NS: 7, NR: 7, PF: true}},
		{0x32, Frame{Kind: KindI, NS: 1, NR: 1, PF: true}},
		{0x44, Frame{Kind: KindI, NS: 2, NR: 2}},
		{0x54, Frame{Kind: KindI, NS: 2, NR: 2, PF: true}},
		{0x31, Frame{Kind: KindRR, NR: 1, PF: true}},
		{0xE1, Frame{Kind: KindRR, NR: 7}},
		{0x95, Frame{Kind: KindRNR, NR: 4, PF: true}},
		{0x93, Frame{Kind: KindSNRM, PF: true}},
		{0x53, Frame{Kind: KindDISC, PF: true}},
		{0x73, Frame{Kind: KindUA, PF: true}},
		{0x1F, Frame{Kind: KindDM, PF: true}},
		{0x97, Frame{Kind: KindFRMR, PF: true}},
		{0x13, Frame{Kind: KindUI, PF: true}},
		{0x03, Frame{Kind: KindUI}},
	}
	for _, tt := range tests {
		var f Frame
		if err := f.setControl(tt.ctl); err != nil || !equalFrames(f, tt.want) {
			t.Errorf("control 0x%02X decodes to %+v, %v; want %+v", tt.ctl, f, err, tt.want)
		}
		if c, err := tt.want.control(); err != nil || c != tt.ctl {
			t.Errorf("%+v encodes to 0x%02X, %v; want 0x%02X", tt.want, c, err, tt.ctl)
		}
	}
	for _, bad := range []byte{0x09, 0x0D, 0xFF, 0x23} { // REJ, SREJ, undefined
		var f Frame
		if err := f.setControl(bad); !errors.Is(err, ErrControl) {
			t.Errorf("control 0x%02X: error = %v, want ErrControl", bad, err)
		}
	}
	if _, err := (&Frame{Kind: KindI, NS: 8}).control(); !errors.Is(err, ErrControl) {
		t.Errorf("N(S)=8 encodes without ErrControl")
	}
}

func TestDecodeFrameRejects(t *testing.T) {
	good := unhex(t, kmethyAARQ)
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x04
		return b
	}
	tests := []struct {
		name   string
		in     []byte
		want   error
		offset int
	}{
		{"no opening flag", good[1:], ErrFlag, 0},
		{"no closing flag", good[:len(good)-1], ErrLength, 1},
		{"closing flag replaced", append(bytes.Clone(good[:len(good)-1]), 0x7F), ErrFlag, len(good) - 1},
		{"format type 1", append([]byte{0x7E, 0x10}, good[2:]...), ErrFormat, 1},
		{"length too small", unhex(t, "7E A0 05 03 21 93 00 00 7E"), ErrLength, 1},
		{"length leaves one byte after the control field", unhex(t, "7E A0 08 03 21 10 00 00 00 7E"), ErrLength, 1},
		{"length leaves no information byte after the HCS", unhex(t, "7E A0 09 03 21 10 00 00 00 00 7E"), ErrLength, 1},
		{"3-byte address", unhex(t, "7E A0 0A 00 02 23 21 93 00 00 7E"), ErrAddress, 3},
		{"corrupt information field", flip(20), ErrFCS, len(good) - 3},
		{"corrupt control field", flip(8), ErrHCS, 9},
		{"corrupt length caught by the HCS", flip(2), ErrHCS, 9},
		{"length of a frame without information field cut", unhex(t, "7E A0 07 00 02 00 23 21 93 18 71 7E"), ErrLength, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeFrame(tt.in)
			var fe *FrameError
			if !errors.Is(err, tt.want) || !errors.As(err, &fe) || fe.Offset != tt.offset {
				t.Errorf("DecodeFrame error = %v, want %v at offset %d", err, tt.want, tt.offset)
			}
		})
	}
}

func TestAppendFrameRejects(t *testing.T) {
	if _, err := AppendFrame(nil, Frame{Kind: KindI, Dest: Address{Upper: 1}, Src: ClientAddress(16), Info: make([]byte, 2040)}); !errors.Is(err, ErrLength) {
		t.Errorf("2040-byte information field: error = %v, want ErrLength", err)
	}
	if _, err := AppendFrame(nil, Frame{Kind: KindUA, Dest: Address{Upper: 0x80, Size: 1}}); !errors.Is(err, ErrAddress) {
		t.Errorf("unencodable address: error = %v, want ErrAddress", err)
	}
	if _, err := AppendFrame(nil, Frame{}); !errors.Is(err, ErrControl) {
		t.Errorf("zero Frame: error = %v, want ErrControl", err)
	}
	// The largest information field the negotiation allows fits a frame
	// between 4-byte server and 1-byte client addresses.
	if _, err := AppendFrame(nil, Frame{Kind: KindI, Dest: Address{Upper: 1, Lower: 0x3FFF}, Src: ClientAddress(16), Info: make([]byte, MaxMaxInfo)}); err != nil {
		t.Errorf("%d-byte information field: %v", MaxMaxInfo, err)
	}
}

func TestFrameString(t *testing.T) {
	f, _ := DecodeFrame(unhex(t, kmethyAARQ))
	if got, want := f.String(), "I 16→1/17 N(S)=0 N(R)=0 P/F info=34B"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

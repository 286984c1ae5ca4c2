package wrapper

import (
	"bytes"
	"errors"
	"testing"

	"github.com/amigo-ami/amigo/dlms/internal/linktest"
)

var unhex = linktest.Unhex

// aarq is the AARQ of the DLMS UA information-exchange example (G. Kmethy,
// "Examples for DLMS/COSEM information exchange", clause 2), lowest-level
// security, LN referencing.
const aarq = "60 1D A1 09 06 07 60 85 74 05 08 01 01 BE 10 04 0E 01 00 00 00 06 5F 1F 04 00 00 30 1D FF FF"

func TestAppendFrameLayout(t *testing.T) {
	got, err := AppendFrame([]byte{0xAA}, Frame{Source: 16, Dest: 1, APDU: unhex(t, aarq)})
	if err != nil {
		t.Fatal(err)
	}
	// IEC 62056-47 5.3.2: version 1, source wPort 16, destination wPort 1,
	// length 31, then the APDU; appended after what dst held.
	want := unhex(t, "AA 0001 0010 0001 001F "+aarq)
	if !bytes.Equal(got, want) {
		t.Errorf("AppendFrame =\n% X\nwant\n% X", got, want)
	}
}

func TestAppendFrameTooLong(t *testing.T) {
	_, err := AppendFrame(nil, Frame{APDU: make([]byte, MaxAPDULen+1)})
	if !errors.Is(err, ErrTooLong) {
		t.Errorf("AppendFrame(65536-byte APDU) error = %v, want ErrTooLong", err)
	}
}

func TestDecodeFrame(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		max     int
		want    Frame
		wantN   int
		wantErr error
	}{
		{"aarq from public client", "0001 0010 0001 001F " + aarq, 0, Frame{16, 1, unhex(t, aarq)}, 39, nil},
		{"trailing bytes of the next frame are left", "0001 0001 0010 0001 C1 0001", 0, Frame{1, 16, []byte{0xC1}}, 9, nil},
		{"empty APDU", "0001 0001 0010 0000", 0, Frame{1, 16, []byte{}}, 8, nil},
		{"length at the configured maximum", "0001 0010 0001 0002 C0 01", 2, Frame{16, 1, []byte{0xC0, 0x01}}, 10, nil},
		{"empty input", "", 0, Frame{}, 0, ErrTruncated},
		{"header cut short", "0001 0010 0001 00", 0, Frame{}, 0, ErrTruncated},
		{"APDU cut short", "0001 0010 0001 0003 C0 01", 0, Frame{}, 0, ErrTruncated},
		{"version 0", "0000 0010 0001 0001 C0", 0, Frame{}, 0, ErrVersion},
		{"version 2", "0002 0010 0001 0001 C0", 0, Frame{}, 0, ErrVersion},
		{"length above the configured maximum", "0001 0010 0001 0003 C0 01 00", 2, Frame{}, 0, ErrTooLong},
		{"length above maximum is rejected before the body arrives", "0001 0010 0001 FFFF", 1024, Frame{}, 0, ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n, err := DecodeFrame(unhex(t, tt.in), tt.max)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("DecodeFrame error = %v, want %v", err, tt.wantErr)
			}
			if got.Source != tt.want.Source || got.Dest != tt.want.Dest || !bytes.Equal(got.APDU, tt.want.APDU) || n != tt.wantN {
				t.Errorf("DecodeFrame = %+v, %d; want %+v, %d", got, n, tt.want, tt.wantN)
			}
		})
	}
}

func TestHeaderErrorNamesTheHeader(t *testing.T) {
	_, _, err := DecodeFrame(unhex(t, "0002 0010 0001 0001 C0"), 0)
	var he *HeaderError
	if !errors.As(err, &he) {
		t.Fatalf("error %v is not a *HeaderError", err)
	}
	want := Header{Version: 2, Source: 16, Dest: 1, Length: 1}
	if he.Header != want {
		t.Errorf("HeaderError.Header = %+v, want %+v", he.Header, want)
	}
	if got := err.Error(); got != "wrapper: header version 2 source 16 destination 1 length 1: wrapper: unsupported header version" {
		t.Errorf("Error() = %q", got)
	}
}

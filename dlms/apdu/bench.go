package apdu

import (
	"testing"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// The scenario benchmarks of `amigo bench dlms` (BENCHMARKS.md, "dlms"):
// the GET-Response-Normal carrying one day of a 15-minute load profile, 96
// rows of structure{octet-string(12) date-time, 5 × double-long-unsigned},
// 3,942 bytes in all.

// LoadProfileRows is the number of rows in the benchmark profile.
const LoadProfileRows = 96

// LoadProfileAPDUSize is the encoded size of the benchmark APDU: 4 bytes of
// header (C4 01 iip 00), 2 of array head, 96 rows × 41 bytes (02 06,
// 09 0C + 12, 5 × (06 + 4)).
const LoadProfileAPDUSize = 4 + 2 + LoadProfileRows*(2+14+5*5)

// LoadProfileResponse returns the benchmark GetResponse: rows from
// 2024-01-01 00:15 UTC every 15 minutes, with register values that grow
// like a household's (fixed, so every run encodes the same bytes).
func LoadProfileResponse() *GetResponse {
	vals := make([]axdr.Value, 0, 1+LoadProfileRows*7)
	vals = append(vals, axdr.Array(LoadProfileRows))
	t := time.Date(2024, 1, 1, 0, 15, 0, 0, time.UTC)
	energy := [5]uint32{1_234_567, 0, 45_678, 2_345, 987_654}
	for i := range LoadProfileRows {
		vals = append(vals, axdr.Structure(6), axdr.OctetString(axdr.FromTime(t).Append(nil)))
		for k := range energy {
			energy[k] += uint32((i*37+k*11)%250) * uint32(k+1)
			vals = append(vals, axdr.Uint32(energy[k]))
		}
		t = t.Add(15 * time.Minute)
	}
	return &GetResponse{Choice: GetNormal, InvokeID: Confirmed | HighPriority | 1, Results: []GetResult{{Data: vals}}}
}

// BenchmarkDecodeLoadProfile decodes the benchmark APDU into a reused
// GetResponse; reports ns/apdu.
func BenchmarkDecodeLoadProfile(b *testing.B) {
	src, err := LoadProfileResponse().Append(nil)
	if err != nil {
		b.Fatal(err)
	}
	var r GetResponse
	if err := r.Decode(src); err != nil { // grow the slices once
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Decode(src); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/apdu")
}

// BenchmarkEncodeLoadProfile encodes the benchmark APDU from its value tree
// into a reused buffer; reports ns/apdu.
func BenchmarkEncodeLoadProfile(b *testing.B) {
	r := LoadProfileResponse()
	buf := make([]byte, 0, LoadProfileAPDUSize)
	b.SetBytes(LoadProfileAPDUSize)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = r.Append(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/apdu")
}

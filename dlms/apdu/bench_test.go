package apdu_test

import (
	"testing"

	"github.com/amigo-ami/amigo/dlms/apdu"
)

// go test -run XXX -bench LoadProfile -count 6 ./dlms/apdu | benchstat -
func BenchmarkLoadProfile(b *testing.B) {
	b.Run("op=decode", apdu.BenchmarkDecodeLoadProfile)
	b.Run("op=encode", apdu.BenchmarkEncodeLoadProfile)
}

func TestLoadProfileAPDUIs3942Bytes(t *testing.T) {
	b, err := apdu.LoadProfileResponse().Append(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 3942 || apdu.LoadProfileAPDUSize != 3942 {
		t.Errorf("benchmark APDU is %d bytes (constant %d), want 3942", len(b), apdu.LoadProfileAPDUSize)
	}
	var r apdu.GetResponse
	if err := r.Decode(b); err != nil {
		t.Fatal(err)
	}
	rows := r.Results[0].Data
	if len(rows) != 1+96*7 || rows[0].N != 96 {
		t.Fatalf("decoded %d values, root %v", len(rows), rows[0])
	}
	first, err := rows[2].DateTime()
	if err != nil || first.String() != "2024-01-01 01 00:15:00.00 dev=0 status=0x00" {
		t.Errorf("first row time %v, %v", first, err)
	}
	allocs := testing.AllocsPerRun(50, func() { _ = r.Decode(b) })
	if allocs != 0 {
		t.Errorf("steady-state decode: %v allocs, want 0", allocs)
	}
}

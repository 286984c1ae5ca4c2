package sim

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestRegistryCSV(t *testing.T) {
	f, err := New(Config{Meters: 3, Start: t0, FirstSerial: 41, Group: "north", Tariff: "tou"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b bytes.Buffer
	if err := WriteCSV(&b, f.Registry()); err != nil {
		t.Fatal(err)
	}
	want := `serial,address,client,keys,group,tariff
0000000041,127.1.0.1:4059,management,sim-demo,north,tou
0000000042,127.1.0.2:4059,management,sim-demo,north,tou
0000000043,127.1.0.3:4059,management,sim-demo,north,tou
`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// Per-meter keys are the seed's: distinct per meter, the same on every
// run, in the TOML export with one key set per meter.
func TestRegistryTOMLPerMeterKeys(t *testing.T) {
	export := func(seed uint64) (string, []Entry) {
		f, err := New(Config{Meters: 4, Start: t0, Seed: seed, Keys: PerMeterKeys, HDLC: true, Addresses: "127.0.0.1:20000"})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var b bytes.Buffer
		if err := WriteTOML(&b, f.Registry()); err != nil {
			t.Fatal(err)
		}
		return b.String(), f.Registry()
	}
	a, ea := export(1)
	if b, _ := export(1); a != b {
		t.Fatal("same seed, different keys")
	}
	if c, _ := export(2); a == c {
		t.Fatal("another seed, the same keys")
	}
	var doc struct {
		Meter []map[string]string
		Keys  map[string]map[string]string
	}
	if _, err := toml.Decode(a, &doc); err != nil {
		t.Fatalf("%v\n%s", err, a)
	}
	if len(doc.Meter) != 4 || len(doc.Keys) != 4 {
		t.Fatalf("%d meters, %d key sets", len(doc.Meter), len(doc.Keys))
	}
	seen := map[string]bool{}
	for i, m := range doc.Meter {
		if m["address"] != fmt.Sprintf("hdlc://127.0.0.1:%d", 20000+i) || m["keys"] != "sim-"+ea[i].Serial {
			t.Fatalf("meter %d: %v", i, m)
		}
		k := doc.Keys[m["keys"]]
		if len(k["guek"]) != 32 || len(k["gak"]) != 32 || len(k["kek"]) != 32 || k["password"] != "00000000" || seen[k["guek"]] {
			t.Fatalf("key set %s: %v", m["keys"], k)
		}
		seen[k["guek"]] = true
		if !strings.EqualFold(k["guek"], hexUpper(ea[i].Keys.EK)) {
			t.Fatalf("exported EK is not the meter's")
		}
	}
}

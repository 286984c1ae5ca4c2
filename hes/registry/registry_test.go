package registry

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amigo-ami/amigo/store/meta"
)

func openDB(t *testing.T) *meta.DB {
	t.Helper()
	db, err := meta.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "meta.db"), meta.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestParseAddress(t *testing.T) {
	cases := []struct {
		in   string
		want Address
		back string
	}{
		{"127.0.0.1:4059", Address{HostPort: "127.0.0.1:4059", Client: 1, Network: "127.0.0.1"}, "127.0.0.1:4059"},
		{"hdlc://10.1.2.3:4059?client=reader&network=dcu-7", Address{HostPort: "10.1.2.3:4059", HDLC: true, Client: 32, Network: "dcu-7"},
			"hdlc://10.1.2.3:4059?client=32&network=dcu-7"},
		{"tcp://m1:4059?title=414D470000000001", Address{HostPort: "m1:4059", Client: 1, Network: "m1", SystemTitle: [8]byte{'A', 'M', 'G', 0, 0, 0, 0, 1}},
			"m1:4059?title=414D470000000001"},
	}
	for _, c := range cases {
		got, err := ParseAddress(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseAddress(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
			continue
		}
		if got.String() != c.back {
			t.Errorf("%q written back as %q, want %q", c.in, got.String(), c.back)
		}
	}
	for _, bad := range []string{"", "m1", "udp://m1:1", "m1:0", "m1:70000", "m1:1?client=200", "m1:1?title=41", "m1:1?colour=red", "m1:1?client=1&client=16"} {
		if _, err := ParseAddress(bad); !errors.Is(err, ErrAddress) {
			t.Errorf("ParseAddress(%q): %v, want ErrAddress", bad, err)
		}
	}
}

func TestDefaultSystemTitle(t *testing.T) {
	if got := DefaultSystemTitle("00000001"); got != [8]byte{'A', 'M', 'G', 0, 0, 0, 0, 1} {
		t.Errorf("decimal serial: % X", got)
	}
	if got := DefaultSystemTitle("1099511627775"); got != [8]byte{'A', 'M', 'G', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF} {
		t.Errorf("largest 40-bit serial: % X", got)
	}
	a, b := DefaultSystemTitle("LGZ-1"), DefaultSystemTitle("LGZ-2")
	if a == b || string(a[:3]) != "AMG" {
		t.Errorf("hashed titles % X and % X", a, b)
	}
}

// errLines returns the error's lines, each one problem.
func errLines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}

func TestParseCSVErrors(t *testing.T) {
	src := `serial,address,keys,group,class
00000001,127.0.0.1:4059,demo,feeder-1,0.2S
,127.0.0.1:4060,demo,feeder-1,
00000003,nowhere,demo,feeder-1,
00000004,127.0.0.1:4061,,feeder-1,
00000001,127.0.0.1:4062,demo,feeder-2,3
00000006,127.0.0.1:4063
`
	_, err := ParseCSV("fleet.csv", strings.NewReader(src))
	want := []string{
		"fleet.csv:3: serial is empty",
		`fleet.csv:4: address: registry: bad address "nowhere": want host:port`,
		"fleet.csv:5: keys: the management client needs a key set",
		"fleet.csv:6: class \"3\": want 0.2S, 0.2, 0.5S, 0.5, 1 or 2",
		"fleet.csv:6: serial 00000001 already at fleet.csv:2",
		"fleet.csv:7: 2 fields, the header has 5",
	}
	got := errLines(err)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseCSVHeaderErrors(t *testing.T) {
	_, err := ParseCSV("h.csv", strings.NewReader("serial,colour,serial\n"))
	want := "h.csv:1: unknown column \"colour\" (want serial, address, client, keys, group, tariff, firmware, title, network, installed, class)\n" +
		"h.csv:1: column \"serial\" twice\nh.csv:1: no address column"
	if err == nil || err.Error() != want {
		t.Errorf("err %v\nwant %s", err, want)
	}
}

func TestParseTOMLErrors(t *testing.T) {
	src := `# fleet
[[meter]]
serial = "00000001"
address = "127.0.0.1:4059"
keys = "demo"

[[meter]]
serial = "00000002"
address = "127.0.0.1:4060?client=99999"
keys = "demo"
colour = "red"

[[meter]]
serial = "00000003"
address = "127.0.0.1:4061"
client = "public"
installed = "yesterday"

[keys.demo]
guek = "0001"
gak = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"
`
	_, _, err := ParseTOML("fleet.toml", strings.NewReader(src))
	want := []string{
		"fleet.toml:11: colour: unknown key (want serial, address, client, keys, group, tariff, firmware, title, network, installed, class)",
		`fleet.toml:9: address: registry: bad address "127.0.0.1:4060?client=99999": client "99999": want management, reader, public or a SAP 1…127`,
		`fleet.toml:17: installed "yesterday": want RFC 3339 or YYYY-MM-DD`,
		"fleet.toml:20: key set demo: guek is not 16 bytes of hex",
	}
	if got := errLines(err); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	_, _, err = ParseTOML("bad.toml", strings.NewReader("[[meter]]\nserial = \n"))
	if err == nil || err.Error() != `bad.toml:2: expected value but found '\n' instead` {
		t.Errorf("syntax error: %v", err)
	}
}

func TestImportAndIndex(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if _, err := db.CreateTariff(ctx, meta.Tariff{Name: "residential", Currency: "EUR", Definition: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	toml := filepath.Join(dir, "fleet.toml")
	os.WriteFile(toml, []byte(`[[meter]]
serial = "00000001"
address = "127.0.0.1:4059?network=dcu-1"
keys = "demo"
group = "feeder-1"
tariff = "residential"
firmware = "amigo-mgmt 1.0.0"

[[meter]]
serial = "00000002"
address = "127.0.0.1:4060"
keys = "demo"
group = "feeder-1"
tariff = "nosuch"

[keys.demo]
guek = "000102030405060708090A0B0C0D0E0F"
gak = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"
kek = "000102030405060708090A0B0C0D0E0F"
`), 0o644)
	if _, err := ImportFile(ctx, db, "test", toml); err == nil || err.Error() != toml+`:14: tariff "nosuch" does not exist` {
		t.Fatalf("import with an unknown tariff: %v", err)
	}
	if ms, _ := db.Meters(ctx, meta.MeterFilter{}); len(ms) != 0 {
		t.Fatalf("a failed import wrote %d meters", len(ms))
	}
	body, _ := os.ReadFile(toml)
	os.WriteFile(toml, []byte(strings.Replace(string(body), `"nosuch"`, `"residential"`, 1)), 0o644)
	res, err := ImportFile(ctx, db, "test", toml)
	if err != nil || res != (Result{Created: 2, KeySets: 1}) {
		t.Fatalf("import: %+v, %v", res, err)
	}
	csvPath := filepath.Join(dir, "more.csv")
	os.WriteFile(csvPath, []byte("serial,address,keys,group,firmware\n00000002,127.0.0.1:4070,demo,feeder-2,amigo-mgmt 1.1.0\n00000003,127.0.0.1:4071,demo,feeder-2,\n"), 0o644)
	if res, err := ImportFile(ctx, db, "test", csvPath); err != nil || res != (Result{Created: 1, Updated: 1}) {
		t.Fatalf("csv import: %+v, %v", res, err)
	}
	x, err := Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := x.ByTitle(DefaultSystemTitle("00000002"))
	if !ok || m.Serial != "00000002" || m.Address.HostPort != "127.0.0.1:4070" || m.Group != "feeder-2" || m.Firmware != "amigo-mgmt 1.1.0" {
		t.Errorf("meter 2 after update: %+v", m)
	}
	if m1, _ := x.BySerial("00000001"); m1.Address.Network != "dcu-1" || m1.TariffID == 0 {
		t.Errorf("meter 1: %+v", m1)
	}
	if g := x.Group("feeder-2"); len(g) != 2 || g[0].Serial != "00000002" || g[1].Serial != "00000003" {
		t.Errorf("group feeder-2: %+v", g)
	}
	k, err := x.Keys(ctx, "demo")
	if err != nil || len(k.EK) != 16 || k.AK[0] != 0xD0 || len(k.KEK) != 16 || k.Password != nil {
		t.Errorf("keys %v", err)
	}
	log, _ := db.AuditLog(ctx, meta.AuditFilter{Actor: "test"})
	var imports int
	for _, e := range log {
		if e.Action == "meters.import" {
			imports++
		}
	}
	if imports != 2 {
		t.Errorf("%d import audit entries, want 2", imports)
	}
}

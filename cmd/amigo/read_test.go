package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/apdu"
)

// startMeter serves the test tree on 127.0.0.1:0 with the three clients
// of ARCHITECTURE §4 and the demo keys, until the test ends.
func startMeter(t *testing.T, hdlc bool) string {
	t.Helper()
	unhex := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	keys := cosem.NewMemKeys(map[cosem.KeyID][]byte{
		cosem.KeyGlobalUnicast:  unhex(demoKeys.EncryptionKey),
		cosem.KeyAuthentication: unhex(demoKeys.AuthenticationKey),
	})
	var srv *dlms.Server
	tree, err := cosemtest.New(cosemtest.Options{Now: func() time.Time { return time.Date(2024, 3, 31, 12, 0, 0, 0, time.UTC) },
		Keys: keys, ServerTitle: []byte("AMG\x00\x00\x00\x00\x01"), InvocationCounter: func(context.Context) (uint32, error) { return srv.InvocationCounter(cosemtest.Management), nil }})
	if err != nil {
		t.Fatal(err)
	}
	srv, err = dlms.NewServer(dlms.ServerConfig{Listen: "127.0.0.1:0", HDLC: hdlc, Tree: tree,
		SystemTitle: []byte("AMG\x00\x00\x00\x00\x01"),
		Clients: map[uint16]dlms.ClientPolicy{
			cosemtest.Public:     {Mechanism: apdu.MechanismLowest},
			cosemtest.Reader:     {Mechanism: apdu.MechanismLow, Password: []byte("00000000")},
			cosemtest.Management: {Mechanism: apdu.MechanismHighGMAC, Keys: keys},
		}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return srv.Addr().String()
}

// amigoErr runs the root command and returns stdout, stderr and the error.
func amigoErr(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	root := newRootCmd()
	var out, errOut bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errOut)
	err := root.Execute()
	return out.String(), errOut.String(), err
}

func TestReadEachClientLevel(t *testing.T) {
	for _, hdlc := range []bool{false, true} {
		addr := startMeter(t, hdlc)
		extra := []string{}
		if hdlc {
			extra = []string{"--hdlc"}
		}
		for _, tc := range []struct {
			name string
			args []string
			want []string
		}{
			{"public", []string{"0.0.1.0.0.255", "0-0:42.0.0*255", "0.0.96.1.0.255"}, []string{
				"0.0.1.0.0.255  Clock  2024-03-31T12:00:00Z",
				`0.0.42.0.0.255  Logical device name  "AMG0000000000001"`,
				`0.0.96.1.0.255  Serial number  "00000001"`,
			}},
			{"reader", []string{"--auth", "low", "--password", "00000000", "1.0.1.8.0.255", "1.0.32.7.0.255", "1.0.14.7.0.255", "1.0.32.7.0.255:3"}, []string{
				"1.0.1.8.0.255  Active energy import (+A) total  12345 Wh",
				"1.0.32.7.0.255  Voltage L1  230.1 V",
				"1.0.14.7.0.255  Supply frequency  50 Hz",
				"1.0.32.7.0.255:3  Voltage L1  {-1, 35}",
			}},
			{"management", []string{"--auth", "high-gmac", "--keys", "demo", "1.0.2.8.0.255", "0.0.43.0.0.255:5"}, []string{
				"1.0.2.8.0.255  Active energy export (−A) total  678 Wh",
				"0.0.43.0.0.255:5  Security setup  414D470000000001",
			}},
		} {
			t.Run(map[bool]string{false: "wrapper/", true: "hdlc/"}[hdlc]+tc.name, func(t *testing.T) {
				// Twice: the second management run must resume the
				// invocation counter it did not keep.
				for range 2 {
					out, stderr, err := amigoErr(t, append(append([]string{"read", "--addr", addr}, extra...), tc.args...)...)
					if err != nil {
						t.Fatalf("%v\n%s", err, stderr)
					}
					if got := strings.Split(strings.TrimSpace(out), "\n"); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
						t.Errorf("got\n%s\nwant\n%s", out, strings.Join(tc.want, "\n"))
					}
				}
			})
		}
	}
}

func TestReadJSON(t *testing.T) {
	addr := startMeter(t, false)
	out, _, err := amigoErr(t, "read", "--addr", addr, "--auth", "low", "--password", "00000000", "--json", "1.0.1.8.0.255", "1.0.31.7.0.255")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Addr    string `json:"addr"`
		Client  int    `json:"client"`
		Results []struct {
			OBIS      string          `json:"obis"`
			Attribute int             `json:"attribute"`
			Class     int             `json:"class"`
			Name      string          `json:"name"`
			Value     json.RawMessage `json:"value"`
			Unit      string          `json:"unit"`
			Text      string          `json:"text"`
		} `json:"results"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v in\n%s", err, out)
	}
	if doc.Addr != addr || doc.Client != 32 || len(doc.Results) != 2 {
		t.Fatalf("document %+v", doc)
	}
	r := doc.Results[1]
	if r.OBIS != "1.0.31.7.0.255" || r.Class != 3 || r.Attribute != 2 || string(r.Value) != "5.23" || r.Unit != "A" || r.Text != "5.23 A" {
		t.Errorf("current: %+v (value %s)", r, r.Value)
	}
}

func TestReadSetActionAndProfile(t *testing.T) {
	addr := startMeter(t, false)
	mgmt := []string{"read", "--addr", addr, "--auth", "high-gmac", "--keys", "demo"}
	reader := []string{"read", "--addr", addr, "--auth", "low", "--password", "00000000"}
	for _, step := range []struct {
		args []string
		want string
	}{
		{append(mgmt, "--set", "12400", "1.0.1.8.0.255"), "1.0.1.8.0.255  Active energy import (+A) total  set to 12400 Wh"},
		{append(reader, "1.0.1.8.0.255"), "1.0.1.8.0.255  Active energy import (+A) total  12400 Wh"},
		{append(mgmt, "--set", "2024-04-01T06:30:00Z", "0.0.1.0.0.255"), "0.0.1.0.0.255  Clock  set to 2024-04-01T06:30:00Z"},
		{append(mgmt, "--action", "1.0.1.8.0.255:1"), "1.0.1.8.0.255:1  Active energy import (+A) total  done"},
		{append(reader, "1.0.1.8.0.255"), "1.0.1.8.0.255  Active energy import (+A) total  0 Wh"},
		{append(reader, "--from", "2024-01-01T00:30:00Z", "--to", "2024-01-01T01:00:00Z", "1.0.99.1.0.255"),
			"1.0.99.1.0.255  Load profile 15 min  3 rows\n" +
				"  0.0.1.0.0.255  1.0.1.8.0.255 [Wh]  1.0.2.8.0.255 [Wh]\n" +
				"  2024-01-01T00:30:00Z  1020 Wh  4 Wh\n" +
				"  2024-01-01T00:45:00Z  1030 Wh  6 Wh\n" +
				"  2024-01-01T01:00:00Z  1040 Wh  8 Wh"},
	} {
		out, stderr, err := amigoErr(t, step.args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", step.args, err, stderr)
		}
		if strings.TrimSpace(out) != step.want {
			t.Errorf("%v:\n%s\nwant\n%s", step.args[4:], out, step.want)
		}
	}
}

func TestReadTrace(t *testing.T) {
	addr := startMeter(t, false)
	_, stderr, err := amigoErr(t, "read", "--addr", addr, "--auth", "high-gmac", "--keys", "demo", "--trace", "1.0.1.8.0.255")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"→ 60 ", "  aarq context=LN-ciphered", "← 61 ", "  aare context=LN-ciphered result=accepted",
		"  deciphered: C0 01 ", "  get-request-normal invoke-id=", "obis=1.0.1.8.0.255 attr=2",
		"  get-response-normal", "double-long-unsigned 12345",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("trace lacks %q:\n%s", want, stderr)
		}
	}
}

func TestReadKeysFileKeepsCounters(t *testing.T) {
	addr := startMeter(t, false)
	dir := t.TempDir()
	keys := filepath.Join(dir, "keys.toml")
	if err := os.WriteFile(keys, []byte(`system_title = "4D4D4D0000000001"
encryption_key = "000102030405060708090A0B0C0D0E0F"
authentication_key = "D0D1D2D3D4D5D6D7D8D9DADBDCDDDEDF"
counters = "counters.json"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, stderr, err := amigoErr(t, "read", "--addr", addr, "--auth", "high-gmac", "--keys", keys, "1.0.1.8.0.255"); err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "counters.json"))
	if err != nil || !bytes.Contains(b, []byte("client/4D4D4D0000000001/send")) {
		t.Fatalf("counters file %s, %v", b, err)
	}
}

func TestReadErrorsNameTheInput(t *testing.T) {
	addr := startMeter(t, false)
	badKeys := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(badKeys, []byte("system_title = \"4D4D\"\nencryption_key = \"00\"\n"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"1.0.1.8.0"}, `bad OBIS code "1.0.1.8.0"`},
		{[]string{"1.0.1.8.0.255:x"}, `1.0.1.8.0.255:x: attribute or method "x"`},
		{[]string{"1.0.1.8.0.255"}, "1.0.1.8.0.255: 1.0.1.8.0.255 is not in the association view"},
		{[]string{"--auth", "low", "--password", "wrong", "1.0.1.8.0.255"}, addr + ": client 32: dlms: association rejected-permanent, diagnostic 13"},
		{[]string{"--auth", "low", "--password", "00000000", "--set", "1", "1.0.1.8.0.255"}, "1.0.1.8.0.255: SET 1.0.1.8.0.255/3:2: dlms: read-write-denied"},
		{[]string{"--auth", "high-gmac", "--keys", badKeys, "1.0.1.8.0.255"}, badKeys + ": system_title: want 16 hex digits"},
		{[]string{"--auth", "high-gmac", "1.0.1.8.0.255"}, "--auth high-gmac needs --keys"},
		{[]string{"--auth", "medium", "1.0.1.8.0.255"}, `--auth "medium"`},
		{[]string{"--auth", "low", "--password", "00000000", "--from", "yesterday", "1.0.99.1.0.255"}, `--from "yesterday"`},
	} {
		_, _, err := amigoErr(t, append([]string{"read", "--addr", addr}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line containing %q", tc.args, err, tc.want)
		}
	}
}

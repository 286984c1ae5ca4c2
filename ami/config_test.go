package ami

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/internal/tomlkeys"

	"github.com/amigo-ami/amigo/hes"
)

// The example configuration documents every key with its default: it
// parses, and decoding it changes nothing from the zero configuration.
func TestExampleConfig(t *testing.T) {
	b, err := os.ReadFile("../amigo.example.toml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseConfig("amigo.example.toml", b)
	if err != nil {
		t.Fatal(err)
	}
	if !c.has(RoleHES) || !c.has(RoleMDM) || !c.has(RoleWeb) || c.dataDir() != "amigo-data" || c.location() != time.UTC ||
		c.HES.PushListen != "127.0.0.1:4060" || time.Duration(c.HES.Timeout) != 30*time.Second || len(c.Prepay.TokenKey) != 0 ||
		c.Web.Listen != "127.0.0.1:8080" || *c.MDM.CheckLoadCurves != true {
		t.Errorf("example config %+v", c)
	}
	// Every key the example sets is one Config has (nothing undecoded),
	// and every key of Config appears in the example.
	for _, key := range []string{"roles", "data", "zone", "log.level", "log.format", "bus.urls", "bus.listen", "bus.replicas",
		"store.readings", "store.meta", "hes.node", "hes.registry", "hes.push_listen", "hes.push_udp", "hes.workers",
		"hes.max_conns", "hes.timeout", "hes.initial_backfill", "hes.image_dir", "hes.job_lease", "mdm.ingest_workers", "mdm.ingest_batch",
		"mdm.bill_every", "mdm.check_load_curves", "web.listen", "prepay.token_key"} {
		if tomlkeys.Index(b).Find(key) == 0 {
			t.Errorf("the example does not show %s", key)
		}
	}
}

func TestConfigSchedules(t *testing.T) {
	c, err := ParseConfig("a.toml", []byte(`zone = "Europe/Paris"
[[hes.schedule]]
name = "pq"
spec = "*/5 * * * *"
kind = "read-status"
group = "waveform"
jitter = "1m"
params = { max_drift = "5s" }
`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.HES.Schedules[0].schedule(c.location())
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "pq" || s.Kind != hes.ReadStatus || s.Group != "waveform" || s.Jitter != time.Minute ||
		s.Location.String() != "Europe/Paris" || string(s.Params) != `{"max_drift":"5s"}` {
		t.Errorf("schedule %+v, params %s", s, s.Params)
	}
}

// A configuration error names the file, the line and the key.
func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"syntax", "roles = [\"hes\"\n", "a.toml:1: "},
		{"unknown key", "[web]\nlisten = \"x\"\nlistne = \"y\"\n", "a.toml:3: web.listne: unknown key"},
		{"unknown table", "data = \"d\"\n\n[hse]\nnode = \"a\"\n", "a.toml:3: hse: unknown key"},
		{"bad duration", "[hes]\ntimeout = \"soon\"\n", `a.toml:2: hes.timeout: "soon" is not a duration`},
		{"bad role", "roles = [\"hes\", \"api\"]\n", `a.toml:1: roles: "api" is not one of hes, mdm, web`},
		{"bad zone", "zone = \"Mars/Olympus\"\n", `a.toml:1: zone: "Mars/Olympus" is not an IANA time zone`},
		{"bad readings URL", "[store]\n\nreadings = \"rocksdb:/x\"\n", `a.toml:3: store.readings: "rocksdb:/x" is not pebble:DIR`},
		{"bad meta URL", "[store]\nmeta = \"sqlite:\"\n", `a.toml:2: store.meta: "sqlite:" names no file`},
		{"password not shown", "[store]\nmeta = \"postgress://amigo:hunter2@db/amigo\"\n", `a.toml:2: store.meta: "postgress://amigo:xxxxx@db/amigo" is not`},
		{"short token key", "[prepay]\ntoken_key = \"0011\"\n", "a.toml:2: prepay.token_key: 2 bytes"},
		{"token key not hex", "[prepay]\ntoken_key = \"xyz\"\n", `a.toml:2: prepay.token_key: "xyz" is not hex`},
		{"negative workers", "[hes]\nworkers = -1\n", "a.toml:2: hes.workers: -1 is negative"},
		{"second schedule bad kind", "[[hes.schedule]]\nname = \"a\"\nspec = \"@every 1h\"\nkind = \"read-status\"\n\n[[hes.schedule]]\nname = \"b\"\nspec = \"@every 1h\"\nkind = \"read-all\"\n",
			`a.toml:9: hes.schedule[1].kind: "read-all" is not one of`},
		{"bad spec", "[[hes.schedule]]\nname = \"a\"\nspec = \"every hour\"\nkind = \"read-status\"\n", `a.toml:3: hes.schedule[0].spec: schedule: bad spec "every hour"`},
		{"duplicate schedule", "[[hes.schedule]]\nname = \"a\"\nspec = \"@every 1h\"\nkind = \"read-status\"\n[[hes.schedule]]\nname = \"a\"\nspec = \"@every 1h\"\nkind = \"read-status\"\n",
			`a.toml:5: hes.schedule[1]: a second schedule named "a"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig("a.toml", []byte(tc.src))
			if err == nil || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

package ami

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/internal/tomlkeys"

	"github.com/BurntSushi/toml"

	"github.com/amigo-ami/amigo/hes"
	"github.com/amigo-ami/amigo/hes/schedule"
)

// ErrConfig is wrapped by every error about a configuration.
var ErrConfig = errors.New("configuration error")

// ConfigError is a mistake in a configuration file, at the line of the
// key at fault when there is one: "amigo.toml:12: hes.workers: reason";
// it wraps ErrConfig.
type ConfigError = tomlkeys.Error

// Roles a process can run (ARCHITECTURE §10: any mix in one binary).
const (
	RoleHES = "hes" // head-end: reads, commands, push listener, schedules
	RoleMDM = "mdm" // ingest from the bus into the store, billing, analytics
	RoleWeb = "web" // the HTTP API and the console
)

var allRoles = []string{RoleHES, RoleMDM, RoleWeb}

// Config is `amigo serve`'s configuration file (amigo.example.toml
// documents every key). The zero value runs everything embedded under
// ./amigo-data.
type Config struct {
	Roles []string `toml:"roles"` // all three when empty
	Data  string   `toml:"data"`  // directory of the embedded parts; "amigo-data" when empty
	Zone  string   `toml:"zone"`  // IANA zone of billing cycles, analytics days and cron fields; "UTC" when empty
	Log   LogConfig
	Bus   BusConfig
	Store StoreConfig
	HES   HESConfig
	MDM   MDMConfig
	Web   WebConfig
	// Prepay is the vending side of prepayment.
	Prepay PrepayConfig

	file string // where the configuration came from, for errors
}

// LogConfig sets the logger of `amigo serve`.
type LogConfig struct {
	Level  string `toml:"level"`  // debug, info (default), warn, error
	Format string `toml:"format"` // text (default) or json
}

// BusConfig says where the bus runs.
type BusConfig struct {
	URLs     []string `toml:"urls"`     // external NATS servers; embedded in DATA/bus when empty
	Listen   string   `toml:"listen"`   // the embedded server's client address for other processes ("" none)
	Replicas int      `toml:"replicas"` // stream replicas: 1 embedded, 3 external when 0
}

// StoreConfig names the storage engines by URL.
type StoreConfig struct {
	// Readings is "pebble:DIR" (embedded; pebble:DATA/readings when
	// empty) or "clickhouse://HOST:PORT/DB".
	Readings string `toml:"readings"`
	// Meta is "sqlite:PATH" (embedded; sqlite:DATA/meta.db when empty)
	// or "postgres://USER@HOST:PORT/DB".
	Meta string `toml:"meta"`
}

// HESConfig configures the head-end.
type HESConfig struct {
	Node            string           `toml:"node"`             // "hes" when empty
	Registry        string           `toml:"registry"`         // a registry file (CSV or TOML) imported at start
	PushListen      string           `toml:"push_listen"`      // "127.0.0.1:4060" when empty; "-" for none
	PushUDP         string           `toml:"push_udp"`         // "" for none
	Workers         int              `toml:"workers"`          // jobs at once; 64 when 0
	MaxConns        int              `toml:"max_conns"`        // associations at once; 256 when 0
	Timeout         Duration         `toml:"timeout"`          // one attempt on a meter; 30 s when 0
	InitialBackfill Duration         `toml:"initial_backfill"` // first profile read of a meter; 24 h when 0
	ImageDir        string           `toml:"image_dir"`        // firmware images by identifier
	JobLease        Duration         `toml:"job_lease"`        // a started job's hold before another node may take it over; 10 min when 0
	Schedules       []ScheduleConfig `toml:"schedule"`         // DefaultSchedules when none
}

// ScheduleConfig is one recurring job (hes.Schedule).
type ScheduleConfig struct {
	Name   string         `toml:"name"`
	Spec   string         `toml:"spec"`
	Kind   string         `toml:"kind"`
	Group  string         `toml:"group"` // all meters when empty
	Jitter Duration       `toml:"jitter"`
	Params map[string]any `toml:"params"`
}

// MDMConfig configures the meter data management.
type MDMConfig struct {
	IngestWorkers int `toml:"ingest_workers"` // batches in flight per stream; 2 when 0
	IngestBatch   int `toml:"ingest_batch"`   // messages per store write; 256 when 0
	// BillEvery recomputes every meter's bill of the current cycle (a
	// draft until the cycle ends) this often; 1 h when 0, negative never.
	BillEvery Duration `toml:"bill_every"`
	// CheckLoadCurves compares each meter's day with its baseline after
	// midnight and raises load-deviation alarms; on unless false.
	CheckLoadCurves *bool `toml:"check_load_curves"`
}

// WebConfig configures the API and console.
type WebConfig struct {
	Listen string `toml:"listen"` // "127.0.0.1:8080" when empty
}

// PrepayConfig is the vending system's side of prepayment.
type PrepayConfig struct {
	// TokenKey (hex) authenticates top-up tokens: with it a console
	// top-up becomes a token for the meter's token gateway (IC 115); without
	// it, an amount for the credit's update_amount.
	TokenKey HexBytes `toml:"token_key"`
}

// Duration is a time.Duration written as Go writes durations ("15m").
type Duration time.Duration

// UnmarshalText reads "90s", "15m", "24h".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration such as 90s, 15m or 24h", b)
	}
	*d = Duration(v)
	return nil
}

// HexBytes is a byte string written in hex.
type HexBytes []byte

// UnmarshalText reads hex digits.
func (h *HexBytes) UnmarshalText(b []byte) error {
	v, err := hex.DecodeString(string(b))
	if err != nil {
		return fmt.Errorf("%q is not hex", b)
	}
	*h = v
	return nil
}

// LoadConfig reads and checks a configuration file. Errors are
// *ConfigError naming the file and the line of the key at fault.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, &ConfigError{File: path, Msg: err.Error(), Kind: ErrConfig}
	}
	return ParseConfig(path, b)
}

// decodeError names where the TOML decoder stopped: its ParseError
// carries the line, its type mismatches say it in the message.
var decodeError = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// ParseConfig reads and checks a configuration; name is what errors call
// the file.
func ParseConfig(name string, b []byte) (Config, error) {
	c := Config{file: name}
	md, err := toml.Decode(string(b), &c)
	if err != nil {
		e := &ConfigError{File: name, Msg: strings.TrimPrefix(err.Error(), "toml: "), Kind: ErrConfig}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			e.Line, e.Key, e.Msg = pe.Position.Line, pe.LastKey, pe.Message
		} else if m := decodeError.FindStringSubmatch(err.Error()); m != nil {
			e.Line, _ = strconv.Atoi(m[1])
			e.Key, e.Msg = m[2], m[3]
		}
		return Config{}, e
	}
	lines := tomlkeys.Index(b)
	for _, k := range md.Undecoded() {
		if len(k) > 1 && k[len(k)-2] == "params" {
			continue // a schedule's parameters are the job kind's business
		}
		return Config{}, c.errorAt(lines.Of(k), k.String(), "unknown key")
	}
	if err := c.check(lines); err != nil {
		return Config{}, err
	}
	return c, nil
}

// errorAt is a configuration error at line of key.
func (c *Config) errorAt(line int, key, format string, args ...any) error {
	return &ConfigError{File: c.file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...), Kind: ErrConfig}
}

// check validates what the types do not.
func (c *Config) check(lines tomlkeys.Lines) error {
	for _, r := range c.Roles {
		if !slices.Contains(allRoles, r) {
			return c.errorAt(lines.Find("roles"), "roles", "%q is not one of %s", r, strings.Join(allRoles, ", "))
		}
	}
	if c.Zone != "" {
		if _, err := time.LoadLocation(c.Zone); err != nil || c.Zone == "Local" {
			return c.errorAt(lines.Find("zone"), "zone", "%q is not an IANA time zone such as Europe/Paris", c.Zone)
		}
	}
	switch c.Log.Level {
	case "", "debug", "info", "warn", "error":
	default:
		return c.errorAt(lines.Find("log.level"), "log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}
	if f := c.Log.Format; f != "" && f != "text" && f != "json" {
		return c.errorAt(lines.Find("log.format"), "log.format", "%q is not text or json", f)
	}
	if _, _, err := readingsEngine(c.Store.Readings); err != nil {
		return c.errorAt(lines.Find("store.readings"), "store.readings", "%v", err)
	}
	if err := checkMetaURL(c.Store.Meta); err != nil {
		return c.errorAt(lines.Find("store.meta"), "store.meta", "%v", err)
	}
	for _, n := range []struct {
		key string
		v   int
	}{{"bus.replicas", c.Bus.Replicas}, {"hes.workers", c.HES.Workers}, {"hes.max_conns", c.HES.MaxConns},
		{"mdm.ingest_workers", c.MDM.IngestWorkers}, {"mdm.ingest_batch", c.MDM.IngestBatch}} {
		if n.v < 0 {
			return c.errorAt(lines.Find(n.key), n.key, "%d is negative", n.v)
		}
	}
	if c.Bus.Replicas > 5 {
		return c.errorAt(lines.Find("bus.replicas"), "bus.replicas", "%d: at most 5", c.Bus.Replicas)
	}
	if k := c.Prepay.TokenKey; len(k) > 0 && len(k) < 16 {
		return c.errorAt(lines.Find("prepay.token_key"), "prepay.token_key", "%d bytes; a token key has at least 16", len(k))
	}
	names := map[string]bool{}
	for i, s := range c.HES.Schedules {
		key := fmt.Sprintf("hes.schedule[%d]", i)
		if _, err := s.schedule(c.location()); err != nil {
			var fe fieldError
			if errors.As(err, &fe) {
				key += "." + fe.field
			}
			return c.errorAt(lines.Find(key), key, "%v", err)
		}
		if names[s.Name] {
			return c.errorAt(lines.Find(key), key, "a second schedule named %q", s.Name)
		}
		names[s.Name] = true
	}
	return nil
}

// has reports whether the process runs role.
func (c *Config) has(role string) bool { return len(c.Roles) == 0 || slices.Contains(c.Roles, role) }

func (c *Config) dataDir() string {
	if c.Data == "" {
		return "amigo-data"
	}
	return c.Data
}

func (c *Config) location() *time.Location {
	loc, err := time.LoadLocation(c.Zone)
	if err != nil || c.Zone == "" {
		return time.UTC
	}
	return loc
}

// fieldError is a schedule's error about one of its fields.
type fieldError struct {
	field string
	err   error
}

func (e fieldError) Error() string { return e.err.Error() }

// schedule turns the configured schedule into the head-end's.
func (s ScheduleConfig) schedule(loc *time.Location) (hes.Schedule, error) {
	if s.Name == "" {
		return hes.Schedule{}, fieldError{"name", errors.New("a schedule needs a name")}
	}
	if _, err := schedule.Parse(s.Spec, loc); err != nil {
		return hes.Schedule{}, fieldError{"spec", err}
	}
	if !slices.Contains(hes.Kinds(), hes.Kind(s.Kind)) {
		return hes.Schedule{}, fieldError{"kind", fmt.Errorf("%q is not one of %v", s.Kind, hes.Kinds())}
	}
	hs := hes.Schedule{Name: s.Name, Spec: s.Spec, Location: loc, Group: s.Group, Kind: hes.Kind(s.Kind), Jitter: time.Duration(s.Jitter)}
	if len(s.Params) > 0 {
		p, err := json.Marshal(s.Params)
		if err != nil {
			return hes.Schedule{}, fieldError{"params", err}
		}
		hs.Params = p
	}
	return hs, nil
}

// readingsEngine splits a readings store URL: ("pebble", DIR) or
// ("clickhouse", URL); "" is the embedded default.
func readingsEngine(u string) (engine, where string, err error) {
	switch {
	case u == "":
		return "pebble", "", nil
	case strings.HasPrefix(u, "pebble:"):
		dir := strings.TrimPrefix(u, "pebble:")
		if dir == "" {
			return "", "", fmt.Errorf("%q names no directory (pebble:DIR)", u)
		}
		return "pebble", filepath.Clean(dir), nil
	case strings.HasPrefix(u, "clickhouse://"):
		return "clickhouse", u, nil
	}
	return "", "", fmt.Errorf("%q is not pebble:DIR or clickhouse://HOST:PORT/DB", redacted(u))
}

// checkMetaURL checks a metadata URL's form: sqlite:PATH, or a
// PostgreSQL URL; "" is the embedded default. store/meta.Open reads it.
func checkMetaURL(u string) error {
	switch {
	case u == "", strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return nil
	case strings.HasPrefix(u, "sqlite:"):
		if strings.TrimPrefix(u, "sqlite:") == "" {
			return fmt.Errorf("%q names no file (sqlite:PATH)", u)
		}
		return nil
	}
	return fmt.Errorf("%q is not sqlite:PATH or postgres://USER@HOST:PORT/DB", redacted(u))
}

// redacted is a URL fit for an error message: without its password.
func redacted(u string) string {
	if p, err := url.Parse(u); err == nil && p.User != nil {
		return p.Redacted()
	}
	return u
}

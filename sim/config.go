package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/nilm/appliance"
	"github.com/amigo-ami/amigo/sim/fault"
	"github.com/amigo-ami/amigo/sim/wave"
)

// Config configures a Fleet. Meters is required; every other field has a
// default or is optional.
type Config struct {
	// Meters is how many meters the fleet has.
	Meters int
	// Seed makes every random choice (loads, faults, households, keys):
	// the same seed, the same fleet.
	Seed uint64
	// Start is the simulated time the fleet starts at; the wall clock's
	// now, to the minute, when zero.
	Start time.Time
	// Speed is simulated seconds per wall second; 0 stops the clock, which
	// then moves only with AdvanceTo (tests, benchmarks, runs as fast as
	// the CPU allows).
	Speed float64
	// Wall is the wall clock (time.Now when nil).
	Wall func() time.Time

	// Addresses gives meter k its address: "CIDR:PORT" for one address
	// each from the network's second on ("127.1.0.0/16:4059": meter 0 at
	// 127.1.0.1:4059), or "HOST:PORT" for consecutive ports on one host
	// ("127.0.0.1:20000": meter 0 at port 20000). DefaultAddresses when
	// empty.
	Addresses string
	// Listen opens a socket for every meter at its address. Without it
	// meters are reached in memory only (DialMeter).
	Listen bool
	// HDLC serves HDLC over TCP instead of the IEC 62056-47 wrapper.
	HDLC bool
	// PushOnly meters serve nothing: they dial the head-end, push and hang
	// up (NB-IoT). They need PushTo.
	PushOnly bool
	// PushTo is where every meter's push setups send ("" sends nothing).
	PushTo string
	// PushDial opens a push connection (a net.Dialer when nil; tests
	// deliver in memory).
	PushDial func(ctx context.Context, network, addr string) (net.Conn, error)

	// Faults are injected in every meter, drawn from Seed.
	Faults fault.Spec

	// Waveform meters (the first ones) run the real metrology core on
	// their households' waveforms at WaveRate (8000 when 0), with
	// Appliances (PLAID from DataDir, else the built-in ones, when nil)
	// used as Habits say (wave.DefaultHabits when zero). When the
	// template enables [modules.nilm], each runs the NILM expansion
	// module on its waveform, as amigo meter does, and pushes its
	// appliance events to PushTo when there is one.
	Waveform   int
	WaveRate   float64
	Appliances []appliance.Appliance
	Habits     wave.Habits
	// OnSwitch, when set, sees every appliance switch of every waveform
	// meter (the ground truth of NILM), from the goroutine stepping it.
	OnSwitch func(meter int, s wave.Switch)
	// Load, when set, is the load model of every fast meter (package
	// meter/load); otherwise each draws its own from Mix.
	Load string
	Mix  Mix
	// FastStep is how often a fast meter reads its load model (a second
	// when 0): longer steps cost less and lose sub-step detail.
	FastStep time.Duration
	// DataDir holds the shared data (ampds-r1/, plaid-events/); without
	// it the fleet uses synthetic loads and appliances.
	DataDir string

	// Template shapes every meter (tariffs, profiles, pushes); the
	// built-in fleet template when nil. Serial, keys, drift and push
	// destinations are the fleet's.
	Template *config.File
	// FirstSerial is meter 0's serial number (1 when 0); serials are ten
	// digits.
	FirstSerial uint64
	// Keys: DemoKeys (every meter the ARCHITECTURE §4 demo keys) or
	// PerMeterKeys (derived from Seed and the serial).
	Keys KeyMode
	// Group and Tariff are what the registry export gives each meter
	// ("sim" and none when empty).
	Group, Tariff string

	// Logger receives the fleet's logs; discarded when nil.
	Logger *slog.Logger
}

// Mix is how the fast meters' loads are drawn: every meter a household
// (an AMPds R1 house shifted in time and scaled, or a synthetic day
// without the data), a share of them PV and a share an EV.
type Mix struct {
	PV, EV float64 // fractions of meters (0.25 and 0.1 when both are 0)
}

// KeyMode chooses the meters' keys.
type KeyMode int

const (
	DemoKeys     KeyMode = iota // the ARCHITECTURE §4 demo keys
	PerMeterKeys                // HMAC-SHA256(seed key, serial) per meter (simulation only)
)

// DefaultAddresses gives each meter its own loopback address on port
// 4059, as an IP-connected meter has.
const DefaultAddresses = "127.1.0.0/16:4059"

// FallbackAddresses gives each meter a port of 127.0.0.1 where the
// loopback network has only 127.0.0.1 (not Linux).
const FallbackAddresses = "127.0.0.1:20000"

// ErrConfig is wrapped by configuration errors.
var ErrConfig = errors.New("sim: invalid configuration")

func (c Config) withDefaults() (Config, error) {
	if c.Meters < 1 || c.Meters > 1<<22 {
		return c, fmt.Errorf("%w: %d meters: want 1 to %d", ErrConfig, c.Meters, 1<<22)
	}
	if c.Wall == nil {
		c.Wall = time.Now
	}
	if c.Start.IsZero() {
		c.Start = c.Wall().UTC().Truncate(time.Minute)
	}
	if c.Addresses == "" {
		c.Addresses = DefaultAddresses
	}
	if c.PushOnly && (c.PushTo == "" || c.Listen) {
		return c, fmt.Errorf("%w: push-only meters need a push destination and no listeners", ErrConfig)
	}
	if c.Waveform < 0 || c.Waveform > c.Meters {
		return c, fmt.Errorf("%w: %d waveform meters of %d", ErrConfig, c.Waveform, c.Meters)
	}
	if c.FastStep < 0 || c.FastStep > 15*time.Minute {
		return c, fmt.Errorf("%w: fast step %v: want up to 15m", ErrConfig, c.FastStep)
	}
	if c.WaveRate == 0 {
		c.WaveRate = 8000
	}
	if c.Mix == (Mix{}) {
		c.Mix = Mix{PV: 0.25, EV: 0.1}
	}
	if c.Mix.PV < 0 || c.Mix.PV > 1 || c.Mix.EV < 0 || c.Mix.EV > 1 {
		return c, fmt.Errorf("%w: mix %+v: fractions from 0 to 1", ErrConfig, c.Mix)
	}
	if c.FirstSerial == 0 {
		c.FirstSerial = 1
	}
	if c.FirstSerial+uint64(c.Meters) > 1e10 {
		return c, fmt.Errorf("%w: serials from %d do not fit ten digits", ErrConfig, c.FirstSerial)
	}
	if c.Keys != DemoKeys && c.Keys != PerMeterKeys {
		return c, fmt.Errorf("%w: key mode %d", ErrConfig, c.Keys)
	}
	if c.Group == "" {
		c.Group = "sim"
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// addressing maps meter k to its address.
type addressing struct {
	first  netip.Addr // meter 0's address
	port   int
	perIP  bool // one address per meter (else one port per meter)
	prefix netip.Prefix
}

// parseAddresses reads Config.Addresses for n meters.
func parseAddresses(s string, n int) (addressing, error) {
	host, port, err := net.SplitHostPort(s)
	p, perr := strconv.Atoi(port)
	if err != nil || perr != nil || p < 1 || p > 65535 {
		return addressing{}, fmt.Errorf("%w: addresses %q: want CIDR:PORT or HOST:PORT", ErrConfig, s)
	}
	a := addressing{port: p}
	if pre, err := netip.ParsePrefix(host); err == nil {
		pre = pre.Masked()
		if !pre.Addr().Is4() {
			return a, fmt.Errorf("%w: addresses %q: an IPv4 network", ErrConfig, s)
		}
		if size := uint64(1) << (32 - pre.Bits()); size < uint64(n)+2 {
			return a, fmt.Errorf("%w: addresses %q: %s holds %d meters, not %d", ErrConfig, s, pre, size-2, n)
		}
		a.first, a.perIP, a.prefix = pre.Addr().Next(), true, pre
		return a, nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return a, fmt.Errorf("%w: addresses %q: %q is neither a network nor an address", ErrConfig, s, host)
	}
	if p+n-1 > 65535 {
		return a, fmt.Errorf("%w: addresses %q: %d meters need ports up to %d", ErrConfig, s, n, p+n-1)
	}
	a.first = ip
	return a, nil
}

// of returns meter k's host:port.
func (a addressing) of(k int) string {
	if !a.perIP {
		return netip.AddrPortFrom(a.first, uint16(a.port+k)).String()
	}
	b := a.first.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	v += uint32(k)
	ip := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
	return netip.AddrPortFrom(ip, uint16(a.port)).String()
}

package nilm

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/firmware"
	"github.com/amigo-ami/amigo/meter/push"
	nilmcore "github.com/amigo-ami/amigo/nilm"
)

// ErrConfig is wrapped by every configuration error of the module.
var ErrConfig = errors.New("nilm module: invalid configuration")

// Config sets up the module on one meter.
type Config struct {
	// PublicKey verifies feature libraries (required).
	PublicKey *ecdsa.PublicKey
	// Library is the signed feature library to start with; nil starts
	// without one (every event is unknown until a remote update).
	Library []byte
	// LibraryFile, when set, keeps the library a remote update
	// activates, and is read back at start, where it wins over Library
	// when newer.
	LibraryFile string

	// RateHz and Phases describe the sample stream the driver's tap
	// hands over (frames of u, i per wired phase); Start is the true
	// time of frame 0.
	RateHz float64
	Phases [3]bool
	Start  time.Time
	// MainsHz is the nominal frequency (50 if 0).
	MainsHz float64
	// Detector tunes event detection; its RateHz and MainsHz are set
	// from the fields above.
	Detector nilmcore.DetectorConfig

	// LogCapacity is the appliance event log's profile_entries (1000
	// if 0).
	LogCapacity int
	// Push is where appliance events are pushed: its Destination (no
	// pushes when the address is empty), Retries, RepetitionDelay and
	// Randomisation. The module names it (PushSetupLN) and sets its
	// object list; windows are not offered.
	Push   push.Setup
	Pusher push.Pusher

	// Logger receives the module's logs; discarded when nil.
	Logger *slog.Logger
}

func (c *Config) fill() error {
	if c.PublicKey == nil {
		return fmt.Errorf("%w: no public key to verify feature libraries", ErrConfig)
	}
	if c.MainsHz == 0 {
		c.MainsHz = 50
	}
	if c.LogCapacity == 0 {
		c.LogCapacity = 1000
	}
	if c.LogCapacity < 1 || c.LogCapacity > 100_000 {
		return fmt.Errorf("%w: log capacity %d: want 1…100000", ErrConfig, c.LogCapacity)
	}
	if c.Phases == ([3]bool{}) {
		return fmt.Errorf("%w: no wired phase", ErrConfig)
	}
	if c.Push.Destination.Address != "" && c.Pusher == nil {
		return fmt.Errorf("%w: a push destination without a pusher", ErrConfig)
	}
	if len(c.Push.Windows) > 0 {
		return fmt.Errorf("%w: push windows are not offered", ErrConfig)
	}
	if err := c.Push.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Detector.RateHz, c.Detector.MainsHz = c.RateHz, c.MainsHz
	if _, err := nilmcore.NewDetector(c.Detector); err != nil {
		return fmt.Errorf("%w: %w", ErrConfig, err)
	}
	return nil
}

// Module is the NILM expansion module of one meter. Samples and Step
// belong to the goroutine that drives the meter; the objects it exposes
// and its read methods are safe from any goroutine.
type Module struct {
	cfg    Config
	m      *meter.Meter
	log    *slog.Logger
	active *nilmcore.Active

	tap tap // the sample path

	mu       sync.Mutex // guards everything below
	tracker  *nilmcore.Tracker
	events   []Event // newest last, at most LogCapacity
	names    []string
	ids      map[string]uint16
	lib      Library
	transfer *firmware.Transfer
	buffer   *cosem.ProfileGeneric
	pusher   *pusher // nil without a push destination
}

// New builds the module over meter m. The library it starts with must
// verify against the key.
func New(m *meter.Meter, cfg Config) (*Module, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	mod := &Module{cfg: cfg, m: m, log: cfg.Logger.With("module", "nilm"), active: nilmcore.NewActive(cfg.PublicKey),
		tracker: nilmcore.NewTracker(), ids: map[string]uint16{}}
	var err error
	if mod.buffer, err = cosem.NewProfileGeneric(EventLogLN, logColumns, 0, uint32(cfg.LogCapacity)); err != nil {
		return nil, err
	}
	if mod.transfer, err = firmware.NewTransfer(libraryBlockSize, libraryMaxSize); err != nil {
		return nil, err
	}
	if cfg.Library != nil {
		if err := mod.install(cfg.Library); err != nil {
			return nil, fmt.Errorf("nilm module: library: %w", err)
		}
	}
	if err := mod.restoreLibrary(); err != nil {
		return nil, err
	}
	if cfg.Push.Destination.Address != "" {
		h := fnv.New64a()
		h.Write([]byte(m.Serial()))
		mod.pusher = newPusher(cfg.Push, cfg.Pusher, h.Sum64())
	}
	mod.tap.init(mod)
	return mod, nil
}

// restoreLibrary takes the library a remote update left in LibraryFile
// when it is newer than the configured one.
func (mod *Module) restoreLibrary() error {
	if mod.cfg.LibraryFile == "" {
		return nil
	}
	b, err := os.ReadFile(mod.cfg.LibraryFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("nilm module: %w", err)
	}
	err = mod.install(b)
	switch {
	case err == nil:
		mod.log.Info("feature library restored", "file", mod.cfg.LibraryFile, "version", mod.lib.Version)
	case errors.Is(err, nilmcore.ErrStale):
		mod.log.Info("kept library not newer than the configured one", "file", mod.cfg.LibraryFile)
	default:
		mod.log.Warn("kept library refused", "file", mod.cfg.LibraryFile, "err", err)
	}
	return nil
}

// Event is one appliance switching the module recognised, as its log
// holds it.
type Event struct {
	At        time.Time // true time of the first steady cycle after the step
	Sample    int64     // the frame at At, counted from Config.Start
	Phase     int       // 1…3
	Appliance uint16    // position in the appliance table; 0 when unknown
	Label     string    // the library's label, or "unknown"
	On        bool
	DeltaW    float64 // active power step, after − before, W
	// Distance is the Mahalanobis distance to the nearest prototype
	// (+Inf without a library); Confidence the share of that
	// prototype's events further out (nilm.Result.Confidence: 1 at its
	// centre, 0.001 at the unknown threshold, 0 without a library).
	Distance, Confidence float64
}

// Events returns the events still in the log, oldest first.
func (mod *Module) Events() []Event {
	mod.mu.Lock()
	defer mod.mu.Unlock()
	return append([]Event(nil), mod.events...)
}

// Appliance is one appliance of the table: its state and the energy the
// module attributed to it since the start.
type Appliance struct {
	ID       uint16
	Label    string
	On       bool
	PowerW   float64 // while on
	EnergyWh float64
	Switches int
}

// Appliances returns every appliance the libraries have named, in id
// order, with its state and energy at the meter's last step.
func (mod *Module) Appliances() []Appliance {
	atS := mod.seconds(mod.m.TrueNow())
	mod.mu.Lock()
	defer mod.mu.Unlock()
	out := make([]Appliance, len(mod.names))
	for k, name := range mod.names {
		out[k] = Appliance{ID: uint16(k + 1), Label: name}
	}
	for _, u := range mod.tracker.Usage(atS) {
		if id := mod.ids[u.Label]; id > 0 {
			a := &out[id-1]
			a.On, a.PowerW, a.EnergyWh, a.Switches = u.On, u.PowerW, u.EnergyWh, u.Switches
		}
	}
	return out
}

// seconds is true time t in seconds since Config.Start.
func (mod *Module) seconds(t time.Time) float64 { return t.Sub(mod.cfg.Start).Seconds() }

// timeOf is the true time of frame k.
func (mod *Module) timeOf(k int64) time.Time {
	return mod.cfg.Start.Add(time.Duration(math.Round(float64(k) / mod.cfg.RateHz * 1e9)))
}

// Step sends the pushes due at true time trueNow and gives up those out
// of retries (recorded as push failures in the meter's log). The driver
// calls it after each meter step.
func (mod *Module) Step(trueNow time.Time) {
	if mod.pusher != nil {
		mod.pusher.step(mod.m, mod.m.MeterTime(trueNow))
	}
}

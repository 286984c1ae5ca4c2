package hestest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/cosem/cosemtest"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/apdu"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/hes/registry"
)

// ProfilePeriod is the load profile's capture period.
const ProfilePeriod = 15 * time.Minute

// Config describes one test meter. Zero fields take the defaults noted.
type Config struct {
	Serial string // required
	// EK, AK and KEK are the meter's keys (the demo keys when nil).
	EK, AK, KEK []byte
	// ClientTitle, when set, is the only client system title accepted.
	ClientTitle []byte
	// Now is the meter's true time (required).
	Now func() time.Time
	// ProfileStart is when the load profile's first row is captured; a row
	// follows every 15 minutes while Now passes it (row k holds import
	// ProfileImport(k) and export ProfileExport(k) Wh). Zero: Now() at
	// creation, rounded down to 15 minutes.
	ProfileStart time.Time
	// Rows is the profile's capacity (60 days when 0).
	Rows int
	// Firmware is the management core's firmware version ("amigo-mgmt
	// 1.0.0" when empty).
	Firmware string
	// MaxPDU is the server's max receive PDU size (1024 when 0).
	MaxPDU uint16
	// ImageBlockSize is image_block_size (256 when 0).
	ImageBlockSize uint32
}

// ProfileImport is the import energy of profile row k, in Wh.
func ProfileImport(k int) uint32 { return 1_000_000 + 250*uint32(k) + uint32(k%7)*3 }

// ProfileExport is the export energy of profile row k, in Wh.
func ProfileExport(k int) uint32 { return 5_000 + 2*uint32(k) }

// Meter is one in-process test meter.
type Meter struct {
	cfg    Config
	title  [8]byte
	server *dlms.Server
	keys   *cosem.MemKeys
	tree   *cosem.MemTree

	clock    *cosem.Clock
	profile  *cosem.ProfileGeneric
	events   *cosem.ProfileGeneric
	imp, exp *cosem.Register
	disc     *disconnect
	image    *imageTransfer
	credit   *credit
	push     *attrs
	limiter  *attrs
	calendar *attrs

	mu       sync.Mutex
	captured int // profile rows captured so far
}

// NewMeter builds a meter; it serves connections handed to ServeConn, or
// listens once Listen is called.
func NewMeter(cfg Config) (*Meter, error) {
	if cfg.Serial == "" || cfg.Now == nil {
		return nil, errors.New("hestest: a meter needs a serial and Now")
	}
	if cfg.EK == nil {
		cfg.EK, cfg.AK, cfg.KEK = cosemtest.DemoEncryptionKey, cosemtest.DemoAuthenticationKey, cosemtest.DemoMasterKey
	}
	if cfg.ProfileStart.IsZero() {
		cfg.ProfileStart = cfg.Now().UTC().Truncate(ProfilePeriod)
	}
	if cfg.Rows == 0 {
		cfg.Rows = 60 * 96
	}
	if cfg.Firmware == "" {
		cfg.Firmware = "amigo-mgmt 1.0.0"
	}
	if cfg.MaxPDU == 0 {
		cfg.MaxPDU = 1024
	}
	if cfg.ImageBlockSize == 0 {
		cfg.ImageBlockSize = 256
	}
	m := &Meter{cfg: cfg, title: registry.DefaultSystemTitle(cfg.Serial)}
	m.keys = cosem.NewMemKeys(map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: cfg.EK, cosem.KeyAuthentication: cfg.AK, cosem.KeyMaster: cfg.KEK})
	if err := m.buildTree(); err != nil {
		return nil, err
	}
	clients := map[uint16]dlms.ClientPolicy{
		registry.ClientManagement: {Mechanism: apdu.MechanismHighGMAC, Keys: m.keys, SystemTitle: cfg.ClientTitle},
		registry.ClientPublic:     {Mechanism: apdu.MechanismLowest},
		registry.ClientReader:     {Mechanism: apdu.MechanismLow, Password: cosemtest.DemoPassword},
	}
	var err error
	m.server, err = dlms.NewServer(dlms.ServerConfig{Listen: "127.0.0.1:0", Tree: m.tree, Clients: clients,
		SystemTitle: m.title[:], MaxPDU: cfg.MaxPDU})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (m *Meter) buildTree() error {
	g := cosemtest.NewGrants()
	t := cosem.NewMemTree()
	var errs []error
	add := func(o cosem.Object, grants cosem.Grants) { errs = append(errs, t.Add(o, grants)) }
	data := func(name cosem.OBIS, v axdr.Value) {
		d, err := cosem.NewData(name, v)
		errs = append(errs, err)
		if err == nil {
			add(d, g.Public(cosem.ClassData))
		}
	}
	data(cosemtest.LogicalDeviceName, axdr.OctetString([]byte("AMG"+m.cfg.Serial)))
	data(cosemtest.SerialNumber, axdr.VisibleString(m.cfg.Serial))
	m.clock = cosem.NewClock(cosemtest.Clock, m.cfg.Now, time.UTC)
	add(m.clock, g.Public(cosem.ClassClock))
	// The last invocation counter the server accepted from the management
	// client: what a client that lost its own counter reads (publicly).
	add(cosem.NewDataFunc(cosemtest.InvocationCounter, func(_ context.Context, dst []byte) ([]byte, error) {
		return axdr.AppendUint32(dst, m.server.InvocationCounter(registry.ClientManagement)), nil
	}), g.Public(cosem.ClassData))
	var err error
	m.imp, err = cosem.NewRegister(cosemtest.EnergyImport, axdr.Uint32(ProfileImport(0)), cosem.ScalerUnit{Unit: cosem.UnitWh})
	errs = append(errs, err)
	m.exp, _ = cosem.NewRegister(cosemtest.EnergyExport, axdr.Uint32(ProfileExport(0)), cosem.ScalerUnit{Unit: cosem.UnitWh})
	if err == nil {
		add(m.imp, g.Metered(cosem.ClassRegister))
		add(m.exp, g.Metered(cosem.ClassRegister))
	}
	m.profile, err = cosem.NewProfileGeneric(Clock15Profile, []cosem.CaptureObject{cosem.ClockTime,
		{Class: cosem.ClassRegister, Name: cosemtest.EnergyImport, Attribute: 2},
		{Class: cosem.ClassRegister, Name: cosemtest.EnergyExport, Attribute: 2}}, uint32(ProfilePeriod/time.Second), uint32(m.cfg.Rows))
	errs = append(errs, err)
	if err == nil {
		add(lazyProfile{m.profile, m}, g.Metered(cosem.ClassProfileGeneric))
	}
	m.events, err = cosem.NewProfileGeneric(EventLog, []cosem.CaptureObject{cosem.ClockTime,
		{Class: cosem.ClassData, Name: EventCode, Attribute: 2}}, 0, 100)
	errs = append(errs, err)
	if err == nil {
		add(m.events, g.Metered(cosem.ClassProfileGeneric))
	}
	m.disc = &disconnect{connected: true}
	m.disc.onChange = func(connected bool) {
		code := uint16(EventDisconnected)
		if connected {
			code = EventReconnected
		}
		m.RecordEvent(code)
	}
	add(m.disc, g.Metered(cosem.ClassDisconnectControl))
	m.limiter = newAttrs(cosem.ClassLimiter, 0, Limiter, map[int8][]byte{3: axdr.AppendInt32(nil, 0), 4: axdr.AppendInt32(nil, 0)})
	add(m.limiter, g.Metered(cosem.ClassLimiter))
	m.push = newAttrs(cosem.ClassPushSetup, 0, PushSetup, map[int8][]byte{2: axdr.AppendArray(nil, 0),
		3: axdr.AppendEnum(axdr.AppendOctetString(axdr.AppendEnum(axdr.AppendStructure(nil, 3), 0), nil), 0)})
	add(m.push, g.Metered(cosem.ClassPushSetup))
	m.calendar = newAttrs(cosem.ClassActivityCalendar, 0, ActivityCalendar, map[int8][]byte{6: axdr.AppendOctetString(nil, nil)})
	m.calendar.methods[1] = func([]axdr.Value) error {
		m.calendar.mu.Lock()
		defer m.calendar.mu.Unlock()
		for a := int8(6); a <= 9; a++ {
			if v, ok := m.calendar.values[a]; ok {
				m.calendar.values[a-4] = v
			}
		}
		return nil
	}
	add(m.calendar, g.Metered(cosem.ClassActivityCalendar))
	add(cosem.NewSecuritySetup(cosemtest.SecuritySetup, cosem.PolicyAuthenticatedEncrypted, 0, m.cfg.ClientTitle, m.title[:], m.keys),
		cosem.Grants{registry.ClientManagement: g.Authenticated(cosem.ClassSecuritySetup)})
	m.image = &imageTransfer{blockSize: m.cfg.ImageBlockSize, version: m.cfg.Firmware}
	add(m.image, g.Metered(cosem.ClassImageTransfer))
	add(cosem.NewDataFunc(FirmwareVersion, func(_ context.Context, dst []byte) ([]byte, error) {
		return axdr.AppendOctetString(dst, []byte(m.image.Version())), nil
	}), g.Public(cosem.ClassData))
	m.credit = &credit{}
	add(m.credit, g.Metered(cosem.ClassCredit))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("hestest: meter %s: %w", m.cfg.Serial, err)
	}
	m.tree = t
	return nil
}

package cosemtest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Client SAPs of ARCHITECTURE §4.
const (
	Public     uint16 = 16 // no security; reads the clock, names and association view
	Reader     uint16 = 32 // LLS; reads everything but the security setup
	Management uint16 = 1  // HLS-GMAC; reads, writes and invokes everything
)

// Logical names of the tree's objects.
var (
	LogicalDeviceName = cosem.OBIS{0, 0, 42, 0, 0, 255}
	SerialNumber      = cosem.OBIS{0, 0, 96, 1, 0, 255}
	Clock             = cosem.OBIS{0, 0, 1, 0, 0, 255}
	EnergyImport      = cosem.OBIS{1, 0, 1, 8, 0, 255}
	EnergyExport      = cosem.OBIS{1, 0, 2, 8, 0, 255}
	VoltageL1         = cosem.OBIS{1, 0, 32, 7, 0, 255}
	CurrentL1         = cosem.OBIS{1, 0, 31, 7, 0, 255}
	Frequency         = cosem.OBIS{1, 0, 14, 7, 0, 255}
	LoadProfile       = cosem.OBIS{1, 0, 99, 1, 0, 255}
	SecuritySetup     = cosem.OBIS{0, 0, 43, 0, 0, 255}
	InvocationCounter = cosem.OBIS{0, 0, 43, 1, 0, 255}
	// Buffer is a manufacturer-specific Data object (C = 128) holding an
	// octet-string, for block-transfer tests of SET.
	Buffer = cosem.OBIS{0, 0, 128, 0, 0, 255}
)

// Values the tree starts with, for tests to check against.
const (
	LogicalDeviceNameValue = "AMG0000000000001"
	SerialNumberValue      = "00000001"
	EnergyImportWh         = 12345
	EnergyExportWh         = 678
	VoltageL1Raw           = 2301 // × 10^-1 V
	CurrentL1Raw           = 523  // × 10^-2 A
	FrequencyRaw           = 5000 // × 10^-2 Hz
	BufferSize             = 100  // bytes the buffer starts with
)

// ProfileStart is the time of the load profile's first row; rows follow
// every 15 minutes. Row i (0-based) holds import 1000+10·i Wh and export
// 2·i Wh.
var ProfileStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// ProfilePeriod is the load profile's capture period.
const ProfilePeriod = 15 * time.Minute

// Options configure the tree.
type Options struct {
	// Now is the clock's time source; it is required.
	Now func() time.Time
	// Rows is the number of load profile rows (300 when 0).
	Rows int
	// Keys back the security setup (management client).
	Keys cosem.KeyStore
	// ClientTitle and ServerTitle are the system titles the security
	// setup shows.
	ClientTitle, ServerTitle []byte
	// InvocationCounter reads the value of 0.0.43.1.0.255: the last
	// invocation counter the server accepted from the management client.
	// The object reads 0 when nil.
	InvocationCounter func(ctx context.Context) (uint32, error)
}

// Tree is the test tree, with its objects exposed so tests can change them.
type Tree struct {
	*cosem.MemTree
	Clock    *cosem.Clock
	Energy   *cosem.Register
	Profile  *cosem.ProfileGeneric
	Buffer   *cosem.Data
	Security *cosem.SecuritySetup
}

// New builds the tree.
func New(opt Options) (*Tree, error) {
	if opt.Now == nil {
		return nil, fmt.Errorf("cosemtest: Options.Now is required")
	}
	if opt.Rows == 0 {
		opt.Rows = 300
	}
	if opt.Keys == nil {
		opt.Keys = cosem.NewMemKeys(nil)
	}
	t := &Tree{MemTree: cosem.NewMemTree()}
	g := NewGrants()
	var errs []error
	add := func(o cosem.Object, err error, grants cosem.Grants) {
		if err == nil {
			err = t.Add(o, grants)
		}
		errs = append(errs, err)
	}
	var err error

	ldn, err := cosem.NewData(LogicalDeviceName, axdr.OctetString([]byte(LogicalDeviceNameValue)))
	add(ldn, err, g.Public(cosem.ClassData))
	serial, err := cosem.NewData(SerialNumber, axdr.VisibleString(SerialNumberValue))
	add(serial, err, g.Public(cosem.ClassData))
	t.Clock = cosem.NewClock(Clock, opt.Now, time.UTC)
	add(t.Clock, nil, g.Public(cosem.ClassClock))
	add(cosem.NewDataFunc(InvocationCounter, func(ctx context.Context, dst []byte) ([]byte, error) {
		var ic uint32
		if opt.InvocationCounter != nil {
			var err error
			if ic, err = opt.InvocationCounter(ctx); err != nil {
				return dst, fmt.Errorf("%w: %v", cosem.ErrTemporaryFailure, err)
			}
		}
		return axdr.AppendUint32(dst, ic), nil
	}), nil, g.Public(cosem.ClassData))

	for _, r := range []struct {
		name  cosem.OBIS
		value axdr.Value
		su    cosem.ScalerUnit
	}{
		{EnergyImport, axdr.Uint32(EnergyImportWh), cosem.ScalerUnit{Unit: cosem.UnitWh}},
		{EnergyExport, axdr.Uint32(EnergyExportWh), cosem.ScalerUnit{Unit: cosem.UnitWh}},
		{VoltageL1, axdr.Uint16(VoltageL1Raw), cosem.ScalerUnit{Scaler: -1, Unit: cosem.UnitVolt}},
		{CurrentL1, axdr.Uint16(CurrentL1Raw), cosem.ScalerUnit{Scaler: -2, Unit: cosem.UnitAmpere}},
		{Frequency, axdr.Uint16(FrequencyRaw), cosem.ScalerUnit{Scaler: -2, Unit: cosem.UnitHertz}},
	} {
		reg, err := cosem.NewRegister(r.name, r.value, r.su)
		add(reg, err, g.Metered(cosem.ClassRegister))
		if r.name == EnergyImport {
			t.Energy = reg
		}
	}

	t.Profile, err = newProfile(opt.Rows)
	add(t.Profile, err, g.Metered(cosem.ClassProfileGeneric))
	t.Buffer, err = cosem.NewData(Buffer, axdr.OctetString(pattern(BufferSize)))
	add(t.Buffer, err, g.Metered(cosem.ClassData))
	t.Security = cosem.NewSecuritySetup(SecuritySetup, cosem.PolicyAuthenticatedEncrypted, 0, opt.ClientTitle, opt.ServerTitle, opt.Keys)
	add(t.Security, nil, cosem.Grants{Management: g.Authenticated(cosem.ClassSecuritySetup)})
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("cosemtest: %w", err)
	}
	return t, nil
}

// newProfile builds the load profile: clock time, import and export energy.
func newProfile(rows int) (*cosem.ProfileGeneric, error) {
	p, err := cosem.NewProfileGeneric(LoadProfile, []cosem.CaptureObject{
		cosem.ClockTime,
		{Class: cosem.ClassRegister, Name: EnergyImport, Attribute: 2},
		{Class: cosem.ClassRegister, Name: EnergyExport, Attribute: 2},
	}, uint32(ProfilePeriod/time.Second), uint32(rows))
	if err != nil {
		return nil, err
	}
	for i := range rows {
		at := ProfileStart.Add(time.Duration(i) * ProfilePeriod)
		if err := p.Capture(axdr.OctetString(axdr.FromTime(at).Append(nil)), axdr.Uint32(ProfileImport(i)), axdr.Uint32(ProfileExport(i))); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// ProfileImport is the import energy of profile row i, in Wh.
func ProfileImport(i int) uint32 { return 1000 + 10*uint32(i) }

// ProfileExport is the export energy of profile row i, in Wh.
func ProfileExport(i int) uint32 { return 2 * uint32(i) }

// pattern returns n bytes counting up from 0.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// RangeSelector selects the load profile rows captured from from to to,
// inclusive (range_descriptor on the clock's time, every column).
func RangeSelector(from, to time.Time) *cosem.Selector {
	return cosem.RangeDescriptor{Restricting: cosem.ClockTime,
		From: axdr.OctetString(axdr.FromTime(from).Append(nil)), To: axdr.OctetString(axdr.FromTime(to).Append(nil))}.Selector()
}

// EntrySelector selects profile entries from…to (1-based, to 0 = the
// last), every column.
func EntrySelector(from, to uint32) *cosem.Selector {
	return cosem.EntryDescriptor{FromEntry: from, ToEntry: to}.Selector()
}

// Demo security material of ARCHITECTURE §4, the Green Book's example
// values: for tests, benchmarks and demos, never for a deployment.
var (
	DemoEncryptionKey     = []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F}
	DemoAuthenticationKey = []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF}
	DemoClientTitle       = []byte{0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x01} // "MMM" 0000000001
	DemoServerTitle       = []byte{0x41, 0x4D, 0x47, 0x00, 0x00, 0x00, 0x00, 0x01} // "AMG" and serial 00000001
	DemoPassword          = []byte("00000000")
	// DemoMasterKey is the master key (KEK) that wraps keys in key_transfer.
	DemoMasterKey = []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F}
)

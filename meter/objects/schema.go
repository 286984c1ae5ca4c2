package objects

import (
	"fmt"
	"slices"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/energy"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/metrology"
)

// Logical names of the tree's objects not named elsewhere (ARCHITECTURE
// §4; the meter package names the energy registers and profiles).
var (
	LogicalDeviceNameLN  = [6]byte{0, 0, 42, 0, 0, 255}
	SerialNumberLN       = [6]byte{0, 0, 96, 1, 0, 255}
	SecuritySetupLN      = [6]byte{0, 0, 43, 0, 0, 255}
	InvocationCounterLN  = [6]byte{0, 0, 43, 1, 0, 255}
	ImageTransferLN      = [6]byte{0, 0, 44, 0, 0, 255}
	ActivityCalendarLN   = [6]byte{0, 0, 13, 0, 0, 255}
	SpecialDaysLN        = [6]byte{0, 0, 11, 0, 0, 255}
	BillingScheduleLN    = [6]byte{0, 0, 15, 0, 0, 255}
	PushScheduleLN       = [6]byte{0, 0, 15, 0, 4, 255}
	DisconnectLN         = [6]byte{0, 0, 96, 3, 10, 255}
	LimiterLN            = [6]byte{0, 0, 17, 0, 0, 255}
	BillingCounterLN     = [6]byte{0, 0, 0, 1, 0, 255}
	ActiveTariffLN       = [6]byte{0, 0, 96, 14, 0, 255}
	MonthImportLN        = [6]byte{1, 0, 1, 9, 0, 255} // +A in the current billing period (tiers)
	MetrologyFirmwareLN  = [6]byte{1, 0, 0, 2, 0, 255}
	MetrologyChecksumLN  = [6]byte{1, 0, 0, 2, 8, 255}
	ManagementFirmwareLN = [6]byte{1, 1, 0, 2, 0, 255}
	ManagementChecksumLN = [6]byte{1, 1, 0, 2, 8, 255}
	DemandImportLN       = [6]byte{1, 0, 1, 4, 0, 255}
	DemandExportLN       = [6]byte{1, 0, 2, 4, 0, 255}
)

// PushSetupLN is the logical name of push setup i (0.0.25.9.i.255).
func PushSetupLN(i int) [6]byte { return [6]byte{0, 0, 25, 9, byte(i), 255} }

// Access is which clients see an object. The management client sees
// every object, reads all of it and writes and invokes what the object
// lets change, in authenticated requests.
type Access uint8

// Access levels.
const (
	Metered        Access = iota // the reader client reads it too
	PublicRead                   // the reader and the public client read it too
	ManagementOnly               // only the management client sees it
)

// builder collects descriptors, sharing one *Rights per class, level and
// writable set.
type builder struct {
	s      *Schema
	rights map[string]*cosem.Rights
	err    error
}

func (b *builder) add(name [6]byte, h handler, a Access) {
	if b.err != nil {
		return
	}
	if _, dup := b.s.index[name]; dup {
		b.err = fmt.Errorf("objects: %v added twice", cosem.OBIS(name))
		return
	}
	class := cosem.ClassSecuritySetup
	var w, m []int8
	if h != nil {
		class, _ = h.class()
		w, m = handlerRights(h)
	} else {
		m = []int8{1, 2} // the security setup: cosem.SecuritySetup's own methods
	}
	b.s.index[name] = len(b.s.objs)
	b.s.objs = append(b.s.objs, descriptor{name: name, h: h, rights: b.grants(class, w, m, a)})
}

// handlerRights returns the attributes a handler lets the management
// client write and the methods it lets it invoke.
func handlerRights(h handler) (writable, methods []int8) {
	if s, ok := h.(setter); ok {
		writable = s.writable()
	}
	if a, ok := h.(actor); ok {
		methods = a.methods()
	}
	return writable, methods
}

// grants returns each client's rights on an object of class at level a
// whose writable attributes and methods are w and m.
func (b *builder) grants(class cosem.ClassID, w, m []int8, a Access) map[uint16]*cosem.Rights {
	g := map[uint16]*cosem.Rights{Management: b.managementRights(class, w, m)}
	if a != ManagementOnly {
		g[Reader] = b.readRights(class)
	}
	if a == PublicRead {
		g[Public] = b.readRights(class)
	}
	return g
}

// shape returns the number of attributes and methods of class.
func shape(class cosem.ClassID) (nattr, nmeth int) {
	if c := cosem.LookupClass(class); c != nil {
		return len(c.Attributes), len(c.Methods)
	}
	if class == ClassTokenGateway {
		return 6, 1
	}
	return 2, 0
}

func (b *builder) memo(key string, mk func() *cosem.Rights) *cosem.Rights {
	if r := b.rights[key]; r != nil {
		return r
	}
	r := mk()
	b.rights[key] = r
	return r
}

// readRights: every attribute readable, with the selectors the class
// offers; no method.
func (b *builder) readRights(class cosem.ClassID) *cosem.Rights {
	return b.memo(fmt.Sprint("read/", class), func() *cosem.Rights {
		if c := cosem.LookupClass(class); c != nil {
			return cosem.ReadOnly(c)
		}
		n, _ := shape(class)
		r := &cosem.Rights{Attributes: make([]cosem.AttributeRight, n)}
		for i := range r.Attributes {
			r.Attributes[i].Access = cosem.Read
		}
		return r
	})
}

// managementRights: every attribute readable in authenticated requests,
// the writable ones w writable too, and the methods m.
func (b *builder) managementRights(class cosem.ClassID, w, m []int8) *cosem.Rights {
	return b.memo(fmt.Sprint("mgmt/", class, w, m), func() *cosem.Rights {
		nattr, nmeth := shape(class)
		r := &cosem.Rights{Attributes: make([]cosem.AttributeRight, nattr), Methods: make([]cosem.MethodAccess, nmeth)}
		if c := cosem.LookupClass(class); c != nil {
			for i, a := range c.Attributes {
				r.Attributes[i].Selectors = a.Selectors
			}
		}
		for i := range r.Attributes {
			r.Attributes[i].Access = cosem.AuthRead
			if slices.Contains(w, int8(i+1)) {
				r.Attributes[i].Access = cosem.AuthReadWrite
			}
		}
		for i := range r.Methods {
			if slices.Contains(m, int8(i+1)) {
				r.Methods[i] = cosem.MethodAuthAccess
			}
		}
		return r
	})
}

// NewSchema builds the object list for meters configured like cfg (what
// matters: whether the 1-minute profile, a payment account and push setups
// exist).
func NewSchema(cfg meter.Config) (*Schema, error) {
	b := &builder{s: &Schema{index: map[cosem.OBIS]int{}}, rights: map[string]*cosem.Rights{}}

	b.add(LogicalDeviceNameLN, data{func(t *Tree, dst []byte) []byte {
		return axdr.AppendOctetString(dst, []byte(LogicalDeviceName(t.m.Serial())))
	}}, PublicRead)
	b.add(SerialNumberLN, data{func(t *Tree, dst []byte) []byte { return axdr.AppendVisibleString(dst, t.m.Serial()) }}, PublicRead)
	b.add(meter.ClockLN, clockObject{}, PublicRead)
	b.add(InvocationCounterLN, data{func(t *Tree, dst []byte) []byte {
		var ic uint32
		if t.cfg.InvocationCounter != nil {
			ic = t.cfg.InvocationCounter()
		}
		return axdr.AppendUint32(dst, ic)
	}}, PublicRead)
	b.add(SecuritySetupLN, nil, ManagementOnly)

	// Energy registers.
	for _, q := range []energy.Quantity{energy.ActiveImport, energy.ActiveExport} {
		for t := range energy.MaxTariffs + 1 {
			b.add(meter.EnergyLN(q, t), energyRegister(q, t), Metered)
		}
	}
	b.add(meter.ReactiveImportLN, reactiveRegister(false), Metered)
	b.add(meter.ReactiveExportLN, reactiveRegister(true), Metered)
	for q := energy.ReactiveQI; q < energy.NumQuantities; q++ {
		b.add(meter.EnergyLN(q, 0), energyRegister(q, 0), Metered)
	}
	b.add(MonthImportLN, register{su: cosem.ScalerUnit{Unit: cosem.UnitWh}, value: func(t *Tree, dst []byte) []byte {
		wh, _ := t.m.MonthImport()
		return axdr.AppendUint64(dst, wh)
	}}, Metered)

	// Demand and maximum demand.
	b.add(DemandImportLN, demand{false}, Metered)
	b.add(DemandExportLN, demand{true}, Metered)
	for _, export := range []bool{false, true} {
		for t := range energy.MaxTariffs + 1 {
			b.add(meter.MaxDemandLN(export, t), maxDemand{export, t}, Metered)
		}
	}

	addInstantaneous(b)

	// Profiles and logs.
	b.add(meter.LoadProfile15, profileObject{which: meter.LP15}, Metered)
	if cfg.LoadProfile1.Capacity >= 0 {
		b.add(meter.LoadProfile1, profileObject{which: meter.LP1}, Metered)
	}
	b.add(meter.DailyProfile, profileObject{which: meter.Daily}, Metered)
	b.add(meter.MonthlyProfile, profileObject{which: meter.Monthly}, Metered)
	b.add(meter.Status15LN, data{statusValue}, Metered)
	if cfg.LoadProfile1.Capacity >= 0 {
		b.add(meter.Status1LN, data{statusValue}, Metered)
	}
	for l := range eventlog.NumLogs {
		b.add(l.Profile(), profileObject{log: l, isLog: true}, Metered)
		b.add(l.CodeObject(), data{func(t *Tree, dst []byte) []byte { return axdr.AppendUint16(dst, uint16(t.m.LastEvent(l))) }}, Metered)
	}

	// Tariffs and billing.
	b.add(ActivityCalendarLN, activity{}, Metered)
	b.add(SpecialDaysLN, specialDays{}, Metered)
	b.add(ActiveTariffLN, data{func(t *Tree, dst []byte) []byte { return axdr.AppendUint8(dst, uint8(t.m.Tariff())) }}, Metered)
	b.add(BillingScheduleLN, billingSchedule{schedule{push: -1}}, Metered)
	b.add(BillingCounterLN, data{func(t *Tree, dst []byte) []byte { return axdr.AppendUint32(dst, t.m.BillingPeriods()) }}, Metered)
	b.add(meter.BillingScripts, scriptTable{meter.BillingScripts, []uint16{1}}, Metered)
	b.add(meter.TariffScripts, scriptTable{meter.TariffScripts, []uint16{1, 2, 3, 4}}, Metered)
	b.add(meter.DisconnectScripts, scriptTable{meter.DisconnectScripts, []uint16{1, 2}}, Metered)

	// Supply.
	b.add(DisconnectLN, disconnect{}, Metered)
	b.add(LimiterLN, limiter{}, Metered)

	// Push.
	if len(cfg.Push) > 0 {
		sels := make([]uint16, len(cfg.Push))
		for i := range sels {
			sels[i] = uint16(i + 1)
		}
		b.add(meter.PushScripts, scriptTable{meter.PushScripts, sels}, Metered)
	}
	scheduled := false
	for i, p := range cfg.Push {
		name := p.Setup.Name
		if name == ([6]byte{}) {
			name = PushSetupLN(i)
		}
		b.add(name, pushSetup{i}, Metered)
		if p.Schedule != nil && !scheduled {
			b.add(PushScheduleLN, schedule{push: i}, Metered)
			scheduled = true
		}
	}

	// Payment.
	if cfg.Prepay != nil {
		b.add(AccountLN, accountObject{}, Metered)
		b.add(TokenCreditLN, credit{}, Metered)
		b.add(EmergencyCreditLN, emergencyCredit{credit{emergency: true}}, Metered)
		b.add(ConsumptionChargeLN, charge{}, Metered)
		b.add(StandingChargeLN, charge{standing: true}, Metered)
		b.add(TokenGatewayLN, tokenGateway{}, Metered)
	}

	// Firmware: the image transfer and both cores' identification.
	b.add(ImageTransferLN, imageTransfer{}, Metered)
	b.add(MetrologyFirmwareLN, data{func(t *Tree, dst []byte) []byte {
		return axdr.AppendVisibleString(dst, t.m.MetrologyIdentity().SoftwareID)
	}}, PublicRead)
	b.add(MetrologyChecksumLN, data{func(t *Tree, dst []byte) []byte {
		sum := t.m.MetrologyIdentity().Checksum
		return axdr.AppendOctetString(dst, sum[:])
	}}, PublicRead)
	b.add(ManagementFirmwareLN, data{func(t *Tree, dst []byte) []byte {
		return axdr.AppendVisibleString(dst, t.m.Firmware().Active.Version)
	}}, PublicRead)
	b.add(ManagementChecksumLN, data{func(t *Tree, dst []byte) []byte {
		h := t.m.Firmware().Active.Hash
		return axdr.AppendOctetString(dst, h[:])
	}}, PublicRead)
	return b.s, b.err
}

// statusValue is the AMR profile status: the clock's state now (what the
// next entry will show besides pending events).
func statusValue(t *Tree, dst []byte) []byte {
	_, s := t.m.Clock()
	var v uint8
	if s&axdr.StatusDaylightSaving != 0 {
		v |= meter.StatusDST
	}
	if s&axdr.StatusInvalid != 0 {
		v |= meter.StatusClockInvalid
	}
	return axdr.AppendUint8(dst, v)
}

// addInstantaneous adds the instantaneous values the metrology core
// reports: per phase voltage, current, active power and power factor, and
// totals of power and frequency.
func addInstantaneous(b *builder) {
	phase := func(f func(metrology.PhasePower) float64, p int) func(*Tree) float64 {
		return func(t *Tree) float64 { return f(t.m.Instant().Phases[p]) }
	}
	for p := range 3 {
		c := byte(20 * p) // L1, L2, L3: C + 0, 20, 40
		b.add([6]byte{1, 0, 32 + c, 7, 0, 255}, instant(cosem.UnitVolt, -1, true, phase(func(x metrology.PhasePower) float64 { return x.U }, p)), Metered)
		b.add([6]byte{1, 0, 31 + c, 7, 0, 255}, instant(cosem.UnitAmpere, -3, false, phase(func(x metrology.PhasePower) float64 { return x.I }, p)), Metered)
		b.add([6]byte{1, 0, 21 + c, 7, 0, 255}, instant(cosem.UnitWatt, 0, false, phase(func(x metrology.PhasePower) float64 { return max(x.P, 0) }, p)), Metered)
		b.add([6]byte{1, 0, 33 + c, 7, 0, 255}, instant(cosem.UnitCount, -3, false, phase(powerFactor, p)), Metered)
	}
	total := func(f func(p, q, s float64) float64) func(*Tree) float64 {
		return func(t *Tree) float64 { return f(t.m.Instant().Total()) }
	}
	b.add(ActivePowerLN, instant(cosem.UnitWatt, 0, false, total(func(p, _, _ float64) float64 { return max(p, 0) })), Metered)
	b.add([6]byte{1, 0, 2, 7, 0, 255}, instant(cosem.UnitWatt, 0, false, total(func(p, _, _ float64) float64 { return max(-p, 0) })), Metered)
	b.add([6]byte{1, 0, 3, 7, 0, 255}, instant(cosem.UnitVar, 0, false, total(func(_, q, _ float64) float64 { return max(q, 0) })), Metered)
	b.add([6]byte{1, 0, 4, 7, 0, 255}, instant(cosem.UnitVar, 0, false, total(func(_, q, _ float64) float64 { return max(-q, 0) })), Metered)
	b.add([6]byte{1, 0, 9, 7, 0, 255}, instant(cosem.UnitVA, 0, false, total(func(_, _, s float64) float64 { return s })), Metered)
	b.add([6]byte{1, 0, 13, 7, 0, 255}, instant(cosem.UnitCount, -3, false, total(func(p, _, s float64) float64 {
		if s == 0 {
			return 1
		}
		return p / s
	})), Metered)
	b.add([6]byte{1, 0, 14, 7, 0, 255}, instant(cosem.UnitHertz, -2, true, func(t *Tree) float64 { return t.m.Instant().Frequency }), Metered)
}

func powerFactor(x metrology.PhasePower) float64 {
	if x.S == 0 {
		return 1
	}
	return x.P / x.S
}

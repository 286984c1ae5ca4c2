package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/calendar"
	"github.com/amigo-ami/amigo/meter/eventlog"
	"github.com/amigo-ami/amigo/meter/prepay"
	"github.com/amigo-ami/amigo/meter/push"
	"github.com/amigo-ami/amigo/meter/supply"
	"github.com/amigo-ami/amigo/meter/tariff"
)

// Demo values of ARCHITECTURE §4 (Green Book example keys).
var (
	demoEncryptionKey     = []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F}
	demoAuthenticationKey = []byte{0xD0, 0xD1, 0xD2, 0xD3, 0xD4, 0xD5, 0xD6, 0xD7, 0xD8, 0xD9, 0xDA, 0xDB, 0xDC, 0xDD, 0xDE, 0xDF}
	demoClientTitle       = []byte{0x4D, 0x4D, 0x4D, 0x00, 0x00, 0x00, 0x00, 0x01}
	demoPassword          = []byte("00000000")
	// demoMasterKey is not in ARCHITECTURE §4: it is the key-encrypting
	// key of RFC 3394's test vectors (§4.1), which the fleet simulator and
	// the head-end's test meters use as their demo master key too.
	demoMasterKey = []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F}
)

func (c *converter) convert(d *document) (File, error) {
	f := File{Listen: d.Listen, HDLC: d.HDLC}
	m := &f.Meter
	m.Serial = d.Serial
	if d.Serial == "" {
		return f, c.errorf("serial", "required")
	}
	if d.Start != "" {
		t, err := time.Parse(time.RFC3339, d.Start)
		if err != nil {
			return f, c.errorf("start", "want RFC 3339 (2024-01-01T00:00:00Z): %v", err)
		}
		m.Start = t
	}
	if err := c.security(d, &f.Security); err != nil {
		return f, err
	}
	m.Firmware.PublicKey = f.Security.FirmwareKey
	m.Firmware.BlockSize, m.Firmware.MaxSize = d.Firmware.BlockSize, d.Firmware.MaxSize

	cl := d.Clock
	m.Clock.TimeZone, m.Clock.DSTEnabled, m.Clock.DSTDeviation, m.Clock.DriftPPM = cl.TimeZone, cl.DST, cl.DSTDeviation, cl.DriftPPM
	if cl.DST {
		if m.Clock.DSTDeviation == 0 {
			m.Clock.DSTDeviation = 60
		}
		var err error
		if m.Clock.DSTBegin, err = parseDateTime(cl.DSTBegin); err != nil {
			return f, c.errorf("clock.dst_begin", "%v", err)
		}
		if m.Clock.DSTEnd, err = parseDateTime(cl.DSTEnd); err != nil {
			return f, c.errorf("clock.dst_end", "%v", err)
		}
	}
	if err := m.Clock.Validate(); err != nil {
		return f, c.errorf("clock", "%v", err)
	}
	if err := c.tariff(d, m); err != nil {
		return f, err
	}

	m.DemandPeriod, m.DemandPeriods = time.Duration(d.Demand.Period), d.Demand.Periods
	p := d.Profiles
	m.LoadProfile15 = meter.ProfileConfig{Period: time.Duration(p.Load15.Period), Capacity: p.Load15.Capacity}
	m.LoadProfile1 = meter.ProfileConfig{Period: time.Duration(p.Load1.Period), Capacity: p.Load1.Capacity}
	m.DailyProfile.Capacity, m.MonthlyProfile.Capacity = p.Daily, p.Monthly
	for i := range m.EventCapacity {
		m.EventCapacity[i] = p.Events
	}
	if p.Events < 0 {
		return f, c.errorf("profiles.events", "capacity %d", p.Events)
	}

	if err := c.prepay(d, m); err != nil {
		return f, err
	}
	if d.Disconnect.Mode > 6 {
		return f, c.errorf("disconnect.mode", "control mode %d: want 0…6", d.Disconnect.Mode)
	}
	m.DisconnectMode = supply.Mode(d.Disconnect.Mode)
	l := d.Limiter
	m.Limiter = supply.LimiterConfig{Normal: l.Normal, Emergency: l.Emergency, MinOver: time.Duration(l.MinOver), MinUnder: time.Duration(l.MinUnder)}

	for i := range d.Push {
		pc, err := c.push(i, &d.Push[i])
		if err != nil {
			return f, err
		}
		m.Push = append(m.Push, pc)
	}
	q := d.Quality
	m.Quality = meter.QualityConfig{NominalVoltage: q.NominalVoltage, Sag: q.Sag, Swell: q.Swell, ReverseW: q.ReverseW,
		SelfCheck: q.SelfCheck, MaxTerminalC: q.MaxTerminalC, Grace: time.Duration(q.Grace)}
	var err error
	f.NILM, err = c.nilm(&d.Modules.NILM)
	return f, err
}

func (c *converter) security(d *document, s *Security) error {
	sec := d.Security
	s.EncryptionKey, s.AuthenticationKey, s.ClientTitle, s.MasterKey = sec.EncryptionKey, sec.AuthenticationKey, sec.ClientTitle, sec.MasterKey
	s.Password = []byte(sec.Password)
	if s.MasterKey == nil {
		s.MasterKey = demoMasterKey
	}
	if s.EncryptionKey == nil {
		s.EncryptionKey = demoEncryptionKey
	}
	if s.AuthenticationKey == nil {
		s.AuthenticationKey = demoAuthenticationKey
	}
	if s.ClientTitle == nil {
		s.ClientTitle = demoClientTitle
	}
	if sec.Password == "" {
		s.Password = demoPassword
	}
	if len(s.EncryptionKey) != dlms.KeySize {
		return c.errorf("security.encryption_key", "%d bytes, want %d", len(s.EncryptionKey), dlms.KeySize)
	}
	if len(s.AuthenticationKey) != dlms.KeySize {
		return c.errorf("security.authentication_key", "%d bytes, want %d", len(s.AuthenticationKey), dlms.KeySize)
	}
	if len(s.MasterKey) != dlms.KeySize {
		return c.errorf("security.master_key", "%d bytes, want %d", len(s.MasterKey), dlms.KeySize)
	}
	if len(s.ClientTitle) != dlms.SystemTitleSize {
		return c.errorf("security.client_system_title", "%d bytes, want %d", len(s.ClientTitle), dlms.SystemTitleSize)
	}
	if k := d.Firmware.PublicKey; k != nil {
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), k)
		if err != nil {
			return c.errorf("firmware.public_key", "want an uncompressed P-256 point (65 bytes, 04…): %v", err)
		}
		s.FirmwareKey = pub
	}
	return nil
}

func (c *converter) tariff(d *document, m *meter.Config) error {
	t := d.Tariff
	cal := &m.Calendar.Active
	cal.Name = t.Name
	if cal.Name == "" {
		cal.Name = "default"
	}
	for i, s := range t.Seasons {
		key := fmt.Sprintf("tariff.season[%d]", i)
		start, err := parseDateTime(s.Start + " 00:00")
		if strings.Contains(s.Start, ":") {
			start, err = parseDateTime(s.Start)
		}
		if err != nil {
			return c.errorf(key+".start", "%v", err)
		}
		cal.Seasons = append(cal.Seasons, calendar.Season{Name: s.Name, Start: start, Week: s.Week})
	}
	for i, w := range t.Weeks {
		if len(w.Days) != 7 {
			return c.errorf(fmt.Sprintf("tariff.week[%d].days", i), "%d day ids, want 7 (Monday first)", len(w.Days))
		}
		cal.Weeks = append(cal.Weeks, calendar.Week{Name: w.Name, Days: [7]uint8(w.Days)})
	}
	for i, dy := range t.Days {
		day := calendar.Day{ID: dy.ID}
		for j, a := range dy.Actions {
			key := fmt.Sprintf("tariff.day[%d].actions", i)
			tm, err := parseTime(a.Start)
			if err != nil {
				return c.errorf(key, "action %d: %v", j+1, err)
			}
			if a.Tariff < 1 || a.Tariff > 4 {
				return c.errorf(key, "action %d: tariff %d: want 1…4", j+1, a.Tariff)
			}
			day.Actions = append(day.Actions, calendar.Action{Start: tm, Script: calendar.Script{Table: meter.TariffScripts, Selector: a.Tariff}})
		}
		cal.Days = append(cal.Days, day)
	}
	if err := cal.Validate(); err != nil {
		return c.errorf("tariff", "%v", err)
	}
	for i, s := range t.SpecialDay {
		dt, err := parseDate(s.Date)
		if err != nil {
			return c.errorf(fmt.Sprintf("tariff.special_day[%d].date", i), "%v", err)
		}
		m.Special = append(m.Special, calendar.SpecialDay{Index: s.Index, Date: dt, DayID: s.Day})
	}
	if len(t.Prices) > 4 {
		return c.errorf("tariff.prices", "%d prices for 4 tariffs", len(t.Prices))
	}
	for i, p := range t.Prices {
		v, err := tariff.PerKWh(p)
		if err != nil || v < 0 {
			return c.errorf("tariff.prices", "price %d: %v", i+1, p)
		}
		m.Pricing.TOU[i] = v
	}
	for i, tr := range t.Tiers {
		key := fmt.Sprintf("tariff.tier[%d]", i)
		price, err := tariff.PerKWh(tr.Price)
		if err != nil {
			return c.errorf(key+".price", "%v", err)
		}
		last := i == len(t.Tiers)-1
		upTo := uint64(math.Round(tr.UpToKWh * 1000))
		switch {
		case tr.UpToKWh < 0:
			return c.errorf(key+".up_to_kwh", "negative")
		case last && upTo != 0:
			return c.errorf(key+".up_to_kwh", "the last tier has no upper bound")
		case !last && i > 0 && upTo <= m.Pricing.Ladder[i-1].UpTo:
			return c.errorf(key+".up_to_kwh", "%v kWh is not above the previous tier's bound", tr.UpToKWh)
		case !last && upTo == 0:
			return c.errorf(key, "every tier but the last needs up_to_kwh")
		}
		m.Pricing.Ladder = append(m.Pricing.Ladder, tariff.Tier{UpTo: upTo, Price: price})
	}
	if err := m.Pricing.Ladder.Validate(); err != nil {
		return c.errorf("tariff.tier", "%v", err)
	}
	if len(t.Billing) > 0 {
		s := &calendar.Schedule{Script: calendar.Script{Table: meter.BillingScripts, Selector: 1}, Type: 5}
		for i, b := range t.Billing {
			dt, err := parseDateTime(b)
			if err != nil {
				return c.errorf("tariff.billing", "time %d: %v", i+1, err)
			}
			s.Times = append(s.Times, calendar.ExecutionTime{Time: dt.Time, Date: dt.Date})
		}
		m.Billing = s
	}
	return nil
}

func (c *converter) prepay(d *document, m *meter.Config) error {
	p := d.Prepay
	if p == nil {
		return nil
	}
	pc := &prepay.Config{Currency: prepay.Currency{Name: p.Currency, Scale: p.Scale, Unit: 0}, EmergencyAuto: p.EmergencyAuto, TokenKey: p.TokenKey}
	switch p.Mode {
	case "prepayment", "":
		pc.Mode = prepay.PrepaymentMode
	case "credit":
		pc.Mode = prepay.CreditMode
	default:
		return c.errorf("prepay.mode", "%q: want prepayment or credit", p.Mode)
	}
	for _, a := range []struct {
		key string
		v   float64
		dst *tariff.Money
	}{{"low_credit", p.LowCredit, &pc.LowCredit}, {"emergency", p.Emergency, &pc.Emergency},
		{"emergency_threshold", p.EmergencyThreshold, &pc.EmergencyThreshold}, {"standing_per_day", p.StandingPerDay, &pc.StandingPerDay}} {
		v, err := tariff.FromUnits(a.v)
		if err != nil || v < 0 {
			return c.errorf("prepay."+a.key, "%v", a.v)
		}
		*a.dst = v
	}
	if err := pc.Validate(); err != nil {
		return c.errorf("prepay", "%v", err)
	}
	m.Prepay = pc
	return nil
}

func (c *converter) push(i int, p *pushDoc) (meter.PushConfig, error) {
	key := fmt.Sprintf("push[%d]", i)
	var pc meter.PushConfig
	s := &pc.Setup
	if p.Name != "" {
		o, err := cosem.ParseOBIS(p.Name)
		if err != nil {
			return pc, c.errorf(key+".name", "%v", err)
		}
		s.Name = o
	}
	s.Destination = push.Destination{Address: p.Destination}
	switch p.Transport {
	case "", "tcp":
	case "udp":
		s.Destination.Transport = push.UDP
	default:
		return pc, c.errorf(key+".transport", "%q: want tcp or udp", p.Transport)
	}
	for j, o := range p.Objects {
		obj, err := parseObject(o)
		if err != nil {
			return pc, c.errorf(key+".objects", "object %d: %v", j+1, err)
		}
		s.Objects = append(s.Objects, obj)
	}
	for j, w := range p.Windows {
		from, to, ok := strings.Cut(w, "/")
		start, err1 := parseDateTime(from)
		end, err2 := parseDateTime(to)
		if !ok || err1 != nil || err2 != nil {
			return pc, c.errorf(key+".windows", "window %d %q: want \"START / END\" date-time patterns", j+1, w)
		}
		s.Windows = append(s.Windows, push.Window{Start: start, End: end})
	}
	s.Randomisation, s.Retries, s.RepetitionDelay = time.Duration(p.Randomisation), p.Retries, time.Duration(p.RepetitionDelay)
	if len(p.Schedule) > 0 {
		sch := &calendar.Schedule{Script: calendar.Script{Table: meter.PushScripts, Selector: uint16(i + 1)}, Type: 5}
		for j, t := range p.Schedule {
			dt, err := parseDateTime(t)
			if err != nil {
				return pc, c.errorf(key+".schedule", "time %d: %v", j+1, err)
			}
			sch.Times = append(sch.Times, calendar.ExecutionTime{Time: dt.Time, Date: dt.Date})
		}
		pc.Schedule = sch
	}
	for j, e := range p.OnEvents {
		if !eventlog.Code(e).Known() {
			return pc, c.errorf(key+".on_events", "event %d: code %d is not an event the meter records", j+1, e)
		}
		pc.OnEvents = append(pc.OnEvents, eventlog.Code(e))
	}
	pc.LastGasp = p.LastGasp
	return pc, nil
}

// parseObject reads "CLASS/OBIS/ATTRIBUTE", e.g. "3/1.0.1.8.0.255/2".
func parseObject(s string) (push.Object, error) {
	f := strings.Split(s, "/")
	if len(f) != 3 {
		return push.Object{}, fmt.Errorf("%q: want CLASS/OBIS/ATTRIBUTE", s)
	}
	class, err1 := strconv.ParseUint(f[0], 10, 16)
	attr, err2 := strconv.ParseInt(f[2], 10, 8)
	o, err3 := cosem.ParseOBIS(f[1])
	if err1 != nil || err2 != nil || err3 != nil || attr < 1 {
		return push.Object{}, fmt.Errorf("%q: want CLASS/OBIS/ATTRIBUTE", s)
	}
	return push.Object{Class: uint16(class), Name: o, Attr: int8(attr)}, nil
}

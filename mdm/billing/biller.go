package billing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/amigo-ami/amigo/mdm/tariff"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
)

// ErrNoTariff: the meter has no tariff to bill it by.
var ErrNoTariff = errors.New("billing: meter has no tariff")

// Readings is what the biller reads from the readings store: TOU
// registers by Scan (their channels name the periods), the energy
// register's profile by ScanSamples into a buffer kept between bills.
type Readings interface {
	Scan(ctx context.Context, q store.ScanQuery, dst []store.Reading) ([]store.Reading, error)
	ScanSamples(ctx context.Context, q store.ScanQuery, dst []store.Sample) ([]store.Sample, error)
}

// Records is what the biller reads and writes in store/meta.
type Records interface {
	Meter(ctx context.Context, id store.MeterID) (meta.Meter, error)
	Tariff(ctx context.Context, id int64) (meta.Tariff, error)
	Bills(ctx context.Context, meter store.MeterID, from, to time.Time) ([]meta.Bill, error)
	CreateBills(ctx context.Context, bills []meta.Bill) ([]int64, error)
}

// Config configures a Biller.
type Config struct {
	Readings Readings
	Records  Records
	// Channel is the energy register billed; store.ActiveImport if zero.
	Channel store.Channel
	// Interval is the register's nominal recording interval: longer
	// intervals span lost readings and count as estimated. 15 min if zero.
	Interval time.Duration
	// Status of the bills created: meta.BillDraft if empty.
	Status meta.BillStatus
	Logger *slog.Logger // nil discards
}

// Biller bills meters from the readings store and keeps the bills in
// store/meta, one version per change: billing a cycle again after its
// data changed (estimates replaced, edits) creates a new bill that
// supersedes the old one, which is kept. It is safe for concurrent use.
type Biller struct {
	cfg     Config
	log     *slog.Logger
	mu      sync.Mutex
	tariffs map[int64]cachedTariff
	lines   map[timelineKey]*tariff.Timeline
	meters  sync.Pool // *meterScratch
}

type cachedTariff struct {
	updated  time.Time
	t        *tariff.Tariff
	currency string
}

type timelineKey struct {
	t    *tariff.Tariff
	from int64
}

type meterScratch struct {
	regs    []store.Reading
	samples []store.Sample
	iv      []Interval
	m       *Meter // for the tariff and timeline it was made for
}

// NewBiller returns a Biller; Readings and Records are required.
func NewBiller(cfg Config) (*Biller, error) {
	if cfg.Readings == nil || cfg.Records == nil {
		return nil, errors.New("billing: biller needs Readings and Records")
	}
	if cfg.Channel == (store.Channel{}) {
		cfg.Channel = store.ActiveImport
	}
	if cfg.Interval == 0 {
		cfg.Interval = 15 * time.Minute
	}
	if cfg.Status == "" {
		cfg.Status = meta.BillDraft
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Biller{cfg: cfg, log: cfg.Logger, tariffs: make(map[int64]cachedTariff), lines: make(map[timelineKey]*tariff.Timeline)}, nil
}

// Outcome says what Run did.
type Outcome uint8

// Outcomes of Run.
const (
	Created   Outcome = iota + 1 // the cycle's first bill
	Rebilled                     // a new version superseding the previous one
	Unchanged                    // the stored bill already says the same
)

func (o Outcome) String() string {
	switch o {
	case Created:
		return "created"
	case Rebilled:
		return "rebilled"
	case Unchanged:
		return "unchanged"
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// Result is what Run computed and stored.
type Result struct {
	Bill    Bill
	Stored  meta.Bill // the current version in store/meta
	Version int       // 1 for the first bill of the cycle, 2 for its first re-bill, …
	Outcome Outcome
	Err     error // RunMany: why the meter was not billed
}

// Run bills meter for the cycle of its tariff that holds at.
func (b *Biller) Run(ctx context.Context, meter store.MeterID, at time.Time) (Result, error) {
	res, err := b.RunMany(ctx, []store.MeterID{meter}, at)
	if err != nil {
		return Result{}, err
	}
	return res[0], res[0].Err
}

// RunMany bills each of meters as Run does, on GOMAXPROCS goroutines, and
// stores the new bills and re-bills in one transaction (meta CreateBills):
// a billing run over a fleet syncs the metadata store once a batch rather
// than once a bill. It returns a result per meter, in order; a meter that
// cannot be billed (no tariff, incomplete data) has the reason in its
// Result.Err and does not stop the others. The error returned is why the
// batch was not stored (then none of it was), or a meter listed twice.
func (b *Biller) RunMany(ctx context.Context, meters []store.MeterID, at time.Time) ([]Result, error) {
	if len(meters) > 1 {
		sorted := slices.Clone(meters)
		slices.Sort(sorted)
		for i := 1; i < len(sorted); i++ {
			if sorted[i] == sorted[i-1] {
				return nil, fmt.Errorf("billing: meter %d listed twice", sorted[i])
			}
		}
	}
	results := make([]Result, len(meters))
	records := make([]meta.Bill, len(meters))
	// Meters bill independently: on every core.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(meters)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(meters) && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				var err error
				if records[i], err = b.bill(ctx, meters[i], at, &results[i]); err != nil {
					results[i].Err = err
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var created []meta.Bill
	var slots []int // index in results of each created bill
	for i := range results {
		if results[i].Err == nil && results[i].Outcome != Unchanged {
			created = append(created, records[i])
			slots = append(slots, i)
		}
	}
	if len(created) == 0 {
		return results, nil
	}
	ids, err := b.cfg.Records.CreateBills(ctx, created)
	if err != nil {
		return nil, fmt.Errorf("billing: storing %d bills: %w", len(created), err)
	}
	for j, i := range slots {
		res := &results[i]
		res.Stored = created[j]
		res.Stored.ID = ids[j]
		b.log.Info("bill", "meter", res.Bill.Meter, "from", res.Bill.From, "total", res.Bill.Total.Format(2), "outcome", res.Outcome.String(), "version", res.Version)
	}
	return results, nil
}

// bill computes meter's bill for the cycle holding at into res and
// decides its outcome against the stored versions; unless Unchanged, it
// returns the record to create.
func (b *Biller) bill(ctx context.Context, meter store.MeterID, at time.Time, res *Result) (meta.Bill, error) {
	m, err := b.cfg.Records.Meter(ctx, meter)
	if err != nil {
		return meta.Bill{}, fmt.Errorf("billing meter %d: %w", meter, err)
	}
	if m.TariffID == 0 {
		return meta.Bill{}, fmt.Errorf("billing meter %s: %w", m.Serial, ErrNoTariff)
	}
	ct, err := b.tariff(ctx, m.TariffID)
	if err != nil {
		return meta.Bill{}, fmt.Errorf("billing meter %s: %w", m.Serial, err)
	}
	from, to := ct.t.Cycle(at)
	bill, err := b.Compute(ctx, ct.t, meter, from, to)
	if err != nil {
		return meta.Bill{}, fmt.Errorf("billing meter %s: %w", m.Serial, err)
	}
	bill.Currency = ct.currency
	mb, err := b.decide(ctx, bill, res)
	if err != nil {
		return meta.Bill{}, fmt.Errorf("billing meter %s: %w", m.Serial, err)
	}
	return mb, nil
}

// Compute bills meter for [from, to) under t from the readings store,
// without storing anything: from its time-of-use registers when the tariff
// names them (MeasureRegisters), else from the energy register's interval
// data (Intervals, Meter.Measure).
func (b *Biller) Compute(ctx context.Context, t *tariff.Tariff, meter store.MeterID, from, to time.Time) (Bill, error) {
	s, _ := b.meters.Get().(*meterScratch)
	if s == nil {
		s = &meterScratch{}
	}
	defer b.meters.Put(s)
	f, e := from.UnixMilli(), to.UnixMilli()
	r := store.Range{From: f, To: e + 1}
	var d Determinants
	if regs := t.Registers(); len(regs) > 0 {
		s.regs = s.regs[:0]
		for _, reg := range regs {
			var err error
			if s.regs, err = b.cfg.Readings.Scan(ctx, store.ScanQuery{Meter: meter, Channel: reg.Channel, Range: r}, s.regs); err != nil {
				return Bill{}, err
			}
		}
		var err error
		if d, err = MeasureRegisters(t, from, to, s.regs, s.regs); err != nil {
			return Bill{}, err
		}
	} else {
		var err error
		if s.samples, err = b.cfg.Readings.ScanSamples(ctx, store.ScanQuery{Meter: meter, Channel: b.cfg.Channel, Range: r}, s.samples[:0]); err != nil {
			return Bill{}, err
		}
		if s.iv, err = Intervals(s.samples, f, e, b.cfg.Interval.Milliseconds(), s.iv[:0]); err != nil {
			return Bill{}, fmt.Errorf("meter %d %s: %w", meter, b.cfg.Channel, err)
		}
		if tl := b.timeline(t, f, e); s.m == nil || s.m.t != t || s.m.tl != tl {
			s.m = NewMeter(t, tl)
		}
		d = s.m.Measure(from, to, s.iv)
	}
	bill := Bill{Meter: meter, From: from, To: to, Digits: t.MinorDigits(), Determinants: d, Lines: Price(t, d, nil)}
	bill.Total = Total(bill.Lines)
	return bill, nil
}

func (b *Biller) tariff(ctx context.Context, id int64) (cachedTariff, error) {
	mt, err := b.cfg.Records.Tariff(ctx, id)
	if err != nil {
		return cachedTariff{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if c, ok := b.tariffs[id]; ok && c.updated.Equal(mt.UpdatedAt) {
		return c, nil
	}
	t, err := tariff.Parse(mt.Definition)
	if err != nil {
		return cachedTariff{}, fmt.Errorf("tariff %d (%s): %w", id, mt.Name, err)
	}
	c := cachedTariff{updated: mt.UpdatedAt, t: t, currency: mt.Currency}
	b.tariffs[id] = c
	return c, nil
}

// timeline returns t's timeline of [from, to), computed once per cycle.
func (b *Biller) timeline(t *tariff.Tariff, from, to int64) *tariff.Timeline {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := timelineKey{t, from}
	if tl, ok := b.lines[k]; ok && tl.End == to {
		return tl
	}
	if len(b.lines) > 64 { // a billing run touches a few cycles; forget old ones
		clear(b.lines)
	}
	tl := t.Timeline(from, to)
	b.lines[k] = &tl
	return &tl
}

// decide fills res for bill: Unchanged when the current version of its
// cycle says the same, else the record to create (the cycle's first bill,
// or a re-bill superseding the current version).
func (b *Biller) decide(ctx context.Context, bill Bill, res *Result) (meta.Bill, error) {
	mb := bill.Meta(b.cfg.Status)
	existing, err := b.cfg.Records.Bills(ctx, bill.Meter, bill.From, bill.From.Add(time.Millisecond))
	if err != nil {
		return meta.Bill{}, err
	}
	var current *meta.Bill
	version := 0
	for i := range existing {
		e := &existing[i]
		if !e.From.Equal(bill.From) || !e.To.Equal(bill.To) {
			continue
		}
		version++
		if e.Status != meta.BillSuperseded {
			current = e
		}
	}
	*res = Result{Bill: bill, Version: version + 1, Outcome: Created}
	if current != nil {
		if current.Total == mb.Total && current.Currency == mb.Currency && slices.Equal(current.Lines, mb.Lines) {
			*res = Result{Bill: bill, Stored: *current, Version: version, Outcome: Unchanged}
			return meta.Bill{}, nil
		}
		mb.Supersedes, res.Outcome = current.ID, Rebilled
	}
	return mb, nil
}

// Meta converts b to the record store/meta keeps. store/meta counts unit
// prices in millionths per unit of quantity, so an energy or demand price
// (per kWh, per kW) is stored per Wh or W rounded to the millionth; the
// description names the exact price and any estimated quantity, and the
// amount is exact.
func (b *Bill) Meta(status meta.BillStatus) meta.Bill {
	mb := meta.Bill{Meter: b.Meter, From: b.From, To: b.To, Currency: b.Currency, Total: int64(b.Total), Status: status}
	for _, l := range b.Lines {
		unitPrice := int64(l.Price)
		if l.PriceUnit == "kWh" || l.PriceUnit == "kW" {
			unitPrice = int64(tariff.Cost(1, l.Price, 1000, 6))
		}
		desc := fmt.Sprintf("%s (%s/%s", l.Description, l.Price.Decimal(), l.PriceUnit)
		if l.EstimatedQuantity != 0 {
			desc += fmt.Sprintf(", %d %s estimated", l.EstimatedQuantity, l.Unit)
		}
		mb.Lines = append(mb.Lines, meta.BillLine{Description: desc + ")", Quantity: l.Quantity, Unit: l.Unit, UnitPrice: unitPrice, Amount: int64(l.Amount)})
	}
	return mb
}

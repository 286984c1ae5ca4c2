package meta

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// Meter is an installed meter.
type Meter struct {
	ID            store.MeterID // assigned by CreateMeter; never reused
	Serial        string        // unique, required
	Address       string        // how the head-end reaches it: "host:port", an HDLC address
	KeysRef       string        // the key set (SetKey) the meter uses
	Group         string        // feeder, district or settlement group
	TariffID      int64         // 0: none
	Firmware      string
	AccuracyClass string // installed class: "0.2S", "0.2", "0.5S", "0.5", "1", "2" or "" (unknown)
	InstalledAt   time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

var accuracyClasses = []string{"", "0.2S", "0.2", "0.5S", "0.5", "1", "2"}

func (m Meter) validate() error {
	switch {
	case m.Serial == "":
		return fmt.Errorf("meter: empty serial: %w", ErrInvalid)
	case !slices.Contains(accuracyClasses, m.AccuracyClass):
		return fmt.Errorf("meter %s: accuracy class %q not one of %q: %w", m.Serial, m.AccuracyClass, accuracyClasses[1:], ErrInvalid)
	}
	return nil
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// CreateMeter adds m and returns its id.
func (d *DB) CreateMeter(ctx context.Context, m Meter) (store.MeterID, error) {
	if err := m.validate(); err != nil {
		return 0, err
	}
	now := d.nowMs()
	var id int64
	err := d.db.QueryRowContext(ctx, `INSERT INTO meters (serial, address, keys_ref, group_name, tariff_id, firmware,
		accuracy_class, installed_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		m.Serial, m.Address, m.KeysRef, m.Group, nullID(m.TariffID), m.Firmware, m.AccuracyClass, timeMs(m.InstalledAt), now).Scan(&id)
	if err != nil {
		return 0, d.classify(err, "meter "+m.Serial)
	}
	return store.MeterID(id), nil
}

// UpdateMeter replaces the fields of meter m.ID.
func (d *DB) UpdateMeter(ctx context.Context, m Meter) error {
	if err := m.validate(); err != nil {
		return err
	}
	res, err := d.db.ExecContext(ctx, `UPDATE meters SET serial = $1, address = $2, keys_ref = $3, group_name = $4,
		tariff_id = $5, firmware = $6, accuracy_class = $7, installed_at = $8, updated_at = $9 WHERE id = $10`,
		m.Serial, m.Address, m.KeysRef, m.Group, nullID(m.TariffID), m.Firmware, m.AccuracyClass, timeMs(m.InstalledAt), d.nowMs(), int64(m.ID))
	return d.affected(res, err, fmt.Sprintf("meter %d", m.ID))
}

// affected classifies err and reports ErrNotFound when no row changed.
func (d *DB) affected(res sql.Result, err error, what string) error {
	if err != nil {
		return d.classify(err, what)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

const meterColumns = `id, serial, address, keys_ref, group_name, tariff_id, firmware, accuracy_class, installed_at, created_at, updated_at`

func scanMeter(row interface{ Scan(...any) error }) (Meter, error) {
	var m Meter
	var id int64
	var tariff sql.NullInt64
	var installed, created, updated int64
	err := row.Scan(&id, &m.Serial, &m.Address, &m.KeysRef, &m.Group, &tariff, &m.Firmware, &m.AccuracyClass, &installed, &created, &updated)
	m.ID, m.TariffID = store.MeterID(id), tariff.Int64
	m.InstalledAt, m.CreatedAt, m.UpdatedAt = msTime(installed), msTime(created), msTime(updated)
	return m, err
}

// Meter returns meter id.
func (d *DB) Meter(ctx context.Context, id store.MeterID) (Meter, error) {
	m, err := scanMeter(d.db.QueryRowContext(ctx, `SELECT `+meterColumns+` FROM meters WHERE id = $1`, int64(id)))
	return m, d.classify(err, fmt.Sprintf("meter %d", id))
}

// MeterBySerial returns the meter with serial.
func (d *DB) MeterBySerial(ctx context.Context, serial string) (Meter, error) {
	m, err := scanMeter(d.db.QueryRowContext(ctx, `SELECT `+meterColumns+` FROM meters WHERE serial = $1`, serial))
	return m, d.classify(err, "meter "+serial)
}

// MeterFilter selects meters; zero fields select everything.
type MeterFilter struct {
	Group   string
	AfterID store.MeterID // page on: meters with larger ids
	Limit   int           // 0: no limit
}

// Meters returns the meters f selects, by id.
func (d *DB) Meters(ctx context.Context, f MeterFilter) ([]Meter, error) {
	q := `SELECT ` + meterColumns + ` FROM meters WHERE id > $1 AND ($2 = '' OR group_name = $2) ORDER BY id`
	args := []any{int64(f.AfterID), f.Group}
	if f.Limit > 0 {
		q += ` LIMIT $3`
		args = append(args, f.Limit)
	}
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, d.classify(err, "meters")
	}
	defer rows.Close()
	var out []Meter
	for rows.Next() {
		m, err := scanMeter(rows)
		if err != nil {
			return nil, d.classify(err, "meters")
		}
		out = append(out, m)
	}
	return out, d.classify(rows.Err(), "meters")
}

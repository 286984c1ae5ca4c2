package meta

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Tariff is a named price plan. Its Definition (TOU calendar, tiers,
// standing and demand charges) is a JSON document the billing code owns.
type Tariff struct {
	ID         int64
	Name       string
	Currency   string // ISO 4217
	Definition json.RawMessage
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (t Tariff) validate() error {
	switch {
	case t.Name == "":
		return fmt.Errorf("tariff: empty name: %w", ErrInvalid)
	case len(t.Currency) != 3:
		return fmt.Errorf("tariff %s: currency %q is not an ISO 4217 code: %w", t.Name, t.Currency, ErrInvalid)
	case !json.Valid(t.Definition):
		return fmt.Errorf("tariff %s: definition is not JSON: %w", t.Name, ErrInvalid)
	}
	return nil
}

// CreateTariff adds t and returns its id.
func (d *DB) CreateTariff(ctx context.Context, t Tariff) (int64, error) {
	if err := t.validate(); err != nil {
		return 0, err
	}
	var id int64
	err := d.db.QueryRowContext(ctx, `INSERT INTO tariffs (name, currency, definition, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) RETURNING id`, t.Name, t.Currency, string(t.Definition), d.nowMs()).Scan(&id)
	return id, d.classify(err, "tariff "+t.Name)
}

// UpdateTariff replaces tariff t.ID.
func (d *DB) UpdateTariff(ctx context.Context, t Tariff) error {
	if err := t.validate(); err != nil {
		return err
	}
	res, err := d.db.ExecContext(ctx, `UPDATE tariffs SET name = $1, currency = $2, definition = $3, updated_at = $4 WHERE id = $5`,
		t.Name, t.Currency, string(t.Definition), d.nowMs(), t.ID)
	return d.affected(res, err, fmt.Sprintf("tariff %d", t.ID))
}

func scanTariff(row interface{ Scan(...any) error }) (Tariff, error) {
	var t Tariff
	var def string
	var created, updated int64
	err := row.Scan(&t.ID, &t.Name, &t.Currency, &def, &created, &updated)
	t.Definition, t.CreatedAt, t.UpdatedAt = json.RawMessage(def), msTime(created), msTime(updated)
	return t, err
}

// Tariff returns tariff id.
func (d *DB) Tariff(ctx context.Context, id int64) (Tariff, error) {
	t, err := scanTariff(d.db.QueryRowContext(ctx, `SELECT id, name, currency, definition, created_at, updated_at FROM tariffs WHERE id = $1`, id))
	return t, d.classify(err, fmt.Sprintf("tariff %d", id))
}

// Tariffs returns every tariff by name.
func (d *DB) Tariffs(ctx context.Context) ([]Tariff, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, name, currency, definition, created_at, updated_at FROM tariffs ORDER BY name`)
	if err != nil {
		return nil, d.classify(err, "tariffs")
	}
	defer rows.Close()
	var out []Tariff
	for rows.Next() {
		t, err := scanTariff(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, d.classify(rows.Err(), "tariffs")
}

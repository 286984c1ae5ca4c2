package meta

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// BillStatus is where a bill is in its life.
type BillStatus string

// Bill statuses.
const (
	BillDraft      BillStatus = "draft"
	BillIssued     BillStatus = "issued"
	BillSuperseded BillStatus = "superseded" // replaced by a re-bill
)

// Bill is one meter's bill for a period. Money is int64 millionths of the
// currency unit.
type Bill struct {
	ID         int64
	Meter      store.MeterID
	From, To   time.Time // billing period [From, To)
	Currency   string
	Total      int64 // Σ Lines.Amount
	Status     BillStatus
	Supersedes int64 // the bill this re-bill replaces; 0 if none
	Lines      []BillLine
	CreatedAt  time.Time
}

// BillLine is one determinant of a bill.
type BillLine struct {
	Description string // "energy T1 tier 2", "standing charge"
	Quantity    int64  // in Unit
	Unit        string // "Wh", "day", "W"
	UnitPrice   int64  // millionths of the currency per Unit
	Amount      int64  // millionths of the currency
}

func (b Bill) validate() error {
	var sum int64
	for _, l := range b.Lines {
		sum += l.Amount
	}
	switch {
	case b.Meter == 0:
		return fmt.Errorf("bill: no meter: %w", ErrInvalid)
	case !b.From.Before(b.To):
		return fmt.Errorf("bill meter %d: empty period %v…%v: %w", b.Meter, b.From, b.To, ErrInvalid)
	case sum != b.Total:
		return fmt.Errorf("bill meter %d: total %d is not the sum of its lines %d: %w", b.Meter, b.Total, sum, ErrInvalid)
	case b.Status != BillDraft && b.Status != BillIssued:
		return fmt.Errorf("bill meter %d: new bills are draft or issued, not %q: %w", b.Meter, b.Status, ErrInvalid)
	}
	return nil
}

// CreateBill stores b with its lines and returns its id. A re-bill (b
// with Supersedes set) marks the bill it replaces superseded in the same
// transaction.
func (d *DB) CreateBill(ctx context.Context, b Bill) (int64, error) {
	ids, err := d.CreateBills(ctx, []Bill{b})
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

// CreateBills stores bills as CreateBill stores each, all in one
// transaction, and returns their ids in order. Either every bill is stored
// or none is: the error names the first bill that failed (an invalid one,
// or a re-bill of a bill that is not live, as when two bills of the batch
// supersede the same one). One transaction is one sync to disk however
// many bills it holds, which is what a billing run over a fleet needs.
func (d *DB) CreateBills(ctx context.Context, bills []Bill) ([]int64, error) {
	for i, b := range bills {
		if err := b.validate(); err != nil {
			return nil, fmt.Errorf("bill %d of %d: %w", i+1, len(bills), err)
		}
	}
	ids := make([]int64, len(bills))
	failed := 0
	now := d.nowMs()
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var w billWriter
		defer w.close()
		if err := w.prepare(ctx, tx); err != nil {
			return err
		}
		for i, b := range bills {
			failed = i
			var err error
			if ids[i], err = w.create(ctx, d, b, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, d.classify(err, fmt.Sprintf("bill of meter %d", bills[failed].Meter))
	}
	return ids, nil
}

// billWriter holds the statements that store bills, prepared once per
// transaction.
type billWriter struct {
	bill, line, supersede *sql.Stmt
}

func (w *billWriter) prepare(ctx context.Context, tx *sql.Tx) error {
	var err error
	if w.bill, err = tx.PrepareContext(ctx, `INSERT INTO bills (meter_id, period_from, period_to, currency, total, status, supersedes, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`); err != nil {
		return err
	}
	if w.line, err = tx.PrepareContext(ctx, `INSERT INTO bill_lines (bill_id, line, description, quantity, unit, unit_price, amount)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`); err != nil {
		return err
	}
	w.supersede, err = tx.PrepareContext(ctx, `UPDATE bills SET status = $1 WHERE id = $2 AND meter_id = $3 AND status <> $1`)
	return err
}

func (w *billWriter) close() {
	for _, st := range []*sql.Stmt{w.bill, w.line, w.supersede} {
		if st != nil {
			st.Close() // the transaction's end closes it anyway
		}
	}
}

// create stores b and its lines, marks the bill it supersedes, and returns
// its id.
func (w *billWriter) create(ctx context.Context, d *DB, b Bill, now int64) (int64, error) {
	var id int64
	err := w.bill.QueryRowContext(ctx, int64(b.Meter), b.From.UnixMilli(), b.To.UnixMilli(), b.Currency, b.Total,
		string(b.Status), nullID(b.Supersedes), now).Scan(&id)
	if err != nil {
		return 0, err
	}
	for i, l := range b.Lines {
		if _, err := w.line.ExecContext(ctx, id, i, l.Description, l.Quantity, l.Unit, l.UnitPrice, l.Amount); err != nil {
			return 0, err
		}
	}
	if b.Supersedes != 0 {
		res, err := w.supersede.ExecContext(ctx, string(BillSuperseded), b.Supersedes, int64(b.Meter))
		if err := d.affected(res, err, fmt.Sprintf("superseded bill %d of meter %d", b.Supersedes, b.Meter)); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// Bill returns bill id with its lines.
func (d *DB) Bill(ctx context.Context, id int64) (Bill, error) {
	bills, err := d.bills(ctx, `WHERE id = $1`, id)
	if err == nil && len(bills) == 0 {
		err = sql.ErrNoRows
	}
	if err != nil {
		return Bill{}, d.classify(err, fmt.Sprintf("bill %d", id))
	}
	return bills[0], nil
}

// Bills returns the bills of meter whose period starts in [from, to), by
// period and id, with their lines.
func (d *DB) Bills(ctx context.Context, meter store.MeterID, from, to time.Time) ([]Bill, error) {
	bills, err := d.bills(ctx, `WHERE meter_id = $1 AND period_from >= $2 AND period_from < $3`, int64(meter), from.UnixMilli(), to.UnixMilli())
	return bills, d.classify(err, fmt.Sprintf("bills of meter %d", meter))
}

// bills returns the bills where selects, and their lines in a second
// query over the same selection rather than one query a bill.
func (d *DB) bills(ctx context.Context, where string, args ...any) ([]Bill, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, meter_id, period_from, period_to, currency, total, status, supersedes, created_at
		FROM bills `+where+` ORDER BY period_from, id`, args...)
	if err != nil {
		return nil, err
	}
	var out []Bill
	for rows.Next() {
		var b Bill
		var meter, from, to, created int64
		var status string
		var supersedes sql.NullInt64
		if err := rows.Scan(&b.ID, &meter, &from, &to, &b.Currency, &b.Total, &status, &supersedes, &created); err != nil {
			rows.Close()
			return nil, err
		}
		b.Meter, b.From, b.To, b.Status, b.Supersedes, b.CreatedAt = store.MeterID(meter), msTime(from), msTime(to), BillStatus(status), supersedes.Int64, msTime(created)
		out = append(out, b)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return out, nil
	}
	return out, d.billLines(ctx, out, where, args)
}

// billLines fills in the lines of bills, which where and args selected.
func (d *DB) billLines(ctx context.Context, bills []Bill, where string, args []any) error {
	index := make(map[int64]int, len(bills))
	for i, b := range bills {
		index[b.ID] = i
	}
	rows, err := d.db.QueryContext(ctx, `SELECT bill_id, description, quantity, unit, unit_price, amount FROM bill_lines
		WHERE bill_id IN (SELECT id FROM bills `+where+`) ORDER BY bill_id, line`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var l BillLine
		if err := rows.Scan(&id, &l.Description, &l.Quantity, &l.Unit, &l.UnitPrice, &l.Amount); err != nil {
			return err
		}
		// A bill the first query did not see (created in between) is not
		// in index.
		if i, ok := index[id]; ok {
			bills[i].Lines = append(bills[i].Lines, l)
		}
	}
	return rows.Err()
}

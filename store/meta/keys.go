package meta

import (
	"context"
	"database/sql"
	"fmt"
)

// Key kinds the head-end uses (DLMS security suite 0 and LLS).
const (
	KeyEncryption     = "guek"         // global unicast encryption key
	KeyAuthentication = "gak"          // authentication key
	KeyMaster         = "kek"          // master key, wraps key transfers
	KeyLLSPassword    = "lls-password" // low-level security password
)

// SetKey stores material as kind in key set ref, replacing what was there,
// and audits the change as actor (without the material).
func (d *DB) SetKey(ctx context.Context, actor, ref, kind string, material Secret) error {
	if ref == "" || kind == "" || material.Len() == 0 {
		return fmt.Errorf("key %q/%q: empty set, kind or material: %w", ref, kind, ErrInvalid)
	}
	now := d.nowMs()
	err := d.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO meter_keys (keys_ref, kind, material, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (keys_ref, kind) DO UPDATE SET material = excluded.material, updated_at = excluded.updated_at`,
			ref, kind, material.b, now); err != nil {
			return err
		}
		return insertAudit(ctx, tx, AuditEntry{At: msTime(now), Actor: actor, Action: "key.set", Target: ref + "/" + kind})
	})
	return d.classify(err, fmt.Sprintf("key %s/%s", ref, kind))
}

// Key returns the material of kind in key set ref.
func (d *DB) Key(ctx context.Context, ref, kind string) (Secret, error) {
	var b []byte
	err := d.db.QueryRowContext(ctx, `SELECT material FROM meter_keys WHERE keys_ref = $1 AND kind = $2`, ref, kind).Scan(&b)
	if err != nil {
		return Secret{}, d.classify(err, fmt.Sprintf("key %s/%s", ref, kind))
	}
	return Secret{b: b}, nil
}

// KeyKinds lists the kinds stored in key set ref, sorted.
func (d *DB) KeyKinds(ctx context.Context, ref string) ([]string, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT kind FROM meter_keys WHERE keys_ref = $1 ORDER BY kind`, ref)
	if err != nil {
		return nil, d.classify(err, "key set "+ref)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, d.classify(rows.Err(), "key set "+ref)
}

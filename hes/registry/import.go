package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/amigo-ami/amigo/store/meta"
)

// Result counts what an import did.
type Result struct {
	Created, Updated, KeySets int
}

// ImportFile reads path as CSV (.csv) or TOML (.toml) and imports it.
func ImportFile(ctx context.Context, db *meta.DB, actor, path string) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, err
	}
	defer f.Close()
	var entries []Entry
	var keys map[string]KeySet
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		entries, err = ParseCSV(path, f)
	case ".toml":
		entries, keys, err = ParseTOML(path, f)
	default:
		return Result{}, fmt.Errorf("%s: want a .csv or .toml file", path)
	}
	if err != nil {
		return Result{}, err
	}
	return Import(ctx, db, actor, entries, keys)
}

// Import writes key sets and meters into db as actor, after checking that
// every tariff named exists and every key set referred to exists in keys
// or in db. Nothing is written if a check fails; each failure is reported
// as "FILE:LINE: reason".
func Import(ctx context.Context, db *meta.DB, actor string, entries []Entry, keys map[string]KeySet) (Result, error) {
	var res Result
	tariffs, err := db.Tariffs(ctx)
	if err != nil {
		return res, err
	}
	tariffID := map[string]int64{}
	for _, t := range tariffs {
		tariffID[t.Name] = t.ID
	}
	var errs []error
	for _, e := range entries {
		if _, ok := tariffID[e.Tariff]; e.Tariff != "" && !ok {
			errs = append(errs, fmt.Errorf("%s: tariff %q does not exist", e.At("tariff"), e.Tariff))
		}
		if _, ok := keys[e.KeysRef]; e.KeysRef != "" && !ok {
			kinds, err := db.KeyKinds(ctx, e.KeysRef)
			if err != nil {
				return res, err
			}
			if len(kinds) == 0 {
				errs = append(errs, fmt.Errorf("%s: key set %q does not exist", e.At("keys"), e.KeysRef))
			}
		}
	}
	if len(errs) > 0 {
		return res, errors.Join(errs...)
	}
	for ref, ks := range keys {
		for _, k := range []struct {
			kind string
			b    []byte
		}{{meta.KeyEncryption, ks.EK}, {meta.KeyAuthentication, ks.AK}, {meta.KeyMaster, ks.KEK}, {meta.KeyLLSPassword, ks.Password}} {
			if k.b == nil {
				continue
			}
			if err := db.SetKey(ctx, actor, ref, k.kind, meta.NewSecret(k.b)); err != nil {
				return res, fmt.Errorf("%s: %w", ks.Where, err)
			}
		}
		res.KeySets++
	}
	for _, e := range entries {
		m := meta.Meter{Serial: e.Serial, Address: e.Address.String(), KeysRef: e.KeysRef, Group: e.Group,
			TariffID: tariffID[e.Tariff], Firmware: e.Firmware, AccuracyClass: e.AccuracyClass, InstalledAt: e.InstalledAt}
		old, err := db.MeterBySerial(ctx, e.Serial)
		switch {
		case errors.Is(err, meta.ErrNotFound):
			if _, err := db.CreateMeter(ctx, m); err != nil {
				return res, fmt.Errorf("%s: %w", e.Where, err)
			}
			res.Created++
		case err != nil:
			return res, fmt.Errorf("%s: %w", e.Where, err)
		default:
			m.ID = old.ID
			if m.InstalledAt.IsZero() {
				m.InstalledAt = old.InstalledAt
			}
			if err := db.UpdateMeter(ctx, m); err != nil {
				return res, fmt.Errorf("%s: %w", e.Where, err)
			}
			res.Updated++
		}
	}
	detail, _ := json.Marshal(res)
	_, err = db.Audit(ctx, meta.AuditEntry{Actor: actor, Action: "meters.import", Target: fmt.Sprintf("%d meters", len(entries)), Detail: detail})
	return res, err
}

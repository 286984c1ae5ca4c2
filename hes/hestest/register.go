package hestest

import (
	"context"
	"fmt"

	"github.com/amigo-ami/amigo/cosem/cosemtest"
	"github.com/amigo-ami/amigo/hes/registry"
	"github.com/amigo-ami/amigo/store/meta"
)

// DemoKeySet is the key set Register gives meters built with the demo keys.
const DemoKeySet = "demo"

// Register records meters in db, meter i at addrs[i], in group, with the
// demo key set (created if missing), as a head-end registry import would.
// Meters built with other keys get a key set named after their serial.
func Register(ctx context.Context, db *meta.DB, group string, meters []*Meter, addrs []string) error {
	if len(addrs) != len(meters) {
		return fmt.Errorf("hestest: %d meters, %d addresses", len(meters), len(addrs))
	}
	var entries []registry.Entry
	keys := map[string]registry.KeySet{DemoKeySet: {EK: cosemtest.DemoEncryptionKey, AK: cosemtest.DemoAuthenticationKey,
		KEK: cosemtest.DemoMasterKey, Password: cosemtest.DemoPassword}}
	for i, m := range meters {
		a, err := registry.ParseAddress(addrs[i])
		if err != nil {
			return err
		}
		if a.SystemTitle == ([8]byte{}) {
			a.SystemTitle = m.title
		}
		ref := DemoKeySet
		if string(m.cfg.EK) != string(cosemtest.DemoEncryptionKey) || string(m.cfg.AK) != string(cosemtest.DemoAuthenticationKey) {
			ref = "meter-" + m.cfg.Serial
			keys[ref] = registry.KeySet{EK: m.cfg.EK, AK: m.cfg.AK, KEK: m.cfg.KEK}
		}
		entries = append(entries, registry.Entry{Where: addrs[i], Serial: m.cfg.Serial, Address: a, KeysRef: ref, Group: group, Firmware: m.cfg.Firmware})
	}
	_, err := registry.Import(ctx, db, "hestest", entries, keys)
	return err
}

package demo

import (
	"crypto/rand"
	"fmt"
	"path/filepath"

	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/nilm"
	"github.com/amigo-ami/amigo/nilm/eval"
	"github.com/amigo-ami/amigo/nilm/plaid"
)

// nilmModule is the [modules.nilm] of the waveform homes: a signing key of
// the demo's own and, when the PLAID cut is in sharedData, a library
// trained on all of it — the homes play PLAID appliances, which a
// utility's library would know. Without PLAID the homes play built-in
// appliances and the module, with no library, logs each switch as an
// unknown appliance.
func nilmModule(sharedData string) (config.NILM, bool, error) {
	key, err := nilm.NewSigningKeyPair(rand.Reader)
	if err != nil {
		return config.NILM{}, false, err
	}
	mod := config.NILM{Enabled: true, PublicKey: &key.PublicKey}
	ds, err := plaid.Load(filepath.Join(sharedData, plaid.Subdir))
	if err != nil {
		return mod, false, nil
	}
	items, err := eval.Items(ds)
	if err != nil {
		return mod, false, fmt.Errorf("NILM library: %w", err)
	}
	for k := range items {
		// The cut gives appliance ids, not names (their names are not
		// published with it): say where the number comes from.
		items[k].Sample.Label = "PLAID #" + items[k].Sample.Label
	}
	c, err := eval.TrainAll(items, nilm.TrainConfig{Version: 1})
	if err != nil {
		return mod, false, fmt.Errorf("NILM library: %w", err)
	}
	if mod.Library, err = c.Sign(key, rand.Reader); err != nil {
		return mod, false, fmt.Errorf("NILM library: %w", err)
	}
	return mod, true, nil
}

package nilmtest

import (
	"crypto/ecdsa"
	"crypto/rand"
	"testing"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/nilm"
	"github.com/amigo-ami/amigo/nilm/appliance"
	"github.com/amigo-ami/amigo/nilm/eval"
	"github.com/amigo-ami/amigo/nilm/plaid"
)

// Kit is a split of the PLAID events: the training folds, and the
// held-out fold as appliances.
type Kit struct {
	Key *ecdsa.PrivateKey
	// Appliances are the held-out events drawing at least twice the
	// detector's default minimum step, re-timed to one 50 Hz cycle at
	// the rate; the label is PLAID's appliance id.
	Appliances []appliance.Appliance
	RateHz     float64
	train      []nilm.Sample
}

// Shared is New over the shared PLAID cut (internal/testenv): it skips t
// when the data is absent and fails it when the data does not load.
func Shared(t testing.TB, rateHz float64, fold int, seed uint64) *Kit {
	t.Helper()
	k, err := New(testenv.SharedDir(t, plaid.Subdir, plaid.Files[:]...), rateHz, fold, seed)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// New loads the PLAID cut from dir and holds out fold of a stratified
// 5-fold split drawn with seed.
func New(dir string, rateHz float64, fold int, seed uint64) (*Kit, error) {
	ds, err := plaid.Load(dir)
	if err != nil {
		return nil, err
	}
	items, err := eval.Items(ds)
	if err != nil {
		return nil, err
	}
	labels := make([]string, len(items))
	for i := range items {
		labels[i] = items[i].Sample.Label
	}
	folds := eval.StratifiedFolds(labels, 5, seed)
	key, err := nilm.NewSigningKeyPair(rand.Reader)
	if err != nil {
		return nil, err
	}
	k := &Kit{Key: key, RateHz: rateHz}
	const minStep = 3 // W, the detector's default
	for i := range items {
		if folds[i] != fold {
			k.train = append(k.train, items[i].Sample)
			continue
		}
		if items[i].Features.P < 2*minStep {
			continue
		}
		a, err := appliance.FromPLAID(&ds.Events[i], rateHz, 50)
		if err != nil {
			return nil, err
		}
		k.Appliances = append(k.Appliances, a)
	}
	return k, nil
}

// Library trains the tree on the training folds and signs it as version.
func (k *Kit) Library(version uint32) ([]byte, error) {
	c, err := nilm.Train(k.train, nilm.TrainConfig{Version: version})
	if err != nil {
		return nil, err
	}
	return c.Sign(k.Key, rand.Reader)
}

// Home plays the held-out appliances in households of perHome, one after
// another, each appliance switched on once and off once (appliance.Sequence:
// switches gap seconds apart after lead seconds of quiet, up to a tenth of
// a gap late), at 230 V with 0.1 V and 2 mA of noise. It returns the
// frames (u, i), the switches and the frame count.
func (k *Kit) Home(perHome int, lead, gap float64, seed uint64) ([]float64, []appliance.Switch, int64, error) {
	s := func(sec float64) int64 { return int64(sec * k.RateHz) }
	sw, n := appliance.Sequence(len(k.Appliances), perHome, s(lead), s(gap), s(gap/10), seed)
	h := appliance.Household{RateHz: k.RateHz, MainsHz: 50, Volts: 230, Appliances: k.Appliances, NoiseV: 0.1, NoiseA: 0.002, Seed: seed}
	frames, err := h.Frames(n, sw)
	return frames, sw, n, err
}

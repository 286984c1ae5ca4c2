package nilm_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/meter/module/nilm"
	"github.com/amigo-ami/amigo/nilm/appliance"
)

// score matches the events the module logged with the switches that made
// them: a switch is detected by the first event from a cycle before it to
// half a second after (the detector reports the first steady cycle of the
// new state, which is the cycle the switch fell in when the switch came
// so late in it that its power is already within the steady spread).
type score struct {
	switches, detected, correct, extra int
	mistakes                           map[string]int
}

func scoreEvents(apps []appliance.Appliance, sw []appliance.Switch, events []nilm.Event) score {
	s := score{switches: len(sw), mistakes: map[string]int{}}
	used := make([]bool, len(events))
	for _, w := range sw {
		truth := fmt.Sprintf("%s %v", apps[w.Appliance].Label, w.On)
		k := -1
		for j, e := range events {
			if !used[j] && e.Sample >= w.Sample-int64(rate/50) && e.Sample < w.Sample+int64(rate/2) {
				k = j
				break
			}
		}
		if k < 0 {
			s.mistakes[truth+" -> missed"]++
			continue
		}
		used[k] = true
		s.detected++
		got := fmt.Sprintf("%s %v", events[k].Label, events[k].On)
		if got == truth {
			s.correct++
		} else {
			s.mistakes[truth+" -> "+got]++
		}
	}
	for _, u := range used {
		if !u {
			s.extra++
		}
	}
	return s
}

// TestHomeRecognition plays the held-out PLAID appliances of each fold,
// four to a household, through a meter's metrology core: every appliance
// switches on and off once while others of its household run, a second
// apart, and the module, on the library trained on the other folds,
// detects and classifies every switch.
//
// Measured (seed 1, 8 kHz): 416 switches over the five folds, all
// detected, 92.5 % recognised (appliance and direction), no extra event,
// 92 % of the metered energy attributed to appliances; fold 0 alone, 86
// switches, 93.0 %. The nilm evaluation's mixed loads reach 95.5 % at
// PLAID's own 30 kHz and 60 Hz with two to four appliances per scenario;
// most misses here are the unknown threshold refusing a switch-off whose
// current was recorded at a switch-on.
func TestHomeRecognition(t *testing.T) {
	folds := 5
	if testing.Short() || raceEnabled {
		folds = 1
	}
	var total score
	var attributed, measured float64
	for fold := range folds {
		k := kit(t, fold)
		frames, sw, n, err := k.Home(4, 1, 1, uint64(fold+1))
		if err != nil {
			t.Fatal(err)
		}
		r := newRig(t, frames, [3]bool{true}, nilm.Config{Library: library(t, k, 1), PublicKey: &k.Key.PublicKey, LogCapacity: 1000})
		r.run(time.Duration(float64(n) / rate * float64(time.Second)))
		s := scoreEvents(k.Appliances, sw, r.mod.Events())
		var wh float64
		for _, a := range r.mod.Appliances() {
			wh += a.EnergyWh
		}
		metered := r.drv.View().Registers().ActiveImport.Wh()
		attributed, measured = attributed+wh, measured+metered
		t.Logf("fold %d: %d switches, %d detected, %d correct, %d extra; energy attributed %.3f Wh of %.3f Wh", fold, s.switches, s.detected, s.correct, s.extra, wh, metered)
		for m, c := range s.mistakes {
			t.Logf("fold %d: %s ×%d", fold, m, c)
		}
		total.switches += s.switches
		total.detected += s.detected
		total.correct += s.correct
		total.extra += s.extra
	}
	det := float64(total.detected) / float64(total.switches)
	acc := float64(total.correct) / float64(total.switches)
	share := attributed / measured
	t.Logf("%d switches: detected %.1f %%, recognised %.1f %%, %d extra, %.1f %% of the energy attributed", total.switches, 100*det, 100*acc, total.extra, 100*share)
	if det < 0.99 || acc < 0.90 || total.extra > total.switches/100 || share < 0.85 {
		t.Errorf("below the floor: detected ≥ 99 %%, recognised ≥ 90 %%, extra ≤ 1 %%, energy attributed ≥ 85 %%")
	}
}

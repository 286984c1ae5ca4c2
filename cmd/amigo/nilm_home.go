package main

import (
	"errors"
	"fmt"
	"math"

	"github.com/spf13/cobra"

	"github.com/amigo-ami/amigo/nilm/appliance"
)

// homeSwitch is one line of `amigo nilm home`'s ground truth.
type homeSwitch struct {
	AtS       float64 `json:"at_s"`
	Appliance string  `json:"appliance"`
	On        bool    `json:"on"`
	PowerW    float64 `json:"power_w"`
}

func newNILMHomeCmd() *cobra.Command {
	var (
		data, out        string
		rate, gap, volts float64
		perLabel, per    int
		seed             uint64
		asJSON           bool
	)
	cmd := &cobra.Command{
		Use:   "home --out FILE.csv [--rate 8000]",
		Short: "Write a waveform of households switching PLAID appliances, for `amigo meter --samples`",
		Long: `home writes a single-phase sample file (ua, ia) of households whose
appliances are PLAID event cycles, each re-timed to one 50 Hz period at
--rate (harmonics and their phases to the voltage kept, amperes as
recorded) and played against a 230 V sine. The appliances (--per-label
switch-on cycles of each PLAID appliance) are dealt into households of
--per-home; in each, every appliance switches on once and off once, --gap
seconds apart, so most switches happen while others run, and the file ends
with every appliance off (it loops cleanly). It prints the switches: the
ground truth for the NILM module's appliance event log.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("home: --out is required")
			}
			if _, err := appliance.CycleSamples(rate, 50); err != nil {
				return fmt.Errorf("home: --rate: %w", err)
			}
			if !(gap >= 0.5) || per < 1 || perLabel < 1 {
				return fmt.Errorf("home: --gap %v s (≥ 0.5), --per-home %d, --per-label %d (≥ 1)", gap, per, perLabel)
			}
			ds, err := loadPLAID(data)
			if err != nil {
				return err
			}
			apps, err := appliance.FromDataset(ds, perLabel, rate, 50)
			if err != nil {
				return err
			}
			samples := func(s float64) int64 { return int64(math.Round(s * rate)) }
			sw, n := appliance.Sequence(len(apps), per, samples(gap), samples(gap), samples(gap/10), seed)
			h := appliance.Household{RateHz: rate, MainsHz: 50, Volts: volts, Appliances: apps, NoiseV: 0.1, NoiseA: 0.002, Seed: seed}
			frames, err := h.Frames(n, sw)
			if err != nil {
				return err
			}
			if err := appliance.WriteCSV(out, frames); err != nil {
				return err
			}
			truth := make([]homeSwitch, len(sw))
			for k, s := range sw {
				truth[k] = homeSwitch{float64(s.Sample) / rate, apps[s.Appliance].Label, s.On, apps[s.Appliance].PowerAt(volts)}
			}
			doc := struct {
				File     string       `json:"file"`
				RateHz   float64      `json:"rate_hz"`
				Seconds  float64      `json:"seconds"`
				Switches []homeSwitch `json:"switches"`
			}{out, rate, float64(n) / rate, truth}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), doc)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s: %.1f s at %v Hz, %d appliances, %d switches\n", out, doc.Seconds, rate, len(apps), len(sw))
			for _, s := range truth {
				state := "off"
				if s.On {
					state = "on"
				}
				fmt.Fprintf(w, "  %8.3f s  %-4s %-3s %8.1f W\n", s.AtS, s.Appliance, state, s.PowerW)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&data, "data", "", "directory of the PLAID .npy files (default $AMIGO_SHARED_DATA/plaid-events or ../shared/data/plaid-events)")
	f.StringVar(&out, "out", "", "sample file to write")
	f.Float64Var(&rate, "rate", 8000, "sample rate, Hz: a multiple of 50")
	f.Float64Var(&volts, "volts", 230, "RMS supply voltage")
	f.Float64Var(&gap, "gap", 1, "seconds between switches")
	f.IntVar(&perLabel, "per-label", 1, "appliances per PLAID appliance id (its first switch-on cycles)")
	f.IntVar(&per, "per-home", 4, "appliances per household")
	f.Uint64Var(&seed, "seed", 1, "seed of the households, the switching order and the noise")
	f.BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

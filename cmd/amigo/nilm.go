package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/nilm"
	"github.com/amigo-ami/amigo/nilm/eval"
	"github.com/amigo-ami/amigo/nilm/plaid"
)

func newNILMCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "nilm",
		Short: "Appliance recognition: feature library build, evaluation, classification",
	}
	cmd.AddCommand(newNILMEvalCmd(), newNILMTrainCmd(), newNILMKeygenCmd(), newNILMClassifyCmd(), newNILMHomeCmd())
	return cmd
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func loadPLAID(dir string) (*plaid.Dataset, error) {
	if dir == "" {
		dir = filepath.Join(testenv.SharedData(), plaid.Subdir)
	}
	ds, err := plaid.Load(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w (set --data or AMIGO_SHARED_DATA)", err)
	}
	return ds, err
}

func newNILMEvalCmd() *cobra.Command {
	var (
		data, plotFile, seedSpec string
		folds, trials            int
		seed                     uint64
		asJSON                   bool
	)
	cmd := &cobra.Command{
		Use:   "eval",
		Short: "Cross-validate the tree and two baselines on the PLAID event cycles, then mixed loads",
		Long: `Cross-validate the tree and two baselines on the PLAID event cycles, then mixed loads.

With --seed, one split: accuracy, macro-F1, per-class recall, confusion
matrices, unknown appliances, mixed loads. With --seeds (1-5, or 1,4,9),
one line of headline figures per seed with their mean and range.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if folds < 2 {
				return fmt.Errorf("--folds %d: want at least 2", folds)
			}
			var seeds []uint64
			if seedSpec != "" {
				var err error
				if seeds, err = parseSeeds(seedSpec); err != nil {
					return err
				}
				if plotFile != "" {
					return errors.New("--plot draws one seed's confusion matrices: use it with --seed, not --seeds")
				}
			}
			ds, err := loadPLAID(data)
			if err != nil {
				return err
			}
			cfg := eval.Config{Folds: folds, Seed: seed, Mixed: eval.MixedConfig{Trials: trials}}
			if seeds != nil {
				sum, err := eval.Sweep(cmd.Context(), ds, "plaid-events", cfg, seeds)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(cmd.OutOrStdout(), sum)
				}
				return sum.WriteText(cmd.OutOrStdout())
			}
			rep, err := eval.Run(cmd.Context(), ds, "plaid-events", cfg)
			if err != nil {
				return err
			}
			if plotFile != "" {
				if err := eval.PlotConfusion(plotFile, rep.Methods); err != nil {
					return err
				}
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), rep)
			}
			return rep.WriteText(cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "directory of the PLAID .npy files (default ../shared/data/plaid-events or $AMIGO_SHARED_DATA/plaid-events)")
	cmd.Flags().IntVar(&folds, "folds", 5, "cross-validation folds")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the folds and the mixed-load scenarios")
	cmd.Flags().StringVar(&seedSpec, "seeds", "", "evaluate these seeds and summarise them: FROM-TO or a comma list")
	cmd.Flags().IntVar(&trials, "trials", 60, "mixed-load scenarios per seed")
	cmd.Flags().StringVar(&plotFile, "plot", "", "write the confusion matrices to this PNG file")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	cmd.MarkFlagsMutuallyExclusive("seed", "seeds")
	return cmd
}

// parseSeeds reads "FROM-TO" (inclusive, at most 1000 seeds) or a comma
// list of seeds.
func parseSeeds(spec string) ([]uint64, error) {
	bad := func(reason string) error {
		return fmt.Errorf("--seeds %q: %s (want FROM-TO or a comma list, e.g. 1-5 or 1,4,9)", spec, reason)
	}
	if from, to, ok := strings.Cut(spec, "-"); ok {
		a, errA := strconv.ParseUint(from, 10, 64)
		b, errB := strconv.ParseUint(to, 10, 64)
		switch {
		case errA != nil || errB != nil:
			return nil, bad("not a number")
		case b < a:
			return nil, bad("range runs backwards")
		case b-a >= 1000:
			return nil, bad("more than 1000 seeds")
		}
		var seeds []uint64
		for s := a; s <= b; s++ {
			seeds = append(seeds, s)
		}
		return seeds, nil
	}
	var seeds []uint64
	for _, f := range strings.Split(spec, ",") {
		s, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, bad(fmt.Sprintf("%q is not a seed", f))
		}
		seeds = append(seeds, s)
	}
	return seeds, nil
}

func newNILMKeygenCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "keygen --out KEY.pem",
		Short: "Make a P-256 key pair for signing feature libraries (KEY.pem and KEY.pem.pub)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("keygen: --out is required")
			}
			priv, pub, err := nilm.NewSigningKey(rand.Reader)
			if err != nil {
				return err
			}
			// O_EXCL: never overwrite a key someone may still depend on.
			if err := writeNew(out, priv, 0o600); err != nil {
				return err
			}
			if err := writeNew(out+".pub", pub, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s and %s.pub\n", out, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "private key file to create; the public key goes to FILE.pub")
	return cmd
}

func writeNew(path string, b []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		return errors.Join(fmt.Errorf("%s: %w", path, err), f.Close())
	}
	return f.Close()
}

func newNILMTrainCmd() *cobra.Command {
	var (
		data, keyFile, out string
		version            uint32
		asJSON             bool
	)
	cmd := &cobra.Command{
		Use:   "train --key KEY.pem --out LIBRARY --version N",
		Short: "Train the classifier on every PLAID event and write a signed feature library",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keyFile == "" || out == "" || version == 0 {
				return errors.New("train: --key, --out and --version (> 0) are required")
			}
			kb, err := os.ReadFile(keyFile)
			if err != nil {
				return err
			}
			key, err := nilm.PrivateKeyFromPEM(kb)
			if err != nil {
				return fmt.Errorf("%s: %w", keyFile, err)
			}
			ds, err := loadPLAID(data)
			if err != nil {
				return err
			}
			items, err := eval.Items(ds)
			if err != nil {
				return err
			}
			c, err := eval.TrainAll(items, nilm.TrainConfig{Version: version})
			if err != nil {
				return err
			}
			lib, err := c.Sign(key, rand.Reader)
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, lib, 0o644); err != nil {
				return err
			}
			summary := struct {
				Library  string   `json:"library"`
				Version  uint32   `json:"version"`
				Bytes    int      `json:"bytes"`
				Labels   []string `json:"labels"`
				Training int      `json:"training_events"`
			}{out, version, len(lib), c.Labels(), len(items)}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), summary)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: version %d, %d bytes, %d appliances from %d events\n",
				out, version, len(lib), len(summary.Labels), len(items))
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "directory of the PLAID .npy files")
	cmd.Flags().StringVar(&keyFile, "key", "", "PKCS #8 PEM P-256 private key (amigo nilm keygen)")
	cmd.Flags().StringVar(&out, "out", "", "library file to write")
	cmd.Flags().Uint32Var(&version, "version", 0, "library version; a meter accepts only a newer one")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

// classifiedEvent is one line of `amigo nilm classify`.
type classifiedEvent struct {
	AtS      float64 `json:"at_s"`
	Label    string  `json:"label"`
	State    string  `json:"state"`
	Distance float64 `json:"distance"`
	Node     string  `json:"node"`
	PowerW   float64 `json:"power_w"`
	DeltaP   float64 `json:"delta_p_w"`
}

func newNILMClassifyCmd() *cobra.Command {
	var (
		libFile, pubFile, phase string
		rate, mains             float64
		asJSON                  bool
	)
	cmd := &cobra.Command{
		Use:   "classify --lib LIBRARY --pub KEY.pem.pub --rate HZ FILE.csv",
		Short: "Detect and classify appliance events in a sample file (metrology CSV layout)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if libFile == "" || pubFile == "" {
				return errors.New("classify: --lib and --pub are required")
			}
			pb, err := os.ReadFile(pubFile)
			if err != nil {
				return err
			}
			pub, err := nilm.PublicKeyFromPEM(pb)
			if err != nil {
				return fmt.Errorf("%s: %w", pubFile, err)
			}
			lb, err := os.ReadFile(libFile)
			if err != nil {
				return err
			}
			c, err := nilm.Load(lb, pub)
			if err != nil {
				return fmt.Errorf("%s: %w", libFile, err)
			}
			det, err := nilm.NewDetector(nilm.DetectorConfig{RateHz: rate, MainsHz: mains})
			if err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			v, i, err := nilm.ReadCSV(f, args[0], phase)
			f.Close()
			if err != nil {
				return err
			}
			tr := nilm.NewTracker()
			var out []classifiedEvent
			var classifyErr error
			err = det.Push(v, i, func(ev nilm.Event) {
				r, err := c.Classify(&ev)
				if err != nil {
					classifyErr = errors.Join(classifyErr, err)
					return
				}
				feat, _ := nilm.Extract(ev.Voltage, ev.Current)
				at := float64(ev.Sample) / rate
				tr.Observe(at, r, feat.P)
				out = append(out, classifiedEvent{at, r.Label, r.State.String(), r.Distance, r.Node.String(), feat.P, ev.DeltaP})
			})
			if err = errors.Join(err, classifyErr); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			end := float64(len(v)) / rate
			doc := struct {
				File    string            `json:"file"`
				Library uint32            `json:"library_version"`
				Events  []classifiedEvent `json:"events"`
				Usage   []nilm.Usage      `json:"usage"`
			}{args[0], c.Version(), out, tr.Usage(end)}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), doc)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%s: %d events (library version %d)\n", args[0], len(out), c.Version())
			for _, e := range out {
				fmt.Fprintf(w, "  %9.3f s  %-10s %-3s  %8.1f W  d=%.2f  %s\n", e.AtS, e.Label, e.State, e.PowerW, e.Distance, e.Node)
			}
			for _, u := range doc.Usage {
				fmt.Fprintf(w, "  %-10s on=%-5v %8.1f W  %10.4f Wh  %d switches\n", u.Label, u.On, u.PowerW, u.EnergyWh, u.Switches)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&libFile, "lib", "", "signed feature library (amigo nilm train)")
	cmd.Flags().StringVar(&pubFile, "pub", "", "trusted PKIX PEM public key")
	cmd.Flags().Float64Var(&rate, "rate", 0, "sample rate, Hz")
	cmd.Flags().Float64Var(&mains, "mains", 50, "nominal mains frequency, Hz")
	cmd.Flags().StringVar(&phase, "phase", "a", "phase to read: a, b or c")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/amigo-ami/amigo/metrology/analysis"
	"github.com/amigo-ami/amigo/metrology/samplecsv"
	"github.com/amigo-ami/amigo/metrology/signal"
	"github.com/amigo-ami/amigo/metrology/verify"
)

func newMetrologyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "metrology",
		Short: "Analyse sample files, generate test signals and verify the metrology core",
	}
	cmd.AddCommand(newMetrologyAnalyzeCmd(), newMetrologyGenCmd(), newMetrologyVerifyCmd())
	return cmd
}

func newMetrologyAnalyzeCmd() *cobra.Command {
	var opts analysis.Options
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "analyze --rate HZ [--nominal 50] FILE.csv",
		Short: "One IEEE 1459 analysis over a whole sample file (- reads stdin)",
		Long: `Reads a sample file — a header naming channels from ua,ia,ub,ib,uc,ic (whole
phases, any order), then one line of volts and amperes per sampling instant —
and prints per phase and in total U, I, P, P1, PH, Q1, Budeanu QB, S, S1, PF,
PF1, THD, the harmonics (IEC 61000-4-7) and the energy registers over the file.

The rate must be at least 64 samples per nominal cycle (3.2 kHz at 50 Hz);
harmonics are reported to the 50th from 139 samples per cycle (6.95 kHz at
50 Hz), to ⌊0.36·rate/nominal⌋ below that.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.Check(); err != nil {
				return err
			}
			in, name, closeIn, err := openInput(cmd, args[0])
			if err != nil {
				return err
			}
			defer closeIn()
			rep, err := analysis.Analyze(in, name, opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			return rep.WriteText(out, name)
		},
	}
	cmd.Flags().Float64Var(&opts.Rate, "rate", 0, "sample rate in Hz (required)")
	cmd.Flags().Float64Var(&opts.Nominal, "nominal", 50, "nominal frequency, 50 or 60 Hz")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document (ARCHITECTURE §5)")
	_ = cmd.MarkFlagRequired("rate")
	return cmd
}

// openInput opens FILE, or stdin for "-", and returns the name errors use.
func openInput(cmd *cobra.Command, arg string) (io.Reader, string, func(), error) {
	if arg == "-" {
		return cmd.InOrStdin(), "stdin", func() {}, nil
	}
	f, err := os.Open(arg)
	if err != nil {
		return nil, "", nil, err
	}
	return f, arg, func() { f.Close() }, nil
}

func newMetrologyGenCmd() *cobra.Command {
	var preset, output string
	var rate, seconds float64
	var list strings.Builder
	for _, p := range signal.Presets() {
		fmt.Fprintf(&list, "  %-22s %s\n", p[0], p[1])
	}
	cmd := &cobra.Command{
		Use:   "gen --preset NAME --rate HZ --seconds S [-o FILE]",
		Short: "Write a sample file of a synthetic signal with known truth",
		Long:  "Writes a sample file (the format analyze reads) of a preset signal at 50 Hz.\n\nPresets:\n" + list.String(),
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !(seconds > 0) || seconds > 3600 {
				return fmt.Errorf("--seconds %v: want more than 0 and at most 3600", seconds)
			}
			if !(rate > 0) || rate > 1e6 {
				return fmt.Errorf("--rate %v: want more than 0 and at most 1000000 Hz", rate)
			}
			s, err := signal.Preset(preset, rate)
			if err != nil {
				return fmt.Errorf("--preset %s: %w", preset, err)
			}
			if output == "" || output == "-" {
				return writeSignal(cmd.OutOrStdout(), s, seconds)
			}
			f, err := os.Create(output)
			if err != nil {
				return err
			}
			if err := writeSignal(f, s, seconds); err != nil {
				f.Close()
				return fmt.Errorf("%s: %w", output, err)
			}
			return f.Close()
		},
	}
	cmd.Flags().StringVar(&preset, "preset", "", "signal preset (see above)")
	cmd.Flags().Float64Var(&rate, "rate", 8000, "sample rate in Hz")
	cmd.Flags().Float64Var(&seconds, "seconds", 10, "length in seconds")
	cmd.Flags().StringVarP(&output, "output", "o", "", "file to write (default stdout)")
	_ = cmd.MarkFlagRequired("preset")
	return cmd
}

// writeSignal streams seconds of s as a sample file.
func writeSignal(out io.Writer, s *signal.Signal, seconds float64) error {
	w, err := samplecsv.NewWriter(out, s.Present())
	if err != nil {
		return err
	}
	if err := s.Stream(seconds, w.Write); err != nil {
		return err
	}
	return w.Flush()
}

// verifyReport is the JSON document of `amigo metrology verify --json`.
type verifyReport struct {
	Class  string         `json:"class"`
	Pass   bool           `json:"pass"`
	Points []verify.Point `json:"points"`
}

func newMetrologyVerifyCmd() *cobra.Command {
	var class string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify [--class 0.2S]",
		Short: "Run the IEC accuracy test matrix against the metrology core; exit 1 if a point fails",
		Long: `Runs every point of the accuracy matrix (ARCHITECTURE §6: A1–A11, R1, F1, H1,
Z1) against the metrology core with generated signals of analytic truth, and
prints test, condition, error, budget and pass for each. The meter under test:
three-phase four-wire, 8 kHz, Un 230 V, In 5 A, Imax 10 A, Itr 0.05·In,
Imin 0.01·In, starting current 0.001·In. Budgets are one tenth of class 0.2S.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			points, err := verify.Run(cmd.Context(), verify.Options{Class: class})
			if err != nil {
				return err
			}
			rep := verifyReport{Class: class, Pass: true, Points: points}
			for _, p := range points {
				rep.Pass = rep.Pass && p.Pass
			}
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else if err := writeVerifyTable(out, rep); err != nil {
				return err
			}
			if !rep.Pass {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&class, "class", "0.2S", "accuracy class whose budgets apply ("+strings.Join(verify.Classes(), ", ")+")")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

func writeVerifyTable(out io.Writer, rep verifyReport) error {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTEST\tCONDITION\tERROR\tBUDGET\tPASS")
	failed := 0
	for _, p := range rep.Points {
		verdict := "pass"
		if !p.Pass {
			verdict = "FAIL"
			failed++
		}
		budget := fmt.Sprintf("±%g %s", p.Budget, p.Unit)
		if p.OneSided {
			budget = fmt.Sprintf("≤ %g %s", p.Budget, p.Unit)
		}
		errFormat := "%.4g %s" // counts and ratios
		if p.Unit == "%" || p.Unit == "mHz" || p.Unit == "% of reading" {
			errFormat = "%+.4g %s" // signed errors
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t"+errFormat+"\t%s\t%s\n", p.ID, p.Test, p.Condition, p.Error, p.Unit, budget, verdict)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		_, err := fmt.Fprintf(out, "\nclass %s: %d of %d points FAIL\n", rep.Class, failed, len(rep.Points))
		return err
	}
	_, err := fmt.Fprintf(out, "\nclass %s: all %d points pass\n", rep.Class, len(rep.Points))
	return err
}

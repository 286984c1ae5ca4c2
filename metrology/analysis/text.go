package analysis

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText prints the report as tables for people: per-phase quantities,
// totals, energies, and the harmonics of at least 0.1 % of the fundamental.
func (r *Report) WriteText(w io.Writer, file string) error {
	fmt.Fprintf(w, "%s: %d samples at %g Hz (%.4g s), fundamental %.4f Hz\n\n", file, r.Samples, r.RateHz, r.DurationS, r.FrequencyHz)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"", ""}
	for _, p := range r.Phases {
		head = append(head, fmt.Sprintf("%12s", "phase "+p.Phase))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	rows := []struct {
		name, unit string
		format     string
		get        func(PhaseReport) float64
	}{
		{"U", "V", "%12.4f", func(p PhaseReport) float64 { return p.URMS }},
		{"I", "A", "%12.4f", func(p PhaseReport) float64 { return p.IRMS }},
		{"P", "W", "%12.3f", func(p PhaseReport) float64 { return p.PW }},
		{"P1", "W", "%12.3f", func(p PhaseReport) float64 { return p.P1W }},
		{"PH", "W", "%12.3f", func(p PhaseReport) float64 { return p.PHW }},
		{"Q1", "var", "%12.3f", func(p PhaseReport) float64 { return p.Q1Var }},
		{"QB (Budeanu)", "var", "%12.3f", func(p PhaseReport) float64 { return p.QBVar }},
		{"S", "VA", "%12.3f", func(p PhaseReport) float64 { return p.SVA }},
		{"S1", "VA", "%12.3f", func(p PhaseReport) float64 { return p.S1VA }},
		{"PF", "", "%12.5f", func(p PhaseReport) float64 { return p.PF }},
		{"PF1", "", "%12.5f", func(p PhaseReport) float64 { return p.PF1 }},
		{"THD U", "%", "%12.3f", func(p PhaseReport) float64 { return 100 * p.THDU }},
		{"THD I", "%", "%12.3f", func(p PhaseReport) float64 { return 100 * p.THDI }},
	}
	for _, row := range rows {
		cells := []string{row.name, row.unit}
		for _, p := range r.Phases {
			cells = append(cells, fmt.Sprintf(row.format, row.get(p)))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	e := r.Energy
	fmt.Fprintf(w, "\ntotal   P %.3f W, Q1 %.3f var, S %.3f VA\n", r.Total.PW, r.Total.Q1Var, r.Total.SVA)
	fmt.Fprintf(w, "energy  import %.6f Wh, export %.6f Wh, QI %.6f, QII %.6f, QIII %.6f, QIV %.6f varh, apparent %.6f VAh\n\n",
		e.ImportWh, e.ExportWh, e.Q1Varh, e.Q2Varh, e.Q3Varh, e.Q4Varh, e.ApparentVAh)

	fmt.Fprintln(w, "harmonics of at least 0.1 % of the fundamental:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\th\tU [V]\tI [A]\tP [W]\tangle of I to U [°]\t")
	for _, p := range r.Phases {
		if len(p.Harmonics) == 0 {
			continue
		}
		u1, i1 := p.Harmonics[0].URMS, p.Harmonics[0].IRMS
		for _, h := range p.Harmonics {
			if h.URMS < 1e-3*u1 && h.IRMS < 1e-3*i1 {
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.4f\t%.3f\t%.2f\t\n", p.Phase, h.H, h.URMS, h.IRMS, h.PW, h.AngleDeg)
		}
	}
	return tw.Flush()
}

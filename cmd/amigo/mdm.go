package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/amigo-ami/amigo/mdm/analytics"
	"github.com/amigo-ami/amigo/mdm/billing"
	"github.com/amigo-ami/amigo/mdm/export"
	"github.com/amigo-ami/amigo/mdm/vee"
	"github.com/amigo-ami/amigo/store"
	"github.com/amigo-ami/amigo/store/meta"
	"github.com/amigo-ami/amigo/store/pebble"
)

func newMDMCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mdm",
		Short: "Meter data management: import, export, VEE, billing, fleet inspection plans",
		Long: `Meter data management on a data directory (--data DIR): the readings store in
DIR/readings and the metadata (meters, tariffs, bills, alarms) in DIR/meta.db,
the layout amigo demo and amigo serve use.`,
	}
	cmd.AddCommand(newMDMImportCmd(), newMDMExportCmd(), newMDMVEECmd(), newMDMBillCmd(), newMDMPlanCmd())
	return cmd
}

// mdmData is an open data directory.
type mdmData struct {
	st *pebble.DB
	md *meta.DB
}

func openMDMData(ctx context.Context, dir string) (*mdmData, error) {
	if dir == "" {
		return nil, errors.New("--data DIR is required")
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("data directory %s: %w", dir, err)
	}
	st, err := pebble.Open(ctx, filepath.Join(dir, "readings"), pebble.Options{})
	if err != nil {
		return nil, err
	}
	md, err := meta.OpenSQLite(ctx, filepath.Join(dir, "meta.db"), meta.Config{})
	if err != nil {
		return nil, errors.Join(err, st.Close())
	}
	return &mdmData{st: st, md: md}, nil
}

func (d *mdmData) Close() error { return errors.Join(d.st.Close(), d.md.Close()) }

// meters returns the meters named by serial, or the group's, or all.
func (d *mdmData) meters(ctx context.Context, serials []string, group string) ([]meta.Meter, error) {
	if len(serials) == 0 {
		return d.md.Meters(ctx, meta.MeterFilter{Group: group})
	}
	out := make([]meta.Meter, 0, len(serials))
	for _, s := range serials {
		m, err := d.md.MeterBySerial(ctx, s)
		if err != nil {
			return nil, fmt.Errorf("meter %s: %w", s, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// parseWhen reads a date (2024-03-01, midnight) or an RFC 3339 time; a
// date is in loc.
func parseWhen(flag, s string, loc *time.Location) (time.Time, error) {
	if t, err := time.ParseInLocation(time.DateOnly, s, loc); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--%s %q: want a date (2024-03-01) or an RFC 3339 time", flag, s)
	}
	return t, nil
}

// selection is the flags that name meters, a register and a time range.
type selection struct {
	data, group, channel, zone, from, to string
	serials                              []string
	interval                             time.Duration
	timed                                bool // --from, --to, --zone and --channel apply
}

func (s *selection) addFlags(cmd *cobra.Command, verb string, timed bool) {
	fs := cmd.Flags()
	s.timed = timed
	fs.StringVar(&s.data, "data", "", "data directory (readings store and meta.db)")
	fs.StringSliceVar(&s.serials, "serial", nil, "meters to "+verb+" (default: all, or --group)")
	fs.StringVar(&s.group, "group", "", verb+" the meters of this group")
	fs.DurationVar(&s.interval, "interval", 15*time.Minute, "the register's recording interval")
	if !timed {
		return
	}
	fs.StringVar(&s.channel, "channel", "1.0.1.8.0.255", "OBIS code of the energy register")
	fs.StringVar(&s.from, "from", "", "first instant (date or RFC 3339)")
	fs.StringVar(&s.to, "to", "", "last instant, included")
	fs.StringVar(&s.zone, "zone", "UTC", "time zone of dates and of days")
	cmd.MarkFlagRequired("from")
	cmd.MarkFlagRequired("to")
}

// selected is a parsed selection with its data directory open.
type selected struct {
	*mdmData
	meters   []meta.Meter
	channel  store.Channel
	loc      *time.Location
	from, to time.Time
}

// open checks the flags, then opens the data directory and finds the
// meters; Close the result.
func (s *selection) open(ctx context.Context) (*selected, error) {
	out := &selected{}
	if s.timed {
		var err error
		if out.loc, err = time.LoadLocation(s.zone); err != nil {
			return nil, fmt.Errorf("--zone %q: %w", s.zone, err)
		}
		if out.from, err = parseWhen("from", s.from, out.loc); err != nil {
			return nil, err
		}
		if out.to, err = parseWhen("to", s.to, out.loc); err != nil {
			return nil, err
		}
		if out.channel, err = store.ParseChannel(s.channel); err != nil {
			return nil, fmt.Errorf("--channel: %w", err)
		}
	}
	d, err := openMDMData(ctx, s.data)
	if err != nil {
		return nil, err
	}
	out.mdmData = d
	if out.meters, err = d.meters(ctx, s.serials, s.group); err != nil {
		return nil, errors.Join(err, d.Close())
	}
	return out, nil
}

func newMDMImportCmd() *cobra.Command {
	var (
		data   string
		chunk  int
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Import readings from CSV (meter serial, OBIS code, RFC 3339 time, value, quality); all lines are checked first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			d, err := openMDMData(ctx, data)
			if err != nil {
				return err
			}
			defer d.Close()
			resolve := func(ctx context.Context, serial string) (store.MeterID, error) {
				m, err := d.md.MeterBySerial(ctx, serial)
				return m.ID, err
			}
			res, err := export.ImportCSV(ctx, f, args[0], resolve, d.st, chunk)
			var ie *export.ImportError
			if errors.As(err, &ie) {
				for _, l := range ie.Lines {
					fmt.Fprintln(cmd.ErrOrStderr(), l)
				}
				return fmt.Errorf("%s: %d bad lines, nothing imported", args[0], ie.Bad)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), res)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d readings imported (%d new, %d duplicates, %d replaced, %d conflicts kept for review)\n",
				args[0], res.Applied, res.Store.Added, res.Store.Unchanged, res.Store.Replaced, res.Store.Conflicted)
			return nil
		},
	}
	cmd.Flags().StringVar(&data, "data", "", "data directory (readings store and meta.db)")
	cmd.Flags().IntVar(&chunk, "chunk", 100_000, "readings per store write")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

func newMDMExportCmd() *cobra.Command {
	var (
		sel         selection
		format, out string
	)
	cmd := &cobra.Command{
		Use:   "export --format csv|cim|espi --from DATE --to DATE",
		Short: "Export readings as CSV, IEC 61968-9 MeterReadings XML or Green Button (ESPI) XML",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			write := map[string]func(io.Writer, []export.Series, *selected) error{
				"csv": func(w io.Writer, s []export.Series, _ *selected) error { return export.WriteCSV(w, s) },
				"cim": func(w io.Writer, s []export.Series, _ *selected) error { return export.WriteCIM(w, s, sel.interval) },
				"espi": func(w io.Writer, s []export.Series, d *selected) error {
					return export.WriteGreenButton(w, s, sel.interval, d.loc, time.Now(), "/espi/1_1/resource")
				},
			}[format]
			if write == nil {
				return fmt.Errorf("--format %q: want csv, cim or espi", format)
			}
			d, err := sel.open(ctx)
			if err != nil {
				return err
			}
			defer d.Close()
			var series []export.Series
			for _, m := range d.meters {
				rs, err := d.st.Scan(ctx, store.ScanQuery{Meter: m.ID, Channel: d.channel, Range: store.Range{From: d.from.UnixMilli(), To: d.to.UnixMilli() + 1}}, nil)
				if err != nil {
					return fmt.Errorf("meter %s: %w", m.Serial, err)
				}
				if len(rs) > 0 {
					series = append(series, export.Series{Meter: m.ID, Serial: m.Serial, Channel: d.channel, Readings: rs})
				}
			}
			w := cmd.OutOrStdout()
			if out == "" {
				return write(w, series, d)
			}
			file, err := os.Create(out)
			if err != nil {
				return err
			}
			return errors.Join(write(file, series, d), file.Close())
		},
	}
	sel.addFlags(cmd, "export", true)
	cmd.Flags().StringVar(&format, "format", "csv", "csv, cim (IEC 61968-9 MeterReadings) or espi (Green Button)")
	cmd.Flags().StringVar(&out, "out", "", "write to this file instead of standard output")
	return cmd
}

func newMDMVEECmd() *cobra.Command {
	var (
		sel               selection
		maxPower, modulus int64
		asJSON            bool
	)
	cmd := &cobra.Command{
		Use:   "vee --from DATE --to DATE",
		Short: "Validate and estimate a register's readings; store flags and estimates, print the findings",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			d, err := sel.open(ctx)
			if err != nil {
				return err
			}
			defer d.Close()
			r, err := vee.NewRunner(d.st, vee.Config{Interval: sel.interval, Location: d.loc, MaxPowerW: maxPower, Modulus: modulus}, nil)
			if err != nil {
				return err
			}
			type result struct {
				Serial    string
				Findings  []vee.Finding
				Marked    int
				Estimated int
			}
			var results []result
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			for _, m := range d.meters {
				rep, err := r.Run(ctx, vee.Job{Meter: m.ID, Channel: d.channel, Range: store.RangeOf(d.from, d.to)})
				if err != nil {
					return fmt.Errorf("meter %s: %w", m.Serial, err)
				}
				results = append(results, result{m.Serial, rep.Findings, len(rep.Marks), len(rep.Estimates)})
				for _, fd := range rep.Findings {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.Serial, time.UnixMilli(fd.Time).In(d.loc).Format(time.RFC3339), fd.Rule, fd.Detail)
				}
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), results)
			}
			return tw.Flush()
		},
	}
	sel.addFlags(cmd, "check", true)
	cmd.Flags().Int64Var(&maxPower, "max-power", 0, "spike limit in W (0: none)")
	cmd.Flags().Int64Var(&modulus, "modulus", 0, "value at which the register rolls over (0: never)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

func newMDMBillCmd() *cobra.Command {
	var (
		sel           selection
		month         string
		issue, asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "bill --month 2024-03",
		Short: "Bill meters for the cycle holding the middle of a month; a changed bill becomes a new version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			m, err := time.Parse("2006-01", month)
			if err != nil {
				return fmt.Errorf("--month %q: want YYYY-MM", month)
			}
			at := m.AddDate(0, 0, 14).Add(12 * time.Hour) // the 15th at noon UTC: the same month in every zone
			d, err := sel.open(ctx)
			if err != nil {
				return err
			}
			defer d.Close()
			status := meta.BillDraft
			if issue {
				status = meta.BillIssued
			}
			b, err := billing.NewBiller(billing.Config{Readings: d.st, Records: d.md, Interval: sel.interval, Status: status})
			if err != nil {
				return err
			}
			type line struct {
				Serial    string `json:"serial"`
				Outcome   string `json:"outcome,omitempty"`
				BillID    int64  `json:"bill_id,omitempty"`
				Version   int    `json:"version,omitempty"`
				Total     string `json:"total,omitempty"`
				Currency  string `json:"currency,omitempty"`
				Estimated bool   `json:"estimated,omitempty"`
				Error     string `json:"error,omitempty"`
			}
			var lines []line
			failed := 0
			// A batch of bills is one transaction of the metadata store.
			const batch = 1000
			ids := make([]store.MeterID, 0, batch)
			for first := 0; first < len(d.meters); first += batch {
				ms := d.meters[first:min(first+batch, len(d.meters))]
				ids = ids[:0]
				for _, mt := range ms {
					ids = append(ids, mt.ID)
				}
				results, err := b.RunMany(ctx, ids, at)
				if err != nil {
					return err
				}
				for i, res := range results {
					if res.Err != nil {
						failed++
						lines = append(lines, line{Serial: ms[i].Serial, Error: res.Err.Error()})
						continue
					}
					lines = append(lines, line{Serial: ms[i].Serial, Outcome: res.Outcome.String(), BillID: res.Stored.ID, Version: res.Version,
						Total: res.Bill.Total.Format(res.Bill.Digits), Currency: res.Stored.Currency, Estimated: res.Bill.Estimated()})
				}
			}
			if asJSON {
				if err := writeJSON(cmd.OutOrStdout(), lines); err != nil {
					return err
				}
			} else {
				tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				for _, l := range lines {
					if l.Error != "" {
						fmt.Fprintf(tw, "%s\tnot billed\t%s\n", l.Serial, l.Error)
						continue
					}
					est := ""
					if l.Estimated {
						est = "\testimated"
					}
					fmt.Fprintf(tw, "%s\t%s\tbill %d v%d\t%s %s%s\n", l.Serial, l.Outcome, l.BillID, l.Version, l.Total, l.Currency, est)
				}
				if err := tw.Flush(); err != nil {
					return err
				}
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d meters not billed for %s", failed, len(d.meters), month)
			}
			return nil
		},
	}
	sel.addFlags(cmd, "bill", false)
	cmd.Flags().StringVar(&month, "month", "", "the month billed, YYYY-MM (the cycle holding its 15th)")
	cmd.Flags().BoolVar(&issue, "issue", false, "create bills as issued rather than draft")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	cmd.MarkFlagRequired("month")
	return cmd
}

func newMDMPlanCmd() *cobra.Command {
	var (
		lot    int
		aql    string
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "plan --lot N --aql 1.0",
		Short: "ISO 2859-1 single sampling plan (normal inspection, level II) for a lot of in-service meters",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := analytics.SamplingPlan(lot, aql)
			if err != nil {
				return fmt.Errorf("--lot %d --aql %s: %w", lot, aql, err)
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), map[string]any{"lot": p.LotSize, "aql": p.AQL, "code_letter": string(p.CodeLetter),
					"plan_letter": string(p.PlanLetter), "sample": p.SampleSize, "accept": p.Accept, "reject": p.Reject, "whole_lot": p.Full})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "lot %d, AQL %s: code letter %c, inspect %d meters (plan %c); accept with %d nonconforming or fewer, reject with %d or more\n",
				p.LotSize, p.AQL, p.CodeLetter, p.SampleSize, p.PlanLetter, p.Accept, p.Reject)
			return nil
		},
	}
	cmd.Flags().IntVar(&lot, "lot", 0, "meters in the lot")
	cmd.Flags().StringVar(&aql, "aql", "1.0", "acceptance quality limit in percent nonconforming, as in the table (0.010 … 6.5)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	cmd.MarkFlagRequired("lot")
	return cmd
}

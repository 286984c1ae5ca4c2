package main

import (
	"cmp"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/amigo-ami/amigo/demo"
	"github.com/amigo-ami/amigo/internal/testenv"
)

func newDemoCmd() *cobra.Command {
	var cfg demo.Config
	var verbose bool
	cmd := &cobra.Command{
		Use:   "demo [--meters 200] [--http 127.0.0.1:8080] [--speed 60] [--data DIR]",
		Short: "Run everything embedded: a simulated fleet, the head-end, MDM and the console",
		Long: `demo runs the whole system in one process: a fleet of simulated meters
(amigo sim) read and pushed to by the AMI of amigo serve — head-end,
embedded NATS JetStream, Pebble and SQLite, meter data management, the
API and the console — on one clock running --speed times faster than
the wall clock.

Every meter is billed on a residential tariff (two rates with a
three-step ladder); the first --waveform meters run the metrology core
on household appliance waveforms (PLAID, from --shared-data) and their
NILM module, which pushes each appliance event as it happens and is read
every quarter hour (both land as the same readings). The data lives in a temporary
directory removed at exit unless --data names a new (or empty) one to
keep; amigo serve can open it afterwards.

It prints the console's URL and an admin token; Ctrl-C stops everything
in order.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			cfg.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			if cfg.Waveform == 0 {
				cfg.Waveform = -1 // demo.Config's "none"
			}
			cfg.SharedData = cmp.Or(cfg.SharedData, testenv.SharedData())
			d, err := demo.Open(ctx, cfg)
			if err != nil {
				return err
			}
			token, err := d.AdminToken(ctx, 7*24*time.Hour)
			if err != nil {
				return fmt.Errorf("demo: %w (and %w)", err, d.Close())
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "console:     %s\n", d.URL())
			fmt.Fprintf(out, "admin token: %s\n", token)
			fmt.Fprintf(out, "fleet:       %d meters, simulated time %s at ×%g; Ctrl-C stops\n",
				d.Fleet().Len(), d.Fleet().Clock().Now().Format(time.RFC3339), d.Fleet().Clock().Speed())
			return d.Run(ctx)
		},
	}
	f := cmd.Flags()
	f.IntVar(&cfg.Meters, "meters", 200, "simulated meters")
	f.IntVar(&cfg.Waveform, "waveform", 2, "meters running the metrology core and NILM on appliance waveforms (0: none)")
	f.StringVar(&cfg.HTTP, "http", "127.0.0.1:8080", "console and API address")
	f.Float64Var(&cfg.Speed, "speed", 60, "simulated seconds per real second")
	f.StringVar(&cfg.Data, "data", "", "new or empty data directory kept after exit (default: a temporary one)")
	f.StringVar(&cfg.SharedData, "shared-data", "", "AMPds and PLAID data (default $AMIGO_SHARED_DATA or ../shared/data; synthetic without)")
	f.Uint64Var(&cfg.Seed, "seed", 1, "random seed of the fleet")
	f.BoolVar(&verbose, "verbose", false, "log at debug level")
	return cmd
}

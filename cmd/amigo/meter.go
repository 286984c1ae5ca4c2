package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/meter/device"
	"github.com/amigo-ami/amigo/meter/objects"
)

// meterOptions are the flags of `amigo meter`.
type meterOptions struct {
	listen, state, config, samples, load, dataDir string
	hdlc, asJSON, verbose                         bool
	rate, speed                                   float64
}

func newMeterCmd() *cobra.Command {
	var o meterOptions
	cmd := &cobra.Command{
		Use:   "meter [--listen ADDR] [--hdlc] [--state DIR] [--config meter.toml] [--samples FILE.csv | --load MODEL] [--speed X]",
		Short: "Run one software meter as a DLMS/COSEM server",
		Long: `meter runs one software meter: a metrology core, the management core
(clock, tariffs, prepayment, profiles, event logs, disconnector, push,
firmware upgrade) and a DLMS/COSEM server with the associations of
ARCHITECTURE §4 (client 16 public, 32 LLS reader, 1 HLS-GMAC management).

Input: --samples FILE.csv runs the real metrology core on the waveform
(looped, --rate samples per second); --load MODEL drives the core's
accumulator from a load model: constant:W[,PF], pv:W, ampds[:COLUMN] (AMPds R1
household from the shared data directory) or a sum such as ampds+pv:3000.

With [modules.nilm] enabled in meter.toml, the NILM expansion module
recognises appliances in the --samples waveform: an appliance event log
(0.128.99.98.0.255), per-appliance state and energy (0.128.96.12.0.255),
pushes, and feature library updates over DLMS (0.128.44.0.0.255); see
meter/module/nilm. amigo nilm home writes a household waveform to try it.

--state DIR keeps the journal, the invocation counters and the keys a
security setup key_transfer changed: a restart (even kill -9) resumes the
registers, credit, profiles and logs, and the keys in force. Pushes are
sealed (authenticated encryption) with the keys in force, as the
head-end's push listener requires. Without --config the demo meter of
ARCHITECTURE §4 runs (serial 0000000001, demo keys).
--speed X runs the meter's clock X times faster than real time.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runMeter(ctx, cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "", "DLMS server address (default from the config, else 127.0.0.1:4059; :0 picks a port)")
	f.BoolVar(&o.hdlc, "hdlc", false, "HDLC over TCP instead of the IEC 62056-47 wrapper")
	f.StringVar(&o.state, "state", "", "state directory (journal, invocation counters, changed keys); in memory when empty")
	f.StringVar(&o.config, "config", "", "meter.toml (see meter/config/example.toml); the demo meter when empty")
	f.StringVar(&o.samples, "samples", "", "waveform CSV (ARCHITECTURE §5) for the real metrology core")
	f.Float64Var(&o.rate, "rate", 8000, "sample rate of --samples, Hz")
	f.StringVar(&o.load, "load", "", "load model (constant:W[,PF], pv:W, ampds[:COLUMN], A+B); constant:1000 when neither input is given")
	f.StringVar(&o.dataDir, "data", "", "shared data directory (default $AMIGO_SHARED_DATA or ../shared/data)")
	f.Float64Var(&o.speed, "speed", 1, "simulated seconds per real second")
	f.BoolVar(&o.asJSON, "json", false, "print the serving address and identity as one JSON document")
	f.BoolVar(&o.verbose, "verbose", false, "log to stderr at debug level")
	return cmd
}

func runMeter(ctx context.Context, cmd *cobra.Command, o meterOptions) error {
	if o.samples != "" && o.load != "" {
		return fmt.Errorf("meter: --samples and --load exclude each other")
	}
	file := config.Demo()
	if o.config != "" {
		var err error
		if file, err = config.Load(o.config); err != nil {
			return err
		}
	}
	if o.dataDir == "" {
		o.dataDir = testenv.SharedData()
	}
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
	d, err := device.New(device.Config{File: file, Listen: o.listen, HDLC: o.hdlc, StateDir: o.state,
		Samples: o.samples, Rate: o.rate, Load: o.load, DataDir: o.dataDir, Speed: o.speed, Logger: log})
	if err != nil {
		return fmt.Errorf("meter: %w", err)
	}
	serial := file.Meter.Serial
	transport := "wrapper"
	if o.hdlc || file.HDLC {
		transport = "hdlc"
	}
	out := cmd.OutOrStdout()
	if o.asJSON {
		err = json.NewEncoder(out).Encode(map[string]string{"listen": d.Addr().String(), "serial": serial,
			"logical_device_name": objects.LogicalDeviceName(serial), "system_title": hex.EncodeToString(objects.SystemTitle(serial)),
			"transport": transport})
	} else {
		_, err = fmt.Fprintf(out, "amigo meter %s (system title %X) listening on %s (%s)\n", serial, objects.SystemTitle(serial), d.Addr(), transport)
	}
	if err != nil {
		return err
	}
	return d.Serve(ctx)
}

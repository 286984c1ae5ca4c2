package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/amigo-ami/amigo/internal/testenv"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/nilm"
	"github.com/amigo-ami/amigo/sim"
	"github.com/amigo-ami/amigo/sim/fault"
)

// simOptions are the flags of `amigo sim`.
type simOptions struct {
	meters, waveform                                        int
	listenBase, pushTo, faults, load, start, registry, keys string
	group, tariff, config, dataDir, nilmKey, nilmLibrary    string
	seed                                                    uint64
	speed, rate                                             float64
	duration, statsEvery                                    time.Duration
	pushOnly, hdlc, asJSON, verbose                         bool
}

func newSimCmd() *cobra.Command {
	var o simOptions
	cmd := &cobra.Command{
		Use:   "sim --meters N [--listen-base ADDR] [--push-to ADDR] [--speed X] [--faults SPEC]",
		Short: "Run a simulated fleet of meters",
		Long: `sim runs a fleet of software meters in one process: each the management
core, object tree and DLMS/COSEM server of amigo meter, on one accelerated
clock, with faults.

Addresses (--listen-base): NETWORK/BITS:PORT gives each meter its own
address from the network's second on (the default, 127.1.0.0/16:4059:
meter 0 at 127.1.0.1:4059, like an IP-connected meter; where only 127.0.0.1
binds, ports from 127.0.0.1:20000 instead); HOST:PORT gives meter k port
PORT+k; "none" opens no socket. --push-only meters serve nothing: they dial
--push-to, push and hang up (NB-IoT). Every meter with --push-to pushes its
registers every 15 minutes (the head-end's default push layout) and its
last gasp when the power fails, ciphered with its keys.

Meters: the first --waveform run the real metrology core on the waveform of
a household of PLAID appliances; the rest a load model: --load MODEL for
all, or each its own AMPds R1 household (shifted and scaled) with PV or an
EV charger for some. Without the shared data (--data) synthetic ones.

--nilm-key KEY.pem.pub runs the NILM expansion module on every waveform
meter, as amigo meter does with [modules.nilm] (which a --config template
may also enable): appliance event log 0.128.99.98.0.255, appliance table
0.128.96.12.0.255 (the head-end's read-appliances job reads both), feature
library updates over DLMS; with --push-to each appliance event is also
pushed as it happens (push setup 0.128.25.9.0.255, which the head-end's push
listener decodes). --nilm-library LIB is the signed library they
start with (amigo nilm keygen, amigo nilm train); without one every event
is an unknown appliance until a library is sent.

--faults takes a spec or a TOML file: loss=P, corrupt=P, latency=D[~J],
offline=F[@MEAN], outage=F[@MEAN], drift=Xppm, restart=R/day, tamper=R/day,
icloss=R/day (see package sim/fault), e.g.
  --faults "loss=10%,corrupt=1%,offline=5%@2h,drift=50ppm,outage=0.5%@20m"
The same --seed gives the same fleet and the same faults.

--registry FILE.csv|FILE.toml writes the fleet for the head-end's registry
import (TOML carries the key sets). --speed 0 runs as fast as the CPU allows
(with --duration). --json prints one JSON document: the fleet when it
starts, or with --duration the fleet and its counts when it ends.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return runSim(ctx, cmd, o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.meters, "meters", 100, "number of meters")
	f.StringVar(&o.listenBase, "listen-base", "", `meter addresses: NETWORK/BITS:PORT, HOST:PORT or "none" (default 127.1.0.0/16:4059)`)
	f.StringVar(&o.pushTo, "push-to", "", "head-end push listener HOST:PORT (none: no pushes)")
	f.BoolVar(&o.pushOnly, "push-only", false, "meters serve nothing and only push (needs --push-to)")
	f.BoolVar(&o.hdlc, "hdlc", false, "HDLC over TCP instead of the IEC 62056-47 wrapper")
	f.Float64Var(&o.speed, "speed", 1, "simulated seconds per real second (0: as fast as possible, with --duration)")
	f.StringVar(&o.start, "start", "", "simulated start time, RFC 3339 (default: now, to the minute)")
	f.DurationVar(&o.duration, "duration", 0, "stop after this much simulated time (default: run until interrupted)")
	f.StringVar(&o.faults, "faults", "", "fault spec or TOML file")
	f.Uint64Var(&o.seed, "seed", 1, "random seed of loads, households, keys and faults")
	f.IntVar(&o.waveform, "waveform", 0, "meters (the first ones) running the metrology core on appliance waveforms")
	f.Float64Var(&o.rate, "rate", 8000, "sample rate of waveform meters, Hz (a multiple of 50)")
	f.StringVar(&o.load, "load", "", "one load model for every meter (constant:W[,PF], pv:W, ev[:W,HH:MM,H], ampds[:COLUMN], A+B)")
	f.StringVar(&o.config, "config", "", "meter.toml template shaping every meter (default: the built-in fleet template)")
	f.StringVar(&o.keys, "keys", "demo", "meter keys: demo (ARCHITECTURE §4) or per-meter (derived from --seed)")
	f.StringVar(&o.group, "group", "sim", "group of every meter in the registry export")
	f.StringVar(&o.tariff, "tariff", "", "tariff of every meter in the registry export (must exist in the head-end)")
	f.StringVar(&o.registry, "registry", "", "write the registry export to FILE.csv or FILE.toml")
	f.StringVar(&o.nilmKey, "nilm-key", "", "public key (PEM) verifying NILM feature libraries: runs the NILM module on the waveform meters")
	f.StringVar(&o.nilmLibrary, "nilm-library", "", "signed NILM feature library the waveform meters start with (needs --nilm-key)")
	f.StringVar(&o.dataDir, "data", "", "shared data directory (default $AMIGO_SHARED_DATA or ../shared/data)")
	f.DurationVar(&o.statsEvery, "stats-every", 10*time.Second, "log the fleet's counts this often (real time; 0: never)")
	f.BoolVar(&o.asJSON, "json", false, "print one JSON document")
	f.BoolVar(&o.verbose, "verbose", false, "log to stderr at debug level")
	return cmd
}

// simConfig turns the flags into a sim.Config.
func simConfig(o simOptions, log *slog.Logger) (sim.Config, error) {
	cfg := sim.Config{Meters: o.meters, Seed: o.seed, Speed: o.speed, PushTo: o.pushTo, PushOnly: o.pushOnly, HDLC: o.hdlc,
		Waveform: o.waveform, WaveRate: o.rate, Load: o.load, Group: o.group, Tariff: o.tariff, DataDir: o.dataDir, Logger: log}
	switch o.listenBase {
	case "none":
	case "":
		cfg.Listen = !o.pushOnly
	default:
		cfg.Addresses, cfg.Listen = o.listenBase, !o.pushOnly
	}
	if o.start != "" {
		t, err := time.Parse(time.RFC3339, o.start)
		if err != nil {
			return cfg, fmt.Errorf("sim: --start %q: want RFC 3339 such as 2024-06-03T00:00:00Z", o.start)
		}
		cfg.Start = t.UTC()
	}
	switch o.keys {
	case "demo":
	case "per-meter":
		cfg.Keys = sim.PerMeterKeys
	default:
		return cfg, fmt.Errorf("sim: --keys %q: want demo or per-meter", o.keys)
	}
	if o.speed == 0 && o.duration <= 0 {
		return cfg, fmt.Errorf("sim: --speed 0 runs as fast as possible and needs --duration")
	}
	if cfg.DataDir == "" {
		cfg.DataDir = testenv.SharedData()
	}
	var err error
	if cfg.Faults, err = parseFaults(o.faults); err != nil {
		return cfg, err
	}
	if o.config != "" {
		file, err := config.Load(o.config)
		if err != nil {
			return cfg, err
		}
		cfg.Template = &file
	}
	return cfg, simNILM(o, &cfg)
}

// simNILM puts --nilm-key and --nilm-library in the template's
// [modules.nilm], and refuses the module without waveform meters.
func simNILM(o simOptions, cfg *sim.Config) error {
	if o.nilmKey == "" && o.nilmLibrary == "" {
		if cfg.Template != nil && cfg.Template.NILM.Enabled && o.waveform == 0 {
			return fmt.Errorf("sim: %s enables [modules.nilm], which runs on waveform meters: give --waveform N", o.config)
		}
		return nil
	}
	switch {
	case o.nilmKey == "":
		return errors.New("sim: --nilm-library needs --nilm-key, the key that verifies it")
	case o.waveform == 0:
		return errors.New("sim: --nilm-key runs the NILM module on waveform meters: give --waveform N")
	}
	if cfg.Template == nil {
		t := sim.Template()
		cfg.Template = &t
	}
	n := &cfg.Template.NILM
	b, err := os.ReadFile(o.nilmKey)
	if err != nil {
		return fmt.Errorf("sim: --nilm-key: %w", err)
	}
	if n.PublicKey, err = nilm.PublicKeyFromPEM(b); err != nil {
		return fmt.Errorf("sim: --nilm-key %s: %w", o.nilmKey, err)
	}
	n.Enabled, n.Library = true, nil
	if o.nilmLibrary != "" {
		if n.Library, err = os.ReadFile(o.nilmLibrary); err != nil {
			return fmt.Errorf("sim: --nilm-library: %w", err)
		}
		if _, err := nilm.Load(n.Library, n.PublicKey); err != nil {
			return fmt.Errorf("sim: --nilm-library %s: %w", o.nilmLibrary, err)
		}
	}
	return nil
}

// parseFaults reads --faults: a TOML file if it names one, else a spec.
func parseFaults(v string) (fault.Spec, error) {
	if strings.HasSuffix(v, ".toml") {
		return fault.LoadFile(v)
	}
	if st, err := os.Stat(v); err == nil && !st.IsDir() {
		return fault.LoadFile(v)
	}
	return fault.Parse(v)
}

// simDoc is what --json prints.
type simDoc struct {
	Meters       int        `json:"meters"`
	Waveform     int        `json:"waveform"`
	NILM         bool       `json:"nilm"` // the waveform meters run the NILM module
	FirstAddress string     `json:"first_address"`
	LastAddress  string     `json:"last_address"`
	Listening    bool       `json:"listening"`
	PushTo       string     `json:"push_to,omitempty"`
	Start        time.Time  `json:"start"`
	Speed        float64    `json:"speed"`
	Faults       string     `json:"faults,omitempty"`
	Seed         uint64     `json:"seed"`
	Registry     string     `json:"registry,omitempty"`
	Stats        *sim.Stats `json:"stats,omitempty"`
}

func runSim(ctx context.Context, cmd *cobra.Command, o simOptions) error {
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
	cfg, err := simConfig(o, log)
	if err != nil {
		return err
	}
	start := time.Now()
	fleet, err := sim.New(cfg)
	if err != nil {
		return err
	}
	reg := fleet.Registry()
	if o.registry != "" {
		if err := writeRegistry(o.registry, reg); err != nil {
			fleet.Close()
			return err
		}
	}
	doc := simDoc{Meters: fleet.Len(), Waveform: cfg.Waveform, NILM: fleet.NILM(0) != nil, FirstAddress: reg[0].Address, LastAddress: reg[len(reg)-1].Address,
		Listening: cfg.Listen, PushTo: cfg.PushTo, Start: fleet.Clock().Now(), Speed: cfg.Speed, Faults: cfg.Faults.String(), Seed: cfg.Seed,
		Registry: o.registry}
	out := cmd.OutOrStdout()
	log.Info("fleet built", "meters", fleet.Len(), "took", time.Since(start).Round(time.Millisecond))
	if o.duration <= 0 {
		if err := printSim(out, o.asJSON, doc); err != nil {
			fleet.Close()
			return err
		}
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- fleet.Run(runCtx) }()
	var tick <-chan time.Time
	if o.statsEvery > 0 {
		t := time.NewTicker(o.statsEvery)
		defer t.Stop()
		tick = t.C
	}
	var deadline <-chan time.Time
	if end := doc.Start.Add(o.duration); o.duration > 0 && cfg.Speed == 0 {
		// As fast as the CPU allows, a quarter hour at a time so pushes
		// and logs keep pace.
		for now := doc.Start; now.Before(end) && ctx.Err() == nil; {
			if now = now.Add(15 * time.Minute); now.After(end) {
				now = end
			}
			fleet.AdvanceTo(now)
			select {
			case <-tick:
				logStats(log, fleet.Stats())
			default:
			}
		}
		cancel()
	} else if o.duration > 0 {
		deadline = time.After(fleet.Clock().WallUntil(end))
	}
	for {
		select {
		case err := <-done:
			if err != nil || o.duration <= 0 {
				return err
			}
			st := fleet.Stats()
			doc.Stats = &st
			log.Info("fleet stopped", "wall", time.Since(start).Round(time.Millisecond))
			return printSim(out, o.asJSON, doc)
		case <-tick:
			logStats(log, fleet.Stats())
		case <-deadline:
			cancel()
		}
	}
}

func logStats(log *slog.Logger, st sim.Stats) {
	log.Info("fleet", "now", st.Now.Format(time.RFC3339), "unreachable", st.Unreachable, "steps", st.Steps,
		"connections", st.Connections, "refused", st.Refused, "pushes", st.Pushes, "push_failures", st.PushesFailed,
		"frames", st.Frames, "lost", st.Dropped, "corrupted", st.Corrupted,
		"outages", st.Outages, "restarts", st.Restarts, "offline", st.Offline, "tampers", st.Tampers, "ic_losses", st.ICLosses)
}

func printSim(out io.Writer, asJSON bool, doc simDoc) error {
	if asJSON {
		return json.NewEncoder(out).Encode(doc)
	}
	where := "in memory only"
	if doc.Listening {
		where = "at " + doc.FirstAddress + " … " + doc.LastAddress
	}
	pace := fmt.Sprintf("×%g", doc.Speed)
	if doc.Speed == 0 {
		pace = "as fast as possible"
	}
	module := ""
	if doc.NILM {
		module = ", NILM module on"
	}
	if _, err := fmt.Fprintf(out, "amigo sim: %d meters (%d waveform%s) %s, clock from %s %s\n", doc.Meters, doc.Waveform, module, where,
		doc.Start.Format(time.RFC3339), pace); err != nil {
		return err
	}
	if doc.Stats != nil {
		st := doc.Stats
		_, err := fmt.Fprintf(out, "  until %s: %d steps, %d pushes (%d failed), %d connections (%d refused), %d frames (%d lost, %d corrupted), "+
			"%d offline periods, %d outages, %d restarts, %d tamper episodes, %d counter losses\n",
			st.Now.Format(time.RFC3339), st.Steps, st.Pushes, st.PushesFailed, st.Connections, st.Refused, st.Frames, st.Dropped, st.Corrupted,
			st.Offline, st.Outages, st.Restarts, st.Tampers, st.ICLosses)
		return err
	}
	return nil
}

// writeRegistry writes the registry export, CSV or TOML by extension.
func writeRegistry(path string, reg []sim.Entry) error {
	var write func(io.Writer, []sim.Entry) error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		write = sim.WriteCSV
	case ".toml":
		write = sim.WriteTOML
	default:
		return fmt.Errorf("sim: --registry %s: want a .csv or .toml file", path)
	}
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	if err := write(fh, reg); err != nil {
		fh.Close()
		return fmt.Errorf("sim: %s: %w", path, err)
	}
	return fh.Close()
}

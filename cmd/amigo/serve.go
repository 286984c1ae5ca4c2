package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/amigo-ami/amigo/ami"
)

func newServeCmd() *cobra.Command {
	var configPath string
	var roles []string
	cmd := &cobra.Command{
		Use:   "serve --config amigo.toml [--roles hes,mdm,web]",
		Short: "Run the AMI: head-end, meter data management, API and console",
		Long: `serve runs the AMI of amigo.toml (amigo.example.toml documents every key):
the head-end (reads, commands, schedules, push listener), the meter data
management (ingest from the bus, billing, load-curve checks) and the HTTP
API with its console, over the embedded NATS, Pebble and SQLite by default
or an external NATS cluster, ClickHouse and PostgreSQL by URL.

--roles runs only some parts (ARCHITECTURE §10): several processes with
different roles share one bus and one pair of stores. On the first start
an admin user is created and its token printed once. Ctrl-C stops every
part in order and leaves the data consistent.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			cfg := ami.Config{}
			if configPath != "" {
				var err error
				if cfg, err = ami.LoadConfig(configPath); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("roles") {
				for _, r := range roles {
					if !slices.Contains([]string{ami.RoleHES, ami.RoleMDM, ami.RoleWeb}, r) {
						return fmt.Errorf("--roles: %q is not one of hes, mdm, web", r)
					}
				}
				cfg.Roles = roles
			}
			return runServe(ctx, cmd, cfg)
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "amigo.toml (see amigo.example.toml); everything embedded under ./amigo-data when empty")
	cmd.Flags().StringSliceVar(&roles, "roles", nil, "parts to run, overriding the config: hes, mdm, web")
	return cmd
}

func runServe(ctx context.Context, cmd *cobra.Command, cfg ami.Config) error {
	log := newLogger(cmd, cfg.Log)
	sys, err := ami.Open(ctx, cfg, ami.Options{Logger: log})
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if addr := sys.WebAddr(); addr != nil {
		token, err := sys.AdminToken(ctx, "amigo serve, first start", 90*24*time.Hour, true)
		if err != nil {
			return errors.Join(err, sys.Close())
		}
		fmt.Fprintf(out, "console: http://%s\n", addr)
		if token != "" {
			fmt.Fprintf(out, "admin token (shown once, valid 90 days): %s\n", token)
		}
	}
	if addr := sys.PushAddr(); addr != nil {
		fmt.Fprintf(out, "push listener: %s\n", addr)
	}
	return sys.Run(ctx)
}

// newLogger logs to stderr at the configured level and format.
func newLogger(cmd *cobra.Command, c ami.LogConfig) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(strings.ToUpper(cmp.Or(c.Level, "info"))))
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), opts))
	}
	return slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), opts))
}

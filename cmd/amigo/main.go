package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := newRootCmd()
	if err := root.Execute(); err != nil {
		var ex exitError
		if errors.As(err, &ex) {
			os.Exit(ex.code)
		}
		fmt.Fprintln(os.Stderr, "amigo:", err)
		os.Exit(1)
	}
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "amigo",
		Short: "amigo — an open smart-metering system",
		Long: `amigo is an open smart-metering system: a software meter with a sealed
metrology core, a DLMS/COSEM stack, a head-end, meter data management and a
fleet simulator, in one binary.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newVersionCmd(),
		newBenchCmd(),
		newMetrologyCmd(),
		newNILMCmd(),
		newReadCmd(),
		newMeterCmd(),
		newSimCmd(),
		newMDMCmd(),
		newServeCmd(),
		newDemoCmd(),
	)
	return root
}

// exitError makes the command exit with code after it has already printed
// its own report (for example a verification table with a failing point).
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

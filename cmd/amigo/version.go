package main

import (
	"encoding/json"
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/amigo-ami/amigo/metrology"
)

// version is set at link time with -ldflags "-X main.version=v1.2.3"; a
// build from a checkout reports the module version and VCS revision instead.
var version = ""

type buildInfo struct {
	Version   string        `json:"version"`
	Commit    string        `json:"commit"`
	Modified  bool          `json:"modified,omitempty"`
	GoVersion string        `json:"go"`
	Metrology metrologyInfo `json:"metrology"`
}

// metrologyInfo is the legally relevant software identification of the
// metrology core: its ID and the SHA-256 over its sources.
type metrologyInfo struct {
	SoftwareID string `json:"software_id"`
	CodeSHA256 string `json:"code_sha256"`
}

func readBuildInfo() buildInfo {
	bi := buildInfo{Version: version, Commit: "unknown", Metrology: metrologyInfo{
		SoftwareID: metrology.SoftwareID,
		CodeSHA256: metrology.Hex(metrology.CodeChecksum()),
	}}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return bi
	}
	bi.GoVersion = info.GoVersion
	if bi.Version == "" {
		bi.Version = info.Main.Version
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			bi.Commit = s.Value
		case "vcs.modified":
			bi.Modified = s.Value == "true"
		}
	}
	if bi.Version == "" {
		bi.Version = "(devel)"
	}
	return bi
}

func newVersionCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version, the commit and the metrology core's software identification",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			bi := readBuildInfo()
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(bi)
			}
			commit := bi.Commit
			if bi.Modified {
				commit += " (modified)"
			}
			fmt.Fprintf(out, "amigo %s\ncommit %s\n%s\nmetrology core %s, code sha256 %s\n",
				bi.Version, commit, bi.GoVersion, bi.Metrology.SoftwareID, bi.Metrology.CodeSHA256)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

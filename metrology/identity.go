package metrology

import (
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"io/fs"
	"math"
	"slices"
	"strings"
	"sync"
)

// sources is the core's own Go source. The pattern also matches the test
// files; codeChecksum leaves them out, so editing a test never changes the
// software checksum.
//
//go:embed *.go
var sources embed.FS

// Identity is the software identification of a metrology core: what a
// verification officer compares with the type-examination certificate.
type Identity struct {
	SoftwareID string
	// Code is the SHA-256 over the core's non-test source files (sorted by
	// name; each as name, NUL, 8-byte big-endian length, content). It is the
	// same for every build of the same sources.
	Code [32]byte
	// Parameters is the SHA-256 over the metrological parameters: rate,
	// nominal frequency, wired phases, nominal voltage, no-load current and
	// the calibration (see Calibration.Checksum for its layout).
	Parameters [32]byte
	// Checksum is SHA-256(Code ‖ Parameters): one value that changes when
	// either the software or a parameter does.
	Checksum [32]byte
	// Calibrations counts the Calibrate calls since the core was created.
	Calibrations uint64
}

// CodeChecksum is the SHA-256 over the core's non-test source files.
func CodeChecksum() [32]byte { return codeChecksum() }

// codeChecksum computes the sum once per process: the sources are constant.
var codeChecksum = sync.OnceValue(hashSources)

func hashSources() [32]byte {
	names, err := fs.Glob(sources, "*.go")
	if err != nil {
		panic(err) // the pattern is a constant
	}
	slices.Sort(names)
	h := sha256.New()
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := sources.ReadFile(name)
		if err != nil {
			panic(err) // embedded at build time; cannot be missing
		}
		h.Write([]byte(name))
		h.Write([]byte{0})
		h.Write(binary.BigEndian.AppendUint64(nil, uint64(len(b))))
		h.Write(b)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

// Hex is the lower-case hexadecimal form of a checksum.
func Hex(sum [32]byte) string { return hex.EncodeToString(sum[:]) }

// parameterChecksum hashes everything that changes a measurement besides the code.
func parameterChecksum(cfg *Config) [32]byte {
	var b []byte
	for _, v := range []float64{cfg.Rate, cfg.Nominal, cfg.NominalVoltage, cfg.Energy.NoLoadCurrent} {
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(v))
	}
	for _, p := range cfg.Phases {
		if p {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	b = cfg.Calibration.appendBinary(b)
	return sha256.Sum256(b)
}

func newIdentity(cfg *Config, calibrations uint64) Identity {
	id := Identity{SoftwareID: SoftwareID, Code: CodeChecksum(), Parameters: parameterChecksum(cfg), Calibrations: calibrations}
	id.Checksum = sha256.Sum256(append(id.Code[:], id.Parameters[:]...))
	return id
}

package demo

import (
	"crypto/ecdsa"
	"os"
	"path/filepath"

	"github.com/amigo-ami/amigo/meter/firmware"
)

// FirmwareImage is the identifier (and version) of the management-core
// image a firmware campaign of the demo can send: signed with the fleet's
// key, for the meters' target.
const FirmwareImage = "1.5.0"

// writeImage builds FirmwareImage into dir.
func writeImage(dir string, key *ecdsa.PrivateKey) error {
	payload := make([]byte, 64<<10) // a management core's worth of code
	for i := range payload {
		payload[i] = byte(i * 31)
	}
	img, err := firmware.Build(key, firmwareTarget, FirmwareImage, payload)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, FirmwareImage), img, 0o644)
}

// firmwareTarget is the device type of the fleet's management core
// (meter.Config's default firmware target).
const firmwareTarget = "amigo-mgmt"

package objects

import (
	"crypto/sha256"
	"encoding/binary"
	"strconv"
)

// LogicalDeviceName is the meter's logical device name: "AMG" and the
// serial number.
func LogicalDeviceName(serial string) string { return "AMG" + serial }

// SystemTitle is the meter's 8-byte system title (ARCHITECTURE §4): "AMG"
// (414D47) and 5 bytes of the serial number — the serial as a 40-bit
// big-endian number when it is decimal and fits, otherwise the first 5
// bytes of its SHA-256.
func SystemTitle(serial string) []byte {
	st := []byte("AMG")
	if n, err := strconv.ParseUint(serial, 10, 40); err == nil {
		return append(st, binary.BigEndian.AppendUint64(nil, n)[3:]...)
	}
	h := sha256.Sum256([]byte(serial))
	return append(st, h[:5]...)
}

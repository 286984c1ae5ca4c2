package hdlc

//go:generate go run gen_fcs_table.go

// The HCS and FCS are the 16-bit frame check sequence of ISO/IEC 13239
// (CRC-16/X.25: polynomial x¹⁶+x¹²+x⁵+1, bits reflected, register preset to
// 0xFFFF, ones' complement sent low byte first).
const (
	fcsInit = 0xFFFF
	// fcsGood is the register after running a frame body followed by its
	// own FCS: the check the receiver makes.
	fcsGood = 0xF0B8
)

// fcsUpdate runs b through the FCS register crc, eight bytes at a time
// while it can (the register folds into the first two; each byte then
// looks up its own table, independently of the others).
func fcsUpdate(crc uint16, b []byte) uint16 {
	for len(b) >= 8 {
		crc = fcsTable[7][b[0]^byte(crc)] ^ fcsTable[6][b[1]^byte(crc>>8)] ^
			fcsTable[5][b[2]] ^ fcsTable[4][b[3]] ^ fcsTable[3][b[4]] ^
			fcsTable[2][b[5]] ^ fcsTable[1][b[6]] ^ fcsTable[0][b[7]]
		b = b[8:]
	}
	for _, x := range b {
		crc = crc>>8 ^ fcsTable[0][byte(crc)^x]
	}
	return crc
}

// checksum is the HCS or FCS of b, as sent.
func checksum(b []byte) uint16 {
	return ^fcsUpdate(fcsInit, b)
}

// appendChecksum appends the checksum of b[from:] to b, low byte first.
func appendChecksum(b []byte, from int) []byte {
	c := checksum(b[from:])
	return append(b, byte(c), byte(c>>8))
}

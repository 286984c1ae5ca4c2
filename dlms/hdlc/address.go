package hdlc

import "fmt"

// Address is an HDLC address field. A client address is one byte: its
// Upper is the client SAP (16 public, 32 reader, 1 management) and Lower is
// 0. A server address has an upper HDLC address (the logical device, 1 the
// management logical device) and optionally a lower HDLC address (the
// physical device), in 1, 2 or 4 bytes.
type Address struct {
	Upper uint16 // client SAP, or the server's logical device
	Lower uint16 // the server's physical device; 0 and absent in a 1-byte address
	// Size is the encoded length: 1, 2 or 4 bytes. 0 picks the shortest
	// that holds Upper and Lower.
	Size int
}

// Reserved addresses of the MAC addressing scheme.
const (
	NoStation  = 0x00 // upper or lower: nobody
	AllStation = 0x7F // one-byte broadcast (0x3FFF in a 4-byte address)
	// Calling is the lower address of a physical device calling the client.
	Calling = 0x7E
)

// ClientAddress is the one-byte address of the client with the given SAP.
func ClientAddress(sap uint8) Address { return Address{Upper: uint16(sap), Size: 1} }

func (a Address) String() string {
	if a.encodedSize() == 1 {
		return fmt.Sprintf("%d", a.Upper)
	}
	return fmt.Sprintf("%d/%d", a.Upper, a.Lower)
}

// encodedSize is the length Address encodes to, or 0 when it cannot be
// encoded.
func (a Address) encodedSize() int {
	size := a.Size
	if size == 0 {
		switch {
		case a.Lower == 0 && a.Upper <= 0x7F:
			size = 1
		case a.Upper <= 0x7F && a.Lower <= 0x7F:
			size = 2
		default:
			size = 4
		}
	}
	switch {
	case size == 1 && a.Lower == 0 && a.Upper <= 0x7F,
		size == 2 && a.Upper <= 0x7F && a.Lower <= 0x7F,
		size == 4 && a.Upper <= 0x3FFF && a.Lower <= 0x3FFF:
		return size
	}
	return 0
}

// appendAddress appends a with the extension rule of ISO/IEC 13239: seven
// address bits per byte, shifted up, and the low bit set only in the last.
func appendAddress(dst []byte, a Address) ([]byte, error) {
	switch a.encodedSize() {
	case 1:
		return append(dst, byte(a.Upper)<<1|1), nil
	case 2:
		return append(dst, byte(a.Upper)<<1, byte(a.Lower)<<1|1), nil
	case 4:
		return append(dst,
			byte(a.Upper>>7)<<1, byte(a.Upper&0x7F)<<1,
			byte(a.Lower>>7)<<1, byte(a.Lower&0x7F)<<1|1), nil
	}
	return dst, fmt.Errorf("hdlc: address %d/%d does not fit in %d bytes: %w", a.Upper, a.Lower, a.Size, ErrAddress)
}

// decodeAddress decodes the address at the start of b and returns it with
// its length. n is 0 when b ends before the address does; err is set when
// the address is malformed (not ended within 4 bytes, or 3 bytes long).
func decodeAddress(b []byte) (a Address, n int, err error) {
	for n < len(b) && n < 4 {
		n++
		if b[n-1]&1 == 1 {
			break
		}
	}
	if n == 0 || b[n-1]&1 == 0 {
		if n == 4 {
			return Address{}, 0, ErrAddress
		}
		return Address{}, 0, nil // more bytes needed
	}
	switch n {
	case 1:
		return Address{Upper: uint16(b[0] >> 1), Size: 1}, 1, nil
	case 2:
		return Address{Upper: uint16(b[0] >> 1), Lower: uint16(b[1] >> 1), Size: 2}, 2, nil
	case 4:
		return Address{
			Upper: uint16(b[0]>>1)<<7 | uint16(b[1]>>1),
			Lower: uint16(b[2]>>1)<<7 | uint16(b[3]>>1),
			Size:  4,
		}, 4, nil
	}
	return Address{}, 0, ErrAddress
}

// sameStation tells whether two addresses name the same station, whatever
// their encoded sizes.
func (a Address) sameStation(b Address) bool {
	return a.Upper == b.Upper && a.Lower == b.Lower
}

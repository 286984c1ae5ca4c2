package hdlc

import "fmt"

// Params are the HDLC parameters negotiated with SNRM and UA (ISO/IEC 13239
// parameter negotiation as the Green Book, chapter 8, profiles it): the
// longest information field and the window size, each way, seen from the
// station that states them.
type Params struct {
	MaxInfoTransmit int // longest information field this station sends
	MaxInfoReceive  int // longest information field this station accepts
	WindowTransmit  int // I frames this station sends before awaiting an acknowledgement
	WindowReceive   int // I frames this station accepts before acknowledging
}

// Defaults of every parameter a station does not state, and the ranges of
// the IEC HDLC setup interface class (IC 23).
const (
	DefaultMaxInfo = 128
	DefaultWindow  = 1
	MinMaxInfo     = 32
	MaxMaxInfo     = 2030
	MaxWindow      = 7
)

// DefaultParams are the parameters of a station that states none.
func DefaultParams() Params {
	return Params{DefaultMaxInfo, DefaultMaxInfo, DefaultWindow, DefaultWindow}
}

// The parameter negotiation field: format identifier, the HDLC parameter
// group, and the parameter identifiers inside the group.
const (
	paramFormat     = 0x81
	paramGroup      = 0x80
	paramMaxInfoTX  = 0x05
	paramMaxInfoRX  = 0x06
	paramWindowTX   = 0x07
	paramWindowRX   = 0x08
	paramGroupBytes = 4 + 4 + 6 + 6
)

// AppendParams appends the information field of an SNRM or UA frame that
// states p: the information field lengths in two bytes and the window sizes
// in four, as in the DLMS UA's worked example.
func AppendParams(dst []byte, p Params) []byte {
	dst = append(dst, paramFormat, paramGroup, paramGroupBytes)
	dst = append(dst, paramMaxInfoTX, 2, byte(p.MaxInfoTransmit>>8), byte(p.MaxInfoTransmit))
	dst = append(dst, paramMaxInfoRX, 2, byte(p.MaxInfoReceive>>8), byte(p.MaxInfoReceive))
	dst = append(dst, paramWindowTX, 4, 0, 0, 0, byte(p.WindowTransmit))
	return append(dst, paramWindowRX, 4, 0, 0, 0, byte(p.WindowReceive))
}

// DecodeParams decodes the information field of an SNRM or UA frame. An
// empty field, and any parameter it leaves out, take the defaults. Values
// may be 1 to 4 bytes long; groups and parameters other than the four HDLC
// ones are skipped. A zero value, or an information field length above
// 65535 or window above 255, is an error.
func DecodeParams(b []byte) (Params, error) {
	p := DefaultParams()
	if len(b) == 0 {
		return p, nil
	}
	if b[0] != paramFormat {
		return p, fmt.Errorf("hdlc: parameter format identifier 0x%02X, want 0x81: %w", b[0], ErrParams)
	}
	for off := 1; off < len(b); {
		if len(b)-off < 2 || int(b[off+1]) > len(b)-off-2 {
			return p, fmt.Errorf("hdlc: parameter group at offset %d runs past the field: %w", off, ErrParams)
		}
		group, body := b[off], b[off+2:off+2+int(b[off+1])]
		off += 2 + len(body)
		if group != paramGroup {
			continue
		}
		for poff := 0; poff < len(body); {
			if len(body)-poff < 2 || int(body[poff+1]) > len(body)-poff-2 {
				return p, fmt.Errorf("hdlc: parameter at offset %d runs past its group: %w", poff, ErrParams)
			}
			id, val := body[poff], body[poff+2:poff+2+int(body[poff+1])]
			poff += 2 + len(val)
			var dst *int
			limit := uint64(0xFFFF)
			switch id {
			case paramMaxInfoTX:
				dst = &p.MaxInfoTransmit
			case paramMaxInfoRX:
				dst = &p.MaxInfoReceive
			case paramWindowTX:
				dst, limit = &p.WindowTransmit, 0xFF
			case paramWindowRX:
				dst, limit = &p.WindowReceive, 0xFF
			default:
				continue
			}
			if len(val) == 0 || len(val) > 4 {
				return p, fmt.Errorf("hdlc: parameter 0x%02X is %d bytes long: %w", id, len(val), ErrParams)
			}
			var v uint64
			for _, x := range val {
				v = v<<8 | uint64(x)
			}
			if v == 0 || v > limit {
				return p, fmt.Errorf("hdlc: parameter 0x%02X = %d: %w", id, v, ErrParams)
			}
			*dst = int(v)
		}
	}
	return p, nil
}

// agree returns the parameters a station with the limits own uses with a
// peer that stated peer: it sends no more than the peer accepts and accepts
// no more than the peer sends, within its own limits. A server answers an
// SNRM with agree(own, proposal) in its UA; the client applies
// agree(own, ua) and both ends then hold the same values, mirrored.
func agree(own, peer Params) Params {
	return Params{
		MaxInfoTransmit: min(own.MaxInfoTransmit, peer.MaxInfoReceive),
		MaxInfoReceive:  min(own.MaxInfoReceive, peer.MaxInfoTransmit),
		WindowTransmit:  min(own.WindowTransmit, peer.WindowReceive),
		WindowReceive:   min(own.WindowReceive, peer.WindowTransmit),
	}
}

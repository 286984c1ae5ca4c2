package hdlc

import "fmt"

// Kind is the type of an HDLC frame, given by its control field (ISO/IEC
// 13239 normal response mode, the commands and responses DLMS/COSEM uses).
type Kind uint8

// The frame kinds DLMS/COSEM uses.
const (
	KindI    Kind = iota + 1 // information: N(S), N(R), P/F
	KindRR                   // receive ready: N(R), P/F
	KindRNR                  // receive not ready: N(R), P/F
	KindSNRM                 // set normal response mode: P
	KindDISC                 // disconnect: P
	KindUA                   // unnumbered acknowledge: F
	KindDM                   // disconnected mode: F
	KindFRMR                 // frame reject: F
	KindUI                   // unnumbered information: P/F
)

var kindNames = [...]string{"?", "I", "RR", "RNR", "SNRM", "DISC", "UA", "DM", "FRMR", "UI"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Control field bits: the poll/final bit, and the fixed bit patterns of
// the supervisory and unnumbered frames with P/F cleared.
const (
	pfBit = 0x10

	ctlRR   = 0x01
	ctlRNR  = 0x05
	ctlSNRM = 0x83
	ctlDISC = 0x43
	ctlUA   = 0x63
	ctlDM   = 0x0F
	ctlFRMR = 0x87
	ctlUI   = 0x03
)

// control returns the control byte of f.
func (f *Frame) control() (byte, error) {
	var c byte
	switch f.Kind {
	case KindI:
		c = f.NR<<5 | f.NS<<1
	case KindRR:
		c = f.NR<<5 | ctlRR
	case KindRNR:
		c = f.NR<<5 | ctlRNR
	case KindSNRM:
		c = ctlSNRM
	case KindDISC:
		c = ctlDISC
	case KindUA:
		c = ctlUA
	case KindDM:
		c = ctlDM
	case KindFRMR:
		c = ctlFRMR
	case KindUI:
		c = ctlUI
	default:
		return 0, fmt.Errorf("hdlc: frame kind %v: %w", f.Kind, ErrControl)
	}
	if f.NS > 7 || f.NR > 7 {
		return 0, fmt.Errorf("hdlc: sequence number N(S)=%d N(R)=%d above 7: %w", f.NS, f.NR, ErrControl)
	}
	if f.PF {
		c |= pfBit
	}
	return c, nil
}

// setControl decodes the control byte c into f.
func (f *Frame) setControl(c byte) error {
	f.PF = c&pfBit != 0
	switch {
	case c&0x01 == 0:
		f.Kind, f.NS, f.NR = KindI, c>>1&7, c>>5
	case c&0x0F == ctlRR:
		f.Kind, f.NR = KindRR, c>>5
	case c&0x0F == ctlRNR:
		f.Kind, f.NR = KindRNR, c>>5
	default:
		switch c &^ pfBit {
		case ctlSNRM:
			f.Kind = KindSNRM
		case ctlDISC:
			f.Kind = KindDISC
		case ctlUA:
			f.Kind = KindUA
		case ctlDM:
			f.Kind = KindDM
		case ctlFRMR:
			f.Kind = KindFRMR
		case ctlUI:
			f.Kind = KindUI
		default:
			return ErrControl // REJ, SREJ and the rest are not used by DLMS/COSEM
		}
	}
	return nil
}

package hdlc

import (
	"errors"
	"fmt"
)

// ErrFrameRejected is matched by every *RejectError.
var ErrFrameRejected = errors.New("hdlc: frame rejected (FRMR)")

// Reasons in a frame reject (the W X Y Z bits of ISO/IEC 13239).
const (
	RejectUndefinedControl = 1 << 0 // W: control field undefined or not implemented
	RejectInfoNotPermitted = 1 << 1 // X: information field where none is allowed
	RejectInfoTooLong      = 1 << 2 // Y: information field longer than agreed
	RejectInvalidNR        = 1 << 3 // Z: N(R) acknowledges frames never sent
)

// RejectError reports an FRMR: the control field of the rejected frame,
// the rejecting station's V(S) and V(R), and the reason bits.
type RejectError struct {
	Control byte
	VS, VR  uint8
	Reason  uint8
}

func (e *RejectError) Error() string {
	return fmt.Sprintf("hdlc: frame with control 0x%02X rejected (V(S)=%d V(R)=%d reason 0x%X)", e.Control, e.VS, e.VR, e.Reason)
}

func (e *RejectError) Is(target error) bool { return target == ErrFrameRejected }

// rejectError decodes an FRMR information field; a short one leaves
// fields zero.
func rejectError(info []byte) error {
	var e RejectError
	if len(info) >= 3 {
		e.Control, e.VS, e.VR, e.Reason = info[0], info[1]>>1&7, info[1]>>5, info[2]&0x0F
	}
	return &e
}

// appendReject appends the information field of an FRMR for the command f.
func appendReject(dst []byte, f Frame, vs, vr uint8, reason uint8) []byte {
	ctl, _ := f.control() // f was decoded: its control field encodes
	return append(dst, ctl, vr<<5|vs<<1, reason)
}

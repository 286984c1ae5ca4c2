package hestest

import (
	"bytes"
	"context"
	"fmt"
	"math/bits"
	"sync"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Image transfer statuses (IC 18 image_transfer_status).
const (
	ImageNotInitiated          uint8 = 0
	ImageInitiated             uint8 = 1
	ImageVerificationSucceeded uint8 = 3
	ImageVerificationFailed    uint8 = 4
	ImageActivationSucceeded   uint8 = 6
)

// imageTransfer is an image transfer object (IC 18): the image identifier
// is the new firmware version, which activation installs. Verification
// fails when a block is missing or the meter was told to fail it.
type imageTransfer struct {
	cosem.Unimplemented
	blockSize uint32

	mu         sync.Mutex
	status     uint8
	ident      []byte
	data       []byte
	got        []byte
	nblk       uint32
	version    string
	failVerify bool
	blocks     int // blocks received, for tests
}

func (t *imageTransfer) ID() cosem.ObjectID {
	return cosem.ObjectID{Class: cosem.ClassImageTransfer, Name: ImageTransfer}
}

func (t *imageTransfer) Version() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.version
}

func (t *imageTransfer) firstMissing() uint32 {
	for i, b := range t.got {
		if b != 0xFF {
			return min(uint32(i*8+bits.LeadingZeros8(^b)), t.nblk)
		}
	}
	return t.nblk
}

func (t *imageTransfer) Get(_ context.Context, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch attr {
	case 2:
		return axdr.AppendUint32(dst, t.blockSize), nil
	case 3:
		return axdr.AppendBitString(dst, t.got, int(t.nblk)), nil
	case 4:
		return axdr.AppendUint32(dst, t.firstMissing()), nil
	case 5:
		return axdr.AppendBool(dst, true), nil
	case 6:
		return axdr.AppendEnum(dst, t.status), nil
	case 7:
		dst = axdr.AppendArray(dst, 0)
		return dst, nil
	}
	return dst, cosem.ErrUndefined
}

func (t *imageTransfer) Set(context.Context, int8, []axdr.Value) error {
	return fmt.Errorf("%w: image transfer attributes are read-only here", cosem.ErrDenied)
}

func (t *imageTransfer) Action(_ context.Context, dst []byte, method int8, p []axdr.Value) ([]byte, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch method {
	case 1: // image_transfer_initiate
		if len(p) != 3 || p[0].Tag != axdr.TagStructure || p[1].Tag != axdr.TagOctetString || p[2].Tag != axdr.TagUint32 {
			return dst, fmt.Errorf("%w: initiate takes structure {octet-string, double-long-unsigned}", cosem.ErrTypeUnmatched)
		}
		size, _ := p[2].Uint()
		if size == 0 || size > 1<<22 {
			return dst, fmt.Errorf("%w: image of %d bytes", cosem.ErrScopeOfAccess, size)
		}
		t.ident, t.data = bytes.Clone(p[1].Bytes), make([]byte, size)
		t.nblk = uint32((size + uint64(t.blockSize) - 1) / uint64(t.blockSize))
		t.got = make([]byte, (t.nblk+7)/8)
		t.status = ImageInitiated
	case 2: // image_block_transfer
		if len(p) != 3 || p[0].Tag != axdr.TagStructure || p[1].Tag != axdr.TagUint32 || p[2].Tag != axdr.TagOctetString {
			return dst, fmt.Errorf("%w: block transfer takes structure {double-long-unsigned, octet-string}", cosem.ErrTypeUnmatched)
		}
		n64, _ := p[1].Uint()
		n := uint32(n64)
		if t.status != ImageInitiated || n >= t.nblk {
			return dst, fmt.Errorf("%w: block %d (status %d)", cosem.ErrTemporaryFailure, n, t.status)
		}
		off := uint64(n) * uint64(t.blockSize)
		want := min(uint64(t.blockSize), uint64(len(t.data))-off)
		if uint64(len(p[2].Bytes)) != want {
			return dst, fmt.Errorf("%w: block %d of %d bytes, want %d", cosem.ErrTypeUnmatched, n, len(p[2].Bytes), want)
		}
		copy(t.data[off:], p[2].Bytes)
		t.got[n/8] |= 0x80 >> (n % 8)
		t.blocks++
	case 3: // image_verify
		if t.status != ImageInitiated && t.status != ImageVerificationFailed {
			return dst, fmt.Errorf("%w: nothing to verify (status %d)", cosem.ErrTemporaryFailure, t.status)
		}
		if t.firstMissing() < t.nblk || t.failVerify {
			t.status = ImageVerificationFailed
			return dst, fmt.Errorf("%w: image does not verify", cosem.ErrHardwareFault)
		}
		t.status = ImageVerificationSucceeded
	case 4: // image_activate
		if t.status != ImageVerificationSucceeded {
			return dst, fmt.Errorf("%w: activation before verification", cosem.ErrTemporaryFailure)
		}
		t.version, t.status = string(t.ident), ImageActivationSucceeded
	default:
		return dst, cosem.ErrUndefined
	}
	return dst, nil
}

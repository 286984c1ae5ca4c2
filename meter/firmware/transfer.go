package firmware

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/bits"
)

// Status is image_transfer_status.
type Status uint8

// Transfer statuses (Blue Book IC 18).
const (
	NotInitiated           Status = 0
	Initiated              Status = 1
	VerificationInitiated  Status = 2
	VerificationSuccessful Status = 3
	VerificationFailed     Status = 4
	ActivationInitiated    Status = 5
	ActivationSuccessful   Status = 6
	ActivationFailed       Status = 7
)

// ErrTransfer is returned for a method the transfer's state or settings
// do not allow (no transfer enabled, a block out of range, activation
// before verification, an image larger than allowed).
var ErrTransfer = errors.New("firmware: image transfer refused")

// Transfer is the image transfer state machine (IC 18).
type Transfer struct {
	BlockSize uint32 // image_block_size
	MaxSize   uint32 // largest image accepted
	Enabled   bool   // image_transfer_enabled

	status Status
	ident  []byte
	data   []byte
	got    []byte // bitmap of received blocks, block 0 in the high bit of byte 0
	nblk   uint32
	image  *Image // verified by Verify, waiting for activation
	// signature of the verified image waiting for activation
	signature []byte
}

// NewTransfer returns an enabled transfer with the block size and maximum
// image size given.
func NewTransfer(blockSize, maxSize uint32) (*Transfer, error) {
	if blockSize < 16 || blockSize > 65536 {
		return nil, fmt.Errorf("%w: block size %d: want 16…65536", ErrTransfer, blockSize)
	}
	if maxSize < minImageBytes || maxSize > MaxPayload+headerSize+maxSignature {
		return nil, fmt.Errorf("%w: maximum image size %d", ErrTransfer, maxSize)
	}
	return &Transfer{BlockSize: blockSize, MaxSize: maxSize, Enabled: true}, nil
}

// Status returns image_transfer_status.
func (t *Transfer) Status() Status { return t.status }

// Identifier returns the identifier given to Initiate and the image size.
func (t *Transfer) Identifier() ([]byte, uint32) { return t.ident, uint32(len(t.data)) }

// Initiate starts a transfer of an image of size bytes identified by
// ident (method 1). A new initiate abandons any transfer in progress.
func (t *Transfer) Initiate(ident []byte, size uint32) error {
	if !t.Enabled {
		return fmt.Errorf("%w: image transfer not enabled", ErrTransfer)
	}
	if size < minImageBytes || size > t.MaxSize {
		return fmt.Errorf("%w: image of %d bytes: want %d…%d", ErrTransfer, size, minImageBytes, t.MaxSize)
	}
	if len(ident) == 0 || len(ident) > 64 {
		return fmt.Errorf("%w: identifier of %d bytes", ErrTransfer, len(ident))
	}
	t.ident = append([]byte(nil), ident...)
	t.data = make([]byte, size)
	t.nblk = (size + t.BlockSize - 1) / t.BlockSize
	t.got = make([]byte, (t.nblk+7)/8)
	t.image, t.signature = nil, nil
	t.status = Initiated
	return nil
}

// Block stores block n (method 2). Every block but the last is exactly
// BlockSize; the last holds the rest. A block may be sent again.
func (t *Transfer) Block(n uint32, b []byte) error {
	if t.status != Initiated && t.status != VerificationFailed {
		return fmt.Errorf("%w: no transfer initiated (status %d)", ErrTransfer, t.status)
	}
	if n >= t.nblk {
		return fmt.Errorf("%w: block %d of %d", ErrTransfer, n, t.nblk)
	}
	off := uint64(n) * uint64(t.BlockSize)
	want := min(uint64(t.BlockSize), uint64(len(t.data))-off)
	if uint64(len(b)) != want {
		return fmt.Errorf("%w: block %d has %d bytes, want %d", ErrTransfer, n, len(b), want)
	}
	copy(t.data[off:], b)
	t.got[n/8] |= 0x80 >> (n % 8)
	t.status = Initiated
	return nil
}

// Bitmap returns image_transferred_blocks_status: one bit per block.
func (t *Transfer) Bitmap() ([]byte, int) { return t.got, int(t.nblk) }

// FirstMissing returns image_first_not_transferred_block_number (the
// block count when all are there).
func (t *Transfer) FirstMissing() uint32 {
	for i, b := range t.got {
		if b != 0xFF {
			n := uint32(i*8 + bits.LeadingZeros8(^b))
			return min(n, t.nblk)
		}
	}
	return t.nblk
}

// Verify checks the assembled image (method 3): every block present, the
// format, the target, the hash and the signature. On failure the status
// is VerificationFailed and the error says why.
func (t *Transfer) Verify(pub *ecdsa.PublicKey, target string) (*Image, error) {
	var img *Image
	err := t.VerifyWith(func(raw []byte) ([]byte, error) {
		var err error
		if img, err = Parse(raw); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrVerify, err)
		}
		if err := img.Verify(pub, target); err != nil {
			return nil, err
		}
		return img.Signature, nil
	})
	if err != nil {
		return nil, err
	}
	t.image = img
	return img, nil
}

// VerifyWith is Verify for images of another format (a NILM feature
// library, say): once every block is present, check gets the assembled
// image and returns what image_to_activate_info shows as its signature,
// or the reason to refuse it.
func (t *Transfer) VerifyWith(check func(raw []byte) (signature []byte, err error)) error {
	if t.status == NotInitiated || t.data == nil {
		return fmt.Errorf("%w: nothing transferred", ErrTransfer)
	}
	t.status = VerificationInitiated
	t.image, t.signature = nil, nil
	if n := t.FirstMissing(); n < t.nblk {
		t.status = VerificationFailed
		return fmt.Errorf("%w: image incomplete, block %d missing", ErrVerify, n)
	}
	sig, err := check(t.data)
	if err != nil {
		t.status = VerificationFailed
		return err
	}
	t.signature = sig
	t.status = VerificationSuccessful
	return nil
}

// Activate hands out the verified image for installation (method 4) and
// marks the activation successful; ErrTransfer before a successful
// verification. The image is nil when VerifyWith verified the bytes.
func (t *Transfer) Activate() (*Image, []byte, error) {
	if t.status != VerificationSuccessful {
		t.status = ActivationFailed
		return nil, nil, fmt.Errorf("%w: activation before a successful verification", ErrTransfer)
	}
	t.status = ActivationSuccessful
	img, raw := t.image, t.data
	t.image, t.data, t.signature = nil, nil, nil
	return img, raw, nil
}

// Ready returns the signature of the verified image waiting for
// activation (for image_to_activate_info), and false when none waits.
func (t *Transfer) Ready() ([]byte, bool) {
	return t.signature, t.status == VerificationSuccessful
}

package objects

import (
	"math"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter/firmware"
)

// imageTransfer is the Image transfer (IC 18) of the management core.
type imageTransfer struct{}

func (imageTransfer) class() (cosem.ClassID, uint8) { return cosem.ClassImageTransfer, 0 }

func (imageTransfer) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	var err error
	t.m.FirmwareTransfer(func(tr *firmware.Transfer) {
		switch attr {
		case 2:
			dst = axdr.AppendUint32(dst, tr.BlockSize)
		case 3:
			b, n := tr.Bitmap()
			dst = axdr.AppendBitString(dst, b, n)
		case 4:
			dst = axdr.AppendUint32(dst, tr.FirstMissing())
		case 5:
			dst = axdr.AppendBool(dst, tr.Enabled)
		case 6:
			dst = axdr.AppendEnum(dst, uint8(tr.Status()))
		case 7:
			img := tr.Pending()
			if img == nil {
				dst = axdr.AppendArray(dst, 0)
				return
			}
			ident, size := tr.Identifier()
			dst = axdr.AppendArray(dst, 1)
			dst = axdr.AppendStructure(dst, 3)
			dst = axdr.AppendUint32(dst, size)
			dst = axdr.AppendOctetString(dst, ident)
			dst = axdr.AppendOctetString(dst, img.Signature)
		default:
			err = noSuchAttribute(attr)
		}
	})
	return dst, err
}

func (imageTransfer) writable() []int8 { return []int8{5} }

func (imageTransfer) set(t *Tree, attr int8, v []axdr.Value) error {
	if attr != 5 {
		return noSuchAttribute(attr)
	}
	r := read(v)
	on := r.bool("image_transfer_enabled")
	if err := r.done(); err != nil {
		return err
	}
	t.m.FirmwareTransfer(func(tr *firmware.Transfer) { tr.Enabled = on })
	return nil
}

func (imageTransfer) methods() []int8 { return []int8{1, 2, 3, 4} }

func (imageTransfer) act(t *Tree, dst []byte, method int8, p []axdr.Value) ([]byte, error) {
	r := read(p)
	var err error
	switch method {
	case 1:
		r.structure("image_transfer_initiate", 2)
		ident := r.octets("image_identifier")
		size := r.uint("image_size", math.MaxUint32)
		if err := r.done(); err != nil {
			return dst, err
		}
		err = t.m.FirmwareInitiate(ident, uint32(size))
	case 2:
		r.structure("image_block_transfer", 2)
		n := r.uint("image_block_number", math.MaxUint32)
		b := r.octets("image_block_value")
		if err := r.done(); err != nil {
			return dst, err
		}
		err = t.m.FirmwareBlock(uint32(n), b)
	case 3, 4:
		r.int("data", -128, 127)
		if err := r.done(); err != nil {
			return dst, err
		}
		if method == 3 {
			err = t.m.FirmwareVerify()
		} else {
			err = t.m.FirmwareActivate()
		}
	default:
		return dst, noSuchMethod(method)
	}
	return dst, err
}

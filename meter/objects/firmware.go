package objects

import (
	"math"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/meter"
	"github.com/amigo-ami/amigo/meter/firmware"
)

// Images is what an image transfer object (IC 18) drives: the management
// core's firmware, or an expansion module's own images (a NILM feature
// library). Each method is the IC 18 method of its name; Transfer calls
// fn with the transfer state, locked, for reading its attributes.
type Images interface {
	Transfer(fn func(*firmware.Transfer))
	Initiate(ident []byte, size uint32) error
	Block(n uint32, b []byte) error
	Verify() error
	Activate() error
}

// meterImages is the management core's firmware upgrade as Images.
type meterImages struct{ m *meter.Meter }

func (i meterImages) Transfer(fn func(*firmware.Transfer)) { i.m.FirmwareTransfer(fn) }
func (i meterImages) Initiate(ident []byte, size uint32) error {
	return i.m.FirmwareInitiate(ident, size)
}
func (i meterImages) Block(n uint32, b []byte) error { return i.m.FirmwareBlock(n, b) }
func (i meterImages) Verify() error                  { return i.m.FirmwareVerify() }
func (i meterImages) Activate() error                { return i.m.FirmwareActivate() }

// imageTransfer is an Image transfer (IC 18): of the images given, or of
// the tree's management core when nil.
type imageTransfer struct{ images Images }

// ImageTransfer returns an image transfer object named name over images,
// with the management core's transfer's rights: readable by the reader,
// image_transfer_enabled writable and the four methods invocable by the
// management client.
func ImageTransfer(name [6]byte, images Images) Extra {
	h := imageTransfer{images}
	w, m := handlerRights(h)
	return Extra{Object: object{&descriptor{name: name, h: h}, nil}, Access: Metered, Writable: w, Methods: m}
}

func (h imageTransfer) of(t *Tree) Images {
	if h.images != nil {
		return h.images
	}
	return meterImages{t.m}
}

func (imageTransfer) class() (cosem.ClassID, uint8) { return cosem.ClassImageTransfer, 0 }

func (h imageTransfer) get(t *Tree, dst []byte, attr int8, _ *cosem.Selector) ([]byte, error) {
	var err error
	h.of(t).Transfer(func(tr *firmware.Transfer) {
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
			sig, ok := tr.Ready()
			if !ok {
				dst = axdr.AppendArray(dst, 0)
				return
			}
			ident, size := tr.Identifier()
			dst = axdr.AppendArray(dst, 1)
			dst = axdr.AppendStructure(dst, 3)
			dst = axdr.AppendUint32(dst, size)
			dst = axdr.AppendOctetString(dst, ident)
			dst = axdr.AppendOctetString(dst, sig)
		default:
			err = noSuchAttribute(attr)
		}
	})
	return dst, err
}

func (imageTransfer) writable() []int8 { return []int8{5} }

func (h imageTransfer) set(t *Tree, attr int8, v []axdr.Value) error {
	if attr != 5 {
		return noSuchAttribute(attr)
	}
	r := read(v)
	on := r.bool("image_transfer_enabled")
	if err := r.done(); err != nil {
		return err
	}
	h.of(t).Transfer(func(tr *firmware.Transfer) { tr.Enabled = on })
	return nil
}

func (imageTransfer) methods() []int8 { return []int8{1, 2, 3, 4} }

func (h imageTransfer) act(t *Tree, dst []byte, method int8, p []axdr.Value) ([]byte, error) {
	images := h.of(t)
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
		err = images.Initiate(ident, uint32(size))
	case 2:
		r.structure("image_block_transfer", 2)
		n := r.uint("image_block_number", math.MaxUint32)
		b := r.octets("image_block_value")
		if err := r.done(); err != nil {
			return dst, err
		}
		err = images.Block(uint32(n), b)
	case 3, 4:
		r.int("data", -128, 127)
		if err := r.done(); err != nil {
			return dst, err
		}
		if method == 3 {
			err = images.Verify()
		} else {
			err = images.Activate()
		}
	default:
		return dst, noSuchMethod(method)
	}
	return dst, err
}

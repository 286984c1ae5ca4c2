// Package npy reads and writes NumPy .npy files, format version 1.0, for the
// few element types the NILM evaluation needs: little-endian float64 ('<f8'),
// float32 ('<f4'), int64 ('<i8') and int32 ('<i4'), in C order.
//
// Byte layout (NumPy Enhancement Proposal 1, "A Simple File Format for NumPy
// Arrays", format version 1.0):
//
//	offset  size  field
//	0       6     magic "\x93NUMPY"
//	6       1     major version, 1
//	7       1     minor version, 0
//	8       2     HEADER_LEN, uint16 little-endian
//	10      H     header: an ASCII Python dict literal
//	              {'descr': '<f8', 'fortran_order': False, 'shape': (250, 500), }
//	              padded with spaces and ended by '\n' so that 10+H is a
//	              multiple of 16 (NumPy ≥ 1.14 pads to 64, which is also one)
//	10+H    n     the elements, n = product(shape) × itemsize, nothing after
//
// The reader is strict: it accepts exactly the three keys, each once, a
// fortran_order of False, a shape tuple of non-negative decimal integers, and a
// data section of exactly the declared size. Anything else is an error wrapping
// ErrFormat; Decode never panics and sizes nothing from the header before
// checking it against the bytes present. Decoded slices are copies: they do
// not alias the input.
package npy

// Package axdr encodes and decodes COSEM Data values in A-XDR (IEC 61334-6,
// as used by IEC 62056-5-3 / DLMS UA Green Book §9.5 and the Data type of
// IEC 62056-6-2 / Blue Book §4.1.5).
//
// # Wire format
//
// Every value is a tag byte and contents:
//
//	+-----+-------------------------------------------+
//	| tag | contents                                  |
//	+-----+-------------------------------------------+
//	  0     null-data:            nothing
//	  3     boolean:              1 byte (0 false)
//	  15/17 integer/unsigned:     1 byte; 16/18 long(-unsigned): 2; 5/6 double-long(-unsigned): 4
//	  20/21 long64(-unsigned):    8 bytes; 22 enum: 1; 13 bcd: 1; 23 float32: 4; 24 float64: 8 (IEEE, big-endian)
//	  25/26/27 date-time/date/time: 12/5/4 bytes (see DateTime)
//	  9/10/12 octet-/visible-/utf8-string: length L, then L bytes
//	  4     bit-string:           length in bits B, then ceil(B/8) bytes
//	  1/2   array/structure:      count N, then N values
//	  19    compact-array:        type description, length L, L bytes of untagged elements
//	  255   dont-care:            nothing
//
// All integers are big-endian. A length or count is one byte below 0x80;
// otherwise 0x80|k followed by k (1–4) big-endian bytes.
//
// # Representation
//
// A decoded value is a flat preorder []Value: each container is followed
// by its N children. Decoding appends to a slice the caller owns and reuses,
// byte contents alias the input, and no per-value allocation is made, so
// steady-state decoding allocates nothing. Build values with the
// constructors (Uint32, Structure, OctetString, …) and encode them with
// Append; or, on hot paths, write bytes directly with the Append* encoders.
// Read them with Value's accessors (Int, Uint, Float, DateTime, Bytes) and
// walk children with Next.
//
// # Bad input
//
// Decoders return an error for any byte sequence they cannot read, never
// panic, never size anything from a length they have not checked against
// the bytes left, and cap nesting at MaxDepth. Errors are *DecodeError
// (offset, then a sentinel: ErrTruncated, ErrTag, ErrLength, ErrTooDeep,
// ErrTypeDesc, ErrTrailing), matched with errors.Is.
//
// Nothing in this package holds state between calls; Decoder values are
// not safe for concurrent use, everything else is.
package axdr

package axdr

import "fmt"

// A compact-array (Blue Book §4.1.5, "compact-array") is
//
//	19 | type-description | A-XDR length L | L bytes of contents
//
// where the type description is a tree of tags (array: tag 1, a 2-byte
// element count, the element's description; structure: tag 2, an A-XDR count,
// each field's description; any simple type: its tag) and the contents are
// the elements back to back, each encoded without tags or counts (strings
// keep their lengths). Decoded, a compact-array is a container whose N
// children are the elements as ordinary tagged values; Bytes keeps the type
// description so that encoding writes the same bytes back.
//
// Descriptions whose elements could occupy zero bytes (null-data,
// dont-care, empty structures, arrays of zero elements) are rejected: they
// would let a few bytes of input expand into unbounded numbers of values.

// typeDesc consumes and checks a type description, returning its bytes.
func (d *Decoder) typeDesc(depth int) []byte {
	at := d.off
	d.skipTypeDesc(depth)
	if d.err != nil {
		return nil
	}
	return d.buf[at:d.off:d.off]
}

func (d *Decoder) skipTypeDesc(depth int) {
	at := d.off
	t := Tag(d.Uint8())
	if d.err != nil {
		return
	}
	if depth > MaxDepth {
		d.off = at
		d.Fail(ErrTooDeep)
		return
	}
	switch {
	case t == TagArray:
		if d.Uint16() == 0 && d.err == nil {
			d.off = at
			d.Fail(ErrTypeDesc)
			return
		}
		d.skipTypeDesc(depth + 1)
	case t == TagStructure:
		n := d.Count(1)
		if n == 0 && d.err == nil {
			d.off = at
			d.Fail(ErrTypeDesc)
			return
		}
		for i := 0; i < n && d.err == nil; i++ {
			d.skipTypeDesc(depth + 1)
		}
	case t == TagNull || t == TagDontCare || t == TagCompactArray || tagKind[t] == kindInvalid:
		d.off = at
		d.Fail(ErrTypeDesc)
	}
}

func (d *Decoder) compactArray(dst []Value, depth int) []Value {
	desc := d.typeDesc(depth + 1)
	n := d.Length()
	if d.err != nil {
		return dst
	}
	if n > d.Len() {
		d.Fail(ErrTruncated)
		return dst
	}
	end := d.off + n
	head := len(dst)
	dst = append(dst, Value{Tag: TagCompactArray, Bytes: desc})
	count := 0
	for d.off < end && d.err == nil {
		dd := NewDecoder(desc)
		dst = d.compactElem(dst, &dd, depth+1)
		count++
	}
	if d.err == nil && d.off != end {
		d.Fail(ErrLength)
	}
	dst[head].N = count
	return dst
}

// compactElem decodes one element's contents from d as described by the
// description at desc's position, advancing desc past it.
func (d *Decoder) compactElem(dst []Value, desc *Decoder, depth int) []Value {
	t := Tag(desc.Uint8())
	switch tagKind[t] {
	case kindList:
		var n int
		if t == TagArray {
			n = int(desc.Uint16())
		} else {
			n = desc.Length()
		}
		dst = append(dst, Value{Tag: t, N: n})
		if t == TagArray {
			start := *desc
			for i := 0; i < n && d.err == nil; i++ {
				*desc = start
				dst = d.compactElem(dst, desc, depth+1)
			}
			return dst
		}
		for i := 0; i < n && d.err == nil; i++ {
			dst = d.compactElem(dst, desc, depth+1)
		}
		return dst
	case kindFixed:
		b := d.Bytes(int(fixedSize[t]))
		if d.err != nil {
			return dst
		}
		v := Value{Tag: t}
		switch t {
		case TagDateTime, TagDate, TagTime:
			v.Bytes = b
		default:
			v.bits = beBits(b, t.signed())
		}
		return append(dst, v)
	case kindString:
		b := d.Bytes(d.Length())
		if d.err != nil {
			return dst
		}
		return append(dst, Value{Tag: t, Bytes: b})
	case kindBits:
		n := d.Length()
		b := d.Bytes((n + 7) / 8)
		if d.err != nil {
			return dst
		}
		return append(dst, Value{Tag: t, Bytes: b, N: n})
	}
	// The description was checked by typeDesc; reaching here is a bug in
	// this file, reported as bad input rather than a panic.
	d.Fail(ErrTypeDesc)
	return dst
}

// AppendTypeDescription appends the compact-array type description of the
// tree vals (one element, e.g. the first row of a profile) to dst.
func AppendTypeDescription(dst []byte, vals []Value) ([]byte, error) {
	dst, rest, err := appendTypeDesc(dst, vals, 1)
	if err == nil && len(rest) != 0 {
		err = fmt.Errorf("%w: %d values after the element", ErrTrailing, len(rest))
	}
	return dst, err
}

func appendTypeDesc(dst []byte, vals []Value, depth int) ([]byte, []Value, error) {
	if len(vals) == 0 {
		return dst, nil, fmt.Errorf("%w: tree ends early", ErrTypeDesc)
	}
	if depth > MaxDepth {
		return dst, nil, ErrTooDeep
	}
	v := vals[0]
	vals = vals[1:]
	switch v.Tag {
	case TagArray:
		if v.N <= 0 || v.N > 0xFFFF {
			return dst, nil, fmt.Errorf("%w: array of %d elements", ErrTypeDesc, v.N)
		}
		dst = append(dst, byte(TagArray), byte(v.N>>8), byte(v.N))
		// Every element has the first one's description.
		start := len(dst)
		var err error
		for i := 0; i < v.N; i++ {
			dst = dst[:start]
			if dst, vals, err = appendTypeDesc(dst, vals, depth+1); err != nil {
				return dst, nil, err
			}
		}
		return dst, vals, nil
	case TagStructure:
		if v.N <= 0 {
			return dst, nil, fmt.Errorf("%w: empty structure", ErrTypeDesc)
		}
		dst = AppendLength(append(dst, byte(TagStructure)), v.N)
		var err error
		for i := 0; i < v.N; i++ {
			if dst, vals, err = appendTypeDesc(dst, vals, depth+1); err != nil {
				return dst, nil, err
			}
		}
		return dst, vals, nil
	case TagNull, TagDontCare, TagCompactArray:
		return dst, nil, fmt.Errorf("%w: %s", ErrTypeDesc, v.Tag)
	}
	if !v.Tag.Valid() {
		return dst, nil, fmt.Errorf("%w: %s", ErrTag, v.Tag)
	}
	return append(dst, byte(v.Tag)), vals, nil
}

// appendCompactContents appends one element's contents as described by
// desc, checking that the tree matches the description.
func appendCompactContents(dst []byte, vals []Value, desc *Decoder) ([]byte, []Value, error) {
	t := Tag(desc.Uint8())
	if desc.err != nil || len(vals) == 0 {
		return dst, nil, fmt.Errorf("%w: element does not match its description", ErrTypeDesc)
	}
	v := vals[0]
	if v.Tag != t {
		return dst, nil, fmt.Errorf("%w: element is %s, description says %s", ErrTypeDesc, v.Tag, t)
	}
	vals = vals[1:]
	var err error
	switch t {
	case TagArray:
		n := int(desc.Uint16())
		if v.N != n {
			return dst, nil, fmt.Errorf("%w: array of %d, description says %d", ErrTypeDesc, v.N, n)
		}
		start := *desc
		for i := 0; i < n; i++ {
			*desc = start
			if dst, vals, err = appendCompactContents(dst, vals, desc); err != nil {
				return dst, nil, err
			}
		}
		return dst, vals, nil
	case TagStructure:
		n := desc.Length()
		if v.N != n {
			return dst, nil, fmt.Errorf("%w: structure of %d, description says %d", ErrTypeDesc, v.N, n)
		}
		for i := 0; i < n; i++ {
			if dst, vals, err = appendCompactContents(dst, vals, desc); err != nil {
				return dst, nil, err
			}
		}
		return dst, vals, nil
	}
	// A tagged scalar's contents are its encoding without the tag byte.
	at := len(dst)
	if dst, err = appendScalar(dst, &v); err != nil {
		return dst, nil, err
	}
	return append(dst[:at], dst[at+1:]...), vals, nil
}

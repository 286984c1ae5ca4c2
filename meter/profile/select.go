package profile

import (
	"fmt"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Selection is what a read returns: rows by index in buffer order (the
// order of the sort method: oldest first for FIFO, newest first for LIFO)
// and columns by index, all columns when Columns is nil.
type Selection struct {
	Rows    []int
	Columns []int
}

// All selects every row and column.
func (p *Profile) All() Selection {
	s := Selection{Rows: make([]int, p.n)}
	for i := range s.Rows {
		s.Rows[i] = i
	}
	return s
}

// capture returns the capture-order index of buffer-order row i.
func (p *Profile) capture(i int) int {
	if p.cfg.Sort == LIFO {
		return p.n - 1 - i
	}
	return i
}

// ByRange selects the rows whose column col lies in [from, to] (for a
// date-time column, compared as instants; from and to are Packed stamps),
// limited to columns (nil for all).
func (p *Profile) ByRange(col int, from, to int64, columns []int) (Selection, error) {
	if col < 0 || col >= len(p.offs) {
		return Selection{}, fmt.Errorf("%w: restricting column %d", ErrInvalid, col+1)
	}
	key := func(v int64) int64 { return v }
	if p.cfg.Columns[col].Kind == KindDateTime {
		key = func(v int64) int64 { return Unpack(v).Unix }
	}
	lo, hi := key(from), key(to)
	s := Selection{Columns: columns}
	for i := range p.n {
		if v := key(p.Value(p.capture(i), col)); v >= lo && v <= hi {
			s.Rows = append(s.Rows, i)
		}
	}
	return s, nil
}

// ByEntry selects entries fromEntry…toEntry (1-based, toEntry 0 = the
// last) and columns fromCol…toCol (1-based, toCol 0 = the last), as an
// entry_descriptor does. Entries beyond those in use are left out; a
// column range outside the columns is an error.
func (p *Profile) ByEntry(fromEntry, toEntry uint32, fromCol, toCol uint16) (Selection, error) {
	ncol := uint16(len(p.offs))
	if toCol == 0 {
		toCol = ncol
	}
	if fromCol == 0 {
		fromCol = 1
	}
	if fromCol > toCol || toCol > ncol {
		return Selection{}, fmt.Errorf("%w: columns %d…%d of %d", ErrInvalid, fromCol, toCol, ncol)
	}
	if fromEntry == 0 {
		fromEntry = 1
	}
	last := uint32(p.n)
	if toEntry != 0 && toEntry < last {
		last = toEntry
	}
	if toEntry != 0 && fromEntry > toEntry {
		return Selection{}, fmt.Errorf("%w: entries %d…%d", ErrInvalid, fromEntry, toEntry)
	}
	var s Selection
	for e := fromEntry; e <= last; e++ {
		s.Rows = append(s.Rows, int(e-1))
	}
	if fromCol != 1 || toCol != ncol {
		for c := fromCol; c <= toCol; c++ {
			s.Columns = append(s.Columns, int(c-1))
		}
	}
	return s, nil
}

// ColumnOf returns the index of the column capturing attribute attr
// (element idx) of object name, or -1.
func (p *Profile) ColumnOf(class uint16, name [6]byte, attr int8, idx uint16) int {
	for i, c := range p.cfg.Columns {
		if c.Class == class && c.Name == name && c.Attr == attr && c.DataIndex == idx {
			return i
		}
	}
	return -1
}

// AppendSelection appends the selected buffer to dst: an array of one
// structure per row holding the selected columns.
func (p *Profile) AppendSelection(dst []byte, s Selection) []byte {
	dst = axdr.AppendArray(dst, len(s.Rows))
	ncol := len(p.offs)
	if s.Columns != nil {
		ncol = len(s.Columns)
	}
	for _, i := range s.Rows {
		if i < 0 || i >= p.n {
			panic(fmt.Sprintf("profile: selected row %d of %d", i, p.n))
		}
		ci := p.capture(i)
		dst = axdr.AppendStructure(dst, ncol)
		for k := range ncol {
			c := k
			if s.Columns != nil {
				c = s.Columns[k]
			}
			dst = appendValue(dst, p.cfg.Columns[c].Kind, p.Value(ci, c))
		}
	}
	return dst
}

// AppendColumns appends capture_objects: an array of
// structure{class_id, logical_name, attribute_index, data_index}.
func (p *Profile) AppendColumns(dst []byte) []byte {
	dst = axdr.AppendArray(dst, len(p.cfg.Columns))
	for _, c := range p.cfg.Columns {
		dst = axdr.AppendStructure(dst, 4)
		dst = axdr.AppendUint16(dst, c.Class)
		dst = axdr.AppendOctetString(dst, c.Name[:])
		dst = axdr.AppendInt8(dst, c.Attr)
		dst = axdr.AppendUint16(dst, c.DataIndex)
	}
	return dst
}

func appendValue(dst []byte, k Kind, v int64) []byte {
	switch k {
	case KindDateTime:
		var b [axdr.DateTimeSize]byte
		return axdr.AppendOctetString(dst, Unpack(v).DateTime().Append(b[:0]))
	case KindUint8:
		return axdr.AppendUint8(dst, uint8(v))
	case KindEnum:
		return axdr.AppendEnum(dst, uint8(v))
	case KindUint16:
		return axdr.AppendUint16(dst, uint16(v))
	case KindUint32:
		return axdr.AppendUint32(dst, uint32(v))
	case KindInt32:
		return axdr.AppendInt32(dst, int32(v))
	case KindUint64:
		return axdr.AppendUint64(dst, uint64(v))
	default:
		return axdr.AppendInt64(dst, v)
	}
}

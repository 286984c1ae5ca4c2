package profile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// Kind is how a column's values are stored and encoded.
type Kind uint8

// Column kinds and their A-XDR types.
const (
	KindDateTime Kind = iota + 1 // octet-string(12) date-time, from a Stamp
	KindUint8                    // unsigned
	KindUint16                   // long-unsigned
	KindUint32                   // double-long-unsigned
	KindUint64                   // long64-unsigned
	KindInt32                    // double-long
	KindInt64                    // long64
	KindEnum                     // enum
)

func (k Kind) size() int {
	switch k {
	case KindUint8, KindEnum:
		return 1
	case KindUint16:
		return 2
	case KindUint32, KindInt32:
		return 4
	case KindDateTime, KindUint64, KindInt64:
		return 8
	}
	return 0
}

// Column is a capture object: the attribute (and element, DataIndex ≥ 1,
// of a structured one) whose value the column holds, and its kind.
type Column struct {
	Class     uint16
	Name      [6]byte
	Attr      int8
	DataIndex uint16
	Kind      Kind
}

// Sort is the sort_method enum. Only FIFO and LIFO are implemented.
type Sort uint8

// Sort methods (Blue Book IC 7).
const (
	FIFO Sort = 1
	LIFO Sort = 2
)

// ErrInvalid is wrapped by configuration and selection errors.
var ErrInvalid = errors.New("profile: invalid")

// Config describes a profile.
type Config struct {
	Columns  []Column
	Capacity int           // profile_entries, 1…1 000 000
	Period   time.Duration // capture_period; 0 when captured on demand (event logs)
	Sort     Sort          // 0 reads as FIFO
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	if len(c.Columns) == 0 || len(c.Columns) > 64 {
		return fmt.Errorf("%w: %d columns: want 1…64", ErrInvalid, len(c.Columns))
	}
	for i, col := range c.Columns {
		if col.Kind.size() == 0 {
			return fmt.Errorf("%w: column %d: kind %d", ErrInvalid, i+1, col.Kind)
		}
	}
	if c.Capacity < 1 || c.Capacity > 1_000_000 {
		return fmt.Errorf("%w: capacity %d: want 1…1000000", ErrInvalid, c.Capacity)
	}
	if c.Period < 0 || c.Period%time.Second != 0 {
		return fmt.Errorf("%w: capture period %v: want whole seconds", ErrInvalid, c.Period)
	}
	if c.Sort != 0 && c.Sort != FIFO && c.Sort != LIFO {
		return fmt.Errorf("%w: sort method %d: only FIFO (1) and LIFO (2)", ErrInvalid, c.Sort)
	}
	return nil
}

// Profile is a profile generic's buffer.
type Profile struct {
	cfg   Config
	offs  []int // byte offset of each column in a row
	width int
	buf   []byte // rows, oldest at head once full
	head  int    // index of the oldest row once the ring is full
	n     int
	seq   uint64 // sequence number of the newest row; 0 before any
}

// New returns an empty profile.
func New(cfg Config) (*Profile, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Sort == 0 {
		cfg.Sort = FIFO
	}
	p := &Profile{cfg: cfg, offs: make([]int, len(cfg.Columns))}
	for i, c := range cfg.Columns {
		p.offs[i] = p.width
		p.width += c.Kind.size()
	}
	return p, nil
}

// Config returns the profile's configuration.
func (p *Profile) Config() Config { return p.cfg }

// Len returns entries_in_use.
func (p *Profile) Len() int { return p.n }

// Seq returns the sequence number of the newest row (0 when none was ever
// captured).
func (p *Profile) Seq() uint64 { return p.seq }

// RowBytes is the size of one stored row.
func (p *Profile) RowBytes() int { return p.width }

// Append captures a row: one value per column, in column order (a Stamp's
// Pack for date-times). The oldest row makes room when the buffer is full.
func (p *Profile) Append(row []int64) {
	if len(row) != len(p.offs) {
		panic(fmt.Sprintf("profile: row of %d values for %d columns", len(row), len(p.offs)))
	}
	var r []byte
	if p.n < p.cfg.Capacity {
		p.buf = append(p.buf, make([]byte, p.width)...)
		r = p.buf[p.n*p.width:]
		p.n++
	} else {
		r = p.buf[p.head*p.width:]
		p.head = (p.head + 1) % p.n
	}
	for i, v := range row {
		put(r[p.offs[i]:], p.cfg.Columns[i].Kind, v)
	}
	p.seq++
}

// Reset empties the buffer (method reset). Sequence numbers continue.
func (p *Profile) Reset() {
	p.buf, p.head, p.n = p.buf[:0], 0, 0
}

// Row returns row i in capture order (0 = oldest) appended to dst.
func (p *Profile) Row(i int, dst []int64) []int64 {
	r := p.buf[((p.head+i)%p.n)*p.width:]
	for c, col := range p.cfg.Columns {
		dst = append(dst, get(r[p.offs[c]:], col.Kind))
	}
	return dst
}

// Value returns column c of row i in capture order.
func (p *Profile) Value(i, c int) int64 {
	return get(p.buf[((p.head+i)%p.n)*p.width+p.offs[c]:], p.cfg.Columns[c].Kind)
}

// Tail calls fn with every row captured after sequence number after,
// oldest first (those still in the buffer).
func (p *Profile) Tail(after uint64, fn func(seq uint64, row []int64)) {
	first := p.seq - uint64(p.n) + 1
	var row []int64
	for s := max(after+1, first); s <= p.seq; s++ {
		row = p.Row(int(s-first), row[:0])
		fn(s, row)
	}
}

// Restore replaces the content with rows captured up to sequence number
// seq (the last row has seq), oldest first; rows beyond the capacity drop
// the oldest.
func (p *Profile) Restore(seq uint64, rows [][]int64) error {
	p.Reset()
	for i, r := range rows {
		if len(r) != len(p.offs) {
			return fmt.Errorf("%w: restored row %d has %d values for %d columns", ErrInvalid, i, len(r), len(p.offs))
		}
		p.Append(r)
	}
	p.seq = seq
	return nil
}

func put(b []byte, k Kind, v int64) {
	switch k {
	case KindUint8, KindEnum:
		b[0] = byte(v)
	case KindUint16:
		binary.BigEndian.PutUint16(b, uint16(v))
	case KindUint32, KindInt32:
		binary.BigEndian.PutUint32(b, uint32(v))
	default:
		binary.BigEndian.PutUint64(b, uint64(v))
	}
}

func get(b []byte, k Kind) int64 {
	switch k {
	case KindUint8, KindEnum:
		return int64(b[0])
	case KindUint16:
		return int64(binary.BigEndian.Uint16(b))
	case KindUint32:
		return int64(binary.BigEndian.Uint32(b))
	case KindInt32:
		return int64(int32(binary.BigEndian.Uint32(b)))
	default:
		return int64(binary.BigEndian.Uint64(b))
	}
}

// Stamp is a captured date-time: the instant, and the deviation and
// clock status the meter's clock had then.
type Stamp struct {
	Unix      int64 // seconds
	Deviation int16 // minutes, UTC = local + deviation
	Status    axdr.ClockStatus
}

// Pack packs s into a column value: seconds in the high 40 bits.
func (s Stamp) Pack() int64 {
	return s.Unix<<24 | int64(uint16(s.Deviation))<<8 | int64(s.Status)
}

// Unpack is the inverse of Pack.
func Unpack(v int64) Stamp {
	return Stamp{Unix: v >> 24, Deviation: int16(uint16(v >> 8)), Status: axdr.ClockStatus(v)}
}

// DateTime returns the local date-time the stamp shows.
func (s Stamp) DateTime() axdr.DateTime {
	local := time.Unix(s.Unix, 0).In(time.FixedZone("", -int(s.Deviation)*60))
	dt := axdr.FromTime(local)
	dt.Status = s.Status
	return dt
}

package profile

import (
	"errors"
	"testing"
	"time"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

var (
	clockLN  = [6]byte{0, 0, 1, 0, 0, 255}
	statusLN = [6]byte{0, 0, 96, 10, 1, 255}
	importLN = [6]byte{1, 0, 1, 8, 0, 255}
)

func loadProfile(t *testing.T, capacity int, sort Sort) *Profile {
	t.Helper()
	p, err := New(Config{
		Columns: []Column{
			{Class: 8, Name: clockLN, Attr: 2, Kind: KindDateTime},
			{Class: 1, Name: statusLN, Attr: 2, Kind: KindUint8},
			{Class: 3, Name: importLN, Attr: 2, Kind: KindUint64},
		},
		Capacity: capacity, Period: 15 * time.Minute, Sort: sort,
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var t0 = time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)

// fill captures n quarter-hour rows: stamp, status i%3, register 1000+i.
func fill(p *Profile, n int) {
	for i := range n {
		at := t0.Add(time.Duration(i) * 15 * time.Minute)
		p.Append([]int64{Stamp{Unix: at.Unix(), Deviation: -60}.Pack(), int64(i % 3), 1000 + int64(i)})
	}
}

func decode(t *testing.T, b []byte) []axdr.Value {
	t.Helper()
	v, err := axdr.Decode(nil, b)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestRingAndOrder(t *testing.T) {
	p := loadProfile(t, 4, FIFO)
	fill(p, 6)
	if p.Len() != 4 || p.Seq() != 6 || p.RowBytes() != 17 {
		t.Fatalf("len %d seq %d width %d", p.Len(), p.Seq(), p.RowBytes())
	}
	var regs []int64
	for i := range p.Len() {
		regs = append(regs, p.Row(i, nil)[2])
	}
	if want := []int64{1002, 1003, 1004, 1005}; !equal(regs, want) {
		t.Fatalf("FIFO rows %v, want %v", regs, want)
	}
	lifo := loadProfile(t, 4, LIFO)
	fill(lifo, 6)
	v := decode(t, lifo.AppendSelection(nil, lifo.All()))
	// array(4) of structure(3){octet-string, unsigned, long64-unsigned}: the first row is the newest.
	if v[0].N != 4 {
		t.Fatalf("array of %d", v[0].N)
	}
	if got, _ := v[4].Uint(); got != 1005 {
		t.Fatalf("LIFO first row register %d", got)
	}
	p.Reset()
	if p.Len() != 0 || p.Seq() != 6 {
		t.Fatal("Reset")
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestEncoding(t *testing.T) {
	p := loadProfile(t, 10, FIFO)
	fill(p, 1)
	got := p.AppendSelection(nil, p.All())
	// 01 01 (array 1) 02 03 (structure 3)
	// 09 0C 07E8 03 01 05 01 00 00 00 FFC4 00 (2024-03-01 Fri 01:00 local, deviation −60)
	// 11 00 (unsigned 0) 15 00000000000003E8 (long64-unsigned 1000)
	want := []byte{0x01, 0x01, 0x02, 0x03,
		0x09, 0x0C, 0x07, 0xE8, 0x03, 0x01, 0x05, 0x01, 0x00, 0x00, 0x00, 0xFF, 0xC4, 0x00,
		0x11, 0x00, 0x15, 0, 0, 0, 0, 0, 0, 0x03, 0xE8}
	if string(got) != string(want) {
		t.Fatalf("encoded\n% X\nwant\n% X", got, want)
	}
	cols := decode(t, p.AppendColumns(nil))
	if cols[0].N != 3 || string(cols[3].Bytes) != string(clockLN[:]) {
		t.Fatalf("capture objects %v", axdr.Format(cols))
	}
}

func TestByRange(t *testing.T) {
	p := loadProfile(t, 100, FIFO)
	fill(p, 12) // 00:00 … 02:45 UTC
	from := Stamp{Unix: t0.Add(time.Hour).Unix()}.Pack()
	to := Stamp{Unix: t0.Add(2 * time.Hour).Unix(), Deviation: 120}.Pack() // deviation is ignored: instants compare
	s, err := p.ByRange(0, from, to, []int{2})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rows) != 5 || s.Rows[0] != 4 || s.Rows[4] != 8 {
		t.Fatalf("rows %v", s.Rows)
	}
	v := decode(t, p.AppendSelection(nil, s))
	if v[0].N != 5 || v[1].N != 1 {
		t.Fatalf("shape %s", axdr.Format(v))
	}
	if got, _ := v[2].Uint(); got != 1004 {
		t.Fatalf("first value %d", got)
	}
	// Range on a numeric column.
	s, _ = p.ByRange(2, 1010, 2000, nil)
	if len(s.Rows) != 2 {
		t.Fatalf("numeric range rows %v", s.Rows)
	}
	if _, err := p.ByRange(3, 0, 0, nil); !errors.Is(err, ErrInvalid) {
		t.Fatal("column 4 of 3 accepted")
	}
	// LIFO: the selection indexes buffer order.
	l := loadProfile(t, 100, LIFO)
	fill(l, 12)
	s, _ = l.ByRange(0, from, to, nil)
	if s.Rows[0] != 3 || s.Rows[4] != 7 {
		t.Fatalf("LIFO rows %v", s.Rows)
	}
}

func TestByEntry(t *testing.T) {
	p := loadProfile(t, 100, FIFO)
	fill(p, 10)
	for _, tc := range []struct {
		fe, te     uint32
		fc, tc     uint16
		rows, cols int
		first      int
		err        bool
	}{
		{1, 0, 1, 0, 10, 0, 0, false},
		{3, 5, 2, 3, 3, 2, 2, false},
		{8, 20, 3, 3, 3, 1, 7, false},
		{11, 0, 1, 0, 0, 0, 0, false},
		{5, 4, 1, 0, 0, 0, 0, true},
		{1, 0, 2, 4, 0, 0, 0, true},
	} {
		s, err := p.ByEntry(tc.fe, tc.te, tc.fc, tc.tc)
		if (err != nil) != tc.err {
			t.Errorf("%+v: err %v", tc, err)
			continue
		}
		if err != nil {
			continue
		}
		if len(s.Rows) != tc.rows || len(s.Columns) != tc.cols || (tc.rows > 0 && s.Rows[0] != tc.first) {
			t.Errorf("%+v: selection %+v", tc, s)
		}
	}
}

func TestTailAndRestore(t *testing.T) {
	p := loadProfile(t, 5, FIFO)
	fill(p, 8)
	var seqs []uint64
	var rows [][]int64
	p.Tail(5, func(seq uint64, row []int64) {
		seqs = append(seqs, seq)
		rows = append(rows, append([]int64(nil), row...))
	})
	if len(seqs) != 3 || seqs[0] != 6 || rows[0][2] != 1005 {
		t.Fatalf("tail %v %v", seqs, rows)
	}
	// Everything before the buffer's oldest row is gone.
	n := 0
	p.Tail(0, func(uint64, []int64) { n++ })
	if n != 5 {
		t.Fatalf("tail from 0 gave %d rows", n)
	}
	q := loadProfile(t, 5, FIFO)
	if err := q.Restore(8, rows); err != nil {
		t.Fatal(err)
	}
	if q.Seq() != 8 || q.Len() != 3 || q.Value(2, 2) != 1007 {
		t.Fatalf("restored seq %d len %d", q.Seq(), q.Len())
	}
	if err := q.Restore(1, [][]int64{{1}}); !errors.Is(err, ErrInvalid) {
		t.Fatal("short row restored")
	}
}

func TestStamp(t *testing.T) {
	for _, s := range []Stamp{{1, -60, 0x80}, {1_700_000_000, 720, axdr.StatusInvalid}, {4_000_000_000, -840, 0}} {
		if got := Unpack(s.Pack()); got != s {
			t.Errorf("Unpack(Pack(%+v)) = %+v", s, got)
		}
	}
	dt := Stamp{Unix: t0.Unix(), Deviation: -120, Status: 0x80}.DateTime()
	if dt.Hour != 2 || dt.Deviation != -120 || dt.Status != 0x80 {
		t.Errorf("DateTime %s", dt)
	}
}

func TestConfigValidate(t *testing.T) {
	good := Config{Columns: []Column{{Kind: KindUint8}}, Capacity: 1}
	for name, mod := range map[string]func(*Config){
		"no columns":      func(c *Config) { c.Columns = nil },
		"bad kind":        func(c *Config) { c.Columns[0].Kind = 99 },
		"zero capacity":   func(c *Config) { c.Capacity = 0 },
		"sub-second":      func(c *Config) { c.Period = time.Millisecond },
		"largest sort":    func(c *Config) { c.Sort = 3 },
		"negative period": func(c *Config) { c.Period = -time.Second },
	} {
		c := good
		c.Columns = append([]Column(nil), good.Columns...)
		mod(&c)
		if _, err := New(c); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

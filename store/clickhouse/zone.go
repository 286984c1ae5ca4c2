package clickhouse

import (
	"strconv"
	"strings"
	"time"

	"github.com/amigo-ami/amigo/store"
)

// zonePiece is a stretch [from, to) of a Location's time: its offset from
// UTC is offsets[i] milliseconds from starts[i] (starts[0] == from) until
// starts[i+1].
type zonePiece struct {
	from, to int64
	starts   []int64
	offsets  []int64
}

// zonePieces cuts r into pieces of at most perPiece offset changes of loc
// each. It gives up, returning false, beyond maxPieces pieces.
func zonePieces(loc *time.Location, r store.Range, perPiece, maxPieces int) ([]zonePiece, bool) {
	var pieces []zonePiece
	cur := zonePiece{from: r.From}
	ok := true
	offsetChanges(loc, r, func(at, off int64) bool {
		if len(cur.starts) > perPiece {
			cur.to = at
			pieces = append(pieces, cur)
			cur = zonePiece{from: at}
			if len(pieces) == maxPieces {
				ok = false
				return false
			}
		}
		cur.starts, cur.offsets = append(cur.starts, at), append(cur.offsets, off)
		return true
	})
	cur.to = r.To
	return append(pieces, cur), ok
}

// offsetChanges calls yield with r.From and loc's offset (ms) there, then
// with every later instant in r where the offset changes and the new
// offset, until yield returns false.
func offsetChanges(loc *time.Location, r store.Range, yield func(at, off int64) bool) {
	t := time.UnixMilli(r.From).In(loc)
	_, off := t.Zone()
	if !yield(r.From, int64(off)*1000) {
		return
	}
	for {
		_, end := t.ZoneBounds()
		if end.IsZero() {
			return
		}
		if !end.After(t) {
			// Go 1.26 ends the zone of the last day of a leap year past
			// the zone's table at the start of that day (so before t):
			// probe an hour later.
			end = t.Add(time.Hour)
		}
		if end.UnixMilli() >= r.To {
			return
		}
		t = end
		_, o := t.Zone()
		if o == off { // a new abbreviation, the same offset
			continue
		}
		off = o
		if !yield(t.UnixMilli(), int64(off)*1000) {
			return
		}
	}
}

// dayShift moves wall-clock milliseconds (Unix time plus an offset of at
// most ±26 hours) to positive values, so that integer division floors; it
// is whole days, so that it moves no bucket boundary.
const dayShift = 2 * 24 * int64(time.Hour/time.Millisecond)

// groupKeySQL returns a WITH clause defining, for the readings of one
// piece, zs: which offset of the piece applies to ts, and zk: the number
// of ts's wall-clock step (15 minutes, hour, day or month) in that offset.
// Readings with equal (zs, zk) share a bucket of store.Bucketer, except
// where a zone's odd offsets or skipped midnights make the Bucketer shift
// a bucket; Aggregate checks for that.
func groupKeySQL(step store.Step, p zonePiece) string {
	var zs, off string
	if len(p.offsets) == 1 {
		zs, off = "0", "("+itoa(p.offsets[0])+")"
	} else {
		var idx, offs strings.Builder
		idx.WriteString("(0")
		for _, s := range p.starts[1:] {
			idx.WriteString(" + (ts >= " + itoa(s) + ")")
		}
		idx.WriteString(")")
		for i, o := range p.offsets {
			if i > 0 {
				offs.WriteString(", ")
			}
			offs.WriteString(itoa(o))
		}
		zs, off = idx.String(), "["+offs.String()+"][zs + 1]"
	}
	with := "WITH " + zs + " AS zs, ts + " + off + " + " + itoa(dayShift) + " AS zw, "
	switch step {
	case store.Step15Min:
		return with + "intDiv(zw, 900000) AS zk"
	case store.StepHour:
		return with + "intDiv(zw, 3600000) AS zk"
	case store.StepDay:
		return with + "intDiv(zw, 86400000) AS zk"
	}
	// Months: the civil date of the wall-clock day (H. Hinnant's
	// days_from_civil inverted, in years starting 1 March), numbered so
	// that zk = year·12 + month − 3 for months 1…12.
	return with + "intDiv(zw, 86400000) - " + strconv.FormatInt(dayShift/86400000, 10) + " + 719468 AS zz, " +
		"intDiv(zz, 146097) AS zera, zz - zera * 146097 AS zdoe, " +
		"intDiv(zdoe - intDiv(zdoe, 1460) + intDiv(zdoe, 36524) - intDiv(zdoe, 146096), 365) AS zyoe, " +
		"zdoe - (365 * zyoe + intDiv(zyoe, 4) - intDiv(zyoe, 100)) AS zdoy, " +
		"(zera * 400 + zyoe) * 12 + intDiv(5 * zdoy + 2, 153) AS zk"
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

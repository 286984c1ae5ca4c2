package hdlc

import "context"

// sendQueue holds the APDU being sent, cut into segments of the agreed
// information field length, and its acknowledgement state (ISO/IEC
// 13239): V(A), the send sequence number of the oldest segment the peer
// has not acknowledged, and from it V(S), the number of the next one.
type sendQueue struct {
	data    []byte // LLC header and APDU; a copy the queue owns
	segLen  int
	n       int   // segments
	acked   int   // segments the peer acknowledged
	next    int   // next segment to send; acked ≤ next ≤ n
	sentMax int   // segments sent at least once: below it, sending again is a retransmission
	va      uint8 // V(A): N(S) of segment acked
}

// load queues llc+apdu. Numbering goes on from V(S); anything still
// unacknowledged from the previous APDU is given up.
func (q *sendQueue) load(llc string, apdu []byte, segLen int) {
	q.va = q.vs()
	q.data = append(append(q.data[:0], llc...), apdu...)
	q.segLen = segLen
	q.n = (len(q.data) + segLen - 1) / segLen
	q.acked, q.next, q.sentMax = 0, 0, 0
}

// vs is V(S), the send sequence number of segment next.
func (q *sendQueue) vs() uint8 { return q.seq(q.next) }

// seq is the send sequence number of segment i.
func (q *sendQueue) seq(i int) uint8 { return uint8(int(q.va)+i-q.acked) & 7 }

func (q *sendQueue) segment(i int) []byte {
	return q.data[i*q.segLen : min((i+1)*q.segLen, len(q.data))]
}

// ack takes N(R) from the peer: every segment numbered before it has
// arrived. It reports whether that acknowledged anything new, and false in
// ok when N(R) lies outside V(A)…V(S), which acknowledges frames never sent.
func (q *sendQueue) ack(nr uint8) (progress, ok bool) {
	k := int(nr-q.va) & 7
	if k > q.next-q.acked {
		return false, false
	}
	q.acked += k
	q.va = nr
	return k > 0, true
}

// rewind goes back to the first unacknowledged segment (go-back-N).
func (q *sendQueue) rewind() { q.next = q.acked }

// sendWindow sends the segments from next up to the window's end, the last
// one with the poll/final bit: a client's poll hands the turn to the server,
// a server's final bit hands it back.
func (c *Conn) sendWindow(ctx context.Context) error {
	q := &c.tx
	last := min(q.n, q.acked+c.params.WindowTransmit)
	c.wbuf = c.wbuf[:0]
	for i := q.next; i < last; i++ {
		if i < q.sentMax {
			c.stats.Retransmissions++
		}
		c.appendToPeer(Frame{
			Kind: KindI, NS: q.seq(i), NR: c.vr, PF: i == last-1,
			Segmented: i < q.n-1, Info: q.segment(i),
		})
	}
	if q.next < last {
		c.log.Debug("hdlc send", "from", q.next, "to", last, "of", q.n)
	}
	q.next = last
	q.sentMax = max(q.sentMax, last)
	return c.flush(ctx)
}

package sched

// Entry is one meter's place in the queue.
type Entry struct {
	At int64 // due time, Unix nanoseconds
	ID int32 // the meter's index
}

// Queue is a min-heap of entries by At (ties by ID, so the order is
// deterministic).
type Queue struct {
	h []Entry
}

// Len is the number of entries.
func (q *Queue) Len() int { return len(q.h) }

// Peek returns the earliest entry; the queue must not be empty.
func (q *Queue) Peek() Entry { return q.h[0] }

// Push adds an entry.
func (q *Queue) Push(e Entry) {
	q.h = append(q.h, e)
	q.up(len(q.h) - 1)
}

// Pop removes and returns the earliest entry; the queue must not be
// empty.
func (q *Queue) Pop() Entry {
	e := q.h[0]
	last := len(q.h) - 1
	q.h[0] = q.h[last]
	q.h = q.h[:last]
	if last > 0 {
		q.down(0)
	}
	return e
}

// PopDue appends to dst every entry due at or before at, earliest first,
// and removes them.
func (q *Queue) PopDue(dst []Entry, at int64) []Entry {
	for len(q.h) > 0 && q.h[0].At <= at {
		dst = append(dst, q.Pop())
	}
	return dst
}

func less(a, b Entry) bool { return a.At < b.At || a.At == b.At && a.ID < b.ID }

func (q *Queue) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !less(q.h[i], q.h[p]) {
			return
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

func (q *Queue) down(i int) {
	n := len(q.h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && less(q.h[r], q.h[l]) {
			m = r
		}
		if !less(q.h[m], q.h[i]) {
			return
		}
		q.h[i], q.h[m] = q.h[m], q.h[i]
		i = m
	}
}

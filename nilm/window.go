package nilm

// window is the detector's run of the latest cycles, oldest first, in a
// ring of at most size records. The ring owns every record and its v and
// i buffers: a new cycle is resampled into the oldest record once the ring
// is full, so a record read after the next push may hold another cycle;
// whatever outlives that (the steady states, an emitted event) is a copy.
type window struct {
	ring []cycleRec // grows to size, then is reused in place
	size int
	head int // ring index of the oldest held cycle
	n    int // cycles held
}

// push makes the newest cycle a record of m points, dropping the oldest
// when the window is full, and returns it for the caller to overwrite.
func (w *window) push(m int) *cycleRec {
	var c *cycleRec
	switch {
	case w.n < len(w.ring):
		c = &w.ring[(w.head+w.n)%len(w.ring)]
		w.n++
	case len(w.ring) < w.size:
		// Still filling since the window was made: head is 0, so the new
		// record goes after the newest.
		w.ring = append(w.ring, cycleRec{v: make([]float64, m), i: make([]float64, m)})
		c = &w.ring[len(w.ring)-1]
		w.n++
	default:
		c = &w.ring[w.head]
		w.head = (w.head + 1) % len(w.ring)
	}
	return c
}

// at is the j-th held cycle, 0 the oldest.
func (w *window) at(j int) *cycleRec { return &w.ring[(w.head+j)%len(w.ring)] }

// newest is the cycle pushed last.
func (w *window) newest() *cycleRec { return w.at(w.n - 1) }

// reset forgets every cycle and keeps the records for reuse.
func (w *window) reset() { w.head, w.n = 0, 0 }

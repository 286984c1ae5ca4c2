package store

// Outcome is what Merge did with an incoming reading.
type Outcome uint8

// Outcomes of Merge and Store.Append.
const (
	// Added: no reading was stored under the key.
	Added Outcome = iota
	// Unchanged: an exact duplicate, or a lower class than the stored
	// reading (an estimate arriving after the actual value).
	Unchanged
	// Replaced: the stored reading was replaced (an estimate by the actual
	// value, a re-estimate, an edit) or gained the incoming flags.
	Replaced
	// Conflicted: a different actual value; the stored reading stays and the
	// incoming one goes to the conflicts list.
	Conflicted
)

// Merge returns the reading to keep when incoming arrives for the key of
// stored, and what happened, by the table in the package documentation.
// Both readings must have the same key; Merge does not check.
func Merge(stored, incoming Reading) (Reading, Outcome) {
	sc, ic := stored.Quality.Class(), incoming.Quality.Class()
	switch {
	case sc == ClassMissing && ic == ClassMissing:
		return orFlags(stored, incoming.Quality)
	case ic == ClassEdited, sc == ClassMissing, sc == ClassEstimated && ic >= ClassEstimated:
		if incoming == stored {
			return stored, Unchanged
		}
		return incoming, Replaced
	case ic < ClassActual:
		return stored, Unchanged
	case incoming.Value != stored.Value:
		return stored, Conflicted
	case sc == ClassActual:
		return orFlags(stored, incoming.Quality)
	default: // an actual equal to an edited value confirms it
		return stored, Unchanged
	}
}

func orFlags(stored Reading, q Quality) (Reading, Outcome) {
	if stored.Quality|q == stored.Quality {
		return stored, Unchanged
	}
	stored.Quality |= q
	return stored, Replaced
}

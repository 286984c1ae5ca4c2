package schedule

import (
	"testing"
	"time"
)

// FuzzParse: any spec parses or fails; a parsed spec's next firing is
// after the instant asked about.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"*/15 * * * *", "0 0 29 2 *", "@every 15m", "30 6 * * 1-5", "0,30 8-9/1 * * 7"} {
		f.Add(s)
	}
	t0 := time.Date(2024, 3, 1, 12, 7, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		s, err := Parse(text, nil)
		if err != nil {
			return
		}
		if next := s.Next(t0); !next.IsZero() && !next.After(t0) {
			t.Fatalf("%q: next %v is not after %v", text, next, t0)
		}
	})
}

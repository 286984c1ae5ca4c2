package fault

import (
	"testing"
)

// FuzzParse feeds arbitrary specifications and fault files: each is
// refused with ErrSpec or parses to a Spec whose String parses back to the
// same Spec, and whose plan's events come in time order; no input panics.
// Seeds: testdata/fuzz/FuzzParse and those below.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "loss", "loss=1e309", "offline=0.999999@1s", "restart=1/1s", "latency=1h~1h", "drift=1e4", "a=b=c,,"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, file bool) {
		var spec Spec
		var err error
		if file {
			spec, err = ParseFile("fuzz.toml", []byte(s))
		} else {
			spec, err = Parse(s)
		}
		if err != nil {
			return
		}
		back, err := Parse(spec.String())
		if err != nil || back != spec {
			t.Fatalf("%q parsed to %+v, whose String %q parses to %+v (%v)", s, spec, spec.String(), back, err)
		}
		p := NewPlan(&spec, 1, 0, t0)
		last := t0
		for range 20 {
			if p == nil || p.Next().IsZero() {
				break
			}
			e := p.Pop()
			if e.At.Before(last) {
				t.Fatalf("%q: event %+v before %v", s, e, last)
			}
			last = e.At
		}
		p.Frame()
	})
}

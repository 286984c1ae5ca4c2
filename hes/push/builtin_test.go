package push_test

import (
	"path/filepath"
	"testing"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/hes/push"
	"github.com/amigo-ami/amigo/meter/config"
	"github.com/amigo-ami/amigo/sim"
)

// The built-in layouts are what the amigo meter sends: every push setup of
// the example meter.toml and of the simulator's template whose name is a
// built-in layout's captures exactly that layout's objects, so a stock
// head-end decodes all of their pushes.
func TestBuiltinLayoutsAreTheMetersPushes(t *testing.T) {
	builtin := map[cosem.OBIS]push.Layout{}
	for _, l := range push.BuiltinLayouts() {
		builtin[l.Name] = l
	}
	example, err := config.Load(filepath.Join("..", "..", "meter", "config", "example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]config.File{"example.toml": example, "sim template": sim.Template()} {
		seen := 0
		for _, p := range f.Meter.Push {
			l, ok := builtin[cosem.OBIS(p.Setup.Name)]
			if !ok {
				continue
			}
			seen++
			if len(p.Setup.Objects) != len(l.Elements) {
				t.Errorf("%s: push %s captures %d objects, the layout %d", name, l.Name, len(p.Setup.Objects), len(l.Elements))
				continue
			}
			for i, o := range p.Setup.Objects {
				want := l.Elements[i].Object
				if (cosem.CaptureObject{Class: cosem.ClassID(o.Class), Name: cosem.OBIS(o.Name), Attribute: o.Attr}) != want {
					t.Errorf("%s: push %s object %d is %v, the layout's %v", name, l.Name, i, o, want)
				}
			}
		}
		if seen != 3 {
			t.Errorf("%s: %d push setups with a built-in layout, want 3 (interval, event, tamper)", name, seen)
		}
	}
}

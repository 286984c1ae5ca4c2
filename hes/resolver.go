package hes

import (
	"context"

	"github.com/amigo-ami/amigo/hes/push"
)

// titleResolver finds pushing meters in the registry.
type titleResolver struct{ h *HeadEnd }

func (r titleResolver) ResolveTitle(ctx context.Context, title [8]byte) (push.Meter, bool, error) {
	m, ok := r.h.reg.ByTitle(title)
	if !ok {
		return push.Meter{}, false, nil
	}
	k, err := r.h.reg.Keys(ctx, m.KeysRef)
	if err != nil {
		return push.Meter{}, false, err
	}
	return push.Meter{ID: m.ID, Serial: m.Serial, EK: k.EK, AK: k.AK}, true, nil
}

package hes

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms/axdr"
	"github.com/amigo-ami/amigo/dlms/security"
	"github.com/amigo-ami/amigo/hes/conn"
	"github.com/amigo-ami/amigo/hes/registry"
)

// SecuritySetupObject is the management client's security setup.
var SecuritySetupObject = cosem.OBIS{0, 0, 43, 0, 0, 255}

// KeyResult names the key set a meter uses after a rotation (never the
// keys).
type KeyResult struct {
	KeySet string `json:"key_set"`
}

// runRotateKeys gives a meter new encryption and authentication keys:
//
//  1. draws them and stores them as a new key set (before the meter has
//     them, so that no crash can leave the meter with keys nobody knows);
//  2. sends them with key_transfer (security setup method 2), each wrapped
//     with the master key (RFC 3394);
//  3. opens a new association with the new keys and reads the clock;
//  4. points the meter at the new key set.
//
// If the transfer's answer is lost, step 3 tells whether the meter took
// the keys. If the meter answers neither key set, the job fails as a wrong
// key.
func runRotateKeys(ctx context.Context, h *HeadEnd, j Job, m registry.Meter) (any, error) {
	old, err := h.reg.Keys(ctx, m.KeysRef)
	if err != nil {
		return nil, err
	}
	if len(old.KEK) != security.KeySize {
		return nil, conn.Permanent(fmt.Errorf("key set %q has no master key to wrap new keys with", m.KeysRef))
	}
	fresh := registry.Keys{EK: make([]byte, security.KeySize), AK: make([]byte, security.KeySize), KEK: old.KEK, Password: old.Password}
	if _, err := io.ReadFull(h.cfg.Rand, fresh.EK); err != nil {
		return nil, err
	}
	if _, err := io.ReadFull(h.cfg.Rand, fresh.AK); err != nil {
		return nil, err
	}
	ref := fmt.Sprintf("%s@%d", m.Serial, h.cfg.Clock.Now().UnixMilli())
	if err := h.reg.SaveKeys(ctx, "job:"+fmt.Sprint(j.ID), ref, fresh); err != nil {
		return nil, err
	}
	wrapped, err := cosem.AppendKeyTransfer(nil, old.KEK, map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: fresh.EK, cosem.KeyAuthentication: fresh.AK})
	clear(fresh.EK)
	clear(fresh.AK)
	if err != nil {
		return nil, conn.Permanent(err)
	}
	params, err := axdr.Decode(nil, wrapped)
	if err != nil {
		return nil, conn.Permanent(err)
	}
	transferErr := h.conn.Do(ctx, m, func(ctx context.Context, s *conn.Session) error {
		_, err := s.Client.Action(ctx, cosem.Ref{Class: cosem.ClassSecuritySetup, Name: SecuritySetupObject, ID: 2}, params)
		return err
	}, conn.Once(), conn.Fresh())
	h.conn.Drop(m.Serial)
	if transferErr != nil && !errors.Is(transferErr, conn.ErrUnreachable) && conn.Reason(transferErr) != "timeout" {
		return nil, fmt.Errorf("key_transfer refused: %w", transferErr)
	}
	// Whatever the transfer answered, the keys the meter now answers to
	// decide.
	check := func(ctx context.Context, s *conn.Session) error {
		_, err := s.Client.Get(ctx, cosem.Ref{Class: cosem.ClassClock, Name: ClockObject, ID: 2}, nil)
		return err
	}
	if err := h.conn.Do(ctx, m, check, conn.WithKeys(ref), conn.Fresh()); err != nil {
		if oerr := h.conn.Do(ctx, m, check, conn.Fresh()); oerr == nil {
			return nil, fmt.Errorf("the meter kept its old keys: %w", errors.Join(transferErr, err))
		}
		return nil, fmt.Errorf("%w: the meter answers neither key set after key_transfer: %w", conn.ErrWrongKey, err)
	}
	m.KeysRef = ref
	if err := h.reg.Update(ctx, m); err != nil {
		return nil, err
	}
	if h.push != nil {
		h.push.Forget(m.Address.SystemTitle)
	}
	return KeyResult{KeySet: ref}, nil
}

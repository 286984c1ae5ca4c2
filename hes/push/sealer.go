package push

import (
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	meterpush "github.com/amigo-ami/amigo/meter/push"
)

// Sealer is the meter's side of a push with fixed keys, for simulators,
// tests and benchmarks: the meter's own sealing (meter/push.Sealer,
// general-glo-ciphering with the meter's keys, system title and "push"
// counter, in a wrapper frame) plus the body of a Layout. Not safe for
// concurrent use.
type Sealer struct {
	s     *meterpush.Sealer
	plain []byte
	body  []byte
}

// NewSealer returns a sealer for the meter with title and keys, counting
// from the counters store (its meter/push.CounterKey).
func NewSealer(title [8]byte, ek, ak []byte, counters dlms.CounterStore) (*Sealer, error) {
	if len(ek) != dlms.KeySize || len(ak) != dlms.KeySize {
		return nil, fmt.Errorf("push: keys of %d and %d bytes, want %d", len(ek), len(ak), dlms.KeySize)
	}
	keys := cosem.NewMemKeys(map[cosem.KeyID][]byte{cosem.KeyGlobalUnicast: ek, cosem.KeyAuthentication: ak})
	return &Sealer{s: meterpush.NewSealer(title, keys, counters)}, nil
}

// AppendFrame appends the wrapper frame (from wPort 1 to the head-end's
// wPort 1) of the ciphered plain APDU.
func (s *Sealer) AppendFrame(dst, plain []byte) ([]byte, error) {
	return s.s.AppendFrame(dst, plain)
}

// AppendDataPush appends the frame of a DataNotification laid out as l
// with the register values at t.
func (s *Sealer) AppendDataPush(dst []byte, l Layout, invokeID uint32, t time.Time, values []int64) ([]byte, error) {
	var err error
	if s.body, err = l.AppendBody(s.body[:0], t, values); err != nil {
		return dst, err
	}
	// 0F invoke-id(4) date-time(absent: length 0) body
	s.plain = append(s.plain[:0], dlms.TagDataNotification, byte(invokeID>>24), byte(invokeID>>16), byte(invokeID>>8), byte(invokeID), 0)
	s.plain = append(s.plain, s.body...)
	return s.AppendFrame(dst, s.plain)
}

package push

import (
	"fmt"
	"time"

	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/wrapper"
)

// Sealer is the meter's side of a push: it protects notifications with
// general-glo-ciphering (authenticated encryption, the meter's keys and
// system title) and frames them for the TCP wrapper or UDP. Simulators,
// tests and benchmarks push with it. Not safe for concurrent use.
type Sealer struct {
	sec   *dlms.SecurityContext
	plain []byte
	body  []byte
	ct    []byte
}

// NewSealer returns a sealer for the meter with title and keys, counting
// from the counters store (its "push" key).
func NewSealer(title [8]byte, ek, ak []byte, counters dlms.CounterStore) (*Sealer, error) {
	sec, err := dlms.NewSecurityContext(dlms.SecurityConfig{EncryptionKey: ek, AuthenticationKey: ak,
		LocalTitle: title[:], PeerTitle: listenerTitle, Policy: dlms.SecurityAuthenticatedEncryption,
		Counters: counters, SendKey: "push", ReceiveKey: "unused"})
	if err != nil {
		return nil, err
	}
	return &Sealer{sec: sec}, nil
}

// AppendFrame appends the wrapper frame (from wPort 1 to the head-end's
// wPort 1) of the ciphered plain APDU.
func (s *Sealer) AppendFrame(dst, plain []byte) ([]byte, error) {
	var err error
	if s.ct, err = s.sec.ProtectGeneral(s.ct[:0], plain, false); err != nil {
		return dst, err
	}
	return wrapper.AppendFrame(dst, wrapper.Frame{Source: 1, Dest: 1, APDU: s.ct})
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
	out, err := s.AppendFrame(dst, s.plain)
	if err != nil {
		return dst, fmt.Errorf("push: seal: %w", err)
	}
	return out, nil
}

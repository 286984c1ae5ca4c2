package push

import (
	"crypto/subtle"
	"fmt"
	"sync"

	"github.com/amigo-ami/amigo/cosem"
	"github.com/amigo-ami/amigo/dlms"
	"github.com/amigo-ami/amigo/dlms/wrapper"
)

// HeadEndTitle is the system title a meter seals its pushes for, and the
// one the head-end's push listener opens them as. General-glo-ciphering
// carries only the sender's title (the IV is the sender's title and
// counter), so the peer's title never reaches the wire; it only has to be
// a valid 8-byte title on both sides.
var HeadEndTitle = [dlms.SystemTitleSize]byte{'A', 'M', 'I', 'G', 'O', 'H', 'E', 'S'}

// CounterKey names the invocation counter a meter sends its pushes with in
// its counter store (next to its DLMS server's counters).
const CounterKey = "push"

// Sealer protects a meter's pushes the way the head-end's push listener
// takes them: general-glo-ciphering with security suite 0, authenticated
// and encrypted, with the meter's system title and the next invocation
// counter of its store. The keys are read from the meter's security setup
// key store at every push, so a key_transfer applies from the next push
// on. Safe for concurrent use; pushes to one destination must be sealed
// in the order they are sent, since the head-end accepts a meter's
// counters only increasing.
type Sealer struct {
	title    [dlms.SystemTitleSize]byte
	keys     cosem.KeyStore
	counters dlms.CounterStore

	mu     sync.Mutex
	sec    *dlms.SecurityContext // for ek and ak
	ek, ak []byte
}

// NewSealer returns the sealer of the meter with system title, whose
// global unicast encryption and authentication keys are in keys and whose
// push counter (CounterKey) is in counters.
func NewSealer(title [dlms.SystemTitleSize]byte, keys cosem.KeyStore, counters dlms.CounterStore) *Sealer {
	return &Sealer{title: title, keys: keys, counters: counters}
}

// Seal appends the general-glo-ciphering of the plain APDU (a
// Data-Notification) to dst.
func (s *Sealer) Seal(dst, plain []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sec, err := s.context()
	if err != nil {
		return dst, fmt.Errorf("push: seal: %w", err)
	}
	out, err := sec.ProtectGeneral(dst, plain, false)
	if err != nil {
		return dst, fmt.Errorf("push: seal: %w", err)
	}
	return out, nil
}

// AppendFrame appends the IEC 62056-47 wrapper frame, from the meter's
// wPort 1 to the head-end's wPort 1, of the sealed plain APDU: what goes on
// a TCP connection or in a UDP datagram.
func (s *Sealer) AppendFrame(dst, plain []byte) ([]byte, error) {
	ct, err := s.Seal(nil, plain)
	if err != nil {
		return dst, err
	}
	return wrapper.AppendFrame(dst, wrapper.Frame{Source: 1, Dest: 1, APDU: ct})
}

// context returns the security context of the keys the store holds now,
// building a new one only when they changed. Called with s.mu held.
func (s *Sealer) context() (*dlms.SecurityContext, error) {
	ek, err := s.keys.Key(cosem.KeyGlobalUnicast)
	if err != nil {
		return nil, err
	}
	ak, err := s.keys.Key(cosem.KeyAuthentication)
	if err != nil {
		clear(ek)
		return nil, err
	}
	if s.sec != nil && subtle.ConstantTimeCompare(ek, s.ek) == 1 && subtle.ConstantTimeCompare(ak, s.ak) == 1 {
		clear(ek)
		clear(ak)
		return s.sec, nil
	}
	sec, err := dlms.NewSecurityContext(dlms.SecurityConfig{EncryptionKey: ek, AuthenticationKey: ak,
		LocalTitle: s.title[:], PeerTitle: HeadEndTitle[:], Policy: dlms.SecurityAuthenticatedEncryption,
		Counters: s.counters, SendKey: CounterKey, ReceiveKey: CounterKey + "/unused"})
	if err != nil {
		clear(ek)
		clear(ak)
		return nil, err
	}
	clear(s.ek)
	clear(s.ak)
	s.sec, s.ek, s.ak = sec, ek, ak
	return sec, nil
}

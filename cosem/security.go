package cosem

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/amigo-ami/amigo/dlms/axdr"
)

// KeyID is key_id of Security setup key_transfer (Blue Book §4.4.7).
type KeyID uint8

const (
	KeyGlobalUnicast   KeyID = 0 // global unicast encryption key (GUEK)
	KeyGlobalBroadcast KeyID = 1 // global broadcast encryption key (GBEK)
	KeyAuthentication  KeyID = 2 // authentication key (AK)
	KeyMaster          KeyID = 3 // master key, the key-encrypting key (KEK)
)

func (k KeyID) String() string {
	switch k {
	case KeyGlobalUnicast:
		return "global-unicast-encryption-key"
	case KeyGlobalBroadcast:
		return "global-broadcast-encryption-key"
	case KeyAuthentication:
		return "authentication-key"
	case KeyMaster:
		return "master-key"
	}
	return fmt.Sprintf("key-%d", uint8(k))
}

// ErrNoKey is returned for a key a store does not hold.
var ErrNoKey = errors.New("cosem: no such key")

// KeyStore holds the symmetric keys of one security setup. The server
// reads them when an association starts; key_transfer replaces them, so a
// new key applies from the next association on.
type KeyStore interface {
	// Key returns a copy of key id, or an error wrapping ErrNoKey.
	Key(id KeyID) ([]byte, error)
	// SetKey replaces key id; a persistent store makes the change durable
	// before it returns.
	SetKey(ctx context.Context, id KeyID, key []byte) error
}

// MemKeys is a KeyStore in memory, safe for concurrent use.
type MemKeys struct {
	mu   sync.RWMutex
	keys map[KeyID][]byte
}

// NewMemKeys returns a store holding keys.
func NewMemKeys(keys map[KeyID][]byte) *MemKeys {
	m := &MemKeys{keys: map[KeyID][]byte{}}
	for id, k := range keys {
		m.keys[id] = bytes.Clone(k)
	}
	return m
}

func (m *MemKeys) Key(id KeyID) ([]byte, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	k, ok := m.keys[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoKey, id)
	}
	return bytes.Clone(k), nil
}

func (m *MemKeys) SetKey(_ context.Context, id KeyID, key []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.keys[id] = bytes.Clone(key)
	return nil
}

// Security policy bits of Security setup version 1 (Blue Book §4.4.7).
const (
	PolicyAuthenticatedRequest  uint8 = 1 << 2
	PolicyEncryptedRequest      uint8 = 1 << 3
	PolicySignedRequest         uint8 = 1 << 4
	PolicyAuthenticatedResponse uint8 = 1 << 5
	PolicyEncryptedResponse     uint8 = 1 << 6
	PolicySignedResponse        uint8 = 1 << 7

	// PolicyAuthenticatedEncrypted is what ARCHITECTURE §4 asks of the
	// management client: requests and responses authenticated and
	// encrypted.
	PolicyAuthenticatedEncrypted = PolicyAuthenticatedRequest | PolicyEncryptedRequest |
		PolicyAuthenticatedResponse | PolicyEncryptedResponse
)

// SecuritySetup is a Security setup object (IC 64, version 1) over a
// KeyStore: security policy and suite, the system titles, and the methods
// security_activate and key_transfer (keys wrapped with the master key by
// RFC 3394). Certificates (suites 1 and 2) are not supported. It is safe
// for concurrent use.
type SecuritySetup struct {
	name        OBIS
	suite       uint8
	clientTitle []byte
	serverTitle []byte
	keys        KeyStore

	mu     sync.Mutex
	policy uint8
}

// NewSecuritySetup returns a security setup named name for security suite
// suite (0: AES-GCM-128) with policy, the two system titles and keys.
func NewSecuritySetup(name OBIS, policy, suite uint8, clientTitle, serverTitle []byte, keys KeyStore) *SecuritySetup {
	return &SecuritySetup{name: name, policy: policy, suite: suite, clientTitle: bytes.Clone(clientTitle),
		serverTitle: bytes.Clone(serverTitle), keys: keys}
}

func (s *SecuritySetup) ID() ObjectID {
	return ObjectID{Class: ClassSecuritySetup, Version: 1, Name: s.name}
}

// Policy returns the security policy bits.
func (s *SecuritySetup) Policy() uint8 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.policy
}

func (s *SecuritySetup) Get(_ context.Context, dst []byte, attr int8, _ *Selector) ([]byte, error) {
	switch attr {
	case 2:
		return axdr.AppendEnum(dst, s.Policy()), nil
	case 3:
		return axdr.AppendEnum(dst, s.suite), nil
	case 4:
		return axdr.AppendOctetString(dst, s.clientTitle), nil
	case 5:
		return axdr.AppendOctetString(dst, s.serverTitle), nil
	case 6:
		return axdr.AppendArray(dst, 0), nil
	}
	return dst, ErrUndefined
}

func (s *SecuritySetup) Set(context.Context, int8, []axdr.Value) error {
	return fmt.Errorf("%w: security setup attributes change through its methods", ErrDenied)
}

func (s *SecuritySetup) Action(ctx context.Context, dst []byte, method int8, params []axdr.Value) ([]byte, error) {
	switch method {
	case 1:
		return dst, s.activate(params)
	case 2:
		return dst, s.transferKeys(ctx, params)
	case 3, 4, 5, 6, 7, 8:
		return dst, fmt.Errorf("%w: security suite %d has no certificates", ErrUnavailable, s.suite)
	}
	return dst, ErrUndefined
}

// activate raises the security policy; it never drops a bit already set
// (a policy only gets stronger, Blue Book §4.4.7).
func (s *SecuritySetup) activate(params []axdr.Value) error {
	if len(params) != 1 || params[0].Tag != axdr.TagEnum {
		return fmt.Errorf("%w: security_activate takes an enum", ErrTypeUnmatched)
	}
	p, _ := params[0].Uint()
	s.mu.Lock()
	defer s.mu.Unlock()
	if uint8(p)&s.policy != s.policy {
		return fmt.Errorf("%w: policy 0x%02X would weaken 0x%02X", ErrDenied, p, s.policy)
	}
	s.policy = uint8(p)
	return nil
}

// transferKeys unwraps every key of key_transfer's array of key_data
// structure {key_id enum, key_wrapped octet-string} with the master key,
// and stores them only when all unwrap.
func (s *SecuritySetup) transferKeys(ctx context.Context, params []axdr.Value) error {
	if len(params) == 0 || params[0].Tag != axdr.TagArray || len(params) != 1+3*params[0].N {
		return fmt.Errorf("%w: key_transfer takes an array of structure {enum, octet-string}", ErrTypeUnmatched)
	}
	kek, err := s.keys.Key(KeyMaster)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrDenied, err)
	}
	defer clear(kek)
	type newKey struct {
		id  KeyID
		key []byte
	}
	var keys []newKey
	for i := 1; i < len(params); i += 3 {
		st, id, wrapped := params[i], params[i+1], params[i+2]
		if st.Tag != axdr.TagStructure || st.N != 2 || id.Tag != axdr.TagEnum || wrapped.Tag != axdr.TagOctetString {
			return fmt.Errorf("%w: key_data %d is not structure {enum, octet-string}", ErrTypeUnmatched, i/3)
		}
		k, _ := id.Uint()
		if k > uint64(KeyMaster) {
			return fmt.Errorf("%w: key_id %d", ErrScopeOfAccess, k)
		}
		key, err := UnwrapKey(kek, wrapped.Bytes)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrDenied, KeyID(k), err)
		}
		keys = append(keys, newKey{KeyID(k), key})
	}
	for _, k := range keys {
		err := s.keys.SetKey(ctx, k.id, k.key)
		clear(k.key)
		if err != nil {
			return fmt.Errorf("%w: storing %s: %v", ErrHardwareFault, k.id, err)
		}
	}
	return nil
}

// AppendKeyTransfer appends key_transfer's parameter for keys, each
// wrapped with kek: what a client sends to change keys.
func AppendKeyTransfer(dst []byte, kek []byte, keys map[KeyID][]byte) ([]byte, error) {
	for id := range keys {
		if id > KeyMaster {
			return dst, fmt.Errorf("cosem: key_transfer: %s cannot be transferred", id)
		}
	}
	dst = axdr.AppendArray(dst, len(keys))
	for id := KeyGlobalUnicast; id <= KeyMaster; id++ {
		key, ok := keys[id]
		if !ok {
			continue
		}
		wrapped, err := WrapKey(kek, key)
		if err != nil {
			return dst, fmt.Errorf("%s: %w", id, err)
		}
		dst = axdr.AppendOctetString(axdr.AppendEnum(axdr.AppendStructure(dst, 2), uint8(id)), wrapped)
	}
	return dst, nil
}

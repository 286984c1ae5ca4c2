package cosem

import (
	"crypto/aes"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrKeyUnwrap reports a wrapped key that fails the RFC 3394 integrity
// check: a wrong key-encrypting key, or tampered bytes.
var ErrKeyUnwrap = errors.New("cosem: key unwrap integrity check failed")

// keyWrapIV is the default initial value of RFC 3394 §2.2.3.1.
const keyWrapIV = 0xA6A6A6A6A6A6A6A6

// WrapKey wraps key (a multiple of 8 bytes, at least 16) with the
// key-encrypting key kek (16, 24 or 32 bytes) by the AES key wrap of RFC
// 3394 §2.2.1, as Security setup key_transfer carries keys (Blue Book
// §4.4.7). The AES block cipher is the standard library's; only the wrap's
// chaining is written here.
func WrapKey(kek, key []byte) ([]byte, error) {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("cosem: key wrap: %w", err)
	}
	if len(key) < 16 || len(key)%8 != 0 {
		return nil, fmt.Errorf("cosem: key wrap: key of %d bytes, want a multiple of 8, at least 16", len(key))
	}
	n := len(key) / 8
	out := make([]byte, 8+len(key))
	copy(out[8:], key)
	a := uint64(keyWrapIV)
	var b [16]byte
	for j := 0; j < 6; j++ {
		for i := 1; i <= n; i++ {
			r := out[8*i : 8*i+8]
			binary.BigEndian.PutUint64(b[:8], a)
			copy(b[8:], r)
			block.Encrypt(b[:], b[:])
			a = binary.BigEndian.Uint64(b[:8]) ^ uint64(n*j+i)
			copy(r, b[8:])
		}
	}
	binary.BigEndian.PutUint64(out[:8], a)
	return out, nil
}

// UnwrapKey reverses WrapKey (RFC 3394 §2.2.2) and checks the integrity
// value, failing with ErrKeyUnwrap.
func UnwrapKey(kek, wrapped []byte) ([]byte, error) {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("cosem: key unwrap: %w", err)
	}
	if len(wrapped) < 24 || len(wrapped)%8 != 0 {
		return nil, fmt.Errorf("cosem: key unwrap: %d bytes, want a multiple of 8, at least 24", len(wrapped))
	}
	n := len(wrapped)/8 - 1
	key := make([]byte, len(wrapped)-8)
	copy(key, wrapped[8:])
	a := binary.BigEndian.Uint64(wrapped[:8])
	var b [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			r := key[8*(i-1) : 8*i]
			binary.BigEndian.PutUint64(b[:8], a^uint64(n*j+i))
			copy(b[8:], r)
			block.Decrypt(b[:], b[:])
			a = binary.BigEndian.Uint64(b[:8])
			copy(r, b[8:])
		}
	}
	var got, want [8]byte
	binary.BigEndian.PutUint64(got[:], a)
	binary.BigEndian.PutUint64(want[:], keyWrapIV)
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		clear(key)
		return nil, ErrKeyUnwrap
	}
	return key, nil
}

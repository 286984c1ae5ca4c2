package sim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"

	"github.com/amigo-ami/amigo/meter/config"
)

// Keys are one meter's secrets as the registry export gives them.
type Keys struct {
	EK, AK, KEK []byte // global unicast encryption, authentication, master
	Password    []byte // LLS (reader client)
}

// keysOf returns the keys of the meter with serial. Per-meter keys are
// HMAC-SHA256 of a key derived from the seed: reproducible, distinct, and
// for simulation only (anyone who knows the seed knows them).
func keysOf(mode KeyMode, seed uint64, serial string, sec config.Security) Keys {
	if mode == DemoKeys {
		return Keys{EK: bytes.Clone(sec.EncryptionKey), AK: bytes.Clone(sec.AuthenticationKey), KEK: bytes.Clone(sec.MasterKey), Password: bytes.Clone(sec.Password)}
	}
	root := sha256.Sum256(binary.BigEndian.AppendUint64([]byte("amigo sim keys "), seed))
	derive := func(name string) []byte {
		m := hmac.New(sha256.New, root[:])
		m.Write([]byte(name + "/" + serial))
		return m.Sum(nil)[:16]
	}
	return Keys{EK: derive("EK"), AK: derive("AK"), KEK: derive("KEK"), Password: bytes.Clone(sec.Password)}
}

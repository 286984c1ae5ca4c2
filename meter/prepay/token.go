package prepay

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/amigo-ami/amigo/meter/tariff"
)

// TokenSize is the length of a token.
const TokenSize = 32

const tagSize = TokenSize - 12

// Errors of token entry.
var (
	ErrToken  = errors.New("prepay: token not authentic")
	ErrReplay = errors.New("prepay: token already used")
)

// Token is a decoded, authenticated token.
type Token struct {
	ID     uint32
	Amount tariff.Money
}

// MakeToken returns the token for meter serial (what a vending system
// does).
func MakeToken(key []byte, serial string, id uint32, amount tariff.Money) []byte {
	b := binary.BigEndian.AppendUint32(make([]byte, 0, TokenSize), id)
	b = binary.BigEndian.AppendUint64(b, uint64(amount))
	return append(b, tag(key, serial, b)...)
}

func tag(key []byte, serial string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("amigo-token"))
	m.Write([]byte(serial))
	m.Write(body)
	return m.Sum(nil)[:tagSize]
}

// ParseToken authenticates b for meter serial. It does not check replay.
func ParseToken(key []byte, serial string, b []byte) (Token, error) {
	if len(b) != TokenSize {
		return Token{}, fmt.Errorf("%w: %d bytes, want %d", ErrToken, len(b), TokenSize)
	}
	if !hmac.Equal(tag(key, serial, b[:12]), b[12:]) {
		return Token{}, ErrToken
	}
	t := Token{ID: binary.BigEndian.Uint32(b), Amount: tariff.Money(binary.BigEndian.Uint64(b[4:]))}
	if t.Amount <= 0 {
		return Token{}, fmt.Errorf("%w: amount %v", ErrToken, t.Amount)
	}
	return t, nil
}

// Window is the anti-replay state: the highest id accepted and a bitmap
// of the 64 ids below and including it (bit k for Highest−k).
type Window struct {
	Highest uint32
	Seen    uint64
	Any     bool // an id was accepted
}

// Accept records id, or returns ErrReplay if it was used or is too old.
func (w *Window) Accept(id uint32) error {
	switch {
	case !w.Any || id > w.Highest:
		shift := uint64(64)
		if w.Any {
			shift = uint64(id - w.Highest)
		}
		if shift >= 64 {
			w.Seen = 0
		} else {
			w.Seen <<= shift
		}
		w.Seen |= 1
		w.Highest, w.Any = id, true
		return nil
	case w.Highest-id >= 64:
		return fmt.Errorf("%w: id %d is more than 64 below %d", ErrReplay, id, w.Highest)
	case w.Seen&(1<<(w.Highest-id)) != 0:
		return fmt.Errorf("%w: id %d", ErrReplay, id)
	}
	w.Seen |= 1 << (w.Highest - id)
	return nil
}

package meta

import (
	"crypto/rand"
	"crypto/subtle"
	"fmt"
	"log/slog"
)

// Secret is key material. It never shows itself: fmt, slog and JSON print
// "[secret]". The zero value is empty.
type Secret struct{ b []byte }

const redacted = "[secret]"

// NewSecret returns a Secret holding a copy of b.
func NewSecret(b []byte) Secret { return Secret{b: append([]byte(nil), b...)} }

// Bytes returns a copy of the material, for the code that uses the key.
func (s Secret) Bytes() []byte { return append([]byte(nil), s.b...) }

// Len returns the length of the material.
func (s Secret) Len() int { return len(s.b) }

// Equal compares two secrets in constant time (for equal lengths).
func (s Secret) Equal(o Secret) bool { return subtle.ConstantTimeCompare(s.b, o.b) == 1 }

// String returns "[secret]".
func (Secret) String() string { return redacted }

// GoString returns "[secret]".
func (Secret) GoString() string { return redacted }

// Format prints "[secret]" for every verb.
func (Secret) Format(f fmt.State, _ rune) { fmt.Fprint(f, redacted) }

// LogValue makes slog print "[secret]".
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON writes "[secret]".
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalText writes "[secret]".
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

func cryptoRand(b []byte) error {
	_, err := rand.Read(b)
	return err
}

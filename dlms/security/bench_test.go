package security_test

import (
	"testing"

	"github.com/amigo-ami/amigo/dlms/security"
)

// go test -run XXX -bench LoadProfile -count 6 ./dlms/security | benchstat -
func BenchmarkLoadProfile(b *testing.B) {
	b.Run("op=gmac-roundtrip", security.BenchmarkGMACRoundTrip)
}

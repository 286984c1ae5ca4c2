package dlms_test

import (
	"testing"

	"github.com/amigo-ami/amigo/dlms"
)

// go test -run '^$' -bench Loopback -count 6 ./dlms | benchstat -
func BenchmarkLoopback(b *testing.B) {
	b.Run("op=associate", dlms.BenchmarkLoopbackAssociate)
	b.Run("op=read", dlms.BenchmarkLoopbackRead)
}

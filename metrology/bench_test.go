package metrology_test

import (
	"testing"

	"github.com/amigo-ami/amigo/metrology/verify"
)

// BenchmarkCore: go test -run '^$' -bench Core ./metrology
func BenchmarkCore(b *testing.B) { verify.BenchmarkCore(b) }

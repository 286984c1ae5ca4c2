package bus

import "testing"

func BenchmarkPublish(b *testing.B) {
	b.Run("mode=single", BenchmarkPublishSingle)
	b.Run("mode=batch", BenchmarkPublishBatch)
}

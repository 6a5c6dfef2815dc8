package backing_test

import (
	"strings"
	"testing"

	"github.com/twelvekit/twelvekit/backing"
)

// BenchmarkParse measures Parse per family; benchmarks/ compares it with
// net/url.Parse, paired and interleaved.
func BenchmarkParse(b *testing.B) {
	for _, raw := range []string{
		"postgres://app:s3cr%40t@db.internal:5432/shop?sslmode=require&application_name=web",
		"postgresql://app:s3cret@db1.internal,db2.internal:5433/shop?target_session_attrs=read-write",
		"mysql://app:s3cret@db.internal:3306/shop?parseTime=true",
		"redis://:s3cret@cache.internal:6379/2",
		"amqps://app:s3cret@rabbit.internal/vhost",
	} {
		b.Run(strings.SplitN(raw, ":", 2)[0], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := backing.Parse(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

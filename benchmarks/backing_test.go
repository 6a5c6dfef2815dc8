package benchmarks

import (
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"
	"github.com/xo/dburl"

	"github.com/twelvekit/twelvekit/backing"
)

// backingURLs are the URLs of each family, as platforms hand them out.
var backingURLs = []struct{ family, raw string }{
	{"postgres", "postgres://app:s3cr%40t@db.internal:5432/shop?sslmode=require&application_name=web"},
	{"mysql", "mysql://app:s3cret@db.internal:3306/shop?parseTime=true"},
	{"redis", "redis://:s3cret@cache.internal:6379/2"},
	{"amqp", "amqps://app:s3cret@rabbit.internal/vhost"},
}

// BenchmarkParseURL compares backing.Parse with net/url.Parse (the floor),
// xo/dburl.Parse, go-redis ParseURL and pgconn.ParseConfig on the same
// input, per family.
func BenchmarkParseURL(b *testing.B) {
	for _, tt := range backingURLs {
		b.Run("family="+tt.family+"/lib=twelvekit", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := backing.Parse(tt.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("family="+tt.family+"/lib=neturl", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := url.Parse(tt.raw); err != nil {
					b.Fatal(err)
				}
			}
		})
		switch tt.family {
		case "postgres", "mysql": // dburl reads database URLs only
			b.Run("family="+tt.family+"/lib=dburl", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := dburl.Parse(tt.raw); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		switch tt.family {
		case "redis":
			b.Run("family="+tt.family+"/lib=goredis", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := redis.ParseURL(tt.raw); err != nil {
						b.Fatal(err)
					}
				}
			})
		case "postgres":
			b.Run("family="+tt.family+"/lib=pgconn", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := pgconn.ParseConfig(tt.raw); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

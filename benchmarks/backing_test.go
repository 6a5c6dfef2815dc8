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

// parsePairedURLs are one or more URLs per family as platforms hand them
// out, with credentials and options, for BenchmarkParsePaired.
var parsePairedURLs = []struct{ family, raw string }{
	{"postgres", "postgres://app:s3cr%40t@db.internal:5432/shop?sslmode=require&application_name=web"},
	{"postgres-multi", "postgresql://app:s3cret@db1.internal,db2.internal:5433/shop?target_session_attrs=read-write"},
	{"mysql", "mysql://app:s3cret@db.internal:3306/shop?parseTime=true"},
	{"sqlite", "sqlite:///var/lib/app/shop.db?_pragma=foreign_keys(1)"},
	{"redis", "redis://:s3cret@cache.internal:6379/2"},
	{"rediss", "rediss://default:s3cret@cache.internal:6380/0?dial_timeout=3s"},
	{"amqp", "amqps://app:s3cret@rabbit.internal/vhost"},
	{"nats", "nats://app:s3cret@nats.internal:4222"},
	{"mqtt", "mqtt://app:s3cret@broker.internal:1883"},
	{"memcached", "memcached://mc1.internal:11211,mc2.internal:11211"},
	{"smtp", "smtp://app:s3cret@smtp.internal:587"},
	{"http", "https://api.example.com/v1/items?page=2"},
	{"s3", "s3://AKIAEXAMPLE:s3cret@bucket/prefix?region=eu-west-1"},
}

// BenchmarkParsePaired is the target (Parse within 2x
// net/url.Parse, per family), paired and interleaved and timed by the
// thread's CPU clock (see paired): x-neturl is backing.Parse's time over
// net/url.Parse's on the same text, with its 95 % interval in x-neturl-ci.
func BenchmarkParsePaired(b *testing.B) {
	for _, tt := range parsePairedURLs {
		b.Run("family="+tt.family, func(b *testing.B) {
			paired(b,
				mustOp(b, "twelvekit", func() error { _, err := backing.Parse(tt.raw); return err }),
				mustOp(b, "neturl", func() error { _, err := url.Parse(tt.raw); return err }),
			)
		})
	}
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

package conformance

import (
	"fmt"
	"testing"

	"github.com/twelvekit/twelvekit/backing"
)

// FuzzDrivers adds to backing's FuzzParse the property that what backing
// hands a driver never panics the driver's own parser: for any text Parse
// accepts, every driver-ready output of its family goes through the readers
// of the differential suite (pgconn, pgxpool, lib/pq, go-sql-driver/mysql,
// go-redis, amqp091-go, nats.go's list reading, paho, mongo-driver's
// connstring, franz-go), undeclared and as a field declaring each family
// reads it. The corpus seeds it and runs with every go test.
func FuzzDrivers(f *testing.F) {
	for _, c := range corpus() {
		f.Add(c.raw)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		// Undeclared, then as a field declaring each family reads it.
		check(t, raw)
		for fam := range readers {
			check(t, raw, backing.WithFamily(fam))
		}
	})
}

func check(t *testing.T, raw string, opts ...backing.Option) {
	{
		u, err := backing.Parse(raw, opts...)
		if err != nil {
			return
		}
		for _, r := range readers[u.Scheme()] {
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("%s panicked on backing's output for %q: %v", r.name, raw, p)
					}
				}()
				_ = r.out(u)
			}()
		}
		// The canonical form is a URL that Parse reads back; fed to the
		// drivers that read URLs, it must not panic them either.
		for _, r := range readers[u.Scheme()] {
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("%s panicked on the canonical form of %q: %v", r.name, raw, fmt.Sprint(p))
					}
				}()
				_ = r.orig(u.Reveal())
			}()
		}
	}
}

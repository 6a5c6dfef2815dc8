package backing_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twelvekit/twelvekit/backing"
)

// liveServices are the real services on the loopback interface, as the
// development machines and CI run them; the test fails when one is missing.
var liveServices = []struct{ url, name string }{
	{"postgres://root@127.0.0.1:5432/test", "a PostgreSQL server"},
	{"mysql://root@127.0.0.1:3306/test", "a MySQL server"},
	{"redis://127.0.0.1:6379", "a Redis server"},
	{"amqp://127.0.0.1:5672", "an AMQP"},
	{"mqtt://127.0.0.1:1883", "an MQTT broker"},
	{"nats://127.0.0.1:4222", "a NATS server"},
}

// TestCheck_live checks each real service with its own URL, then each
// family's probe against every other real service: Check reports
// ErrWrongService, and names the other service where its answer tells it.
func TestCheck_live(t *testing.T) {
	t.Parallel()
	for _, s := range liveServices {
		t.Run(s.url, func(t *testing.T) {
			t.Parallel()
			u, err := backing.Parse(s.url)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			if err := backing.Check(ctx, u, backing.WithTimeout(5*time.Second)); err != nil {
				t.Errorf("%s: %v (is the service running?)", s.url, err)
			}
		})
	}
	for _, probe := range liveServices {
		for _, other := range liveServices {
			if probe == other {
				continue
			}
			pu, _ := backing.Parse(probe.url)
			ou, _ := backing.Parse(other.url)
			t.Run(pu.Scheme()+" probe on "+ou.Scheme(), func(t *testing.T) {
				t.Parallel()
				u, err := backing.Parse(strings.Replace(probe.url, pu.Hosts()[0].String(), ou.Hosts()[0].String(), 1))
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				err = backing.Check(ctx, u, backing.WithTimeout(1500*time.Millisecond))
				if !errors.Is(err, backing.ErrWrongService) {
					t.Errorf("%s probe on the %s port: %v, want ErrWrongService", pu.Scheme(), ou.Scheme(), err)
					return
				}
				t.Logf("%s probe on the %s port: %v", pu.Scheme(), ou.Scheme(), err)
			})
		}
	}
}

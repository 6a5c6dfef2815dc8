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
	for _, s := range liveServices {
		u, err := backing.Parse(s.url)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		if err := backing.Check(ctx, u, backing.WithTimeout(5*time.Second)); err != nil {
			t.Errorf("%s: %v (is the service running?)", s.url, err)
		}
		cancel()
	}
	for _, probe := range liveServices {
		for _, other := range liveServices {
			if probe == other {
				continue
			}
			pu, _ := backing.Parse(probe.url)
			ou, _ := backing.Parse(other.url)
			u, err := backing.Parse(strings.Replace(probe.url, pu.Hosts()[0].String(), ou.Hosts()[0].String(), 1))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			err = backing.Check(ctx, u, backing.WithTimeout(1500*time.Millisecond))
			cancel()
			if !errors.Is(err, backing.ErrWrongService) {
				t.Errorf("%s probe on the %s port: %v, want ErrWrongService", pu.Scheme(), ou.Scheme(), err)
				continue
			}
			t.Logf("%s probe on the %s port: %v", pu.Scheme(), ou.Scheme(), err)
		}
	}
}

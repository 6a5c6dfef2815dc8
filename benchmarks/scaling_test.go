package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/oklog/run"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
)

// BenchmarkScaling measures how twelvekit's cost grows with the size of its
// input, against the peer's curve, each point a paired, interleaved ratio
// (see paired): config fields (10 to 300), logging goroutines (1 to 64),
// lifecycle actors (1 to 1000) and the environment backing.Attached scans
// (10 to 1000 variables). benchmarks/run.sh tabulates x-PEER and both
// NAME-ns/op for every point.
func BenchmarkScaling(b *testing.B) {
	for _, n := range []int{10, 30, 100, 300} {
		b.Run(fmt.Sprintf("config=fields/n=%d", n), func(b *testing.B) { benchScalingConfig(b, n) })
	}
	for _, g := range []int{1, 4, 16, 64} {
		b.Run(fmt.Sprintf("logging=goroutines/n=%d", g), func(b *testing.B) { benchScalingLogging(b, g) })
	}
	for _, n := range []int{1, 10, 100, 1000} {
		b.Run(fmt.Sprintf("lifecycle=actors/n=%d", n), func(b *testing.B) { benchScalingLifecycle(b, n) })
	}
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("backing=attached/n=%d", n), func(b *testing.B) { benchScalingAttached(b, n) })
	}
}

// scalingStruct returns a struct type of n fields, in turn string, int,
// time.Duration and bool, named V0 to Vn-1 with env tags VAR_0 to VAR_n-1;
// every other field has an envDefault. It also returns an environment
// setting the fields without a default.
func scalingStruct(n int) (reflect.Type, map[string]string) {
	types := []reflect.Type{reflect.TypeFor[string](), reflect.TypeFor[int](), reflect.TypeFor[time.Duration](), reflect.TypeFor[bool]()}
	values := []string{"text", "42", "1500ms", "true"}
	fields := make([]reflect.StructField, n)
	m := map[string]string{}
	for i := range fields {
		name := "VAR_" + strconv.Itoa(i)
		tag := `env:"` + name + `"`
		if i%2 == 0 {
			tag += ` envDefault:"` + values[i%4] + `"`
		} else {
			m[name] = values[i%4]
		}
		fields[i] = reflect.StructField{Name: "V" + strconv.Itoa(i), Type: types[i%4], Tag: reflect.StructTag(tag)}
	}
	return reflect.StructOf(fields), m
}

// benchScalingConfig: config.Parse against caarlos0/env's ParseWithOptions
// on the same struct of n fields and the same environment map.
func benchScalingConfig(b *testing.B, n int) {
	typ, m := scalingStruct(n)
	check := reflect.New(typ)
	if err := config.Parse(check.Interface(), config.WithEnvironment(m)); err != nil {
		b.Fatal(err)
	}
	if got := check.Elem().Field(n - 1).Interface(); fmt.Sprint(got) == fmt.Sprint(reflect.Zero(typ.Field(n-1).Type)) {
		b.Fatalf("config.Parse left V%d at its zero value", n-1)
	}
	paired(b,
		mustOp(b, "twelvekit", func() error { return config.Parse(reflect.New(typ).Interface(), config.WithEnvironment(m)) }),
		mustOp(b, "caarlos0", func() error {
			return env.ParseWithOptions(reflect.New(typ).Interface(), env.Options{Environment: m})
		}),
	)
}

// benchScalingLogging: 512 info events with 4 fields written by g
// goroutines at once through the logging.New logger against zap's
// hand-built production core, both to io.Discard. The work runs on many
// threads, so each turn is timed by the wall clock.
func benchScalingLogging(b *testing.B, g int) {
	ours := logging.New(logging.Config{Service: "shop"}, logging.WithWriter(io.Discard),
		logging.WithEnvironment(map[string]string{"RELEASE": "4f2a9c1e", "DYNO": "web.1"}))
	peer := zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()),
		zapcore.Lock(zapcore.AddSync(io.Discard)), zapcore.InfoLevel))
	const events = 512
	burst := func(log *zap.Logger) func() {
		return func() {
			var wg sync.WaitGroup
			for range g {
				wg.Go(func() {
					for range events / g {
						log.Info("order paid", zap.String("order", "A-1042"), zap.Int("items", 3),
							zap.Duration("took", 1250*time.Microsecond), zap.Bool("first", true))
					}
				})
			}
			wg.Wait()
		}
	}
	pairedClock(b, wallNow, variant{"twelvekit", burst(ours)}, variant{"zap", burst(peer)})
}

// benchScalingLifecycle: one start and stop of a group of n actors that
// wait for their stop, plus one that returns at once and so stops the
// group: lifecycle.Group against oklog/run's Group. Timed by the wall
// clock (the actors run on other threads).
func benchScalingLifecycle(b *testing.B, n int) {
	ours := func() error {
		var g lifecycle.Group
		for i := range n {
			if err := g.Go("actor"+strconv.Itoa(i), func(ctx context.Context) error {
				<-ctx.Done()
				return ctx.Err()
			}); err != nil {
				return err
			}
		}
		if err := g.Go("stopper", func(context.Context) error { return nil }); err != nil {
			return err
		}
		return g.Run(context.Background())
	}
	peer := func() error {
		var g run.Group
		for range n {
			ctx, cancel := context.WithCancel(context.Background())
			g.Add(func() error { <-ctx.Done(); return ctx.Err() }, func(error) { cancel() })
		}
		g.Add(func() error { return nil }, func(error) {})
		err := g.Run()
		if errors.Is(err, context.Canceled) {
			err = nil
		}
		return err
	}
	pairedClock(b, wallNow, mustOp(b, "twelvekit", ours), mustOp(b, "oklogrun", peer))
}

// scalingEnv returns an environment of n variables of which 4 attach a
// backing service (an HTTP API among them), as a platform fills one.
func scalingEnv(n int) map[string]string {
	m := map[string]string{
		"DATABASE_URL":  "postgres://app:s3cret@db.internal:5432/shop?sslmode=require",
		"REDIS_URL":     "redis://:s3cret@cache.internal:6379/0",
		"CLOUDAMQP_URL": "amqps://app:s3cret@rabbit.internal/vhost",
		"PUBLIC_URL":    "https://shop.example.com",
	}
	for i := len(m); i < n; i++ {
		m["APP_SETTING_"+strconv.Itoa(i)] = "value-" + strconv.Itoa(i)
	}
	return m
}

// benchScalingAttached: backing.Attached against the loop a team writes by
// hand: every variable ending in _URL whose scheme is a backing service's,
// parsed with net/url.
func benchScalingAttached(b *testing.B, n int) {
	m := scalingEnv(n)
	if got := len(backing.Attached(backing.WithEnvironment(m))); got != 4 {
		b.Fatalf("backing.Attached found %d services in %d variables, want 4", got, n)
	}
	schemes := map[string]bool{"postgres": true, "postgresql": true, "mysql": true, "redis": true, "rediss": true, "amqp": true, "amqps": true, "http": true, "https": true}
	peer := func() error {
		found := 0
		for k, v := range m {
			if !strings.HasSuffix(k, "_URL") {
				continue
			}
			u, err := url.Parse(v)
			if err == nil && schemes[u.Scheme] {
				found++
			}
		}
		if found != 4 {
			return fmt.Errorf("found %d", found)
		}
		return nil
	}
	paired(b, variant{"twelvekit", func() { backing.Attached(backing.WithEnvironment(m)) }}, mustOp(b, "handwritten", peer))
}

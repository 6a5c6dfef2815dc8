package benchmarks

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caarlos0/env/v11"
	kelsey "github.com/kelseyhightower/envconfig"
	sethvargo "github.com/sethvargo/go-envconfig"
	"github.com/twelvekit/twelvekit/config"
)

// The config benchmarks load one realistic service configuration of 32
// variables (strings, integers, a float, booleans, durations, lists, a URL,
// two secrets, required variables, defaults and a nested struct with the DB_
// prefix) with each loader. Every peer reads its own struct type, because each
// has its own tag syntax; the fields are the same in all of them. Secrets are
// config.Secret for twelvekit and plain strings for the peers, which have no
// secret type.

// twelvekitConfig is the configuration as a twelvekit user writes it.
type twelvekitConfig struct {
	ServiceName     string          `env:"SERVICE_NAME,required" desc:"name of the service in logs and metrics"`
	Environment     string          `env:"ENVIRONMENT" envDefault:"production" desc:"deployment environment"`
	Host            string          `env:"HOST" envDefault:"0.0.0.0" desc:"interface the HTTP server listens on"`
	Port            int             `env:"PORT" envDefault:"8080" desc:"port the HTTP server listens on"`
	PublicURL       url.URL         `env:"PUBLIC_URL,required" desc:"URL clients reach the service at"`
	LogLevel        string          `env:"LOG_LEVEL" envDefault:"info" desc:"debug, info, warn or error"`
	LogFormat       string          `env:"LOG_FORMAT" envDefault:"json" desc:"json or console"`
	Debug           bool            `env:"DEBUG" envDefault:"false" desc:"serve the debug endpoints"`
	ReadTimeout     time.Duration   `env:"READ_TIMEOUT" envDefault:"5s" desc:"longest time to read a request"`
	WriteTimeout    time.Duration   `env:"WRITE_TIMEOUT" envDefault:"10s" desc:"longest time to write a response"`
	IdleTimeout     time.Duration   `env:"IDLE_TIMEOUT" envDefault:"1m" desc:"how long an idle keep-alive connection stays open"`
	ShutdownTimeout time.Duration   `env:"SHUTDOWN_TIMEOUT" envDefault:"25s" desc:"time allowed for a graceful stop"`
	DrainDelay      time.Duration   `env:"DRAIN_DELAY" envDefault:"5s" desc:"wait between failing readiness and stopping"`
	MaxBodyBytes    int64           `env:"MAX_BODY_BYTES" envDefault:"1048576" desc:"largest request body accepted"`
	Workers         int             `env:"WORKERS" envDefault:"4" desc:"number of background workers"`
	QueueCapacity   int             `env:"QUEUE_CAPACITY" envDefault:"1000" desc:"jobs held in memory before producers wait"`
	RateLimit       float64         `env:"RATE_LIMIT" envDefault:"100" desc:"requests per second per client"`
	AllowedOrigins  []string        `env:"ALLOWED_ORIGINS" desc:"origins allowed by CORS"`
	FeatureFlags    []string        `env:"FEATURE_FLAGS" desc:"features switched on"`
	RetryBackoff    []time.Duration `env:"RETRY_BACKOFF" envDefault:"100ms,500ms,2s" desc:"waits between retries of a failed job"`
	EnableMetrics   bool            `env:"ENABLE_METRICS" envDefault:"true" desc:"serve Prometheus metrics"`
	EnableTracing   bool            `env:"ENABLE_TRACING" desc:"export traces"`
	APIKey          config.Secret   `env:"API_KEY,required" desc:"key for the payments API"`
	DB              twelvekitDB     `envPrefix:"DB_"`
}

// twelvekitDB is the database part of twelvekitConfig, read with the DB_
// prefix.
type twelvekitDB struct {
	Host            string        `env:"HOST,required" desc:"database host"`
	Port            int           `env:"PORT" envDefault:"5432" desc:"database port"`
	Name            string        `env:"NAME,required" desc:"database name"`
	User            string        `env:"USER" envDefault:"app" desc:"database user"`
	Password        config.Secret `env:"PASSWORD,required" desc:"database password"`
	SSLMode         string        `env:"SSL_MODE" envDefault:"require" desc:"disable, require or verify-full"`
	MaxOpenConns    int           `env:"MAX_OPEN_CONNS" envDefault:"20" desc:"largest number of open connections"`
	MaxIdleConns    int           `env:"MAX_IDLE_CONNS" envDefault:"5" desc:"idle connections kept in the pool"`
	ConnMaxLifetime time.Duration `env:"CONN_MAX_LIFETIME" envDefault:"30m" desc:"age at which a connection is closed"`
}

// caarlosConfig is the same configuration for caarlos0/env used directly.
// The hand-written loader fills it too; it ignores the tags.
type caarlosConfig struct {
	ServiceName     string          `env:"SERVICE_NAME,required"`
	Environment     string          `env:"ENVIRONMENT" envDefault:"production"`
	Host            string          `env:"HOST" envDefault:"0.0.0.0"`
	Port            int             `env:"PORT" envDefault:"8080"`
	PublicURL       url.URL         `env:"PUBLIC_URL,required"`
	LogLevel        string          `env:"LOG_LEVEL" envDefault:"info"`
	LogFormat       string          `env:"LOG_FORMAT" envDefault:"json"`
	Debug           bool            `env:"DEBUG" envDefault:"false"`
	ReadTimeout     time.Duration   `env:"READ_TIMEOUT" envDefault:"5s"`
	WriteTimeout    time.Duration   `env:"WRITE_TIMEOUT" envDefault:"10s"`
	IdleTimeout     time.Duration   `env:"IDLE_TIMEOUT" envDefault:"1m"`
	ShutdownTimeout time.Duration   `env:"SHUTDOWN_TIMEOUT" envDefault:"25s"`
	DrainDelay      time.Duration   `env:"DRAIN_DELAY" envDefault:"5s"`
	MaxBodyBytes    int64           `env:"MAX_BODY_BYTES" envDefault:"1048576"`
	Workers         int             `env:"WORKERS" envDefault:"4"`
	QueueCapacity   int             `env:"QUEUE_CAPACITY" envDefault:"1000"`
	RateLimit       float64         `env:"RATE_LIMIT" envDefault:"100"`
	AllowedOrigins  []string        `env:"ALLOWED_ORIGINS"`
	FeatureFlags    []string        `env:"FEATURE_FLAGS"`
	RetryBackoff    []time.Duration `env:"RETRY_BACKOFF" envDefault:"100ms,500ms,2s"`
	EnableMetrics   bool            `env:"ENABLE_METRICS" envDefault:"true"`
	EnableTracing   bool            `env:"ENABLE_TRACING"`
	APIKey          string          `env:"API_KEY,required"`
	DB              caarlosDB       `envPrefix:"DB_"`
}

// caarlosDB is the database part of caarlosConfig.
type caarlosDB struct {
	Host            string        `env:"HOST,required"`
	Port            int           `env:"PORT" envDefault:"5432"`
	Name            string        `env:"NAME,required"`
	User            string        `env:"USER" envDefault:"app"`
	Password        string        `env:"PASSWORD,required"`
	SSLMode         string        `env:"SSL_MODE" envDefault:"require"`
	MaxOpenConns    int           `env:"MAX_OPEN_CONNS" envDefault:"20"`
	MaxIdleConns    int           `env:"MAX_IDLE_CONNS" envDefault:"5"`
	ConnMaxLifetime time.Duration `env:"CONN_MAX_LIFETIME" envDefault:"30m"`
}

// sethvargoConfig is the same configuration for sethvargo/go-envconfig.
type sethvargoConfig struct {
	ServiceName     string          `env:"SERVICE_NAME, required"`
	Environment     string          `env:"ENVIRONMENT, default=production"`
	Host            string          `env:"HOST, default=0.0.0.0"`
	Port            int             `env:"PORT, default=8080"`
	PublicURL       url.URL         `env:"PUBLIC_URL, required"`
	LogLevel        string          `env:"LOG_LEVEL, default=info"`
	LogFormat       string          `env:"LOG_FORMAT, default=json"`
	Debug           bool            `env:"DEBUG, default=false"`
	ReadTimeout     time.Duration   `env:"READ_TIMEOUT, default=5s"`
	WriteTimeout    time.Duration   `env:"WRITE_TIMEOUT, default=10s"`
	IdleTimeout     time.Duration   `env:"IDLE_TIMEOUT, default=1m"`
	ShutdownTimeout time.Duration   `env:"SHUTDOWN_TIMEOUT, default=25s"`
	DrainDelay      time.Duration   `env:"DRAIN_DELAY, default=5s"`
	MaxBodyBytes    int64           `env:"MAX_BODY_BYTES, default=1048576"`
	Workers         int             `env:"WORKERS, default=4"`
	QueueCapacity   int             `env:"QUEUE_CAPACITY, default=1000"`
	RateLimit       float64         `env:"RATE_LIMIT, default=100"`
	AllowedOrigins  []string        `env:"ALLOWED_ORIGINS"`
	FeatureFlags    []string        `env:"FEATURE_FLAGS"`
	RetryBackoff    []time.Duration `env:"RETRY_BACKOFF, default=100ms,500ms,2s"`
	EnableMetrics   bool            `env:"ENABLE_METRICS, default=true"`
	EnableTracing   bool            `env:"ENABLE_TRACING"`
	APIKey          string          `env:"API_KEY, required"`
	DB              sethvargoDB     `env:", prefix=DB_"`
}

// sethvargoDB is the database part of sethvargoConfig.
type sethvargoDB struct {
	Host            string        `env:"HOST, required"`
	Port            int           `env:"PORT, default=5432"`
	Name            string        `env:"NAME, required"`
	User            string        `env:"USER, default=app"`
	Password        string        `env:"PASSWORD, required"`
	SSLMode         string        `env:"SSL_MODE, default=require"`
	MaxOpenConns    int           `env:"MAX_OPEN_CONNS, default=20"`
	MaxIdleConns    int           `env:"MAX_IDLE_CONNS, default=5"`
	ConnMaxLifetime time.Duration `env:"CONN_MAX_LIFETIME, default=30m"`
}

// kelseyConfig is the same configuration for kelseyhightower/envconfig.
type kelseyConfig struct {
	ServiceName     string          `envconfig:"SERVICE_NAME" required:"true"`
	Environment     string          `envconfig:"ENVIRONMENT" default:"production"`
	Host            string          `envconfig:"HOST" default:"0.0.0.0"`
	Port            int             `envconfig:"PORT" default:"8080"`
	PublicURL       url.URL         `envconfig:"PUBLIC_URL" required:"true"`
	LogLevel        string          `envconfig:"LOG_LEVEL" default:"info"`
	LogFormat       string          `envconfig:"LOG_FORMAT" default:"json"`
	Debug           bool            `envconfig:"DEBUG" default:"false"`
	ReadTimeout     time.Duration   `envconfig:"READ_TIMEOUT" default:"5s"`
	WriteTimeout    time.Duration   `envconfig:"WRITE_TIMEOUT" default:"10s"`
	IdleTimeout     time.Duration   `envconfig:"IDLE_TIMEOUT" default:"1m"`
	ShutdownTimeout time.Duration   `envconfig:"SHUTDOWN_TIMEOUT" default:"25s"`
	DrainDelay      time.Duration   `envconfig:"DRAIN_DELAY" default:"5s"`
	MaxBodyBytes    int64           `envconfig:"MAX_BODY_BYTES" default:"1048576"`
	Workers         int             `envconfig:"WORKERS" default:"4"`
	QueueCapacity   int             `envconfig:"QUEUE_CAPACITY" default:"1000"`
	RateLimit       float64         `envconfig:"RATE_LIMIT" default:"100"`
	AllowedOrigins  []string        `envconfig:"ALLOWED_ORIGINS"`
	FeatureFlags    []string        `envconfig:"FEATURE_FLAGS"`
	RetryBackoff    []time.Duration `envconfig:"RETRY_BACKOFF" default:"100ms,500ms,2s"`
	EnableMetrics   bool            `envconfig:"ENABLE_METRICS" default:"true"`
	EnableTracing   bool            `envconfig:"ENABLE_TRACING"`
	APIKey          string          `envconfig:"API_KEY" required:"true"`
	DB              kelseyDB        `envconfig:"DB"`
}

// kelseyDB is the database part of kelseyConfig. Its names come from the
// field names (split_words) rather than envconfig tags: with a tag such as
// envconfig:"PORT", kelseyhightower/envconfig falls back to the unprefixed
// PORT when DB_PORT is unset, and would read the service's port into the
// database's. The variables read are the same DB_ ones as for the other
// loaders.
type kelseyDB struct {
	Host            string        `split_words:"true" required:"true"`
	Port            int           `split_words:"true" default:"5432"`
	Name            string        `split_words:"true" required:"true"`
	User            string        `split_words:"true" default:"app"`
	Password        string        `split_words:"true" required:"true"`
	SSLMode         string        `split_words:"true" default:"require"`
	MaxOpenConns    int           `split_words:"true" default:"20"`
	MaxIdleConns    int           `split_words:"true" default:"5"`
	ConnMaxLifetime time.Duration `split_words:"true" default:"30m"`
}

// configVars lists every variable the configuration reads, for the loaders
// that cannot be given a map and must see the others unset.
var configVars = []string{
	"SERVICE_NAME", "ENVIRONMENT", "HOST", "PORT", "PUBLIC_URL", "LOG_LEVEL",
	"LOG_FORMAT", "DEBUG", "READ_TIMEOUT", "WRITE_TIMEOUT", "IDLE_TIMEOUT",
	"SHUTDOWN_TIMEOUT", "DRAIN_DELAY", "MAX_BODY_BYTES", "WORKERS",
	"QUEUE_CAPACITY", "RATE_LIMIT", "ALLOWED_ORIGINS", "FEATURE_FLAGS",
	"RETRY_BACKOFF", "ENABLE_METRICS", "ENABLE_TRACING", "API_KEY",
	"DB_HOST", "DB_PORT", "DB_NAME", "DB_USER", "DB_PASSWORD", "DB_SSL_MODE",
	"DB_MAX_OPEN_CONNS", "DB_MAX_IDLE_CONNS", "DB_CONN_MAX_LIFETIME",
}

// configEnv returns the environment every loader reads: 16 of the 32
// variables set (the required ones among them), the others left to their
// defaults, plus a few variables a platform sets that the configuration does
// not read.
func configEnv() map[string]string {
	return map[string]string{
		"HOSTNAME":                "shop-web-7d9f8c6b5-x2x9q",
		"KUBERNETES_SERVICE_HOST": "10.96.0.1",
		"KUBERNETES_SERVICE_PORT": "443",
		"RELEASE":                 "v1.42.0",

		"SERVICE_NAME":         "shop",
		"PORT":                 "9090",
		"PUBLIC_URL":           "https://shop.example.com/api",
		"LOG_LEVEL":            "debug",
		"READ_TIMEOUT":         "3s",
		"WORKERS":              "8",
		"RATE_LIMIT":           "250.5",
		"ALLOWED_ORIGINS":      "https://shop.example.com,https://admin.example.com",
		"FEATURE_FLAGS":        "new-checkout,dark-mode,beta-search",
		"ENABLE_TRACING":       "true",
		"API_KEY":              "sk_live_51HxYz0123456789abcdef",
		"DB_HOST":              "db.internal",
		"DB_NAME":              "shop",
		"DB_PASSWORD":          "correct horse battery staple",
		"DB_MAX_OPEN_CONNS":    "50",
		"DB_CONN_MAX_LIFETIME": "15m",
	}
}

// loaded is what the correctness check compares: variables that were set
// and variables left to their defaults, of every kind, nested ones included.
type loaded struct {
	ServiceName       string
	Port              int
	PublicURL         string
	LogLevel          string
	LogFormat         string
	ReadTimeout       time.Duration
	IdleTimeout       time.Duration
	RateLimit         float64
	AllowedOrigins    []string
	RetryBackoff      []time.Duration
	EnableMetrics     bool
	EnableTracing     bool
	APIKey            string
	DBHost            string
	DBPort            int
	DBUser            string
	DBPassword        string
	DBMaxOpenConns    int
	DBConnMaxLifetime time.Duration
}

// wantLoaded is what every loader must read from configEnv.
var wantLoaded = loaded{
	ServiceName:       "shop",
	Port:              9090,
	PublicURL:         "https://shop.example.com/api",
	LogLevel:          "debug",
	LogFormat:         "json",
	ReadTimeout:       3 * time.Second,
	IdleTimeout:       time.Minute,
	RateLimit:         250.5,
	AllowedOrigins:    []string{"https://shop.example.com", "https://admin.example.com"},
	RetryBackoff:      []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, 2 * time.Second},
	EnableMetrics:     true,
	EnableTracing:     true,
	APIKey:            "sk_live_51HxYz0123456789abcdef",
	DBHost:            "db.internal",
	DBPort:            5432,
	DBUser:            "app",
	DBPassword:        "correct horse battery staple",
	DBMaxOpenConns:    50,
	DBConnMaxLifetime: 15 * time.Minute,
}

// checkLoaded fails the benchmark unless err is nil and got is wantLoaded, so
// that a loader that reads nothing cannot look fast.
func checkLoaded(b *testing.B, got loaded, err error) {
	b.Helper()
	if err != nil {
		b.Fatalf("load: %v", err)
	}
	if !reflect.DeepEqual(got, wantLoaded) {
		b.Fatalf("loaded %+v, want %+v", got, wantLoaded)
	}
}

// BenchmarkLoad reads the same environment into the same configuration with
// twelvekit's config.Load, caarlos0/env called directly, sethvargo/go-envconfig,
// kelseyhightower/envconfig and a hand-written loader, which is the floor.
// Each sub-benchmark checks once, before its loop, that the values read are
// right.
func BenchmarkLoad(b *testing.B) {
	m := configEnv()

	b.Run("twelvekit", func(b *testing.B) {
		c, err := config.Load[twelvekitConfig](config.WithEnvironment(m))
		checkLoaded(b, loaded{
			ServiceName: c.ServiceName, Port: c.Port, PublicURL: c.PublicURL.String(),
			LogLevel: c.LogLevel, LogFormat: c.LogFormat, ReadTimeout: c.ReadTimeout,
			IdleTimeout: c.IdleTimeout, RateLimit: c.RateLimit, AllowedOrigins: c.AllowedOrigins,
			RetryBackoff: c.RetryBackoff, EnableMetrics: c.EnableMetrics, EnableTracing: c.EnableTracing,
			APIKey: c.APIKey.Reveal(), DBHost: c.DB.Host, DBPort: c.DB.Port, DBUser: c.DB.User,
			DBPassword: c.DB.Password.Reveal(), DBMaxOpenConns: c.DB.MaxOpenConns,
			DBConnMaxLifetime: c.DB.ConnMaxLifetime,
		}, err)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := config.Load[twelvekitConfig](config.WithEnvironment(m)); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("caarlos0", func(b *testing.B) {
		var c caarlosConfig
		err := env.ParseWithOptions(&c, env.Options{Environment: m})
		checkLoaded(b, caarlosLoaded(&c), err)
		b.ReportAllocs()
		for b.Loop() {
			var c caarlosConfig
			if err := env.ParseWithOptions(&c, env.Options{Environment: m}); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("sethvargo", func(b *testing.B) {
		ctx := context.Background()
		lookuper := sethvargo.MapLookuper(m)
		var c sethvargoConfig
		err := sethvargo.ProcessWith(ctx, &sethvargo.Config{Target: &c, Lookuper: lookuper})
		checkLoaded(b, loaded{
			ServiceName: c.ServiceName, Port: c.Port, PublicURL: c.PublicURL.String(),
			LogLevel: c.LogLevel, LogFormat: c.LogFormat, ReadTimeout: c.ReadTimeout,
			IdleTimeout: c.IdleTimeout, RateLimit: c.RateLimit, AllowedOrigins: c.AllowedOrigins,
			RetryBackoff: c.RetryBackoff, EnableMetrics: c.EnableMetrics, EnableTracing: c.EnableTracing,
			APIKey: c.APIKey, DBHost: c.DB.Host, DBPort: c.DB.Port, DBUser: c.DB.User,
			DBPassword: c.DB.Password, DBMaxOpenConns: c.DB.MaxOpenConns,
			DBConnMaxLifetime: c.DB.ConnMaxLifetime,
		}, err)
		b.ReportAllocs()
		for b.Loop() {
			var c sethvargoConfig
			if err := sethvargo.ProcessWith(ctx, &sethvargo.Config{Target: &c, Lookuper: lookuper}); err != nil {
				b.Fatal(err)
			}
		}
	})

	// kelseyhightower/envconfig reads only the process environment. The map
	// is copied into it once, before the loop, with b.Setenv (restored when
	// the sub-benchmark ends), and the variables the configuration reads
	// that the map leaves out are unset, so the process's own environment
	// cannot change the result. Its lookups go through os.LookupEnv, which
	// takes a lock and searches the process's copy of the environment.
	b.Run("kelseyhightower", func(b *testing.B) {
		for _, k := range configVars {
			if _, ok := m[k]; !ok {
				b.Setenv(k, "")
				if err := os.Unsetenv(k); err != nil {
					b.Fatal(err)
				}
			}
		}
		for k, v := range m {
			b.Setenv(k, v)
		}
		var c kelseyConfig
		err := kelsey.Process("", &c)
		checkLoaded(b, loaded{
			ServiceName: c.ServiceName, Port: c.Port, PublicURL: c.PublicURL.String(),
			LogLevel: c.LogLevel, LogFormat: c.LogFormat, ReadTimeout: c.ReadTimeout,
			IdleTimeout: c.IdleTimeout, RateLimit: c.RateLimit, AllowedOrigins: c.AllowedOrigins,
			RetryBackoff: c.RetryBackoff, EnableMetrics: c.EnableMetrics, EnableTracing: c.EnableTracing,
			APIKey: c.APIKey, DBHost: c.DB.Host, DBPort: c.DB.Port, DBUser: c.DB.User,
			DBPassword: c.DB.Password, DBMaxOpenConns: c.DB.MaxOpenConns,
			DBConnMaxLifetime: c.DB.ConnMaxLifetime,
		}, err)
		b.ReportAllocs()
		for b.Loop() {
			var c kelseyConfig
			if err := kelsey.Process("", &c); err != nil {
				b.Fatal(err)
			}
		}
	})

	// The hand-written loader reads the same map with map lookups where a
	// program would call os.Getenv, so it is compared on the same input.
	b.Run("handwritten", func(b *testing.B) {
		c, err := loadByHand(m)
		checkLoaded(b, caarlosLoaded(&c), err)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := loadByHand(m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// caarlosLoaded extracts the checked fields of a caarlosConfig.
func caarlosLoaded(c *caarlosConfig) loaded {
	return loaded{
		ServiceName: c.ServiceName, Port: c.Port, PublicURL: c.PublicURL.String(),
		LogLevel: c.LogLevel, LogFormat: c.LogFormat, ReadTimeout: c.ReadTimeout,
		IdleTimeout: c.IdleTimeout, RateLimit: c.RateLimit, AllowedOrigins: c.AllowedOrigins,
		RetryBackoff: c.RetryBackoff, EnableMetrics: c.EnableMetrics, EnableTracing: c.EnableTracing,
		APIKey: c.APIKey, DBHost: c.DB.Host, DBPort: c.DB.Port, DBUser: c.DB.User,
		DBPassword: c.DB.Password, DBMaxOpenConns: c.DB.MaxOpenConns,
		DBConnMaxLifetime: c.DB.ConnMaxLifetime,
	}
}

// loadByHand is the configuration read the way a service does without a
// library: one lookup per variable, strconv and time.ParseDuration, defaults
// as Go constants, and every problem joined into one error. It reads m where
// a program would call os.Getenv; an empty value counts as unset, as it does
// for config.Load.
func loadByHand(m map[string]string) (caarlosConfig, error) {
	r := handReader{env: m}
	var c caarlosConfig
	c.ServiceName = r.required("SERVICE_NAME")
	c.Environment = r.str("ENVIRONMENT", "production")
	c.Host = r.str("HOST", "0.0.0.0")
	c.Port = r.int("PORT", 8080)
	if raw := r.required("PUBLIC_URL"); raw != "" {
		u, err := url.Parse(raw)
		if err != nil {
			r.fail("PUBLIC_URL", "not a URL")
		} else {
			c.PublicURL = *u
		}
	}
	c.LogLevel = r.str("LOG_LEVEL", "info")
	c.LogFormat = r.str("LOG_FORMAT", "json")
	c.Debug = r.bool("DEBUG", false)
	c.ReadTimeout = r.duration("READ_TIMEOUT", 5*time.Second)
	c.WriteTimeout = r.duration("WRITE_TIMEOUT", 10*time.Second)
	c.IdleTimeout = r.duration("IDLE_TIMEOUT", time.Minute)
	c.ShutdownTimeout = r.duration("SHUTDOWN_TIMEOUT", 25*time.Second)
	c.DrainDelay = r.duration("DRAIN_DELAY", 5*time.Second)
	c.MaxBodyBytes = int64(r.int("MAX_BODY_BYTES", 1<<20))
	c.Workers = r.int("WORKERS", 4)
	c.QueueCapacity = r.int("QUEUE_CAPACITY", 1000)
	c.RateLimit = r.float("RATE_LIMIT", 100)
	c.AllowedOrigins = r.list("ALLOWED_ORIGINS")
	c.FeatureFlags = r.list("FEATURE_FLAGS")
	c.RetryBackoff = []time.Duration{100 * time.Millisecond, 500 * time.Millisecond, 2 * time.Second}
	if items := r.list("RETRY_BACKOFF"); items != nil {
		c.RetryBackoff = make([]time.Duration, len(items))
		for i, s := range items {
			d, err := time.ParseDuration(s)
			if err != nil {
				r.fail("RETRY_BACKOFF", "not a list of durations")
				break
			}
			c.RetryBackoff[i] = d
		}
	}
	c.EnableMetrics = r.bool("ENABLE_METRICS", true)
	c.EnableTracing = r.bool("ENABLE_TRACING", false)
	c.APIKey = r.required("API_KEY")
	c.DB.Host = r.required("DB_HOST")
	c.DB.Port = r.int("DB_PORT", 5432)
	c.DB.Name = r.required("DB_NAME")
	c.DB.User = r.str("DB_USER", "app")
	c.DB.Password = r.required("DB_PASSWORD")
	c.DB.SSLMode = r.str("DB_SSL_MODE", "require")
	c.DB.MaxOpenConns = r.int("DB_MAX_OPEN_CONNS", 20)
	c.DB.MaxIdleConns = r.int("DB_MAX_IDLE_CONNS", 5)
	c.DB.ConnMaxLifetime = r.duration("DB_CONN_MAX_LIFETIME", 30*time.Minute)
	return c, errors.Join(r.errs...)
}

// handReader holds the environment and the problems of one loadByHand call.
type handReader struct {
	env  map[string]string
	errs []error
}

func (r *handReader) fail(key, problem string) {
	r.errs = append(r.errs, fmt.Errorf("%s: %s", key, problem))
}

func (r *handReader) str(key, def string) string {
	if v := r.env[key]; v != "" {
		return v
	}
	return def
}

func (r *handReader) required(key string) string {
	v := r.env[key]
	if v == "" {
		r.fail(key, "required but not set")
	}
	return v
}

func (r *handReader) int(key string, def int) int {
	v := r.env[key]
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.fail(key, "not an integer")
		return def
	}
	return n
}

func (r *handReader) float(key string, def float64) float64 {
	v := r.env[key]
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		r.fail(key, "not a number")
		return def
	}
	return f
}

func (r *handReader) bool(key string, def bool) bool {
	v := r.env[key]
	if v == "" {
		return def
	}
	t, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(key, "not true or false")
		return def
	}
	return t
}

func (r *handReader) duration(key string, def time.Duration) time.Duration {
	v := r.env[key]
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		r.fail(key, "not a duration")
		return def
	}
	return d
}

func (r *handReader) list(key string) []string {
	v := r.env[key]
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// processEnvSize is the number of variables of the process environment the
// process-environment rows run with: configEnv's 20 and filler variables a
// platform sets (PATH, HOME, KUBERNETES_*...) up to it.
const processEnvSize = 40

// withProcessEnv replaces the process environment by m and filler
// variables, processEnvSize in all, until the benchmark ends.
func withProcessEnv(b *testing.B, m map[string]string) {
	b.Helper()
	saved := os.Environ()
	b.Cleanup(func() {
		os.Clearenv()
		for _, kv := range saved {
			if k, v, ok := strings.Cut(kv, "="); ok {
				_ = os.Setenv(k, v)
			}
		}
	})
	os.Clearenv()
	for k, v := range m {
		if err := os.Setenv(k, v); err != nil {
			b.Fatal(err)
		}
	}
	for i := 0; len(os.Environ()) < processEnvSize; i++ {
		if err := os.Setenv(fmt.Sprintf("PLATFORM_VAR_%02d", i), "/usr/local/bin:/usr/bin:/bin"); err != nil {
			b.Fatal(err)
		}
	}
}

// threadCPUTime returns the CPU time the calling thread has used (see
// cpuNow), and skips the benchmark where no per-thread clock exists.
func threadCPUTime(b *testing.B) time.Duration {
	t, ok := cpuNow()
	if !ok {
		b.Skip("no per-thread CPU clock here")
	}
	return t
}

// pairedCPU runs peer and ours in alternating turns of batch calls each
// (peer first on even turns, ours first on odd ones), timed by the CPU clock
// of the benchmark's own locked thread, and returns the median over turns of
// ours' time over the peer's, and the mean CPU time per call of each. Load
// from other processes comes in bursts longer than a turn and weighs on both
// alike; the thread's clock leaves out time the thread was not running, and
// the median leaves out the turns a garbage collection fell into. The GC's
// background work on other threads is not counted.
func pairedCPU(b *testing.B, peer, ours func()) (ratio, peerNs, oursNs float64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const batch = 8
	var tp, to time.Duration
	var ratios []float64
	run := func(f func()) time.Duration {
		t0 := threadCPUTime(b)
		for range batch {
			f()
		}
		return threadCPUTime(b) - t0
	}
	for b.Loop() {
		var p, o time.Duration
		if len(ratios)%2 == 0 {
			p, o = run(peer), run(ours)
		} else {
			o, p = run(ours), run(peer)
		}
		tp, to = tp+p, to+o
		if p > 0 {
			ratios = append(ratios, float64(o)/float64(p))
		}
	}
	if len(ratios) == 0 {
		b.Fatal("no turn measured")
	}
	slices.Sort(ratios)
	n := float64(b.N * batch)
	return ratios[len(ratios)/2], float64(tp.Nanoseconds()) / n, float64(to.Nanoseconds()) / n
}

// reportPaired reports twelvekit over the peer in CPU time (x-cpu, the
// median of the turns' ratios) and in allocations (x-allocs), and the means
// of each, for one pair. A turn's wall time means nothing alone, so ns/op is
// zeroed.
func reportPaired(b *testing.B, peer, ours func()) {
	peerAllocs := testing.AllocsPerRun(20, peer)
	oursAllocs := testing.AllocsPerRun(20, ours)
	ratio, peerNs, oursNs := pairedCPU(b, peer, ours)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(ratio, "x-cpu")
	b.ReportMetric(oursAllocs/peerAllocs, "x-allocs")
	b.ReportMetric(peerNs, "peer-cpu-ns")
	b.ReportMetric(oursNs, "ours-cpu-ns")
	b.ReportMetric(peerAllocs, "peer-allocs")
	b.ReportMetric(oursAllocs, "ours-allocs")
}

// BenchmarkLoadPaired measures what config.Load adds to caarlos0/env, which
// it is built on: both read the same struct type (twelvekitConfig, whose
// secrets caarlos0/env reads through their UnmarshalText) from the same
// environment, in paired turns (see pairedCPU). env=map passes the same map
// to both (config.WithEnvironment, env.Options.Environment); env=process has
// both read a process environment of processEnvSize variables themselves
// (config.Load[T]() and env.Parse). Each checks once that what it loads is
// right.
func BenchmarkLoadPaired(b *testing.B) {
	m := configEnv()
	b.Run("env=map", func(b *testing.B) {
		var c twelvekitConfig
		err := env.ParseWithOptions(&c, env.Options{Environment: m})
		checkLoaded(b, twelvekitLoaded(&c), err)
		tk, err := config.Load[twelvekitConfig](config.WithEnvironment(m))
		checkLoaded(b, twelvekitLoaded(&tk), err)
		reportPaired(b,
			func() {
				var c twelvekitConfig
				if err := env.ParseWithOptions(&c, env.Options{Environment: m}); err != nil {
					b.Fatal(err)
				}
			},
			func() {
				if _, err := config.Load[twelvekitConfig](config.WithEnvironment(m)); err != nil {
					b.Fatal(err)
				}
			})
	})
	b.Run("env=process", func(b *testing.B) {
		withProcessEnv(b, m)
		var c twelvekitConfig
		err := env.Parse(&c)
		checkLoaded(b, twelvekitLoaded(&c), err)
		tk, err := config.Load[twelvekitConfig]()
		checkLoaded(b, twelvekitLoaded(&tk), err)
		reportPaired(b,
			func() {
				var c twelvekitConfig
				if err := env.Parse(&c); err != nil {
					b.Fatal(err)
				}
			},
			func() {
				if _, err := config.Load[twelvekitConfig](); err != nil {
					b.Fatal(err)
				}
			})
	})
}

// BenchmarkLoadPairedPeerStruct is BenchmarkLoadPaired with each side on its
// own struct, as BenchmarkLoad has them: twelvekit's secrets are
// config.Secret, caarlos0/env's plain strings, so the ratio includes what the
// Secret type costs (an UnmarshalText call and the closure that hides the
// value).
func BenchmarkLoadPairedPeerStruct(b *testing.B) {
	m := configEnv()
	b.Run("env=map", func(b *testing.B) {
		reportPaired(b,
			func() {
				var c caarlosConfig
				if err := env.ParseWithOptions(&c, env.Options{Environment: m}); err != nil {
					b.Fatal(err)
				}
			},
			func() {
				if _, err := config.Load[twelvekitConfig](config.WithEnvironment(m)); err != nil {
					b.Fatal(err)
				}
			})
	})
	b.Run("env=process", func(b *testing.B) {
		withProcessEnv(b, m)
		reportPaired(b,
			func() {
				var c caarlosConfig
				if err := env.Parse(&c); err != nil {
					b.Fatal(err)
				}
			},
			func() {
				if _, err := config.Load[twelvekitConfig](); err != nil {
					b.Fatal(err)
				}
			})
	})
}

// twelvekitLoaded extracts the checked fields of a twelvekitConfig.
func twelvekitLoaded(c *twelvekitConfig) loaded {
	return loaded{
		ServiceName: c.ServiceName, Port: c.Port, PublicURL: c.PublicURL.String(),
		LogLevel: c.LogLevel, LogFormat: c.LogFormat, ReadTimeout: c.ReadTimeout,
		IdleTimeout: c.IdleTimeout, RateLimit: c.RateLimit, AllowedOrigins: c.AllowedOrigins,
		RetryBackoff: c.RetryBackoff, EnableMetrics: c.EnableMetrics, EnableTracing: c.EnableTracing,
		APIKey: c.APIKey.Reveal(), DBHost: c.DB.Host, DBPort: c.DB.Port, DBUser: c.DB.User,
		DBPassword: c.DB.Password.Reveal(), DBMaxOpenConns: c.DB.MaxOpenConns,
		DBConnMaxLifetime: c.DB.ConnMaxLifetime,
	}
}

// scaledType builds a struct type of n fields, a quarter each of strings,
// integers, durations and booleans, every other one with a default; it
// carries caarlos0/env tags, which config reads as they are.
func scaledType(n int) reflect.Type {
	kinds := []reflect.Type{reflect.TypeFor[string](), reflect.TypeFor[int](), reflect.TypeFor[time.Duration](), reflect.TypeFor[bool]()}
	defaults := []string{"x", "7", "5s", "true"}
	fields := make([]reflect.StructField, n)
	for i := range fields {
		tag := fmt.Sprintf(`env:"VAR_%03d"`, i)
		if i%2 == 1 {
			tag += fmt.Sprintf(` envDefault:"%s"`, defaults[i%4])
		}
		fields[i] = reflect.StructField{Name: fmt.Sprintf("F%03d", i), Type: kinds[i%4], Tag: reflect.StructTag(tag)}
	}
	return reflect.StructOf(fields)
}

// scaledEnv sets every fourth variable of scaledType(n) to a valid value.
func scaledEnv(n int) map[string]string {
	values := []string{"value", "42", "250ms", "false"}
	m := map[string]string{}
	for i := 0; i < n; i += 4 {
		m[fmt.Sprintf("VAR_%03d", i)] = values[i%4]
		if i+1 < n {
			m[fmt.Sprintf("VAR_%03d", i+1)] = values[(i+1)%4]
		}
	}
	return m
}

// BenchmarkLoadScaling is the scaling curve: config.Parse against
// env.ParseWithOptions on structs of 10, 30, 100 and 300 fields, the same
// map passed to both, in paired turns.
func BenchmarkLoadScaling(b *testing.B) {
	for _, n := range []int{10, 30, 100, 300} {
		b.Run(fmt.Sprintf("fields=%d", n), func(b *testing.B) {
			t := scaledType(n)
			m := scaledEnv(n)
			a, c := reflect.New(t), reflect.New(t)
			if err := env.ParseWithOptions(a.Interface(), env.Options{Environment: m}); err != nil {
				b.Fatal(err)
			}
			if err := config.Parse(c.Interface(), config.WithEnvironment(m)); err != nil {
				b.Fatal(err)
			}
			if !reflect.DeepEqual(a.Elem().Interface(), c.Elem().Interface()) {
				b.Fatalf("config read %v, caarlos0/env %v", c.Elem(), a.Elem())
			}
			reportPaired(b,
				func() {
					if err := env.ParseWithOptions(reflect.New(t).Interface(), env.Options{Environment: m}); err != nil {
						b.Fatal(err)
					}
				},
				func() {
					if err := config.Parse(reflect.New(t).Interface(), config.WithEnvironment(m)); err != nil {
						b.Fatal(err)
					}
				})
		})
	}
}

// Command shop is an order intake service built from twelvekit's packages:
// one binary with two process types and a one-off task.
//
//	shop migrate   create or upgrade the schema (safe to run twice, and at once)
//	shop web       HTTP API on $PORT: POST /orders, GET /orders/{id}, GET /jobs
//	shop worker    ship the orders: take jobs from the queue table, one at a time
//
// plus the admin built-ins config, backing, version and help.
//
// The database is SQLite in ./shop.db when DATABASE_URL is unset and
// PostgreSQL when DATABASE_URL says so (postgres://...); the code is the same.
// See README.md for how to run it locally, against PostgreSQL, as several
// workers and on a platform.
package main

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/twelvekit/twelvekit/admin"
	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/lifecycle"
	"github.com/twelvekit/twelvekit/logging"
	"go.uber.org/zap"
)

// Config is every variable shop reads.
type Config struct {
	Lifecycle lifecycle.Config // PORT, MANAGEMENT_PORT, SHUTDOWN_TIMEOUT, DRAIN_DELAY
	Logging   logging.Config   // LOG_LEVEL, LOG_FORMAT, LOG_KEYS...
	Store     StoreConfig      // DATABASE_URL: all that migrate reads, with Logging

	APIKey config.Secret `env:"API_KEY" desc:"when set, POST /orders needs the header Authorization: Bearer <API_KEY>"`

	JobLease       time.Duration `env:"JOB_LEASE" envDefault:"30s" desc:"how long a worker may hold a job; past it the job is taken again by another worker (keep it above the longest job)"`
	PollInterval   time.Duration `env:"POLL_INTERVAL" envDefault:"1s" desc:"how long an idle worker waits before it looks for jobs again"`
	MaxAttempts    int           `env:"JOB_MAX_ATTEMPTS" envDefault:"5" desc:"attempts after which a job is marked failed"`
	CarrierLatency time.Duration `env:"CARRIER_LATENCY" envDefault:"0s" desc:"simulated time the carrier's API takes to book one shipment (for demos and tests)"`
}

// StoreConfig is the database's part of Config: the migrate task reads
// only this (and the logging variables), so it runs with DATABASE_URL alone
// whatever the web and worker variables say.
type StoreConfig struct {
	Database backing.URL `env:"DATABASE_URL" envDefault:"sqlite://shop.db" desc:"the database: postgres://user:password@host/db, or a SQLite file (sqlite://shop.db is relative to the working directory)"`
}

// Validate checks that the database is one shop speaks to.
func (c *StoreConfig) Validate() error {
	bad := func(problem, want string) error {
		return &config.FieldError{Var: "DATABASE_URL", Problem: problem, Want: want}
	}
	if c.Database.IsZero() {
		return bad("empty", "unset it for SQLite in ./shop.db, or a postgres:// or sqlite:// URL")
	}
	if s := c.Database.Scheme(); s != "postgres" && s != "sqlite" {
		return bad("a "+s+" URL", "a postgres:// or sqlite:// URL")
	}
	return nil
}

// Validate checks what the env tags cannot; config loading adds its
// problems to the same report.
func (c *Config) Validate() error {
	var errs []error
	bad := func(name, problem, want string) {
		errs = append(errs, &config.FieldError{Var: name, Problem: problem, Want: want})
	}
	if c.JobLease <= 0 {
		bad("JOB_LEASE", "not positive", "a duration above the longest job, such as 30s")
	}
	if c.PollInterval <= 0 {
		bad("POLL_INTERVAL", "not positive", "a duration such as 1s")
	}
	if c.MaxAttempts < 1 {
		bad("JOB_MAX_ATTEMPTS", "below 1", "a count such as 5")
	}
	if c.CarrierLatency < 0 {
		bad("CARRIER_LATENCY", "negative", "a duration such as 0s or 20ms")
	}
	return errors.Join(errs...)
}

func main() { os.Exit(run(context.Background(), os.Args[1:])) }

// run runs one command of shop and returns its exit code.
func run(ctx context.Context, args []string, opts ...admin.Option) int {
	s := &service{}
	return s.app().Run(ctx, args, opts...)
}

// service holds what the commands of one run share: the loaded
// configuration, and the database once a command has opened it.
type service struct {
	cfg   Config
	store *store
}

// app registers shop's commands.
func (s *service) app() *admin.App {
	app := admin.New("shop", &s.cfg, admin.WithPlatformProcessType())
	app.Process("web", "serve the HTTP API on $PORT", s.web,
		admin.WithHelp("Takes orders (POST /orders), shows them (GET /orders/{id}) and the queue (GET /jobs).\nEach order is stored with a shipping job in one transaction."))
	app.Process("worker", "ship orders: take jobs from the queue and process them", s.worker,
		admin.WithHelp("Claims one job at a time under a lease of JOB_LEASE; on SIGTERM it finishes\nthe job in hand and takes no new one. Run as many workers as you like."))
	app.Task("migrate", "create or upgrade the database schema", s.migrate,
		admin.WithConfig(&s.cfg.Store),
		admin.WithHelp("Applies the migrations not yet applied, in one transaction; safe to run twice\nand from several processes at once. Run it as the release phase. It reads\nonly DATABASE_URL and the logging variables."))
	return app
}

// open opens the database of the configuration, once per run, and has the
// command close it once it has ended: for a process type, after every actor
// has stopped, so that no actor loses the pool while it still uses it.
func (s *service) open(ctx context.Context, c *admin.Call) (*store, error) {
	if s.store == nil {
		st, err := openStore(ctx, s.cfg.Store.Database)
		if err != nil {
			return nil, err
		}
		if err := c.Cleanup("database", func(context.Context) error { return st.Close() }); err != nil {
			_ = st.Close()
			return nil, err
		}
		s.store = st
	}
	return s.store, nil
}

// migrate is the migrate task.
func (s *service) migrate(ctx context.Context, c *admin.Call) error {
	st, err := s.open(ctx, c)
	if err != nil {
		return err
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	for _, m := range applied {
		c.Log.Info("migration applied", zap.Int("version", m.version), zap.String("name", m.name))
	}
	c.Log.Info("schema up to date", zap.Int("version", latestVersion()), zap.Int("applied", len(applied)), zap.String("database", st.kind))
	return nil
}

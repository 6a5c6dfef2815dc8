package backing_test

import (
	"context"
	"fmt"
	"time"

	"github.com/twelvekit/twelvekit/backing"
	"github.com/twelvekit/twelvekit/config"
)

// ExampleParse shows the canonical, redacted form and the explicit TLS mode
// of a URL a platform hands out.
func ExampleParse() {
	u, err := backing.Parse("PostgreSQL://app:p%40ss@db.internal/shop?sslmode=verify-full&pool_max_conns=10")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u)
	fmt.Println(u.Scheme(), u.Hosts()[0], u.Database(), u.TLS())
	fmt.Println(u.ClientParams())
	// Output:
	// postgres://app:[REDACTED]@db.internal:5432/shop?sslmode=verify-full&pool_max_conns=10
	// postgres db.internal:5432 shop verify-full
	// [{pool_max_conns 10}]
}

// ExampleParse_error shows an error that says what to fix without quoting
// the URL or its password.
func ExampleParse_error() {
	_, err := backing.Parse("postgres://app:hunter2@db.internal:54321x/shop")
	fmt.Println(err)
	// Output:
	// backing: port is not a number from 1 to 65535; fix the port, and percent-encode a : or @ in the password
}

// ExampleURL_SQL shows the database/sql driver name and DSN for PostgreSQL:
// every value written out, so PGPASSWORD or ~/.pgpass cannot change it.
func ExampleURL_SQL() {
	u, _ := backing.Parse("postgres://app:secret@db1,db2:5433/shop?sslmode=require")
	driver, dsn, _ := u.SQL()
	fmt.Println(driver)
	fmt.Println(dsn)
	// Output:
	// pgx
	// host='db1,db2' port='5432,5433' user='app' password='secret' dbname='shop' sslmode=require
}

// ExampleURL_Redis shows Heroku's legacy "h" user dropped and the explicit
// option that accepts its self-signed certificate.
func ExampleURL_Redis() {
	u, _ := backing.Parse("rediss://h:secret@ec2-1.compute-1.amazonaws.com:6380", backing.WithInsecureSkipVerify())
	o, _ := u.Redis()
	fmt.Println(u)
	fmt.Printf("addr=%s user=%q password=%v db=%d verify=%v\n", o.Addr, o.Username, o.Password, o.DB, !o.TLS.InsecureSkipVerify)
	// Output:
	// rediss://h:[REDACTED]@ec2-1.compute-1.amazonaws.com:6380/0 (certificate not verified)
	// addr=ec2-1.compute-1.amazonaws.com:6380 user="" password=[REDACTED] db=0 verify=false
}

// ExampleURL_AMQP shows omitted credentials staying omitted, so amqp091-go
// applies its own default (guest) as it would for the original URL.
func ExampleURL_AMQP() {
	for _, raw := range []string{"amqp://localhost", "amqp://worker:s3cret@rabbit/jobs"} {
		u, _ := backing.Parse(raw)
		uri, _ := u.AMQP()
		fmt.Println(uri)
	}
	// Output:
	// amqp://localhost:5672/%2F
	// amqp://worker:s3cret@rabbit:5672/jobs
}

// ExampleAttached lists the backing services of an environment, redacted,
// as a start-up log would.
func ExampleAttached() {
	env := map[string]string{
		"DATABASE_URL":       "postgres://app:secret@db/shop",
		"REDIS_URL":          "redis://:secret@cache:6379/1",
		"MEMCACHIER_SERVERS": "mc1:11211,mc2:11211",
		"HOME":               "/root",
	}
	for _, r := range backing.Attached(backing.WithEnvironment(env)) {
		fmt.Println(r)
	}
	// Output:
	// DATABASE_URL=postgres://app:[REDACTED]@db:5432/shop
	// MEMCACHIER_SERVERS=memcached://mc1:11211,mc2:11211
	// REDIS_URL=redis://:[REDACTED]@cache:6379/1
}

// ExampleCheck checks each attached service with a timeout; it needs the
// services, so it has no output to compare.
func ExampleCheck() {
	for _, r := range backing.Attached(backing.WithEnvironment(map[string]string{"REDIS_URL": "redis://127.0.0.1:6379"})) {
		if r.Err != nil {
			fmt.Println(r.Err)
			continue
		}
		if err := backing.Check(context.Background(), r.URL, backing.WithTimeout(2*time.Second)); err != nil {
			fmt.Println(err)
		}
	}
}

// ExampleURL_UnmarshalText shows a backing.URL field read by config loading.
func ExampleURL_UnmarshalText() {
	type Config struct {
		Database backing.URL `env:"DATABASE_URL,required" desc:"primary database"`
	}
	_, err := config.Load[Config](config.WithEnvironment(map[string]string{"DATABASE_URL": "couchdb://u:secret@m/db"}))
	fmt.Println(err != nil)
	cfg, _ := config.Load[Config](config.WithEnvironment(map[string]string{"DATABASE_URL": "mysql://u:secret@db/shop"}))
	fmt.Println(cfg.Database)
	// Output:
	// true
	// mysql://u:[REDACTED]@db:3306/shop
}

// ExampleAMQPURL shows a typed field: a URL of another family lands in the
// config report under the variable's name, with the schemes it takes, and
// never with the credential.
func ExampleAMQPURL() {
	type Config struct {
		Broker backing.AMQPURL `env:"AMQP_URL,required"`
	}
	_, err := config.Load[Config](config.WithEnvironment(map[string]string{"AMQP_URL": "redis://:hunter2@cache:6379"}))
	fmt.Println(err)
	cfg, _ := config.Load[Config](config.WithEnvironment(map[string]string{"AMQP_URL": "amqps://app:hunter2@rabbit/jobs"}))
	fmt.Println(cfg.Broker)
	// Output:
	// config: AMQP_URL: a redis URL; want amqp or amqps
	// amqps://app:[REDACTED]@rabbit:5671/jobs
}

// ExampleURL_String shows what String masks: the password, a token-only
// userinfo and credential query options.
func ExampleURL_String() {
	for _, raw := range []string{
		"postgres://app:hunter2@db/shop?sslpassword=k3y&application_name=web",
		"https://ghp_T0KEN@api.example.com/repos",
		"https://hooks.slack.com/services/T0/B0/s3cr3t",
		"s3://AKIAEXAMPLE:hunter2@bucket/prefix?region=eu-west-1",
		"rediss://default:hunter2@cache:6380/2?dial_timeout=3s",
	} {
		u, _ := backing.Parse(raw)
		fmt.Println(u)
	}
	// Output:
	// postgres://app:[REDACTED]@db:5432/shop?sslpassword=[REDACTED]&application_name=web
	// https://[REDACTED]@api.example.com:443/[REDACTED]
	// https://hooks.slack.com:443/[REDACTED]/[REDACTED]/[REDACTED]/[REDACTED]
	// s3://[REDACTED]@bucket/[REDACTED]?region=eu-west-1
	// rediss://default:[REDACTED]@cache:6380/2?dial_timeout=3s
}

// Package backing reads backing-service URLs (twelve-factor IV: backing
// services as attached resources) and hands each driver exactly what the URL
// means, without importing any driver.
//
// # Parsing
//
// [Parse] reads the URLs platforms hand out in *_URL variables: postgres,
// mysql, sqlite, redis, amqp, nats, mqtt, memcached, smtp, http and s3, with
// their aliases and TLS variants. It canonicalises the scheme, fills in the
// default port, percent-decodes credentials, reads IPv6 literals, unix
// sockets and host lists, keeps query options in order and states the TLS
// mode explicitly ([URL.TLS]). A config field of type [URL] is parsed by
// config loading:
//
//	type Config struct {
//		Database backing.URL `env:"DATABASE_URL,required" desc:"primary database"`
//	}
//
// # Redaction
//
// [URL.String], fmt, JSON, log/slog and zap print the URL with
// [config.Redacted] in place of the password; [URL.Reveal] gives the full
// text. Errors never hold the password or the raw text.
//
// # Driver-ready output
//
//	driver, dsn, err := cfg.Database.SQL()     // sql.Open(driver, dsn): pgx, lib/pq, mysql, sqlite
//	ro, err := cfg.Redis.Redis()               // go-redis Options fields
//	uri, err := cfg.Broker.AMQP()              // amqp091-go Dial, no invented guest password
//	no, err := cfg.NATS.NATS()                 // nats.go servers and credentials
//	mo, err := cfg.MQTT.MQTT()                 // paho broker with its port
//
// Each is proven against the official driver's own parser and a live service
// by the conformance module of this repository. Query options meant for the
// client or its pool ([URL.ClientParams]) are kept out of SQL DSNs, where a
// driver would send them to the server as session settings.
//
// # Hermetic
//
// Nothing is read from the machine: no PG* variable, ~/.pgpass or service
// file. The PostgreSQL DSN writes the password, database, sslmode and
// passfile out, so the drivers' own environment defaults cannot change it.
// The same input always gives byte-identical output.
//
// # Attached resources and reachability
//
// [Attached] lists every *_URL variable of an environment with a known
// scheme (and MEMCACHIER_SERVERS and its kin), redacted, for start-up logs.
// [Check] tells whether a service answers with its own protocol's greeting,
// within a timeout, so a closed port and another program on the port are
// both reported.
package backing

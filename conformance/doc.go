// Package conformance proves github.com/twelvekit/twelvekit/backing against
// the official drivers, never against backing's own expectation of them:
//
//   - TestDifferential feeds each value of a corpus of about a thousand
//     (platform documentation, the drivers' own test files, hand-written
//     edge cases; URLs, and the forms a field declaring its family reads:
//     ws/wss in NATS, tls/unix in MQTT, libpq keyword/value strings,
//     go-sql-driver DSNs, bare NATS and MQTT hosts), each parsed as a field
//     declaring its family parses it, to the drivers' own parsers (pgconn, pgxpool, lib/pq,
//     go-sql-driver/mysql, go-redis ParseURL and ParseClusterURL, amqp091-go
//     ParseURI, nats.go's server list reading, paho's AddBroker), feeds
//     backing's driver-ready output for it to the same parsers, and compares
//     the two readings field by field. It prints the count and agreement
//     per family and fails below 98% or on any difference that the backing
//     package doc does not list.
//   - FuzzDrivers checks that backing's output never panics a driver parser.
//   - TestPostgres_environment checks that hostile PGHOST, PGPORT and
//     PGDATABASE do not change the server the drivers read from backing's
//     DSN, and that under hostile PGPASSWORD, PGSSLMODE and ~/.pgpass pgx
//     reads the DSN as it reads the original URL.
//   - TestRedaction_spew prints URLs and the option structs with go-spew,
//     methods disabled, and finds no credential.
//   - The live tests connect to the real services on the loopback
//     interface: PostgreSQL :5432, MariaDB :3306, Redis :6379, RabbitMQ
//     :5672, Mosquitto :1883 and NATS :4222. They fail when a service is
//     unreachable; set TWELVEKIT_SKIP_SERVICES=1 to skip them on a machine
//     without the services.
//   - The nested module mysql14 checks that go-sql-driver/mysql 1.4.1, the
//     oldest release services still pin, reads backing's MySQL DSN as it
//     reads the original value; this module does the same with the newest.
//
// The package holds tests only.
package conformance

// Package conformance feeds the driver-ready output of
// github.com/twelvekit/twelvekit/backing to the official drivers' own parsers
// (pgx, lib/pq, go-sql-driver/mysql, go-redis, amqp091-go, paho.mqtt) and
// connects to the real services on the loopback interface: PostgreSQL :5432,
// MariaDB :3306, Redis :6379, RabbitMQ :5672, Mosquitto :1883 and NATS :4222.
//
// Tests that need a service fail when it is unreachable; set
// TWELVEKIT_SKIP_SERVICES=1 to skip them on a machine without the services.
// The package holds tests only.
package conformance

package backing

// Typed config fields: each is a [URL] that accepts only its families, so a
// wrong scheme lands in config loading's report, naming the variable:
//
//	type Config struct {
//		Broker backing.AMQPURL `env:"AMQP_URL,required"`
//	}
//
// AMQP_URL=redis://cache gives "AMQP_URL: a redis URL; want amqp or amqps".
// Every method of URL is promoted; the embedded URL is the parsed value.
//
// A typed field declares its family, and the declared family decides: it
// reads the schemes the family shares with another (ws and wss in a
// NATSURL, tls and unix in an MQTTURL) and the forms of its drivers that are
// not URLs (a libpq keyword/value string in a PostgresURL, a go-sql-driver
// DSN in a MySQLURL, both in an SQLURL, a bare host:port list in a NATSURL,
// MQTTURL or KafkaURL). See the package documentation.

// SQLURL is a [URL] field that accepts postgres, mysql and sqlite URLs, what
// [URL.SQL] reads, and libpq keyword/value strings and go-sql-driver DSNs.
type SQLURL struct{ URL }

// UnmarshalText parses text as [URL.UnmarshalText] does, accepting only
// postgres, mysql and sqlite URLs; another family's error wraps [ErrFamily].
func (u *SQLURL) UnmarshalText(text []byte) error {
	return u.unmarshal(text, "postgres", "mysql", "sqlite")
}

// PostgresURL is a [URL] field that accepts only postgres URLs and libpq
// keyword/value strings (host=db dbname=app).
type PostgresURL struct{ URL }

// UnmarshalText parses text as [URL.UnmarshalText] does, accepting only
// postgres URLs; another family's error wraps [ErrFamily].
func (u *PostgresURL) UnmarshalText(text []byte) error { return u.unmarshal(text, "postgres") }

// MySQLURL is a [URL] field that accepts only mysql URLs and go-sql-driver
// DSNs (user:password@tcp(host:3306)/db?parseTime=true).
type MySQLURL struct{ URL }

// UnmarshalText parses text as [URL.UnmarshalText] does, accepting only
// mysql URLs; another family's error wraps [ErrFamily].
func (u *MySQLURL) UnmarshalText(text []byte) error { return u.unmarshal(text, "mysql") }

// RedisURL is a [URL] field that accepts only redis URLs (redis, rediss,
// unix).
type RedisURL struct{ URL }

// UnmarshalText parses text as [URL.UnmarshalText] does, accepting only
// redis URLs; another family's error wraps [ErrFamily].
func (u *RedisURL) UnmarshalText(text []byte) error { return u.unmarshal(text, "redis") }

// AMQPURL is a [URL] field that accepts only amqp and amqps URLs.
type AMQPURL struct{ URL }

// UnmarshalText parses text as [URL.UnmarshalText] does, accepting only
// amqp URLs; another family's error wraps [ErrFamily].
func (u *AMQPURL) UnmarshalText(text []byte) error { return u.unmarshal(text, "amqp") }

// NATSURL is a [URL] field that accepts only NATS servers: nats, tls (NATS
// over TLS), ws and wss (NATS over WebSocket) URLs, lists of them, and a
// bare host:port list, as nats.go reads them.
type NATSURL struct{ URL }

// UnmarshalText parses text as [URL.UnmarshalText] does, accepting only
// nats URLs; another family's error wraps [ErrFamily].
func (u *NATSURL) UnmarshalText(text []byte) error { return u.unmarshal(text, "nats") }

// MQTTURL is a [URL] field that accepts only MQTT brokers: mqtt, tcp, mqtts,
// ssl, tcps, mqtt+ssl, tls, ws, wss and unix URLs, and a bare host:port, as
// paho reads them.
type MQTTURL struct{ URL }

// UnmarshalText parses text as [URL.UnmarshalText] does, accepting only
// mqtt URLs; another family's error wraps [ErrFamily].
func (u *MQTTURL) UnmarshalText(text []byte) error { return u.unmarshal(text, "mqtt") }

// MongoURL is a [URL] field that accepts only MongoDB URLs: mongodb and
// mongodb+srv.
type MongoURL struct{ URL }

// UnmarshalText parses text as [URL.UnmarshalText] does, accepting only
// MongoDB URLs; another family's error wraps [ErrFamily].
func (u *MongoURL) UnmarshalText(text []byte) error { return u.unmarshal(text, "mongodb") }

// KafkaURL is a [URL] field that accepts only Kafka broker lists: kafka and
// kafka+ssl URLs (Heroku's KAFKA_URL), and a bare host:port list.
type KafkaURL struct{ URL }

// UnmarshalText parses text as [URL.UnmarshalText] does, accepting only
// Kafka broker lists; another family's error wraps [ErrFamily].
func (u *KafkaURL) UnmarshalText(text []byte) error { return u.unmarshal(text, "kafka") }

// Package backing reads backing-service URLs (twelve-factor IV: backing
// services as attached resources) and hands each driver exactly what the URL
// means, without importing any driver.
//
// # Parsing
//
// [Parse] reads the URLs platforms hand out in *_URL variables: postgres,
// mysql, sqlite, redis, amqp, nats, mqtt, memcached, smtp, http, s3,
// mongodb and kafka, with their aliases and TLS variants. It canonicalises the scheme, fills in the
// default port, percent-decodes credentials, reads IPv6 literals and zones,
// unix sockets and host lists, keeps query options in order and states the
// TLS mode explicitly ([URL.TLS]). It refuses, inside the config report,
// what the driver would refuse only at connect time: unknown Redis options,
// malformed numbers, booleans and durations, out-of-range heartbeats, a
// query key without '='. A config field of type [URL] is parsed by config
// loading; a typed field ([PostgresURL], [SQLURL], [RedisURL], [AMQPURL],
// [NATSURL], [MQTTURL], [MongoURL], [KafkaURL]) also refuses another
// family, naming the variable, and reads what that family's drivers read
// (see The declared family decides):
//
//	type Config struct {
//		Database backing.SQLURL  `env:"DATABASE_URL,required" desc:"primary database"`
//		Broker   backing.AMQPURL `env:"AMQP_URL"` // AMQP_URL: a redis URL; want amqp or amqps
//	}
//
// # Printing URLs
//
// [URL.String], every fmt verb, JSON, text, log/slog, zap and [Attached]'s
// [Resource] print a URL by twelvekit's one redaction rule (the package
// documentation of internal/redact states it; config and admin use the
// same), which fails closed: a part shows only when it is known not to
// carry a credential, and everything else reads [config.Redacted].
//
//   - Shown: the scheme, the hosts and ports, the user name of the families
//     whose user is a role (postgres, mysql, redis, amqp, mqtt, memcached),
//     the database, vhost or database number (postgres, mysql, amqp, redis)
//     and the sqlite file, the query keys, and the values of the query
//     options in the family's safe list (sslmode, connect_timeout,
//     application_name, target_session_attrs, pool_* for postgres;
//     parseTime, loc, charset, timeouts for mysql; dial_timeout,
//     client_name, pool_size... for redis; heartbeat, channel_max... for
//     amqp; region for s3).
//   - Masked: the password; the whole userinfo of the families where it
//     may be a token (nats, http and https, s3, smtp: https://TOKEN@host,
//     https://TOKEN:x-oauth-basic@host, an AWS key as the SMTP user); every
//     path segment that is not the database (Slack and Discord webhooks,
//     Telegram bot URLs, S3 prefixes); every other query value; the
//     fragment.
//
// The password, a token userinfo, a user name that may be a token, the path
// and every option value and option name the rule masks are kept behind a
// function value, where reflection-based printers (fmt's %p, go-spew,
// go-cmp's report) do not follow them; go-cmp compares URLs with
// [URL.Equal]. What those printers still see is what the rule shows: the
// hosts, the database name, the option names it knows and their safe
// values. [URL.Reveal] gives
// the full text. Errors never hold a credential or the raw text. A sqlite
// "path" shaped like a URL that lost its scheme (//user:password@host/db,
// /srv/user:password@host/db) is refused, so it is never printed as a file
// name.
//
// # Driver-ready output
//
//	driver, dsn, err := cfg.Database.SQL()     // sql.Open(driver, dsn): pgx, lib/pq, mysql, sqlite
//	ro, err := cfg.Redis.Redis()               // go-redis Options fields; Reveal() for ParseURL
//	uri, err := cfg.Broker.AMQP()              // amqp091-go Dial
//	no, err := cfg.NATS.NATS()                 // nats.go servers and credentials
//	mo, err := cfg.MQTT.MQTT()                 // paho broker with its port
//	uri, err := cfg.Mongo.Mongo()              // mongo-driver options.Client().ApplyURI
//	ko, err := cfg.Kafka.Kafka(cfg.KafkaCerts) // franz-go seeds, TLS (Heroku's certificates), SASL
//
// Omitted stays omitted: where the URL gives no credentials or option, the
// output gives none, so the driver's own default applies (amqp://host logs
// in as amqp091-go's guest). Where the driver has the setting, it is passed
// through as written (sslmode=allow reaches pgx as allow).
//
// # Proof, and the deliberate differences
//
// The conformance module of this repository feeds about 1,250 values, and
// backing's output for each, to the drivers' own parsers (pgconn, pgxpool,
// lib/pq, go-sql-driver/mysql, go-redis ParseURL and ParseClusterURL,
// amqp091-go ParseURI, nats.go's server list reading, paho's AddBroker,
// mongo-driver's connstring.ParseAndValidate, franz-go's kgo.NewClient) and
// compares the readings field by field. They match, except for these
// differences, each deliberate; the suite counts any other as a failure:
//
//   - [alias-schemes] pgsql://, pg://, POSTGRES:// and redis+unix:// are
//     read, and so are MONGODB:// and other spellings in capitals, though
//     pgx, go-redis and the MongoDB driver know only their own: platforms
//     hand them out.
//   - [unescaped-at] an unescaped @ in a PostgreSQL password: the userinfo
//     ends at the last @, as net/url, go-redis and amqp091-go read it; pgx
//     and libpq stop at the first.
//   - [at-after-host] an @ in the path, or in an option whose name the
//     printing rule does not know, is refused (but in http and s3 URLs,
//     whose paths may hold one; a known option's value may hold one, as a
//     password or client_id=svc@host does): the "host" before it may be
//     part of a user name or token holding an unencoded '/' or '?', which
//     a driver would dial and a printer would show. Write such an @ as
//     %40. For the same reason a server after the first of a NATS list
//     may not carry credentials without its scheme (nats.go splits the
//     list at every ',', a token's too; write nats://user:password@host).
//   - [host-required] a URL without a host is refused where the driver
//     would fall back to PGHOST, a default socket or localhost (postgres,
//     mysql, nats, mqtt): nothing is read from the machine (see What the machine may change).
//     amqp and redis URLs get localhost, as their specification and
//     drivers say.
//   - [keyword-value] a libpq keyword/value string (host=h dbname=d) is
//     read only in a field declaring PostgreSQL; elsewhere it is refused
//     with a message saying what it is.
//   - [ssl-only-true] ?ssl= is read only as ssl=true, as pgx reads it;
//     other values would reach the server as a setting, so they are refused.
//   - [client-params] pool and client options (pool_*, max_open_conns,
//     statement_cache_capacity...) are left out of the SQL DSNs and kept in
//     [URL.ClientParams], since database/sql drivers would send them to the
//     server; pgxpool reads the same when they are added back.
//   - [pq-url-reading] lib/pq reads URLs with net/url, unlike libpq and
//     pgx: IPv6 brackets kept in the host, ssl=true sent to the server, the
//     first of repeated options, one port for all hosts. Where lib/pq's
//     reading of a URL differs from pgx's, backing follows pgx (libpq's
//     reading), and lib/pq reads the DSN that way.
//   - [pq-socket-host] a percent-encoded socket directory as the host
//     (postgres://%2Ftmp/db), which lib/pq's URL parser refuses, is read as
//     pgx reads it.
//   - [port-range] port 0 and ports above 65535 are refused at parse time;
//     the drivers would fail to dial them.
//   - [strict-query] a query option without '=' or with a bad
//     percent-encoding is refused, as pgx refuses it; lib/pq ignores it,
//     and go-redis and net/url read a lone key as an empty value.
//   - [fragment] a '#' is refused: in a *_URL it is most often an
//     unescaped # in a password; libpq and pgx read it as text.
//   - [port-list] more ports than hosts is refused, as pgx refuses it.
//   - [mysql-tls] omitted stays omitted: without a TLS option in the URL,
//     the MySQL DSN and the canonical form write none, so
//     go-sql-driver/mysql's default (no TLS) applies and every release
//     from 1.4 on reads the DSN; [URL.TLS] still reports [TLSPrefer],
//     MySQL's own clients' default, for code that builds its own TLS.
//     tls=preferred is written only when the URL asks for it, and releases
//     before 1.5 refuse it.
//   - [mysql-url-options] the URL conventions of other MySQL clients
//     (ssl-mode, sslmode, ssl, sslaccept, socket) are read into the DSN's
//     tls option and unix(path), rather than sent to the server as
//     settings; a value of theirs that maps to no tls mode (Prisma's
//     ssl={"rejectUnauthorized":true}) is refused, where go-sql-driver/mysql
//     would send it to the server as a session variable and fail to
//     connect.
//   - [redis-options-struct] [RedisOptions] carries the address (or
//     cluster addresses), credentials, database and TLS; go-redis's own
//     query options (pool_size, dial_timeout, client_name...) are checked
//     by Parse and reach go-redis through redis.ParseURL(u.Reveal()), which
//     reads them as it reads the original.
//   - [redis-heroku-h] [URL.Redis] drops Heroku's legacy user "h", which
//     Redis 6 would read as an ACL user; [URL.Reveal] keeps it.
//   - [nats-shared-credentials] credentials given on one server of a NATS
//     list apply to every server ([NATSOptions] has one set).
//   - [mqtt-port] the MQTT broker gets its default port (1883, 8883, 80,
//     443) where the URL gives none; paho adds none and its dial would fail.
//   - [strictest-driver] where the drivers of a family disagree on a value,
//     Parse refuses what the strictest refuses: pgx's and pgxpool's checks
//     of connect_timeout, target_session_attrs, channel_binding, pool_* and
//     the statement cache apply to lib/pq users too, whose driver would
//     send the value to the server and fail at connect time.
//   - [tls-files] certificate files named in options (sslrootcert, sslcert,
//     sslkey, certfile...) are not opened by Parse, which reads no file; pgx
//     opens them when it parses, the others when they connect.
//   - [percent-host] a percent-encoded host name is decoded (it is how
//     sockets are written); net/url refuses it.
//   - [shared-schemes] in a field that declares no family, a scheme two
//     families' drivers share is read as its owner's: tls:// is NATS over
//     TLS, ws:// and wss:// are MQTT over WebSocket, unix:// is a Redis
//     socket. A field that declares the family reads it as that family's
//     drivers do (see The declared family decides); its [URL.Reveal] is
//     then read back the same way by a field of the same family.
//   - [mysql-dsn-host] an empty address in a go-sql-driver DSN (u@/db) is
//     127.0.0.1:3306, and unix() is /tmp/mysql.sock, the driver's own
//     defaults; tcp4(...) and tcp6(...) are read as tcp(...), since a URL
//     has no network; a network registered in code (cloudsql(...)) is
//     refused.
//   - [mqtt-unix-path] an MQTT unix URL names its socket by an absolute
//     path (unix:///run/mosquitto.sock); paho's older unix://name.sock, a
//     path relative to the working directory, is refused.
//   - [mongo-host-chars] a MongoDB host is read as a host name (letters,
//     digits, '-', '.', '_'), an IP literal or a socket path ending in
//     .sock; the driver passes other text on to the resolver.
//   - [kafka-url-options] Kafka has no URL of its own: kafka:// and
//     kafka+ssl:// are Heroku's form, read as its documentation tells
//     clients to (the scheme stripped, TLS for kafka+ssl); a list gives
//     every broker the same scheme, credentials and options, and options
//     other than tls, sasl_mechanism and client_id are refused rather than
//     ignored.
//   - [kafka-heroku-certs] with KAFKA_TRUSTED_CERT, the brokers' chain is
//     checked against that certificate only and not against their host
//     names, which Heroku's broker certificates do not carry.
//
// # The declared family decides
//
// A field that declares its family (the typed fields [PostgresURL],
// [MySQLURL], [NATSURL], [MQTTURL]..., or [Parse] with [WithFamily]) reads
// a value as that family's drivers read it:
//
//   - schemes it shares with other families: ws:// and wss:// in NATS
//     (nats.go's WebSocket, ports 80 and 443, the path kept), tls:// and
//     unix:// in MQTT (paho's TLS and socket transports);
//   - forms that are not URLs: a libpq keyword/value string in PostgreSQL
//     (host=db port=5432 dbname=app user=u password='it\'s', quoting and
//     escapes as libpq's; the last of a repeated keyword wins); a
//     go-sql-driver DSN in MySQL (user:pw@tcp(host:3306)/db?parseTime=true,
//     u@unix(/run/mysqld/mysqld.sock)/db), user and password as written; a
//     bare host[:port] list in NATS (h1:4222,h2) and a bare host[:port] in
//     MQTT, as nats.go and paho add their scheme and port; a bare broker
//     list in Kafka (h1:9092,h2:9092), as kgo.SeedBrokers takes it.
//
// Their driver-ready output is what the driver reads the original as, and
// every printer masks their credentials as it masks a URL's. A field that
// declares no family keeps reading only URLs, each scheme as its owner.
//
// Each family also declares, in its table entry, which parts of its URLs
// hold no credential (the database, vhost or bucket name, and the query
// keys of its drivers that carry none), for the redaction rule.
//
// # What the machine may change
//
// Parse reads nothing from the machine: no PG* variable, ~/.pgpass or
// service file. The PostgreSQL DSN names the server in full (host, port and
// database), so PGHOST, PGPORT and PGDATABASE cannot send it elsewhere. What
// the URL leaves out, the DSN leaves out too: a password, sslmode, a user.
// The driver's own defaults then apply to the DSN exactly as they apply to
// the original URL: PGPASSWORD and ~/.pgpass without a password (a
// platform that injects PGPASSWORD from a secret keeps working), PGSSLMODE
// and then the driver's default without sslmode (prefer for pgx and libpq,
// require for lib/pq), PGUSER (then the OS user) without a user, and
// PGAPPNAME, PGCONNECT_TIMEOUT, PGSSLROOTCERT and the like. The conformance
// suite checks both halves under hostile values of these variables. The same
// input always gives byte-identical output.
//
// # Attached resources and reachability
//
// [Attached] lists every *_URL variable of an environment with a known
// scheme (and MEMCACHIER_SERVERS and its kin), redacted, for start-up logs.
// [Check] tells whether a service answers with its own protocol: it
// completes the protocol's first exchange (a PostgreSQL startup, a MySQL
// handshake packet read whole, an AMQP Connection.Start frame, a NATS INFO's
// JSON, an MQTT CONNACK, a MongoDB hello, a Kafka ApiVersions...) within a
// timeout, so a closed port and another program on the port are both
// reported, the latter naming what answered; a valid beginning followed by
// silence fails; when the caller's context ends first it returns ctx.Err().
//
// # Families
//
// Each family is one entry of an unexported table (name, spellings, the
// spellings it shares with other families when declared, default ports,
// TLS, an example, the parts of its URLs that hold no credential, and its
// parse, write and greet functions) and one file, family_<name>.go; a test
// fails when an entry lacks a part.
//
// MongoDB: mongodb and mongodb+srv URLs are read as the official driver's
// connection-string parser reads them, and checked as it checks them when
// a client applies them ([URL.Mongo] is what options.Client().ApplyURI
// takes). Besides the password and the credential options of every family,
// every auth option (authSource, authMechanism, authMechanismProperties,
// which can hold an AWS session token) and every password option
// (tlsCertificateKeyFilePassword) is masked in print.
//
// Kafka: a broker list, written bare (h1:9092,h2:9092) in a field declaring
// Kafka, or as kafka:// and kafka+ssl:// URLs, Heroku's KAFKA_URL. [URL.Kafka]
// returns the seeds, TLS, SASL and client id a client such as franz-go
// takes, and adds Heroku's KAFKA_CLIENT_CERT, KAFKA_CLIENT_CERT_KEY and
// KAFKA_TRUSTED_CERT ([KafkaCerts], which a config struct can embed; Parse
// itself reads no variable).
package backing

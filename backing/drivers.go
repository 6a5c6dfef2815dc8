package backing

import (
	"crypto/tls"
	"crypto/x509"
	"strconv"
	"strings"

	"github.com/twelvekit/twelvekit/config"
)

// TLSConfig returns the TLS settings the URL's mode asks for, or nil for
// [TLSDisable]. [TLSVerify] checks the certificate against the system roots
// and the first host's name; [TLSVerifyCA] checks the chain but not the name;
// [TLSRequire] and [TLSPrefer] check nothing (for TLSPrefer, falling back to
// plain text is the caller's job). The minimum version is TLS 1.2. Each call
// returns a new config that the caller may change.
func (u URL) TLSConfig() *tls.Config {
	if u.tls == TLSDisable {
		return nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(u.hosts) > 0 && !u.hosts[0].Unix {
		c.ServerName = u.hosts[0].Name
	}
	switch u.tls {
	case TLSPrefer, TLSRequire:
		c.InsecureSkipVerify = true
	case TLSVerifyCA:
		c.InsecureSkipVerify = true
		c.VerifyPeerCertificate = verifyChain
	}
	return c
}

// verifyChain checks a server's chain against the system roots, for any name.
func verifyChain(rawCerts [][]byte, _ [][]*x509.Certificate) error {
	certs := make([]*x509.Certificate, 0, len(rawCerts))
	for _, raw := range rawCerts {
		c, err := x509.ParseCertificate(raw)
		if err != nil {
			return err
		}
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return errorf("the server sent no certificate")
	}
	opts := x509.VerifyOptions{Intermediates: x509.NewCertPool()}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := certs[0].Verify(opts)
	return err
}

func (u URL) want(fam, method string) error {
	if u.scheme == fam {
		return nil
	}
	got := u.scheme
	if got == "" {
		got = "unset"
	}
	return &familyError{method: method, want: fam, got: got}
}

// familyError is returned by a driver-ready method called on a URL of another
// family.
type familyError struct{ method, want, got string }

func (e *familyError) Error() string {
	return "backing: " + e.method + " needs a " + e.want + " URL, this one is " + e.got + "; check which variable the code reads"
}
func (e *familyError) Unwrap() error { return ErrFamily }

// SQL returns what database/sql's sql.Open needs for a postgres, mysql or
// sqlite URL: the conventional driver name and its DSN.
//
//   - postgres: driver "pgx" (github.com/jackc/pgx/v5/stdlib; lib/pq registers
//     "postgres" and reads the same DSN) and a keyword/value DSN with every
//     value quoted: host and port (comma lists for several hosts), user,
//     password, dbname, sslmode, passfile=” and the connection options. It
//     is also what pgx.Connect and pgxpool.New take. Writing password,
//     dbname, sslmode and passfile out keeps PGPASSWORD, PGDATABASE,
//     PGSSLMODE and ~/.pgpass from changing what the URL says. A URL without
//     a user leaves the user to the driver (PGUSER, then the OS user).
//   - mysql: driver "mysql" (github.com/go-sql-driver/mysql) and its DSN,
//     user:password@tcp(host:port)/dbname?tls=...&options, or unix(path) for
//     a socket; the tls option is always written (true, false, skip-verify,
//     preferred). TLSVerifyCA has no go-sql-driver name and is an error.
//   - sqlite: driver "sqlite" (modernc.org/sqlite; mattn/go-sqlite3 registers
//     "sqlite3" and reads the same DSN) and file:path?options.
//
// [URL.ClientParams] are left out of both server DSNs. Other families give an
// error wrapping [ErrFamily].
func (u URL) SQL() (driverName, dsn string, err error) {
	switch u.scheme {
	case "postgres":
		return "pgx", u.postgresDSN(), nil
	case "mysql":
		dsn, err := u.mysqlDSN()
		return "mysql", dsn, err
	case "sqlite":
		var b strings.Builder
		b.WriteString("file:")
		b.WriteString(escape(u.database, pathKeep))
		sep := byte('?')
		for _, p := range u.params {
			b.WriteByte(sep)
			sep = '&'
			b.WriteString(escape(p.Key, queryKeep))
			b.WriteByte('=')
			b.WriteString(escape(p.Value, queryKeep))
		}
		return "sqlite", b.String(), nil
	}
	return "", "", &familyError{method: "SQL", want: "postgres, mysql or sqlite", got: orUnset(u.scheme)}
}

func orUnset(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

// pgQuote writes a libpq keyword/value value in single quotes.
func pgQuote(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('\'')
}

func (u URL) postgresDSN() string {
	var b strings.Builder
	b.Grow(128)
	b.WriteString("host=")
	var hosts, ports strings.Builder
	for i, h := range u.hosts {
		if i > 0 {
			hosts.WriteByte(',')
			ports.WriteByte(',')
		}
		hosts.WriteString(h.Name)
		ports.WriteString(strconv.Itoa(h.Port))
	}
	pgQuote(&b, hosts.String())
	b.WriteString(" port=")
	pgQuote(&b, ports.String())
	if u.hasUser && u.user != "" {
		b.WriteString(" user=")
		pgQuote(&b, u.user)
	}
	b.WriteString(" password=")
	pgQuote(&b, u.password.Reveal())
	b.WriteString(" dbname=")
	pgQuote(&b, u.database)
	b.WriteString(" sslmode=")
	b.WriteString(u.tls.String())
	b.WriteString(" passfile=''")
	for _, p := range u.params {
		b.WriteByte(' ')
		b.WriteString(p.Key)
		b.WriteByte('=')
		pgQuote(&b, p.Value)
	}
	return b.String()
}

func (u URL) mysqlDSN() (string, error) {
	if u.tls == TLSVerifyCA {
		return "", errorf("go-sql-driver/mysql has no tls option for verify-ca; use ssl-mode=VERIFY_IDENTITY or REQUIRED")
	}
	if strings.IndexByte(u.user, ':') >= 0 {
		return "", errorf("the MySQL user name has a ':', which go-sql-driver/mysql cannot read; rename the user")
	}
	var b strings.Builder
	b.Grow(96)
	if u.hasUser || u.hasPass {
		b.WriteString(u.user)
		if u.hasPass {
			b.WriteByte(':')
			b.WriteString(u.password.Reveal())
		}
		b.WriteByte('@')
	}
	h := u.hosts[0]
	if h.Unix {
		b.WriteString("unix(")
		b.WriteString(h.Name)
	} else {
		b.WriteString("tcp(")
		b.WriteString(h.String())
	}
	b.WriteString(")/")
	b.WriteString(u.database)
	b.WriteString("?tls=")
	b.WriteString(mysqlTLS(u.tls))
	for _, p := range u.params {
		b.WriteByte('&')
		b.WriteString(escape(p.Key, "")) // go-sql-driver reads keys as written
		b.WriteByte('=')
		b.WriteString(escape(p.Value, ""))
	}
	return b.String(), nil
}

// RedisOptions is what a Redis client such as go-redis needs, field by field
// (redis.Options has the same names). Password is a [config.Secret]: pass
// Password.Reveal() to the client.
type RedisOptions struct {
	Network  string // "tcp" or "unix"
	Addr     string // host:port, or the socket path
	Username string // "" for Heroku's legacy "h" user, see [URL.Redis]
	Password config.Secret
	DB       int
	TLS      *tls.Config // nil for redis://, verified for rediss://
}

// Redis returns a redis or rediss URL's options for a Redis client. The
// legacy user "h" of Heroku Redis URLs (redis://h:password@host) is dropped,
// since Redis 6 would read it as an ACL user that does not exist; the
// password then authenticates the default user. Heroku's rediss:// URLs need
// [WithInsecureSkipVerify] at Parse for their self-signed certificates.
// Query options are not carried: read them with [URL.Params]. Other families
// give an error wrapping [ErrFamily].
func (u URL) Redis() (RedisOptions, error) {
	if err := u.want("redis", "Redis"); err != nil {
		return RedisOptions{}, err
	}
	o := RedisOptions{Network: "tcp", Addr: u.hosts[0].String(), Username: u.user, Password: u.password, DB: u.redisDB, TLS: u.TLSConfig()}
	if u.hosts[0].Unix {
		o.Network = "unix"
	}
	if o.Username == "h" && u.hasPass {
		o.Username = ""
	}
	return o, nil
}

// AMQP returns an amqp or amqps URL as amqp091-go's Dial and ParseURI read
// it: port and vhost written out (the vhost percent-encoded, so "/" is
// /%2F), and the credentials exactly as given: a user without password gets
// an empty password and a URL without credentials gets empty ones, never
// amqp091-go's invented guest/guest. To use RabbitMQ's guest account, put
// guest:guest in the URL. Query options follow in order. Dial an amqps URL
// with amqp.DialTLS and [URL.TLSConfig]. Other families give an error
// wrapping [ErrFamily].
func (u URL) AMQP() (string, error) {
	if err := u.want("amqp", "AMQP"); err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(64)
	if u.variant == "amqps" {
		b.WriteString("amqps://")
	} else {
		b.WriteString("amqp://")
	}
	b.WriteString(escape(u.user, userKeep))
	b.WriteByte(':')
	b.WriteString(escape(u.password.Reveal(), userKeep))
	b.WriteByte('@')
	b.WriteString(u.hosts[0].String())
	b.WriteByte('/')
	b.WriteString(escape(u.database, ""))
	sep := byte('?')
	for _, p := range u.params {
		b.WriteByte(sep)
		sep = '&'
		b.WriteString(escape(p.Key, queryKeep))
		b.WriteByte('=')
		b.WriteString(escape(p.Value, queryKeep))
	}
	return b.String(), nil
}

// NATSOptions is what nats.go needs: the server list for nats.Connect (join
// it with ","), and the credentials for nats.UserInfo or nats.Token.
type NATSOptions struct {
	Servers  []string // nats://host:port or tls://host:port, without credentials
	User     string
	Password config.Secret
	Token    config.Secret // a user name without password, as nats.go reads it
	TLS      *tls.Config   // nil unless the URL is tls:// (nats.Secure)
}

// NATS returns a nats or tls URL's servers and credentials. Following
// nats.go, a user name without a password is a token. Other families give an
// error wrapping [ErrFamily].
func (u URL) NATS() (NATSOptions, error) {
	if err := u.want("nats", "NATS"); err != nil {
		return NATSOptions{}, err
	}
	scheme := "nats://"
	if u.tls != TLSDisable {
		scheme = "tls://"
	}
	o := NATSOptions{TLS: u.TLSConfig()}
	for _, h := range u.hosts {
		o.Servers = append(o.Servers, scheme+h.String())
	}
	switch {
	case u.hasPass:
		o.User, o.Password = u.user, u.password
	case u.hasUser:
		o.Token = config.NewSecret(u.user)
	}
	return o, nil
}

// MQTTOptions is what an MQTT client such as eclipse/paho.mqtt.golang needs:
// the broker URL for AddBroker, with its port written out (paho adds none),
// and the credentials for SetUsername and SetPassword.
type MQTTOptions struct {
	Broker   string // tcp://host:1883, ssl://host:8883, ws://host:80/path or wss://host:443/path
	Username string
	Password config.Secret
	TLS      *tls.Config // for SetTLSConfig; nil for tcp and ws
}

// MQTT returns an mqtt, mqtts, ws or wss URL's broker and credentials. The
// broker carries no credentials and no query. Other families give an error
// wrapping [ErrFamily].
func (u URL) MQTT() (MQTTOptions, error) {
	if err := u.want("mqtt", "MQTT"); err != nil {
		return MQTTOptions{}, err
	}
	var scheme string
	switch u.variant {
	case "mqtts":
		scheme = "ssl://"
	case "ws", "wss":
		scheme = u.variant + "://"
	default:
		scheme = "tcp://"
	}
	b := scheme + u.hosts[0].String()
	if u.variant == "ws" || u.variant == "wss" {
		b += escape(u.path, pathKeep)
	}
	return MQTTOptions{Broker: b, Username: u.user, Password: u.password, TLS: u.TLSConfig()}, nil
}

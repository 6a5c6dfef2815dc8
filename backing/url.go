package backing

import (
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"

	"github.com/twelvekit/twelvekit/config"
)

// TLSMode says how a client must use TLS with a service. Every URL has one,
// read from its scheme (rediss, amqps, https...) or its query (sslmode for
// PostgreSQL, tls or ssl-mode for MySQL), so no driver has to guess.
type TLSMode int

// The TLS modes, from none to the strictest.
const (
	// TLSDisable: plain text only.
	TLSDisable TLSMode = iota
	// TLSPrefer: TLS when the server offers it, plain text otherwise, and the
	// certificate is not checked. It is PostgreSQL's and MySQL's default when
	// the URL says nothing, and SMTP's STARTTLS on smtp://.
	TLSPrefer
	// TLSRequire: TLS or no connection, but the certificate is not checked.
	TLSRequire
	// TLSVerifyCA: TLS with a certificate signed by a trusted authority, for
	// any host name (PostgreSQL's verify-ca).
	TLSVerifyCA
	// TLSVerify: TLS with a trusted certificate for the host name.
	TLSVerify
)

// String returns the mode's name: disable, prefer, require, verify-ca or
// verify-full (PostgreSQL's words).
func (m TLSMode) String() string {
	switch m {
	case TLSDisable:
		return "disable"
	case TLSPrefer:
		return "prefer"
	case TLSRequire:
		return "require"
	case TLSVerifyCA:
		return "verify-ca"
	case TLSVerify:
		return "verify-full"
	}
	return "TLSMode(" + strconv.Itoa(int(m)) + ")"
}

// Host is one address of a service: a host name or IP literal and a port, or
// a unix socket.
type Host struct {
	// Name is a host name or an IP address (an IPv6 one without brackets),
	// or, when Unix is true, a socket path: for PostgreSQL the directory that
	// holds .s.PGSQL.<port>, for MySQL and Redis the socket file.
	Name string
	// Port is the port, the scheme's default when the URL gives none. For a
	// PostgreSQL socket it names the socket file; other sockets have 0.
	Port int
	// Unix reports whether Name is a unix socket path.
	Unix bool
}

// String returns "name:port" (IPv6 in brackets) or the socket path.
func (h Host) String() string {
	if h.Unix {
		return h.Name
	}
	return net.JoinHostPort(h.Name, strconv.Itoa(h.Port))
}

// Param is one query option of a URL, percent-decoded.
type Param struct {
	Key, Value string
}

// URL is a parsed backing-service URL: a scheme family, hosts with ports,
// credentials, a database (or vhost, bucket, file), query options and a TLS
// mode. Build one with [Parse] or through config loading, which calls
// [URL.UnmarshalText].
//
// A URL never shows its password by accident: [URL.String], fmt (every verb),
// encoding/json, log/slog and zap print it with [config.Redacted] in place of
// the password. [URL.Reveal] returns the full form. The zero value is an unset
// URL: it prints as "" and reports [URL.IsZero]. A URL is an immutable value,
// safe for concurrent use; its accessors return copies.
type URL struct {
	scheme   string // family: postgres, mysql, sqlite, redis, amqp, nats, mqtt, memcached, smtp, http, s3
	variant  string // printed scheme: rediss, unix, amqps, tls, mqtts, ws, wss, smtps, https; "" when the family's
	user     string
	hasUser  bool
	password config.Secret
	hasPass  bool
	hosts    []Host
	path     string // decoded path as written (with its leading /), or the sqlite file
	database string
	params   []Param // connection options, in order
	client   []Param // client and pool options, in order
	tls      TLSMode
	insecure bool // WithInsecureSkipVerify lowered the mode
	redisDB  int
}

// IsZero reports whether u is the zero URL, as left by an empty variable.
func (u URL) IsZero() bool { return u.scheme == "" }

// Scheme returns the scheme family in its canonical spelling: postgres,
// mysql, sqlite, redis, amqp, nats, mqtt, memcached, smtp, http or s3.
// Aliases (postgresql, mariadb, sqlite3...) and TLS variants (rediss, amqps,
// mqtts, wss, smtps, https, nats's tls) report their family; [URL.TLS] tells
// the variant.
func (u URL) Scheme() string { return u.scheme }

// Hosts returns a copy of the URL's hosts, in order, each with its port (the
// scheme's default where the URL gives none). sqlite and s3 URLs have none.
func (u URL) Hosts() []Host { return append([]Host(nil), u.hosts...) }

// User returns the percent-decoded user name, or "". For NATS, a user name
// without a password is a token: see [URL.NATS].
func (u URL) User() string { return u.user }

// Password returns the percent-decoded password as a [config.Secret].
func (u URL) Password() config.Secret { return u.password }

// Database returns what the path names for the family: the database for
// postgres and mysql, the file for sqlite (":memory:" for an in-memory one),
// the vhost for amqp ("/" when the path is empty), the database number for
// redis ("0" by default), the bucket for s3; "" for the others.
func (u URL) Database() string { return u.database }

// Path returns the percent-decoded path as written, with its leading "/"
// (the key prefix of an s3 URL, the path of an http or ws URL).
func (u URL) Path() string { return u.path }

// Params returns a copy of the connection options of the query, in the
// order written, percent-decoded. Options the URL itself is made of (sslmode,
// tls, ssl-mode, db, and for postgres host, port, user, password and dbname)
// are read into the URL and not repeated here. The driver-ready output passes
// these on to the driver.
func (u URL) Params() []Param { return append([]Param(nil), u.params...) }

// ClientParams returns a copy of the query options meant for the client or its
// connection pool, in order: pool_* (pgxpool's pool_max_conns...), max_conns,
// max_open_conns, max_idle_conns, conn_max_lifetime and conn_max_idle_time.
// The SQL DSNs leave them out, because PostgreSQL and MySQL drivers send an
// option they do not know to the server as a session setting, which fails the
// connection. Apply them to the pool yourself.
func (u URL) ClientParams() []Param { return append([]Param(nil), u.client...) }

// TLS returns the URL's TLS mode.
func (u URL) TLS() TLSMode { return u.tls }

// String returns the URL in its canonical form with the password replaced by
// [config.Redacted] (and a NATS token, a user name without password, too),
// followed by " (certificate not verified)" when [WithInsecureSkipVerify]
// lowered its TLS mode. It is "" for the zero URL. Never parse its result:
// use [URL.Reveal].
func (u URL) String() string {
	if u.IsZero() {
		return ""
	}
	s := u.format(true)
	if u.insecure {
		s += " (certificate not verified)"
	}
	return s
}

// Reveal returns the URL in its canonical form with the password: the scheme
// canonicalised, every port and the TLS option written out, credentials and
// options percent-encoded. Parsing it gives the same URL back, except for a
// [WithInsecureSkipVerify] choice, which is not part of the text. Call it only
// where the text is handed to code that needs it.
func (u URL) Reveal() string {
	if u.IsZero() {
		return ""
	}
	return u.format(false)
}

// GoString returns the same as String, for %#v.
func (u URL) GoString() string { return u.String() }

// Format writes [URL.String] for every verb and flag; %q quotes it.
func (u URL) Format(f fmt.State, verb rune) {
	s := u.String()
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}

// MarshalText returns [URL.String], so encoding/json, zap and other encoders
// print the redacted form. It cannot be read back: the password is gone.
func (u URL) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

// LogValue returns [URL.String] for log/slog.
func (u URL) LogValue() slog.Value { return slog.StringValue(u.String()) }

// UnmarshalText parses text with [Parse] into u; empty text gives the zero
// URL and no error, so an optional variable may be unset (mark the field
// env:",required" to insist). Config loading calls it for a field of type URL
// and puts its error, which never holds the password or the text, in the
// config report.
func (u *URL) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*u = URL{}
		return nil
	}
	v, err := Parse(string(text))
	if err != nil {
		if pe, ok := err.(*parseError); ok {
			return &textError{pe}
		}
		return err
	}
	*u = v
	return nil
}

// format writes the canonical form, with the password redacted or not.
func (u URL) format(redact bool) string {
	var b strings.Builder
	b.Grow(64)
	scheme := u.scheme
	if u.variant != "" {
		scheme = u.variant
	}
	b.WriteString(scheme)
	b.WriteByte(':')
	if u.scheme == "sqlite" {
		if strings.HasPrefix(u.database, "//") {
			b.WriteString("//") // else sqlite:// would eat the path's own //
		}
		b.WriteString(escape(u.database, pathKeep))
		u.writeQuery(&b)
		return b.String()
	}
	b.WriteString("//")
	if u.hasUser || u.hasPass {
		if redact && u.scheme == "nats" && !u.hasPass {
			b.WriteString(config.Redacted) // a token
		} else {
			b.WriteString(escape(u.user, userKeep))
		}
		if u.hasPass {
			b.WriteByte(':')
			if redact && u.password.IsSet() {
				b.WriteString(config.Redacted)
			} else {
				b.WriteString(escape(u.password.Reveal(), userKeep))
			}
		}
		b.WriteByte('@')
	}
	switch {
	case u.scheme == "s3":
		b.WriteString(escape(u.database, hostKeep))
	case u.variant == "unix":
	default:
		for i, h := range u.hosts {
			if i > 0 {
				b.WriteByte(',')
			}
			switch {
			case h.Unix:
				b.WriteString(escape(h.Name, hostKeep))
				if h.Port != 0 {
					b.WriteByte(':')
					b.WriteString(strconv.Itoa(h.Port))
				}
			case strings.IndexByte(h.Name, ':') >= 0:
				b.WriteByte('[')
				b.WriteString(strings.ReplaceAll(h.Name, "%", "%25"))
				b.WriteByte(']')
				b.WriteByte(':')
				b.WriteString(strconv.Itoa(h.Port))
			default:
				b.WriteString(h.Name)
				b.WriteByte(':')
				b.WriteString(strconv.Itoa(h.Port))
			}
		}
	}
	switch u.scheme {
	case "postgres", "mysql":
		b.WriteByte('/')
		b.WriteString(escape(u.database, segKeep))
	case "amqp":
		b.WriteByte('/')
		b.WriteString(escape(u.database, segKeep))
	case "redis":
		if u.variant == "unix" {
			b.WriteString(escape(u.hosts[0].Name, pathKeep))
		} else {
			b.WriteByte('/')
			b.WriteString(strconv.Itoa(u.redisDB))
		}
	default:
		b.WriteString(escape(u.path, pathKeep))
	}
	u.writeQuery(&b)
	return b.String()
}

func (u URL) writeQuery(b *strings.Builder) {
	sep := byte('?')
	add := func(k, v string) {
		b.WriteByte(sep)
		sep = '&'
		b.WriteString(escape(k, queryKeep))
		b.WriteByte('=')
		b.WriteString(escape(v, queryKeep))
	}
	switch u.scheme {
	case "postgres":
		add("sslmode", u.tls.String())
	case "mysql":
		add("tls", mysqlTLS(u.tls))
	case "redis":
		if u.variant == "unix" {
			add("db", strconv.Itoa(u.redisDB))
		}
	}
	for _, p := range u.params {
		add(p.Key, p.Value)
	}
	for _, p := range u.client {
		add(p.Key, p.Value)
	}
}

// Characters written as they are, beyond letters, digits and -._~.
const (
	userKeep  = "!$&'()*+,;="
	hostKeep  = "!$&'()*+;="
	segKeep   = "!$&'()*+,;=:@"
	pathKeep  = "!$&'()*+,;=:@/"
	queryKeep = "!$'()*,;:@/"
)

// escape percent-encodes s, keeping unreserved characters and those in keep.
func escape(s, keep string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !keepByte(s[i], keep) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	buf := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if keepByte(c, keep) {
			buf = append(buf, c)
			continue
		}
		buf = append(buf, '%', hex[c>>4], hex[c&15])
	}
	return string(buf)
}

func keepByte(c byte, keep string) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c == '-' || c == '.' || c == '_' || c == '~':
		return true
	}
	return strings.IndexByte(keep, c) >= 0
}

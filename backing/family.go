package backing

import (
	"bufio"
	"net"
	"strings"

	"github.com/twelvekit/twelvekit/internal/redact"
)

// family is one entry of the table of scheme families: everything the
// package knows about a kind of backing service. Each family lives in its
// own file (family_postgres.go...); TestFamilies checks that every entry has
// every part.
type family struct {
	name    string   // canonical scheme, what URL.Scheme returns
	schemes []scheme // spellings; the first is the canonical one
	example string   // a URL of this family, for error messages; it parses
	multi   bool     // several hosts allowed in the authority
	hier    bool     // scheme://authority/path; false for sqlite
	// userName: a lone userinfo (scheme://name@host) is a user name; when
	// false it is a token, masked like a password.
	userName bool
	// plus: a '+' in the query is a space (net/url's reading); libpq keeps it.
	plus bool
	// oneEquals: a query value may not hold a raw '=' (libpq's rule).
	oneEquals bool
	// noNUL: a percent-encoded NUL (%00) is refused anywhere (pgx's rule).
	noNUL bool
	// defaultHost fills an empty authority, as the family's driver does
	// (amqp091 and go-redis: localhost); "" makes a host required.
	defaultHost string
	// atInPath: a bare @ may stand in the path and the options
	// (https://host/@user, a file name); elsewhere one in the path or
	// after an option name the printing rule does not know is taken for
	// the end of a user name or token holding an unencoded '/' or '?', and
	// refused (see atAfterHost), and Reveal writes it %40.
	atInPath bool
	// emptyHosts: empty host names are allowed in the authority, to be
	// filled from the query (postgres://u@:5433/db?host=/socket).
	emptyHosts bool
	// shared are spellings another family owns in the table, read as this
	// family's when a field declares it (ws in NATS, tls in MQTT).
	shared []scheme
	// public is what of a URL of the family may print as it is under a
	// fail-closed redaction rule, beyond scheme, hosts and ports.
	public publicParts
	// secretParam reports whether a query key carries a credential.
	secretParam func(key string) bool
	// finish reads the path and the query into u; the authority is read.
	finish func(u *URL, params []Param) error
	// write writes what follows the userinfo: hosts, path and query.
	write func(u *URL, b *strings.Builder, hide bool)
	// greet exchanges the first bytes of the protocol on a connected conn.
	greet func(c net.Conn, r *bufio.Reader, u URL, h Host) error
}

// publicParts are the parts of a family's URLs that hold no credential:
// whether the database (vhost, bucket, file, database number) shows, and
// the query keys whose values show. Every other query value, the user
// information and the path are for the redaction rule to mask.
type publicParts struct {
	database bool
	keys     []string
}

// publicKey reports whether the value of query key k shows in print for the
// family: k is one of its public keys, and not a credential by name.
func (f *family) publicKey(k string) bool {
	for _, p := range f.public.keys {
		if p == k {
			return !isSecretParam(k)
		}
	}
	return false
}

// scheme is one spelling of a family's scheme.
type scheme struct {
	name    string  // lower case, as matched
	variant string  // printed scheme when not the family's name
	port    int     // default port
	tls     TLSMode // TLS mode when the query says nothing
}

// families is the table. Its functions must not refer to it (Go would see an
// initialisation cycle); lookup and Parse do.
var families = [...]*family{
	&postgresFamily, &mysqlFamily, &sqliteFamily, &redisFamily, &amqpFamily, &natsFamily,
	&mqttFamily, &memcachedFamily, &smtpFamily, &httpFamily, &s3Family, &mongoFamily,
	&kafkaFamily,
}

// schemeIndex maps every lower-case spelling to its family and scheme.
var schemeIndex = func() map[string]schemeRef {
	m := make(map[string]schemeRef)
	for _, f := range families {
		for i := range f.schemes {
			m[f.schemes[i].name] = schemeRef{f, &f.schemes[i]}
		}
	}
	return m
}()

type schemeRef struct {
	fam *family
	s   *scheme
}

// lookup returns the family and spelling of a scheme, in any case.
func lookup(name string) (schemeRef, bool) {
	if hasUpper(name) {
		name = strings.ToLower(name)
	}
	r, ok := schemeIndex[name]
	return r, ok
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return true
		}
	}
	return false
}

// familyByName returns the family whose canonical name is name.
func familyByName(name string) *family {
	for _, f := range families {
		if f.name == name {
			return f
		}
	}
	return nil
}

func orList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// knownSchemes is listed in the error for an unknown scheme.
func knownSchemes() string {
	var names []string
	for _, f := range families {
		for _, s := range f.schemes {
			names = append(names, s.name)
		}
	}
	return strings.Join(names, ", ")
}

// article returns "a" or "an" for a scheme name as it is spoken.
func article(name string) string {
	switch name {
	case "amqp", "http", "https", "s3", "smtp", "smtps", "sqlite", "mqtt", "mqtts", "unset":
		return "an"
	}
	return "a"
}

// isSecretParam is the credential test common to every family, failing
// closed: every key outside the safe lists of internal/redact (sslmode,
// connect_timeout, dial_timeout, parseTime...) may carry a credential, and
// its value is kept where reflection does not reach it. SQLite drivers' own
// keys (_busy_timeout) are read with their leading underscores too.
func isSecretParam(key string) bool {
	if plainKeys[key] {
		return false
	}
	return !redact.SafeParam(key) && !redact.SafeParam(strings.TrimLeft(key, "_"))
}

// plainKeys are the drivers' common option names, all in redact's safe
// lists (TestPlainKeys checks each); they skip the list scan.
var plainKeys = map[string]bool{
	"application_name": true, "sslmode": true, "connect_timeout": true, "target_session_attrs": true, "search_path": true,
	"options": true, "timezone": true, "sslrootcert": true, "sslcert": true, "sslnegotiation": true, "sslsni": true,
	"channel_binding": true, "min_protocol_version": true, "max_protocol_version": true, "pool_max_conns": true,
	"pool_min_conns": true, "pool_min_idle_conns": true, "pool_max_conn_lifetime": true, "pool_max_conn_idle_time": true,
	"pool_health_check_period": true, "statement_cache_capacity": true, "default_query_exec_mode": true,
	"parseTime": true, "loc": true, "charset": true, "collation": true, "timeout": true, "readTimeout": true,
	"writeTimeout": true, "interpolateParams": true, "multiStatements": true, "tls": true, "max_open_conns": true,
	"max_idle_conns": true, "conn_max_lifetime": true, "heartbeat": true, "connection_timeout": true, "channel_max": true,
	"auth_mechanism": true, "server_name_indication": true, "certfile": true, "cacertfile": true, "region": true,
	"client_name": true, "protocol": true, "pool_size": true, "dial_timeout": true, "read_timeout": true,
	"write_timeout": true, "db": true, "addr": true, "max_retries": true, "pool_timeout": true, "min_idle_conns": true,
	"conn_max_idle_time": true, "skip_verify": true, "read_only": true, "route_by_latency": true, "route_randomly": true,
	"max_redirects": true, "_pragma": true, "mode": true, "cache": true, "_busy_timeout": true, "_journal_mode": true,
	"endpoint": true,
}

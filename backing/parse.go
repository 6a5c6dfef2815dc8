package backing

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/twelvekit/twelvekit/config"
)

// knownSchemes is listed in the error for an unknown scheme.
const knownSchemes = "postgres, mysql, sqlite, redis, rediss, amqp, amqps, nats, tls, mqtt, mqtts, ws, wss, memcached, smtp, smtps, http, https, s3 " +
	"(aliases: postgresql, pgsql, pg, mariadb, sqlite3, file, unix, tcp, ssl, memcache)"

// family describes one scheme as written: its family, printed variant,
// default port and TLS.
type family struct {
	name    string
	variant string
	port    int
	tls     TLSMode
	multi   bool // several hosts allowed
}

// lookup returns the family of a scheme, in any case.
func lookup(scheme string) (family, bool) {
	switch strings.ToLower(scheme) {
	case "postgres", "postgresql", "pgsql", "pg":
		return family{name: "postgres", port: 5432, tls: TLSPrefer, multi: true}, true
	case "mysql", "mariadb", "maria", "mysql2":
		return family{name: "mysql", port: 3306, tls: TLSPrefer}, true
	case "sqlite", "sqlite3", "file", "sq":
		return family{name: "sqlite"}, true
	case "redis":
		return family{name: "redis", port: 6379}, true
	case "rediss":
		return family{name: "redis", variant: "rediss", port: 6379, tls: TLSVerify}, true
	case "unix", "redis+unix", "redis-socket":
		return family{name: "redis", variant: "unix"}, true
	case "amqp":
		return family{name: "amqp", port: 5672}, true
	case "amqps":
		return family{name: "amqp", variant: "amqps", port: 5671, tls: TLSVerify}, true
	case "nats":
		return family{name: "nats", port: 4222, multi: true}, true
	case "tls":
		return family{name: "nats", variant: "tls", port: 4222, tls: TLSVerify, multi: true}, true
	case "mqtt", "tcp":
		return family{name: "mqtt", port: 1883}, true
	case "mqtts", "ssl":
		return family{name: "mqtt", variant: "mqtts", port: 8883, tls: TLSVerify}, true
	case "ws":
		return family{name: "mqtt", variant: "ws", port: 80}, true
	case "wss":
		return family{name: "mqtt", variant: "wss", port: 443, tls: TLSVerify}, true
	case "memcached", "memcache":
		return family{name: "memcached", port: 11211, multi: true}, true
	case "smtp":
		return family{name: "smtp", port: 587, tls: TLSPrefer}, true
	case "smtps":
		return family{name: "smtp", variant: "smtps", port: 465, tls: TLSVerify}, true
	case "http":
		return family{name: "http", port: 80}, true
	case "https":
		return family{name: "http", variant: "https", port: 443, tls: TLSVerify}, true
	case "s3":
		return family{name: "s3", tls: TLSVerify}, true
	}
	return family{}, false
}

// Parse reads a backing-service URL as a twelve-factor platform hands it out
// in a *_URL variable. It reads:
//
//   - postgres (postgresql, pgsql, pg): several hosts (h1,h2:5433), socket
//     directories as a percent-encoded host (%2Fvar%2Frun%2Fpostgresql) or
//     ?host=/dir, and host, port, user, password, dbname, sslmode and ssl in
//     the query, as libpq does; a host is required, since nothing is read
//     from the machine.
//   - mysql (mariadb): one host, or a socket as ?socket=/path or a
//     percent-encoded host; TLS from tls, ssl-mode (sslmode), ssl or
//     sslaccept.
//   - sqlite (sqlite3, file): sqlite:/abs/path.db, sqlite:///abs/path.db,
//     sqlite://rel.db, file:x.db, plain paths starting with / or . and
//     :memory:.
//   - redis and rediss: database number as the path (/2) or ?db=2; sockets
//     as unix:///path/redis.sock?db=2.
//   - amqp and amqps: the vhost is the percent-decoded path, "/" when empty.
//   - nats and tls (NATS over TLS): several hosts, written h1:4222,h2:4222 or
//     as a comma-separated list of whole URLs.
//   - mqtt (tcp), mqtts (ssl), ws and wss. Write MQTT over TLS as mqtts:// or
//     ssl://, since tls:// is read as NATS.
//   - memcached (memcache) with several hosts, and a bare list
//     host:port,host:port, as MEMCACHIER_SERVERS holds.
//   - smtp (STARTTLS when offered, port 587) and smtps (port 465), http and
//     https, and s3://bucket/prefix.
//
// The scheme is read in any case and aliases are canonicalised. Ports default
// per scheme and TLS variant. User and password are percent-decoded; like
// net/url, the user information ends at the last @ of the authority, so an
// unescaped @ in a password works, but a /, ? or # in it must be
// percent-encoded. IPv6 literals go in brackets. Query options are kept in
// order (see [URL.Params] and [URL.ClientParams]); a fragment is refused,
// since it is most often an unescaped # in a password.
//
// The TLS mode comes from the scheme and the query; [WithInsecureSkipVerify]
// is the only way to skip certificate checks. Parse reads no environment
// variable and no file. Its errors wrap [ErrInvalid] and say what is wrong and
// what to write instead, never quoting the text or its password. It does not
// panic on any input.
func Parse(raw string, opts ...Option) (URL, error) {
	if raw == "" {
		return URL{}, errorf("empty; set it to a URL such as postgres://user:password@host:5432/database")
	}
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c < 0x20 || c == 0x7f {
			return URL{}, errorf("contains a control character at byte " + strconv.Itoa(i) + "; remove it (a trailing newline from a file is a common cause)")
		}
		if c == ' ' {
			return URL{}, errorf("contains a space at byte " + strconv.Itoa(i) + "; remove it or percent-encode it as %20")
		}
	}
	u, err := parse(raw)
	if err != nil {
		return URL{}, err
	}
	var s settings
	for _, o := range opts {
		if o != nil {
			o.apply(&s)
		}
	}
	if s.insecure && (u.tls == TLSVerify || u.tls == TLSVerifyCA) {
		u.tls = TLSRequire
		u.insecure = true
	}
	return u, nil
}

func parse(raw string) (URL, error) {
	colon := strings.IndexByte(raw, ':')
	scheme := ""
	if colon > 0 && validScheme(raw[:colon]) {
		scheme = raw[:colon]
	}
	if scheme == "" {
		switch {
		case raw[0] == '/' || raw[0] == '.':
			return parseSQLite(raw)
		case raw == ":memory:":
			return parseSQLite(raw)
		case colon > 0 || strings.IndexByte(raw, ',') >= 0:
			return parseHostList(raw)
		}
		return URL{}, errorf("missing scheme; write scheme://host, such as postgres://db.internal:5432/app (known schemes: " + knownSchemes + ")")
	}
	fam, ok := lookup(scheme)
	if !ok {
		if r := raw[colon+1:]; r != "" && r[0] >= '0' && r[0] <= '9' {
			return parseHostList(raw) // host:port or host:port,host:port
		}
		return URL{}, errorf("unknown scheme; use one of " + knownSchemes)
	}
	rest := raw[colon+1:]
	if fam.name == "sqlite" {
		return parseSQLite(rest)
	}
	if !strings.HasPrefix(rest, "//") {
		return URL{}, errorf("missing // after the " + fam.name + " scheme; write it as " + example(fam))
	}
	if fam.name == "nats" && strings.Contains(rest, "://") {
		return parseNATSList(raw)
	}
	return parseHier(fam, rest[2:])
}

func example(f family) string {
	switch f.name {
	case "postgres":
		return "postgres://user:password@host:5432/database"
	case "mysql":
		return "mysql://user:password@host:3306/database"
	case "redis":
		return "redis://:password@host:6379/0"
	case "amqp":
		return "amqp://user:password@host:5672/vhost"
	case "s3":
		return "s3://bucket/prefix"
	}
	return f.name + "://host:" + strconv.Itoa(f.port)
}

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// parseHier reads what follows scheme://.
func parseHier(fam family, s string) (URL, error) {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		return URL{}, errorf("has a fragment (#); percent-encode a # in the password or elsewhere as %23")
	}
	var query string
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s, query = s[:i], s[i+1:]
	}
	authority, path := s, ""
	if i := strings.IndexByte(s, '/'); i >= 0 {
		authority, path = s[:i], s[i:]
	}
	u := URL{scheme: fam.name, variant: fam.variant, tls: fam.tls}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		ui := authority[:i]
		authority = authority[i+1:]
		user, pass, hasPass := strings.Cut(ui, ":")
		var ok bool
		if u.user, ok = unescape(user, false); !ok {
			return URL{}, errorf("bad percent-encoding in the user name; write a % as %25")
		}
		u.hasUser = true
		if hasPass {
			p, ok := unescape(pass, false)
			if !ok {
				return URL{}, errorf("bad percent-encoding in the password; write a % as %25")
			}
			u.password = config.NewSecret(p)
			u.hasPass = true
		}
	}
	var ok bool
	if u.path, ok = unescape(path, false); !ok {
		return URL{}, errorf("bad percent-encoding in the path; write a % as %25")
	}
	params, err := parseQuery(query)
	if err != nil {
		return URL{}, err
	}
	if fam.name == "s3" {
		return finishS3(u, authority, params)
	}
	if fam.variant == "unix" {
		if authority != "" {
			return URL{}, errorf("a unix socket URL has no host; write unix:///path/to/redis.sock")
		}
		if u.path == "" {
			return URL{}, errorf("missing socket path; write unix:///path/to/redis.sock")
		}
		u.hosts = []Host{{Name: u.path, Unix: true}}
	} else if authority != "" {
		if !fam.multi && strings.IndexByte(authority, ',') >= 0 {
			return URL{}, errorf("several hosts are not supported for " + fam.name + "; give one host")
		}
		for h := range strings.SplitSeq(authority, ",") {
			host, err := parseHost(h, fam.port)
			if err != nil {
				return URL{}, err
			}
			u.hosts = append(u.hosts, host)
		}
	}
	switch fam.name {
	case "postgres":
		err = finishPostgres(&u, params, fam)
	case "mysql":
		err = finishMySQL(&u, params)
	case "redis":
		err = finishRedis(&u, params)
	case "amqp":
		u.params = params
		u.database = "/"
		if len(u.path) > 1 {
			u.database = u.path[1:]
		}
		u.path = ""
	case "memcached", "smtp", "nats", "mqtt", "http":
		if u.path != "" && u.path != "/" && fam.name != "http" && fam.name != "mqtt" {
			return URL{}, errorf("a " + fam.name + " URL has no path; remove what follows the host")
		}
		if fam.name != "http" && fam.name != "mqtt" {
			u.path = ""
		}
		u.params = params
	}
	if err != nil {
		return URL{}, err
	}
	if len(u.hosts) == 0 {
		return URL{}, errorf("missing host; write it as " + example(fam))
	}
	return u, nil
}

// parseHost reads one host[:port], [ipv6][:port] or percent-encoded socket.
func parseHost(s string, defPort int) (Host, error) {
	if s == "" {
		return Host{}, errorf("empty host in the host list; remove the extra comma or add the host")
	}
	var name, port string
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return Host{}, errorf("IPv6 address without its closing ]; write it as [::1]:port")
		}
		name, port = s[1:end], s[end+1:]
		if port != "" {
			if port[0] != ':' {
				return Host{}, errorf("unexpected text after an IPv6 address; write it as [::1]:port")
			}
			port = port[1:]
		}
		dec, ok := unescape(name, false)
		if !ok {
			return Host{}, errorf("bad percent-encoding in an IPv6 zone; write the % before the zone as %25")
		}
		if _, err := netip.ParseAddr(dec); err != nil || strings.IndexByte(dec, ':') < 0 {
			return Host{}, errorf("not a valid IPv6 address in brackets; write it as [2001:db8::1]")
		}
		name = dec
	} else {
		if i := strings.LastIndexByte(s, ':'); i >= 0 {
			name, port = s[:i], s[i+1:]
		} else {
			name = s
		}
		if strings.IndexByte(name, ':') >= 0 {
			return Host{}, errorf("an IPv6 address must be in brackets, such as [::1]:5432")
		}
		if strings.IndexByte(name, '%') >= 0 {
			dec, ok := unescape(name, false)
			if !ok {
				return Host{}, errorf("bad percent-encoding in the host; write a socket path as %2Fpath")
			}
			name = dec
		}
		if name == "" {
			return Host{}, errorf("missing host before the port; write it as host:port")
		}
		if name[0] == '/' {
			return withPort(Host{Name: name, Unix: true}, port)
		}
		if !validHostName(name) {
			return Host{}, errorf("host name has characters other than letters, digits, '-', '.' and '_'; check the host, and percent-encode an @, / or ? in the password")
		}
	}
	return withPort(Host{Name: name, Port: defPort}, port)
}

// withPort sets h's port from port when one is written, keeping h's own
// (the default, or none for a socket) otherwise.
func withPort(h Host, port string) (Host, error) {
	if port == "" {
		return h, nil
	}
	p, err := parsePort(port)
	if err != nil {
		return Host{}, err
	}
	h.Port = p
	return h, nil
}

// validHostName reports whether s holds only letters, digits, '-', '.' and
// '_': the characters of a host name, an S3 bucket or region, and a query
// key. It is true for ""; callers check emptiness where it matters.
func validHostName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-' || c == '.' || c == '_':
		default:
			return false
		}
	}
	return true
}

func parsePort(s string) (int, error) {
	if len(s) == 0 || len(s) > 5 {
		return 0, errorf(errPortMsg)
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, errorf(errPortMsg)
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 || n > 65535 {
		return 0, errorf(errPortMsg)
	}
	return n, nil
}

// errPort is the error for a bad port.
const errPortMsg = "port is not a number from 1 to 65535; fix the port, and percent-encode a : or @ in the password"

// parseQuery splits a query into its options, decoded, in order.
func parseQuery(q string) ([]Param, error) {
	if q == "" {
		return nil, nil
	}
	n := strings.Count(q, "&") + 1
	params := make([]Param, 0, n)
	for part := range strings.SplitSeq(q, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		dk, ok1 := unescape(k, true)
		dv, ok2 := unescape(v, true)
		if !ok1 || !ok2 {
			return nil, errorf("bad percent-encoding in the query; write a % as %25")
		}
		if dk == "" {
			return nil, errorf("a query option has no name; write options as ?name=value&name=value")
		}
		params = append(params, Param{Key: dk, Value: dv})
	}
	return params, nil
}

// unescape percent-decodes s; with plus, '+' is a space (query form).
func unescape(s string, plus bool) (string, bool) {
	n := 0
	hasPlus := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			if i+2 >= len(s) {
				return "", false
			}
			if !ishex(s[i+1]) || !ishex(s[i+2]) {
				return "", false
			}
			n++
			i += 2
		case '+':
			hasPlus = plus
		}
	}
	if n == 0 && !hasPlus {
		return s, true
	}
	b := make([]byte, 0, len(s)-2*n)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '%':
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		case c == '+' && plus:
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return string(b), true
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// isClientParam reports whether a SQL query option is for the client or its
// pool rather than for the server.
func isClientParam(k string) bool {
	if strings.HasPrefix(k, "pool_") {
		return true
	}
	switch k {
	case "max_conns", "min_conns", "max_open_conns", "max_idle_conns", "conn_max_lifetime", "conn_max_idle_time",
		"statement_cache_capacity", "description_cache_capacity", "default_query_exec_mode":
		return true
	}
	return false
}

func validKey(k string) bool { return k != "" && validHostName(k) }

// pgMode reads a libpq sslmode; allow, which tries plain text first, is
// read as prefer.
func pgMode(s string) (TLSMode, bool) {
	switch s {
	case "disable":
		return TLSDisable, true
	case "allow", "prefer":
		return TLSPrefer, true
	case "require":
		return TLSRequire, true
	case "verify-ca":
		return TLSVerifyCA, true
	case "verify-full":
		return TLSVerify, true
	}
	return 0, false
}

func finishPostgres(u *URL, params []Param, fam family) error {
	var hostParam, portParam string
	var hasHost, hasPort bool
	for _, p := range params {
		switch p.Key {
		case "sslmode":
			m, ok := pgMode(p.Value)
			if !ok {
				return errorf("sslmode must be one of disable, allow, prefer, require, verify-ca or verify-full")
			}
			u.tls = m
		case "ssl":
			switch strings.ToLower(p.Value) {
			case "true", "1", "on", "require":
				u.tls = TLSRequire
			case "false", "0", "off":
				u.tls = TLSDisable
			default:
				return errorf("ssl must be true or false; prefer sslmode=verify-full, require or disable")
			}
		case "host":
			hostParam, hasHost = p.Value, true
		case "port":
			portParam, hasPort = p.Value, true
		case "user":
			u.user, u.hasUser = p.Value, true
		case "password":
			u.password, u.hasPass = config.NewSecret(p.Value), true
		case "dbname":
			u.path = "/" + p.Value
		default:
			if !validKey(p.Key) {
				return errorf("a query option name has characters other than letters, digits, '_', '-' and '.'; fix its name")
			}
			if isClientParam(p.Key) {
				u.client = append(u.client, p)
			} else {
				u.params = append(u.params, p)
			}
		}
	}
	if hasHost {
		u.hosts = u.hosts[:0]
		for h := range strings.SplitSeq(hostParam, ",") {
			if h == "" {
				return errorf("empty host in the host option; remove the extra comma or add the host")
			}
			if h[0] == '/' {
				u.hosts = append(u.hosts, Host{Name: h, Port: fam.port, Unix: true})
				continue
			}
			host, err := parseHost(h, fam.port)
			if err != nil {
				return err
			}
			u.hosts = append(u.hosts, host)
		}
	}
	if hasPort {
		ports := strings.Split(portParam, ",")
		if len(ports) != 1 && len(ports) != len(u.hosts) {
			return errorf("the port option has a different number of ports than there are hosts; give one port, or one per host")
		}
		for i := range u.hosts {
			p, err := parsePort(ports[min(i, len(ports)-1)])
			if err != nil {
				return err
			}
			u.hosts[i].Port = p
		}
	}
	for i := range u.hosts {
		if u.hosts[i].Unix && u.hosts[i].Port == 0 {
			u.hosts[i].Port = fam.port
		}
	}
	if len(u.path) > 0 {
		u.database = u.path[1:]
	}
	if strings.IndexByte(u.database, '/') >= 0 {
		return errorf("the database name has a /; percent-encode it as %2F if it is really part of the name")
	}
	u.path = ""
	return nil
}

// mysqlTLS names a mode in go-sql-driver/mysql's tls option; verify-ca has
// no name there and is written as such for the canonical form only.
func mysqlTLS(m TLSMode) string {
	switch m {
	case TLSDisable:
		return "false"
	case TLSPrefer:
		return "preferred"
	case TLSRequire:
		return "skip-verify"
	case TLSVerifyCA:
		return "verify-ca"
	}
	return "true"
}

func finishMySQL(u *URL, params []Param) error {
	for _, p := range params {
		v := strings.ToLower(p.Value)
		switch p.Key {
		case "tls":
			switch v {
			case "true", "verify-full", "verify_identity":
				u.tls = TLSVerify
			case "false", "disable", "disabled":
				u.tls = TLSDisable
			case "skip-verify", "require", "required":
				u.tls = TLSRequire
			case "preferred", "prefer":
				u.tls = TLSPrefer
			case "verify-ca", "verify_ca":
				u.tls = TLSVerifyCA
			default:
				return errorf("tls must be true, false, skip-verify or preferred; a custom TLS config name cannot come from a URL")
			}
		case "ssl-mode", "sslmode", "ssl_mode":
			switch strings.ReplaceAll(v, "-", "_") {
			case "disabled", "disable":
				u.tls = TLSDisable
			case "preferred", "prefer":
				u.tls = TLSPrefer
			case "required", "require":
				u.tls = TLSRequire
			case "verify_ca":
				u.tls = TLSVerifyCA
			case "verify_identity", "verify_full":
				u.tls = TLSVerify
			default:
				return errorf("ssl-mode must be DISABLED, PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY")
			}
		case "ssl":
			switch v {
			case "true", "1":
				u.tls = TLSVerify
			case "false", "0":
				u.tls = TLSDisable
			default:
				return errorf("ssl must be true or false")
			}
		case "sslaccept":
			switch v {
			case "strict":
				u.tls = TLSVerify
			case "accept_invalid_certs":
				u.tls = TLSRequire
			default:
				return errorf("sslaccept must be strict or accept_invalid_certs")
			}
		case "socket":
			if p.Value == "" || p.Value[0] != '/' {
				return errorf("socket must be an absolute path such as /run/mysqld/mysqld.sock")
			}
			u.hosts = []Host{{Name: p.Value, Unix: true}}
		default:
			if !validKey(p.Key) {
				return errorf("a query option name has characters other than letters, digits, '_', '-' and '.'; fix its name")
			}
			if isClientParam(p.Key) {
				u.client = append(u.client, p)
			} else {
				u.params = append(u.params, p)
			}
		}
	}
	if len(u.hosts) == 1 && u.hosts[0].Unix {
		u.hosts[0].Port = 0
	}
	if len(u.path) > 0 {
		u.database = u.path[1:]
	}
	if strings.IndexByte(u.database, '/') >= 0 {
		return errorf("the database name has a /; a MySQL database name cannot hold one")
	}
	u.path = ""
	return nil
}

func finishRedis(u *URL, params []Param) error {
	db := ""
	if u.variant != "unix" && len(u.path) > 1 {
		db = u.path[1:]
	}
	for _, p := range params {
		if p.Key == "db" {
			db = p.Value
			continue
		}
		u.params = append(u.params, p)
	}
	if db != "" {
		n, err := strconv.Atoi(db)
		if err != nil || n < 0 || n > 1<<20 || db[0] == '+' || db[0] == '-' || (len(db) > 1 && db[0] == '0') {
			return errorf("the Redis database is not a number from 0 up; write it as /0 or ?db=0")
		}
		u.redisDB = n
	}
	u.database = strconv.Itoa(u.redisDB)
	if len(u.hosts) == 1 && u.hosts[0].Unix {
		u.variant = "unix"
		u.hosts[0].Port = 0
	}
	u.path = ""
	return nil
}

func finishS3(u URL, bucket string, params []Param) (URL, error) {
	if bucket == "" {
		return URL{}, errorf("missing bucket; write it as s3://bucket/prefix")
	}
	if strings.IndexByte(bucket, ':') >= 0 || strings.IndexByte(bucket, ',') >= 0 || !validHostName(bucket) {
		return URL{}, errorf("the bucket name has characters other than letters, digits, '-', '.' and '_'; write it as s3://bucket/prefix")
	}
	u.database = bucket
	u.params = params
	return u, nil
}

func parseSQLite(rest string) (URL, error) {
	var query string
	rest = strings.TrimPrefix(rest, "//")
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		return URL{}, errorf("has a fragment (#); percent-encode a # in the file name as %23")
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest, query = rest[:i], rest[i+1:]
	}
	path, ok := unescape(rest, false)
	if !ok {
		return URL{}, errorf("bad percent-encoding in the file name; write a % as %25")
	}
	if path == "" {
		return URL{}, errorf("missing file; write it as sqlite:///absolute/path.db, sqlite://relative.db or sqlite::memory:")
	}
	params, err := parseQuery(query)
	if err != nil {
		return URL{}, err
	}
	return URL{scheme: "sqlite", path: path, database: path, params: params}, nil
}

// parseHostList reads a bare host:port,host:port list as memcached.
func parseHostList(raw string) (URL, error) {
	if strings.ContainsAny(raw, "/?#@") {
		return URL{}, errorf("missing scheme; write scheme://host, such as postgres://db.internal:5432/app (known schemes: " + knownSchemes + ")")
	}
	u := URL{scheme: "memcached"}
	for h := range strings.SplitSeq(raw, ",") {
		host, err := parseHost(h, 11211)
		if err != nil {
			return URL{}, err
		}
		if host.Unix {
			return URL{}, errorf("a socket in a host list; write memcached hosts as host:port")
		}
		u.hosts = append(u.hosts, host)
	}
	return u, nil
}

// parseNATSList reads a comma-separated list of whole NATS URLs.
func parseNATSList(raw string) (URL, error) {
	var out URL
	for i, item := range strings.Split(raw, ",") {
		if !strings.Contains(item, "://") {
			return URL{}, errorf("mixed host forms in a NATS server list; write every server as nats://host:port")
		}
		colon := strings.IndexByte(item, ':')
		fam, ok := lookup(item[:colon])
		if !ok || fam.name != "nats" || !validScheme(item[:colon]) {
			return URL{}, errorf("a server in a NATS list is not a nats:// or tls:// URL")
		}
		u, err := parseHier(fam, item[colon+3:])
		if err != nil {
			return URL{}, err
		}
		if i == 0 {
			out = u
			continue
		}
		if u.hasUser || u.hasPass {
			if out.hasUser || out.hasPass {
				if u.user != out.user || u.hasPass != out.hasPass || !u.password.Equal(out.password) {
					return URL{}, errorf("servers in a NATS list have different credentials; give them once, on the first server")
				}
			} else {
				out.user, out.hasUser, out.password, out.hasPass = u.user, u.hasUser, u.password, u.hasPass
			}
		}
		if u.tls > out.tls {
			out.tls, out.variant = u.tls, u.variant
		}
		out.hosts = append(out.hosts, u.hosts...)
		out.params = append(out.params, u.params...)
	}
	return out, nil
}

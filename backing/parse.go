package backing

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/twelvekit/twelvekit/internal/redact"
)

// Parse reads a backing-service URL as a twelve-factor platform hands it out
// in a *_URL variable. It reads:
//
//   - postgres (postgresql, pgsql, pg): several hosts (h1,h2:5433), socket
//     directories as a percent-encoded host (%2Fvar%2Frun%2Fpostgresql) or
//     ?host=/dir, the port in the authority and the socket in the query
//     (postgres://u@:5433/db?host=/run/postgresql), and host, port, user,
//     password, dbname, sslmode and ssl=true in the query, as libpq does; a
//     host is required, since nothing is read from the machine. A libpq
//     keyword/value string (host=h dbname=d) is refused with a message
//     that says so.
//   - mysql (mariadb): one host, or a socket as ?socket=/path or a
//     percent-encoded host; TLS from tls, ssl-mode (sslmode), ssl or
//     sslaccept.
//   - sqlite (sqlite3, file): sqlite:/abs/path.db, sqlite:///abs/path.db,
//     sqlite://rel.db, file:x.db, plain paths starting with / or . and
//     :memory:.
//   - redis and rediss: database number as the path (/2) or ?db=2; sockets
//     as unix:///path/redis.sock?db=2; Redis Cluster nodes as addr=host:port
//     options; the options go-redis reads, checked as it checks them.
//   - amqp and amqps: the vhost is the percent-decoded path, "/" when empty;
//     an empty host is localhost, as the RabbitMQ URI spec says.
//   - nats and tls (NATS over TLS): several hosts, written h1:4222,h2:4222 or
//     as a comma-separated list of whole URLs, with spaces around the commas
//     allowed, as nats.go allows them.
//   - mqtt (tcp), mqtts (ssl, tcps, mqtt+ssl), ws and wss. Write
//     MQTT over TLS as mqtts:// or ssl://, since tls:// is read as NATS
//     unless the field declares MQTT.
//   - memcached (memcache) with several hosts, and a bare list
//     host:port,host:port, as MEMCACHIER_SERVERS holds.
//   - smtp (STARTTLS when offered, port 587) and smtps (port 465), http and
//     https, and s3://bucket/prefix.
//   - mongodb and mongodb+srv, as the official driver's connection-string
//     parser reads them: several hosts (port 27017 by default; none for
//     +srv, whose SRV record gives them, and TLS by default), sockets as a
//     percent-encoded path ending in .sock, the database, and options
//     separated by & or ; with case-insensitive names, checked as the
//     driver checks them (auth mechanisms and their needs, numbers,
//     booleans, tls and ssl agreeing...). An @, : or / in the user
//     information must be percent-encoded, as the driver requires.
//   - kafka and kafka+ssl (kafka+tls): a broker list, h1:9092,h2:9092 (port
//     9092 by default), or a comma-separated list of whole URLs as Heroku's
//     KAFKA_URL holds it (kafka+ssl://h1:9096,kafka+ssl://h2:9096); SASL
//     credentials as user:password, and the options tls, sasl_mechanism
//     (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and client_id.
//
// The scheme is read in any case and aliases are canonicalised. Ports default
// per scheme and TLS variant. User and password are percent-decoded; like
// net/url, the user information ends at the last @ of the authority, so an
// unescaped @ in a password works, but a /, ? or # in it must be
// percent-encoded. IPv6 literals go in brackets, a zone as %25zone. Query
// options are kept in order (see [URL.Params] and [URL.ClientParams]); an
// option without '=' is refused, as is a fragment, since it is most often an
// unescaped # in a password.
//
// The TLS mode comes from the scheme and the query; [WithInsecureSkipVerify]
// turns certificate checks off (and go-redis's own skip_verify=true on a
// rediss URL). [WithFamily] restricts the families accepted, and makes the
// declared family decide: a scheme it shares with another family is read as
// its own, and the forms of its drivers that are not URLs are read (a libpq
// keyword/value string, a go-sql-driver DSN, a bare NATS or MQTT host; see
// the package documentation). Parse reads no
// environment variable and no file. Its errors wrap [ErrInvalid] (or
// [ErrFamily]) and say what is wrong and what to write instead, never
// quoting the text or its credentials. It does not panic on any input.
func Parse(raw string, opts ...Option) (URL, error) {
	var s settings
	if len(opts) > 0 {
		s = newSettings(opts)
	}
	if raw == "" {
		return URL{}, errorf("empty; set it to a URL such as postgres://user:password@host:5432/database")
	}
	if len(s.families) > 0 {
		u := new(URL)
		handled, err := parseNative(raw, u, s.families)
		if err != nil {
			return URL{}, err
		}
		if handled {
			return s.finish(u), nil
		}
	}
	trimmed := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c > ' ' && c != 0x7f && c != '#' {
			continue
		}
		if c == '#' {
			// Every family refuses a fragment: in a *_URL it is most often
			// an unescaped # in a password.
			return URL{}, errorf("has a fragment (#); percent-encode a # in the password or elsewhere as %23")
		}
		if c == ' ' && !trimmed {
			// nats.go allows spaces around the commas of a server list.
			trimmed = true
			if t := natsSpaces(raw, s.families); t != raw {
				raw, i = t, -1
				continue
			}
		}
		if c == ' ' && isKeywordValue(raw) {
			return URL{}, errKeywordValue
		}
		if c == ' ' {
			return URL{}, errorf("contains a space at byte " + strconv.Itoa(i) + "; remove it or percent-encode it as %20")
		}
		return URL{}, errorf("contains a control character at byte " + strconv.Itoa(i) + "; remove it (a trailing newline from a file is a common cause)")
	}
	u := new(URL)
	if err := parse(raw, u, s.families); err != nil {
		return URL{}, err
	}
	if len(s.families) > 0 && !slices.Contains(s.families, u.fam.name) {
		return URL{}, &familyError{got: u.fam.name, want: s.families}
	}
	return s.finish(u), nil
}

// finish applies the settings that change a parsed URL.
func (s settings) finish(u *URL) URL {
	if s.insecure && (u.tls == TLSVerify || u.tls == TLSVerifyCA) {
		u.tls = TLSRequire
		u.insecure = true
	}
	return *u
}

// lookupIn returns the family and spelling of a scheme as a field declaring
// fams reads it: a spelling of a declared family, its own or one it shares
// with another family (ws in NATS, tls in MQTT), wins; otherwise the
// spelling's owner in the table.
func lookupIn(name string, fams []string) (schemeRef, bool) {
	if hasUpper(name) {
		name = strings.ToLower(name)
	}
	for _, fn := range fams {
		f := familyByName(fn)
		if f == nil {
			continue
		}
		for i := range f.schemes {
			if f.schemes[i].name == name {
				return schemeRef{f, &f.schemes[i]}, true
			}
		}
		for i := range f.shared {
			if f.shared[i].name == name {
				return schemeRef{f, &f.shared[i]}, true
			}
		}
	}
	return lookup(name)
}

// parseNative reads the forms other than URLs that the drivers of the
// declared families accept (a libpq keyword/value string, a go-sql-driver
// DSN, a bare host:port list...). It reports false, and leaves u alone, when
// raw is a URL of a declared family's scheme or no declared family has a
// form it matches.
func parseNative(raw string, u *URL, fams []string) (bool, error) {
	if colon := strings.IndexByte(raw, ':'); colon > 0 && validScheme(raw[:colon]) && strings.HasPrefix(raw[colon+1:], "//") {
		if ref, ok := lookupIn(raw[:colon], fams); ok && slices.Contains(fams, ref.fam.name) {
			return false, nil
		}
	}
	sqlite := slices.Contains(fams, "sqlite")
	if sqlite && (raw[0] == '/' || raw[0] == '.' || raw == ":memory:" || hasSQLiteScheme(raw)) {
		return false, nil
	}
	for _, fn := range fams {
		f := familyByName(fn)
		if f == nil {
			continue
		}
		if ok, err := readNative(f, raw, u); ok || err != nil {
			if err != nil {
				return false, err
			}
			return true, nil
		}
	}
	return false, nil
}

// readNative reads a form of a family's drivers that is not a URL, when a
// field declares the family: a libpq keyword/value string (postgres), a
// go-sql-driver DSN (mysql), a bare host[:port] list (nats, mqtt, kafka). It
// reports false when raw is not such a form. (The table's own functions
// cannot refer to the table, so the readers are listed here.)
func readNative(f *family, raw string, u *URL) (bool, error) {
	switch f {
	case &natsFamily:
		return nativeNATS(raw, u)
	case &mqttFamily:
		return nativeMQTT(raw, u)
	case &postgresFamily:
		return nativePostgres(raw, u)
	case &mysqlFamily:
		return nativeMySQL(raw, u)
	case &kafkaFamily:
		return nativeKafka(raw, u)
	}
	return false, nil
}

// hasSQLiteScheme reports whether raw starts with a scheme of the sqlite
// family (sqlite:, sqlite3:, file:).
func hasSQLiteScheme(raw string) bool {
	colon := strings.IndexByte(raw, ':')
	if colon <= 0 {
		return false
	}
	ref, ok := lookup(raw[:colon])
	return ok && ref.fam == &sqliteFamily
}

func parse(raw string, u *URL, fams []string) error {
	colon := strings.IndexByte(raw, ':')
	var ref schemeRef
	ok := false
	if colon > 0 && validScheme(raw[:colon]) {
		ref, ok = lookupIn(raw[:colon], fams)
	}
	if !ok {
		switch {
		case raw[0] == '/' || raw[0] == '.' || raw == ":memory:":
			return parseSQLite(raw, u)
		case isKeywordValue(raw):
			return errKeywordValue
		case strings.Contains(raw, "tcp(") || strings.Contains(raw, "unix("):
			return errorf("a go-sql-driver DSN, not a URL; read it with a field declaring MySQL (backing.MySQLURL, backing.SQLURL) or write it as mysql://user:password@host:3306/dbname")
		case colon > 0 && colon+1 < len(raw) && raw[colon+1] >= '0' && raw[colon+1] <= '9', colon < 0 && strings.IndexByte(raw, ',') >= 0:
			return parseHostList(raw, u) // host:port or host:port,host:port
		case colon > 0 && validScheme(raw[:colon]):
			return errorf("unknown scheme; use one of " + knownSchemes())
		}
		return errorf("missing scheme; write scheme://host, such as postgres://db.internal:5432/app (known schemes: " + knownSchemes() + ")")
	}
	rest := raw[colon+1:]
	if !ref.fam.hier {
		return parseSQLite(rest, u)
	}
	if !strings.HasPrefix(rest, "//") {
		return errorf("missing // after the " + ref.s.name + " scheme; write it as " + ref.fam.example)
	}
	if ref.fam == &mongoFamily {
		return parseMongo(ref, rest[2:], u)
	}
	if ref.fam == &kafkaFamily && strings.Contains(rest[2:], "://") {
		return parseKafkaList(raw, u)
	}
	if ref.fam == &natsFamily && (strings.Contains(rest[2:], "://") || commaBeforeUserinfo(rest[2:])) {
		return parseNATSList(raw, u, fams)
	}
	return parseHier(ref, rest[2:], u)
}

// commaBeforeUserinfo reports whether the authority of s (what follows
// scheme://) has a ',' before its last '@': a list whose later server
// carries credentials (nats://h1,u:p@h2), read server by server as
// nats.go splits it, not as one userinfo holding a ','.
func commaBeforeUserinfo(s string) bool {
	if i := strings.IndexAny(s, "/?"); i >= 0 {
		s = s[:i]
	}
	c := strings.IndexByte(s, ',')
	return c >= 0 && c < strings.LastIndexByte(s, '@')
}

// errKeywordValue is the error for a libpq keyword/value string.
var errKeywordValue = errorf("a libpq keyword/value string (host=... dbname=...), not a URL; read it with a field declaring PostgreSQL (backing.PostgresURL, backing.SQLURL) or write it as postgres://user:password@host:5432/dbname")

// isKeywordValue reports whether s starts like a libpq keyword/value
// string: a keyword, then '='.
func isKeywordValue(s string) bool {
	i := strings.IndexByte(s, '=')
	if i <= 0 {
		return false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		if !('a' <= c && c <= 'z' || c == '_') {
			return false
		}
	}
	return true
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

// atAfterHost refuses a raw @ after the host where a family's URLs cannot
// hold one: in the path, or in an option whose name the printing rule does
// not know (a known option's value may hold one: a password,
// client_id=svc@host). Such an @ is more likely the end of a user name or
// token that held an unencoded '/' or '?', whose first part was then read
// as the host: a driver would dial it and a printer show it. path and
// query are as written; seps are the characters the family's driver
// splits options at ("&", or "&;" for MongoDB).
func atAfterHost(path, query string, plus bool, seps string) error {
	bad := strings.IndexByte(path, '@') >= 0
	for pair := range strings.FieldsFuncSeq(query, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if bad || strings.IndexByte(pair, '@') < 0 {
			continue
		}
		k, _, _ := strings.Cut(pair, "=")
		dk, ok := unescape(k, plus)
		bad = !ok || strings.IndexByte(k, '@') >= 0 || !redact.ShowKey(dk)
	}
	if bad {
		return errorf("an @ after the host: percent-encode a '/' or '?' in a user name, password or token (%2F, %3F), and an @ in a path or in an option the printing rule does not know as %40")
	}
	return nil
}

// parseHier reads what follows scheme://.
func parseHier(ref schemeRef, s string, u *URL) error {
	fam := ref.fam
	if fam.noNUL && strings.Contains(s, "%00") {
		return errorf("a NUL byte (%00) in the URL; remove it (pgx refuses it, and the server would read it as the end of the value)")
	}
	var query string
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s, query = s[:i], s[i+1:]
	}
	authority, path := s, ""
	if i := strings.IndexByte(s, '/'); i >= 0 {
		authority, path = s[:i], s[i:]
	}
	*u = URL{fam: fam, variant: ref.s.variant, tls: ref.s.tls}
	if !fam.atInPath {
		if err := atAfterHost(path, query, fam.plus, "&"); err != nil {
			return err
		}
	}
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		ui := authority[:i]
		authority = authority[i+1:]
		user, pass, hasPass := strings.Cut(ui, ":")
		dec, ok := unescape(user, false)
		if !ok {
			return errorf("bad percent-encoding in the user name; write a % as %25")
		}
		u.hasUser = true
		if !hasPass && !fam.userName && dec != "" {
			u.token = true
			u.secrets().token = dec
		} else {
			u.user = dec
		}
		if hasPass {
			p, ok := unescape(pass, false)
			if !ok {
				return errorf("bad percent-encoding in the password; write a % as %25")
			}
			u.hasPass = true
			if p != "" {
				u.secrets().password = p
			}
		}
	}
	var ok bool
	if u.path, ok = unescape(path, false); !ok {
		return errorf("bad percent-encoding in the path; write a % as %25")
	}
	params, err := parseQuery(query, fam.plus, fam.oneEquals)
	if err != nil {
		return err
	}
	if authority != "" {
		if !fam.multi && strings.IndexByte(authority, ',') >= 0 {
			return errorf("several hosts are not supported for " + fam.name + "; give one host")
		}
		u.hosts = make([]Host, 0, strings.Count(authority, ",")+1)
		for rest := authority; ; {
			h, tail, more := strings.Cut(rest, ",")
			host, err := parseHost(h, ref.s.port, fam.emptyHosts || fam.defaultHost != "")
			if err != nil {
				return err
			}
			if host.Name == "" && !host.Unix && fam.defaultHost != "" {
				host.Name = fam.defaultHost
			}
			u.hosts = append(u.hosts, host)
			if !more {
				break
			}
			rest = tail
		}
	} else if fam.defaultHost != "" {
		u.hosts = []Host{{Name: fam.defaultHost, Port: ref.s.port}}
	}
	if err := fam.finish(u, params); err != nil {
		return err
	}
	if len(u.hosts) == 0 && fam.name != "s3" {
		return errorf("missing host; write it as " + fam.example)
	}
	u.seal()
	return nil
}

// seal moves the values of credential options into the URL's secrets, and
// the secrets into their closure.
func (u *URL) seal() {
	defer u.sealSecrets()
	if u.fam.secretParam == nil {
		return
	}
	move := func(ps []Param, client bool) {
		for i := range ps {
			if !u.fam.secretParam(ps[i].Key) {
				continue
			}
			s := u.secrets()
			m := &s.params
			if client {
				m = &s.client
			}
			if *m == nil {
				*m = make(map[int]string)
			}
			(*m)[i] = ps[i].Value
			ps[i].Value = ""
		}
	}
	move(u.params, false)
	move(u.client, true)
}

// parseHost reads one host[:port], [ipv6][:port] or percent-encoded socket.
// An empty name is allowed when empty is set, and a port of 0 then means
// none was written.
func parseHost(s string, defPort int, empty bool) (Host, error) {
	if s == "" {
		if empty {
			return Host{Port: defPort}, nil
		}
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
			if !empty {
				return Host{}, errorf("missing host before the port; write it as host:port")
			}
		} else if name[0] == '/' {
			return withPort(Host{Name: name, Unix: true}, port)
		} else if !validHostName(name) {
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

// errPortMsg is the error for a bad port.
const errPortMsg = "port is not a number from 1 to 65535; fix the port, and percent-encode a : or @ in the password"

// parseQuery splits a query into its options, decoded, in order. With plus,
// a '+' is a space; with oneEquals, a value holding a raw '=' is refused.
func parseQuery(q string, plus, oneEquals bool) ([]Param, error) {
	if q == "" {
		return nil, nil
	}
	n := strings.Count(q, "&") + 1
	params := make([]Param, 0, n)
	for part := range strings.SplitSeq(q, "&") {
		if part == "" {
			continue
		}
		k, v, found := strings.Cut(part, "=")
		if !found {
			return nil, errorf("a query option has no '='; write options as ?name=value&name=value")
		}
		if oneEquals && strings.IndexByte(v, '=') >= 0 {
			return nil, errorf("a query value holds an '='; percent-encode it as %3D")
		}
		dk, ok1 := unescape(k, plus)
		dv, ok2 := unescape(v, plus)
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
			hasPlus = hasPlus || plus
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

// validKey reports whether a query key is a plain name.
func validKey(k string) bool { return k != "" && validHostName(k) }

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

// parseBool reads a boolean option as go-redis and most drivers do.
func parseBool(s string) (bool, bool) {
	switch s {
	case "true", "1":
		return true, true
	case "false", "0", "":
		return false, true
	}
	return false, false
}

// parseUint reads a decimal number of at most bits bits.
func parseUint(s string, bits int) bool {
	_, err := strconv.ParseUint(s, 10, bits)
	return err == nil
}

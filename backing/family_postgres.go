package backing

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

var postgresFamily = family{
	name: "postgres",
	schemes: []scheme{
		{name: "postgres", port: 5432, tls: TLSPrefer},
		{name: "postgresql", port: 5432, tls: TLSPrefer},
		{name: "pgsql", port: 5432, tls: TLSPrefer},
		{name: "pg", port: 5432, tls: TLSPrefer},
	},
	example:     "postgres://user:password@host:5432/database",
	multi:       true,
	hier:        true,
	userName:    true,
	emptyHosts:  true,
	oneEquals:   true,
	noNUL:       true,
	public:      publicParts{database: true, keys: []string{"sslmode", "application_name", "connect_timeout", "target_session_attrs", "search_path", "timezone", "channel_binding", "sslnegotiation", "sslsni", "min_protocol_version", "max_protocol_version", "pool_max_conns", "pool_min_conns", "pool_min_idle_conns", "pool_max_conn_lifetime", "pool_max_conn_idle_time", "pool_health_check_period", "statement_cache_capacity", "default_query_exec_mode"}},
	secretParam: isSecretParam,
	finish:      finishPostgres,
	write:       writePostgres,
	greet:       greetPostgres,
}

// pgModes are libpq's sslmode words and the TLS mode each gives.
var pgModes = map[string]TLSMode{
	"disable": TLSDisable, "allow": TLSPrefer, "prefer": TLSPrefer,
	"require": TLSRequire, "verify-ca": TLSVerifyCA, "verify-full": TLSVerify,
}

func finishPostgres(u *URL, params []Param) error {
	var hostParam, portParam string
	var hasHost, hasPort bool
	u.pgSSLMode = ""   // omitted stays omitted: each driver applies its own default
	kept := params[:0] // filtered in place: each is written at or before where it is read
	minProto := false
	for _, p := range params {
		switch p.Key {
		case "sslmode":
			if _, ok := pgModes[p.Value]; !ok {
				return errorf("sslmode must be one of disable, allow, prefer, require, verify-ca or verify-full")
			}
			u.pgSSLMode = p.Value
		case "ssl":
			if p.Value != "true" {
				return errorf("ssl accepts only true (read as sslmode=require), as pgx and libpq read it; write sslmode=disable, prefer or verify-full instead")
			}
			u.pgSSLMode = "require"
		case "host":
			hostParam, hasHost = p.Value, true
		case "port":
			portParam, hasPort = p.Value, true
		case "user":
			u.user, u.hasUser = p.Value, true
		case "password":
			u.hasUser, u.hasPass = true, true
			u.secrets().password = p.Value
		case "dbname", "database":
			u.path = "/" + p.Value
		case "service", "servicefile":
			return errorf("a service names settings in a file on the machine, which is not read; write the host, port and database instead")
		default:
			if !validKey(p.Key) {
				return errorf("a query option name has characters other than letters, digits, '_', '-' and '.'; fix its name")
			}
			if err := checkPostgresValue(p); err != nil {
				return err
			}
			minProto = minProto || p.Key == "min_protocol_version"
			if isClientParam(p.Key) {
				u.client = append(u.client, p)
			} else {
				kept = append(kept, p)
			}
		}
	}
	if len(kept) > 0 {
		u.params = kept
	}
	if minProto {
		if err := checkProtocolVersions(u.params); err != nil {
			return err
		}
	}
	if u.pgSSLMode == "" {
		u.tls = TLSPrefer // libpq's and pgx's default; lib/pq's is require
	} else {
		u.tls = pgModes[u.pgSSLMode]
	}
	// Ports as the authority gives them, positionally, as libpq keeps them.
	var buf [4]int
	ports := buf[:0]
	for _, h := range u.hosts {
		ports = append(ports, h.Port)
	}
	if hasHost {
		u.hosts = u.hosts[:0]
		for h := range strings.SplitSeq(hostParam, ",") {
			switch {
			case h == "":
				u.hosts = append(u.hosts, Host{})
			case h[0] == '/':
				u.hosts = append(u.hosts, Host{Name: h, Unix: true})
			case strings.IndexByte(h, ':') >= 0:
				host, err := parseHost("["+strings.ReplaceAll(h, "%", "%25")+"]", 0, false)
				if err != nil {
					return errorf("the host option holds an invalid IPv6 address; write it as host=2001:db8::1")
				}
				u.hosts = append(u.hosts, host)
			default:
				if !validHostName(h) {
					return errorf("the host option has a host name with characters other than letters, digits, '-', '.' and '_'; fix the host")
				}
				u.hosts = append(u.hosts, Host{Name: h})
			}
		}
	}
	if hasPort {
		ports = ports[:0]
		for p := range strings.SplitSeq(portParam, ",") {
			if p == "" {
				ports = append(ports, 5432)
				continue
			}
			n, err := parsePort(p)
			if err != nil {
				return err
			}
			ports = append(ports, n)
		}
	}
	switch {
	case len(ports) == 0:
	case len(ports) == 1:
		for i := range u.hosts {
			u.hosts[i].Port = ports[0]
		}
	case len(ports) != len(u.hosts):
		return errorf("the port list has a different number of ports than there are hosts; give one port, or one per host")
	default:
		for i := range u.hosts {
			u.hosts[i].Port = ports[i]
		}
	}
	for i := range u.hosts {
		if u.hosts[i].Port == 0 {
			u.hosts[i].Port = 5432
		}
		if u.hosts[i].Name == "" {
			return errorf("missing host; give one in the URL or as ?host=, since nothing is read from the machine (no PGHOST, no default socket): write it as postgres://user:password@host:5432/database")
		}
	}
	if len(u.path) > 0 {
		u.database = u.path[1:]
	}
	u.path = ""
	return nil
}

// nativePostgres reads a libpq keyword/value string (host=db port=5432
// dbname=app user=u password='it”s'), as libpq and pgx read it: keywords
// separated by whitespace, '=' with optional spaces around it, values plain
// (a backslash escapes the next character) or in single quotes (with \' and
// \\). A repeated keyword's last value wins; an empty user is none. The
// keywords are then read as the same query options of a postgres URL are.
func nativePostgres(raw string, u *URL) (bool, error) {
	if eq := strings.IndexByte(raw, '='); eq < 0 || !isKeywordValue(strings.Trim(raw[:eq], pgSpace)+"=") {
		return false, nil
	}
	if strings.IndexByte(raw, 0) >= 0 {
		return true, errorf("a NUL byte in the keyword/value string; remove it (pgx refuses it)")
	}
	var params []Param
	for s := strings.TrimLeft(raw, pgSpace); s != ""; {
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return true, errorf("a keyword without '=' in the keyword/value string; write keyword=value pairs separated by spaces")
		}
		key := strings.Trim(s[:eq], pgSpace)
		if key == "" || strings.ContainsAny(key, pgSpace) {
			return true, errorf("a keyword/value pair without its keyword, or a space inside a keyword; write keyword=value pairs separated by spaces")
		}
		s = strings.TrimLeft(s[eq+1:], pgSpace)
		var val []byte
		switch {
		case s == "":
		case s[0] != '\'':
			end := 0
			for ; end < len(s) && !strings.ContainsRune(pgSpace, rune(s[end])); end++ {
				if s[end] == '\\' {
					end++
					if end == len(s) {
						break
					}
				}
				val = append(val, s[end])
			}
			s = strings.TrimLeft(s[min(end, len(s)):], pgSpace)
		default:
			s = s[1:]
			end := 0
			for ; end < len(s) && s[end] != '\''; end++ {
				if s[end] == '\\' {
					end++
					if end == len(s) {
						break
					}
				}
				val = append(val, s[end])
			}
			if end >= len(s) {
				return true, errorf("an unterminated quoted value in the keyword/value string; close it with '")
			}
			s = strings.TrimLeft(s[end+1:], pgSpace)
		}
		if key == "user" && len(val) == 0 {
			continue
		}
		params = append(params, Param{Key: key, Value: string(val)})
	}
	*u = URL{fam: &postgresFamily, tls: TLSPrefer}
	// Last value wins, as in pgx's map; a later keyword replaces an earlier.
	last := map[string]int{}
	for i, p := range params {
		last[p.Key] = i
	}
	kept := params[:0]
	for i, p := range params {
		if last[p.Key] == i {
			kept = append(kept, p)
		}
	}
	if err := finishPostgres(u, kept); err != nil {
		return true, err
	}
	if len(u.hosts) == 0 {
		return true, errorf("missing host; give host= in the keyword/value string, since nothing is read from the machine (no PGHOST, no default socket)")
	}
	u.seal()
	return true, nil
}

// pgSpace is the whitespace of a keyword/value string.
const pgSpace = " \t\n\r\v\f"

// pgChecks are the options pgx and pgxpool read as one of a few words, a
// whole number (with its least value) or a duration; pgx refuses another
// value when it parses.
var pgChecks = map[string]pgCheck{
	"target_session_attrs":          {words: []string{"any", "read-write", "read-only", "primary", "standby", "prefer-standby"}},
	"min_protocol_version":          {words: []string{"3.0", "3.2", "latest"}},
	"max_protocol_version":          {words: []string{"3.0", "3.2", "latest"}},
	"channel_binding":               {words: []string{"disable", "prefer", "require"}},
	"sslcertmode":                   {words: []string{"disable", "allow", "require"}},
	"sslnegotiation":                {words: []string{"postgres", "direct"}},
	"default_query_exec_mode":       {words: []string{"cache_statement", "cache_describe", "describe_exec", "exec", "simple_protocol"}},
	"connect_timeout":               {kind: 'i', bits: 64},
	"pool_max_conns":                {kind: 'i', bits: 32, least: 1},
	"pool_min_conns":                {kind: 'i', bits: 32},
	"pool_min_idle_conns":           {kind: 'i', bits: 32},
	"statement_cache_capacity":      {kind: 'i', bits: 32, least: -1 << 31},
	"description_cache_capacity":    {kind: 'i', bits: 32, least: -1 << 31},
	"pool_max_conn_lifetime":        {kind: 'd'},
	"pool_max_conn_idle_time":       {kind: 'd'},
	"pool_health_check_period":      {kind: 'd'},
	"pool_max_conn_lifetime_jitter": {kind: 'd'},
	"pool_ping_timeout":             {kind: 'd'},
}

type pgCheck struct {
	words []string
	kind  byte // 'i' whole number, 'd' duration; 0 with words
	bits  int
	least int64
}

// checkProtocolVersions refuses a minimum above the maximum, and a minimum
// above 3.0 without a maximum, which lib/pq refuses (its maximum is 3.0).
func checkProtocolVersions(params []Param) error {
	var lo, hi string
	for _, p := range params {
		switch p.Key {
		case "min_protocol_version":
			lo = p.Value
		case "max_protocol_version":
			hi = p.Value
		}
	}
	rank := func(v string) int {
		if v == "3.2" || v == "latest" {
			return 2
		}
		return 0
	}
	switch {
	case lo == "" || rank(lo) == 0:
		return nil
	case hi == "":
		return errorf("min_protocol_version above 3.0 needs max_protocol_version too, since lib/pq's maximum is 3.0; add max_protocol_version=latest")
	case rank(lo) > rank(hi):
		return errorf("min_protocol_version is above max_protocol_version; lower the minimum or raise the maximum")
	}
	return nil
}

func checkPostgresValue(p Param) error {
	c, ok := pgChecks[p.Key]
	switch {
	case !ok:
	case c.words != nil:
		if !slices.Contains(c.words, p.Value) {
			return errorf("option " + p.Key + " must be one of " + orList(c.words) + ", as pgx reads it")
		}
	case c.kind == 'i':
		n, err := strconv.ParseInt(p.Value, 10, c.bits)
		if err != nil || n < c.least {
			return errorf("option " + p.Key + " is not a whole number from " + strconv.FormatInt(max(c.least, 0), 10) + " up, as pgx reads it; fix it")
		}
	case c.kind == 'd':
		if _, err := time.ParseDuration(p.Value); err != nil {
			return errorf("option " + p.Key + " is not a duration such as 30s or 1h; fix it")
		}
	}
	return nil
}

func writePostgres(u *URL, b *strings.Builder, hide bool) {
	u.writeHosts(b)
	b.WriteByte('/')
	b.WriteString(escape(u.database, segKeep))
	if u.pgSSLMode == "" {
		u.writeQuery(b, hide)
		return
	}
	u.writeQuery(b, hide, Param{Key: "sslmode", Value: u.pgSSLMode})
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

// postgresDSN writes the libpq keyword/value string pgx and lib/pq read.
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
	if u.user != "" {
		b.WriteString(" user=")
		pgQuote(&b, u.user)
	}
	if u.hasPass {
		b.WriteString(" password=")
		pgQuote(&b, u.password())
	}
	b.WriteString(" dbname=")
	pgQuote(&b, u.database)
	if u.pgSSLMode != "" {
		b.WriteString(" sslmode=")
		b.WriteString(u.pgSSLMode)
	}
	for _, p := range u.Params() {
		b.WriteByte(' ')
		b.WriteString(p.Key)
		b.WriteByte('=')
		pgQuote(&b, p.Value)
	}
	return b.String()
}

// greetPostgres sends a StartupMessage (protocol 3.0, the URL's user and
// database, no password) and reads the first message of the answer: an
// authentication request, or an ErrorResponse (no pg_hba.conf entry, no such
// role...), which is PostgreSQL too. It then sends Terminate.
func greetPostgres(c net.Conn, r *bufio.Reader, u URL, _ Host) error {
	user := u.user
	if user == "" {
		user = "twelvekit"
	}
	var b []byte
	b = append(b, 0, 0, 0, 0, 0, 3, 0, 0)
	b = append(b, "user\x00"...)
	b = append(b, strings.ReplaceAll(user, "\x00", "")...)
	b = append(b, 0)
	if u.database != "" {
		b = append(b, "database\x00"...)
		b = append(b, strings.ReplaceAll(u.database, "\x00", "")...)
		b = append(b, 0)
	}
	b = append(b, 0)
	binary.BigEndian.PutUint32(b, uint32(len(b)))
	if _, err := c.Write(b); err != nil {
		return err
	}
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return err
	}
	n := int(binary.BigEndian.Uint32(hdr[1:]))
	if n < 4 || n > 1<<16 || (hdr[0] != 'R' && hdr[0] != 'E' && hdr[0] != 'v') {
		return wrongf("the answer to a StartupMessage is not a PostgreSQL message")
	}
	body := make([]byte, n-4)
	if _, err := io.ReadFull(r, body); err != nil {
		return err
	}
	switch hdr[0] {
	case 'R': // authentication request: a known method code
		if len(body) < 4 {
			return wrongf("a PostgreSQL authentication request too short")
		}
		switch binary.BigEndian.Uint32(body) {
		case 0, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12:
		default:
			return wrongf("a PostgreSQL authentication request with an unknown method")
		}
	case 'E': // ErrorResponse: fields, each a code byte and a string, then 0
		if !pgFields(body) {
			return wrongf("a malformed PostgreSQL ErrorResponse")
		}
	}
	_, _ = c.Write([]byte{'X', 0, 0, 0, 4})
	return nil
}

// pgFields reports whether b is a list of PostgreSQL error fields: a code
// byte and a NUL-terminated string each, a severity ('S') and a message
// ('M') among them, and a final NUL.
func pgFields(b []byte) bool {
	seen := map[byte]bool{}
	for len(b) > 0 && b[0] != 0 {
		end := bytes.IndexByte(b[1:], 0)
		if end < 0 {
			return false
		}
		seen[b[0]] = true
		b = b[end+2:]
	}
	return len(b) == 1 && seen['S'] && seen['M']
}

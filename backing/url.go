package backing

import (
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/twelvekit/twelvekit/config"
	"github.com/twelvekit/twelvekit/internal/redact"
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
	// the URL says nothing, and SMTP's STARTTLS on smtp://. PostgreSQL's
	// sslmode=allow (plain text first, then TLS) also reports TLSPrefer, and
	// reaches the driver as allow.
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
	// Name is a host name or an IP address (an IPv6 one without brackets,
	// with its zone after %), or, when Unix is true, a socket path: for
	// PostgreSQL the directory that holds .s.PGSQL.<port>, for MySQL and
	// Redis the socket file.
	Name string
	// Port is the port, the scheme's default when the URL gives none. For a
	// PostgreSQL socket it names the socket file; other sockets have 0.
	Port int
	// Unix reports whether Name is a unix socket path.
	Unix bool
}

// String returns "name:port" (IPv6 in brackets) or the socket path, as
// net.Dial takes it.
func (h Host) String() string {
	if h.Unix {
		return h.Name
	}
	return net.JoinHostPort(h.Name, strconv.Itoa(h.Port))
}

// urlHost returns the host as a URL authority writes it: IPv6 in brackets
// with the % of a zone escaped as %25, so that net/url reads it back.
func (h Host) urlHost() string {
	if strings.IndexByte(h.Name, ':') >= 0 {
		return "[" + strings.ReplaceAll(h.Name, "%", "%25") + "]:" + strconv.Itoa(h.Port)
	}
	return h.Name + ":" + strconv.Itoa(h.Port)
}

// Param is one query option of a URL, percent-decoded.
type Param struct {
	Key, Value string
}

// secrets holds what grants access in a URL. A URL keeps it behind a
// closure, where printers that walk values by reflection (%p's fallback,
// go-spew, go-cmp's reporter) find a function, not the values.
type secrets struct {
	password string
	token    string         // a lone userinfo that the family reads as a token
	params   map[int]string // credential values of URL.params, by index
	client   map[int]string // credential values of URL.client, by index
	// keys and clientKeys are the names of the options of URL.params and
	// URL.client, by index, that the printing rule masks (names it does
	// not know, which may be pasted tokens); their fields hold "".
	keys, clientKeys map[int]string
	// path and user are the URL's path (webhook and bot tokens live in
	// paths) and, for the families whose user may be a token, its user:
	// not credentials the family knows, but parts the printing rule masks,
	// kept out of reach of reflection too.
	path, user string
}

// URL is a parsed backing-service URL: a scheme family, hosts with ports,
// credentials, a database (or vhost, bucket, file), query options and a TLS
// mode. Build one with [Parse] or through config loading, which calls
// [URL.UnmarshalText].
//
// A URL never shows what grants access by accident: [URL.String], fmt,
// encoding/json, log/slog and zap print it by twelvekit's one redaction rule
// (see "Printing URLs" in the package documentation): scheme, hosts, ports,
// database and safe options show, the rest reads [config.Redacted]. The
// credentials, the path, a user that may be a token and the masked option
// names and values are kept where printers that read fields by reflection (go-spew,
// go-cmp's report, fmt's %p) do not follow them; go-cmp compares URLs with
// [URL.Equal]. [URL.Reveal] returns the full form. The zero value is an
// unset URL: it prints as "" and reports [URL.IsZero]. A URL is an immutable
// value, safe for concurrent use; its accessors return copies.
type URL struct {
	fam       *family
	variant   string // printed scheme when not the family's name: rediss, unix, amqps, tls...
	user      string
	hasUser   bool // the URL has a userinfo (an @)
	hasPass   bool // the userinfo has a ':'
	token     bool // the lone userinfo is a token, kept in sec
	insecure  bool // WithInsecureSkipVerify or skip_verify lowered the mode
	sec       func() secrets
	pending   secrets // while parsing only; seal moves it into sec
	hosts     []Host
	path      string // decoded path as written (with its leading /), for http, ws, s3
	database  string
	params    []Param // connection options, in order; credential values blanked
	client    []Param // client and pool options, in order; credential values blanked
	tls       TLSMode
	redisDB   int    // redis database number
	pgSSLMode string // postgres: the sslmode word handed to the driver
}

// secrets returns the credentials being written while parsing.
func (u *URL) secrets() *secrets { return &u.pending }

// creds returns the credentials of a parsed URL.
func (u URL) creds() secrets {
	if u.sec == nil {
		return u.pending
	}
	return u.sec()
}

// seal moves the credentials out of the URL's fields into a closure, which
// holds a copy: one allocation, and nothing a reflection-based printer
// reaches.
func (u *URL) sealSecrets() {
	if u.path != "" {
		u.pending.path, u.path = u.path, ""
	}
	if u.user != "" && !redact.RoleUser(u.fam.name) {
		u.pending.user, u.user = u.user, ""
	}
	u.sealShown(u.params, &u.pending.params, &u.pending.keys)
	u.sealShown(u.client, &u.pending.client, &u.pending.clientKeys)
	if p := u.pending; p.password == "" && p.token == "" && p.params == nil && p.client == nil && p.path == "" && p.user == "" &&
		p.keys == nil && p.clientKeys == nil {
		return
	}
	s := u.pending
	u.pending = secrets{}
	u.sec = func() secrets { return s }
}

// sealShown moves into m the option values the printing rule masks that
// seal left in ps (a safe key's value holding marks such as '=' or '@'),
// and into keys the names it masks.
func (u *URL) sealShown(ps []Param, m, keys *map[int]string) {
	for i, p := range ps {
		if !redact.ShowKey(p.Key) {
			if *keys == nil {
				*keys = make(map[int]string)
			}
			(*keys)[i] = p.Key
			ps[i].Key = ""
		}
		if p.Value == "" || redact.ShowParam(u.fam.name, p.Key, p.Value) {
			continue
		}
		if *m == nil {
			*m = make(map[int]string)
		}
		(*m)[i] = p.Value
		ps[i].Value = ""
	}
}

// unseal brings the credentials back into pending, to change them.
func (u *URL) unseal() {
	if u.sec != nil {
		u.pending = u.sec()
		u.sec = nil
	}
	if u.pending.path != "" {
		u.path, u.pending.path = u.pending.path, ""
	}
	if u.pending.user != "" {
		u.user, u.pending.user = u.pending.user, ""
	}
	for i, k := range u.pending.keys {
		if i < len(u.params) {
			u.params[i].Key = k
		}
	}
	for i, k := range u.pending.clientKeys {
		if i < len(u.client) {
			u.client[i].Key = k
		}
	}
	u.pending.keys, u.pending.clientKeys = nil, nil
}

func (u URL) password() string { return u.creds().password }

// IsZero reports whether u is the zero URL, as left by an empty variable.
func (u URL) IsZero() bool { return u.fam == nil }

// Scheme returns the scheme family in its canonical spelling: postgres,
// mysql, sqlite, redis, amqp, nats, mqtt, memcached, smtp, http or s3.
// Aliases (postgresql, mariadb, sqlite3...) and TLS variants (rediss, amqps,
// mqtts, wss, smtps, https, nats's tls) report their family; [URL.TLS] tells
// the variant. It is "" for the zero URL.
func (u URL) Scheme() string {
	if u.fam == nil {
		return ""
	}
	return u.fam.name
}

// Hosts returns a copy of the URL's hosts, in order, each with its port (the
// scheme's default where the URL gives none). sqlite and s3 URLs have none.
// A Redis Cluster URL lists the authority's host, then each addr= option.
func (u URL) Hosts() []Host { return slices.Clone(u.hosts) }

// User returns the percent-decoded user name, or "". A lone userinfo that
// the family reads as a token (nats://TOKEN@host, https://TOKEN@host) is not
// a user name: User returns "" and the driver-ready output carries the token.
func (u URL) User() string {
	if u.user != "" {
		return u.user
	}
	return u.creds().user
}

// Password returns the percent-decoded password as a [config.Secret], unset
// when the URL has none.
func (u URL) Password() config.Secret { return config.NewSecret(u.password()) }

// Database returns what the path names for the family: the database for
// postgres and mysql, the file for sqlite (":memory:" for an in-memory one),
// the vhost for amqp ("/" when the path is empty), the database number for
// redis ("0" by default), the bucket for s3; "" for the others.
func (u URL) Database() string { return u.database }

// Path returns the percent-decoded path as written, with its leading "/"
// (the key prefix of an s3 URL, the path of an http or ws URL).
func (u URL) Path() string {
	if u.path != "" {
		return u.path
	}
	return u.creds().path
}

// Params returns a copy of the connection options of the query, in the
// order written, percent-decoded, credential values included: it is an
// explicit accessor, like [URL.Reveal]. Options the URL itself is made of
// (sslmode, tls, ssl-mode, db, and for postgres host, port, user, password
// and dbname) are read into the URL and not repeated here. The driver-ready
// output passes these on to the driver.
func (u URL) Params() []Param { return u.reveal(u.params, false) }

// ClientParams returns a copy of the query options meant for the client or its
// connection pool, in order: pool_* (pgxpool's pool_max_conns...), max_conns,
// max_open_conns, max_idle_conns, conn_max_lifetime, conn_max_idle_time and
// pgx's statement_cache_capacity, description_cache_capacity and
// default_query_exec_mode. The SQL DSNs leave them out, because PostgreSQL
// and MySQL drivers send an option they do not know to the server as a
// session setting, which fails the connection. Apply them to the pool
// yourself.
func (u URL) ClientParams() []Param { return u.reveal(u.client, true) }

func (u URL) reveal(ps []Param, client bool) []Param {
	out := slices.Clone(ps)
	c := u.creds()
	m, keys := c.params, c.keys
	if client {
		m, keys = c.client, c.clientKeys
	}
	for i, v := range m {
		out[i].Value = v
	}
	for i, k := range keys {
		out[i].Key = k
	}
	return out
}

// TLS returns the URL's TLS mode.
func (u URL) TLS() TLSMode { return u.tls }

// Equal reports whether u and v are the same URL, credentials included
// (compared in constant time). go-cmp uses it, so cmp.Diff of configs
// holding URLs neither panics on unexported fields nor reads them.
func (u URL) Equal(v URL) bool {
	if u.fam != v.fam || u.variant != v.variant || u.User() != v.User() || u.hasUser != v.hasUser ||
		u.hasPass != v.hasPass || u.token != v.token || u.Path() != v.Path() || u.database != v.database ||
		u.tls != v.tls || u.insecure != v.insecure || u.redisDB != v.redisDB || u.pgSSLMode != v.pgSSLMode ||
		!slices.Equal(u.hosts, v.hosts) {
		return false
	}
	if !slices.Equal(u.Params(), v.Params()) || !slices.Equal(u.ClientParams(), v.ClientParams()) {
		return false
	}
	a, b := u.creds(), v.creds()
	pw := subtle.ConstantTimeCompare([]byte(a.password), []byte(b.password))
	tok := subtle.ConstantTimeCompare([]byte(a.token), []byte(b.token))
	return pw&tok == 1
}

// String returns the URL printed by twelvekit's one rule (see "Printing
// URLs" in the package documentation): the scheme, hosts, ports, the
// database or vhost and the values of the family's safe query options
// (sslmode, connect_timeout, dial_timeout...) show; the password, a
// userinfo that may be a token, every other path segment, every other query
// value and anything the rule cannot read are [config.Redacted]. It is
// followed by " (certificate not verified)" when certificate checks are off
// ([WithInsecureSkipVerify], or skip_verify=true on a rediss URL). It is ""
// for the zero URL. Never parse its result: use [URL.Reveal].
func (u URL) String() string {
	if u.IsZero() {
		return ""
	}
	// format(true) leaves the credentials the family knows out of the
	// text before the rule reads it, so that they never reach it.
	s := redact.Text(u.format(true))
	if u.insecure {
		s += redact.InsecureNote
	}
	return s
}

// Reveal returns the URL in its canonical form with its credentials: the
// scheme canonicalised, every port and the TLS option written out,
// credentials and options percent-encoded. Parsing it gives the same URL
// back, except for a [WithInsecureSkipVerify] choice, which is not part of
// the text. Call it only where the text is handed to code that needs it.
func (u URL) Reveal() string {
	if u.IsZero() {
		return ""
	}
	return u.format(false)
}

// GoString returns the same as String, for %#v.
func (u URL) GoString() string { return u.String() }

// Format writes [URL.String] for every verb and flag; %q quotes it. (fmt's
// %p does not call Format; it prints the fields, which hold no credential.)
func (u URL) Format(f fmt.State, verb rune) {
	s := u.String()
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}

// MarshalText returns [URL.String], so encoding/json, zap and other encoders
// print the redacted form. It cannot be read back: the credentials are gone.
func (u URL) MarshalText() ([]byte, error) { return []byte(u.String()), nil }

// LogValue returns [URL.String] for log/slog.
func (u URL) LogValue() slog.Value { return slog.StringValue(u.String()) }

// UnmarshalText parses text with [Parse] into u; empty text gives the zero
// URL and no error, so an optional variable may be unset (mark the field
// env:",required" to insist). Config loading calls it for a field of type URL
// and puts its error, which never holds the credentials or the text, in the
// config report. To accept only some families, use a typed field such as
// [AMQPURL] or [SQLURL].
func (u *URL) UnmarshalText(text []byte) error {
	return u.unmarshal(text)
}

func (u *URL) unmarshal(text []byte, fams ...string) error {
	if len(text) == 0 {
		*u = URL{}
		return nil
	}
	v, err := Parse(string(text), WithFamily(fams...))
	if err != nil {
		return textErr(err)
	}
	*u = v
	return nil
}

// format writes the canonical form, with the credentials redacted or not.
func (u URL) format(hide bool) string {
	var b strings.Builder
	b.Grow(64)
	scheme := u.fam.name
	if u.variant != "" {
		scheme = u.variant
	}
	b.WriteString(scheme)
	b.WriteByte(':')
	if !u.fam.hier {
		u.fam.write(&u, &b, hide)
		return b.String()
	}
	b.WriteString("//")
	u.writeUserinfo(&b, hide)
	u.fam.write(&u, &b, hide)
	return b.String()
}

// writeUserinfo writes user:password@, as the URL has it.
func (u *URL) writeUserinfo(b *strings.Builder, hide bool) {
	if !u.hasUser {
		return
	}
	switch {
	case u.token && hide:
		b.WriteString(redact.Mask)
	case u.token:
		b.WriteString(escape(u.creds().token, userKeep))
	default:
		b.WriteString(escape(u.User(), userKeep))
	}
	if u.hasPass {
		b.WriteByte(':')
		switch pw := u.password(); {
		case hide && pw != "":
			b.WriteString(redact.Mask)
		default:
			b.WriteString(escape(pw, userKeep))
		}
	}
	b.WriteByte('@')
}

// writeHosts writes the host list, comma-separated.
func (u *URL) writeHosts(b *strings.Builder) {
	for i, h := range u.hosts {
		if i > 0 {
			b.WriteByte(',')
		}
		if h.Unix {
			b.WriteString(escape(h.Name, hostKeep))
			if h.Port != 0 {
				b.WriteByte(':')
				b.WriteString(strconv.Itoa(h.Port))
			}
			continue
		}
		b.WriteString(h.urlHost())
	}
}

// writeQuery writes the extra options first, then the URL's options and
// client options, credential values masked when hide is set.
func (u *URL) writeQuery(b *strings.Builder, hide bool, extra ...Param) {
	sep := byte('?')
	add := func(k, v string) {
		b.WriteByte(sep)
		sep = '&'
		b.WriteString(escape(k, u.queryChars()))
		b.WriteByte('=')
		if v == redact.Mask && hide {
			b.WriteString(v)
			return
		}
		b.WriteString(escape(v, u.queryChars()))
	}
	for _, p := range extra {
		add(p.Key, p.Value)
	}
	ps, cs := u.params, u.client
	if !hide {
		ps, cs = u.Params(), u.ClientParams()
	}
	for i, p := range ps {
		if hide && u.secretAt(false, i) {
			p.Value = redact.Mask
		}
		add(p.Key, p.Value)
	}
	for i, p := range cs {
		if hide && u.secretAt(true, i) {
			p.Value = redact.Mask
		}
		add(p.Key, p.Value)
	}
}

func (u *URL) secretAt(client bool, i int) bool {
	c := u.creds()
	m := c.params
	if client {
		m = c.client
	}
	v, ok := m[i]
	return ok && v != ""
}

// Characters written as they are, beyond letters, digits and -._~.
const (
	userKeep  = "!$&'()*+,;="
	hostKeep  = "!$&'()*+;="
	segKeep   = "!$&'()*+,;=:"
	pathKeep  = "!$&'()*+,;=:/"
	queryKeep = "!$'()*,;:/"
)

// pathChars and queryChars are what the path and the options keep as
// written: an @ too where the family's URLs may hold one there (http, s3,
// sqlite's file names); elsewhere an @ is written %40, as Parse refuses a
// bare one after the host, so that Reveal's text parses back.
func (u *URL) pathChars() string {
	if u.fam.atInPath {
		return pathKeep + "@"
	}
	return pathKeep
}

func (u *URL) queryChars() string {
	if u.fam.atInPath {
		return queryKeep + "@"
	}
	return queryKeep
}

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
